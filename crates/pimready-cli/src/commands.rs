//! One function per subcommand: parse flags, call core, print.

use pimready_app::export;
use pimready_app::run::{self, HistoryFile, Save};
use pimready_core::assessment::Assessment;
use pimready_core::snapshot::TenantSnapshot;
use pimready_history::{AssessmentId, HistoryError, Store};

use crate::args::{
    ApplyArgs, AssessArgs, Cli, CollectArgs, Command, DemoArgs, EvaluationArgs, OutputArgs,
    PreflightArgs, RemediateArgs, ReportArgs,
};
use crate::connect;
use crate::error::CliError;
use crate::output;
use crate::progress::Reporter;
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
        Command::Assess(args) => match &args.tenants {
            Some(file) => crate::batch::run(&args, file, quiet).await,
            None => assess(&args, quiet).await,
        },
        Command::Collect(args) => collect(&args, quiet).await,
        Command::Preflight(args) => preflight(&args, quiet).await,
        Command::Remediate(args) => remediate(&args, quiet),
        Command::Apply(args) => apply(&args, quiet).await,
        Command::Tenants => connect::tenants(),
        Command::Signout(args) => connect::signout(args.tenant.as_deref(), quiet),
        Command::History(args) => history(args.tenant.as_deref()),
        Command::Diff(args) => diff(args.old, args.new),
        Command::Forget(args) => forget(&args.tenant, quiet),
    }
}

fn demo(args: &DemoArgs, quiet: bool) -> Result<(), CliError> {
    let snapshot = pimready_core::demo::snapshot();
    if let Some(path) = &args.snapshot_out {
        let written = output::write_snapshot(&snapshot, path, args.output.force)?;
        if !quiet {
            println!("Wrote {}", written.display());
        }
    }
    let evaluation = with_demo_designation(&snapshot, &args.evaluation);
    finish(&snapshot, &evaluation, &args.output, quiet).map(drop)
}

/// The demo tenant ships with its two emergency accounts designated, unless others are
/// named; any other tenant's designation is the user's alone.
fn with_demo_designation(snapshot: &TenantSnapshot, evaluation: &EvaluationArgs) -> EvaluationArgs {
    let mut evaluation = evaluation.clone();
    if evaluation.emergency_accounts.is_empty() && pimready_core::demo::is_demo(snapshot) {
        evaluation.emergency_accounts = pimready_core::demo::EMERGENCY_ACCOUNTS
            .map(str::to_owned)
            .to_vec();
    }
    evaluation
}

fn required_tenant(tenant: Option<&String>) -> Result<&str, CliError> {
    tenant.map(String::as_str).ok_or_else(|| {
        CliError::usage("--tenant is required")
            .hint("name the tenant by a verified domain (contoso.com) or its tenant id")
    })
}

async fn assess(args: &AssessArgs, quiet: bool) -> Result<(), CliError> {
    let tenant = required_tenant(args.connection.tenant.as_ref())?;
    // Settings are checked before anyone is asked to sign in.
    output::evaluation(&args.evaluation)?;
    let reporter = Reporter::new(quiet);
    let connection = connect::sign_in(&args.connection, tenant, &reporter).await?;
    let snapshot = connect::collect(&connection, &reporter).await?;
    if let Some(path) = &args.snapshot_out {
        let written = output::write_snapshot(&snapshot, path, args.output.force)?;
        if !quiet {
            println!("Wrote {}", written.display());
        }
    }
    finish(&snapshot, &args.evaluation, &args.output, quiet)?;
    Ok(())
}

/// The preflight table; exit 4 when a permission or directory role is missing.
async fn preflight(args: &PreflightArgs, quiet: bool) -> Result<(), CliError> {
    let tenant = required_tenant(args.connection.tenant.as_ref())?;
    let reporter = Reporter::new(quiet);
    let connection = connect::sign_in(&args.connection, tenant, &reporter).await?;
    let report = pimready_app::preflight::check(&connection).await?;
    print!("{}", report.table());
    if report.access_missing() {
        return Err(CliError::new(
            crate::error::Exit::Collection,
            "some data cannot be read with this sign-in (see the table above)",
        )
        .hint("ask the tenant's admin for what the last column names, then run pimready preflight again"));
    }
    if !quiet {
        println!("Every read the tenant's licences permit works.");
    }
    Ok(())
}

