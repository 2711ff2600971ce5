//! Types that cross into the UI. Converted from core by exhaustive destructuring, so a
//! new core field fails to compile here until someone decides whether the UI sees it.

use chrono::{DateTime, Utc};
use pimready_core::assessment::{Assessment, CollectionInfo, GapInfo, Headline, TenantInfo};
use pimready_core::cost::CostEstimate;
use pimready_core::finding::{Evidence, Finding, MissingData, Reference, Remediation};
use pimready_core::licensing::Licensing;
use pimready_core::plan::PlanStep;
use pimready_core::score::{Grade, Score};
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
    pub id: pimready_core::checks::CheckId,
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
            // The desktop shows designations from its Settings, not from the report.
            emergency_accounts: _,
            // Named in the plan steps and the approval findings the desktop shows.
            suggested_approvers: _,
            // The desktop shows Azure through its AZ findings (evidence names each standing
            // Owner) and plan steps; the section itself is for the PDF, JSON and CSV.
            azure: _,
        } = a.clone();
        AssessmentView {
            assessed_at,
            tenant,
            headline: pimready_core::assessment::Headline {
                licence: a.licence_verdict(),
                ..headline
            },
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
    pub cloud: pimready_core::cloud::Cloud,
    pub account: Option<String>,
    pub last_score: Option<f64>,
    pub last_grade: Option<Grade>,
    pub last_assessed_at: Option<DateTime<Utc>>,
}

/// What the user typed on the Connect screen.
#[derive(Debug, Clone, Deserialize)]
pub struct SignInRequest {
    /// Domain (`contoso.com`) or tenant id (GUID).
    pub tenant: String,
    pub cloud: pimready_core::cloud::Cloud,
    pub client_id: Option<String>,
    #[serde(default)]
    pub method: SignInMethod,
    /// Advanced: the redirect URI's host, as `--redirect-host` (`localhost` unless the
    /// user's own app registration lists `http://127.0.0.1`).
    #[serde(default)]
    pub redirect_host: RedirectHostChoice,
    /// Advanced: also sign in to Azure Resource Manager to assess Azure resource roles
    /// (on unless the user unticks it, as `--no-azure`).
    #[serde(default = "yes")]
    pub azure: bool,
}

fn yes() -> bool {
    true
}

/// The redirect host the user chose; the wire values are the CLI's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum RedirectHostChoice {
    #[default]
    #[serde(rename = "localhost")]
    Localhost,
    #[serde(rename = "127.0.0.1")]
    Ipv4Loopback,
}

impl From<RedirectHostChoice> for pimready_graph::auth::RedirectHost {
    fn from(choice: RedirectHostChoice) -> Self {
        match choice {
            RedirectHostChoice::Localhost => pimready_graph::auth::RedirectHost::Localhost,
            RedirectHostChoice::Ipv4Loopback => pimready_graph::auth::RedirectHost::Ipv4Loopback,
        }
    }
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

// ------------------------------------------------ conversions from the application layer

impl SignInRequest {
    /// The tenant target this request names; `hosts` come from the environment
    /// ([`crate::state::AppState::hosts`]), never from the webview.
    pub fn target(
        &self,
        hosts: pimready_app::target::HostOverrides,
    ) -> crate::error::Result<pimready_app::target::Target> {
        let SignInRequest {
            tenant,
            cloud,
            client_id,
            method: _,
            redirect_host,
            azure,
        } = self;
        Ok(pimready_app::target::Target::new(tenant, *cloud)?
            .with_client_id(client_id.as_deref())
            .with_redirect_host((*redirect_host).into())
            .with_azure(if *azure {
                pimready_app::target::AzureSignIn::WithGraph
            } else {
                pimready_app::target::AzureSignIn::Skip
            })
            .with_hosts(hosts))
    }
}

impl From<SignInMethod> for pimready_app::connect::SignInMethod {
    fn from(method: SignInMethod) -> Self {
        match method {
            SignInMethod::Browser => pimready_app::connect::SignInMethod::Browser,
            SignInMethod::DeviceCode => pimready_app::connect::SignInMethod::DeviceCode,
        }
    }
}

impl SignInEvent {
    pub fn code_issued(prompt: &pimready_graph::auth::DeviceCodePrompt) -> Self {
        SignInEvent::CodeIssued {
            user_code: prompt.user_code.clone(),
            verification_uri: prompt.verification_uri.clone(),
        }
    }
}

/// Opens the system browser and tells the window it did.
pub struct AnnouncingBrowser<'a> {
    pub on_event: &'a (dyn Fn(SignInEvent) + Send + Sync),
}

