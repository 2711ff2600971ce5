use chrono::{TimeZone, Utc};

use super::*;
use crate::{Paper, sample};

fn options() -> ReportOptions {
    let mut o = ReportOptions::new(Utc.with_ymd_and_hms(2026, 11, 21, 8, 0, 0).unwrap());
    o.branding.consultant_name = "Fabrikam Security Advisors".into();
    o
}

/// Text of every page, as a PDF reader extracts it.
fn extract(bytes: &[u8]) -> (Vec<String>, lopdf::Document) {
    let doc = lopdf::Document::load_mem(bytes).expect("a valid PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = pages
        .iter()
        .map(|p| doc.extract_text(&[*p]).unwrap_or_default())
        .collect();
    (text, doc)
}

fn media_box(doc: &lopdf::Document) -> Vec<f32> {
    let (_, id) = doc.get_pages().into_iter().next().unwrap();
    let page = doc.get_dictionary(id).unwrap();
    page.get(b"MediaBox")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_float().unwrap())
        .collect()
}

/// Extracted text loses spaces between runs in some readers: compare without spaces.
fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn demo_report_contains_what_an_executive_needs() {
    let a = sample::demo();
    let bytes = render(&a, &options()).unwrap();
    let (pages, doc) = extract(&bytes);
    let all = squash(&pages.concat());
    assert!(all.contains("ContosoLtd"), "tenant name");
    assert!(
        all.contains(&squash(&format!("{:.0} out of 100", a.score.percent))),
        "score"
    );
    for f in &a.checks {
        assert!(
            all.contains(&squash(f.id.as_str())),
            "check {} missing",
            f.id
        );
    }
    let recommended = a.cost.options.iter().find(|o| o.recommended).unwrap();
    assert!(all.contains(&squash(&recommended.name)), "recommended path");
    for name in [
        "Ζωή Παπαδοπούλου",
        "Дмитрий Иванов",
        "José Müller",
        "Łukasz Wiśniewski",
    ] {
        assert!(all.contains(&squash(name)), "{name} not intact");
    }
    assert!(all.contains(&squash("Page 2 of")), "page numbers");
    let n = pages.len();
    assert!((9..=20).contains(&n), "{n} pages");
    assert!(all.contains(&squash(&format!("Page {n} of {n}"))));
    assert_eq!(media_box(&doc), [0.0, 0.0, 595.0, 842.0]);
    // Metadata from the input, not the clock.
    let info = doc
        .trailer
        .get(b"Info")
        .and_then(lopdf::Object::as_reference)
        .unwrap();
    let info = doc.get_dictionary(info).unwrap();
    let created = info.get(b"CreationDate").unwrap().as_str().unwrap();
    assert_eq!(created, b"D:20261121080000+00'00'");
    assert!(
        info.get(b"Title").is_ok() && info.get(b"Author").is_ok() && info.get(b"Subject").is_ok()
    );
}

#[test]
fn letter_paper_has_letter_pages() {
    let mut o = options();
    o.paper = Paper::Letter;
    let Traced {
        pdf: bytes,
        texts: placed,
        shapes,
    } = render_traced(&sample::demo(), &o).unwrap();
    let (_, doc) = extract(&bytes);
    assert_eq!(media_box(&doc), [0.0, 0.0, 612.0, 792.0]);
    assert_inside(&placed, 612.0, 792.0);
    assert_shapes_inside(&shapes, 612.0, 792.0);
}

fn assert_shapes_inside(shapes: &[PlacedShape], w: f32, h: f32) {
    for s in shapes {
        assert!(
            s.x0 >= -0.01 && s.x1 <= w + 0.01 && s.y0 >= -0.01 && s.y1 <= h + 0.01,
            "outside the page: {s:?}"
        );
    }
}

fn assert_inside(placed: &[PlacedText], w: f32, h: f32) {
    // Nothing outside the page, and body text stays inside the margins' outer band.
    for p in placed {
        assert!(
            p.x0 >= 20.0 && p.x1 <= w - 20.0 && p.y0 >= 20.0 && p.y1 <= h - 20.0,
            "outside the page: {p:?}"
        );
    }
}

#[test]
fn large_report_paginates_without_overflow() {
    let a = sample::large(300);
    let Traced {
        pdf: bytes,
        texts: placed,
        shapes,
    } = render_traced(&a, &options()).unwrap();
    let (pages, _) = extract(&bytes);
    assert!(pages.len() > 50, "{} pages", pages.len());
    assert_inside(&placed, 595.0, 842.0);
    assert_shapes_inside(&shapes, 595.0, 842.0);
    assert!(
        pages[1].contains("Executive summary") && !pages[2].contains("Executive summary"),
        "the summary is one page"
    );
    let max_page = placed.iter().map(|p| p.page).max().unwrap();
    assert_eq!(max_page + 1, pages.len());
    // The evidence table of a long finding repeats its header on the next pages.
    let headers = pages.iter().filter(|t| t.contains("UPN / app id")).count();
    assert!(headers > 20, "{headers} pages with an evidence header");
    // Every check id appears (the overview table lists them all).
    let all = squash(&pages.concat());
    for f in a.checks.iter().step_by(37) {
        assert!(all.contains(&squash(f.id.as_str())), "{}", f.id);
    }
}

