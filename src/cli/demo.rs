//! Arguments of the socket demo subcommands (clap derive structs only: no I/O, no logic).

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Subcommand};

/// Default port of the TCP and UDP demos (seed 004 uses 8080).
pub const DEFAULT_CHAT_PORT: u16 = 8080;
/// Default port of `send-file` / `recv-file` (seed 002 uses 10000).
pub const DEFAULT_TRANSFER_PORT: u16 = 10000;
/// Default port of `stack-server` / `stack-client`.
pub const DEFAULT_STACK_PORT: u16 = 8888;

/// The socket demo subcommands.
#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// TCP server of labs 003/004: prints what each client sends and replies to it.
    #[command(after_help = "Examples:\n  wirelab tcp-server --port 8080\n  \
        wirelab tcp-server --bind 127.0.0.1 --port 8080 --threaded\n\n\
        Without --threaded one client is served at a time: a second client is accepted by the \
        kernel into the listen backlog and waits there until the first one leaves.")]
    TcpServer(TcpServerArgs),
    /// TCP client of labs 003/004: sends a message (or each line of stdin) and prints the reply.
    #[command(after_help = "Examples:\n  wirelab tcp-client 127.0.0.1:8080\n  \
        wirelab tcp-client 127.0.0.1 --message 'hello'\n  \
        wirelab tcp-client 127.0.0.1:8080 --lines        (type lines, Ctrl-D to stop)\n  \
        printf 'one\\ntwo\\n' | wirelab tcp-client 127.0.0.1:8080 --lines")]
    TcpClient(TcpClientArgs),
    /// UDP server of lab 003: prints each datagram with its sender's socket address and replies.
    #[command(after_help = "Example:\n  wirelab udp-server --port 8080\n\n\
        UDP has no connection and no handshake: every datagram stands alone, from whoever sent it.")]
    UdpServer(UdpServerArgs),
    /// UDP client of lab 003: sends a datagram (or one per line of stdin) and prints the reply.
    #[command(after_help = "Examples:\n  wirelab udp-client 127.0.0.1:8080\n  \
        printf 'one\\ntwo\\n' | wirelab udp-client 127.0.0.1:8080 --lines")]
    UdpClient(UdpClientArgs),
    /// Send a file to `wirelab recv-file` (seed 002, done right: header, data, BLAKE3 digest).
    #[command(
        after_help = "Example:\n  wirelab send-file 127.0.0.1:10000 report.pdf\n\n\
        The receiver checks the BLAKE3 digest and keeps the file only if it matches."
    )]
    SendFile(SendFileArgs),
    /// Receive files sent with `wirelab send-file` into a directory (several senders at once).
    #[command(
        after_help = "Example:\n  wirelab recv-file --port 10000 --dir received/\n\n\
        Names with '/', '\\', '..', control characters or over 255 bytes are refused; an \
        existing file is never replaced without --force; a transfer is written to a hidden \
        temporary file and renamed only once its digest matches."
    )]
    RecvFile(RecvFileArgs),
    /// The TCP/IP stack demo server (seed 000): answers the stack client, decapsulates frames.
    #[command(after_help = "Example:\n  wirelab stack-server --port 8888\n\n\
        Clients are served one at a time; the `exit` command of a client stops the server.")]
    StackServer(StackServerArgs),
    /// The TCP/IP stack demo client (seed 000): help, ping, handshake, stack, exit, or text.
    #[command(after_help = "Example:\n  wirelab stack-client 127.0.0.1:8888\n\n\
        Commands: help, ping, handshake, stack [MESSAGE], exit; any other line is sent as text.\n\
        Run as root to see the real SYN/SYN-ACK/ACK of the connection (captured on the \
        interface); otherwise `handshake` shows a labelled simulation.")]
    StackClient(StackClientArgs),
}

/// Where a server listens.
#[derive(Debug, Clone, Args)]
pub struct ListenArgs {
    /// Local address to bind (0.0.0.0 = every IPv4 address of this machine).
    #[arg(long, value_name = "ADDR", default_value = "0.0.0.0")]
    pub bind: IpAddr,
}

