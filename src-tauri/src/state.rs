//! What the running app remembers between commands.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;

use crate::settings_file::{self, DesktopSettings};
use pimready_app::connect::Sessions;
use pimready_app::run::{Assessed, HistoryFile};
use pimready_app::target::HostOverrides;

pub struct AppState {
    pub settings_path: PathBuf,
    /// Paths the webview may name back: the files this run exported. Paths and URLs the
    /// webview passes come from Rust-side dialogs, this list, or the check catalog.
    pub written: Mutex<Vec<PathBuf>>,
    /// Answers for the next file dialogs, given instead of showing them: the seam the IPC
    /// tests use (always empty in the app).
    pub dialog_answers: Mutex<std::collections::VecDeque<PathBuf>>,
    pub history: HistoryFile,
    /// The signed-in tenants of this run (tokens in memory only).
    pub sessions: Sessions,
    pub default_reports_folder: PathBuf,
    /// Authority and Graph hosts other than the cloud's own (`PIMREADY_AUTHORITY_HOST`,
    /// `PIMREADY_GRAPH_HOST`), read once from the environment, never from the webview.
    pub hosts: HostOverrides,
    pub inner: Mutex<Inner>,
}

pub struct Inner {
    pub settings: DesktopSettings,
    /// Shown once by the UI (a damaged settings file that was reset).
    pub settings_warning: Option<String>,
    /// The assessment on screen (exports read it) and its id in the history.
    pub current: Option<Assessed>,
    /// The snapshot and effective settings the assessment on screen came from, when this
    /// run has them (a stored assessment has no snapshot): the Changes screen computes
    /// the change-set from them.
    pub basis: Option<Basis>,
    /// Set by `cancel_assessment`; the running collection polls it.
    pub cancel: Option<Arc<AtomicBool>>,
    /// Signed-in account per tenant id, for this session.
    pub accounts: Vec<(String, String)>,
}

/// What a change-set is computed from.
#[derive(Debug, Clone)]
pub struct Basis {
    pub snapshot: pimready_core::snapshot::TenantSnapshot,
    pub settings: pimready_core::settings::AssessmentSettings,
    /// The built-in demo tenant: its changes can be reviewed and exported, never applied
    /// (it is no one's tenant).
    pub demo: bool,
    /// The journal of an apply from this basis that left changes in the tenant. Until
    /// the tenant is assessed again, or that journal is rolled back, the change-set is
    /// out of date: applying it again would create its objects twice.
    pub applied: Option<PathBuf>,
}

impl AppState {
    pub fn load(
        settings_path: PathBuf,
        history: HistoryFile,
        default_reports_folder: PathBuf,
    ) -> Self {
        let loaded = settings_file::load(&settings_path);
        AppState {
            settings_path,
            written: Mutex::default(),
            dialog_answers: Mutex::default(),
            history,
            sessions: Sessions::default(),
            default_reports_folder,
            hosts: HostOverrides::from_env(),
            inner: Mutex::new(Inner {
                settings: loaded.settings,
                settings_warning: loaded.warning,
                current: None,
                basis: None,
                cancel: None,
                accounts: Vec::new(),
            }),
        }
    }

    pub fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain data behind: keep using it.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn reports_folder(&self) -> PathBuf {
        self.lock()
            .settings
            .reports_folder
            .clone()
            .unwrap_or_else(|| self.default_reports_folder.clone())
    }
}
