//! The desktop's only door into `pimready-core`.
//!
//! Commands never call core directly: each function here is a few lines over
//! `pimready-core` (sign-in, collection, assessment, history, reports).

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use pimready_core::assessment::{self, Assessment};
use pimready_core::cloud::{Cloud, Endpoints};
use pimready_core::pricebook::PriceBook;
use pimready_core::snapshot::{Dataset, TenantSnapshot};
use pimready_graph::auth::{
    self, AuthError, BrowserOpener, DeviceCodePrompt, KeyringStore, ProfileStore, SignIn,
    SignInConfig, SystemBrowser,
};
use pimready_graph::collect::{CollectConfig, CollectError, collect_snapshot};
use pimready_graph::progress::Progress;
use pimready_graph::token::TokenSource;
use pimready_history::{self as history, AssessmentDiff, AssessmentId, HistoryError, Store};
use pimready_report::{self as report, Branding, NameMasking, ReportOptions};

use crate::error::{Error, ErrorKind, Result};
use crate::models::{
    ExportFormat, HistoryView, PortfolioRowView, ProgressEvent, SavedTenant, SignInEvent,
    SignInMethod, SignInRequest, SignedIn,
};
use crate::settings_file::DesktopSettings;

/// A signed-in tenant of this session: where its Graph is and how to get tokens.
#[derive(Clone)]
struct Connection {
    cloud: Cloud,
    tokens: Arc<dyn TokenSource>,
}

/// Sessions by tenant id (tokens stay in memory; refresh tokens in the keychain).
fn sessions() -> &'static Mutex<HashMap<String, Connection>> {
    static SESSIONS: OnceLock<Mutex<HashMap<String, Connection>>> = OnceLock::new();
    SESSIONS.get_or_init(|| Mutex::new(HashMap::new()))
}

/// `PIMREADY_AUTHORITY_HOST` / `PIMREADY_GRAPH_HOST` override the cloud's hosts, as in the CLI.
fn host_override(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|v| !v.trim().is_empty())
}

fn profiles() -> Result<ProfileStore> {
    ProfileStore::default_location().ok_or_else(|| {
        Error::new(
            ErrorKind::Io,
            "No configuration folder was found for saved tenants.",
        )
    })
}

fn auth_error(e: &AuthError) -> Error {
    let kind = match e.kind() {
        "consent_required" => ErrorKind::ConsentRequired,
        "network" => ErrorKind::Network,
        "io" => ErrorKind::Io,
        "tenant_mismatch" => ErrorKind::InvalidInput,
        _ => ErrorKind::SignInRequired,
    };
    Error::new(kind, e.to_string())
}

fn collect_error(e: &CollectError) -> Error {
    let kind = match e {
        CollectError::SignIn(_) => ErrorKind::SignInRequired,
        CollectError::Unreachable { .. } => ErrorKind::Network,
        CollectError::TenantMismatch { .. } | CollectError::Setup(_) => ErrorKind::InvalidInput,
        CollectError::NothingRead(_) => ErrorKind::PermissionDenied,
    };
    Error::new(kind, e.to_string())
}

/// Where the history lives: the platform's data folder, or `PIMREADY_DATA_DIR`.
#[derive(Debug, Clone)]
pub struct HistoryFile(pub std::path::PathBuf);

impl HistoryFile {
    fn open(&self) -> Result<Store> {
        Store::open(&self.0).map_err(|e| history_error(&e))
    }
}

/// Saved tenant profiles, each with its last stored score.
pub fn saved_tenants(history: &HistoryFile) -> Vec<SavedTenant> {
    let Ok(profiles) = profiles().and_then(|p| p.list().map_err(|e| auth_error(&e))) else {
        return Vec::new();
    };
    let store = history.open().ok();
    profiles
        .into_iter()
        .map(|p| {
            let last = store
                .as_ref()
                .and_then(|s| s.list(Some(&p.tenant_id)).ok())
                .and_then(|rows| rows.into_iter().next());
            SavedTenant {
                display_name: last
                    .as_ref()
                    .map_or_else(|| p.tenant.clone(), |l| l.display_name.clone()),
                tenant_id: p.tenant_id,
                cloud: p.cloud,
                account: Some(p.account),
                last_score: last.as_ref().map(|l| l.score_percent),
                last_grade: last.as_ref().map(|l| l.grade.clone()),
                last_assessed_at: last.map(|l| l.assessed_at).or(p.last_assessed),
            }
        })
        .collect()
}

