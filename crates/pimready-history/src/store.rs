//! The store: one SQLite file, opened through [`super::migrations`].

use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{
    AssessmentDiff, AssessmentId, AssessmentSummary, HistoryError, TenantRecord, TrendPoint,
    migrations,
};
use pimready_core::assessment::Assessment;
use pimready_core::cloud::Cloud;
use pimready_core::score::Grade;
use pimready_core::settings::AssessmentSettings;
use pimready_core::snapshot::TenantSnapshot;

/// Every saved assessment, with the snapshot it came from and the settings used.
///
/// Writes take `&mut self` and run in one transaction each; a process killed
/// mid-write leaves the file as it was before that write.
#[derive(Debug)]
pub struct Store {
    pub(super) conn: Connection,
    path: PathBuf,
}

const SUMMARY_COLUMNS: &str =
    "a.id, t.tenant_id, t.display_name, t.default_domain, a.assessed_at, a.tool_version,
     a.score_percent, a.grade, a.coverage, a.standing_admins
     FROM assessments a JOIN tenants t ON t.id = a.tenant";

impl Store {
    /// Opens the history at `path`, creating it (and its directory) when absent and
    /// migrating an older schema after a backup. A damaged, foreign or newer file is
    /// refused without writing to it.
    pub fn open(path: impl AsRef<Path>) -> Result<Store, HistoryError> {
        let path = path.as_ref().to_owned();
        let conn = migrations::open(&path)?;
        // "Forget" must really forget: deleted rows are overwritten, not just unlinked.
        conn.pragma_update(None, "secure_delete", true)?;
        Ok(Store { conn, path })
    }

