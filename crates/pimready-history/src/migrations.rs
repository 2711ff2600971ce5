//! Opening the file: refuse what is not ours, damaged or too new (without writing a
//! byte), then bring the schema up to date in one transaction after a backup.
//!
//! The schema version is `PRAGMA user_version`; `PRAGMA application_id` marks the
//! file as ours. A migration is appended to [`MIGRATIONS`], never edited.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, Transaction, TransactionBehavior};

use super::HistoryError;
use super::store::decode_json;

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = 2;

/// "PIMR": marks the file as a PIM Ready history.
const APPLICATION_ID: i32 = 0x5049_4D52;

/// How long a writer waits for another process holding the lock (CLI and desktop at once).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

pub(super) struct Migration {
    pub(super) version: u32,
    pub(super) apply: fn(&Transaction<'_>) -> rusqlite::Result<()>,
}

/// Every schema version in order; `MIGRATIONS[i]` brings version `i` to `i + 1`.
pub(super) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        apply: v1,
    },
    Migration {
        version: 2,
        apply: v2,
    },
];

/// Version 1: tenants and their assessments. Deliberately no token column, ever.
pub(super) const V1_SQL: &str = "
CREATE TABLE tenants (
    id             INTEGER PRIMARY KEY,
    tenant_id      TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    default_domain TEXT,
    cloud          TEXT NOT NULL
);
CREATE TABLE assessments (
    id             INTEGER PRIMARY KEY,
    tenant         INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    assessed_at    TEXT NOT NULL,
    tool_version   TEXT NOT NULL,
    score_percent  REAL NOT NULL,
    grade          TEXT NOT NULL,
    coverage       REAL NOT NULL,
    snapshot_gz    BLOB NOT NULL,
    assessment_gz  BLOB NOT NULL,
    settings_json  TEXT NOT NULL
);
";

fn v1(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(V1_SQL)
}

/// Version 2: the standing-admin count beside the score (portfolio and history lists
/// need it without decompressing), and an index for per-tenant listing and trends.
fn v2(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "ALTER TABLE assessments ADD COLUMN standing_admins INTEGER NOT NULL DEFAULT 0;
         CREATE INDEX assessments_by_tenant ON assessments(tenant, assessed_at, id);",
    )?;
    let rows: Vec<(i64, Vec<u8>)> = {
        let mut stmt = tx.prepare("SELECT id, assessment_gz FROM assessments")?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    let mut update = tx.prepare("UPDATE assessments SET standing_admins = ?1 WHERE id = ?2")?;
    for (id, blob) in rows {
        // An unreadable row keeps 0 rather than blocking the upgrade of every other row.
        let count = decode_json::<serde_json::Value>(&blob)
            .ok()
            .and_then(|v| {
                v.pointer("/headline/standing_admins")
                    .and_then(serde_json::Value::as_i64)
            })
            .unwrap_or(0);
        update.execute((count, id))?;
    }
    Ok(())
}

/// Opens (creating when absent) and migrates the history at `path`.
pub(super) fn open(path: &Path) -> Result<Connection, HistoryError> {
    let shown = path.display().to_string();
    let io = |source| HistoryError::Io {
        path: shown.clone(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        pimready_files::create_dir_all(parent).map_err(io)?;
    }
    // SQLite creates a database with the umask's mode (often 0644) but gives its -wal,
    // -shm and -journal files the mode of the database file: create it 0600 first.
    match pimready_files::create_new(path) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(io(e)),
    }
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;

    // Nothing below writes until every check has passed.
    let version = inspect(&conn, &shown)?;
    // A history an older version created with the umask's mode becomes private too.
    for file in [
        path.to_owned(),
        sibling(path, "-wal"),
        sibling(path, "-shm"),
    ] {
        match pimready_files::restrict_to_owner(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(e)),
        }
    }

    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "wal", |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(%mode, "history database is not in WAL mode");
    }
    // FULL: a committed assessment survives power loss, not only a crash.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", true)?;

    if version < SCHEMA_VERSION {
        if version > 0 {
            backup(&conn, path, version)?;
        }
        migrate(&mut conn)?;
    }
    Ok(conn)
}

