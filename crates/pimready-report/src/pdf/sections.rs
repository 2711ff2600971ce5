//! The report's sections, in the order the issue lists them. Each section starts on a
//! new page; headers and footers are drawn last, once the page count is known.

// `c` (the composer) and `a` (the assessment) are in every function here.
#![allow(clippy::many_single_char_names)]

use super::layout::{Cell, Column, Composer, Face, Rgb8, Style, TableStyle};
use crate::ReportOptions;
use pimready_core::assessment::Assessment;
use pimready_core::cost::VerdictTone;
use pimready_core::finding::{Category, Finding, Severity, Status};
use pimready_core::licensing::{LicencePath, LicenceSource};

pub(super) const INK: Rgb8 = Rgb8(33, 37, 41);
pub(super) const MUTED: Rgb8 = Rgb8(100, 106, 115);
pub(super) const NAVY: Rgb8 = Rgb8(22, 50, 92);
pub(super) const RULE: Rgb8 = Rgb8(205, 210, 217);
pub(super) const LIGHT: Rgb8 = Rgb8(242, 244, 247);
pub(super) const WHITE: Rgb8 = Rgb8(255, 255, 255);

pub(super) const BODY: Style = Style::new(Face::Regular, 9.5, INK);
pub(super) const BODY_BOLD: Style = Style::new(Face::Bold, 9.5, INK);
pub(super) const SMALL: Style = Style::new(Face::Regular, 8.0, MUTED);
pub(super) const CELL: Style = Style::new(Face::Regular, 8.0, INK);
pub(super) const CELL_BOLD: Style = Style::new(Face::Bold, 8.0, INK);
pub(super) const H1: Style = Style::new(Face::Bold, 20.0, NAVY);
pub(super) const H2: Style = Style::new(Face::Bold, 12.5, NAVY);
pub(super) const H3: Style = Style::new(Face::Bold, 10.0, INK);
const CODE: Style = Style::new(Face::Mono, 7.5, INK);

/// (ink, fill) of a status chip; the chip always carries its label as text.
pub fn status_colors(status: Status) -> (Rgb8, Rgb8) {
    match status {
        Status::Pass => (Rgb8(27, 110, 56), Rgb8(227, 242, 232)),
        Status::Warning => (Rgb8(146, 88, 0), Rgb8(253, 241, 214)),
        Status::Fail => (Rgb8(178, 34, 34), Rgb8(250, 228, 228)),
        Status::NotApplicable => (Rgb8(105, 110, 118), Rgb8(240, 241, 243)),
        Status::NotLicensed => (Rgb8(94, 62, 150), Rgb8(237, 232, 247)),
        Status::NotAssessed => (Rgb8(60, 84, 110), Rgb8(229, 236, 243)),
    }
}

const STATUS_ORDER: [Status; 6] = [
    Status::Fail,
    Status::Warning,
    Status::NotLicensed,
    Status::NotAssessed,
    Status::Pass,
    Status::NotApplicable,
];

pub(super) fn table_style() -> TableStyle {
    TableStyle {
        body: CELL,
        header: Style::new(Face::Bold, 7.5, NAVY),
        header_fill: LIGHT,
        rule: RULE,
        zebra: None,
        pad: 4.0,
    }
}

pub(super) fn col(title: &str, share: f32) -> Column {
    Column {
        title: title.to_owned(),
        share,
    }
}

pub(super) fn chip(status: Status) -> Cell {
    let (ink, fill) = status_colors(status);
    Cell::chip(status.label(), ink, fill)
}

pub(super) fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
    }
}

pub(super) fn money(currency: &str, amount: f64) -> String {
    let symbol = match currency {
        "USD" => "$",
        "EUR" => "€",
        "GBP" => "£",
        _ => "",
    };
    let cents = (amount * 100.0).round() as i64;
    let whole = cents / 100;
    let mut digits = whole.abs().to_string();
    let mut grouped = String::new();
    while digits.len() > 3 {
        let tail = digits.split_off(digits.len() - 3);
        grouped = format!(",{tail}{grouped}");
    }
    grouped = format!("{digits}{grouped}");
    let sign = if cents < 0 { "-" } else { "" };
    let frac = (cents % 100).abs();
    if symbol.is_empty() {
        format!("{sign}{grouped}.{frac:02} {currency}")
    } else {
        format!("{sign}{symbol}{grouped}.{frac:02}")
    }
}

pub(super) fn plural(n: u32, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

pub fn client_name(a: &Assessment, o: &ReportOptions) -> String {
    o.branding
        .client_display_name
        .clone()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| a.tenant.display_name.clone())
}

fn summary_sentences(a: &Assessment, client: &str) -> Vec<String> {
    let h = &a.headline;
    let count = |s: Status| a.checks.iter().filter(|f| f.status == s).count() as u32;
    let mut out = vec![format!(
        "{client} scores {:.0} out of 100 (grade {}) for PIM readiness; {:.0}% of the checks' weight could be assessed.",
        a.score.percent, a.score.grade, a.score.coverage
    )];
    out.push(format!(
        "Today {} a highly privileged role permanently (standing access), {} through PIM, and {} Global Administrator.",
        plural(h.standing_admins, "account holds", "accounts hold"),
        plural(h.eligible_admins, "is eligible", "are eligible"),
        plural(h.global_admins, "user holds", "users hold"),
    ));
    out.push(if a.licensing.pim_capable {
        format!("Licensing is in place: {}", a.licence_verdict().sentence)
    } else {
        format!("PIM cannot be switched on yet. {}", a.cost.recommendation)
    });
    let fails = count(Status::Fail);
    let critical = a
        .checks
        .iter()
        .filter(|f| f.status == Status::Fail && f.severity == Severity::Critical)
        .count() as u32;
    out.push(format!(
        "{} and {} attention; {} critical.",
        plural(fails, "check fails", "checks fail"),
        plural(count(Status::Warning), "needs", "need"),
        plural(critical, "failure is", "failures are")
    ));
    let urgent = |f: &Finding| f.status == Status::Fail && f.severity <= Severity::High;
    let next = a
        .plan
        .iter()
        .find(|step| {
            step.checks
                .iter()
                .any(|id| a.checks.iter().any(|f| &f.id == id && urgent(f)))
        })
        .or_else(|| a.plan.first());
    if let Some(step) = next {
        out.push(format!(
            "The most important next step: {}.",
            step.title.trim_end_matches('.')
        ));
    }
    out
}

