//! Collect, assess, save: the run both faces make, with progress per dataset.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use pimready_core::assessment::{self, Assessment};
use pimready_core::pricebook::PriceBook;
use pimready_core::settings::AssessmentSettings;
use pimready_core::snapshot::{Dataset, GapReason, TenantSnapshot};
use pimready_graph::auth::ProfileStore;
use pimready_graph::collect::collect_snapshot;
use pimready_graph::progress::Progress;
use pimready_history::{AssessmentId, HistoryError, Store};

use crate::connect::Connection;
use crate::problem::{Problem, Result};

/// One step of a collection, numbered for a progress display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Started {
        /// 1-based position of the dataset in [`Dataset::ALL`].
        index: u32,
        total: u32,
        dataset: Dataset,
    },
    Read {
        index: u32,
        total: u32,
        /// How many datasets are finished, this one included.
        done: u32,
        dataset: Dataset,
        items: usize,
    },
    Gap {
        index: u32,
        total: u32,
        done: u32,
        dataset: Dataset,
        reason: GapReason,
        detail: String,
    },
}

fn position(dataset: Dataset) -> u32 {
    Dataset::ALL
        .iter()
        .position(|d| *d == dataset)
        .map_or(0, |i| u32::try_from(i + 1).unwrap_or(u32::MAX))
}

/// Collects the connected tenant; `cancel` is polled every 100 ms. On success the saved
/// profile records when the tenant was last assessed.
pub async fn collect(
    connection: &Connection,
    on_step: &mut (dyn FnMut(Step) + Send),
    cancel: &AtomicBool,
) -> Result<TenantSnapshot> {
    let mut config = connection.target.collect_config(&connection.tenant_id)?;
    config.arm = Some(pimready_graph::arm::ArmSource {
        host: config.endpoints.arm.clone(),
        tokens: connection.arm_tokens.clone(),
        client: config.graph.clone(),
    });
    let total = u32::try_from(Dataset::ALL.len()).unwrap_or(u32::MAX);
    let mut done = 0;
    let mut sink = |p: Progress| match p {
        Progress::Started { dataset } => on_step(Step::Started {
            index: position(dataset),
            total,
            dataset,
        }),
        Progress::Finished { dataset, items } => {
            done += 1;
            on_step(Step::Read {
                index: position(dataset),
                total,
                done,
                dataset,
                items,
            });
        }
        Progress::Gap {
            dataset,
            reason,
            detail,
        } => {
            done += 1;
            on_step(Step::Gap {
                index: position(dataset),
                total,
                done,
                dataset,
                reason,
                detail,
            });
        }
    };
    let collection = collect_snapshot(config, connection.tokens.clone(), &mut sink);
    tokio::pin!(collection);
    let snapshot = loop {
        tokio::select! {
            result = &mut collection => break result?,
            () = tokio::time::sleep(Duration::from_millis(100)) => {
                if cancel.load(Ordering::Relaxed) {
                    return Err(Problem::cancelled());
                }
            }
        }
    };
    if let Some(profiles) = ProfileStore::default_location() {
        // Only a convenience for the saved-tenants list; never worth failing a run.
        let _ = profiles.mark_assessed(&snapshot.tenant_id, snapshot.meta.collected_at);
    }
    Ok(snapshot)
}

/// Where the history lives: `PIMREADY_DATA_DIR` when set, else the platform data folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryFile(pub PathBuf);

/// Moves the history (and everything else the app keeps as data) for tests and portable use.
pub const DATA_DIR_VAR: &str = "PIMREADY_DATA_DIR";

impl HistoryFile {
    pub fn at(path: PathBuf) -> Self {
        HistoryFile(path)
    }

    /// `PIMREADY_DATA_DIR/history.sqlite3`, else the platform's data folder.
    pub fn default_location() -> Result<Self> {
        if let Some(dir) = std::env::var_os(DATA_DIR_VAR).filter(|d| !d.is_empty()) {
            return Ok(HistoryFile(
                PathBuf::from(dir).join(pimready_history::FILE_NAME),
            ));
        }
        pimready_history::default_path()
            .map(HistoryFile)
            .ok_or_else(|| Problem::from(HistoryError::NoDataDir))
    }

