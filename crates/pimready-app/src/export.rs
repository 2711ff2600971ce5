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
/// `pimready-<tenant-slug>-<YYYY-MM-DD>[-masked].<ext>`; a masked report says so, so it is
/// never mistaken for (or sent instead of) the one with names.
pub fn file_name(assessment: &Assessment, format: ExportFormat, masking: NameMasking) -> String {
    let stem = report::file_stem(assessment);
    let masked = match masking {
        NameMasking::Clear => "",
        NameMasking::Masked => "-masked",
    };
    format!("{stem}{masked}.{}", format.extension())
}

/// What an export does when a file of its name is there already.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Existing {
    /// Keep it and write beside it as `name-2.ext`, `name-3.ext`, … (the default).
    #[default]
    Keep,
    /// Replace it: `--force`, or a save dialog that asked the user.
    Replace,
}

/// The highest numeric suffix tried before giving up.
const MAX_SUFFIX: u32 = 9999;

/// `name.ext` → `name-<n>.ext` (`name-<n>` without an extension).
fn numbered(file_name: &str, n: u32) -> String {
    match file_name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem}-{n}.{ext}"),
        _ => format!("{file_name}-{n}"),
    }
}

/// Writes an export (a report, a portfolio, a snapshot) as `path`, 0600 and atomically.
/// When `path` exists it is kept and the export goes to the first free `name-2.ext`,
/// `name-3.ext`, … unless `existing` is [`Existing::Replace`]. Each name is taken with
/// create-new semantics, so two exports at once never write over each other. Returns the
/// path written; its folder is created (0700) when missing.
pub fn write_export(path: &Path, bytes: &[u8], existing: Existing) -> Result<PathBuf> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_dir(dir)?;
    }
    if existing == Existing::Replace {
        write_file(path, bytes)?;
        return Ok(path.to_owned());
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Problem::invalid_input(format!("{} is not a file path", path.display())))?;
    for n in 1..=MAX_SUFFIX {
        let candidate = if n == 1 {
            path.to_owned()
        } else {
            path.with_file_name(numbered(&name, n))
        };
        match pimready_files::write_atomic_new(&candidate, bytes) {
            Ok(()) => return Ok(candidate),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(write_problem(&candidate, &e)),
        }
    }
    Err(Problem::output(format!(
        "{} and its numbered copies up to -{MAX_SUFFIX} exist already",
        path.display()
    ))
    .with_hint("choose another folder, or pass --force to replace the file"))
}

/// Creates an output folder (and its missing parents, 0700); one that exists keeps its mode.
pub fn create_dir(dir: &Path) -> Result<()> {
    pimready_files::create_dir_all(dir).map_err(|e| {
        Problem::output(format!(
            "cannot create the output folder {}: {e}",
            dir.display()
        ))
        .with_hint("choose another folder with --out")
    })
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

/// Writes `formats` of `assessed` into `dir` (created if missing); returns the paths
/// written, numbered when a report of the same name is there and `existing` keeps it.
pub fn write_reports(
    dir: &Path,
    formats: &[ExportFormat],
    assessed: &Assessed,
    options: &ReportOptions,
    history: &HistoryFile,
    existing: Existing,
) -> Result<Vec<PathBuf>> {
    create_dir(dir)?;
    let mut formats = formats.to_vec();
    formats.sort();
    formats.dedup();
    let mut written = Vec::new();
    for format in formats {
        let bytes = render(format, assessed, options, history)?;
        let path = dir.join(file_name(&assessed.assessment, format, options.masking));
        written.push(write_export(&path, &bytes, existing)?);
    }
    Ok(written)
}

/// Writes one file atomically and 0600, replacing what is there: a crash or a full disk
/// leaves the old file or the new one.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    pimready_files::write_atomic(path, bytes).map_err(|e| write_problem(path, &e))
}