async fn collect(args: &CollectArgs, quiet: bool) -> Result<(), CliError> {
    let tenant = required_tenant(args.connection.tenant.as_ref())?;
    let reporter = Reporter::new(quiet);
    let connection = connect::sign_in(&args.connection, tenant, &reporter).await?;
    let snapshot = connect::collect(&connection, &reporter).await?;
    let written = output::write_snapshot(&snapshot, &args.snapshot_out, args.force)?;
    if !quiet {
        println!(
            "Collected {} ({}) in {} ms with {} Graph requests; {} dataset(s) could not be read.",
            snapshot.display_name(),
            snapshot.tenant_id,
            snapshot.meta.duration_ms,
            snapshot.meta.requests,
            snapshot.gaps.len()
        );
        for g in &snapshot.gaps {
            println!(
                "  {:<38} {:<17} {}",
                g.dataset.as_str(),
                g.reason.as_str(),
                g.detail
            );
        }
        println!("Wrote {}", written.display());
    }
    Ok(())
}

fn report(args: &ReportArgs, quiet: bool) -> Result<(), CliError> {
    let snapshot = TenantSnapshot::load(&args.snapshot).map_err(|e| {
        CliError::usage(e.to_string())
            .hint("pass a file written by `pimready collect --snapshot-out`")
    })?;
    let evaluation = with_demo_designation(&snapshot, &args.evaluation);
    finish(&snapshot, &evaluation, &args.output, quiet).map(drop)
}

/// Computes the change-set and writes it with its two scripts; sends nothing.
fn remediate(args: &RemediateArgs, quiet: bool) -> Result<(), CliError> {
    let snapshot = match &args.snapshot {
        Some(path) => TenantSnapshot::load(path).map_err(|e| {
            CliError::usage(e.to_string())
                .hint("pass a file written by `pimready collect --snapshot-out`")
        })?,
        None => pimready_core::demo::snapshot(),
    };
    let evaluation = with_demo_designation(&snapshot, &args.evaluation);
    let (settings, book) = output::evaluation(&evaluation)?;
    let choices = pimready_app::remediate::PackChoices {
        approvers: args.approvers.clone(),
        reviewers: args.reviewers.clone(),
        notify: args.notify.clone(),
        deselected: Vec::new(),
    };
    let today = export::created(chrono::Utc::now()).date_naive();
    let pack = pimready_app::remediate::compute(&snapshot, &settings, &book, &choices, today)?;
    let written =
        pimready_app::remediate::write_pack(&args.out, &pack, output::existing(args.force))?;
    if !quiet {
        print!("{}", summary::change_set(&pack.change_set));
        for path in &written {
            println!("Wrote {}", path.display());
        }
    }
    Ok(())
}