#[test]
fn masked_report_contains_no_upn_from_the_input() {
    let a = sample::demo();
    let mut o = options();
    o.masking = NameMasking::Masked;
    let bytes = render(&a, &o).unwrap();
    let (pages, _) = extract(&bytes);
    let all = squash(&pages.concat());
    for f in &a.checks {
        for e in &f.evidence {
            if let Some(upn) = &e.principal_name {
                assert!(!all.contains(&squash(upn)), "{upn} leaked");
            }
        }
    }
    for (_, upn) in sample::PEOPLE {
        assert!(!all.contains(upn), "{upn} leaked");
    }
    for (name, _) in sample::PEOPLE {
        assert!(!all.contains(&squash(name)), "{name} leaked");
    }
    assert!(all.contains("z•••@contoso.com"), "masked UPN shown");
    assert!(all.contains(&squash("Ζ••• Π•••")), "masked name shown");
}

#[test]
fn output_is_byte_identical_for_the_same_input() {
    let a = sample::demo();
    let one = render(&a, &options()).unwrap();
    let two = render(&a, &options()).unwrap();
    assert_eq!(one, two);
    let mut later = options();
    later.created += chrono::Duration::days(1);
    assert_ne!(
        render(&a, &later).unwrap(),
        one,
        "the creation date is part of the output"
    );
}

#[test]
fn logo_and_white_label_client_name_are_used() {
    let mut o = options();
    o.branding.logo_png = Some(crate::branding::tiny_png());
    o.branding.client_display_name = Some("Contoso Pharma (EU)".into());
    let bytes = render(&sample::demo(), &o).unwrap();
    let (pages, doc) = extract(&bytes);
    assert!(squash(&pages[0]).contains("ContosoPharma(EU)"));
    assert!(squash(&pages[1]).contains("ContosoPharma(EU)"), "header");
    let has_image = doc.objects.values().any(|o| {
        o.as_stream().is_ok_and(|s| {
            s.dict
                .get(b"Subtype")
                .and_then(lopdf::Object::as_name)
                .is_ok_and(|n| n == b"Image")
        })
    });
    assert!(has_image);
}

#[test]
fn summary_sentences_and_verdicts_read_well() {
    let a = sample::demo();
    assert_eq!(
        a.licence_verdict().sentence,
        "Entra ID P2 present through Microsoft 365 E5, 120 seats, 14 needed."
    );
    // A file written before the verdict was stored gets the same verdict.
    let mut old = a.clone();
    old.headline.licence = pimready_core::cost::LicenceVerdict::default();
    assert_eq!(old.licence_verdict(), a.licence_verdict());
}

fn with_history() -> ReportOptions {
    let mut o = options();
    o.history = Some(sample::demo_history());
    o
}

#[test]
fn history_adds_the_since_section_and_a_sparkline() {
    let a = sample::demo();
    let o = with_history();
    let Traced {
        pdf: bytes,
        texts,
        shapes,
    } = render_traced(&a, &o).unwrap();
    let (pages, _) = extract(&bytes);
    let since = pages
        .iter()
        .position(|p| squash(p).contains("Sincethelastassessment"))
        .expect("a Since the last assessment page");
    assert_eq!(since, 2, "right after the executive summary");
    let section = squash(&pages[since..].concat());
    for id in ["ADM-02", "PIM-05", "CA-02", "PIM-04", "PIM-13"] {
        assert!(section.contains(id), "changed check {id} missing");
    }
    assert!(section.contains(&squash("49 → 58")), "score change");
    assert!(section.contains(&squash("F → D")), "grade change");
    assert!(
        section.contains(&squash(sample::PEOPLE[0].0)),
        "added standing admin"
    );
    assert!(section.contains("SvenKarlsson"), "removed standing admin");
    assert!(section.contains("Seatsavailable"), "seat change");
    // Regressions are listed first.
    let worse = section.find("CA-02").unwrap();
    let better = section.find("ADM-02").unwrap();
    assert!(worse < better, "worse before better");
    // The sparkline sits on the summary page with the first and last dates.
    let summary = squash(&pages[1]);
    assert!(summary.contains("Scoreovertime"), "{summary}");
    assert!(summary.contains(&squash("20 Nov 2025")), "first date");
    assert!(summary.contains(&squash("20 Nov 2026")), "last date");
    assert!(pages[1].contains("Executive summary") && !pages[2].contains("Executive summary"));
    assert_inside(&texts, 595.0, 842.0);
    assert_shapes_inside(&shapes, 595.0, 842.0);
    // Deterministic, and different from the report without history.
    assert_eq!(bytes, render(&a, &o).unwrap());
    assert_ne!(bytes, render(&a, &options()).unwrap());
}

