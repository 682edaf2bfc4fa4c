//! What each demo needs to run, as plain values: the application layer fills these from the
//! command line ([`crate::app`]), so the demos never see the argument parser.

use std::net::IpAddr;
use std::path::PathBuf;

/// `tcp-server`.
#[derive(Debug, Clone)]
pub struct TcpServerOptions {
    /// Address to listen on.
    pub bind: IpAddr,
    /// Port to listen on.
    pub port: u16,
    /// One thread per client instead of one client at a time.
    pub threaded: bool,
    /// Reply sent to each message.
    pub reply: String,
}

/// `tcp-client`.
#[derive(Debug, Clone)]
pub struct TcpClientOptions {
    /// `HOST[:PORT]` of the server.
    pub server: String,
    /// The port when `server` names none.
    pub default_port: u16,
    /// The one message sent (without `lines`).
    pub message: String,
    /// Send each line of standard input instead.
    pub lines: bool,
}

/// `udp-server`.
#[derive(Debug, Clone)]
pub struct UdpServerOptions {
    /// Address to listen on.
    pub bind: IpAddr,
    /// Port to listen on.
    pub port: u16,
    /// Reply sent to each datagram.
    pub reply: String,
}

/// `udp-client`.
#[derive(Debug, Clone)]
pub struct UdpClientOptions {
    /// `HOST[:PORT]` of the server.
    pub server: String,
    /// The port when `server` names none.
    pub default_port: u16,
    /// The one message sent (without `lines`).
    pub message: String,
    /// Send each line of standard input instead.
    pub lines: bool,
    /// Seconds to wait for each reply.
    pub timeout: f64,
}

/// `send-file`.
#[derive(Debug, Clone)]
pub struct SendFileOptions {
    /// `HOST[:PORT]` of the receiver.
    pub server: String,
    /// The port when `server` names none.
    pub default_port: u16,
    /// The file to send.
    pub file: PathBuf,
    /// The name to send it under (default: the file's own).
    pub name: Option<String>,
    /// Seconds between progress lines.
    pub interval: f64,
}

/// `recv-file`.
#[derive(Debug, Clone)]
pub struct RecvFileOptions {
    /// Address to listen on.
    pub bind: IpAddr,
    /// Port to listen on.
    pub port: u16,
    /// Where received files go.
    pub dir: PathBuf,
    /// Replace an existing file.
    pub force: bool,
    /// Stop after one transfer.
    pub once: bool,
    /// Seconds between progress lines.
    pub interval: f64,
}

/// `stack-server`.
#[derive(Debug, Clone)]
pub struct StackServerOptions {
    /// Address to listen on.
    pub bind: IpAddr,
    /// Port to listen on.
    pub port: u16,
}

/// `stack-client`.
#[derive(Debug, Clone)]
pub struct StackClientOptions {
    /// `HOST[:PORT]` of the server.
    pub server: String,
    /// The port when `server` names none.
    pub default_port: u16,
}

/// `simp daemon`, as typed (checked by [`super::simp::run_daemon`]).
#[derive(Debug, Clone)]
pub struct SimpDaemonOptions {
    /// The address to serve.
    pub ip: IpAddr,
    /// Seconds to wait for each answer.
    pub timeout: f64,
    /// Sends of one message before giving up.
    pub max_attempts: u32,
    /// TEST ONLY: the share of datagrams dropped on purpose.
    pub drop_rate: f64,
    /// TEST ONLY: the seed of the drops.
    pub drop_seed: u64,
}
