//! History: every saved assessment of every tenant, in one SQLite file.
//!
//! [`Store`] owns the file (WAL, foreign keys on, `synchronous = FULL`, every write in a
//! transaction, versioned migrations that back the file up first). [`diff`] compares two
//! assessments and is pure. The store keeps snapshots, assessments and the settings used;
//! it never keeps tokens — there is no column for one (the token cache lives in the OS
//! keychain, see `pimready_graph::token`).

mod migrations;
mod store;

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use pimready_core::cloud::Cloud;
use pimready_core::score::Grade;

pub use migrations::SCHEMA_VERSION;
pub use pimready_core::history::*;
pub use store::Store;

/// What a report says of the past: the change since the tenant's previous stored
/// assessment and its score over time. `saved` is `assessment`'s own id in the store;
/// `None` for a tenant's first assessment.
pub fn report_history(
    store: &Store,
    assessment: &pimready_core::assessment::Assessment,
    saved: AssessmentId,
) -> Result<Option<pimready_report::ReportHistory>, HistoryError> {
    let tenant = &assessment.tenant.id;
    let Some(previous) = store.previous(tenant, saved)? else {
        return Ok(None);
    };
    let previous = store.load_assessment(previous.id)?;
    Ok(Some(pimready_report::ReportHistory {
        diff: diff(&previous, assessment),
        trend: store.trend(tenant)?,
    }))
}

/// The portfolio of every stored tenant: one row per tenant from its latest assessment,
/// in the store's tenant order (by name).
pub fn portfolio(
    store: &Store,
) -> Result<Vec<pimready_report::portfolio::PortfolioRow>, HistoryError> {
    let mut rows = Vec::new();
    for tenant in store.tenants()? {
        if let Some(latest) = store.list(Some(&tenant.tenant_id))?.into_iter().next() {
            let assessment = store.load_assessment(latest.id)?;
            rows.push(pimready_report::portfolio::PortfolioRow::from_assessment(
                &assessment,
            ));
        }
    }
    Ok(rows)
}

/// The file name inside the data directory.
pub const FILE_NAME: &str = "history.sqlite3";

/// Where the faces keep the history by default: `<data dir>/pimready/history.sqlite3`
/// (`~/.local/share/pimready` on Linux). `None` when the platform has no home directory.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "pimready").map(|dirs| dirs.data_dir().join(FILE_NAME))
}

/// A stored tenant: the latest names seen for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TenantRecord {
    pub tenant_id: String,
    pub display_name: String,
    pub default_domain: Option<String>,
    /// Stored as its wire name: `global`, `usgov`, `usgov-dod`, `china`.
    pub cloud: Cloud,
}

/// One line of `pimready history`: what a list shows without decompressing anything.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AssessmentSummary {
    pub id: AssessmentId,
    pub tenant_id: String,
    pub display_name: String,
    pub default_domain: Option<String>,
    pub assessed_at: DateTime<Utc>,
    pub tool_version: String,
    pub score_percent: f64,
    pub grade: Grade,
    pub coverage: f64,
    pub standing_admins: u32,
}

/// Why the history could not be used. `kind()` is stable for the faces to branch on.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("the platform has no data directory for the history; pass a path instead")]
    NoDataDir,
    #[error("cannot use the history file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "{path} is not a PIM Ready history database ({detail}); it was left untouched — move it away to start a new history"
    )]
    NotHistory { path: String, detail: String },
    #[error(
        "the history database {path} is damaged ({detail}); it was left untouched — restore a backup (*.bak-v*) or move it away"
    )]
    Corrupt { path: String, detail: String },
    #[error(
        "the history database {path} has schema version {found}, newer than this version of PIM Ready reads ({supported}); upgrade PIM Ready — the file was left untouched"
    )]
    NewerVersion {
        path: String,
        found: u32,
        supported: u32,
    },
    #[error("no saved tenant matches \"{0}\" (try its tenant id, default domain or name)")]
    UnknownTenant(String),
    #[error("\"{query}\" matches several saved tenants: {}; use the tenant id", candidates.join(", "))]
    AmbiguousTenant {
        query: String,
        candidates: Vec<String>,
    },
    #[error("assessments {first} and {second} are of different tenants")]
    DifferentTenants { first: String, second: String },
    #[error("no saved assessment #{0}")]
    NotFound(AssessmentId),
    #[error("the snapshot is of tenant {snapshot} but the assessment is of tenant {assessment}")]
    TenantMismatch {
        snapshot: String,
        assessment: String,
    },
    #[error("saved assessment #{id} cannot be read: {detail}")]
    Unreadable { id: AssessmentId, detail: String },
    #[error("history database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

pimready_core::error_kind!(
    /// The stable kind of a [`HistoryError`].
    HistoryErrorKind {
        NoDataDir => "no_data_dir",
        Io => "io",
        NotHistory => "not_history",
        Corrupt => "corrupt",
        NewerVersion => "newer_version",
        UnknownTenant => "unknown_tenant",
        AmbiguousTenant => "ambiguous_tenant",
        DifferentTenants => "different_tenants",
        NotFound => "not_found",
        TenantMismatch => "tenant_mismatch",
        Unreadable => "unreadable",
        Database => "database",
    }
);

impl HistoryError {
    /// A stable, machine-readable name for the error.
    pub fn kind(&self) -> HistoryErrorKind {
        match self {
            HistoryError::NoDataDir => HistoryErrorKind::NoDataDir,
            HistoryError::Io { .. } => HistoryErrorKind::Io,
            HistoryError::NotHistory { .. } => HistoryErrorKind::NotHistory,
            HistoryError::Corrupt { .. } => HistoryErrorKind::Corrupt,
            HistoryError::NewerVersion { .. } => HistoryErrorKind::NewerVersion,
            HistoryError::UnknownTenant(_) => HistoryErrorKind::UnknownTenant,
            HistoryError::AmbiguousTenant { .. } => HistoryErrorKind::AmbiguousTenant,
            HistoryError::DifferentTenants { .. } => HistoryErrorKind::DifferentTenants,
            HistoryError::NotFound(_) => HistoryErrorKind::NotFound,
            HistoryError::TenantMismatch { .. } => HistoryErrorKind::TenantMismatch,
            HistoryError::Unreadable { .. } => HistoryErrorKind::Unreadable,
            HistoryError::Sqlite(_) => HistoryErrorKind::Database,
        }
    }
}

#[cfg(test)]
mod tests;