pub(super) fn section_title(c: &mut Composer, title: &str) {
    title.clone_into(&mut c.section);
    c.new_page();
    c.outline.push((title.to_owned(), c.current));
    c.text_at(c.left, c.y + H1.size, H1, title);
    c.y += H1.size + 10.0;
    c.hline(c.left, c.left + 36.0, c.y, NAVY, 2.0);
    c.y += 16.0;
}

pub(super) fn heading(c: &mut Composer, title: &str) {
    c.ensure(H2.leading() + 60.0);
    c.space(6.0);
    c.paragraph(title, H2);
    c.space(4.0);
}

pub fn compose(c: &mut Composer, a: &Assessment, o: &ReportOptions) {
    cover(c, a, o);
    executive_summary(c, a, o);
    if let Some(history) = &o.history {
        super::since::section(c, history, o.masking);
    }
    licensing(c, a);
    overview(c, a);
    details(c, a);
    azure_resources(c, a);
    plan(c, a);
    appendix(c, a);
    headers_and_footers(c, &client_name(a, o), &o.branding.confidentiality, 1);
}

fn cover(c: &mut Composer, a: &Assessment, o: &ReportOptions) {
    c.section = String::new();
    c.new_page();
    c.outline.push(("Cover".to_owned(), c.current));
    let band = c.page_h * 0.42;
    c.fill_rect(0.0, 0.0, c.page_w, band, NAVY);
    let x = c.left;
    let w = c.content_w();
    let kicker = Style::new(Face::Bold, 9.0, Rgb8(176, 196, 222));
    c.text_at(
        x,
        84.0,
        kicker,
        "PRIVILEGED IDENTITY MANAGEMENT · READINESS ASSESSMENT",
    );
    let title = Style::new(Face::Bold, 30.0, WHITE);
    let mut y = 130.0;
    for line in c.fonts.wrap(
        title.face,
        title.size,
        "Privileged access readiness report",
        w,
    ) {
        c.text_at(x, y, title, &line);
        y += title.size * 1.2;
    }
    let client = client_name(a, o);
    let name_style = Style::new(Face::Regular, 18.0, WHITE);
    y += 12.0;
    for line in c
        .fonts
        .wrap(name_style.face, name_style.size, &client, w)
        .into_iter()
        .take(3)
    {
        c.text_at(x, y, name_style, &line);
        y += name_style.size * 1.3;
    }
    if let Some(domain) = &a.tenant.default_domain {
        let d = Style::new(Face::Regular, 11.0, Rgb8(200, 214, 232));
        c.text_at(
            x,
            y.min(band - 20.0),
            d,
            &c.fonts.ellipsize(d.face, d.size, domain, w),
        );
    }

    let mut y = band + 56.0;
    let label = Style::new(Face::Bold, 8.0, MUTED);
    let value = Style::new(Face::Regular, 11.0, INK);
    let rows = [
        ("CLIENT TENANT", client.clone()),
        (
            "DEFAULT DOMAIN",
            a.tenant
                .default_domain
                .clone()
                .unwrap_or_else(|| "—".into()),
        ),
        ("TENANT ID", a.tenant.id.clone()),
        (
            "ASSESSMENT DATE",
            a.assessed_at.format("%-d %B %Y").to_string(),
        ),
        ("REPORT CREATED", o.created.format("%-d %B %Y").to_string()),
        ("PREPARED BY", o.branding.consultant_name.clone()),
    ];
    for (k, v) in rows {
        c.text_at(x, y, label, k);
        let lines = c.fonts.wrap(value.face, value.size, &v, w - 130.0);
        for (i, line) in lines.iter().take(2).enumerate() {
            c.text_at(x + 130.0, y + 1.0 + i as f32 * value.leading(), value, line);
        }
        y += 14.0 + lines.len().min(2) as f32 * value.leading();
        c.hline(x, x + w, y - 9.0, RULE, 0.4);
    }
    if let Some(logo) = o
        .branding
        .logo_png
        .as_deref()
        .and_then(super::super::branding::decode_png)
    {
        let max_w = 150.0_f32;
        let max_h = 60.0_f32;
        let scale = (max_w / logo.width as f32).min(max_h / logo.height as f32);
        let (lw, lh) = (logo.width as f32 * scale, logo.height as f32 * scale);
        let top = c.page_h - 150.0;
        c.image(logo, x, top, lw, lh);
    }
    let conf = Style::new(Face::Bold, 8.5, INK);
    let bottom = c.page_h - 56.0;
    c.hline(x, x + w, bottom - 30.0, INK, 0.8);
    let conf_text = c
        .fonts
        .ellipsize(conf.face, conf.size, &o.branding.confidentiality, w);
    c.text_at(x, bottom - 16.0, conf, &conf_text);
    let generated = format!(
        "Generated by {} {} from data collected on {}",
        a.generator.name,
        a.generator.version,
        a.assessed_at.format("%Y-%m-%d %H:%M UTC")
    );
    c.text_at(
        x,
        bottom - 4.0,
        SMALL,
        &c.fonts.ellipsize(SMALL.face, SMALL.size, &generated, w),
    );
}

