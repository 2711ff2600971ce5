//! The portfolio page: every tenant of a batch in one table, the failed ones with why.

use super::layout::{Cell, Composer, Face, Style};
use super::sections::{
    BODY, CELL_BOLD, MUTED, SMALL, col, grade_color, headers_and_footers, heading, money, plural,
    section_title, table_style, tile,
};
use crate::ReportOptions;
use crate::portfolio::{PortfolioRow, TenantSummary};

pub const TITLE: &str = "Portfolio summary";

pub fn compose(c: &mut Composer, rows: &[PortfolioRow], o: &ReportOptions) {
    section_title(c, TITLE);
    let assessed: Vec<(&PortfolioRow, &TenantSummary)> = rows
        .iter()
        .filter_map(|r| r.outcome.as_ref().ok().map(|s| (r, s)))
        .collect();
    let failed: Vec<(&PortfolioRow, &String)> = rows
        .iter()
        .filter_map(|r| r.outcome.as_ref().err().map(|e| (r, e)))
        .collect();
    c.paragraph(
        &format!(
            "{} in this batch: {} assessed, {} could not be assessed. Prepared by {} on {}.",
            plural(rows.len() as u32, "tenant", "tenants"),
            assessed.len(),
            failed.len(),
            o.branding.consultant_name,
            o.created.format("%-d %B %Y")
        ),
        BODY,
    );
    c.space(10.0);

    portfolio_tiles(c, &assessed);

    heading(c, "Tenants");
    if assessed.is_empty() {
        c.paragraph("No tenant could be assessed.", BODY);
    } else {
        let rows: Vec<Vec<Cell>> = assessed
            .iter()
            .map(|(r, s)| {
                let name = if r.display_name == r.tenant {
                    r.tenant.clone()
                } else {
                    format!("{}\n{}", r.display_name, r.tenant)
                };
                let licence = s
                    .licence_path
                    .clone()
                    .unwrap_or_else(|| "No P2 or Governance".to_owned());
                let cost = match &s.recommended_option {
                    Some(option) => format!(
                        "{}\n{}",
                        money(&s.currency, s.recommended_monthly_cost),
                        option
                    ),
                    None => "nothing to buy".to_owned(),
                };
                vec![
                    Cell::styled(name, CELL_BOLD),
                    Cell::styled(
                        format!("{:.0}  {}", s.score_percent, s.grade),
                        Style::new(Face::Bold, 9.0, grade_color(s.score_percent)),
                    ),
                    Cell::text(format!("{:.0}%", s.coverage)),
                    Cell::text(licence),
                    Cell::text(s.shortfall.to_string()),
                    Cell::text(cost),
                    Cell::text(s.top_risk.clone().unwrap_or_else(|| "none".to_owned())),
                ]
            })
            .collect();
        c.table(
            &[
                col("Tenant", 2.4),
                col("Score", 0.8),
                col("Coverage", 1.3),
                col("Licence path", 1.7),
                col("Seats short", 0.85),
                col("To buy, per month", 1.7),
                col("Top risk", 2.4),
            ],
            &rows,
            &table_style(),
        );
        c.space(4.0);
        c.paragraph(
            "Score: readiness out of 100 with its grade. Coverage: the share of the checks' weight that could be assessed. \
             Costs are list prices before discounts; each tenant's report has the options and the sources.",
            SMALL,
        );
    }

    failed_tenants(c, &failed, assessed.is_empty());
    headers_and_footers(
        c,
        &format!(
            "portfolio of {}",
            plural(rows.len() as u32, "tenant", "tenants")
        ),
        &o.branding.confidentiality,
        0,
    );
}

/// Four figures across the batch: assessed, below C, unlicensed, standing admins.
fn portfolio_tiles(c: &mut Composer, assessed: &[(&PortfolioRow, &TenantSummary)]) {
    let top = c.y;
    let gap = 10.0;
    let tw = (c.content_w() - 3.0 * gap) / 4.0;
    let x = c.left;
    let below_c = assessed
        .iter()
        .filter(|(_, s)| s.score_percent < 70.0)
        .count() as u32;
    let unlicensed = assessed.iter().filter(|(_, s)| !s.pim_capable).count() as u32;
    let standing: u32 = assessed.iter().map(|(_, s)| s.standing_admins).sum();
    tile(
        c,
        x,
        top,
        tw,
        assessed.len() as u32,
        "tenants assessed",
        false,
    );
    tile(
        c,
        x + tw + gap,
        top,
        tw,
        below_c,
        "score below 70 (grade D or F)",
        below_c > 0,
    );
    tile(
        c,
        x + 2.0 * (tw + gap),
        top,
        tw,
        unlicensed,
        "without a PIM licence (no P2 or Governance)",
        unlicensed > 0,
    );
    tile(
        c,
        x + 3.0 * (tw + gap),
        top,
        tw,
        standing,
        "standing privileged accounts in all",
        standing > 0,
    );
    c.y = top + 54.0 + 10.0;
}

/// The tenants whose run failed, each with why.
fn failed_tenants(c: &mut Composer, failed: &[(&PortfolioRow, &String)], none_assessed: bool) {
    if failed.is_empty() {
        return;
    }
    {
        heading(c, "Tenants that could not be assessed");
        let rows: Vec<Vec<Cell>> = failed
            .iter()
            .map(|(r, why)| vec![Cell::styled(&r.tenant, CELL_BOLD), Cell::text(*why)])
            .collect();
        c.table(
            &[col("Tenant", 2.3), col("Why", 7.5)],
            &rows,
            &table_style(),
        );
        c.space(4.0);
        c.paragraph(
            if none_assessed {
                "Run the batch again once the cause is fixed."
            } else {
                "Run the batch again for these tenants once the cause is fixed; the others need not be repeated."
            },
            Style::new(Face::Regular, 8.0, MUTED),
        );
    }
}