impl pimready_graph::auth::BrowserOpener for AnnouncingBrowser<'_> {
    fn open(&self, url: &url::Url) -> std::result::Result<(), String> {
        pimready_graph::auth::SystemBrowser.open(url)?;
        (self.on_event)(SignInEvent::BrowserOpened {
            url: url.to_string(),
        });
        Ok(())
    }
}

impl From<&pimready_app::connect::Connection> for SignedIn {
    fn from(c: &pimready_app::connect::Connection) -> Self {
        SignedIn {
            tenant_id: c.tenant_id.clone(),
            account: c.account.clone(),
            remembered: c.keychain_warning.is_none(),
        }
    }
}

impl From<pimready_app::run::Step> for ProgressEvent {
    fn from(step: pimready_app::run::Step) -> Self {
        use pimready_app::run::Step;
        match step {
            Step::Started {
                index,
                total,
                dataset,
            } => ProgressEvent::Step {
                index,
                total,
                label: dataset.label().to_owned(),
            },
            Step::Read { index, items, .. } => ProgressEvent::StepDone {
                index,
                count: Some(u32::try_from(items).unwrap_or(u32::MAX)),
                gap: None,
            },
            Step::Gap {
                index,
                reason,
                detail,
                ..
            } => ProgressEvent::StepDone {
                index,
                count: None,
                gap: Some(format!("{}: {detail}", reason.as_str())),
            },
        }
    }
}

impl From<pimready_app::stored::SavedTenant> for SavedTenant {
    fn from(saved: pimready_app::stored::SavedTenant) -> Self {
        let pimready_app::stored::SavedTenant { profile, latest } = saved;
        SavedTenant {
            display_name: latest
                .as_ref()
                .map_or_else(|| profile.tenant.clone(), |l| l.display_name.clone()),
            tenant_id: profile.tenant_id,
            cloud: profile.cloud,
            account: Some(profile.account),
            last_score: latest.as_ref().map(|l| l.score_percent),
            last_grade: latest.as_ref().map(|l| l.grade),
            last_assessed_at: latest.map(|l| l.assessed_at).or(profile.last_assessed),
        }
    }
}

impl From<ExportFormat> for pimready_app::export::ExportFormat {
    fn from(format: ExportFormat) -> Self {
        match format {
            ExportFormat::Pdf => pimready_app::export::ExportFormat::Pdf,
            ExportFormat::Json => pimready_app::export::ExportFormat::Json,
            ExportFormat::Csv => pimready_app::export::ExportFormat::Csv,
        }
    }
}

/// `PIMREADY_DEV_ASSESSMENT`: an assessment file shown as if assessed, for UI work and
/// tests: `dev-fixtures/demo-assessment.json` (the demo tenant, generated) or
/// `dev-fixtures/hostile-assessment.json` (hand-made: markup and odd strings).
pub fn dev_assessment(path: &std::path::Path) -> crate::error::Result<pimready_app::run::Assessed> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| crate::error::Error::io("dev assessment fixture", &e))?;
    serde_json::from_str(&text)
        .map(pimready_app::run::Assessed::unsaved)
        .map_err(|e| crate::error::Error::internal(format!("dev assessment fixture: {e}")))
}

#[cfg(test)]
mod export_tests {
    use pimready_app::export::{self, ExportFormat};
    use pimready_app::run::{Assessed, HistoryFile};
    use pimready_core::assessment::{self, Assessment};
    use pimready_core::finding::Status;

    use crate::settings_file::DesktopSettings;

    fn demo(settings: &DesktopSettings) -> Assessed {
        Assessed::unsaved(assessment::assess(
            &pimready_core::demo::snapshot(),
            &settings.assessment,
            &export::price_book(&settings.price_overrides),
        ))
    }