/// Opens the system browser and tells the window it did.
struct AnnouncingBrowser<'a> {
    on_event: &'a (dyn Fn(SignInEvent) + Send + Sync),
}

impl BrowserOpener for AnnouncingBrowser<'_> {
    fn open(&self, url: &url::Url) -> std::result::Result<(), String> {
        SystemBrowser.open(url)?;
        (self.on_event)(SignInEvent::BrowserOpened {
            url: url.to_string(),
        });
        Ok(())
    }
}

/// Signs in (silently from the keychain when possible; browser, else device code).
pub async fn sign_in(
    request: &SignInRequest,
    on_event: impl Fn(SignInEvent) + Send + Sync,
) -> Result<SignedIn> {
    let tenant = request.tenant.trim();
    if tenant.is_empty() {
        return Err(Error::invalid_input(
            "Enter the tenant's domain (contoso.com) or its tenant id.",
        ));
    }
    let cloud = Cloud::from(request.cloud);
    let mut config = SignInConfig::new(cloud.as_str(), tenant)
        .map_err(|e| Error::invalid_input(e.to_string()))?;
    if let Some(host) = host_override("PIMREADY_AUTHORITY_HOST") {
        config.authority_host = url::Url::parse(&host)
            .map_err(|e| Error::invalid_input(format!("PIMREADY_AUTHORITY_HOST: {e}")))?;
    }
    if let Some(id) = request
        .client_id
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        id.trim().clone_into(&mut config.client_id);
    }
    let profiles = profiles()?;
    on_event(SignInEvent::Waiting);
    let on_prompt = |p: &DeviceCodePrompt| {
        on_event(SignInEvent::CodeIssued {
            user_code: p.user_code.clone(),
            verification_uri: p.verification_uri.clone(),
        });
    };
    let browser = AnnouncingBrowser {
        on_event: &on_event,
    };
    let prompt = match request.method {
        SignInMethod::Browser => auth::Prompt::BrowserOrDeviceCode {
            browser: &browser,
            on_prompt: &on_prompt,
            sleep: auth::tokio_sleeper(),
        },
        SignInMethod::DeviceCode => auth::Prompt::DeviceCode {
            on_prompt: &on_prompt,
            sleep: auth::tokio_sleeper(),
        },
    };
    let session = match SignIn::new(config).sign_in(&profiles, prompt).await {
        Ok(s) => s,
        Err(e) => {
            let err = auth_error(&e);
            on_event(SignInEvent::Failed {
                kind: err.kind,
                message: err.message.clone(),
            });
            return Err(err);
        }
    };
    let signed_in = SignedIn {
        tenant_id: session.tenant_id().to_owned(),
        account: session.account().to_owned(),
        remembered: session.keychain_warning().is_none(),
    };
    sessions()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(
            signed_in.tenant_id.clone(),
            Connection {
                cloud,
                tokens: session.token_source(),
            },
        );
    on_event(SignInEvent::SignedIn {
        account: signed_in.account.clone(),
    });
    Ok(signed_in)
}

/// Forgets the tenant: its cached sign-in (keychain) and this session's tokens.
pub fn sign_out(tenant_id: &str) -> Result<()> {
    sessions()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .remove(tenant_id);
    auth::sign_out(&profiles()?, &KeyringStore::new(), Some(tenant_id))
        .map_err(|e| auth_error(&e))?;
    Ok(())
}

/// The price book with the user's per-path price overrides applied.
fn price_book(settings: &DesktopSettings) -> PriceBook {
    let mut book = PriceBook::default_book();
    for option in &mut book.options {
        let key = serde_json::to_value(option.path)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned));
        if let Some(price) = key.and_then(|k| settings.price_overrides.get(&k))
            && price.is_finite()
            && *price >= 0.0
        {
            option.monthly_per_user = *price;
        }
    }
    if !settings.price_overrides.is_empty() {
        "built-in list prices with your overrides".clone_into(&mut book.origin);
    }
    book
}

/// An assessment on screen: where it is in the history, or why it is not there.
#[derive(Debug, Clone)]
pub struct Assessed {
    pub assessment: Assessment,
    pub history_id: Option<AssessmentId>,
    pub history_warning: Option<String>,
}

impl Assessed {
    fn unsaved(assessment: Assessment) -> Self {
        Assessed {
            assessment,
            history_id: None,
            history_warning: None,
        }
    }
}