    pub fn open(&self) -> Result<Store> {
        Store::open(&self.0).map_err(|e| {
            Problem::from(&e)
                .with_hint("the history lives in the platform data folder; check it is writable")
        })
    }
}

/// Whether a run is stored in the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Save {
    Yes,
    /// `--no-save`, and the demo tenant (a tour, not a client).
    No,
}

/// An assessment with where it is in the history, or why it is not there.
#[derive(Debug, Clone)]
pub struct Assessed {
    pub assessment: Assessment,
    pub history_id: Option<AssessmentId>,
    /// Set when the assessment could not be stored; the result is kept all the same.
    pub history_warning: Option<String>,
}

impl Assessed {
    pub fn unsaved(assessment: Assessment) -> Self {
        Assessed {
            assessment,
            history_id: None,
            history_warning: None,
        }
    }
}

/// The settings, with the tenant's last designated emergency accounts when these name none.
/// An unreadable history designates nothing (the accounts are then simply not exempted).
fn with_remembered_emergency_accounts(
    settings: &AssessmentSettings,
    snapshot: &TenantSnapshot,
    store: Option<&Store>,
) -> AssessmentSettings {
    let mut settings = settings.clone();
    if settings.emergency_accounts.is_empty()
        && let Some(store) = store
        && let Ok(remembered) = store.designated_emergency_accounts(&snapshot.tenant_id)
    {
        settings.emergency_accounts = remembered;
    }
    settings
}

/// Assesses the snapshot and stores the result. A history that cannot be written never
/// loses the result: the warning says why it was not stored.
pub fn assess_and_save(
    snapshot: &TenantSnapshot,
    settings: &AssessmentSettings,
    book: &PriceBook,
    history: &HistoryFile,
    save: Save,
) -> Assessed {
    if save == Save::No {
        return Assessed::unsaved(assessment::assess(snapshot, settings, book));
    }
    let store = history.open();
    // A run that designates no emergency account reuses the tenant's last designation.
    let settings = &with_remembered_emergency_accounts(settings, snapshot, store.as_ref().ok());
    let assessment = assessment::assess(snapshot, settings, book);
    let saved = store.and_then(|mut store| {
        store
            .save(snapshot, &assessment, settings)
            .map_err(|e| Problem::from(&e))
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
                "the assessment was not stored in the history: {}",
                e.message
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_without_designation_reuses_the_tenants_last_one() {
        let dir = tempfile::tempdir().unwrap();
        let history = HistoryFile::at(dir.path().join("history.sqlite3"));
        let snapshot = pimready_core::demo::snapshot();
        let book = PriceBook::default_book();
        let none = AssessmentSettings::default();
        let emergency = |a: &Assessed| a.assessment.headline.emergency_accounts;

        // Nothing designated yet: the look-alikes are not exempted.
        let first = assess_and_save(&snapshot, &none, &book, &history, Save::Yes);
        assert_eq!(emergency(&first), 0);

        let designated = pimready_core::demo::settings(AssessmentSettings::default());
        let second = assess_and_save(&snapshot, &designated, &book, &history, Save::Yes);
        assert_eq!(emergency(&second), 2);

        // The next run names none: the designation is reused, and stored again.
        let third = assess_and_save(&snapshot, &none, &book, &history, Save::Yes);
        assert_eq!(emergency(&third), 2);
        let store = history.open().unwrap();
        assert_eq!(
            store
                .settings(third.history_id.unwrap())
                .unwrap()
                .emergency_accounts,
            designated.emergency_accounts
        );
        // A run that names others uses those.
        let other = AssessmentSettings {
            emergency_accounts: vec!["nobody@contoso.com".to_owned()],
            ..AssessmentSettings::default()
        };
        let fourth = assess_and_save(&snapshot, &other, &book, &history, Save::Yes);
        assert_eq!(emergency(&fourth), 0);
    }
}
