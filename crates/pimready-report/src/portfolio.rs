//! The portfolio summary of a batch of tenants: one row per tenant, as a PDF page (or
//! several) and a CSV. Pure: the caller runs the assessments and passes the rows; a
//! tenant that failed is a row too, with the reason.

use serde::{Deserialize, Serialize};

use super::{ReportError, ReportOptions};
use pimready_core::assessment::Assessment;
use pimready_core::finding::Status;
use pimready_core::score::Grade;

/// One tenant of the portfolio: assessed, or why not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortfolioRow {
    /// How the tenant is named: its default domain, else the name it was given as.
    pub tenant: String,
    pub display_name: String,
    /// The summary figures, or why the tenant could not be assessed.
    pub outcome: Result<TenantSummary, String>,
}

/// The figures of one assessed tenant the portfolio shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantSummary {
    pub score_percent: f64,
    pub grade: Grade,
    pub coverage: f64,
    /// The product that carries P2 or Governance; `None` when there is none.
    pub licence_path: Option<String>,
    /// One sentence, as on the report's summary page.
    pub licence_verdict: String,
    pub pim_capable: bool,
    pub shortfall: u32,
    /// The recommended purchase, if one is needed.
    pub recommended_option: Option<String>,
    /// Its cost per month (0 when nothing needs buying).
    pub recommended_monthly_cost: f64,
    pub currency: String,
    pub standing_admins: u32,
    /// The most severe failing check: `PIM-01: Standing access to privileged roles`.
    pub top_risk: Option<String>,
}

impl PortfolioRow {
    /// The portfolio row of a completed assessment.
    pub fn from_assessment(a: &Assessment) -> PortfolioRow {
        let licence_path = a
            .licensing
            .sources
            .iter()
            .find(|s| s.counted && s.gives_pim())
            .map(|s| s.product_name.clone());
        // Nothing to buy when the tenant's seats already cover everyone in scope.
        let recommended = a
            .cost
            .options
            .iter()
            .find(|o| o.recommended)
            .filter(|_| !a.cost.covered && a.cost.recommended.is_some());
        let top_risk = a
            .checks
            .iter()
            .filter(|f| f.status == Status::Fail)
            .min_by(|x, y| (x.severity, &x.id).cmp(&(y.severity, &y.id)))
            .map(|f| format!("{}: {}", f.id, f.title));
        PortfolioRow {
            tenant: a
                .tenant
                .default_domain
                .clone()
                .unwrap_or_else(|| a.tenant.id.clone()),
            display_name: a.tenant.display_name.clone(),
            outcome: Ok(TenantSummary {
                score_percent: a.score.percent,
                grade: a.score.grade,
                coverage: a.score.coverage,
                licence_path,
                licence_verdict: a.licence_verdict().sentence,
                pim_capable: a.licensing.pim_capable,
                shortfall: a.licensing.seats.shortfall,
                recommended_option: recommended.map(|o| o.name.clone()),
                recommended_monthly_cost: recommended.map_or(0.0, |o| o.monthly),
                currency: a.cost.currency.clone(),
                standing_admins: a.headline.standing_admins,
                top_risk,
            }),
        }
    }

    /// A tenant that could not be assessed, named as it was given.
    pub fn failed(tenant: impl Into<String>, reason: impl Into<String>) -> PortfolioRow {
        let tenant = tenant.into();
        PortfolioRow {
            display_name: tenant.clone(),
            tenant,
            outcome: Err(reason.into()),
        }
    }
}

/// CSV column names, in order.
pub const CSV_HEADER: [&str; 11] = [
    "tenant",
    "status",
    "score",
    "grade",
    "coverage",
    "licence_path",
    "shortfall",
    "recommended_monthly_cost",
    "currency",
    "top_risk",
    "error",
];

/// The portfolio as CSV: one row per tenant, RFC 4180, UTF-8 with a BOM and CRLF line
/// ends like the findings CSV.
pub fn render_csv(rows: &[PortfolioRow]) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        writer
            .write_record(CSV_HEADER)
            .expect("writing to memory cannot fail");
        for r in rows {
            let record: [String; 11] = match &r.outcome {
                Ok(s) => [
                    super::csv::defuse(&r.tenant).into_owned(),
                    "assessed".into(),
                    format!("{:.1}", s.score_percent),
                    s.grade.to_string(),
                    format!("{:.0}", s.coverage),
                    s.licence_path.clone().unwrap_or_else(|| "none".into()),
                    s.shortfall.to_string(),
                    format!("{:.2}", s.recommended_monthly_cost),
                    s.currency.clone(),
                    super::csv::defuse(s.top_risk.as_deref().unwrap_or_default()).into_owned(),
                    String::new(),
                ],
                Err(e) => {
                    let mut v: [String; 11] = Default::default();
                    v[0] = super::csv::defuse(&r.tenant).into_owned();
                    v[1] = "failed".into();
                    v[10] = super::csv::defuse(e).into_owned();
                    v
                }
            };
            writer
                .write_record(&record)
                .expect("writing to memory cannot fail");
        }
        writer.flush().expect("writing to memory cannot fail");
    }
    out
}

/// The portfolio as PDF: a table of the assessed tenants and a list of the ones that
/// failed with why, with the report's running header and footer. `options.history` and
/// `options.masking` are not used (the portfolio shows no user names).
pub fn render_pdf(rows: &[PortfolioRow], options: &ReportOptions) -> Result<Vec<u8>, ReportError> {
    super::pdf::render_portfolio(rows, options).map(|t| t.pdf)
}