/// Applies a change-set (or rolls a journal back) after the tenant is confirmed; exit 6
/// when a change fails.
async fn apply(args: &ApplyArgs, quiet: bool) -> Result<(), CliError> {
    use pimready_app::apply::{self, EntryStatus};
    let tenant = required_tenant(args.connection.tenant.as_ref())?;
    let changes = match (&args.rollback, &args.changes) {
        (Some(journal), _) => apply::changes_path(journal),
        (None, Some(changes)) => changes.clone(),
        (None, None) => {
            return Err(CliError::usage(
                "name the change-set (CHANGES.json) or --rollback JOURNAL",
            ));
        }
    };
    let cs = apply::load_change_set(&changes)?;
    let domain = apply::confirmation(&cs);
    if !apply::names_tenant(&cs, tenant) {
        return Err(CliError::usage(format!(
            "the change-set is for {} ({domain}), not {tenant}",
            cs.tenant.display_name
        ))
        .hint("pass the change-set's own tenant with --tenant"));
    }
    if args.rollback.is_none() {
        // Before the confirmation and the sign-in: a second run would create objects twice.
        apply::check_not_applied(&changes)?;
    }
    let what = if args.rollback.is_some() {
        "undo the applied changes of"
    } else {
        "apply the ready changes of"
    };
    match &args.confirm {
        Some(typed) if apply::names_tenant(&cs, typed) => {}
        Some(typed) => {
            return Err(CliError::usage(format!(
                "--confirm {typed} does not name the change-set's tenant ({domain})"
            )));
        }
        None if std::io::IsTerminal::is_terminal(&std::io::stdin()) => {
            if args.rollback.is_none() {
                print!("{}", summary::change_set(&cs));
            }
            println!(
                "Type {domain} to {what} this change-set in {}:",
                cs.tenant.display_name
            );
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| CliError::usage(e.to_string()))?;
            if !apply::names_tenant(&cs, &line) {
                return Err(CliError::usage("not confirmed: nothing was changed"));
            }
        }
        None => {
            return Err(CliError::usage(format!(
                "apply needs a confirmation: type the tenant's domain at a terminal, or pass --confirm {domain}"
            )));
        }
    }
    // Write permissions are asked for by this command only, in a sign-in kept in memory.
    let connection = connect::sign_in_to_write(
        &args.connection,
        tenant,
        &Reporter::new(quiet),
        &cs.sign_in_scopes(),
    )
    .await?;
    if let Err(problem) = apply::check_signed_in(&cs, &connection) {
        return Err(CliError::usage(problem.message));
    }
    let print = |e: &apply::JournalEntry| {
        if !quiet {
            println!("  {:<11} {}", e.status.as_str(), e.title);
        }
    };
    if let Some(path) = &args.rollback {
        let journal = apply::rollback_signed_in(&connection, &cs, path, &mut |e| print(e)).await?;
        if journal.count(EntryStatus::Applied) > 0 {
            return Err(CliError::new(
                crate::error::Exit::Apply,
                format!(
                    "a change could not be undone; {} records what Graph answered",
                    path.display()
                ),
            ));
        }
        if !quiet {
            println!(
                "Undone: {} change(s). Journal: {}",
                journal.count(EntryStatus::Undone),
                path.display()
            );
        }
        return Ok(());
    }
    // The signed-in account's own conversions go last.
    let (path, journal) =
        apply::apply_signed_in(&connection, &cs, &changes, &mut |e| print(e)).await?;
    if let Some(failed) = journal.failure() {
        return Err(CliError::new(
            crate::error::Exit::Apply,
            format!(
                "{} failed ({}); its steps were {}, {} change(s) applied before it, {} skipped",
                failed.title,
                failed.error.as_deref().unwrap_or("no answer"),
                if failed.status == EntryStatus::RolledBack { "rolled back" } else { "NOT all rolled back (see the journal)" },
                journal.count(EntryStatus::Applied),
                journal.count(EntryStatus::Skipped)
            ),
        )
        .hint(format!("the journal {} records each answer; `pimready apply --rollback {} --tenant {tenant} --confirm {domain}` undoes the applied changes", path.display(), path.display())));
    }
    if !quiet {
        println!(
            "Applied {} change(s). Journal: {}",
            journal.count(EntryStatus::Applied),
            path.display()
        );
    }
    Ok(())
}

/// Assess, store in the history, write the reports (with the change since the previous
/// assessment when the history has one), print the summary.
pub fn finish(
    snapshot: &TenantSnapshot,
    evaluation: &EvaluationArgs,
    out: &OutputArgs,
    quiet: bool,
) -> Result<Assessment, CliError> {
    let (settings, book) = output::evaluation(evaluation)?;
    let options = output::report_options(out)?;
    // A history that cannot be found, opened or written is a warning, not a lost run.
    let (history, save) = match HistoryFile::default_location() {
        Ok(file) if !out.no_save => (file, Save::Yes),
        Ok(file) => (file, Save::No),
        Err(e) => {
            if !out.no_save {
                eprintln!(
                    "warning: the assessment was not stored in the history: {}",
                    e.message
                );
            }
            (HistoryFile::at(std::path::PathBuf::new()), Save::No)
        }
    };
    let assessed = run::assess_and_save(snapshot, &settings, &book, &history, save);
    if let Some(w) = &assessed.history_warning {
        eprintln!("warning: {w}");
    }
    let written = export::write_reports(
        &out.out,
        &output::formats(out),
        &assessed,
        &options,
        &history,
        output::existing(out.force),
    )?;
    if !quiet {
        print!("{}", summary::render(&assessed.assessment));
        println!();
        for path in &written {
            println!("Wrote {}", path.display());
        }
        if let Some(id) = assessed.history_id {
            println!("Stored in the history as assessment {id}");
        }
    }
    Ok(assessed.assessment)
}

fn open_store() -> Result<Store, CliError> {
    Ok(HistoryFile::default_location()?.open()?)
}

fn history_error(e: &HistoryError) -> CliError {
    pimready_app::Problem::from(e).into()
}

