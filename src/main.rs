//! The `wirelab` binary: parse arguments, run, map errors to exit codes.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
use wirelab::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match wirelab::app::run(cli) {
        Ok(code) => code,
        Err(err) => {
            if wirelab::app::is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("wirelab: error: {err:#}");
            ExitCode::from(wirelab::app::exit::code_of(&err))
        }
    }
}
