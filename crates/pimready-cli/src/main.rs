//! `pimready`: a thin shell over `pimready-core`.

mod args;
mod batch;
mod commands;
mod connect;
mod error;
mod output;
mod progress;
mod summary;

use std::process::ExitCode;

use clap::Parser;

use crate::args::Cli;

/// Diagnostic log lines only when asked for (`--verbose`, `RUST_LOG` or `PIMREADY_LOG`):
/// what a user needs to know is printed by the commands themselves. Colour codes only on a
/// terminal.
fn init_logging(verbose: bool) {
    use std::io::IsTerminal;
    let from_env = ["PIMREADY_LOG", "RUST_LOG"]
        .into_iter()
        .find_map(|var| tracing_subscriber::EnvFilter::try_from_env(var).ok());
    let filter = match (from_env, verbose) {
        (Some(filter), _) => filter,
        (None, true) => tracing_subscriber::EnvFilter::new("info"),
        (None, false) => return,
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    init_logging(cli.verbose);

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(e.exit as u8)
        }
    }
}