    fn render(format: ExportFormat, a: &Assessed, settings: &DesktopSettings) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let history = HistoryFile::at(dir.path().join("history.sqlite3"));
        export::render(format, a, &settings.report_options().unwrap(), &history).unwrap()
    }

    const DEV_FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/dev-fixtures");

    /// The demo tenant as "Open the demo tenant" assesses it with default settings, as the
    /// JSON export writes it. No clock: the date is the demo snapshot's collection date.
    fn demo_assessment_json() -> String {
        let settings = DesktopSettings::default();
        let a = assessment::assess(
            &pimready_core::demo::snapshot(),
            &pimready_core::demo::settings(settings.assessment.clone()),
            &export::price_book(&settings.price_overrides),
        );
        pimready_report::json::render(&a)
    }

    /// `dev-fixtures/demo-assessment.json` is generated: fails when it is stale;
    /// `UPDATE_EXPECT=1 cargo test -p pimready-desktop dev_fixture` rewrites it.
    #[test]
    fn dev_fixture_is_the_demo_assessment() {
        let path = format!("{DEV_FIXTURES}/demo-assessment.json");
        let fresh = demo_assessment_json();
        assert_eq!(
            fresh,
            demo_assessment_json(),
            "the demo assessment is deterministic"
        );
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != fresh {
            if std::env::var_os("UPDATE_EXPECT").is_some() {
                std::fs::write(&path, &fresh).unwrap();
            } else {
                panic!(
                    "src-tauri/dev-fixtures/demo-assessment.json is stale: run `UPDATE_EXPECT=1 cargo test -p pimready-desktop dev_fixture`"
                );
            }
        }
        // What `PIMREADY_DEV_ASSESSMENT` loads is that assessment, field for field.
        let loaded: Assessment = super::dev_assessment(path.as_ref()).unwrap().assessment;
        let expected: Assessment = serde_json::from_str(&fresh).unwrap();
        assert_eq!(loaded, expected);
        assert_eq!(loaded.tenant.display_name, "Contoso Ltd");
        assert!(loaded.azure.is_some());
    }

    /// The hand-made hostile fixture (markup and odd strings for the UI) still loads and
    /// speaks the current contract: every check of the catalog once, the emergency-account
    /// words of today, hostile text where the UI shows names.
    #[test]
    fn hostile_dev_fixture_matches_the_assessment_contract() {
        let path = format!("{DEV_FIXTURES}/hostile-assessment.json");
        let a: Assessment = super::dev_assessment(path.as_ref()).unwrap().assessment;
        let ids: Vec<String> = a.checks.iter().map(|c| c.id.to_string()).collect();
        let catalog: Vec<String> = pimready_core::checks::catalog()
            .iter()
            .map(|c| c.id.to_string())
            .collect();
        assert_eq!(
            ids, catalog,
            "the hostile fixture lists the catalog's checks, in order"
        );
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
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("a guess"), "old emergency-account wording");
        assert!(a.tenant.display_name.contains("<script>"));
        assert!(
            a.emergency_accounts
                .iter()
                .any(|e| e.display_name.contains('<')),
            "a hostile emergency account name"
        );
        let azure = a.azure.as_ref().expect("an azure section");
        assert!(
            azure
                .subscriptions
                .iter()
                .any(|s| s.display_name.contains('<'))
        );
    }

    #[test]
    fn the_demo_renders_in_every_format() {
        let settings = DesktopSettings::default();
        let a = demo(&settings);
        assert!(render(ExportFormat::Pdf, &a, &settings).starts_with(b"%PDF-"));
        assert!(render(ExportFormat::Csv, &a, &settings).starts_with("\u{feff}".as_bytes()));
        let json: serde_json::Value =
            serde_json::from_slice(&render(ExportFormat::Json, &a, &settings)).unwrap();
        assert_eq!(json["tenant"]["display_name"], "Contoso Ltd");
    }

    #[test]
    fn masked_exports_name_no_user() {
        let mut settings = DesktopSettings::default();
        settings.branding.mask_names = true;
        let a = demo(&settings);
        let upns: Vec<String> = a
            .assessment
            .checks
            .iter()
            .flat_map(|f| f.evidence.iter())
            .filter_map(|e| e.principal_name.clone())
            .filter(|p| p.contains('@'))
            .collect();
        assert!(!upns.is_empty());
        for format in [ExportFormat::Json, ExportFormat::Csv] {
            let bytes = render(format, &a, &settings);
            let text = String::from_utf8_lossy(&bytes);
            for upn in &upns {
                assert!(!text.contains(upn.as_str()), "{format:?} names {upn}");
            }
        }
    }

    #[test]
    fn price_overrides_reach_the_price_book() {
        let mut settings = DesktopSettings::default();
        settings.price_overrides.insert("entra_id_p2".into(), 12.5);
        let book = export::price_book(&settings.price_overrides);
        let p2 = book
            .options
            .iter()
            .find(|o| o.path == pimready_core::licensing::LicencePath::EntraIdP2)
            .unwrap();
        assert!((p2.monthly_per_user - 12.5).abs() < f64::EPSILON);
    }
}

