//! Flags to settings and report options; the reports themselves are `pimready_app`'s.

use std::path::{Path, PathBuf};

use pimready_app::export::{self, Existing, ExportFormat};
use pimready_core::pricebook::PriceBook;
use pimready_core::settings::AssessmentSettings;
use pimready_report::{Branding, NameMasking, Paper, ReportOptions};

use crate::args::{EvaluationArgs, FormatArg, OutputArgs, PaperArg};
use crate::error::CliError;

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
        Some(path) => PriceBook::load(path).map_err(pimready_app::Problem::from)?,
        None => PriceBook::default_book(),
    };
    Ok((settings, book))
}

/// PDF options from the output flags: paper, masking, brand file, creation date.
pub fn report_options(args: &OutputArgs) -> Result<ReportOptions, CliError> {
    let masking = if args.mask_names {
        NameMasking::Masked
    } else {
        NameMasking::Clear
    };
    let branding = match &args.brand {
        Some(brand) => export::brand_file(brand)?,
        None => Branding::default(),
    };
    let mut options = export::report_options(chrono::Utc::now(), masking, branding);
    options.paper = match args.paper {
        PaperArg::A4 => Paper::A4,
        PaperArg::Letter => Paper::Letter,
    };
    Ok(options)
}

/// The formats the flags ask for.
pub fn formats(args: &OutputArgs) -> Vec<ExportFormat> {
    args.format
        .iter()
        .map(|f| match f {
            FormatArg::Pdf => ExportFormat::Pdf,
            FormatArg::Json => ExportFormat::Json,
            FormatArg::Csv => ExportFormat::Csv,
        })
        .collect()
}

/// Whether the output flags let an export replace a file (`--force`).
pub fn existing(force: bool) -> Existing {
    if force {
        Existing::Replace
    } else {
        Existing::Keep
    }
}

/// Creates the output folder (0700 when missing; a folder that exists keeps its mode).
pub fn create_out_dir(args: &OutputArgs) -> Result<(), CliError> {
    Ok(export::create_dir(&args.out)?)
}

/// Writes one export atomically, numbered unless `--force`; returns the path written.
pub fn write_export(path: &Path, bytes: &[u8], args: &OutputArgs) -> Result<PathBuf, CliError> {
    Ok(export::write_export(path, bytes, existing(args.force))?)
}

/// Writes a snapshot JSON atomically, numbered unless `--force`; returns the path written.
pub fn write_snapshot(
    snapshot: &pimready_core::snapshot::TenantSnapshot,
    path: &Path,
    force: bool,
) -> Result<PathBuf, CliError> {
    export::write_export(path, snapshot.to_json().as_bytes(), existing(force)).map_err(|e| {
        CliError::output(format!(
            "cannot write the snapshot {}: {}",
            path.display(),
            e.message
        ))
        .hint("check the folder is writable and the disk has room")
    })
}