/// Arguments of `wirelab tcp-server`.
#[derive(Debug, Clone, Args)]
pub struct TcpServerArgs {
    /// Where to listen.
    #[command(flatten)]
    pub listen: ListenArgs,
    /// Port to listen on (0 = let the kernel pick one; the real port is printed).
    #[arg(long, short, default_value_t = DEFAULT_CHAT_PORT)]
    pub port: u16,
    /// Serve each client on its own thread (lab 003 Part II) instead of one at a time.
    #[arg(long)]
    pub threaded: bool,
    /// What to answer to every message.
    #[arg(long, default_value = "Thanks for connecting")]
    pub reply: String,
}

/// Arguments of `wirelab tcp-client`.
#[derive(Debug, Clone, Args)]
pub struct TcpClientArgs {
    /// The server, as HOST or HOST:PORT (default port 8080).
    #[arg(value_name = "HOST[:PORT]")]
    pub server: String,
    /// The message to send (ignored with --lines).
    #[arg(long, short, default_value = "Hai from client")]
    pub message: String,
    /// Send each line read from standard input (typed or piped) and print each reply.
    #[arg(long)]
    pub lines: bool,
}

/// Arguments of `wirelab udp-server`.
#[derive(Debug, Clone, Args)]
pub struct UdpServerArgs {
    /// Where to listen.
    #[command(flatten)]
    pub listen: ListenArgs,
    /// Port to receive on (0 = let the kernel pick one; the real port is printed).
    #[arg(long, short, default_value_t = DEFAULT_CHAT_PORT)]
    pub port: u16,
    /// What to answer to every datagram.
    #[arg(long, default_value = "Thanks for your datagram")]
    pub reply: String,
}

/// Arguments of `wirelab udp-client`.
#[derive(Debug, Clone, Args)]
pub struct UdpClientArgs {
    /// The server, as HOST or HOST:PORT (default port 8080).
    #[arg(value_name = "HOST[:PORT]")]
    pub server: String,
    /// The message to send (ignored with --lines).
    #[arg(long, short, default_value = "Hai from client")]
    pub message: String,
    /// Send one datagram per line read from standard input and print each reply.
    #[arg(long)]
    pub lines: bool,
    /// Seconds to wait for each reply (datagrams may be lost; nobody tells the client).
    #[arg(long, value_name = "SECONDS", default_value_t = 3.0)]
    pub timeout: f64,
}

/// Arguments of `wirelab send-file`.
#[derive(Debug, Clone, Args)]
pub struct SendFileArgs {
    /// The receiver, as HOST or HOST:PORT (default port 10000).
    #[arg(value_name = "HOST[:PORT]")]
    pub server: String,
    /// The file to send.
    pub file: PathBuf,
    /// Name to announce to the receiver (default: the file's own name).
    #[arg(long)]
    pub name: Option<String>,
    /// Seconds between interval lines (0 = no interval lines). (`-i` is an old, hidden
    /// spelling: `-i` names an interface in every other command.)
    #[arg(long, short_alias = 'i', value_name = "SECONDS", default_value_t = 1.0)]
    pub interval: f64,
}

/// Arguments of `wirelab recv-file`.
#[derive(Debug, Clone, Args)]
pub struct RecvFileArgs {
    /// Where to listen.
    #[command(flatten)]
    pub listen: ListenArgs,
    /// Port to listen on (0 = let the kernel pick one; the real port is printed).
    #[arg(long, short, default_value_t = DEFAULT_TRANSFER_PORT)]
    pub port: u16,
    /// Directory the received files are written to (must exist).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// Replace a file of the same name that already exists in DIR.
    #[arg(long)]
    pub force: bool,
    /// Exit after the first transfer (its result gives the exit code).
    #[arg(long)]
    pub once: bool,
    /// Seconds between interval lines (0 = no interval lines). (`-i` is an old, hidden
    /// spelling: `-i` names an interface in every other command.)
    #[arg(long, short_alias = 'i', value_name = "SECONDS", default_value_t = 1.0)]
    pub interval: f64,
}

/// Arguments of `wirelab stack-server`.
#[derive(Debug, Clone, Args)]
pub struct StackServerArgs {
    /// Where to listen.
    #[command(flatten)]
    pub listen: ListenArgs,
    /// Port to listen on (0 = let the kernel pick one; the real port is printed).
    #[arg(long, short, default_value_t = DEFAULT_STACK_PORT)]
    pub port: u16,
}

/// Arguments of `wirelab stack-client`.
#[derive(Debug, Clone, Args)]
pub struct StackClientArgs {
    /// The server, as HOST or HOST:PORT (default port 8888).
    #[arg(value_name = "HOST[:PORT]")]
    pub server: String,
}
