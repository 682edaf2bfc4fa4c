//! `wirelab stack-client`: read commands (help, ping, handshake, stack, exit, or text) from
//! standard input, talk to the stack server, and show what happens at each layer.

use std::io::{self, BufRead, IsTerminal as _, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::process::ExitCode;

use anyhow::Context as _;

use crate::demo::net::{self, Endpoint};
use crate::demo::options::StackClientOptions;
use crate::demo::stack::encapsulation::{self, Params};
use crate::demo::stack::framing::{self, Kind};
use crate::demo::stack::handshake::{self, Capture, Captured};
use crate::demo::text::printable;

/// The message `stack` wraps when none is given.
pub const DEFAULT_STACK_MESSAGE: &str = "Hello from the application layer";

/// The commands, as `help` prints them.
pub const HELP: &str = "\
commands:
  help              this list
  ping              ask the server for its address
  handshake         show the three-way handshake that opened this connection
  stack [MESSAGE]   wrap MESSAGE in real TCP, IPv4 and Ethernet headers, send the frame; the
                    server takes the layers off again
  exit              close the connection and stop the server
  anything else     sent to the server as a text message";

/// What the client knows about its connection.
#[derive(Debug, Clone)]
pub struct Context {
    /// The client's socket address.
    pub local: SocketAddr,
    /// The server's socket address.
    pub peer: SocketAddr,
    /// The captured handshake, or why there is none.
    pub handshake: Result<Captured, String>,
}

/// Runs `wirelab stack-client`.
pub fn run(args: &StackClientOptions) -> anyhow::Result<ExitCode> {
    let endpoint = Endpoint::parse(&args.server, args.default_port)?;
    let first = *endpoint
        .resolve()?
        .first()
        .context("the server name resolved to no address")?;
    // The capture must be listening before the SYN leaves.
    let capture = Capture::start(first);
    let hint = format!("wirelab stack-server --port {}", endpoint.port);
    let mut stream = net::connect(&endpoint, &hint)?;
    let local = stream.local_addr().context("reading the local address")?;
    let peer = stream.peer_addr().context("reading the server address")?;
    let mut out = io::stdout();
    writeln!(
        out,
        "connected to {peer} from {local}; type `help` for the commands"
    )?;
    let handshake = capture.and_then(|c| c.finish(local, peer));
    let ctx = Context {
        local,
        peer,
        handshake,
    };
    let stdin = io::stdin();
    let prompt = stdin.is_terminal();
    session(stdin.lock(), &mut stream, &ctx, &mut out, prompt)?;
    Ok(ExitCode::SUCCESS)
}

/// Runs commands from `input` until it ends or `exit`; true when `exit` was sent.
pub fn session<I: BufRead, S: Read + Write>(
    input: I,
    conn: &mut S,
    ctx: &Context,
    out: &mut dyn Write,
    prompt: bool,
) -> anyhow::Result<bool> {
    let mut ip_id: u16 = 1;
    let mut lines = input.lines();
    loop {
        if prompt {
            write!(out, "stack> ")?;
            out.flush()?;
        }
        let Some(line) = lines.next() else {
            writeln!(
                out,
                "end of input: closing the connection (the server keeps running)"
            )?;
            return Ok(false);
        };
        let line = line.context("reading standard input")?;
        let line = line.trim();
        let (command, rest) = line.split_once(' ').unwrap_or((line, ""));
        match command {
            "" => {}
            "help" => writeln!(out, "{HELP}")?,
            "ping" => {
                framing::write_frame(conn, Kind::Ping, b"").context("sending ping")?;
                show_reply(conn, out)?;
            }
            "handshake" => {
                framing::write_frame(conn, Kind::Handshake, b"").context("sending handshake")?;
                writeln!(
                    out,
                    "on the client side this connection is {} (client) <-> {} (server)",
                    ctx.local, ctx.peer
                )?;
                show_reply(conn, out)?;
                match &ctx.handshake {
                    Ok(captured) => write!(out, "{}", handshake::render_real(captured))?,
                    Err(why) => write!(
                        out,
                        "{}",
                        handshake::render_simulation(ctx.local, ctx.peer, why)
                    )?,
                }
            }
            "stack" => {
                let message = match rest.trim() {
                    "" => DEFAULT_STACK_MESSAGE,
                    text => text,
                };
                let params = stack_params(ctx, ip_id);
                ip_id = ip_id.wrapping_add(1);
                match encapsulation::encapsulate(message.as_bytes(), &params) {
                    Ok(frame) => {
                        write!(out, "{}", encapsulation::render_encapsulation(&frame))?;
                        if !ctx.peer.ip().is_loopback() {
                            writeln!(
                                out,
                                "(the MAC addresses are examples: the kernel would learn the \
                                 real ones with ARP)"
                            )?;
                        }
                        framing::write_frame(conn, Kind::Stack, &frame)
                            .context("sending the frame")?;
                        writeln!(
                            out,
                            "sent the {}-byte frame to the server as the payload of a stack-demo \
                             frame (kind 0x04) over this TCP connection",
                            frame.len()
                        )?;
                        show_reply(conn, out)?;
                    }
                    Err(err) => writeln!(out, "cannot build the frame: {err}")?,
                }
            }
            "exit" => {
                framing::write_frame(conn, Kind::Exit, b"").context("sending exit")?;
                show_reply(conn, out)?;
                writeln!(out, "connection closed")?;
                return Ok(true);
            }
            _ => {
                framing::write_frame(conn, Kind::Text, line.as_bytes())
                    .context("sending the message")?;
                writeln!(out, "sent the message {:?}", printable(line.as_bytes()))?;
                show_reply(conn, out)?;
            }
        }
    }
}

/// Header values for `stack`: this connection's real addresses and ports, loopback's zero MACs
/// (or example MACs off loopback), Wireshark-style relative sequence numbers.
fn stack_params(ctx: &Context, ip_id: u16) -> Params {
    let v4 = |addr: SocketAddr| match addr {
        SocketAddr::V4(a) => a,
        SocketAddr::V6(a) => SocketAddrV4::new(Ipv4Addr::LOCALHOST, a.port()),
    };
    let loopback = ctx.peer.ip().is_loopback();
    Params {
        src_mac: if loopback { [0; 6] } else { [2, 0, 0, 0, 0, 1] },
        dst_mac: if loopback { [0; 6] } else { [2, 0, 0, 0, 0, 2] },
        src: v4(ctx.local),
        dst: v4(ctx.peer),
        seq: 1,
        ack: 1,
        ip_id,
        ttl: 64,
        window: 65535,
    }
}

/// Reads one reply frame and prints it.
fn show_reply<S: Read>(conn: &mut S, out: &mut dyn Write) -> anyhow::Result<()> {
    let frame = framing::read_frame(conn)
        .context("reading the server's reply")?
        .context("the server closed the connection")?;
    let text = printable(&frame.payload);
    match frame.kind {
        Kind::Reply => writeln!(out, "server: {text}")?,
        Kind::Bye => writeln!(out, "server: {text}")?,
        Kind::Error => writeln!(out, "server error: {text}")?,
        other => writeln!(
            out,
            "server sent an unexpected frame kind 0x{:02x}",
            other.byte()
        )?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Replies scripted in advance; requests collected.
    struct Scripted {
        replies: io::Cursor<Vec<u8>>,
        requests: Vec<u8>,
    }

    impl Read for Scripted {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.replies.read(buf)
        }
    }

    impl Write for Scripted {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.requests.write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn commands_become_the_right_frames() {
        let mut replies = Vec::new();
        for kind in [
            Kind::Reply,
            Kind::Reply,
            Kind::Reply,
            Kind::Error,
            Kind::Bye,
        ] {
            let _ = framing::write_frame(&mut replies, kind, b"ok");
        }
        let mut conn = Scripted {
            replies: io::Cursor::new(replies),
            requests: Vec::new(),
        };
        let ctx = Context {
            local: SocketAddr::from(([127, 0, 0, 1], 40000)),
            peer: SocketAddr::from(([127, 0, 0, 1], 8888)),
            handshake: Err("not root".into()),
        };
        let input = "help\n\nping\nhandshake\nstack hi there\nsome text\nexit\nping\n";
        let mut out = Vec::new();
        let exited = session(input.as_bytes(), &mut conn, &ctx, &mut out, false).ok();
        assert_eq!(exited, Some(true));
        let mut r = conn.requests.as_slice();
        let mut sent = Vec::new();
        while let Ok(Some(f)) = framing::read_frame(&mut r) {
            sent.push(f);
        }
        let kinds: Vec<Kind> = sent.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::Ping,
                Kind::Handshake,
                Kind::Stack,
                Kind::Text,
                Kind::Exit
            ]
        );
        let stack = sent.get(2).map(|f| f.payload.clone()).unwrap_or_default();
        let layers = encapsulation::decapsulate(&stack).ok();
        assert_eq!(layers.map(|l| l.payload), Some(b"hi there".to_vec()));
        let shown = String::from_utf8_lossy(&out);
        assert!(shown.contains("SIMULATION (not captured: not root)"));
        assert!(shown.contains("server error: ok"));
        assert!(shown.contains("stack [MESSAGE]"));
    }
}
