//! Tauri commands: take the arguments, call `pimready_app`, map the result. A few lines each.
//! Generic over the runtime so the IPC tests can run them on `MockRuntime`.

// IPC hands commands owned arguments and `State` by value.
#![allow(clippy::needless_pass_by_value)]

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;

use pimready_app::apply;
use pimready_app::connect::{self as app_connect, SignInPrompts};
use pimready_app::export;
use pimready_app::run::{self, Assessed, Save};
use pimready_app::stored::{self, Forgotten};
use pimready_graph::auth::DeviceCodePrompt;

use crate::error::{Error, Result};
use crate::models::{
    AccessCheckView, ApplyEvent, ApplyRequest, AssessmentView, ChangesRequest, ChangesView,
    ExportDestination, ExportFormat, Exported, HistoryView, JournalView, PortfolioRowView,
    ProgressEvent, RollbackRequest, SavedTenant, SignInEvent, SignInRequest, SignedIn,
};
use crate::settings_file::{self, DesktopSettings};
use crate::state::AppState;

/// Every command, for `generate_handler!` and the capability test (see `build.rs`).
pub const NAMES: &[&str] = include!("command_names.rs");

#[tauri::command]
pub fn list_tenants(state: State<'_, AppState>) -> Vec<SavedTenant> {
    // No configuration folder means no saved tenants: the Connect screen simply lists none.
    stored::saved_tenants(&state.history)
        .map(|all| all.into_iter().map(SavedTenant::from).collect())
        .unwrap_or_default()
}

#[tauri::command]
pub async fn sign_in(
    request: SignInRequest,
    on_event: Channel<SignInEvent>,
    state: State<'_, AppState>,
) -> Result<SignedIn> {
    let send = |e: SignInEvent| drop(on_event.send(e));
    let target = request.target(state.hosts.clone())?;
    send(SignInEvent::Waiting);
    let on_device_code = |p: &DeviceCodePrompt| send(SignInEvent::code_issued(p));
    let browser = crate::models::AnnouncingBrowser { on_event: &send };
    let prompts = SignInPrompts {
        browser: &browser,
        on_device_code: &on_device_code,
    };
    let connection = match app_connect::sign_in(&target, request.method.into(), prompts).await {
        Ok(c) => c,
        Err(problem) => {
            let err = Error::from(problem);
            send(SignInEvent::Failed {
                kind: err.kind,
                message: err.message.clone(),
            });
            return Err(err);
        }
    };
    let signed_in = SignedIn::from(&connection);
    state.sessions.insert(connection);
    send(SignInEvent::SignedIn {
        account: signed_in.account.clone(),
    });
    state
        .lock()
        .accounts
        .push((signed_in.tenant_id.clone(), signed_in.account.clone()));
    Ok(signed_in)
}

#[tauri::command]
pub fn sign_out(tenant_id: String, state: State<'_, AppState>) -> Result<()> {
    state.sessions.remove(&tenant_id);
    app_connect::sign_out(Some(&tenant_id))?;
    state.lock().accounts.retain(|(t, _)| *t != tenant_id);
    Ok(())
}

#[tauri::command]
pub async fn run_assessment(
    tenant_id: String,
    on_progress: Channel<ProgressEvent>,
    state: State<'_, AppState>,
) -> Result<AssessmentView> {
    let (settings, cancel) = begin_run(&state);
    let result = async {
        let connection = state.sessions.require(&tenant_id)?;
        let mut on_step = |step| drop(on_progress.send(ProgressEvent::from(step)));
        let snapshot = run::collect(&connection, &mut on_step, &cancel).await?;
        drop(on_progress.send(ProgressEvent::Evaluating));
        Ok::<_, Error>(assess(&snapshot, &settings, &state))
    }
    .await;
    finish_run(&state, result)
}