pub(super) fn grade_color(percent: f64) -> Rgb8 {
    if percent >= 80.0 {
        Rgb8(27, 110, 56)
    } else if percent >= 60.0 {
        Rgb8(196, 128, 0)
    } else {
        Rgb8(178, 34, 34)
    }
}

/// A half-ring from `from` to `to` degrees (180 = left, 0 = right), top-down coordinates.
fn arc_band(cx: f32, cy: f32, r_out: f32, r_in: f32, from: f32, to: f32) -> Vec<(f32, f32)> {
    let steps = 48;
    let mut pts = Vec::with_capacity(2 * steps + 2);
    for i in 0..=steps {
        let t = (from + (to - from) * i as f32 / steps as f32).to_radians();
        pts.push((cx + r_out * t.cos(), cy - r_out * t.sin()));
    }
    for i in (0..=steps).rev() {
        let t = (from + (to - from) * i as f32 / steps as f32).to_radians();
        pts.push((cx + r_in * t.cos(), cy - r_in * t.sin()));
    }
    pts
}

fn gauge(c: &mut Composer, a: &Assessment, x: f32, top: f32) {
    let r = 70.0;
    let cx = x + r + 4.0;
    let cy = top + r + 6.0;
    let pct = a.score.percent.clamp(0.0, 100.0) as f32;
    c.fill_polygon(
        &arc_band(cx, cy, r, r - 16.0, 180.0, 0.0),
        Rgb8(226, 230, 235),
    );
    if pct > 0.0 {
        c.fill_polygon(
            &arc_band(cx, cy, r, r - 16.0, 180.0, 180.0 - 180.0 * pct / 100.0),
            grade_color(a.score.percent),
        );
    }
    let big = Style::new(Face::Bold, 30.0, INK);
    c.text_center(cx, cy - 10.0, big, &format!("{:.0}", a.score.percent));
    c.text_center(cx, cy + 4.0, SMALL, "out of 100");
    c.text_at(cx - r, cy + 14.0, SMALL, "0");
    c.text_right(cx + r, cy + 14.0, SMALL, "100");
    let grade = Style::new(Face::Bold, 11.0, INK);
    c.text_center(
        cx,
        cy + 32.0,
        grade,
        &format!(
            "Grade {}  ·  coverage {:.0}%",
            a.score.grade, a.score.coverage
        ),
    );
}

pub(super) fn tile(
    c: &mut Composer,
    x: f32,
    top: f32,
    w: f32,
    number: u32,
    label: &str,
    emphasis: bool,
) {
    c.fill_rect(x, top, w, 54.0, LIGHT);
    if emphasis {
        c.fill_rect(x, top, 3.0, 54.0, Rgb8(178, 34, 34));
    }
    c.text_at(
        x + 12.0,
        top + 26.0,
        Style::new(Face::Bold, 20.0, INK),
        &number.to_string(),
    );
    let lines = c.fonts.wrap(Face::Regular, 7.5, label, w - 20.0);
    for (i, line) in lines.iter().take(2).enumerate() {
        c.text_at(
            x + 12.0,
            top + 38.0 + i as f32 * 9.0,
            Style::new(Face::Regular, 7.5, MUTED),
            line,
        );
    }
}

fn executive_summary(c: &mut Composer, a: &Assessment, o: &ReportOptions) {
    section_title(c, "Executive summary");
    let client = client_name(a, o);
    key_figures(c, a, o);
    heading(c, "In brief");
    for s in summary_sentences(a, &client) {
        c.paragraph(&s, Style::new(Face::Regular, 10.5, INK));
        c.space(4.0);
    }
    licence_verdict_box(c, a);
    top_risks(c, a);
}

/// The gauge, four key figures beside it, and the score sparkline when there is a trend.
fn key_figures(c: &mut Composer, a: &Assessment, o: &ReportOptions) {
    let top = c.y;
    gauge(c, a, c.left, top);
    // Key figures, right of the gauge.
    let gx = c.left + 170.0;
    let gw = c.left + c.content_w() - gx;
    let tw = (gw - 10.0) / 2.0;
    let h = &a.headline;
    tile(
        c,
        gx,
        top,
        tw,
        h.standing_admins,
        "standing privileged accounts",
        h.standing_admins > 0,
    );
    tile(
        c,
        gx + tw + 10.0,
        top,
        tw,
        h.eligible_admins,
        "eligible through PIM",
        false,
    );
    tile(
        c,
        gx,
        top + 64.0,
        tw,
        h.global_admins,
        "Global Administrators",
        h.global_admins > 4,
    );
    tile(
        c,
        gx + tw + 10.0,
        top + 64.0,
        tw,
        h.emergency_accounts,
        "emergency-access accounts",
        h.emergency_accounts == 0,
    );
    c.y = top + 150.0;
    if let Some(history) = o.history.as_ref().filter(|h| h.trend.len() >= 2) {
        super::since::sparkline(c, &history.trend, gx, top + 128.0, gw);
        c.y = top + 128.0 + super::since::SPARKLINE_H + 8.0;
    }
}

/// The licence verdict in a box whose edge says whether PIM is licensed.
fn licence_verdict_box(c: &mut Composer, a: &Assessment) {
    heading(c, "Licence verdict");
    let licence = a.licence_verdict();
    let verdict = format!("{}. {}", licence.label, licence.sentence);
    let vstyle = Style::new(Face::Bold, 10.5, INK);
    let h = c.paragraph_height(&verdict, vstyle, c.content_w() - 24.0) + 16.0;
    c.ensure(h);
    let top = c.y;
    c.fill_rect(c.left, top, c.content_w(), h, LIGHT);
    c.fill_rect(
        c.left,
        top,
        3.0,
        h,
        match licence.tone {
            VerdictTone::Good => Rgb8(27, 110, 56),
            VerdictTone::Warn => Rgb8(146, 88, 0),
            VerdictTone::Bad => Rgb8(178, 34, 34),
            VerdictTone::Unknown => MUTED,
        },
    );
    c.y += 8.0;
    let (x, w) = (c.left + 14.0, c.content_w() - 24.0);
    c.paragraph_at(&verdict, vstyle, x, w);
    c.y = top + h + 4.0;
}

