//! The desktop's only door into `pimready-core`.
//!
//! Everything marked `TEMPORARY ADAPTER` stands in for a core function that is not
//! merged yet; each says what replaces it. Commands never call core directly, so the
//! swap happens in this file only.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use pimready_core::assessment::Assessment;
use pimready_core::snapshot::{Dataset, TenantSnapshot};

use crate::error::{Error, ErrorKind, Result};
use crate::models::{
    ExportFormat, ProgressEvent, SavedTenant, SignInEvent, SignInRequest, SignedIn,
};
use crate::settings_file::DesktopSettings;

/// TEMPORARY ADAPTER → `pimready_core::history` (saved tenants with their last score).
pub fn saved_tenants() -> Vec<SavedTenant> {
    Vec::new()
}

/// TEMPORARY ADAPTER → `pimready_core::auth` (auth code + loopback, device code fallback,
/// refresh token in the keychain). Until then sign-in reports that it is unavailable.
#[allow(clippy::unused_async)] // the real one awaits the browser and the token endpoint
pub async fn sign_in(request: &SignInRequest, on_event: impl Fn(SignInEvent)) -> Result<SignedIn> {
    if request.tenant.trim().is_empty() {
        return Err(Error::invalid_input(
            "Enter the tenant's domain (contoso.com) or its tenant id.",
        ));
    }
    on_event(SignInEvent::Waiting);
    let message =
        "Signing in to a real tenant is not available in this build yet. Try the demo tenant."
            .to_owned();
    on_event(SignInEvent::Failed {
        kind: ErrorKind::SignInRequired,
        message: message.clone(),
    });
    Err(Error::new(ErrorKind::SignInRequired, message))
}

/// TEMPORARY ADAPTER → `pimready_core::auth::sign_out` (forget the keychain entry).
pub fn sign_out(_tenant_id: &str) -> Result<()> {
    Ok(())
}

/// TEMPORARY ADAPTER → `pimready_core::collect::collect_snapshot(&graph, &mut progress)` then
/// `assessment::assess`. Needs a signed-in tenant, which the auth adapter never yields.
#[allow(clippy::unused_async)] // the real one awaits Graph
pub async fn assess_tenant(
    tenant_id: &str,
    _settings: &DesktopSettings,
    _on_progress: impl Fn(ProgressEvent),
    _cancel: &AtomicBool,
) -> Result<Assessment> {
    Err(Error::new(
        ErrorKind::SignInRequired,
        format!("Sign in to {tenant_id} first."),
    ))
}

/// TEMPORARY ADAPTER → `assessment::assess(&demo::snapshot(), &settings, &price_book)`.
/// Walks the collection steps (briefly) so the progress screen is exercised, then reads
/// the hand-written Contoso assessment in `dev-fixtures/demo-assessment.json`.
pub async fn assess_demo(
    _settings: &DesktopSettings,
    on_progress: impl Fn(ProgressEvent),
    cancel: &AtomicBool,
) -> Result<Assessment> {
    let total = Dataset::ALL.len() as u32;
    for (i, dataset) in Dataset::ALL.iter().enumerate() {
        let index = i as u32 + 1;
        on_progress(ProgressEvent::Step {
            index,
            total,
            label: dataset.label().to_owned(),
        });
        tokio::time::sleep(Duration::from_millis(40)).await;
        if cancel.load(Ordering::Relaxed) {
            return Err(Error::cancelled());
        }
        on_progress(ProgressEvent::StepDone {
            index,
            count: Some(3 + (index * 7) % 23),
            gap: None,
        });
    }
    on_progress(ProgressEvent::Evaluating);
    demo_fixture()
}

/// `PIMREADY_DEV_ASSESSMENT=file.json` swaps in another fixture (hostile names, empty tenant).
pub fn demo_fixture() -> Result<Assessment> {
    let text = match std::env::var_os("PIMREADY_DEV_ASSESSMENT") {
        Some(path) => {
            std::fs::read_to_string(&path).map_err(|e| Error::io("dev assessment fixture", &e))?
        }
        None => include_str!("../dev-fixtures/demo-assessment.json").to_owned(),
    };
    serde_json::from_str(&text)
        .map_err(|e| Error::internal(format!("demo assessment fixture: {e}")))
}

/// Reads a saved snapshot (real core), then assesses it.
/// TEMPORARY ADAPTER for the second half → `assessment::assess(&snapshot, &settings, &price_book)`.
pub fn assess_snapshot_file(path: &Path, _settings: &DesktopSettings) -> Result<Assessment> {
    let snapshot = TenantSnapshot::load(path)?;
    Err(Error::internal(format!(
        "The snapshot of {} was read, but this build cannot assess snapshots yet.",
        snapshot.display_name()
    )))
}