fn history(tenant: Option<&str>) -> Result<(), CliError> {
    let store = open_store()?;
    let rows = store.list(tenant).map_err(|e| history_error(&e))?;
    if rows.is_empty() {
        println!(
            "No stored assessments{}.",
            tenant.map_or_else(String::new, |t| format!(" for {t}"))
        );
        return Ok(());
    }
    println!(
        "{:>6}  {:<17}  {:<32}  {:>6}  {:<5}  {:>8}  {:>8}",
        "id", "assessed (UTC)", "tenant", "score", "grade", "coverage", "standing"
    );
    for r in rows {
        let name = r.default_domain.as_deref().unwrap_or(&r.display_name);
        println!(
            "{:>6}  {:<17}  {:<32}  {:>5.1}%  {:<5}  {:>7.0}%  {:>8}",
            r.id.to_string(),
            r.assessed_at.format("%Y-%m-%d %H:%M"),
            truncate(name, 32),
            r.score_percent,
            r.grade,
            r.coverage,
            r.standing_admins
        );
    }
    Ok(())
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

fn diff(old: i64, new: i64) -> Result<(), CliError> {
    let store = open_store()?;
    let d = store
        .compare(AssessmentId(old), AssessmentId(new))
        .map_err(|e| history_error(&e))?;
    for line in d.lines() {
        println!("{line}");
    }
    Ok(())
}

/// Deletes the tenant's stored assessments and its cached sign-in.
fn forget(tenant: &str, quiet: bool) -> Result<(), CliError> {
    let mut store = open_store()?;
    let removed = match store.forget_tenant(tenant) {
        Ok(n) => Some(n),
        Err(HistoryError::UnknownTenant(_)) => None,
        Err(e) => return Err(history_error(&e)),
    };
    let signed_out = connect::forget_sign_in(tenant)?;
    if removed.is_none() && signed_out == 0 {
        return Err(CliError::usage(format!("nothing is stored for {tenant}"))
            .hint("`pimready history` and `pimready tenants` list what is stored"));
    }
    if !quiet {
        println!(
            "Forgot {tenant}: {} stored assessment(s) deleted, {signed_out} cached sign-in(s) removed.",
            removed.unwrap_or(0)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::error::Exit;

    fn pimready(args: &[&str]) -> Result<(), CliError> {
        let cli = Cli::try_parse_from(std::iter::once("pimready").chain(args.iter().copied()))
            .map_err(|e| CliError::usage(e.to_string()))?;
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(run(cli))
    }

    fn files(dir: &std::path::Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn remediate_refuses_unknown_people_and_bad_input_with_exit_2() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().to_str().unwrap();
        for (args, needle) in [
            (
                vec!["--demo", "--approver", "nobody@contoso.com"],
                "nobody@contoso.com",
            ),
            (
                vec![
                    "--demo",
                    "--approver",
                    "diego.siciliani@contoso.com",
                    "--reviewer",
                    "ghost",
                ],
                "ghost",
            ),
            (
                vec!["--demo", "--notify", "not an address"],
                "not an address",
            ),
            (vec![], "--snapshot"),
            (vec!["--demo", "--snapshot", "x.json"], "--snapshot"),
        ] {
            let mut all = vec!["remediate", "--quiet", "--out", out];
            all.extend(args.iter().copied());
            let e = pimready(&all).unwrap_err();
            assert_eq!(e.exit, Exit::Usage, "{args:?}");
            assert_eq!(e.exit as u8, 2);
            assert!(e.message.contains(needle), "{args:?}: {}", e.message);
        }
        assert!(files(dir.path()).is_empty(), "nothing written on an error");
    }

    #[test]
    fn remediate_writes_the_pack_beside_earlier_ones() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().to_str().unwrap();
        let args = [
            "remediate",
            "--quiet",
            "--demo",
            "--out",
            out,
            "--approver",
            "diego.siciliani@contoso.com",
            "--notify",
            "secops@contoso.com",
        ];
        pimready(&args).unwrap();
        pimready(&args).unwrap();
        assert_eq!(
            files(dir.path()),
            [
                "pimready-contoso-ltd-2026-11-20-changes-2.json",
                "pimready-contoso-ltd-2026-11-20-changes.json",
                "pimready-contoso-ltd-2026-11-20-remediate-2.ps1",
                "pimready-contoso-ltd-2026-11-20-remediate.ps1",
                "pimready-contoso-ltd-2026-11-20-rollback-2.ps1",
                "pimready-contoso-ltd-2026-11-20-rollback.ps1",
            ]
        );
        let text = std::fs::read_to_string(
            dir.path()
                .join("pimready-contoso-ltd-2026-11-20-changes.json"),
        )
        .unwrap();
        let cs = pimready_core::remediation::ChangeSet::from_json(&text, "test").unwrap();
        assert_eq!(
            cs.choices.approvers[0].user_principal_name.as_deref(),
            Some("diego.siciliani@contoso.com")
        );
        // Reviewers default to the approvers; the demo's emergency accounts are designated.
        assert_eq!(cs.choices.reviewers, cs.choices.approvers);
        assert_eq!(cs.choices.emergency_accounts.len(), 2);
    }
}