/// The critical and high failures, as many as fit on the summary page.
fn top_risks(c: &mut Composer, a: &Assessment) {
    heading(c, "Top risks");
    let mut risks: Vec<&Finding> = a
        .checks
        .iter()
        .filter(|f| f.status == Status::Fail && f.severity <= Severity::High)
        .collect();
    risks.sort_by_key(|f| f.severity);
    if risks.is_empty() {
        c.paragraph("No critical or high-severity check fails.", BODY);
        return;
    }
    let rows: Vec<Vec<Cell>> = risks
        .iter()
        .take(6)
        .map(|f| {
            vec![
                Cell::styled(f.id.as_str(), CELL_BOLD),
                Cell::text(severity_label(f.severity)),
                Cell::styled(&f.title, CELL_BOLD),
                Cell::text(&f.summary),
            ]
        })
        .collect();
    let columns = [
        col("Check", 0.9),
        col("Severity", 0.9),
        col("Risk", 3.0),
        col("What we found", 4.2),
    ];
    // The summary is one page: show as many risks as fit, and say how many more there are.
    let mut shown = rows.len();
    let room = c.remaining() - 2.0 * SMALL.leading();
    while shown > 1 && c.table_height(&columns, &rows[..shown], &table_style()) > room {
        shown -= 1;
    }
    c.table(&columns, &rows[..shown], &table_style());
    if risks.len() > shown {
        c.space(4.0);
        c.paragraph(
            &format!(
                "…and {} (see Findings in detail).",
                plural(
                    (risks.len() - shown) as u32,
                    "more critical or high failure",
                    "more critical or high failures"
                )
            ),
            SMALL,
        );
    }
}

fn licensing(c: &mut Composer, a: &Assessment) {
    section_title(c, "Licensing and cost");
    let l = &a.licensing;
    c.paragraph(
        &a.licence_verdict().sentence,
        Style::new(Face::Bold, 10.5, INK),
    );
    c.space(6.0);
    licence_sources(c, &l.sources);
    c.space(8.0);
    heading(c, "Seats");
    let s = &l.seats;
    c.paragraph(
        &format!(
            "Users in PIM scope (need a seat): {}.   Seats available: {}.   Shortfall: {}.",
            s.in_scope, s.available, s.shortfall
        ),
        BODY,
    );
    c.space(6.0);
    cost_options(c, a);
    c.space(8.0);
    heading(c, "Recommendation");
    c.paragraph(&a.cost.recommendation, BODY);
    c.space(6.0);
    c.paragraph(
        &format!(
            "Prices: Microsoft list prices in {cur} per user per month with an annual commitment, from the PIM Ready price book checked on {}. \
             Source: Microsoft's published pricing pages for each product. Agreements, discounts and local currency prices differ; confirm with your licensing partner.",
            a.cost.prices_checked_on,
            cur = a.cost.currency
        ),
        SMALL,
    );
}

/// The subscriptions that carry Entra ID premium plans, and whether each counts for PIM.
fn licence_sources(c: &mut Composer, sources: &[LicenceSource]) {
    heading(c, "Subscriptions that carry Entra ID premium plans");
    if sources.is_empty() {
        c.paragraph(
            "No subscription carries Entra ID P1, P2 or Governance.",
            BODY,
        );
    } else {
        let rows: Vec<Vec<Cell>> = sources
            .iter()
            .map(|s| {
                vec![
                    Cell::styled(&s.product_name, CELL_BOLD),
                    Cell::text(&s.sku_part_number),
                    Cell::text(s.path.map_or("—", LicencePath::short_label)),
                    Cell::text(s.plans.join(", ")),
                    Cell::text(s.capability_status.as_str()),
                    Cell::text(format!("{} / {}", s.consumed_units, s.enabled_units)),
                    Cell::text(if s.counted { "Yes" } else { "No" }),
                ]
            })
            .collect();
        c.table(
            &[
                col("Product", 2.4),
                col("SKU", 2.6),
                col("Path", 1.8),
                col("Entra plans", 2.4),
                col("Status", 1.4),
                col("Used / total", 1.2),
                col("Counts for PIM", 1.0),
            ],
            &rows,
            &table_style(),
        );
    }
}

