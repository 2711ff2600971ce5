//! Types that cross into the UI. Converted from core by exhaustive destructuring, so a
//! new core field fails to compile here until someone decides whether the UI sees it.

use chrono::{DateTime, Utc};
use pimready_core::assessment::{Assessment, CollectionInfo, GapInfo, Headline, TenantInfo};
use pimready_core::cost::CostEstimate;
use pimready_core::finding::{Evidence, Finding, MissingData, Reference, Remediation};
use pimready_core::licensing::Licensing;
use pimready_core::plan::PlanStep;
use pimready_core::score::Score;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize)]
pub struct AssessmentView {
    pub assessed_at: DateTime<Utc>,
    pub tenant: TenantInfo,
    pub headline: Headline,
    pub licensing: Licensing,
    pub cost: CostEstimate,
    pub score: Score,
    pub checks: Vec<FindingView>,
    pub plan: Vec<PlanStep>,
    pub gaps: Vec<GapInfo>,
    pub collection: CollectionInfo,
    pub generator_version: String,
    /// Its id in the history; `None` for the demo and when the history could not be written.
    pub history_id: Option<i64>,
    /// Why the assessment could not be stored in the history (it is still on screen).
    pub history_warning: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingView {
    pub id: String,
    pub title: String,
    pub category: pimready_core::finding::Category,
    pub category_label: &'static str,
    pub severity: pimready_core::finding::Severity,
    pub status: pimready_core::finding::Status,
    pub status_label: &'static str,
    pub summary: String,
    pub references: Vec<ReferenceView>,
    pub minimum_licence: &'static str,
    pub rationale: String,
    pub evidence: Vec<Evidence>,
    pub remediation: Remediation,
    pub missing_data: Vec<MissingData>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReferenceView {
    pub label: String,
    pub url: Option<String>,
}

impl From<&Assessment> for AssessmentView {
    fn from(a: &Assessment) -> Self {
        let Assessment {
            schema_version: _,
            generator,
            assessed_at,
            tenant,
            headline,
            licensing,
            cost,
            score,
            checks,
            plan,
            gaps,
            collection,
        } = a.clone();
        AssessmentView {
            assessed_at,
            tenant,
            headline,
            licensing,
            cost,
            score,
            checks: checks.into_iter().map(FindingView::from).collect(),
            plan,
            gaps,
            collection,
            history_id: None,
            history_warning: None,
            generator_version: generator.version,
        }
    }
}

impl From<Finding> for FindingView {
    fn from(f: Finding) -> Self {
        let Finding {
            id,
            title,
            category,
            severity,
            status,
            summary,
            references,
            minimum_licence,
            rationale,
            evidence,
            remediation,
            missing_data,
        } = f;
        FindingView {
            id,
            title,
            category,
            category_label: category.label(),
            severity,
            status,
            status_label: status.label(),
            summary,
            references: references.iter().map(ReferenceView::from).collect(),
            minimum_licence: minimum_licence.label(),
            rationale,
            evidence,
            remediation,
            missing_data,
        }
    }
}

impl From<&Reference> for ReferenceView {
    fn from(r: &Reference) -> Self {
        ReferenceView {
            label: r.label(),
            url: r.url.clone(),
        }
    }
}

/// A tenant assessed before, for the Connect screen.
#[derive(Debug, Clone, Serialize)]
pub struct SavedTenant {
    pub tenant_id: String,
    pub display_name: String,
    pub cloud: String,
    pub account: Option<String>,
    pub last_score: Option<f64>,
    pub last_grade: Option<String>,
    pub last_assessed_at: Option<DateTime<Utc>>,
}

/// What the user typed on the Connect screen.
#[derive(Debug, Clone, Deserialize)]
pub struct SignInRequest {
    /// Domain (`contoso.com`) or tenant id (GUID).
    pub tenant: String,
    pub cloud: pimready_core::snapshot::CloudName,
    pub client_id: Option<String>,
    #[serde(default)]
    pub method: SignInMethod,
}

/// How to sign in interactively when no cached sign-in works.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignInMethod {
    /// The system browser (auth code + PKCE on a loopback redirect); the device code
    /// when no browser can be opened.
    #[default]
    Browser,
    /// A code to enter on any device (for a browser on another machine or profile).
    DeviceCode,
}

/// The Advanced "Check access" table: one row per dataset.
#[derive(Debug, Clone, Serialize)]
pub struct AccessCheckView {
    pub rows: Vec<AccessRowView>,
    /// A permission or directory role is missing (the CLI exits 4).
    pub access_missing: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccessRowView {
    pub label: String,
    /// "yes", "no", "licence" or "not tested".
    pub readable: String,
    pub missing: String,
    pub ask: String,
}

impl From<&pimready_app::preflight::PreflightReport> for AccessCheckView {
    fn from(report: &pimready_app::preflight::PreflightReport) -> Self {
        let pimready_app::preflight::PreflightReport { rows, granted: _ } = report;
        AccessCheckView {
            rows: rows
                .iter()
                .map(|row| {
                    let pimready_app::preflight::PreflightRow {
                        dataset: _,
                        label,
                        request: _,
                        access,
                        ask,
                        doc: _,
                    } = row;
                    AccessRowView {
                        label: label.clone(),
                        readable: access.readable_label().to_owned(),
                        missing: access.missing(),
                        ask: ask.clone(),
                    }
                })
                .collect(),
            access_missing: report.access_missing(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SignedIn {
    pub tenant_id: String,
    pub account: String,
    /// False when no OS keychain is available: the sign-in lasts for this session only.
    pub remembered: bool,
}

/// Sign-in progress, streamed over a `Channel`.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", content = "data", rename_all = "snake_case")]
pub enum SignInEvent {
    CodeIssued {
        user_code: String,
        verification_uri: String,
    },
    BrowserOpened {
        url: String,
    },
    Waiting,
    SignedIn {
        account: String,
    },
    Failed {
        kind: crate::error::ErrorKind,
        message: String,
    },
}

/// Collection progress, streamed over a `Channel`.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", content = "data", rename_all = "snake_case")]
pub enum ProgressEvent {
    Step {
        index: u32,
        total: u32,
        label: String,
    },
    StepDone {
        index: u32,
        count: Option<u32>,
        gap: Option<String>,
    },
    Evaluating,
}

/// The History screen: stored tenants and the assessments of the one asked for.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryView {
    pub tenants: Vec<pimready_history::TenantRecord>,
    /// Newest first.
    pub assessments: Vec<pimready_history::AssessmentSummary>,
    /// Where the history file is, for the user who wants to back it up.
    pub path: String,
}

/// One row of the portfolio: the latest assessment of a stored tenant.
#[derive(Debug, Clone, Serialize)]
pub struct PortfolioRowView {
    pub tenant: String,
    pub display_name: String,
    pub summary: Option<pimready_report::portfolio::TenantSummary>,
    pub failure: Option<String>,
}

impl From<pimready_report::portfolio::PortfolioRow> for PortfolioRowView {
    fn from(row: pimready_report::portfolio::PortfolioRow) -> Self {
        let (summary, failure) = match row.outcome {
            Ok(s) => (Some(s), None),
            Err(e) => (None, Some(e)),
        };
        PortfolioRowView {
            tenant: row.tenant,
            display_name: row.display_name,
            summary,
            failure,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
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

/// Where an export goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportDestination {
    ReportsFolder,
    SaveAs,
}

#[derive(Debug, Clone, Serialize)]
pub struct Exported {
    pub path: String,
    pub bytes: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_events_have_a_stable_shape() {
        let json = serde_json::to_value(SignInEvent::CodeIssued {
            user_code: "ABCD-EFGH".into(),
            verification_uri: "https://microsoft.com/devicelogin".into(),
        })
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"event": "code_issued", "data": {"user_code": "ABCD-EFGH", "verification_uri": "https://microsoft.com/devicelogin"}})
        );
        let json = serde_json::to_value(SignInEvent::Waiting).unwrap();
        assert_eq!(json, serde_json::json!({"event": "waiting"}));
    }
}
