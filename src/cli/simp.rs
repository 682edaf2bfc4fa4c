//! Arguments of `wirelab simp ...`.

use std::net::IpAddr;

use clap::{Args, Subcommand};

/// The SIMP subcommands.
#[derive(Debug, Subcommand)]
pub enum SimpCommand {
    /// Run a SIMP daemon: UDP ADDR:7777 towards other daemons, TCP ADDR:7778 for its client.
    Daemon(DaemonArgs),
    /// Connect this terminal to a SIMP daemon (reads commands and messages from stdin).
    Client(ClientArgs),
}

/// Arguments of `wirelab simp daemon`.
#[derive(Debug, Args)]
pub struct DaemonArgs {
    /// Address to listen on: other daemons reach it on UDP port 7777, the client on TCP 7778.
    #[arg(long, value_name = "ADDR")]
    pub ip: IpAddr,
    /// Seconds to wait for an acknowledgement before resending (fractions allowed).
    #[arg(long, value_name = "SECS", default_value_t = 5.0)]
    pub timeout: f64,
    /// Sends of one SYN+ACK, chat message or FIN before the peer counts as unreachable.
    #[arg(long, value_name = "N", default_value_t = 10, hide = true)]
    pub max_attempts: u32,
    /// TEST ONLY: drop this fraction (0..1) of outgoing datagrams, to exercise retransmission.
    #[arg(long, value_name = "RATE", default_value_t = 0.0, hide = true)]
    pub drop_rate: f64,
    /// TEST ONLY: seed of the loss injector's generator (same seed, same drops).
    #[arg(long, value_name = "SEED", default_value_t = 1, hide = true)]
    pub drop_seed: u64,
}

/// Arguments of `wirelab simp client`.
#[derive(Debug, Args)]
pub struct ClientArgs {
    /// The daemon's address (its --ip); the client connects to TCP port 7778 there.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub daemon: IpAddr,
}