/// Every path to close the gap with its price (list prices only, when nothing is needed).
fn cost_options(c: &mut Composer, a: &Assessment) {
    let cur = &a.cost.currency;
    // Nothing to buy: seats and totals would all be zero. The list prices stay, for
    // reference (a tenant that grows, or a renewal that changes the bundle).
    let covered = a.cost.covered;
    heading(
        c,
        if covered && !a.cost.options.is_empty() {
            "Other licensing paths, for reference"
        } else {
            "Cost options"
        },
    );
    let rows: Vec<Vec<Cell>> = a
        .cost
        .options
        .iter()
        .map(|opt| {
            let mut row = vec![
                if opt.recommended {
                    Cell::styled(format!("{} (recommended)", opt.name), CELL_BOLD)
                } else {
                    Cell::text(&opt.name)
                },
                Cell::text(if opt.available { "Yes" } else { "No" }),
            ];
            if !covered {
                row.push(Cell::text(opt.seats.to_string()));
            }
            // An upgrade price never stands alone: it is labelled, with the full price beside it.
            row.push(Cell::text(match opt.upgrade_label(|v| money(cur, v)) {
                Some(label) => format!("{} ({label})", money(cur, opt.monthly_per_user)),
                None => money(cur, opt.monthly_per_user),
            }));
            if !covered {
                row.push(Cell::text(money(cur, opt.monthly)));
                row.push(Cell::text(money(cur, opt.annual)));
            }
            row.push(Cell::text(format!("{} {}", opt.reason, opt.includes)));
            row
        })
        .collect();
    let columns = if covered {
        vec![
            col("Option", 2.6),
            col("Available", 1.25),
            col("Per user / month", 1.5),
            col("Notes", 5.0),
        ]
    } else {
        vec![
            col("Option", 2.4),
            col("Available", 1.1),
            col("Seats", 0.75),
            col("Per user / month", 1.2),
            col("Per month", 1.15),
            col("Per year", 1.25),
            col("Notes", 3.4),
        ]
    };
    if rows.is_empty() {
        c.paragraph("No option applies.", BODY);
    } else {
        c.table(&columns, &rows, &table_style());
    }
}

fn overview(c: &mut Composer, a: &Assessment) {
    section_title(c, "Findings overview");
    c.paragraph(
        "Results by category: the number of checks in each status.",
        BODY,
    );
    c.space(8.0);
    let categories: Vec<Category> = Category::ALL
        .into_iter()
        .filter(|cat| a.checks.iter().any(|f| f.category == *cat))
        .collect();
    let max = categories
        .iter()
        .map(|cat| a.checks.iter().filter(|f| f.category == *cat).count())
        .max()
        .unwrap_or(1)
        .max(1);
    let label_w = 120.0;
    let bar_w = c.content_w() - label_w - 30.0;
    let row_h = 22.0;
    c.ensure(categories.len() as f32 * row_h + 40.0);
    for cat in &categories {
        let top = c.y;
        c.text_at(
            c.left,
            top + 12.0,
            Style::new(Face::Regular, 8.5, INK),
            cat.label(),
        );
        let mut x = c.left + label_w;
        let total = a.checks.iter().filter(|f| f.category == *cat).count();
        for st in STATUS_ORDER {
            let n = a
                .checks
                .iter()
                .filter(|f| f.category == *cat && f.status == st)
                .count();
            if n == 0 {
                continue;
            }
            let w = bar_w * n as f32 / max as f32;
            let (ink, fill) = status_colors(st);
            c.fill_rect(x, top + 2.0, w, 14.0, fill);
            c.stroke_rect(x, top + 2.0, w, 14.0, ink, 0.6);
            let label = n.to_string();
            if c.fonts.width(Face::Bold, 7.5, &label) + 4.0 < w {
                c.text_center(
                    x + w / 2.0,
                    top + 12.0,
                    Style::new(Face::Bold, 7.5, ink),
                    &label,
                );
            }
            x += w;
        }
        c.text_at(x + 5.0, top + 12.0, SMALL, &total.to_string());
        c.y += row_h;
    }
    // Legend: swatch + label, so the chart reads in black and white too.
    c.space(4.0);
    let mut x = c.left + label_w;
    let top = c.y;
    for st in STATUS_ORDER {
        let n = a.checks.iter().filter(|f| f.status == st).count();
        let (ink, fill) = status_colors(st);
        let text = format!("{} ({n})", st.label());
        let w = c.fonts.width(Face::Regular, 7.5, &text) + 22.0;
        if x + w > c.left + c.content_w() {
            break;
        }
        c.fill_rect(x, top + 2.0, 9.0, 9.0, fill);
        c.stroke_rect(x, top + 2.0, 9.0, 9.0, ink, 0.6);
        c.text_at(
            x + 12.0,
            top + 10.0,
            Style::new(Face::Regular, 7.5, INK),
            &text,
        );
        x += w;
    }
    c.y += 24.0;

    heading(c, "Every check");
    let rows: Vec<Vec<Cell>> = a
        .checks
        .iter()
        .map(|f| {
            vec![
                Cell::styled(f.id.as_str(), CELL_BOLD),
                Cell::text(&f.title),
                Cell::text(severity_label(f.severity)),
                chip(f.status),
                Cell::styled(
                    f.references
                        .iter()
                        .map(pimready_core::finding::Reference::label)
                        .collect::<Vec<_>>()
                        .join("; "),
                    Style::new(Face::Regular, 7.0, MUTED),
                ),
            ]
        })
        .collect();
    c.table(
        &[
            col("ID", 0.9),
            col("Check", 3.3),
            col("Severity", 0.9),
            col("Status", 1.7),
            col("References", 2.5),
        ],
        &rows,
        &table_style(),
    );
}

fn evidence_table(c: &mut Composer, f: &Finding) {
    let ev = &f.evidence;
    let has_upn = ev.iter().any(|e| e.principal_name.is_some());
    let has_role = ev.iter().any(|e| e.role.is_some());
    let has_assign = ev.iter().any(|e| e.assignment_type.is_some());
    let has_since = ev.iter().any(|e| e.start.is_some());
    let mut cols = vec![col("Name", 2.2)];
    if has_upn {
        cols.push(col("UPN / app id", 2.5));
    }
    if has_role {
        cols.push(col("Role", 1.8));
    }
    if has_assign {
        cols.push(col("Assignment", 1.5));
    }
    if has_since {
        cols.push(col("Since", 1.5));
    }
    cols.push(col("Detail", 2.3));
    let rows: Vec<Vec<Cell>> = ev
        .iter()
        .map(|e| {
            let mut r = vec![Cell::styled(&e.display_name, CELL_BOLD)];
            if has_upn {
                r.push(Cell::text(e.principal_name.clone().unwrap_or_default()));
            }
            if has_role {
                r.push(Cell::text(e.role.clone().unwrap_or_default()));
            }
            if has_assign {
                r.push(Cell::text(e.assignment_type.clone().unwrap_or_default()));
            }
            if has_since {
                r.push(Cell::text(
                    e.start
                        .map(|d| d.format("%Y-%m-%d").to_string())
                        .unwrap_or_default(),
                ));
            }
            r.push(Cell::text(&e.detail));
            r
        })
        .collect();
    c.table(&cols, &rows, &table_style());
}