fn assess_and_store(
    snapshot: &TenantSnapshot,
    settings: &DesktopSettings,
    history: &HistoryFile,
) -> Assessed {
    let assessment = assessment::assess(snapshot, &settings.assessment, &price_book(settings));
    // A store that cannot be written never loses the result on screen: the user is told.
    let saved = history.open().and_then(|mut store| {
        store
            .save(snapshot, &assessment, &settings.assessment)
            .map_err(|e| history_error(&e))
    });
    match saved {
        Ok(id) => Assessed {
            assessment,
            history_id: Some(id),
            history_warning: None,
        },
        Err(e) => Assessed {
            assessment,
            history_id: None,
            history_warning: Some(format!(
                "This assessment was not stored in the history: {e}"
            )),
        },
    }
}

/// Reads each dataset of the signed-in tenant once (Advanced > "Check access").
pub async fn check_access(tenant_id: &str) -> Result<pimready_app::preflight::PreflightReport> {
    let connection = sessions()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(tenant_id)
        .cloned();
    let Some(connection) = connection else {
        return Err(Error::new(
            ErrorKind::SignInRequired,
            format!("Sign in to {tenant_id} first."),
        ));
    };
    let endpoints = Endpoints::new(
        connection.cloud,
        host_override("PIMREADY_AUTHORITY_HOST").as_deref(),
        host_override("PIMREADY_GRAPH_HOST").as_deref(),
    )
    .map_err(|e| Error::invalid_input(e.to_string()))?;
    let mut config = CollectConfig::new(tenant_id, connection.cloud);
    config.endpoints = endpoints;
    pimready_app::preflight::probe(&config, connection.tokens)
        .await
        .map_err(|e| collect_error(&e))
}

/// Collects the signed-in tenant (progress per dataset, cancellable), then assesses it.
pub async fn assess_tenant(
    tenant_id: &str,
    settings: &DesktopSettings,
    history: &HistoryFile,
    on_progress: impl Fn(ProgressEvent) + Send + Sync,
    cancel: &AtomicBool,
) -> Result<Assessed> {
    let connection = sessions()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(tenant_id)
        .cloned();
    let Some(connection) = connection else {
        return Err(Error::new(
            ErrorKind::SignInRequired,
            format!("Sign in to {tenant_id} first."),
        ));
    };
    let endpoints = Endpoints::new(
        connection.cloud,
        host_override("PIMREADY_AUTHORITY_HOST").as_deref(),
        host_override("PIMREADY_GRAPH_HOST").as_deref(),
    )
    .map_err(|e| Error::invalid_input(e.to_string()))?;
    let mut config = CollectConfig::new(tenant_id, connection.cloud);
    config.endpoints = endpoints;
    let total = Dataset::ALL.len() as u32;
    let index_of = |d: Dataset| {
        Dataset::ALL
            .iter()
            .position(|x| *x == d)
            .map_or(0, |i| i as u32 + 1)
    };
    let mut sink = |p: Progress| match p {
        Progress::Started { dataset } => {
            on_progress(ProgressEvent::Step {
                index: index_of(dataset),
                total,
                label: dataset.label().to_owned(),
            });
        }
        Progress::Finished { dataset, items } => on_progress(ProgressEvent::StepDone {
            index: index_of(dataset),
            count: Some(u32::try_from(items).unwrap_or(u32::MAX)),
            gap: None,
        }),
        Progress::Gap {
            dataset,
            reason,
            detail,
        } => on_progress(ProgressEvent::StepDone {
            index: index_of(dataset),
            count: None,
            gap: Some(format!("{}: {detail}", reason.as_str())),
        }),
    };
    let collection = collect_snapshot(config, connection.tokens, &mut sink);
    tokio::pin!(collection);
    let snapshot = loop {
        tokio::select! {
            result = &mut collection => break result.map_err(|e| collect_error(&e))?,
            () = tokio::time::sleep(Duration::from_millis(100)) => {
                if cancel.load(Ordering::Relaxed) {
                    return Err(Error::cancelled());
                }
            }
        }
    };
    on_progress(ProgressEvent::Evaluating);
    if let Ok(p) = profiles() {
        let _ = p.mark_assessed(&snapshot.tenant_id, snapshot.meta.collected_at);
    }
    Ok(assess_and_store(&snapshot, settings, history))
}