fn write_problem(path: &Path, e: &std::io::Error) -> Problem {
    Problem::new(ProblemKind::Output, format!("cannot write {}: {e}", path.display()))
        .with_hint("check the folder exists, is writable and the disk has room; an existing file was left as it was")
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

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Assessed {
        Assessed::unsaved(pimready_report::sample::demo())
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn write(dir: &Path, masking: NameMasking, existing: Existing) -> Vec<PathBuf> {
        let options = report_options(Utc::now(), masking, Branding::default());
        let history = HistoryFile::at(dir.join("no-history.sqlite3"));
        write_reports(
            dir,
            &[ExportFormat::Json, ExportFormat::Csv],
            &demo(),
            &options,
            &history,
            existing,
        )
        .unwrap()
    }

    #[test]
    fn numbered_names_keep_the_extension() {
        assert_eq!(
            numbered("pimready-x-2026-11-20.pdf", 2),
            "pimready-x-2026-11-20-2.pdf"
        );
        assert_eq!(numbered("snapshot", 3), "snapshot-3");
        assert_eq!(numbered(".hidden", 2), ".hidden-2");
    }

    #[test]
    fn an_export_never_replaces_a_file_silently() {
        let dir = tempfile::tempdir().unwrap();
        let first = write(dir.path(), NameMasking::Clear, Existing::Keep);
        std::fs::write(&first[0], b"edited by hand").unwrap();
        let second = write(dir.path(), NameMasking::Clear, Existing::Keep);
        let third = write(dir.path(), NameMasking::Clear, Existing::Keep);
        let name = |p: &PathBuf| p.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(
            [&first, &second, &third].map(|w| w.iter().map(name).collect::<Vec<_>>()),
            [
                [
                    "pimready-contoso-ltd-2026-11-20.json",
                    "pimready-contoso-ltd-2026-11-20.csv"
                ],
                [
                    "pimready-contoso-ltd-2026-11-20-2.json",
                    "pimready-contoso-ltd-2026-11-20-2.csv"
                ],
                [
                    "pimready-contoso-ltd-2026-11-20-3.json",
                    "pimready-contoso-ltd-2026-11-20-3.csv"
                ],
            ]
            .map(|w| w.map(str::to_owned).to_vec())
        );
        assert_eq!(std::fs::read(&first[0]).unwrap(), b"edited by hand");
        assert_eq!(names(dir.path()).len(), 6, "no temporary file left behind");

        // --force: the same names, replaced.
        let forced = write(dir.path(), NameMasking::Clear, Existing::Replace);
        assert_eq!(forced, first);
        assert_ne!(std::fs::read(&first[0]).unwrap(), b"edited by hand");
        assert_eq!(names(dir.path()).len(), 6);
    }

    /// Exports started at once each get their own name: the name is taken, not checked.
    #[test]
    fn exports_at_once_never_share_a_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pimready-portfolio-2026-11-20.csv");
        let written: Vec<PathBuf> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..6)
                .map(|i| {
                    let path = &path;
                    s.spawn(move || {
                        write_export(path, format!("export {i}").as_bytes(), Existing::Keep)
                            .unwrap()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut distinct = written.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 6, "{written:?}");
        assert_eq!(names(dir.path()).len(), 6);
    }

    #[test]
    fn masked_reports_say_so_in_their_name() {
        let a = pimready_report::sample::demo();
        assert_eq!(
            file_name(&a, ExportFormat::Pdf, NameMasking::Masked),
            "pimready-contoso-ltd-2026-11-20-masked.pdf"
        );
        let dir = tempfile::tempdir().unwrap();
        let written = write(dir.path(), NameMasking::Masked, Existing::Keep);
        assert_eq!(
            names(dir.path()),
            [
                "pimready-contoso-ltd-2026-11-20-masked.csv",
                "pimready-contoso-ltd-2026-11-20-masked.json"
            ]
        );
        let again = write(dir.path(), NameMasking::Masked, Existing::Keep);
        assert!(
            again[0].ends_with("pimready-contoso-ltd-2026-11-20-masked-2.json"),
            "{again:?}"
        );
        assert_eq!(written.len(), 2);
    }

    #[cfg(unix)]
    #[test]
    fn reports_are_0600_in_folders_created_0700_and_a_named_folder_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let dir = tempfile::tempdir().unwrap();
        let created = dir.path().join("clients/contoso");
        for path in write(&created, NameMasking::Clear, Existing::Keep) {
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
        assert_eq!(mode(&created), 0o700);
        assert_eq!(mode(&dir.path().join("clients")), 0o700);

        let named = dir.path().join("shared");
        std::fs::create_dir(&named).unwrap();
        std::fs::set_permissions(&named, std::fs::Permissions::from_mode(0o755)).unwrap();
        for path in write(&named, NameMasking::Clear, Existing::Keep) {
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
        assert_eq!(
            mode(&named),
            0o755,
            "a folder the user named keeps its mode"
        );
    }
}
