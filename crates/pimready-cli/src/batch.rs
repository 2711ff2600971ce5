//! `pimready assess --tenants FILE`: many tenants one after another, then a portfolio
//! summary. A tenant that fails does not stop the others; the summary says why.

use std::path::Path;

use pimready_core::assessment::Assessment;
use pimready_report::portfolio::{self, PortfolioRow};

use pimready_core::cloud::Cloud;

use crate::args::{AssessArgs, ConnectionArgs};
use crate::commands;
use crate::connect;
use crate::error::{CliError, Exit};
use crate::output;
use crate::progress::Reporter;

/// One line of the tenants file: `tenant [cloud] [client-id]`. A line cannot set hosts:
/// where tokens go is decided on the command line (`--graph-host`, `--authority-host`)
/// only, never by a file that travels between consultants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantLine {
    pub tenant: String,
    pub cloud: Option<Cloud>,
    pub client_id: Option<String>,
}

/// Parses the tenants file; errors name the line.
pub fn parse_tenants(text: &str, origin: &str) -> Result<Vec<TenantLine>, CliError> {
    let mut out = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        let mut words = line.split_whitespace();
        let tenant = words.next().unwrap_or_default().to_owned();
        let mut entry = TenantLine {
            tenant,
            cloud: None,
            client_id: None,
        };
        for w in words {
            if w.contains('=') {
                return Err(CliError::usage(format!(
                    "{origin}, line {}: {w:?}: a tenants-file line cannot set hosts or options",
                    n + 1
                ))
                .hint("pass --graph-host / --authority-host on the command line; each line is: tenant [cloud] [client-id]"));
            }
            let cloud = w.parse::<Cloud>().ok();
            match cloud {
                Some(c) if entry.cloud.is_none() => entry.cloud = Some(c),
                None if entry.client_id.is_none() && pimready_core::snapshot::is_guid(w) => {
                    entry.client_id = Some(w.to_owned());
                }
                _ => {
                    return Err(CliError::usage(format!(
                        "{origin}, line {}: {w:?} is neither a cloud (global, usgov, usgov-dod, china) nor a client id",
                        n + 1
                    ))
                    .hint("each line is: tenant [cloud] [client-id]"));
                }
            }
        }
        out.push(entry);
    }
    if out.is_empty() {
        return Err(CliError::usage(format!("{origin} lists no tenants"))
            .hint("one tenant per line: tenant [cloud] [client-id]"));
    }
    Ok(out)
}

pub async fn run(args: &AssessArgs, file: &Path, quiet: bool) -> Result<(), CliError> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        CliError::usage(format!(
            "cannot read the tenants file {}: {e}",
            file.display()
        ))
    })?;
    let lines = parse_tenants(&text, &file.display().to_string())?;
    output::evaluation(&args.evaluation)?;
    let mut rows = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if !quiet {
            eprintln!("== [{}/{}] {}", i + 1, lines.len(), line.tenant);
        }
        let conn = ConnectionArgs {
            tenant: Some(line.tenant.clone()),
            cloud: line.cloud.unwrap_or(args.connection.cloud),
            client_id: line
                .client_id
                .clone()
                .or_else(|| args.connection.client_id.clone()),
            ..args.connection.clone()
        };
        let row = match one(&conn, &line.tenant, args, quiet).await {
            Ok(a) => PortfolioRow::from_assessment(&a),
            Err(e) => {
                let why = e
                    .hint
                    .as_ref()
                    .map_or_else(|| e.message.clone(), |h| format!("{} ({h})", e.message));
                eprintln!("error: {}: {why}", line.tenant);
                PortfolioRow::failed(line.tenant.clone(), why)
            }
        };
        rows.push(row);
    }
    let options = output::report_options(&args.output)?;
    output::create_out_dir(&args.output)?;
    let date = options.created.date_naive();
    let csv_path = output::write_export(
        &args.output.out.join(portfolio::file_name(date, "csv")),
        &portfolio::render_csv(&rows),
        &args.output,
    )?;
    let pdf = portfolio::render_pdf(&rows, &options).map_err(|e| {
        CliError::new(
            Exit::Output,
            format!("the portfolio PDF could not be rendered: {e}"),
        )
    })?;
    let pdf_path = output::write_export(
        &args.output.out.join(portfolio::file_name(date, "pdf")),
        &pdf,
        &args.output,
    )?;
    let failed = rows.iter().filter(|r| r.outcome.is_err()).count();
    if !quiet {
        println!(
            "\nPortfolio: {} tenant(s), {} assessed, {failed} failed",
            rows.len(),
            rows.len() - failed
        );
        for r in &rows {
            match &r.outcome {
                Ok(s) => println!(
                    "  {:<32} {:>5.1}% {}  {}",
                    r.tenant, s.score_percent, s.grade, s.licence_verdict
                ),
                Err(e) => println!("  {:<32} FAILED: {e}", r.tenant),
            }
        }
        println!("Wrote {}", csv_path.display());
        println!("Wrote {}", pdf_path.display());
    }
    if failed == rows.len() {
        return Err(CliError::new(
            Exit::Collection,
            format!("every tenant in {} failed", file.display()),
        ));
    }
    Ok(())
}

async fn one(
    conn: &ConnectionArgs,
    tenant: &str,
    args: &AssessArgs,
    quiet: bool,
) -> Result<Assessment, CliError> {
    let reporter = Reporter::new(quiet);
    let connection = connect::sign_in(conn, tenant, &reporter).await?;
    let snapshot = connect::collect(&connection, &reporter).await?;
    let assessment = commands::finish(&snapshot, &args.evaluation, &args.output, quiet)?;
    Ok(assessment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenants_file_lines() {
        let text = "# clients\ncontoso.com\n\nfabrikam.onmicrosoft.com usgov  # GCC High\nnorthwind.com 14d82eec-204b-4c2f-b7e8-296a70dab67e\n";
        let lines = parse_tenants(text, "t.txt").unwrap();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1].cloud, Some(Cloud::Usgov));
        assert_eq!(
            lines[2].client_id.as_deref(),
            Some("14d82eec-204b-4c2f-b7e8-296a70dab67e")
        );
        let err = parse_tenants("contoso.com mars\n", "t.txt").unwrap_err();
        assert!(
            err.message.contains("line 1") && err.message.contains("mars"),
            "{}",
            err.message
        );
        assert!(parse_tenants("# nothing\n", "t.txt").is_err());
    }

    /// Hosts come from the command line only: a line naming one is refused (exit 2).
    #[test]
    fn tenants_file_lines_cannot_set_hosts() {
        for line in [
            "contoso.com graph-host=https://graph.example.com\n",
            "contoso.com authority-host=http://127.0.0.1:9\n",
        ] {
            let err = parse_tenants(line, "t.txt").unwrap_err();
            assert_eq!(err.exit, Exit::Usage);
            assert!(err.message.contains("cannot set hosts"), "{}", err.message);
        }
    }
}