/// The built-in demo tenant: the embedded snapshot, assessed like any other.
#[allow(clippy::unused_async)] // same shape as `assess_tenant` for the command
pub async fn assess_demo(
    settings: &DesktopSettings,
    on_progress: impl Fn(ProgressEvent),
    cancel: &AtomicBool,
) -> Result<Assessed> {
    if let Some(path) = std::env::var_os("PIMREADY_DEV_ASSESSMENT") {
        // A hand-written assessment (hostile names, empty tenant) for UI work and tests.
        let text =
            std::fs::read_to_string(&path).map_err(|e| Error::io("dev assessment fixture", &e))?;
        return serde_json::from_str(&text)
            .map(Assessed::unsaved)
            .map_err(|e| Error::internal(format!("dev assessment fixture: {e}")));
    }
    if cancel.load(Ordering::Relaxed) {
        return Err(Error::cancelled());
    }
    on_progress(ProgressEvent::Evaluating);
    let snapshot = pimready_core::demo::snapshot();
    // The demo is a tour, not a client: it stays out of the history and the portfolio.
    Ok(Assessed::unsaved(assessment::assess(
        &snapshot,
        &settings.assessment,
        &price_book(settings),
    )))
}

/// Reads a saved snapshot and assesses it.
pub fn assess_snapshot_file(
    path: &Path,
    settings: &DesktopSettings,
    history: &HistoryFile,
) -> Result<Assessed> {
    let snapshot = TenantSnapshot::load(path)?;
    Ok(assess_and_store(&snapshot, settings, history))
}

/// Renders a report with the branding and masking from settings; a stored assessment's
/// PDF also says what changed since the tenant's previous one.
pub fn render(
    format: ExportFormat,
    on_screen: &Assessed,
    settings: &DesktopSettings,
    history_file: &HistoryFile,
) -> Result<Vec<u8>> {
    let assessment = &on_screen.assessment;
    let masking = name_masking(settings);
    match format {
        ExportFormat::Json => {
            Ok(report::json::render(&report::mask::for_data(assessment, masking)).into_bytes())
        }
        ExportFormat::Csv => Ok(report::csv::render(&report::mask::for_data(
            assessment, masking,
        ))),
        ExportFormat::Pdf => {
            let mut options = report_options(settings)?;
            options.history = on_screen.history_id.and_then(|id| {
                let store = history_file.open().ok()?;
                history::report_history(&store, assessment, id)
                    .inspect_err(|e| tracing::warn!("the report leaves out the history: {e}"))
                    .ok()
                    .flatten()
            });
            report::pdf::render(assessment, &options).map_err(|e| Error::internal(e.to_string()))
        }
    }
}

fn name_masking(settings: &DesktopSettings) -> NameMasking {
    if settings.branding.mask_names {
        NameMasking::Masked
    } else {
        NameMasking::Clear
    }
}

/// The cover's branding and the masking, from settings.
fn report_options(settings: &DesktopSettings) -> Result<ReportOptions> {
    let mut options = ReportOptions::new(chrono::Utc::now());
    options.masking = name_masking(settings);
    let mut branding = Branding::default();
    if !settings.branding.consultant_name.trim().is_empty() {
        branding
            .consultant_name
            .clone_from(&settings.branding.consultant_name);
    }
    if !settings.branding.client_display_name.trim().is_empty() {
        branding.client_display_name = Some(settings.branding.client_display_name.clone());
    }
    if let Some(logo) = &settings.branding.logo_path {
        branding.logo_png =
            Some(std::fs::read(logo).map_err(|e| {
                Error::io(&format!("Could not read the logo {}", logo.display()), &e)
            })?);
    }
    options.branding = branding;
    Ok(options)
}

// ---------------------------------------------------------------- history

fn history_error(e: &HistoryError) -> Error {
    let kind = match e.kind() {
        "unknown_tenant" | "ambiguous_tenant" | "different_tenants" | "not_found"
        | "tenant_mismatch" => ErrorKind::InvalidInput,
        _ => ErrorKind::Io,
    };
    Error::new(kind, e.to_string())
}

/// Stored tenants, and the assessments of `tenant_id` (all tenants' when `None`).
pub fn history_view(history: &HistoryFile, tenant_id: Option<&str>) -> Result<HistoryView> {
    let store = history.open()?;
    Ok(HistoryView {
        tenants: store.tenants().map_err(|e| history_error(&e))?,
        assessments: store.list(tenant_id).map_err(|e| history_error(&e))?,
        path: store.path().display().to_string(),
    })
}

/// A stored assessment, as it was when it was made.
pub fn stored_assessment(history: &HistoryFile, id: i64) -> Result<Assessed> {
    let id = AssessmentId(id);
    let assessment = history
        .open()?
        .load_assessment(id)
        .map_err(|e| history_error(&e))?;
    Ok(Assessed {
        assessment,
        history_id: Some(id),
        history_warning: None,
    })
}

