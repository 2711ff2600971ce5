//! The executive PDF: cover, one-page summary (with a score sparkline when the history
//! has a trend), "Since the last assessment" (when the caller passes the history),
//! licensing and cost, findings overview, findings in detail, readiness plan, appendix;
//! and the portfolio summary of a batch ([`crate::portfolio`]). Drawn with printpdf's declarative
//! ops through our own small layout engine ([`layout`]); fonts are DejaVu Sans,
//! Sans Bold and Sans Mono, subset on embedding.
//!
//! Pure and deterministic: the same assessment and options give the same bytes
//! (printpdf's random resource ids and trailer `/ID` are replaced by fixed names and
//! a hash of the input).

mod layout;
mod portfolio;
mod sections;
mod since;

use std::fmt::Write as _;

use printpdf::{PdfDocument, PdfPage, PdfSaveOptions, Pt};
use sha2::{Digest, Sha256};

use layout::{Composer, Fonts};
pub use layout::{PlacedShape, PlacedText};

use super::portfolio::PortfolioRow;
use super::{NameMasking, ReportError, ReportOptions, mask};
use pimready_core::assessment::Assessment;

/// Renders the report to PDF bytes.
pub fn render(assessment: &Assessment, options: &ReportOptions) -> Result<Vec<u8>, ReportError> {
    render_traced(assessment, options).map(|r| r.pdf)
}

/// A rendered PDF and where everything landed on its pages.
pub struct Traced {
    pub pdf: Vec<u8>,
    pub texts: Vec<PlacedText>,
    pub shapes: Vec<PlacedShape>,
}

/// [`render`], also returning every text run and shape with its position (PDF
/// points), so tests can check that nothing is drawn outside the page.
pub fn render_traced(
    assessment: &Assessment,
    options: &ReportOptions,
) -> Result<Traced, ReportError> {
    let masked;
    let assessment = match options.masking {
        NameMasking::Clear => assessment,
        NameMasking::Masked => {
            masked = mask::mask_assessment(assessment);
            &masked
        }
    };
    let fonts = Fonts::load()?;
    let (w, h) = options.paper.size_pt();
    let mut composer = Composer::new(&fonts, w, h);
    sections::compose(&mut composer, assessment, options);
    let client = sections::client_name(assessment, options);
    let meta = Metadata {
        title: format!("PIM readiness assessment: {client}"),
        subject: format!(
            "Privileged Identity Management readiness of {client}, assessed on {}",
            assessment.assessed_at.format("%Y-%m-%d")
        ),
        id: document_id(assessment, options),
    };
    assemble(composer, &fonts, &meta, options)
}

/// The portfolio summary of many tenants as PDF bytes.
pub(crate) fn render_portfolio(
    rows: &[PortfolioRow],
    options: &ReportOptions,
) -> Result<Traced, ReportError> {
    let fonts = Fonts::load()?;
    let (w, h) = options.paper.size_pt();
    let mut composer = Composer::new(&fonts, w, h);
    portfolio::compose(&mut composer, rows, options);
    let mut hasher = Sha256::new();
    hasher.update(serde_json::to_vec(rows).unwrap_or_default());
    options_hash(&mut hasher, options);
    let meta = Metadata {
        title: "PIM readiness portfolio".to_owned(),
        subject: format!(
            "Privileged Identity Management readiness of {} tenants, {}",
            rows.len(),
            options.created.format("%Y-%m-%d")
        ),
        id: hex_id(hasher),
    };
    assemble(composer, &fonts, &meta, options)
}

/// What the document says about itself.
struct Metadata {
    title: String,
    subject: String,
    /// The trailer `/ID` and the identifier: a hash of the input, not random.
    id: String,
}