#[tauri::command]
pub async fn open_demo(
    on_progress: Channel<ProgressEvent>,
    state: State<'_, AppState>,
) -> Result<AssessmentView> {
    let (settings, cancel) = begin_run(&state);
    if let Some(path) = std::env::var_os("PIMREADY_DEV_ASSESSMENT") {
        // A hand-written assessment (hostile names, empty tenant) for UI work and tests.
        state.lock().basis = None;
        return finish_run(&state, crate::models::dev_assessment(path.as_ref()));
    }
    if cancel.load(Ordering::Relaxed) {
        return finish_run(&state, Err(Error::cancelled()));
    }
    drop(on_progress.send(ProgressEvent::Evaluating));
    // The demo is a tour, not a client: it stays out of the history and the portfolio.
    let snapshot = pimready_core::demo::snapshot();
    let demo_settings = pimready_core::demo::settings(settings.assessment.clone());
    let demo = run::assess_and_save(
        &snapshot,
        &demo_settings,
        &export::price_book(&settings.price_overrides),
        &state.history,
        Save::No,
    );
    keep_basis(&state, &snapshot, &demo_settings, &demo);
    if let Some(basis) = &mut state.lock().basis {
        basis.demo = true;
    }
    finish_run(&state, Ok(demo))
}

/// Advanced > "Check access": what the signed-in account can read, and what to ask for.
#[tauri::command]
pub async fn check_access(
    tenant_id: String,
    state: State<'_, AppState>,
) -> Result<AccessCheckView> {
    let connection = state.sessions.require(&tenant_id)?;
    let report = pimready_app::preflight::check(&connection).await?;
    Ok(AccessCheckView::from(&report))
}

#[tauri::command]
pub fn cancel_assessment(state: State<'_, AppState>) {
    if let Some(cancel) = &state.lock().cancel {
        cancel.store(true, Ordering::Relaxed);
    }
}

/// `path: None` asks with the system's open dialog.
#[tauri::command]
pub async fn load_snapshot<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<AssessmentView> {
    let path = pick(&state, || {
        app.dialog()
            .file()
            .add_filter("PIM Ready snapshot", &["json"])
            .blocking_pick_file()
    })?;
    let settings = state.lock().settings.clone();
    let result = pimready_core::snapshot::TenantSnapshot::load(&path)
        .map_err(Error::from)
        .map(|snapshot| assess(&snapshot, &settings, &state));
    finish_run(&state, result)
}