#[test]
fn no_history_no_since_section_and_one_point_no_sparkline() {
    let a = sample::demo();
    let (pages, _) = extract(&render(&a, &options()).unwrap());
    let all = squash(&pages.concat());
    assert!(!all.contains("Sincethelastassessment"));
    assert!(!all.contains("Scoreovertime"));
    let mut o = with_history();
    if let Some(h) = o.history.as_mut() {
        h.trend.drain(..h.trend.len() - 1);
    }
    let (pages, _) = extract(&render(&a, &o).unwrap());
    let all = squash(&pages.concat());
    assert!(all.contains("Sincethelastassessment"));
    assert!(!all.contains("Scoreovertime"), "one point is no trend");
}

#[test]
fn masked_history_hides_the_standing_admins_names() {
    let mut o = with_history();
    o.masking = NameMasking::Masked;
    let (pages, _) = extract(&render(&sample::demo(), &o).unwrap());
    let all = squash(&pages.concat());
    assert!(all.contains("Sincethelastassessment"));
    for leaked in [
        "SvenKarlsson",
        "sven.karlsson@contoso.com",
        &squash(sample::PEOPLE[0].0),
    ] {
        assert!(!all.contains(leaked), "{leaked} leaked");
    }
    assert!(all.contains("s•••@contoso.com"));
}

#[test]
fn large_report_with_history_stays_inside_the_page() {
    let a = sample::large(300);
    let mut history = sample::demo_history();
    history.diff = pimready_core::history::diff(&sample::large(200), &a);
    let mut o = options();
    o.history = Some(history);
    let Traced { texts, shapes, .. } = render_traced(&a, &o).unwrap();
    assert_inside(&texts, 595.0, 842.0);
    assert_shapes_inside(&shapes, 595.0, 842.0);
}

#[test]
fn a_covered_tenant_gets_list_prices_for_reference_not_zero_totals() {
    let mut buying = sample::demo();
    buying.cost.covered = false;
    for o in &mut buying.cost.options {
        (o.seats, o.monthly, o.annual) = (6, 6.0 * o.monthly_per_user, 72.0 * o.monthly_per_user);
    }
    let text = squash(&extract(&render(&buying, &options()).unwrap()).0.concat());
    assert!(text.contains("Costoptions") && text.contains("Peruser/month"));
    assert!(!text.contains("forreference"));

    let covered = sample::demo();
    assert!(
        covered.cost.covered,
        "the demo tenant's E5 covers everyone in scope"
    );
    let text = squash(&extract(&render(&covered, &options()).unwrap()).0.concat());
    assert!(text.contains("Otherlicensingpaths,forreference"), "{text}");
    assert!(!text.contains("Costoptions"));
    let p2 = covered
        .cost
        .options
        .iter()
        .find(|o| o.monthly_per_user > 0.0)
        .expect("a priced option");
    assert!(text.contains(&squash(&format!("${:.2}", p2.monthly_per_user))));
    assert!(
        !text.contains("$0.00"),
        "no zero totals for a tenant that buys nothing"
    );
}

/// The built-in demo (the `contoso-e5` tenant with its Azure estate) shows the Azure
/// section: its subscriptions and who holds Owner there permanently; masked, no user's
/// name or UPN from it remains.
#[test]
fn demo_pdf_shows_the_azure_section() {
    let snapshot = pimready_core::demo::snapshot();
    let settings =
        pimready_core::demo::settings(pimready_core::settings::AssessmentSettings::default());
    let a = pimready_core::assessment::assess(
        &snapshot,
        &settings,
        &pimready_core::pricebook::PriceBook::default_book(),
    );
    let azure = a.azure.as_ref().expect("the demo reads Azure");
    assert_eq!(azure.subscriptions.len(), 2);
    let (pages, _) = extract(&render(&a, &options()).unwrap());
    let all = squash(&pages.concat());
    for text in [
        "Azure resources",
        "Contoso Production",
        "Contoso Dev/Test",
        "Nestor Wilke (nestor.wilke@contoso.com)",
        "Contoso Provisioning Automation",
        "AZ-01",
    ] {
        assert!(all.contains(&squash(text)), "{text} missing");
    }
    let mut o = options();
    o.masking = NameMasking::Masked;
    let (pages, _) = extract(&render(&a, &o).unwrap());
    let all = squash(&pages.concat());
    assert!(all.contains(&squash("Azure resources")));
    for leaked in [
        "NestorWilke",
        "nestor.wilke@contoso.com",
        "megan.bowen@contoso.com",
    ] {
        assert!(!all.contains(leaked), "{leaked} leaked");
    }
    assert!(
        all.contains(&squash("N••• W••• (n•••@contoso.com)")),
        "masked Azure owner shown"
    );
}

#[test]
fn an_upgrade_price_is_labelled_with_the_full_price_beside_it() {
    let mut a = sample::demo();
    a.cost.covered = false;
    let o = &mut a.cost.options[0];
    (o.monthly_per_user, o.full_monthly_per_user) = (21.0, 60.0);
    o.upgrade_from = Some("Microsoft 365 E3".to_owned());
    let text = squash(&extract(&render(&a, &options()).unwrap()).0.concat());
    assert!(
        text.contains(&squash(
            "$21.00 (upgrade from Microsoft 365 E3; full price $60.00)"
        )),
        "{text}"
    );
}