/// Azure subscriptions and management groups, and who holds the privileged Azure roles
/// permanently (only when Azure Resource Manager was read or tried).
fn azure_resources(c: &mut Composer, a: &Assessment) {
    let Some(az) = &a.azure else {
        return;
    };
    section_title(c, "Azure resources");
    let owners = |sub: &str| {
        az.standing_assignments
            .iter()
            .filter(|h| {
                h.role == "Owner"
                    && h.scope
                        .eq_ignore_ascii_case(&format!("/subscriptions/{sub}"))
            })
            .count()
    };
    c.paragraph(
        &format!(
            "{} subscription(s) and {} management group(s) visible to the signed-in account; {} standing (permanent active) and {} PIM-eligible assignment(s) of Owner, User Access Administrator, Role Based Access Control Administrator and Contributor.",
            az.subscriptions.len(),
            az.management_groups.len(),
            az.standing_assignments.len(),
            az.eligible_assignments.len()
        ),
        BODY,
    );
    c.space(6.0);
    heading(c, "Subscriptions");
    if az.subscriptions.is_empty() {
        c.paragraph(
            "No subscription is visible. Entra roles give no Azure read access: grant the account Reader at the tenant root management group to assess Azure.",
            BODY,
        );
    } else {
        let rows: Vec<Vec<Cell>> = az
            .subscriptions
            .iter()
            .map(|s| {
                vec![
                    Cell::styled(&s.display_name, CELL_BOLD),
                    Cell::text(&s.id),
                    Cell::text(&s.state),
                    Cell::text(if s.readable { "Yes" } else { "No (refused)" }),
                    Cell::text(owners(&s.id).to_string()),
                ]
            })
            .collect();
        c.table(
            &[
                col("Subscription", 2.4),
                col("Id", 3.2),
                col("State", 1.0),
                col("Role assignments read", 1.3),
                col("Standing Owners", 1.1),
            ],
            &rows,
            &table_style(),
        );
    }
    c.space(6.0);
    heading(c, "Standing assignments");
    if az.standing_assignments.is_empty() {
        c.paragraph(
            "No permanent active assignment of these roles was found.",
            BODY,
        );
    } else {
        let scope_name = |scope: &str| {
            az.subscriptions
                .iter()
                .find(|s| scope.eq_ignore_ascii_case(&format!("/subscriptions/{}", s.id)))
                .map(|s| s.display_name.clone())
                .or_else(|| {
                    az.management_groups
                        .iter()
                        .find(|g| g.id.eq_ignore_ascii_case(scope))
                        .map(|g| format!("{} (management group)", g.display_name))
                })
                .unwrap_or_else(|| scope.to_owned())
        };
        let rows: Vec<Vec<Cell>> = az
            .standing_assignments
            .iter()
            .map(|h| {
                vec![
                    Cell::styled(&h.principal_name, CELL_BOLD),
                    Cell::text(&h.principal_type),
                    Cell::text(&h.role),
                    Cell::text(scope_name(&h.scope)),
                ]
            })
            .collect();
        c.table(
            &[
                col("Principal", 3.0),
                col("Type", 1.3),
                col("Role", 2.0),
                col("Scope", 2.7),
            ],
            &rows,
            &table_style(),
        );
    }
    if !az.gaps.is_empty() {
        c.space(6.0);
        heading(c, "Not read from Azure Resource Manager");
        for g in &az.gaps {
            c.paragraph(&format!("{}: {}", g.dataset.label(), g.detail), SMALL);
        }
    }
}

