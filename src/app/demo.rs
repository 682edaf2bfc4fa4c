//! The socket demo subcommands and `wirelab simp`: clap's arguments turned into the demos' own
//! option structs ([`crate::demo::options`]), then the demo run.

use std::process::ExitCode;

use crate::cli::demo::{DEFAULT_CHAT_PORT, DEFAULT_STACK_PORT, DEFAULT_TRANSFER_PORT, DemoCommand};
use crate::cli::simp::SimpCommand;
use crate::demo::options::{
    RecvFileOptions, SendFileOptions, SimpDaemonOptions, StackClientOptions, StackServerOptions,
    TcpClientOptions, TcpServerOptions, UdpClientOptions, UdpServerOptions,
};
use crate::demo::{simp, stack, tcp, transfer, udp};

/// Runs one socket demo subcommand.
pub fn run(cmd: DemoCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        DemoCommand::TcpServer(a) => tcp::run_server(&TcpServerOptions {
            bind: a.listen.bind,
            port: a.port,
            threaded: a.threaded,
            reply: a.reply,
        }),
        DemoCommand::TcpClient(a) => tcp::run_client(&TcpClientOptions {
            server: a.server,
            default_port: DEFAULT_CHAT_PORT,
            message: a.message,
            lines: a.lines,
        }),
        DemoCommand::UdpServer(a) => udp::run_server(&UdpServerOptions {
            bind: a.listen.bind,
            port: a.port,
            reply: a.reply,
        }),
        DemoCommand::UdpClient(a) => udp::run_client(&UdpClientOptions {
            server: a.server,
            default_port: DEFAULT_CHAT_PORT,
            message: a.message,
            lines: a.lines,
            timeout: a.timeout,
        }),
        DemoCommand::SendFile(a) => transfer::sender::run(&SendFileOptions {
            server: a.server,
            default_port: DEFAULT_TRANSFER_PORT,
            file: a.file,
            name: a.name,
            interval: a.interval,
        }),
        DemoCommand::RecvFile(a) => transfer::receiver::run(&RecvFileOptions {
            bind: a.listen.bind,
            port: a.port,
            dir: a.dir,
            force: a.force,
            once: a.once,
            interval: a.interval,
        }),
        DemoCommand::StackServer(a) => stack::server::run(&StackServerOptions {
            bind: a.listen.bind,
            port: a.port,
        }),
        DemoCommand::StackClient(a) => stack::client::run(&StackClientOptions {
            server: a.server,
            default_port: DEFAULT_STACK_PORT,
        }),
    }
}

/// Runs one `wirelab simp` subcommand.
pub fn run_simp(cmd: SimpCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        SimpCommand::Daemon(a) => simp::run_daemon(&SimpDaemonOptions {
            ip: a.ip,
            timeout: a.timeout,
            max_attempts: a.max_attempts,
            drop_rate: a.drop_rate,
            drop_seed: a.drop_seed,
        }),
        SimpCommand::Client(a) => simp::client::run(a.daemon),
    }
}
