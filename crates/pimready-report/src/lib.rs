//! Reports: the executive PDF, the JSON contract, a CSV of findings, the portfolio
//! summary (PDF and CSV) of a batch of tenants, and the remediation pack's PowerShell
//! scripts ([`script`]).
//!
//! Every renderer is a pure function of an [`Assessment`] (and, for the PDF, of
//! [`ReportOptions`]): same input, same bytes. Masking is a transform applied before
//! rendering ([`mask::mask_assessment`]), so all three formats hide the same names.
//! Nothing here touches the file system: the callers write the bytes (`pimready-files`).

pub mod branding;
pub mod csv;
pub mod json;
pub mod mask;
pub mod pdf;
pub mod portfolio;
#[doc(hidden)]
pub mod sample;
pub mod script;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use pimready_core::assessment::Assessment;
use pimready_core::history::{AssessmentDiff, TrendPoint};

/// Page size of the PDF.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Paper {
    /// 210 × 297 mm (595 × 842 pt).
    #[default]
    A4,
    /// 8.5 × 11 in (612 × 792 pt).
    Letter,
}

impl Paper {
    /// Width and height in points.
    pub fn size_pt(self) -> (f32, f32) {
        match self {
            Paper::A4 => (595.0, 842.0),
            Paper::Letter => (612.0, 792.0),
        }
    }
}

/// Whether user names appear in clear or masked (`a•••@contoso.com`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameMasking {
    #[default]
    Clear,
    /// For reports that travel: UPNs and user display names are masked.
    Masked,
}

/// White-label settings: who prepared the report, for whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Branding {
    /// "Prepared by" on the cover and the document author.
    pub consultant_name: String,
    /// A PNG logo for the cover (8-bit, non-interlaced; other PNGs are skipped).
    #[serde(skip)]
    pub logo_png: Option<Vec<u8>>,
    /// Overrides the tenant's display name on the cover and in headers.
    pub client_display_name: Option<String>,
    /// The confidentiality line on the cover and in every footer.
    pub confidentiality: String,
}

impl Default for Branding {
    fn default() -> Self {
        Branding {
            consultant_name: "PIM Ready".to_owned(),
            logo_png: None,
            client_display_name: None,
            confidentiality: "Confidential: prepared for the client's internal use only".to_owned(),
        }
    }
}

/// What the history says about this tenant, looked up by the caller so rendering stays
/// pure: the change since the previous assessment and the score over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportHistory {
    /// From the previous assessment to the one being reported.
    pub diff: AssessmentDiff,
    /// Oldest first, including the assessment being reported.
    pub trend: Vec<TrendPoint>,
}

/// How to render the PDF. `created` is passed in so rendering stays pure.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportOptions {
    pub paper: Paper,
    pub masking: NameMasking,
    pub branding: Branding,
    /// The document's creation date (PDF metadata and cover).
    pub created: DateTime<Utc>,
    /// When present: a "Since the last assessment" section and, with two or more
    /// points, a score sparkline on the summary page.
    pub history: Option<ReportHistory>,
}

impl ReportOptions {
    pub fn new(created: DateTime<Utc>) -> Self {
        ReportOptions {
            paper: Paper::A4,
            masking: NameMasking::Clear,
            branding: Branding::default(),
            created,
            history: None,
        }
    }
}

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("the embedded report font could not be loaded: {0}")]
    Font(String),
    #[error("the PDF could not be assembled: {0}")]
    Pdf(String),
}

/// `pimready-<tenant-slug>-<YYYY-MM-DD>`, the date being the assessment's (UTC): the
/// start of every report's file name (`pimready_app::export::file_name` completes it).
pub fn file_stem(assessment: &Assessment) -> String {
    let slug = tenant_slug(assessment);
    format!(
        "pimready-{slug}-{}",
        assessment.assessed_at.format("%Y-%m-%d")
    )
}

/// Lower-case letters and digits of the tenant's name joined by `-`; falls back to
/// the default domain's first label, then the tenant id.
fn tenant_slug(assessment: &Assessment) -> String {
    let candidates = [
        Some(assessment.tenant.display_name.as_str()),
        assessment
            .tenant
            .default_domain
            .as_deref()
            .and_then(|d| d.split('.').next()),
        Some(assessment.tenant.id.as_str()),
    ];
    for candidate in candidates.into_iter().flatten() {
        let slug = slugify(candidate);
        if !slug.is_empty() {
            return slug;
        }
    }
    "tenant".to_owned()
}

fn slugify(text: &str) -> String {
    let mut slug = String::new();
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if dash && !slug.is_empty() {
                slug.push('-');
            }
            dash = false;
            slug.extend(c.to_lowercase());
        } else {
            dash = true;
        }
        if slug.chars().count() >= 48 {
            break;
        }
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stem_uses_the_tenant_slug_and_the_assessment_date() {
        let a = sample::demo();
        assert_eq!(file_stem(&a), "pimready-contoso-ltd-2026-11-20");
        let mut b = a.clone();
        b.tenant.display_name = "  ".into();
        assert_eq!(file_stem(&b), "pimready-contoso-2026-11-20");
    }
}