#[tauri::command]
pub async fn export_report<R: Runtime>(
    format: ExportFormat,
    destination: ExportDestination,
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<Exported> {
    let (on_screen, settings) = {
        let inner = state.lock();
        let current = inner
            .current
            .clone()
            .ok_or_else(|| Error::invalid_input("Open an assessment first."))?;
        (current, inner.settings.clone())
    };
    let options = settings.report_options()?;
    let file_name = export::file_name(&on_screen.assessment, format.into(), options.masking);
    let (path, existing) = destination_path(&app, &state, destination, &file_name, format)?;
    let bytes = export::render(format.into(), &on_screen, &options, &state.history)?;
    write_export(&state, &path, &bytes, existing)
}

/// The portfolio of every stored tenant, as a PDF page or a CSV.
#[tauri::command]
pub async fn export_portfolio<R: Runtime>(
    format: ExportFormat,
    destination: ExportDestination,
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<Exported> {
    let settings = state.lock().settings.clone();
    let bytes =
        stored::render_portfolio(format.into(), &settings.report_options()?, &state.history)?;
    let file_name =
        pimready_report::portfolio::file_name(chrono::Utc::now().date_naive(), format.extension());
    let (path, existing) = destination_path(&app, &state, destination, &file_name, format)?;
    write_export(&state, &path, &bytes, existing)
}

/// Where an export goes, and whether it may replace a file there: in the reports folder a
/// file of the same name is kept (the export is numbered, as the CLI numbers it without
/// `--force`); a path from the save dialog replaces, because the dialog asked the user.
fn destination_path<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    destination: ExportDestination,
    file_name: &str,
    format: ExportFormat,
) -> Result<(PathBuf, export::Existing)> {
    match destination {
        ExportDestination::ReportsFolder => Ok((
            state.reports_folder().join(file_name),
            export::Existing::Keep,
        )),
        ExportDestination::SaveAs => pick(state, || {
            app.dialog()
                .file()
                .set_file_name(file_name)
                .add_filter(format.extension().to_uppercase(), &[format.extension()])
                .blocking_save_file()
        })
        .map(|path| (path, export::Existing::Replace)),
    }
}

/// Atomic and 0600: an interrupted export never leaves half a file or damages an older one.
fn write_export(
    state: &AppState,
    path: &std::path::Path,
    bytes: &[u8],
    existing: export::Existing,
) -> Result<Exported> {
    let written = export::write_export(path, bytes, existing)?;
    state
        .written
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push(written.clone());
    Ok(Exported {
        path: written.display().to_string(),
        bytes: bytes.len() as u64,
    })
}

#[tauri::command]
pub fn show_in_folder<R: Runtime>(
    path: PathBuf,
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<()> {
    let exported = state
        .written
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .contains(&path);
    if !exported {
        return Err(Error::invalid_input(
            "Only a report this window exported can be shown in its folder.",
        ));
    }
    app.opener()
        .reveal_item_in_dir(&path)
        .map_err(|e| Error::internal(e.to_string()))
}

/// Opens a benchmark reference in the system browser: only a link the check catalog
/// itself cites (all https), never a URL the webview made up.
#[tauri::command]
pub fn open_reference<R: Runtime>(url: String, app: AppHandle<R>) -> Result<()> {
    if !is_catalog_reference(&url) {
        return Err(Error::invalid_input(
            "Only the check catalog's own reference links can be opened.",
        ));
    }
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(|e| Error::internal(e.to_string()))
}

#[tauri::command]
pub fn list_history(tenant_id: Option<String>, state: State<'_, AppState>) -> Result<HistoryView> {
    let store = state.history.open()?;
    Ok(HistoryView {
        tenants: store.tenants().map_err(pimready_app::Problem::from)?,
        assessments: store
            .list(tenant_id.as_deref())
            .map_err(pimready_app::Problem::from)?,
        path: store.path().display().to_string(),
    })
}

/// Puts a stored assessment on screen (Overview, Findings, exports).
#[tauri::command]
pub fn open_stored_assessment(id: i64, state: State<'_, AppState>) -> Result<AssessmentView> {
    let id = pimready_history::AssessmentId(id);
    let result = state
        .history
        .open()
        .and_then(|store| store.load_assessment(id).map_err(Into::into))
        .map(|assessment| Assessed {
            assessment,
            history_id: Some(id),
            history_warning: None,
        })
        .map_err(Error::from);
    if result.is_ok() {
        // A stored assessment has no snapshot: no change-set from it.
        state.lock().basis = None;
    }
    finish_run(&state, result)
}

#[tauri::command]
pub fn compare_assessments(
    first: i64,
    second: i64,
    state: State<'_, AppState>,
) -> Result<pimready_history::AssessmentDiff> {
    let store = state.history.open()?;
    Ok(store
        .compare(
            pimready_history::AssessmentId(first),
            pimready_history::AssessmentId(second),
        )
        .map_err(pimready_app::Problem::from)?)
}

#[tauri::command]
pub fn list_portfolio(state: State<'_, AppState>) -> Result<Vec<PortfolioRowView>> {
    Ok(stored::portfolio_rows(&state.history)?
        .into_iter()
        .map(PortfolioRowView::from)
        .collect())
}

/// Deletes the tenant's history and cached sign-in.
#[tauri::command]
pub fn forget_tenant(tenant_id: String, state: State<'_, AppState>) -> Result<Forgotten> {
    let forgotten = stored::forget_tenant(&state.history, &state.sessions, &tenant_id)?;
    let mut inner = state.lock();
    inner.accounts.retain(|(t, _)| *t != tenant_id);
    if inner
        .current
        .as_ref()
        .is_some_and(|c| c.assessment.tenant.id.eq_ignore_ascii_case(&tenant_id))
    {
        inner.current = None;
    }
    Ok(forgotten)
}

#[derive(Debug, Serialize)]
pub struct SettingsView {
    pub settings: DesktopSettings,
    /// Where the settings file lives.
    pub path: String,
    /// The reports folder in effect (the default when none is set).
    pub reports_folder: String,
    /// A damaged settings file that was reset; shown once.
    pub warning: Option<String>,
}

#[tauri::command]
pub fn get_settings(state: State<'_, AppState>) -> SettingsView {
    settings_view(&state)
}

#[tauri::command]
pub fn save_settings(
    mut settings: DesktopSettings,
    state: State<'_, AppState>,
) -> Result<SettingsView> {
    // Paths come from Rust-side dialogs, never from the webview: the reports folder and the
    // logo stay what they are (choose_reports_folder changes the folder).
    {
        let current = &state.lock().settings;
        settings.reports_folder.clone_from(&current.reports_folder);
        settings
            .branding
            .logo_path
            .clone_from(&current.branding.logo_path);
    }
    store_settings(settings, &state)
}

fn store_settings(settings: DesktopSettings, state: &AppState) -> Result<SettingsView> {
    settings_file::save(&state.settings_path, &settings)?;
    state.lock().settings = settings;
    Ok(settings_view(state))
}

#[tauri::command]
pub async fn choose_reports_folder<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<SettingsView> {
    let folder = pick(&state, || {
        app.dialog()
            .file()
            .set_directory(state.reports_folder())
            .blocking_pick_folder()
    })?;
    let mut settings = state.lock().settings.clone();
    settings.reports_folder = Some(folder);
    store_settings(settings, &state)
}

fn settings_view(state: &AppState) -> SettingsView {
    let reports_folder = state.reports_folder().display().to_string();
    let mut inner = state.lock();
    SettingsView {
        settings: inner.settings.clone(),
        path: state.settings_path.display().to_string(),
        reports_folder,
        warning: inner.settings_warning.take(),
    }
}

fn begin_run(state: &AppState) -> (DesktopSettings, Arc<AtomicBool>) {
    let cancel = Arc::new(AtomicBool::new(false));
    let mut inner = state.lock();
    inner.cancel = Some(cancel.clone());
    (inner.settings.clone(), cancel)
}

/// Assesses a collected or loaded snapshot with the user's settings and stores it.
fn assess(
    snapshot: &pimready_core::snapshot::TenantSnapshot,
    settings: &DesktopSettings,
    state: &AppState,
) -> Assessed {
    let assessment_settings = settings.assessment_for(&snapshot.tenant_id);
    let assessed = run::assess_and_save(
        snapshot,
        &assessment_settings,
        &export::price_book(&settings.price_overrides),
        &state.history,
        Save::Yes,
    );
    keep_basis(state, snapshot, &assessment_settings, &assessed);
    assessed
}

/// Remembers what the assessment came from, with the emergency accounts it was assessed
/// with (a run without a designation reuses the tenant's last one).
fn keep_basis(
    state: &AppState,
    snapshot: &pimready_core::snapshot::TenantSnapshot,
    settings: &pimready_core::settings::AssessmentSettings,
    assessed: &Assessed,
) {
    let mut settings = settings.clone();
    settings.emergency_accounts = assessed
        .assessment
        .emergency_accounts
        .iter()
        .filter(|e| e.status == pimready_core::privileged::EmergencyOrigin::Designated)
        .map(|e| {
            e.id.clone()
                .unwrap_or_else(|| e.user_principal_name.clone())
        })
        .collect();
    state.lock().basis = Some(crate::state::Basis {
        snapshot: snapshot.clone(),
        settings,
        demo: false,
        applied: None,
    });
}

/// The Changes screen: the change-set of the assessment on screen, with the user's choices.
#[tauri::command]
pub fn compute_changes(choices: ChangesRequest, state: State<'_, AppState>) -> Result<ChangesView> {
    let change_set = change_set(&choices, &state)?;
    let basis = state.lock().basis.clone().ok_or_else(no_basis)?;
    Ok(ChangesView {
        users: pimready_core::remediation::known_users(&basis.snapshot),
        change_set,
    })
}

/// Writes the pack (change-set, remediate.ps1, rollback.ps1) to the reports folder,
/// numbered beside earlier ones.
#[tauri::command]
pub fn export_changes(choices: ChangesRequest, state: State<'_, AppState>) -> Result<Vec<String>> {
    let (_, paths) = write_pack(change_set(&choices, &state)?, &state)?;
    Ok(paths.iter().map(|p| p.display().to_string()).collect())
}

/// The pack of the assessment on screen with `change_set`, written to the reports folder
/// (numbered beside earlier ones) and remembered as this window's files.
fn write_pack(
    change_set: pimready_core::remediation::ChangeSet,
    state: &AppState,
) -> Result<(pimready_app::remediate::Pack, [PathBuf; 3])> {
    let assessment = state
        .lock()
        .current
        .clone()
        .ok_or_else(no_basis)?
        .assessment;
    let pack = pimready_app::remediate::Pack {
        assessment,
        change_set,
    };
    let paths = pimready_app::remediate::write_pack(
        &state.reports_folder(),
        &pack,
        export::Existing::Keep,
    )?;
    remember_written(state, &paths);
    Ok((pack, paths))
}

/// "Apply…": the typed confirmation, checked here before anything else; then apply's own
/// sign-in with the write permissions the ticked changes need; the pack exported to the
/// reports folder and applied through `pimready_app::apply`, its journal beside it after
/// every change. A failed change is rolled back there and reported in the journal.
#[tauri::command]
pub async fn apply_changes(
    request: ApplyRequest,
    on_event: Channel<ApplyEvent>,
    state: State<'_, AppState>,
) -> Result<JournalView> {
    let ApplyRequest {
        choices,
        confirm,
        sign_in,
    } = request;
    let change_set = change_set(&choices, &state)?;
    let basis = state.lock().basis.clone().ok_or_else(no_basis)?;
    if basis.demo {
        return Err(Error::invalid_input(
            "The demo tenant is a tour, no one's tenant: its changes can be reviewed and exported, not applied.",
        )
        .with_hint("Assess your own tenant to apply its changes."));
    }
    if let Some(journal) = &basis.applied {
        return Err(Error::invalid_input(format!(
            "These changes were already applied (journal {}): applying them again would create their policies and reviews twice. Nothing was sent.",
            journal.display()
        ))
        .with_hint("Assess the tenant again to see what it holds now, or roll the applied changes back first."));
    }
    apply::check_confirmation(&change_set, &confirm)?;
    let connection = write_sign_in(&sign_in, &change_set, &on_event, &state).await?;
    let (pack, paths) = write_pack(change_set, &state)?;
    let mut on_change =
        |e: &apply::JournalEntry| drop(on_event.send(ApplyEvent::Change(e.clone())));
    let outcome =
        apply::apply_signed_in(&connection, &pack.change_set, &paths[0], &mut on_change).await;
    // A journal written before an error is still the user's to roll back from.
    let journal_path = apply::journal_path(&paths[0]);
    if journal_path.exists() {
        remember_written(&state, std::slice::from_ref(&journal_path));
    }
    let (journal_path, journal) = outcome?;
    if journal.left_in_tenant() > 0 {
        set_applied(&state, Some(journal_path.clone()));
    }
    Ok(JournalView {
        journal_path: journal_path.display().to_string(),
        change_set_path: paths[0].display().to_string(),
        journal,
    })
}

/// Records (or clears) the journal of an apply from the assessment on screen.
fn set_applied(state: &AppState, journal: Option<PathBuf>) {
    if let Some(basis) = &mut state.lock().basis {
        basis.applied = journal;
    }
}

/// "Roll back…": undoes every applied change a journal this window wrote records (or one
/// the user picks), after the same typed confirmation and write sign-in.
#[tauri::command]
pub async fn rollback_changes<R: Runtime>(
    request: RollbackRequest,
    on_event: Channel<ApplyEvent>,
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<JournalView> {
    let RollbackRequest {
        journal,
        confirm,
        sign_in,
    } = request;
    let journal = match journal {
        Some(path) if was_written(&state, &path) => path,
        Some(_) => {
            return Err(Error::invalid_input(
                "Only a journal this window wrote can be rolled back by name; choose another with the open dialog.",
            ));
        }
        None => pick(&state, || {
            app.dialog()
                .file()
                .set_directory(state.reports_folder())
                .add_filter("PIM Ready journal", &["json"])
                .blocking_pick_file()
        })?,
    };
    let changes = apply::changes_path(&journal);
    let change_set = apply::load_change_set(&changes)?;
    apply::check_confirmation(&change_set, &confirm)?;
    let connection = write_sign_in(&sign_in, &change_set, &on_event, &state).await?;
    let mut on_change =
        |e: &apply::JournalEntry| drop(on_event.send(ApplyEvent::Change(e.clone())));
    let record =
        apply::rollback_signed_in(&connection, &change_set, &journal, &mut on_change).await?;
    remember_written(&state, std::slice::from_ref(&journal));
    let applied = state.lock().basis.as_ref().and_then(|b| b.applied.clone());
    if record.left_in_tenant() == 0 && applied.as_ref() == Some(&journal) {
        set_applied(&state, None);
    }
    Ok(JournalView {
        journal_path: journal.display().to_string(),
        change_set_path: changes.display().to_string(),
        journal: record,
    })
}

/// Apply's sign-in with the change-set's write permissions, its prompts streamed as
/// [`ApplyEvent::SignIn`]. The tenant typed must be the change-set's, as `--tenant` must.
async fn write_sign_in(
    request: &SignInRequest,
    change_set: &pimready_core::remediation::ChangeSet,
    on_event: &Channel<ApplyEvent>,
    state: &AppState,
) -> Result<app_connect::Connection> {
    if !apply::names_tenant(change_set, &request.tenant) {
        return Err(Error::invalid_input(format!(
            "The change-set is for {} ({}), not {}: nothing was changed.",
            change_set.tenant.display_name,
            apply::confirmation(change_set),
            request.tenant
        )));
    }
    let target = request.target(state.hosts.clone())?;
    let send = |e: SignInEvent| drop(on_event.send(ApplyEvent::SignIn(e)));
    send(SignInEvent::Waiting);
    let on_device_code = |p: &DeviceCodePrompt| send(SignInEvent::code_issued(p));
    let browser = crate::models::AnnouncingBrowser { on_event: &send };
    let prompts = SignInPrompts {
        browser: &browser,
        on_device_code: &on_device_code,
    };
    let connection = apply::sign_in(&target, request.method.into(), prompts, change_set).await?;
    send(SignInEvent::SignedIn {
        account: connection.account.clone(),
    });
    Ok(connection)
}

fn was_written(state: &AppState, path: &std::path::Path) -> bool {
    state
        .written
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .iter()
        .any(|p| p == path)
}

fn remember_written(state: &AppState, paths: &[PathBuf]) {
    let mut written = state
        .written
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for p in paths {
        if !written.contains(p) {
            written.push(p.clone());
        }
    }
}

fn no_basis() -> Error {
    Error::invalid_input(
        "Changes are computed from a tenant collected or a snapshot opened in this window; open one first (a stored assessment has no snapshot).",
    )
}

fn change_set(
    choices: &ChangesRequest,
    state: &AppState,
) -> Result<pimready_core::remediation::ChangeSet> {
    let (basis, current) = {
        let inner = state.lock();
        (inner.basis.clone(), inner.current.clone())
    };
    let (Some(basis), Some(current)) = (basis, current) else {
        return Err(no_basis());
    };
    if !basis
        .snapshot
        .tenant_id
        .eq_ignore_ascii_case(&current.assessment.tenant.id)
    {
        return Err(no_basis());
    }
    let ChangesRequest {
        approvers,
        reviewers,
        notify,
        deselected,
    } = choices.clone();
    let choices = pimready_app::remediate::PackChoices {
        approvers,
        reviewers,
        notify,
        deselected,
    };
    Ok(pimready_app::remediate::change_set_of(
        &basis.snapshot,
        &basis.settings,
        &current.assessment,
        &choices,
        chrono::Utc::now().date_naive(),
    )?)
}

fn finish_run(state: &AppState, result: Result<Assessed>) -> Result<AssessmentView> {
    let mut inner = state.lock();
    inner.cancel = None;
    let assessed = result?;
    let mut view = AssessmentView::from(&assessed.assessment);
    view.history_id = assessed.history_id.map(|id| id.0);
    view.history_warning.clone_from(&assessed.history_warning);
    inner.current = Some(assessed);
    Ok(view)
}

/// The path the user chose in a native dialog (or the test's answer queued in the state).
fn pick(
    state: &AppState,
    dialog: impl FnOnce() -> Option<tauri_plugin_dialog::FilePath>,
) -> Result<PathBuf> {
    let queued = state
        .dialog_answers
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .pop_front();
    if let Some(path) = queued {
        return Ok(path);
    }
    dialog()
        .ok_or_else(Error::cancelled)?
        .into_path()
        .map_err(|e| Error::invalid_input(e.to_string()))
}

/// Whether `url` is one of the references the check catalog cites.
fn is_catalog_reference(url: &str) -> bool {
    pimready_core::checks::catalog()
        .iter()
        .flat_map(|c| c.references)
        .any(|r| r.url == Some(url))
}
