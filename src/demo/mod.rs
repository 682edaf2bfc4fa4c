//! The course's socket demos (std::net), apart from the capture core.
//!
//! One module per demo: [`tcp`] and [`udp`] (seeds 003/004), [`transfer`] (seed 002's file
//! transfer with a digest), [`stack`] (seed 000's stack chat); [`net`] holds the socket set-up
//! they share, with errors that tell a student what to do.
#![forbid(unsafe_code)]

pub mod net;
pub mod simp;
pub mod stack;
pub mod tcp;
pub mod text;
pub mod transfer;
pub mod udp;

use std::process::ExitCode;

use crate::cli::demo::DemoCommand;

/// Prints one line on standard output; a closed stdout (broken pipe) is ignored.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}
pub(crate) use say;

/// Runs one socket demo subcommand.
pub fn run(cmd: DemoCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        DemoCommand::TcpServer(args) => tcp::run_server(&args),
        DemoCommand::TcpClient(args) => tcp::run_client(&args),
        DemoCommand::UdpServer(args) => udp::run_server(&args),
        DemoCommand::UdpClient(args) => udp::run_client(&args),
        DemoCommand::SendFile(args) => transfer::sender::run(&args),
        DemoCommand::RecvFile(args) => transfer::receiver::run(&args),
        DemoCommand::StackServer(args) => stack::server::run(&args),
        DemoCommand::StackClient(args) => stack::client::run(&args),
    }
}
