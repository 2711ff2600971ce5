//! Writing the reports: settings from flags, then PDF/JSON/CSV written atomically.

use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use pimready_core::assessment::Assessment;
use pimready_core::pricebook::PriceBook;
use pimready_core::settings::AssessmentSettings;
use pimready_report::{self as report, Branding, NameMasking, Paper, ReportHistory, ReportOptions};

use crate::args::{EvaluationArgs, FormatArg, OutputArgs, PaperArg};
use crate::error::{CliError, Exit};

/// Settings and price book from the evaluation flags.
pub fn evaluation(args: &EvaluationArgs) -> Result<(AssessmentSettings, PriceBook), CliError> {
    let mut settings = AssessmentSettings {
        emergency_accounts: args.emergency_accounts.clone(),
        extra_privileged_roles: args.privileged_roles.clone(),
        ..AssessmentSettings::default()
    };
    if let Some(days) = args.stale_days {
        if days == 0 {
            return Err(CliError::usage("--stale-days must be at least 1"));
        }
        settings.stale_after_days = days;
    }
    let book = match &args.price_book {
        Some(path) => PriceBook::load(path).map_err(|e| {
            CliError::usage(e.to_string()).hint(
                "fix the price book, or leave out --price-book to use the built-in list prices",
            )
        })?,
        None => PriceBook::default_book(),
    };
    Ok((settings, book))
}

/// The brand file: TOML with `consultant_name`, `client_display_name`, `confidentiality`
/// and `logo` (a PNG path, relative to the brand file).
fn branding(path: &Path) -> Result<Branding, CliError> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct BrandFile {
        consultant_name: Option<String>,
        client_display_name: Option<String>,
        confidentiality: Option<String>,
        logo: Option<PathBuf>,
    }
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::usage(format!(
            "cannot read the brand file {}: {e}",
            path.display()
        ))
    })?;
    let file: BrandFile = toml_from_str(&text).map_err(|e| {
        CliError::usage(format!(
            "the brand file {} is not valid: {e}",
            path.display()
        ))
    })?;
    let mut b = Branding::default();
    if let Some(n) = file.consultant_name {
        b.consultant_name = n;
    }
    b.client_display_name = file.client_display_name;
    if let Some(c) = file.confidentiality {
        b.confidentiality = c;
    }
    if let Some(logo) = file.logo {
        let logo = if logo.is_relative() {
            path.parent().unwrap_or(Path::new(".")).join(logo)
        } else {
            logo
        };
        let bytes = std::fs::read(&logo).map_err(|e| {
            CliError::usage(format!("cannot read the logo {}: {e}", logo.display()))
        })?;
        b.logo_png = Some(bytes);
    }
    Ok(b)
}

fn toml_from_str<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    toml::from_str(text).map_err(|e| e.to_string())
}

/// The PDF creation date: `SOURCE_DATE_EPOCH` when set (reproducible builds), else now.
fn created() -> DateTime<Utc> {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .and_then(|s| Utc.timestamp_opt(s, 0).single())
        .unwrap_or_else(Utc::now)
}

/// PDF options from the output flags: paper, masking, brand file, creation date.
pub fn report_options(args: &OutputArgs) -> Result<ReportOptions, CliError> {
    let mut options = ReportOptions::new(created());
    options.paper = match args.paper {
        PaperArg::A4 => Paper::A4,
        PaperArg::Letter => Paper::Letter,
    };
    options.masking = if args.mask_names {
        NameMasking::Masked
    } else {
        NameMasking::Clear
    };
    if let Some(brand) = &args.brand {
        options.branding = branding(brand)?;
    }
    Ok(options)
}

/// Creates the output folder.
pub fn create_out_dir(args: &OutputArgs) -> Result<(), CliError> {
    std::fs::create_dir_all(&args.out).map_err(|e| {
        CliError::output(format!(
            "cannot create the output folder {}: {e}",
            args.out.display()
        ))
        .hint("choose another folder with --out")
    })
}

/// Writes the chosen formats; returns the paths written. `history` (the change since
/// the previous assessment and the score trend) goes into the PDF when present.
pub fn write_reports(
    assessment: &Assessment,
    history: Option<ReportHistory>,
    args: &OutputArgs,
) -> Result<Vec<PathBuf>, CliError> {
    let mut options = report_options(args)?;
    options.history = history;
    create_out_dir(args)?;
    // Masked once, and only when a data format asks for it (the PDF masks by itself).
    let data = std::cell::OnceCell::new();
    let for_data = || data.get_or_init(|| report::mask::for_data(assessment, options.masking));
    let mut formats = args.format.clone();
    formats.sort_by_key(|f| *f as u8);
    formats.dedup();
    let mut written = Vec::new();
    for format in formats {
        let (ext, bytes) = match format {
            FormatArg::Pdf => (
                "pdf",
                report::pdf::render(assessment, &options).map_err(|e| {
                    CliError::new(Exit::Output, format!("the PDF could not be rendered: {e}"))
                })?,
            ),
            FormatArg::Json => ("json", report::json::render(for_data()).into_bytes()),
            FormatArg::Csv => ("csv", report::csv::render(for_data())),
        };
        let path = args.out.join(report::file_name(assessment, ext));
        write_file(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}

/// Writes one output file atomically, with the error the user sees.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    report::write_atomic(path, bytes).map_err(|e| {
        CliError::output(format!("cannot write {}: {e}", path.display()))
            .hint("check the folder exists, is writable and the disk has room; an existing report was left as it was")
    })
}

/// Writes a snapshot JSON atomically.
pub fn write_snapshot(
    snapshot: &pimready_core::snapshot::TenantSnapshot,
    path: &Path,
) -> Result<(), CliError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| CliError::output(format!("cannot create {}: {e}", parent.display())))?;
    }
    report::write_atomic(path, snapshot.to_json().as_bytes()).map_err(|e| {
        CliError::output(format!("cannot write the snapshot {}: {e}", path.display()))
            .hint("check the folder is writable and the disk has room")
    })
}