/// Turns composed pages into PDF bytes with fixed resource names and the given metadata.
fn assemble(
    mut composer: Composer,
    fonts: &Fonts,
    meta: &Metadata,
    options: &ReportOptions,
) -> Result<Traced, ReportError> {
    let (w, h) = (composer.page_w, composer.page_h);
    let placed = std::mem::take(&mut composer.placed);
    let shapes = std::mem::take(&mut composer.shapes);
    let outline = std::mem::take(&mut composer.outline);
    let doc_images = std::mem::take(&mut composer.images);

    let mut doc = PdfDocument::new(&meta.title);
    for (i, (title, page)) in outline.iter().enumerate() {
        // Fixed ids (printpdf's are random); pages are 1-based in printpdf's outline.
        doc.bookmarks.map.insert(
            printpdf::PageAnnotId(format!("B{i:03}")),
            printpdf::PageAnnotation {
                name: title.clone(),
                page: page + 1,
            },
        );
    }
    for face in [&fonts.regular, &fonts.bold, &fonts.mono] {
        // Fixed resource names instead of printpdf's random ids keep the output stable.
        doc.resources.fonts.map.insert(
            face.id.clone(),
            printpdf::PdfFont::new(face.parsed().clone()),
        );
    }
    for (id, image) in doc_images {
        doc.resources
            .xobjects
            .map
            .insert(id, printpdf::XObject::Image(image));
    }
    let created = printpdf::OffsetDateTime::from_unix_timestamp(options.created.timestamp())
        .map_err(|e| ReportError::Pdf(e.to_owned()))?;
    let info = &mut doc.metadata.info;
    info.author.clone_from(&options.branding.consultant_name);
    info.subject.clone_from(&meta.subject);
    info.creator = format!(
        "{} {}",
        pimready_core::TOOL_NAME,
        pimready_core::TOOL_VERSION
    );
    info.producer = format!(
        "{} {} (printpdf)",
        pimready_core::TOOL_NAME,
        pimready_core::TOOL_VERSION
    );
    info.keywords = vec!["PIM".into(), "Entra ID".into(), "privileged access".into()];
    info.creation_date = created;
    info.modification_date = created;
    info.metadata_date = created;
    info.identifier.clone_from(&meta.id);
    let page_box = printpdf::Rect::from_wh(Pt(w), Pt(h));
    doc.pages = composer
        .pages
        .into_iter()
        .map(|p| PdfPage {
            media_box: page_box.clone(),
            trim_box: page_box.clone(),
            crop_box: page_box.clone(),
            ops: p.ops,
        })
        .collect();

    let save = PdfSaveOptions {
        optimize: true,
        subset_fonts: true,
        secure: true,
        image_optimization: None,
    };
    let mut warnings = Vec::new();
    let mut lo = doc.to_lopdf_document(&save, &mut warnings);
    if let Ok(ids) = lo.trailer.get_mut(b"ID").and_then(|o| o.as_array_mut()) {
        for part in ids.iter_mut() {
            if let Ok(bytes) = part.as_str_mut() {
                *bytes = meta.id.as_bytes().to_vec();
            }
        }
    }
    lo.compress();
    let mut bytes = Vec::new();
    lo.save_to(&mut bytes)
        .map_err(|e| ReportError::Pdf(e.to_string()))?;
    Ok(Traced {
        pdf: bytes,
        texts: placed,
        shapes,
    })
}

/// 32 hex characters derived from everything the PDF shows.
fn document_id(assessment: &Assessment, options: &ReportOptions) -> String {
    let mut hasher = Sha256::new();
    hasher.update(serde_json::to_vec(assessment).unwrap_or_default());
    options_hash(&mut hasher, options);
    hex_id(hasher)
}

fn options_hash(hasher: &mut Sha256, options: &ReportOptions) {
    hasher.update(options.created.to_rfc3339().as_bytes());
    hasher.update(format!("{:?}{:?}", options.paper, options.masking).as_bytes());
    hasher.update(serde_json::to_vec(&options.branding).unwrap_or_default());
    if let Some(logo) = &options.branding.logo_png {
        hasher.update(logo);
    }
    if let Some(history) = &options.history {
        hasher.update(serde_json::to_vec(history).unwrap_or_default());
    }
}

fn hex_id(hasher: Sha256) -> String {
    hasher
        .finalize()
        .iter()
        .take(16)
        .fold(String::with_capacity(32), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests;