/// The user's choices on the Changes screen (UPNs or object ids; change ids left out).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ChangesRequest {
    pub approvers: Vec<String>,
    pub reviewers: Vec<String>,
    pub notify: Vec<String>,
    pub deselected: Vec<String>,
}

/// The change-set exactly as `pimready remediate` writes it (`change_set_version` 1), and
/// the tenant's users the approvers and reviewers are picked from.
#[derive(Debug, Clone, Serialize)]
pub struct ChangesView {
    pub change_set: pimready_core::remediation::ChangeSet,
    pub users: Vec<pimready_core::remediation::NamedUser>,
}

/// "Apply…" on the Changes screen: the choices the change-set is computed from, the
/// typed confirmation (checked in Rust), and how to sign in with write permissions.
#[derive(Debug, Clone, Deserialize)]
pub struct ApplyRequest {
    #[serde(default)]
    pub choices: ChangesRequest,
    /// The tenant's default domain (or id) as the user typed it.
    pub confirm: String,
    pub sign_in: SignInRequest,
}

/// "Roll back…": the journal to undo (one this window wrote; `None` asks with the open
/// dialog), the typed confirmation and how to sign in.
#[derive(Debug, Clone, Deserialize)]
pub struct RollbackRequest {
    #[serde(default)]
    pub journal: Option<std::path::PathBuf>,
    pub confirm: String,
    pub sign_in: SignInRequest,
}

/// Apply and rollback progress, streamed over a `Channel`: the sign-in, then each change
/// as the journal records it.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", content = "data", rename_all = "snake_case")]
pub enum ApplyEvent {
    SignIn(SignInEvent),
    Change(pimready_app::apply::JournalEntry),
}

/// What an apply or a rollback did: the journal as written, and where.
#[derive(Debug, Clone, Serialize)]
pub struct JournalView {
    pub journal_path: String,
    /// The change-set beside it.
    pub change_set_path: String,
    pub journal: pimready_app::apply::Journal,
}

#[cfg(test)]
mod sign_in_tests {
    use super::*;

    /// The Advanced choices reach the sign-in as the CLI's flags do: Azure on unless
    /// unticked (`--no-azure`), the redirect host as `--redirect-host`.
    #[test]
    fn advanced_choices_map_to_the_target() {
        let request =
            |json: serde_json::Value| -> SignInRequest { serde_json::from_value(json).unwrap() };
        let default = request(serde_json::json!({"tenant": "contoso.com", "cloud": "global"}));
        let t = default
            .target(pimready_app::target::HostOverrides::default())
            .unwrap();
        assert_eq!(t.azure(), pimready_app::target::AzureSignIn::WithGraph);
        let skip = request(serde_json::json!({
            "tenant": "contoso.com", "cloud": "global", "azure": false, "redirect_host": "127.0.0.1"
        }));
        let t = skip
            .target(pimready_app::target::HostOverrides::default())
            .unwrap();
        assert_eq!(t.azure(), pimready_app::target::AzureSignIn::Skip);
        assert_eq!(
            t.sign_in_config().unwrap().redirect_host,
            pimready_graph::auth::RedirectHost::Ipv4Loopback
        );
    }
}