/// What changed between two stored assessments of one tenant (older first).
pub fn compare(history: &HistoryFile, first: i64, second: i64) -> Result<AssessmentDiff> {
    history
        .open()?
        .compare(AssessmentId(first), AssessmentId(second))
        .map_err(|e| history_error(&e))
}

/// Every stored tenant's latest assessment.
pub fn portfolio(history: &HistoryFile) -> Result<Vec<PortfolioRowView>> {
    let rows = history::portfolio(&history.open()?).map_err(|e| history_error(&e))?;
    Ok(rows.into_iter().map(PortfolioRowView::from).collect())
}

/// The portfolio as a PDF page (branded like the reports) or a CSV.
pub fn render_portfolio(
    format: ExportFormat,
    settings: &DesktopSettings,
    history: &HistoryFile,
) -> Result<Vec<u8>> {
    let rows = history::portfolio(&history.open()?).map_err(|e| history_error(&e))?;
    if rows.is_empty() {
        return Err(Error::invalid_input(
            "No tenant has been assessed yet: the portfolio is empty.",
        ));
    }
    match format {
        ExportFormat::Csv => Ok(report::portfolio::render_csv(&rows)),
        ExportFormat::Pdf => report::portfolio::render_pdf(&rows, &report_options(settings)?)
            .map_err(|e| Error::internal(e.to_string())),
        ExportFormat::Json => Err(Error::invalid_input("The portfolio exports as PDF or CSV.")),
    }
}

/// What "Forget this tenant" removed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Forgotten {
    pub assessments: usize,
    pub sign_ins: usize,
}

/// Deletes the tenant's stored assessments, its cached sign-in and this session's tokens.
pub fn forget_tenant(history: &HistoryFile, tenant_id: &str) -> Result<Forgotten> {
    let assessments = match history.open()?.forget_tenant(tenant_id) {
        Ok(n) => n,
        Err(HistoryError::UnknownTenant(_)) => 0,
        Err(e) => return Err(history_error(&e)),
    };
    sessions()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .remove(tenant_id);
    let sign_ins = auth::sign_out(&profiles()?, &KeyringStore::new(), Some(tenant_id))
        .map_err(|e| auth_error(&e))?
        .len();
    Ok(Forgotten {
        assessments,
        sign_ins,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pimready_core::finding::Status;

    #[test]
    fn dev_fixture_matches_the_assessment_contract() {
        let a: Assessment =
            serde_json::from_str(include_str!("../dev-fixtures/demo-assessment.json")).unwrap();
        assert_eq!(a.tenant.display_name, "Contoso Ltd");
        assert_eq!(a.checks.len(), 26);
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
    }

    #[test]
    fn the_demo_renders_in_every_format() {
        let settings = DesktopSettings::default();
        let a = Assessed::unsaved(assessment::assess(
            &pimready_core::demo::snapshot(),
            &settings.assessment,
            &price_book(&settings),
        ));
        let dir = tempfile::tempdir().unwrap();
        let history = HistoryFile(dir.path().join("history.sqlite3"));
        let pdf = render(ExportFormat::Pdf, &a, &settings, &history).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(
            render(ExportFormat::Csv, &a, &settings, &history)
                .unwrap()
                .starts_with("\u{feff}".as_bytes())
        );
        let json: serde_json::Value =
            serde_json::from_slice(&render(ExportFormat::Json, &a, &settings, &history).unwrap())
                .unwrap();
        assert_eq!(json["tenant"]["display_name"], "Contoso Ltd");
    }

    #[test]
    fn masked_exports_name_no_user() {
        let mut settings = DesktopSettings::default();
        settings.branding.mask_names = true;
        let a = Assessed::unsaved(assessment::assess(
            &pimready_core::demo::snapshot(),
            &settings.assessment,
            &price_book(&settings),
        ));
        let upns: Vec<String> = a
            .assessment
            .checks
            .iter()
            .flat_map(|f| f.evidence.iter())
            .filter_map(|e| e.principal_name.clone())
            .filter(|p| p.contains('@'))
            .collect();
        assert!(!upns.is_empty());
        let dir = tempfile::tempdir().unwrap();
        let history = HistoryFile(dir.path().join("history.sqlite3"));
        for format in [ExportFormat::Json, ExportFormat::Csv] {
            let bytes = render(format, &a, &settings, &history).unwrap();
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
        let book = price_book(&settings);
        let p2 = book
            .options
            .iter()
            .find(|o| o.path == pimready_core::licensing::LicencePath::EntraIdP2)
            .unwrap();
        assert!((p2.monthly_per_user - 12.5).abs() < f64::EPSILON);
    }
}
