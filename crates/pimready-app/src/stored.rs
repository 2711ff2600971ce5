//! What the faces read from the history besides a run: saved tenants with their last
//! score, the portfolio, and forgetting a client.

use pimready_graph::auth::TenantProfile;
use pimready_history::{AssessmentSummary, HistoryError};
use pimready_report::ReportOptions;
use pimready_report::portfolio::{self, PortfolioRow};

use crate::connect::{self, Sessions};
use crate::export::ExportFormat;
use crate::problem::{Problem, Result};
use crate::run::HistoryFile;

/// A saved sign-in and the tenant's latest stored assessment, if any.
#[derive(Debug, Clone)]
pub struct SavedTenant {
    pub profile: TenantProfile,
    pub latest: Option<AssessmentSummary>,
}

/// Every saved sign-in with its latest stored assessment. A history that cannot be read
/// only leaves the scores out.
pub fn saved_tenants(history: &HistoryFile) -> Result<Vec<SavedTenant>> {
    let profiles = connect::profiles()?.list()?;
    let store = history.open().ok();
    Ok(profiles
        .into_iter()
        .map(|profile| {
            let latest = store
                .as_ref()
                .and_then(|s| s.list(Some(&profile.tenant_id)).ok())
                .and_then(|rows| rows.into_iter().next());
            SavedTenant { profile, latest }
        })
        .collect())
}

/// Every stored tenant's latest assessment.
pub fn portfolio_rows(history: &HistoryFile) -> Result<Vec<PortfolioRow>> {
    Ok(pimready_history::portfolio(&history.open()?)?)
}

/// The portfolio as a PDF page (branded like the reports) or a CSV.
pub fn render_portfolio(
    format: ExportFormat,
    options: &ReportOptions,
    history: &HistoryFile,
) -> Result<Vec<u8>> {
    let rows = portfolio_rows(history)?;
    if rows.is_empty() {
        return Err(Problem::invalid_input(
            "No tenant has been assessed yet: the portfolio is empty.",
        ));
    }
    match format {
        ExportFormat::Csv => Ok(portfolio::render_csv(&rows)),
        ExportFormat::Pdf => {
            portfolio::render_pdf(&rows, options).map_err(|e| Problem::internal(e.to_string()))
        }
        ExportFormat::Json => Err(Problem::invalid_input(
            "The portfolio exports as PDF or CSV.",
        )),
    }
}

/// What forgetting a tenant removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Forgotten {
    pub assessments: usize,
    pub sign_ins: usize,
}

/// Deletes the tenant's stored assessments, its saved sign-in (keychain entry included)
/// and this process's session.
pub fn forget_tenant(
    history: &HistoryFile,
    sessions: &Sessions,
    tenant: &str,
) -> Result<Forgotten> {
    let assessments = match history.open()?.forget_tenant(tenant) {
        Ok(n) => n,
        Err(HistoryError::UnknownTenant(_)) => 0,
        Err(e) => return Err(e.into()),
    };
    sessions.remove(tenant);
    let sign_ins = connect::sign_out(Some(tenant))?.len();
    Ok(Forgotten {
        assessments,
        sign_ins,
    })
}
