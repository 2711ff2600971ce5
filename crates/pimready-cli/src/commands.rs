//! One function per subcommand: parse flags, call core, print.

use pimready_core::assessment::{self, Assessment};
use pimready_core::snapshot::TenantSnapshot;

use crate::args::{Cli, Command, DemoArgs, EvaluationArgs, OutputArgs, ReportArgs};
use crate::error::CliError;
use crate::output;
use crate::summary;

pub async fn run(cli: Cli) -> Result<(), CliError> {
    let quiet = cli.quiet;
    match cli.command {
        Command::Demo(args) => demo(&args, quiet),
        Command::Report(args) => report(&args, quiet),
        Command::Checks => {
            print!("{}", pimready_core::checks::docs::markdown_table());
            Ok(())
        }
        _ => Err(CliError::usage("this subcommand is being wired")),
    }
}

fn demo(args: &DemoArgs, quiet: bool) -> Result<(), CliError> {
    let snapshot = pimready_core::demo::snapshot();
    if let Some(path) = &args.snapshot_out {
        output::write_snapshot(&snapshot, path)?;
    }
    finish(&snapshot, &args.evaluation, &args.output, quiet)
}

fn report(args: &ReportArgs, quiet: bool) -> Result<(), CliError> {
    let snapshot = TenantSnapshot::load(&args.snapshot).map_err(|e| {
        CliError::usage(e.to_string()).hint("pass a file written by `pimready collect --snapshot-out`")
    })?;
    finish(&snapshot, &args.evaluation, &args.output, quiet)
}

/// Assess, write the reports, print the summary.
fn finish(snapshot: &TenantSnapshot, evaluation: &EvaluationArgs, out: &OutputArgs, quiet: bool) -> Result<(), CliError> {
    let (settings, book) = output::evaluation(evaluation)?;
    let assessment: Assessment = assessment::assess(snapshot, &settings, &book);
    let written = output::write_reports(&assessment, out)?;
    if !quiet {
        print!("{}", summary::render(&assessment));
        println!();
        for path in &written {
            println!("Wrote {}", path.display());
        }
    }
    Ok(())
}