/// JSON is the real report contract (the `Assessment` serialised).
/// TEMPORARY ADAPTER for PDF and CSV → `report::{pdf,csv}::render(&assessment, &options)`.
pub fn render(
    format: ExportFormat,
    assessment: &Assessment,
    settings: &DesktopSettings,
) -> Result<Vec<u8>> {
    match format {
        ExportFormat::Json => serde_json::to_vec_pretty(assessment)
            .map_err(|e| Error::internal(format!("JSON report: {e}"))),
        ExportFormat::Csv => Ok(adapter_csv(assessment)),
        ExportFormat::Pdf => Ok(adapter_pdf(assessment, settings)),
    }
}

fn adapter_csv(a: &Assessment) -> Vec<u8> {
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut out = String::from("id,title,category,severity,status,summary\r\n");
    for f in &a.checks {
        let _ = write!(
            out,
            "{},{},{},{},{},{}\r\n",
            f.id,
            quote(&f.title),
            f.category.label(),
            f.severity.as_str(),
            f.status.as_str(),
            quote(&f.summary)
        );
    }
    out.into_bytes()
}

/// A one-page, text-only PDF (Helvetica, WinAnsi) — enough for the export flow to be real.
fn adapter_pdf(a: &Assessment, settings: &DesktopSettings) -> Vec<u8> {
    let client = if settings.branding.client_display_name.is_empty() {
        a.tenant.display_name.clone()
    } else {
        settings.branding.client_display_name.clone()
    };
    let mut lines = vec![
        (20, format!("PIM readiness: {client}")),
        (
            11,
            format!("Tenant {} ({})", a.tenant.display_name, a.tenant.id),
        ),
        (
            11,
            format!("Assessed {}", a.assessed_at.format("%Y-%m-%d %H:%M UTC")),
        ),
        (
            14,
            format!(
                "Score {:.0}% - grade {} - coverage {:.0}%",
                a.score.percent, a.score.grade, a.score.coverage
            ),
        ),
        (11, String::new()),
    ];
    if !settings.branding.consultant_name.is_empty() {
        lines.insert(
            3,
            (
                11,
                format!("Prepared by {}", settings.branding.consultant_name),
            ),
        );
    }
    for f in &a.checks {
        lines.push((
            9,
            format!("{:<7} {:<13} {}", f.id, f.status.label(), f.title),
        ));
    }
    let escape = |s: &str| {
        s.chars()
            .map(|c| {
                if c.is_ascii() && !c.is_ascii_control() {
                    c
                } else {
                    '?'
                }
            })
            .collect::<String>()
            .replace('\\', "\\\\")
            .replace('(', "\\(")
            .replace(')', "\\)")
    };
    let mut content = String::from("BT\n50 800 Td\n");
    for (size, text) in &lines {
        let _ = write!(
            content,
            "/F1 {size} Tf\n0 -{} Td\n({}) Tj\n",
            size + 6,
            escape(text)
        );
    }
    content.push_str("ET\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>".to_owned(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{content}endstream", content.len()),
    ];
    let mut pdf = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, obj) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        let _ = write!(pdf, "{} 0 obj\n{obj}\nendobj\n", i + 1);
    }
    let xref = pdf.len();
    let _ = write!(pdf, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for off in offsets {
        let _ = writeln!(pdf, "{off:010} 00000 n ");
    }
    let _ = write!(
        pdf,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    pdf.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pimready_core::finding::Status;

    #[test]
    fn demo_fixture_matches_the_assessment_contract() {
        let a = demo_fixture().unwrap();
        assert_eq!(a.tenant.display_name, "Contoso Ltd");
        assert_eq!(a.checks.len(), 26);
        for status in [
            Status::Pass,
            Status::Fail,
            Status::Warning,
            Status::NotApplicable,
            Status::NotAssessed,
        ] {
            assert!(
                a.checks.iter().any(|c| c.status == status),
                "{status:?} missing"
            );
        }
    }

    #[test]
    fn adapter_pdf_names_the_tenant() {
        let a = demo_fixture().unwrap();
        let pdf = adapter_pdf(&a, &DesktopSettings::default());
        let text = String::from_utf8(pdf).unwrap();
        assert!(
            text.starts_with("%PDF-1.4")
                && text.contains("Contoso Ltd")
                && text.ends_with("%%EOF\n")
        );
    }
}