fn details(c: &mut Composer, a: &Assessment) {
    section_title(c, "Findings in detail");
    let mut open: Vec<&Finding> = a
        .checks
        .iter()
        .filter(|f| !matches!(f.status, Status::Pass | Status::NotApplicable))
        .collect();
    open.sort_by_key(|f| (STATUS_ORDER.iter().position(|s| *s == f.status), f.severity));
    if open.is_empty() {
        c.paragraph("Every applicable check passes.", BODY);
        return;
    }
    c.paragraph(
        &format!(
            "{} checks do not pass. They are listed by status, then severity.",
            open.len()
        ),
        BODY,
    );
    for f in open {
        c.ensure(110.0);
        c.space(10.0);
        c.hline(c.left, c.left + c.content_w(), c.y, RULE, 0.6);
        c.space(10.0);
        // Title line: chip + id + title.
        let (ink, fill) = status_colors(f.status);
        let chip_text = f.status.label();
        let chip_w = c.fonts.width(Face::Bold, 8.0, chip_text) + 10.0;
        let top = c.y;
        c.fill_rect(c.left, top, chip_w, 13.0, fill);
        c.stroke_rect(c.left, top, chip_w, 13.0, ink, 0.6);
        c.text_at(
            c.left + 5.0,
            top + 9.5,
            Style::new(Face::Bold, 8.0, ink),
            chip_text,
        );
        let tx = c.left + chip_w + 8.0;
        let title = format!("{}  {}", f.id, f.title);
        let tw = c.left + c.content_w() - tx;
        let lines = c.fonts.wrap(H3.face, 11.0, &title, tw);
        for (i, line) in lines.iter().enumerate() {
            c.text_at(
                tx,
                top + 10.0 + i as f32 * 14.0,
                Style::new(Face::Bold, 11.0, INK),
                line,
            );
        }
        c.y = top + 6.0 + lines.len() as f32 * 14.0;
        let meta = format!(
            "{} · severity {} · needs {} · {}",
            f.category.label(),
            severity_label(f.severity).to_lowercase(),
            f.minimum_licence.label(),
            f.references
                .iter()
                .map(pimready_core::finding::Reference::label)
                .collect::<Vec<_>>()
                .join("; ")
        );
        c.paragraph_at(&meta, SMALL, tx, tw);
        c.space(6.0);
        c.paragraph(&f.summary, BODY_BOLD);
        c.space(4.0);
        c.paragraph(&f.rationale, BODY);
        if !f.missing_data.is_empty() {
            c.space(4.0);
            for m in &f.missing_data {
                let scope = m
                    .missing_scope
                    .as_deref()
                    .map(|s| format!(" Missing permission: {s}."))
                    .unwrap_or_default();
                c.paragraph(
                    &format!(
                        "Not assessed: {} ({}). {}{scope}",
                        m.dataset.label(),
                        m.reason.as_str().replace('_', " "),
                        m.detail
                    ),
                    BODY,
                );
            }
        }
        if !f.evidence.is_empty() {
            c.ensure(60.0);
            c.space(6.0);
            c.paragraph(&format!("Evidence ({})", f.evidence.len()), H3);
            c.space(2.0);
            evidence_table(c, f);
        }
        let r = &f.remediation;
        if !r.steps.is_empty() || !r.powershell.is_empty() {
            c.ensure(50.0);
            c.space(8.0);
            c.paragraph("Remediation", H3);
            c.space(2.0);
            for (i, step) in r.steps.iter().enumerate() {
                let num = format!("{}.", i + 1);
                c.ensure(BODY.leading());
                c.text_at(c.left + 2.0, c.y + BODY.size, BODY, &num);
                let (x, w) = (c.left + 18.0, c.content_w() - 18.0);
                c.paragraph_at(step, BODY, x, w);
            }
            if !r.portal_path.is_empty() {
                c.space(2.0);
                c.paragraph(&format!("Portal: {}", r.portal_path), SMALL);
            }
            if !r.powershell.is_empty() {
                code_block(c, &r.powershell);
            }
        }
    }
}

/// A PowerShell snippet in a shaded box; long snippets continue on the next page.
fn code_block(c: &mut Composer, code: &str) {
    c.space(6.0);
    let (x, w) = (c.left + 8.0, c.content_w() - 16.0);
    let lines = c.fonts.wrap_code(CODE.face, CODE.size, code, w);
    let lh = CODE.leading();
    let mut i = 0;
    while i < lines.len() {
        c.ensure(lh + 12.0);
        let fit = (((c.remaining() - 12.0) / lh).floor() as usize)
            .max(1)
            .min(lines.len() - i);
        let top = c.y;
        let h = fit as f32 * lh + 12.0;
        c.fill_rect(c.left, top, c.content_w(), h, LIGHT);
        c.fill_rect(c.left, top, 2.0, h, RULE);
        for (k, line) in lines[i..i + fit].iter().enumerate() {
            c.text_at(x, top + 6.0 + CODE.size + k as f32 * lh, CODE, line);
        }
        c.y = top + h;
        i += fit;
    }
}

fn plan(c: &mut Composer, a: &Assessment) {
    section_title(c, "Readiness plan");
    if a.plan.is_empty() {
        c.paragraph("No step is needed.", BODY);
        return;
    }
    c.paragraph(
        "The steps in order. Each names the checks it fixes and the objects to change.",
        BODY,
    );
    for step in &a.plan {
        c.ensure(70.0);
        c.space(10.0);
        let top = c.y;
        let num = Style::new(Face::Bold, 14.0, NAVY);
        c.text_at(c.left, top + 13.0, num, &step.order.to_string());
        let (x, w) = (c.left + 24.0, c.content_w() - 24.0);
        c.paragraph_at(&step.title, Style::new(Face::Bold, 11.0, INK), x, w);
        c.space(2.0);
        c.paragraph_at(&step.detail, BODY, x, w);
        if !step.checks.is_empty() {
            c.paragraph_at(&format!("Fixes: {}", step.checks.join(", ")), SMALL, x, w);
        }
        if !step.items.is_empty() {
            c.space(4.0);
            let rows: Vec<Vec<Cell>> = step
                .items
                .iter()
                .map(|it| {
                    vec![
                        Cell::styled(&it.object, CELL_BOLD),
                        Cell::text(it.principal_name.clone().unwrap_or_default()),
                        Cell::text(it.role.clone().unwrap_or_default()),
                        Cell::text(
                            it.since
                                .map(|d| d.format("%Y-%m-%d").to_string())
                                .unwrap_or_default(),
                        ),
                        Cell::text(&it.action),
                    ]
                })
                .collect();
            c.table(
                &[
                    col("Object", 2.0),
                    col("UPN", 2.6),
                    col("Role", 2.0),
                    col("Since", 1.3),
                    col("Action", 2.6),
                ],
                &rows,
                &table_style(),
            );
        }
    }
}