/// The file's schema version, or why it must not be touched.
fn inspect(conn: &Connection, shown: &str) -> Result<u32, HistoryError> {
    let damaged = |e: rusqlite::Error| match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => HistoryError::Corrupt {
            path: shown.to_owned(),
            detail: "not an SQLite database".into(),
        },
        Some(ErrorCode::DatabaseCorrupt) => HistoryError::Corrupt {
            path: shown.to_owned(),
            detail: e.to_string(),
        },
        _ => HistoryError::Sqlite(e),
    };
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(damaged)?;
    let mut problems = Vec::new();
    conn.pragma_query(None, "quick_check", |r| {
        let line: String = r.get(0)?;
        if line != "ok" && problems.len() < 3 {
            problems.push(line);
        }
        Ok(())
    })
    .map_err(damaged)?;
    if !problems.is_empty() {
        return Err(HistoryError::Corrupt {
            path: shown.to_owned(),
            detail: problems.join("; "),
        });
    }
    let application_id: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(damaged)?;
    let objects: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(damaged)?;
    let ours = if version == 0 {
        objects == 0
    } else {
        application_id == APPLICATION_ID
    };
    if !ours {
        return Err(HistoryError::NotHistory {
            path: shown.to_owned(),
            detail: format!(
                "application id {application_id:#x}, user version {version}, {objects} schema objects"
            ),
        });
    }
    let version = u32::try_from(version).unwrap_or(u32::MAX);
    if version > SCHEMA_VERSION {
        return Err(HistoryError::NewerVersion {
            path: shown.to_owned(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(version)
}

/// Copies the database, consistent even with a live WAL, to `<file>.bak-v<version>`
/// (`.bak-v<version>.<n>` when that exists already: a backup is never overwritten). The
/// name is taken by creating the file empty and 0600, which `VACUUM INTO` accepts.
fn backup(conn: &Connection, path: &Path, version: u32) -> Result<PathBuf, HistoryError> {
    let mut target = None;
    for candidate in backup_candidates(path, version) {
        match pimready_files::create_new(&candidate) {
            Ok(_) => {
                target = Some(candidate);
                break;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(source) => {
                return Err(HistoryError::Io {
                    path: candidate.display().to_string(),
                    source,
                });
            }
        }
    }
    let target = target.expect("some suffix is free");
    let shown = target.display().to_string();
    let Some(text) = target.to_str() else {
        let _ = std::fs::remove_file(&target);
        return Err(HistoryError::Io {
            path: shown,
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the backup path is not valid UTF-8",
            ),
        });
    };
    if let Err(e) = conn.execute("VACUUM INTO ?1", [text]) {
        let _ = std::fs::remove_file(&target);
        return Err(e.into());
    }
    tracing::info!(backup = %shown, from = version, to = SCHEMA_VERSION, "history backed up before migrating");
    Ok(target)
}

/// `path` with `suffix` appended to its file name (`history.sqlite3-wal`).
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name: OsString = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The backups [`backup`] made beside `path`.
pub(super) fn backups(path: &Path) -> Vec<PathBuf> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Vec::new();
    };
    let mut prefix = name.to_owned();
    prefix.push(".bak-v");
    let prefix = prefix.to_string_lossy().into_owned();
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

/// The names a backup of `version` may take, in order.
fn backup_candidates(path: &Path, version: u32) -> impl Iterator<Item = PathBuf> + '_ {
    std::iter::once(sibling(path, &format!(".bak-v{version}")))
        .chain((1..u32::MAX).map(move |n| sibling(path, &format!(".bak-v{version}.{n}"))))
}

/// The name the next backup of `version` would take.
#[cfg(test)]
pub(super) fn backup_path(path: &Path, version: u32) -> PathBuf {
    backup_candidates(path, version)
        .find(|p| !p.exists())
        .expect("some suffix is free")
}

/// Applies every missing migration in one transaction: all of them or none.
fn migrate(conn: &mut Connection) -> Result<(), HistoryError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Read again under the write lock: another process may have migrated meanwhile.
    let current: u32 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if current > SCHEMA_VERSION {
        let path = tx.path().unwrap_or_default().to_owned();
        return Err(HistoryError::NewerVersion {
            path,
            found: current,
            supported: SCHEMA_VERSION,
        });
    }
    for migration in MIGRATIONS.iter().filter(|m| m.version > current) {
        (migration.apply)(&tx)?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    tx.commit()?;
    Ok(())
}