    /// Opens the history at [`super::default_path`].
    pub fn open_default() -> Result<Store, HistoryError> {
        Store::open(super::default_path().ok_or(HistoryError::NoDataDir)?)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Saves one completed assessment with its snapshot and settings.
    pub fn save(
        &mut self,
        snapshot: &TenantSnapshot,
        assessment: &Assessment,
        settings: &AssessmentSettings,
    ) -> Result<AssessmentId, HistoryError> {
        let tenant = &assessment.tenant;
        let tenant_id = tenant.id.trim().to_ascii_lowercase();
        if !snapshot.tenant_id.trim().eq_ignore_ascii_case(&tenant_id) {
            return Err(HistoryError::TenantMismatch {
                snapshot: snapshot.tenant_id.clone(),
                assessment: tenant.id.clone(),
            });
        }
        // Compress before taking the write lock: it is the slow part.
        let snapshot_gz = encode_json(snapshot);
        let assessment_gz = encode_json(assessment);
        let settings_json = serde_json::to_string(settings).expect("settings always serialise");
        let cloud = tenant.cloud.as_str();

        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO tenants (tenant_id, display_name, default_domain, cloud) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(tenant_id) DO UPDATE SET display_name = excluded.display_name,
                 default_domain = excluded.default_domain, cloud = excluded.cloud",
            (&tenant_id, &tenant.display_name, &tenant.default_domain, &cloud),
        )?;
        let tenant_row: i64 = tx.query_row(
            "SELECT id FROM tenants WHERE tenant_id = ?1",
            [&tenant_id],
            |r| r.get(0),
        )?;
        tx.execute(
            "INSERT INTO assessments (tenant, assessed_at, tool_version, score_percent, grade, coverage,
                 snapshot_gz, assessment_gz, settings_json, standing_admins)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            (
                tenant_row,
                timestamp(assessment.assessed_at),
                &assessment.generator.version,
                assessment.score.percent,
                assessment.score.grade.as_str(),
                assessment.score.coverage,
                &snapshot_gz,
                &assessment_gz,
                &settings_json,
                assessment.headline.standing_admins,
            ),
        )?;
        let id = AssessmentId(tx.last_insert_rowid());
        #[cfg(test)]
        crash::before_commit();
        tx.commit()?;
        Ok(id)
    }

    /// Saved assessments, newest first; of one tenant (by id, default domain or name) or all.
    pub fn list(&self, tenant: Option<&str>) -> Result<Vec<AssessmentSummary>, HistoryError> {
        let tenant_row = tenant
            .map(|t| self.resolve(t))
            .transpose()?
            .map(|(row, _)| row);
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SUMMARY_COLUMNS} WHERE ?1 IS NULL OR a.tenant = ?1 ORDER BY a.assessed_at DESC, a.id DESC"
        ))?;
        let rows = stmt.query_map([tenant_row], summary_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One saved assessment's list line.
    pub fn summary(&self, id: AssessmentId) -> Result<AssessmentSummary, HistoryError> {
        self.conn
            .prepare_cached(&format!("SELECT {SUMMARY_COLUMNS} WHERE a.id = ?1"))?
            .query_row([id.0], summary_from_row)
            .optional()?
            .ok_or(HistoryError::NotFound(id))
    }

    /// Every tenant with at least one saved assessment, by name.
    pub fn tenants(&self) -> Result<Vec<TenantRecord>, HistoryError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT tenant_id, display_name, default_domain, cloud FROM tenants ORDER BY display_name COLLATE NOCASE, tenant_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(TenantRecord {
                tenant_id: r.get(0)?,
                display_name: r.get(1)?,
                default_domain: r.get(2)?,
                cloud: cloud_at(r, 3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The saved snapshot and assessment.
    pub fn load(&self, id: AssessmentId) -> Result<(TenantSnapshot, Assessment), HistoryError> {
        let (snapshot_gz, assessment_gz): (Vec<u8>, Vec<u8>) = self
            .conn
            .prepare_cached("SELECT snapshot_gz, assessment_gz FROM assessments WHERE id = ?1")?
            .query_row([id.0], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .ok_or(HistoryError::NotFound(id))?;
        let unreadable = |detail: String| HistoryError::Unreadable { id, detail };
        let text = gunzip(&snapshot_gz).map_err(unreadable)?;
        let snapshot = TenantSnapshot::from_json(&text, &format!("saved assessment #{id}"))
            .map_err(|e| unreadable(e.to_string()))?;
        let assessment = decode_json(&assessment_gz).map_err(unreadable)?;
        Ok((snapshot, assessment))
    }

    /// The saved assessment alone (cheaper than [`Store::load`]: the snapshot stays compressed).
    pub fn load_assessment(&self, id: AssessmentId) -> Result<Assessment, HistoryError> {
        let blob: Vec<u8> = self
            .conn
            .prepare_cached("SELECT assessment_gz FROM assessments WHERE id = ?1")?
            .query_row([id.0], |r| r.get(0))
            .optional()?
            .ok_or(HistoryError::NotFound(id))?;
        decode_json(&blob).map_err(|detail| HistoryError::Unreadable { id, detail })
    }

    /// The settings the assessment was made with.
    pub fn settings(&self, id: AssessmentId) -> Result<AssessmentSettings, HistoryError> {
        let text: String = self
            .conn
            .prepare_cached("SELECT settings_json FROM assessments WHERE id = ?1")?
            .query_row([id.0], |r| r.get(0))
            .optional()?
            .ok_or(HistoryError::NotFound(id))?;
        serde_json::from_str(&text).map_err(|e| HistoryError::Unreadable {
            id,
            detail: e.to_string(),
        })
    }

    /// The emergency accounts last designated for a tenant (by tenant id): the settings of
    /// its newest assessment that designated any. Empty when none ever did.
    pub fn designated_emergency_accounts(
        &self,
        tenant_id: &str,
    ) -> Result<Vec<String>, HistoryError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.id, a.settings_json FROM assessments a JOIN tenants t ON t.id = a.tenant
             WHERE t.tenant_id = ?1 ORDER BY a.assessed_at DESC, a.id DESC",
        )?;
        let rows = stmt.query_map([tenant_id], |r| {
            Ok((AssessmentId(r.get(0)?), r.get::<_, String>(1)?))
        })?;
        for row in rows {
            let (id, text) = row?;
            let settings: AssessmentSettings =
                serde_json::from_str(&text).map_err(|e| HistoryError::Unreadable {
                    id,
                    detail: e.to_string(),
                })?;
            if !settings.emergency_accounts.is_empty() {
                return Ok(settings.emergency_accounts);
            }
        }
        Ok(Vec::new())
    }

    /// The tenant's latest assessment made before `before` (the "since the last
    /// assessment" baseline), if any.
    pub fn previous(
        &self,
        tenant: &str,
        before: AssessmentId,
    ) -> Result<Option<AssessmentSummary>, HistoryError> {
        let (tenant_row, _) = self.resolve(tenant)?;
        let anchor: (String, i64) = self
            .conn
            .prepare_cached("SELECT assessed_at, id FROM assessments WHERE id = ?1")?
            .query_row([before.0], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .ok_or(HistoryError::NotFound(before))?;
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {SUMMARY_COLUMNS} WHERE a.tenant = ?1 AND (a.assessed_at, a.id) < (?2, ?3)
                 ORDER BY a.assessed_at DESC, a.id DESC LIMIT 1"
            ))?
            .query_row((tenant_row, anchor.0, anchor.1), summary_from_row)
            .optional()?)
    }

    /// The tenant's score over time, oldest first.
    pub fn trend(&self, tenant: &str) -> Result<Vec<TrendPoint>, HistoryError> {
        let (tenant_row, _) = self.resolve(tenant)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, assessed_at, score_percent FROM assessments WHERE tenant = ?1 ORDER BY assessed_at, id",
        )?;
        let rows = stmt.query_map([tenant_row], |r| {
            Ok(TrendPoint {
                id: AssessmentId(r.get(0)?),
                assessed_at: time_at(r, 1)?,
                score_percent: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Deletes the tenant and every assessment of it, here and in the pre-migration
    /// backups beside the file; returns how many assessments went from the history.
    /// The caller also removes the tenant's cached sign-in (the store holds no tokens).
    pub fn forget_tenant(&mut self, tenant: &str) -> Result<usize, HistoryError> {
        let (tenant_row, record) = self.resolve(tenant)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let deleted = tx.execute("DELETE FROM assessments WHERE tenant = ?1", [tenant_row])?;
        tx.execute("DELETE FROM tenants WHERE id = ?1", [tenant_row])?;
        tx.commit()?;
        // Move the overwritten pages out of the WAL too, so the forgotten data is gone from disk.
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        for backup in migrations::backups(&self.path) {
            // A backup that cannot be cleaned is reported, not fatal: the history itself is done.
            if let Err(error) = forget_in_backup(&backup, &record.tenant_id) {
                tracing::warn!(backup = %backup.display(), %error, "could not forget the tenant in a backup");
            }
        }
        Ok(deleted)
    }

    /// Loads two assessments of one tenant and compares them, older first whatever the
    /// argument order (`pimready diff 12 7` and `diff 7 12` agree).
    pub fn compare(
        &self,
        a: AssessmentId,
        b: AssessmentId,
    ) -> Result<AssessmentDiff, HistoryError> {
        let (first, second) = (self.summary(a)?, self.summary(b)?);
        if first.tenant_id != second.tenant_id {
            return Err(HistoryError::DifferentTenants {
                first: format!("#{a} {}", first.display_name),
                second: format!("#{b} {}", second.display_name),
            });
        }
        let (old, new) = if (first.assessed_at, a) <= (second.assessed_at, b) {
            (a, b)
        } else {
            (b, a)
        };
        Ok(super::diff(
            &self.load_assessment(old)?,
            &self.load_assessment(new)?,
        ))
    }

    /// Finds a tenant by id, then default domain, then display name (all case-insensitive).
    pub fn find_tenant(&self, query: &str) -> Result<TenantRecord, HistoryError> {
        self.resolve(query).map(|(_, record)| record)
    }

    fn resolve(&self, query: &str) -> Result<(i64, TenantRecord), HistoryError> {
        let wanted = query.trim().to_lowercase();
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, tenant_id, display_name, default_domain, cloud FROM tenants",
        )?;
        let all: Vec<(i64, TenantRecord)> = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    TenantRecord {
                        tenant_id: r.get(1)?,
                        display_name: r.get(2)?,
                        default_domain: r.get(3)?,
                        cloud: cloud_at(r, 4)?,
                    },
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let tiers: [fn(&TenantRecord) -> Option<&str>; 3] = [
            |t| Some(&t.tenant_id),
            |t| t.default_domain.as_deref(),
            |t| Some(&t.display_name),
        ];
        for field in tiers {
            let mut hits: Vec<_> = all
                .iter()
                .filter(|(_, t)| field(t).is_some_and(|v| v.to_lowercase() == wanted))
                .collect();
            match hits.len() {
                0 => {}
                1 => return Ok(hits.remove(0).clone()),
                _ => {
                    return Err(HistoryError::AmbiguousTenant {
                        query: query.to_owned(),
                        candidates: hits
                            .iter()
                            .map(|(_, t)| format!("{} ({})", t.display_name, t.tenant_id))
                            .collect(),
                    });
                }
            }
        }
        Err(HistoryError::UnknownTenant(query.to_owned()))
    }
}

/// Every schema version has `tenants(tenant_id)` and `assessments(tenant)`.
fn forget_in_backup(backup: &Path, tenant_id: &str) -> rusqlite::Result<()> {
    let conn = Connection::open(backup)?;
    conn.pragma_update(None, "secure_delete", true)?;
    conn.execute_batch("BEGIN IMMEDIATE")?;
    conn.execute(
        "DELETE FROM assessments WHERE tenant IN (SELECT id FROM tenants WHERE tenant_id = ?1)",
        [tenant_id],
    )?;
    conn.execute("DELETE FROM tenants WHERE tenant_id = ?1", [tenant_id])?;
    conn.execute_batch("COMMIT")
}

fn summary_from_row(r: &Row<'_>) -> rusqlite::Result<AssessmentSummary> {
    Ok(AssessmentSummary {
        id: AssessmentId(r.get(0)?),
        tenant_id: r.get(1)?,
        display_name: r.get(2)?,
        default_domain: r.get(3)?,
        assessed_at: time_at(r, 4)?,
        tool_version: r.get(5)?,
        score_percent: r.get(6)?,
        grade: grade_at(r, 7)?,
        coverage: r.get(8)?,
        standing_admins: r.get(9)?,
    })
}

/// A `cloud` column: the cloud's wire name, as [`Store::save`] writes it.
fn cloud_at(r: &Row<'_>, column: usize) -> rusqlite::Result<Cloud> {
    let text: String = r.get(column)?;
    text.parse().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// A `grade` column: the letter, as [`Store::save`] writes it.
fn grade_at(r: &Row<'_>, column: usize) -> rusqlite::Result<Grade> {
    let text: String = r.get(column)?;
    text.parse().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// Fixed-width UTC text, so that text order is time order.
pub(super) fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn time_at(r: &Row<'_>, column: usize) -> rusqlite::Result<DateTime<Utc>> {
    let text: String = r.get(column)?;
    DateTime::parse_from_rfc3339(&text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(
                column,
                rusqlite::types::Type::Text,
                Box::new(e),
            )
        })
}

pub(super) fn encode_json<T: Serialize>(value: &T) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    serde_json::to_writer(&mut encoder, value).expect("contract types always serialise");
    encoder.finish().expect("writing to memory cannot fail")
}

fn gunzip(blob: &[u8]) -> Result<String, String> {
    let mut text = String::new();
    GzDecoder::new(blob)
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot decompress: {e}"))?;
    Ok(text)
}

pub(super) fn decode_json<T: DeserializeOwned>(blob: &[u8]) -> Result<T, String> {
    serde_json::from_str(&gunzip(blob)?).map_err(|e| format!("not the expected JSON: {e}"))
}

/// Test hook: the crash test aborts the process inside `save`'s transaction.
#[cfg(test)]
pub(super) mod crash {
    use std::cell::Cell;

    thread_local! {
        static ABORT_BEFORE_COMMIT: Cell<bool> = const { Cell::new(false) };
    }

    pub(crate) fn arm() {
        ABORT_BEFORE_COMMIT.with(|c| c.set(true));
    }

    pub(super) fn before_commit() {
        if ABORT_BEFORE_COMMIT.with(Cell::get) {
            std::process::abort();
        }
    }
}