fn appendix(c: &mut Composer, a: &Assessment) {
    section_title(c, "Appendix");
    heading(c, "Methodology");
    c.paragraph(
        "PIM Ready reads the tenant through Microsoft Graph with read-only delegated permissions, once, into a snapshot. \
         Every check is a pure function of that snapshot: the same data always gives the same result. A check never passes \
         on missing data: when a dataset cannot be read it is reported as not assessed, with the reason; when the tenant \
         lacks the licence a control needs, the control is reported as requiring P2, not as a failure of configuration.",
        BODY,
    );
    heading(c, "Score formula");
    c.paragraph(
        "Each check has a weight by severity: critical 10, high 6, medium 3, low 1. Credit: pass 1, warning 0.5, fail 0, \
         requires P2 0. Not applicable and not assessed checks are left out. Score = Σ(weight × credit) / Σ(weight of counted checks) × 100. \
         Grade: A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 60, F below. Coverage = weight assessed / total weight, shown beside the score \
         so that a half-read tenant never looks healthy.",
        BODY,
    );
    if !a.score.categories.is_empty() {
        c.space(6.0);
        let rows: Vec<Vec<Cell>> = a
            .score
            .categories
            .iter()
            .map(|s| {
                vec![
                    Cell::text(s.category.label()),
                    Cell::text(format!("{:.0}", s.percent)),
                    Cell::text(format!("{:.0}%", s.coverage)),
                ]
            })
            .collect();
        c.table(
            &[
                col("Category", 3.0),
                col("Score", 1.0),
                col("Coverage", 1.0),
            ],
            &rows,
            &table_style(),
        );
    }
    appendix_catalog(c, a);
    appendix_data(c, a);
}

/// Every check with its severity, minimum licence and references.
fn appendix_catalog(c: &mut Composer, a: &Assessment) {
    heading(c, "Catalog");
    let rows: Vec<Vec<Cell>> = a
        .checks
        .iter()
        .map(|f| {
            vec![
                Cell::styled(f.id.as_str(), CELL_BOLD),
                Cell::text(&f.title),
                Cell::text(severity_label(f.severity)),
                Cell::text(f.minimum_licence.label()),
                Cell::text(
                    f.references
                        .iter()
                        .map(pimready_core::finding::Reference::label)
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
            ]
        })
        .collect();
    c.table(
        &[
            col("ID", 0.9),
            col("Check", 3.4),
            col("Severity", 0.9),
            col("Needs", 1.5),
            col("Benchmark references (version)", 2.8),
        ],
        &rows,
        &table_style(),
    );
}

/// What was collected (datasets, requests, duration) and what could not be read.
fn appendix_data(c: &mut Composer, a: &Assessment) {
    heading(c, "Data collected");
    let col_info = &a.collection;
    let datasets: Vec<&str> = col_info.datasets.iter().map(|d| d.label()).collect();
    let facts = [
        (
            "Datasets read",
            if datasets.is_empty() {
                "none".to_owned()
            } else {
                datasets.join(", ")
            },
        ),
        ("Graph requests", col_info.requests.to_string()),
        (
            "Duration",
            format!("{:.1} s", col_info.duration_ms as f64 / 1000.0),
        ),
        ("Graph endpoint", col_info.graph_host.clone()),
        (
            "Permissions (scopes) used",
            if col_info.scopes.is_empty() {
                "not recorded".to_owned()
            } else {
                col_info.scopes.join(", ")
            },
        ),
        (
            "Tool version",
            format!("{} {}", a.generator.name, a.generator.version),
        ),
        (
            "Assessed at",
            a.assessed_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        ),
    ];
    let rows: Vec<Vec<Cell>> = facts
        .into_iter()
        .map(|(k, v)| vec![Cell::styled(k, CELL_BOLD), Cell::text(v)])
        .collect();
    c.table(
        &[col("", 1.4), col("", 4.6)],
        &rows,
        &TableStyle {
            header_fill: WHITE,
            ..table_style()
        },
    );
    heading(c, "Gaps: data that could not be read");
    if a.gaps.is_empty() {
        c.paragraph("None: every dataset was read.", BODY);
    } else {
        let rows: Vec<Vec<Cell>> = a
            .gaps
            .iter()
            .map(|g| {
                vec![
                    Cell::styled(g.dataset.label(), CELL_BOLD),
                    Cell::text(g.reason.as_str().replace('_', " ")),
                    Cell::text(g.missing_scope.clone().unwrap_or_default()),
                    Cell::text(&g.detail),
                ]
            })
            .collect();
        c.table(
            &[
                col("Dataset", 2.0),
                col("Why", 1.3),
                col("Missing permission", 1.6),
                col("Detail", 3.6),
            ],
            &rows,
            &table_style(),
        );
    }
}

/// Running header (client and section) and footer (confidentiality, "Page n of N") on
/// every page from `first` on (the cover has none).
pub(super) fn headers_and_footers(
    c: &mut Composer,
    client: &str,
    confidentiality: &str,
    first: usize,
) {
    let total = c.pages.len();
    let head = Style::new(Face::Regular, 7.5, MUTED);
    let head_bold = Style::new(Face::Bold, 7.5, NAVY);
    for i in first..total {
        c.current = i;
        let (l, r) = (c.left, c.page_w - c.right);
        let section = c.pages[i].section.clone();
        let right_w = c.fonts.width(head.face, head.size, &section);
        let left = c.fonts.ellipsize(
            head_bold.face,
            head_bold.size,
            &format!("PIM readiness · {client}"),
            r - l - right_w - 20.0,
        );
        c.text_at(l, 40.0, head_bold, &left);
        c.text_right(r, 40.0, head, &section);
        c.hline(l, r, 47.0, RULE, 0.5);
        let fy = c.page_h - 34.0;
        c.hline(l, r, fy - 12.0, RULE, 0.5);
        let number = format!("Page {} of {total}", i + 1);
        let nw = c.fonts.width(head.face, head.size, &number);
        let conf = c
            .fonts
            .ellipsize(head.face, head.size, confidentiality, r - l - nw - 20.0);
        c.text_at(l, fy, head, &conf);
        c.text_right(r, fy, head, &number);
    }
    c.current = total.saturating_sub(1);
}