/// `pimready-portfolio-<YYYY-MM-DD>.<ext>`.
pub fn file_name(date: chrono::NaiveDate, ext: &str) -> String {
    format!("pimready-portfolio-{}.{ext}", date.format("%Y-%m-%d"))
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::sample;

    /// Two assessed tenants and one that failed.
    fn rows() -> Vec<PortfolioRow> {
        let contoso = sample::demo();
        let mut fabrikam = sample::demo();
        fabrikam.tenant.display_name = "Fabrikam Ελλάς".into();
        fabrikam.tenant.default_domain = Some("fabrikam.gr".into());
        fabrikam.score.percent = 91.0;
        fabrikam.score.grade = Grade::A;
        fabrikam.cost.covered = false;
        fabrikam.licensing.seats.shortfall = 6;
        vec![
            PortfolioRow::from_assessment(&contoso),
            PortfolioRow::from_assessment(&fabrikam),
            PortfolioRow::failed(
                "northwind.com",
                "sign-in failed: AADSTS50020, the user is not in the tenant",
            ),
        ]
    }

    fn options() -> ReportOptions {
        ReportOptions::new(Utc.with_ymd_and_hms(2026, 11, 21, 8, 0, 0).unwrap())
    }

    fn text(bytes: &[u8]) -> Vec<String> {
        let doc = lopdf::Document::load_mem(bytes).expect("a valid PDF");
        doc.get_pages()
            .keys()
            .map(|p| doc.extract_text(&[*p]).unwrap_or_default())
            .map(|t| t.chars().filter(|c| !c.is_whitespace()).collect())
            .collect()
    }

    #[test]
    fn from_assessment_takes_the_summary_figures() {
        let a = sample::demo();
        let row = PortfolioRow::from_assessment(&a);
        assert_eq!(row.tenant, "contoso.com");
        assert_eq!(row.display_name, "Contoso Ltd");
        let s = row.outcome.unwrap();
        assert_eq!(s.grade, a.score.grade);
        assert_eq!(s.licence_path.as_deref(), Some("Microsoft 365 E5"));
        assert_eq!(s.recommended_option, None, "covered: nothing to buy");
        assert!(s.recommended_monthly_cost.abs() < f64::EPSILON);
        let top = s.top_risk.unwrap();
        let failing_critical = a
            .checks
            .iter()
            .find(|f| {
                f.status == Status::Fail && f.severity == pimready_core::finding::Severity::Critical
            })
            .unwrap();
        assert!(top.starts_with(failing_critical.id.as_str()), "{top}");
    }

    #[test]
    fn from_assessment_names_the_purchase_when_seats_are_short() {
        let mut a = sample::demo();
        a.cost.covered = false;
        a.licensing.seats.shortfall = 14;
        let s = PortfolioRow::from_assessment(&a).outcome.unwrap();
        assert_eq!(
            s.recommended_option.as_deref(),
            Some("Microsoft Entra ID P2")
        );
        assert!((s.recommended_monthly_cost - 140.0).abs() < 0.001);
        assert_eq!(s.shortfall, 14);
    }

    #[test]
    fn csv_has_one_row_per_tenant_and_names_the_failure() {
        let bytes = render_csv(&rows());
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        assert!(bytes.windows(2).any(|w| w == b"\r\n"));
        let mut reader = csv::Reader::from_reader(&bytes[3..]);
        assert_eq!(
            reader.headers().unwrap().iter().collect::<Vec<_>>(),
            CSV_HEADER
        );
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), 3);
        assert_eq!(&records[0][0], "contoso.com");
        assert_eq!(&records[0][1], "assessed");
        assert_eq!(&records[0][5], "Microsoft 365 E5");
        assert_eq!(&records[1][3], "A");
        assert_eq!(&records[2][0], "northwind.com");
        assert_eq!(&records[2][1], "failed");
        assert_eq!(&records[2][2], "");
        // The reason has a comma: quoted, and read back intact.
        assert_eq!(
            &records[2][10],
            "sign-in failed: AADSTS50020, the user is not in the tenant"
        );
    }

    #[test]
    fn pdf_names_every_tenant_and_the_failure() {
        let bytes = render_pdf(&rows(), &options()).unwrap();
        let pages = text(&bytes);
        let all = pages.concat();
        assert!(all.contains("Portfoliosummary"));
        assert!(all.contains("ContosoLtd") && all.contains("contoso.com"));
        assert!(all.contains("FabrikamΕλλάς"));
        assert!(all.contains("northwind.com"));
        assert!(all.contains("AADSTS50020,theuserisnotinthetenant"));
        assert!(all.contains(&format!("Page1of{}", pages.len())));
        assert_eq!(
            bytes,
            render_pdf(&rows(), &options()).unwrap(),
            "deterministic"
        );
    }

    #[test]
    fn a_long_portfolio_paginates_inside_the_page() {
        let base = rows();
        let many: Vec<PortfolioRow> = (0..90)
            .map(|i| {
                let mut r = base[i % 3].clone();
                r.tenant = format!("tenant-{i:02}.{}", r.tenant);
                r
            })
            .collect();
        let traced = super::super::pdf::render_portfolio(&many, &options()).unwrap();
        let pages = text(&traced.pdf);
        assert!(pages.len() >= 3, "{} pages", pages.len());
        let n = pages.len();
        assert!(pages[n - 1].contains(&format!("Page{n}of{n}")));
        // The table header is repeated on every page the table spans.
        let with_header = pages.iter().filter(|p| p.contains("Toprisk")).count();
        assert!(with_header >= 2, "{with_header}");
        for i in [0, 45, 89] {
            assert!(pages.concat().contains(&format!("tenant-{i:02}.")), "{i}");
        }
        for p in &traced.texts {
            assert!(
                p.x0 >= 20.0 && p.x1 <= 575.0 && p.y0 >= 20.0 && p.y1 <= 822.0,
                "outside the page: {p:?}"
            );
        }
    }
}
