//! The executive PDF: cover, one-page summary, licensing and cost, findings overview,
//! findings in detail, readiness plan, appendix. Drawn with printpdf's declarative
//! ops through our own small layout engine ([`layout`]); fonts are DejaVu Sans,
//! Sans Bold and Sans Mono, subset on embedding.
//!
//! Pure and deterministic: the same assessment and options give the same bytes
//! (printpdf's random resource ids and trailer `/ID` are replaced by fixed names and
//! a hash of the input).

mod layout;
mod sections;

use std::fmt::Write as _;

use printpdf::{PdfDocument, PdfPage, PdfSaveOptions, Pt};
use sha2::{Digest, Sha256};

use layout::{Composer, Fonts};
pub use layout::{PlacedShape, PlacedText};

use super::{NameMasking, ReportError, ReportOptions, mask};
use crate::assessment::Assessment;

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
    let mut doc_images = Vec::new();
    let (w, h) = options.paper.size_pt();
    let mut composer = Composer::new(&fonts, w, h);
    sections::compose(&mut composer, assessment, options);
    let placed = std::mem::take(&mut composer.placed);
    let shapes = std::mem::take(&mut composer.shapes);
    let outline = std::mem::take(&mut composer.outline);
    for (id, image) in std::mem::take(&mut composer.images) {
        doc_images.push((id, image));
    }

    let client = sections::client_name(assessment, options);
    let mut doc = PdfDocument::new(&format!("PIM readiness assessment: {client}"));
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
    info.subject = format!(
        "Privileged Identity Management readiness of {client}, assessed on {}",
        assessment.assessed_at.format("%Y-%m-%d")
    );
    info.creator = format!("{} {}", crate::TOOL_NAME, crate::TOOL_VERSION);
    info.producer = format!("{} {} (printpdf)", crate::TOOL_NAME, crate::TOOL_VERSION);
    info.keywords = vec!["PIM".into(), "Entra ID".into(), "privileged access".into()];
    info.creation_date = created;
    info.modification_date = created;
    info.metadata_date = created;
    info.identifier = document_id(assessment, options);
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
    let id = document_id(assessment, options);
    if let Ok(ids) = lo.trailer.get_mut(b"ID").and_then(|o| o.as_array_mut()) {
        for part in ids.iter_mut() {
            if let Ok(bytes) = part.as_str_mut() {
                *bytes = id.as_bytes().to_vec();
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
    hasher.update(options.created.to_rfc3339().as_bytes());
    hasher.update(format!("{:?}{:?}", options.paper, options.masking).as_bytes());
    hasher.update(serde_json::to_vec(&options.branding).unwrap_or_default());
    if let Some(logo) = &options.branding.logo_png {
        hasher.update(logo);
    }
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
