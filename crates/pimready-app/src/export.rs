//! Reports out of an assessment: one file-naming rule, one creation date rule, one
//! renderer per format, the same for both faces.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use pimready_core::assessment::Assessment;
use pimready_core::pricebook::PriceBook;
use pimready_report::{self as report, Branding, NameMasking, ReportOptions};

use crate::problem::{Problem, ProblemKind, Result};
use crate::run::{Assessed, HistoryFile};

/// The report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExportFormat {
    Pdf,
    Json,
    Csv,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Pdf => "pdf",
            ExportFormat::Json => "json",
            ExportFormat::Csv => "csv",
        }
    }
}

/// The report's file name, the same from the CLI and the desktop:
/// `pimready-<tenant-slug>-<YYYY-MM-DD>.<ext>`.
pub fn file_name(assessment: &Assessment, format: ExportFormat) -> String {
    report::file_name(assessment, format.extension())
}

/// The creation date written into a PDF: `SOURCE_DATE_EPOCH` when set (reproducible
/// output), else `now`.
pub fn created(now: DateTime<Utc>) -> DateTime<Utc> {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|s| Utc.timestamp_opt(s, 0).single())
        .unwrap_or(now)
}

/// Report options with the creation date rule applied.
pub fn report_options(
    now: DateTime<Utc>,
    masking: NameMasking,
    branding: Branding,
) -> ReportOptions {
    let mut options = ReportOptions::new(created(now));
    options.masking = masking;
    options.branding = branding;
    options
}

/// Renders `assessed` in `format`. A stored assessment's PDF also says what changed since
/// the tenant's previous one; a history that cannot be read only leaves that section out.
pub fn render(
    format: ExportFormat,
    assessed: &Assessed,
    options: &ReportOptions,
    history: &HistoryFile,
) -> Result<Vec<u8>> {
    let assessment = &assessed.assessment;
    match format {
        ExportFormat::Json => Ok(report::json::render(&report::mask::for_data(
            assessment,
            options.masking,
        ))
        .into_bytes()),
        ExportFormat::Csv => Ok(report::csv::render(&report::mask::for_data(
            assessment,
            options.masking,
        ))),
        ExportFormat::Pdf => {
            let mut options = options.clone();
            if options.history.is_none() {
                options.history = assessed.history_id.and_then(|id| {
                    let store = history.open().ok()?;
                    pimready_history::report_history(&store, assessment, id)
                        .inspect_err(|e| tracing::warn!("the report leaves out the history: {e}"))
                        .ok()
                        .flatten()
                });
            }
            report::pdf::render(assessment, &options)
                .map_err(|e| Problem::internal(format!("the PDF could not be rendered: {e}")))
        }
    }
}

/// Writes `formats` of `assessed` into `dir` (created if missing); returns the paths.
pub fn write_reports(
    dir: &Path,
    formats: &[ExportFormat],
    assessed: &Assessed,
    options: &ReportOptions,
    history: &HistoryFile,
) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| {
        Problem::output(format!(
            "cannot create the output folder {}: {e}",
            dir.display()
        ))
        .with_hint("choose another folder with --out")
    })?;
    let mut formats = formats.to_vec();
    formats.sort();
    formats.dedup();
    let mut written = Vec::new();
    for format in formats {
        let bytes = render(format, assessed, options, history)?;
        let path = dir.join(file_name(&assessed.assessment, format));
        write_file(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}

/// Writes one file atomically: a crash or a full disk leaves the old file or the new one.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    report::write_atomic(path, bytes).map_err(|e| {
        Problem::new(ProblemKind::Output, format!("cannot write {}: {e}", path.display()))
            .with_hint("check the folder exists, is writable and the disk has room; an existing file was left as it was")
    })
}

/// The built-in price book with the user's per-path monthly prices (keys are the paths'
/// wire names, e.g. `entra_id_p2`); negative or non-finite prices are ignored.
pub fn price_book(overrides: &BTreeMap<String, f64>) -> PriceBook {
    let mut book = PriceBook::default_book();
    let mut applied = false;
    for option in &mut book.options {
        let key = serde_json::to_value(option.path)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned));
        if let Some(price) = key.and_then(|k| overrides.get(&k))
            && price.is_finite()
            && *price >= 0.0
        {
            option.monthly_per_user = *price;
            applied = true;
        }
    }
    if applied {
        "built-in list prices with your overrides".clone_into(&mut book.origin);
    }
    book
}

/// A brand file: TOML with `consultant_name`, `client_display_name`, `confidentiality` and
/// `logo` (a PNG path, relative to the brand file).
pub fn brand_file(path: &Path) -> Result<Branding> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct BrandFile {
        consultant_name: Option<String>,
        client_display_name: Option<String>,
        confidentiality: Option<String>,
        logo: Option<PathBuf>,
    }
    let text = std::fs::read_to_string(path).map_err(|e| {
        Problem::invalid_input(format!(
            "cannot read the brand file {}: {e}",
            path.display()
        ))
    })?;
    let file: BrandFile = toml::from_str(&text).map_err(|e| {
        Problem::invalid_input(format!(
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
        b.logo_png = Some(read_logo(&logo)?);
    }
    Ok(b)
}

/// A logo file's bytes (checked as PNG when the report is rendered).
pub fn read_logo(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        Problem::invalid_input(format!("cannot read the logo {}: {e}", path.display()))
    })
}
