use std::fs;
use std::path::{Path, PathBuf};

use rusqlite::Connection;
use serde_json::json;

use super::migrations::{MIGRATIONS, SCHEMA_VERSION, V1_SQL, backup_path};
use super::store::{encode_json, timestamp};
use super::*;
use pimready_core::assessment::Assessment;
use pimready_core::finding::{Evidence, Status};
use pimready_core::licensing::LicencePath;
use pimready_core::settings::AssessmentSettings;
use pimready_core::snapshot::TenantSnapshot;

struct Tenant {
    id: &'static str,
    name: &'static str,
    domain: &'static str,
}

const CONTOSO: Tenant = Tenant {
    id: "11111111-1111-1111-1111-111111111111",
    name: "Contoso",
    domain: "contoso.onmicrosoft.com",
};
const FABRIKAM: Tenant = Tenant {
    id: "22222222-2222-2222-2222-222222222222",
    name: "Fabrikam",
    domain: "fabrikam.onmicrosoft.com",
};

fn finding(id: &str, status: &str, evidence: &serde_json::Value) -> serde_json::Value {
    json!({
        "id": id, "title": format!("{id} title"), "category": "pim_assignments", "severity": "high",
        "status": status, "summary": "", "references": [], "minimum_licence": "free", "rationale": "",
        "evidence": evidence, "remediation": {"steps": [], "portal_path": "", "powershell": ""}
    })
}

fn standing_admin(object_id: &str, name: &str, role: &str) -> serde_json::Value {
    json!({"display_name": name, "principal_name": format!("{}@contoso.com", name.to_lowercase()),
           "object_id": object_id, "object_type": "user", "role": role,
           "assignment_type": "permanent active", "detail": "permanent"})
}

/// A small assessment: PIM-01 failing on two standing admins, no P2.
fn assessment(tenant: &Tenant, at: &str, percent: f64, grade: &str) -> Assessment {
    serde_json::from_value(json!({
        "schema_version": 1,
        "generator": {"name": "pimready", "version": "0.1.0"},
        "assessed_at": at,
        "tenant": {"id": tenant.id, "display_name": tenant.name, "default_domain": tenant.domain, "cloud": "global"},
        "headline": {"standing_admins": 2, "eligible_admins": 0, "global_admins": 3, "emergency_accounts": 2},
        "licensing": {"pim_capable": false, "p2": false, "governance": false, "p1": true,
            "sources": [{"sku_id": "078d2b04", "sku_part_number": "AAD_PREMIUM", "product_name": "Entra ID P1",
                "path": null, "plans": ["AAD_PREMIUM"], "capability_status": "Enabled",
                "enabled_units": 50, "consumed_units": 40, "counted": true}],
            "seats": {"available": 0, "in_scope": 12, "shortfall": 12}},
        "cost": {"currency": "USD", "prices_checked_on": "2026-11-01", "options": [], "recommended": null,
            "recommendation": "Buy Entra ID P2."},
        "score": {"percent": percent, "grade": grade, "coverage": 80.0, "categories": []},
        "checks": [
            finding("LIC-01", "fail", &json!([])),
            finding("PIM-01", "fail", &json!([
                standing_admin("a1", "Alice", "Global Administrator"),
                standing_admin("a1", "Alice", "Privileged Role Administrator"),
                standing_admin("b2", "Bob", "Global Administrator"),
            ])),
            finding("PIM-04", "not_licensed", &json!([])),
        ],
        "plan": [], "gaps": [],
        "collection": {"requests": 12, "duration_ms": 900, "graph_host": "graph.microsoft.com", "scopes": [], "datasets": []}
    }))
    .expect("the fixture matches the Assessment contract")
}

fn snapshot(tenant: &Tenant) -> TenantSnapshot {
    let meta = serde_json::from_value(json!({
        "collected_at": "2026-08-01T09:00:00Z", "tool_version": "0.1.0", "cloud": "global",
        "graph_host": "graph.microsoft.com", "requests": 12, "retries": 0, "duration_ms": 900
    }))
    .unwrap();
    TenantSnapshot::empty(tenant.id, meta)
}

fn save(store: &mut Store, tenant: &Tenant, at: &str, percent: f64) -> AssessmentId {
    let grade = if percent >= 90.0 { "A" } else { "D" };
    store
        .save(
            &snapshot(tenant),
            &assessment(tenant, at, percent, grade),
            &AssessmentSettings::default(),
        )
        .unwrap()
}

fn temp() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    (dir, path)
}

fn user_version(conn: &Connection) -> u32 {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

// ---- opening and migrations -------------------------------------------------------------

#[test]
fn migrations_are_numbered_one_to_latest() {
    let versions: Vec<u32> = MIGRATIONS.iter().map(|m| m.version).collect();
    assert_eq!(versions, (1..=SCHEMA_VERSION).collect::<Vec<_>>());
    // Keep at least two versions so that upgrading is tested for real.
    assert!(versions.len() >= 2, "{versions:?}");
}

#[test]
fn a_new_file_gets_the_latest_schema_in_wal_mode_with_foreign_keys() {
    let (_dir, path) = temp();
    let store = Store::open(&path).unwrap();
    assert_eq!(user_version(&store.conn), SCHEMA_VERSION);
    let mode: String = store
        .conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: bool = store
        .conn
        .pragma_query_value(None, "foreign_keys", |r| r.get(0))
        .unwrap();
    assert!(fk);
    assert!(store.list(None).unwrap().is_empty());
    assert!(
        !backup_path(&path, 0).exists(),
        "an empty database needs no backup"
    );
    drop(store);
    // An empty (0-byte) file is a new database too.
    let (_dir, empty) = temp();
    fs::write(&empty, b"").unwrap();
    assert_eq!(
        user_version(&Store::open(&empty).unwrap().conn),
        SCHEMA_VERSION
    );
}

#[test]
fn opening_creates_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/history.sqlite3");
    Store::open(&path).unwrap();
    assert!(path.exists());
}

/// SQLite gives -wal and -shm the database file's mode, so creating that file 0600 keeps
/// all three private whatever the umask; an older world-readable history and the backup
/// made before migrating it are private too.
#[cfg(unix)]
#[test]
fn the_database_its_wal_shm_and_backups_are_0600_in_a_folder_created_0700() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data/pimready/history.sqlite3");
    let mut store = Store::open(&path).unwrap();
    save(&mut store, &CONTOSO, "2026-05-01T09:00:00Z", 40.0);
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", path.display()));
        assert!(file.exists(), "{}", file.display());
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
    assert_eq!(mode(&dir.path().join("data")), 0o700);
    assert_eq!(mode(&dir.path().join("data/pimready")), 0o700);
    drop(store);

    let (_dir, old) = temp();
    database_at_version(&old, 1);
    fs::set_permissions(&old, fs::Permissions::from_mode(0o644)).unwrap();
    let backup = backup_path(&old, 1);
    drop(Store::open(&old).unwrap());
    assert_eq!(mode(&old), 0o600, "the migrated history");
    assert_eq!(mode(&backup), 0o600, "its backup");
    assert_eq!(
        user_version(&Connection::open(&backup).unwrap()),
        1,
        "the backup went into the file created for it"
    );
}

/// Builds a database as version `version` left it, with two assessments of Contoso.
fn database_at_version(path: &Path, version: u32) {
    let mut conn = Connection::open(path).unwrap();
    let tx = conn.transaction().unwrap();
    // Version 1 from its literal DDL, later versions from their steps.
    tx.execute_batch(V1_SQL).unwrap();
    for m in MIGRATIONS
        .iter()
        .filter(|m| m.version > 1 && m.version <= version)
    {
        (m.apply)(&tx).unwrap();
    }
    tx.execute(
        "INSERT INTO tenants (tenant_id, display_name, default_domain, cloud) VALUES (?1, ?2, ?3, 'global')",
        (CONTOSO.id, CONTOSO.name, CONTOSO.domain),
    )
    .unwrap();
    for (at, percent) in [
        ("2026-05-01T09:00:00Z", 40.0),
        ("2026-08-01T09:00:00Z", 55.5),
    ] {
        let a = assessment(&CONTOSO, at, percent, "F");
        tx.execute(
            "INSERT INTO assessments (tenant, assessed_at, tool_version, score_percent, grade, coverage,
                 snapshot_gz, assessment_gz, settings_json) VALUES (1, ?1, '0.0.9', ?2, 'F', 80.0, ?3, ?4, '{}')",
            (timestamp(a.assessed_at), percent, encode_json(&snapshot(&CONTOSO)), encode_json(&a)),
        )
        .unwrap();
    }
    tx.pragma_update(None, "user_version", version).unwrap();
    tx.pragma_update(None, "application_id", 0x5049_4D52)
        .unwrap();
    tx.commit().unwrap();
}

#[test]
fn every_earlier_version_migrates_to_the_latest_with_its_data_and_a_backup() {
    for version in 1..SCHEMA_VERSION {
        let (_dir, path) = temp();
        database_at_version(&path, version);
        let backup = backup_path(&path, version);

        let store = Store::open(&path).unwrap();
        assert_eq!(user_version(&store.conn), SCHEMA_VERSION, "from v{version}");
        let list = store.list(Some("contoso")).unwrap();
        assert_eq!(
            list.iter().map(|s| s.score_percent).collect::<Vec<_>>(),
            [55.5, 40.0],
            "from v{version}"
        );
        assert_eq!(list[0].tool_version, "0.0.9");
        // v2 backfills the standing-admin count from the stored assessment.
        assert!(
            list.iter().all(|s| s.standing_admins == 2),
            "from v{version}: {list:?}"
        );
        let (snap, a) = store.load(list[0].id).unwrap();
        assert_eq!(
            (snap.tenant_id.as_str(), a.score.percent),
            (CONTOSO.id, 55.5)
        );

        let old = Connection::open(&backup).unwrap();
        assert_eq!(user_version(&old), version);
        let rows: i64 = old
            .query_row("SELECT count(*) FROM assessments", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 2);
    }
}

#[test]
fn a_backup_is_never_overwritten() {
    let (_dir, path) = temp();
    database_at_version(&path, 1);
    let first = backup_path(&path, 1);
    fs::write(&first, b"an older backup").unwrap();
    Store::open(&path).unwrap();
    assert_eq!(fs::read(&first).unwrap(), b"an older backup");
    assert!(PathBuf::from(format!("{}.1", first.display())).exists());
}

#[test]
fn a_migrated_database_is_not_migrated_again() {
    let (_dir, path) = temp();
    database_at_version(&path, 1);
    drop(Store::open(&path).unwrap());
    drop(Store::open(&path).unwrap());
    assert!(!PathBuf::from(format!("{}.1", backup_path(&path, 1).display())).exists());
}

/// Opening `path` must fail with `kind` and leave every byte as it was.
fn refused_untouched(path: &Path, kind: HistoryErrorKind) -> HistoryError {
    let before = fs::read(path).unwrap();
    let err = Store::open(path).expect_err("must refuse");
    assert_eq!(err.kind(), kind, "{err}");
    assert_eq!(fs::read(path).unwrap(), before, "the file was modified");
    for version in 0..=SCHEMA_VERSION + 1 {
        assert!(
            !backup_path(path, version).exists(),
            "a refused file is not backed up"
        );
    }
    err
}

#[test]
fn a_newer_version_is_refused_and_untouched() {
    let (_dir, path) = temp();
    let mut store = Store::open(&path).unwrap();
    save(&mut store, &CONTOSO, "2026-08-01T09:00:00Z", 50.0);
    store
        .conn
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(store);
    let err = refused_untouched(&path, HistoryErrorKind::NewerVersion);
    assert!(err.to_string().contains("upgrade PIM Ready"), "{err}");
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_untouched() {
    let (_dir, path) = temp();
    fs::write(
        &path,
        "this is not a database, just a text file\n".repeat(200),
    )
    .unwrap();
    let err = refused_untouched(&path, HistoryErrorKind::Corrupt);
    assert!(err.to_string().contains("not an SQLite database"), "{err}");
}

#[test]
fn a_damaged_database_is_refused_and_untouched() {
    let (_dir, path) = temp();
    let mut store = Store::open(&path).unwrap();
    for day in 1..=9 {
        save(
            &mut store,
            &CONTOSO,
            &format!("2026-08-0{day}T09:00:00Z"),
            50.0,
        );
    }
    drop(store); // checkpoints the WAL into the file
    let mut bytes = fs::read(&path).unwrap();
    let page: usize = u16::from_be_bytes([bytes[16], bytes[17]]).into();
    assert!(bytes.len() >= 4 * page);
    // Scribble over the second and third pages (table b-tree roots).
    for b in &mut bytes[page..3 * page] {
        *b = 0xA5;
    }
    fs::write(&path, &bytes).unwrap();
    refused_untouched(&path, HistoryErrorKind::Corrupt);
}

#[test]
fn another_programs_database_is_refused_and_untouched() {
    let (_dir, path) = temp();
    Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE notes (body TEXT)")
        .unwrap();
    refused_untouched(&path, HistoryErrorKind::NotHistory);
}

#[test]
fn the_schema_has_no_place_for_a_token() {
    let (_dir, path) = temp();
    let store = Store::open(&path).unwrap();
    let mut stmt = store
        .conn
        .prepare("SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'")
        .unwrap();
    let columns: Vec<String> = stmt
        .query_map([], |r| {
            Ok(format!(
                "{}.{}",
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(columns.len() > 10, "{columns:?}");
    for forbidden in ["token", "secret", "password", "credential", "refresh"] {
        assert!(
            !columns.iter().any(|c| c.to_lowercase().contains(forbidden)),
            "{forbidden} in {columns:?}"
        );
    }
}

// ---- reading and writing ----------------------------------------------------------------

#[test]
fn saved_assessments_come_back_whole() {
    let (_dir, path) = temp();
    let mut store = Store::open(&path).unwrap();
    let settings = AssessmentSettings {
        stale_after_days: 30,
        ..AssessmentSettings::default()
    };
    let a = assessment(&CONTOSO, "2026-08-01T09:00:00Z", 62.5, "D");
    let id = store.save(&snapshot(&CONTOSO), &a, &settings).unwrap();
    drop(store);

    let store = Store::open(&path).unwrap();
    let (snap, loaded) = store.load(id).unwrap();
    assert_eq!(snap, snapshot(&CONTOSO));
    assert_eq!(loaded, a);
    assert_eq!(store.load_assessment(id).unwrap(), a);
    assert_eq!(store.settings(id).unwrap(), settings);
    let summary = store.summary(id).unwrap();
    assert_eq!(
        (
            summary.display_name.as_str(),
            summary.score_percent,
            summary.grade.as_str(),
            summary.coverage
        ),
        ("Contoso", 62.5, "D", 80.0)
    );
    assert_eq!(summary.assessed_at, a.assessed_at);
    assert_eq!(summary.standing_admins, 2);
    assert_eq!(
        store.load(AssessmentId(999)).unwrap_err().kind(),
        HistoryErrorKind::NotFound
    );
}

#[test]
fn a_snapshot_of_another_tenant_is_refused() {
    let (_dir, path) = temp();
    let mut store = Store::open(&path).unwrap();
    let a = assessment(&CONTOSO, "2026-08-01T09:00:00Z", 62.5, "D");
    let err = store
        .save(&snapshot(&FABRIKAM), &a, &AssessmentSettings::default())
        .unwrap_err();
    assert_eq!(err.kind(), HistoryErrorKind::TenantMismatch);
}

#[test]
fn list_is_newest_first_and_filters_by_any_tenant_name() {
    let (_dir, path) = temp();
    let mut store = Store::open(&path).unwrap();
    let c1 = save(&mut store, &CONTOSO, "2026-05-01T09:00:00Z", 40.0);
    let f1 = save(&mut store, &FABRIKAM, "2026-06-01T09:00:00Z", 70.0);
    let c2 = save(&mut store, &CONTOSO, "2026-08-01T09:00:00Z", 90.0);
    let ids = |list: Vec<AssessmentSummary>| list.into_iter().map(|s| s.id).collect::<Vec<_>>();
    assert_eq!(ids(store.list(None).unwrap()), [c2, f1, c1]);
    for query in [
        CONTOSO.id,
        "11111111-1111-1111-1111-111111111111",
        "CONTOSO.onmicrosoft.com",
        "contoso",
        " Contoso ",
    ] {
        assert_eq!(ids(store.list(Some(query)).unwrap()), [c2, c1], "{query}");
    }
    assert_eq!(ids(store.list(Some("fabrikam")).unwrap()), [f1]);
    assert_eq!(
        store.list(Some("northwind")).unwrap_err().kind(),
        HistoryErrorKind::UnknownTenant
    );
    assert_eq!(
        store
            .tenants()
            .unwrap()
            .iter()
            .map(|t| t.display_name.as_str())
            .collect::<Vec<_>>(),
        ["Contoso", "Fabrikam"]
    );
}

#[test]
fn two_tenants_with_one_name_are_ambiguous_by_name_but_not_by_id() {
    let (_dir, path) = temp();
    let mut store = Store::open(&path).unwrap();
    let twin = Tenant {
        id: "33333333-3333-3333-3333-333333333333",
        name: "Contoso",
        domain: "contosoeu.onmicrosoft.com",
    };
    save(&mut store, &CONTOSO, "2026-05-01T09:00:00Z", 40.0);
    save(&mut store, &twin, "2026-05-02T09:00:00Z", 40.0);
    let err = store.list(Some("contoso")).unwrap_err();
    assert_eq!(err.kind(), HistoryErrorKind::AmbiguousTenant);
    assert!(
        err.to_string().contains(twin.id) && err.to_string().contains(CONTOSO.id),
        "{err}"
    );
    assert_eq!(store.list(Some(twin.id)).unwrap().len(), 1);
    assert_eq!(
        store.list(Some("contosoeu.onmicrosoft.com")).unwrap().len(),
        1
    );
}

#[test]
fn previous_and_trend_follow_assessment_time() {
    let (_dir, path) = temp();
    let mut store = Store::open(&path).unwrap();
    // Saved out of order: time, not insertion, decides.
    let late = save(&mut store, &CONTOSO, "2026-08-01T09:00:00Z", 90.0);
    let early = save(&mut store, &CONTOSO, "2026-02-01T09:00:00Z", 30.0);
    save(&mut store, &FABRIKAM, "2026-04-01T09:00:00Z", 70.0);
    let middle = save(&mut store, &CONTOSO, "2026-05-01T09:00:00Z", 60.0);

    assert_eq!(
        store.previous("contoso", late).unwrap().map(|s| s.id),
        Some(middle)
    );
    assert_eq!(
        store.previous("contoso", middle).unwrap().map(|s| s.id),
        Some(early)
    );
    assert_eq!(store.previous("contoso", early).unwrap(), None);
    assert_eq!(
        store
            .previous("contoso", AssessmentId(999))
            .unwrap_err()
            .kind(),
        HistoryErrorKind::NotFound
    );

    let trend = store.trend("contoso.onmicrosoft.com").unwrap();
    let points: Vec<_> = trend.iter().map(|p| (p.id, p.score_percent)).collect();
    assert_eq!(points, [(early, 30.0), (middle, 60.0), (late, 90.0)]);
    assert!(
        trend
            .windows(2)
            .all(|w| w[0].assessed_at < w[1].assessed_at)
    );
}

#[test]
fn forget_removes_the_tenant_and_only_its_assessments() {
    let (_dir, path) = temp();
    let mut store = Store::open(&path).unwrap();
    save(&mut store, &CONTOSO, "2026-05-01T09:00:00Z", 40.0);
    let kept = save(&mut store, &FABRIKAM, "2026-06-01T09:00:00Z", 70.0);
    save(&mut store, &CONTOSO, "2026-08-01T09:00:00Z", 90.0);

    assert_eq!(store.forget_tenant("Contoso").unwrap(), 2);
    assert_eq!(
        store
            .list(None)
            .unwrap()
            .iter()
            .map(|s| s.id)
            .collect::<Vec<_>>(),
        [kept]
    );
    assert_eq!(
        store.forget_tenant("contoso").unwrap_err().kind(),
        HistoryErrorKind::UnknownTenant
    );
    assert_eq!(store.tenants().unwrap().len(), 1);
    drop(store);
    // secure_delete + checkpoint: the forgotten tenant's name is gone from the file.
    let bytes = fs::read(&path).unwrap();
    assert!(
        !bytes
            .windows(CONTOSO.domain.len())
            .any(|w| w == CONTOSO.domain.as_bytes())
    );
}

// ---- a write killed halfway -------------------------------------------------------------

const CRASH_CHILD: &str = "PIMREADY_HISTORY_CRASH_CHILD";
const CRASH_TEST: &str = "tests::a_write_killed_halfway_loses_nothing_committed";

/// An assessment whose compressed form is several megabytes (pseudo-random evidence),
/// so SQLite spills pages to the WAL before the commit that never comes.
fn large_assessment() -> Assessment {
    let mut a = assessment(&CONTOSO, "2026-09-01T09:00:00Z", 10.0, "F");
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let pim01 = a.checks.iter_mut().find(|f| f.id == "PIM-01").unwrap();
    pim01.evidence = (0..60_000)
        .map(|_| Evidence {
            display_name: format!("{:016x}{:016x}", next(), next()),
            object_id: Some(format!("{:016x}{:016x}", next(), next())),
            object_type: "user".into(),
            detail: format!("{:016x}", next()),
            ..Evidence::default()
        })
        .collect();
    a
}

#[test]
fn a_write_killed_halfway_loses_nothing_committed() {
    if let Ok(path) = std::env::var(CRASH_CHILD) {
        // The child: one committed save, then a large one killed inside its transaction.
        let mut store = Store::open(&path).unwrap();
        save(&mut store, &FABRIKAM, "2026-08-15T09:00:00Z", 75.0);
        let big = large_assessment();
        store::crash::arm();
        let _ = store.save(&snapshot(&CONTOSO), &big, &AssessmentSettings::default());
        unreachable!("the save aborts before it commits");
    }

    let (_dir, path) = temp();
    let mut store = Store::open(&path).unwrap();
    let first = save(&mut store, &CONTOSO, "2026-05-01T09:00:00Z", 40.0);
    let second = save(&mut store, &CONTOSO, "2026-08-01T09:00:00Z", 60.0);
    drop(store);

    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", CRASH_TEST, "--nocapture", "--test-threads=1"])
        .env(CRASH_CHILD, &path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            status.signal(),
            Some(6),
            "the child must die by abort(), not fail: {status:?}"
        );
    }
    assert!(!status.success());
    // The aborted transaction had reached the disk: its pages are in the WAL.
    let wal = fs::metadata(format!("{}-wal", path.display())).map_or(0, |m| m.len());
    assert!(wal > 1_000_000, "WAL holds {wal} bytes");

    let store = Store::open(&path).unwrap();
    let integrity: String = store
        .conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let list = store.list(None).unwrap();
    let seen: Vec<_> = list
        .iter()
        .map(|s| (s.display_name.as_str(), s.score_percent))
        .collect();
    assert_eq!(
        seen,
        [("Fabrikam", 75.0), ("Contoso", 60.0), ("Contoso", 40.0)]
    );
    assert_eq!(list[1].id, second);
    assert_eq!(list[2].id, first);
    for s in &list {
        store.load(s.id).unwrap();
    }
    // And it still takes writes.
    drop(store);
    let mut store = Store::open(&path).unwrap();
    save(&mut store, &CONTOSO, "2026-09-02T09:00:00Z", 80.0);
    assert_eq!(store.list(Some("contoso")).unwrap().len(), 3);
}

// ---- diff -------------------------------------------------------------------------------

fn set_status(a: &mut Assessment, id: &str, status: Status) {
    a.checks.iter_mut().find(|f| f.id == id).unwrap().status = status;
}

#[test]
fn diff_of_two_assessments_names_every_change() {
    let old = assessment(&CONTOSO, "2026-05-01T09:00:00Z", 40.0, "F");
    let mut new = assessment(&CONTOSO, "2026-08-01T09:00:00Z", 72.5, "C");
    new.score.coverage = 100.0;
    // Licences bought: P2 through E5; LIC-01 passes.
    new.licensing.pim_capable = true;
    new.licensing.p2 = true;
    new.licensing.sources[0].path = Some(LicencePath::M365E5);
    new.licensing.seats = pimready_core::licensing::Seats {
        available: 20,
        in_scope: 14,
        shortfall: 0,
        ..Default::default()
    };
    set_status(&mut new, "LIC-01", Status::Pass);
    set_status(&mut new, "PIM-04", Status::Fail);
    // Bob made eligible, Carol given a permanent role; a check dropped, one added.
    let pim01 = new.checks.iter_mut().find(|f| f.id == "PIM-01").unwrap();
    pim01
        .evidence
        .retain(|e| e.object_id.as_deref() != Some("b2"));
    pim01.evidence.push(
        serde_json::from_value(standing_admin("c3", "Carol", "Exchange Administrator")).unwrap(),
    );
    new.headline.standing_admins = 2;
    new.checks.retain(|f| f.id != "LIC-01");
    let mut added: pimready_core::finding::Finding = new.checks[0].clone();
    added.id = "CA-01".into();
    added.title = "CA-01 title".into();
    added.status = Status::Pass;
    new.checks.push(added);

    let d = diff(&old, &new);
    assert_eq!(
        d.score,
        Change {
            from: 40.0,
            to: 72.5
        }
    );
    assert_eq!(
        d.grade,
        Change {
            from: Grade::F,
            to: Grade::C
        }
    );
    let checks: Vec<_> = d
        .checks
        .iter()
        .map(|c| (c.id.as_str(), c.from, c.to))
        .collect();
    assert_eq!(
        checks,
        [
            ("PIM-04", Some(Status::NotLicensed), Some(Status::Fail)),
            ("CA-01", None, Some(Status::Pass)),
            ("LIC-01", Some(Status::Fail), None),
        ]
    );
    assert!(d.standing_admins.compared);
    let names = |v: &[StandingAdmin]| v.iter().map(|a| a.display_name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&d.standing_admins.added), ["Carol"]);
    assert_eq!(names(&d.standing_admins.removed), ["Bob"]);
    assert_eq!(d.licensing.paths_added, [LicencePath::M365E5]);
    assert!(d.licensing.paths_removed.is_empty());
    assert_eq!(d.licensing.seats.shortfall.delta(), -12);

    assert_eq!(
        d.lines(),
        [
            "Since the assessment of 2026-05-01:",
            "Score: 40.0% (F) → 72.5% (C), +32.5 points",
            "Coverage: 80% → 100%",
            "Checks that changed (3):",
            "  PIM-04 PIM-04 title: Requires P2 → Fail",
            "  CA-01 CA-01 title: (not in this version) → Pass",
            "  LIC-01 LIC-01 title: Fail → (not in this version)",
            "Standing admins: 2 → 2",
            "  + Carol (carol@contoso.com): Exchange Administrator",
            "  - Bob (bob@contoso.com): Global Administrator",
            "Licensing:",
            "  PIM-capable: no → yes",
            "  + Microsoft 365 E5",
            "  Seats available: 0 → 20 (+20)",
            "  Users in PIM scope: 12 → 14 (+2)",
            "  Seat shortfall: 12 → 0 (-12)",
        ]
    );
    // The diff is data for the faces too.
    let back: AssessmentDiff = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
    assert_eq!(back, d);
}

#[test]
fn diff_of_identical_assessments_says_so() {
    let a = assessment(&CONTOSO, "2026-05-01T09:00:00Z", 40.0, "F");
    let d = diff(&a, &a.clone());
    assert!(d.is_empty());
    assert_eq!(
        d.lines(),
        ["No changes since the assessment of 2026-05-01."]
    );
}

#[test]
fn standing_admins_are_not_compared_when_pim01_was_not_assessed() {
    let old = assessment(&CONTOSO, "2026-05-01T09:00:00Z", 40.0, "F");
    let mut new = assessment(&CONTOSO, "2026-08-01T09:00:00Z", 40.0, "F");
    set_status(&mut new, "PIM-01", Status::NotAssessed);
    new.checks
        .iter_mut()
        .find(|f| f.id == "PIM-01")
        .unwrap()
        .evidence
        .clear();
    let d = diff(&old, &new);
    assert!(!d.standing_admins.compared);
    assert!(d.standing_admins.added.is_empty() && d.standing_admins.removed.is_empty());
    assert_eq!(d.checks.len(), 1);
}

#[test]
fn a_diff_through_the_store() {
    let (_dir, path) = temp();
    let mut store = Store::open(&path).unwrap();
    let old = save(&mut store, &CONTOSO, "2026-05-01T09:00:00Z", 40.0);
    let new = save(&mut store, &CONTOSO, "2026-08-01T09:00:00Z", 95.0);
    let d = diff(
        &store.load_assessment(old).unwrap(),
        &store.load_assessment(new).unwrap(),
    );
    assert_eq!(
        d.grade,
        Change {
            from: Grade::D,
            to: Grade::A
        }
    );
}

#[test]
fn error_kinds_are_stable() {
    let kinds = [
        HistoryError::NoDataDir.kind(),
        HistoryError::UnknownTenant(String::new()).kind(),
        HistoryError::NotFound(AssessmentId(1)).kind(),
        HistoryError::NewerVersion {
            path: String::new(),
            found: 3,
            supported: 2,
        }
        .kind(),
        HistoryError::Corrupt {
            path: String::new(),
            detail: String::new(),
        }
        .kind(),
    ];
    assert_eq!(
        kinds.map(HistoryErrorKind::as_str),
        [
            "no_data_dir",
            "unknown_tenant",
            "not_found",
            "newer_version",
            "corrupt"
        ]
    );
    // Every word the faces may branch on, pinned.
    assert_eq!(
        HistoryErrorKind::ALL
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>(),
        [
            "no_data_dir",
            "io",
            "not_history",
            "corrupt",
            "newer_version",
            "unknown_tenant",
            "ambiguous_tenant",
            "different_tenants",
            "not_found",
            "tenant_mismatch",
            "unreadable",
            "database",
        ]
    );
}

#[test]
fn assessment_ids_parse_with_or_without_a_hash() {
    assert_eq!("#12".parse::<AssessmentId>().unwrap(), AssessmentId(12));
    assert_eq!(" 7 ".parse::<AssessmentId>().unwrap().to_string(), "7");
    assert!("x".parse::<AssessmentId>().is_err());
}

#[test]
fn the_default_path_is_in_the_data_directory() {
    if let Some(path) = default_path() {
        assert!(
            path.ends_with(Path::new("pimready").join(FILE_NAME)),
            "{}",
            path.display()
        );
    }
}

#[test]
fn forget_also_cleans_the_backups() {
    let (_dir, path) = temp();
    database_at_version(&path, 1);
    let backup = backup_path(&path, 1);
    let mut store = Store::open(&path).unwrap();
    assert!(backup.exists());
    assert_eq!(store.forget_tenant(CONTOSO.domain).unwrap(), 2);
    let old = Connection::open(&backup).unwrap();
    let rows: i64 = old
        .query_row("SELECT count(*) FROM assessments", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 0);
    drop(old);
    let bytes = fs::read(&backup).unwrap();
    assert!(
        !bytes
            .windows(CONTOSO.domain.len())
            .any(|w| w == CONTOSO.domain.as_bytes())
    );
}

#[test]
fn compare_orders_by_time_and_refuses_two_tenants() {
    let (_dir, path) = temp();
    let mut store = Store::open(&path).unwrap();
    let old = save(&mut store, &CONTOSO, "2026-05-01T09:00:00Z", 40.0);
    let new = save(&mut store, &CONTOSO, "2026-08-01T09:00:00Z", 95.0);
    let other = save(&mut store, &FABRIKAM, "2026-08-01T09:00:00Z", 95.0);
    let forward = store.compare(old, new).unwrap();
    assert_eq!(
        forward.score,
        Change {
            from: 40.0,
            to: 95.0
        }
    );
    assert_eq!(store.compare(new, old).unwrap(), forward);
    assert_eq!(
        store.compare(old, other).unwrap_err().kind(),
        HistoryErrorKind::DifferentTenants
    );
    assert_eq!(
        store.compare(old, AssessmentId(999)).unwrap_err().kind(),
        HistoryErrorKind::NotFound
    );
}

// ---- what the faces read: report history and the portfolio ------------------------------

#[test]
fn report_history_compares_with_the_previous_saved_assessment() {
    let (_dir, path) = temp();
    let mut store = Store::open(&path).unwrap();
    let first = assessment(&CONTOSO, "2026-08-01T09:00:00Z", 40.0, "D");
    let settings = AssessmentSettings::default();
    let id1 = store.save(&snapshot(&CONTOSO), &first, &settings).unwrap();
    assert!(
        report_history(&store, &first, id1).unwrap().is_none(),
        "a first assessment has nothing to compare with"
    );
    let second = assessment(&CONTOSO, "2026-09-01T09:00:00Z", 45.0, "D");
    let id2 = store.save(&snapshot(&CONTOSO), &second, &settings).unwrap();
    let h = report_history(&store, &second, id2).unwrap().unwrap();
    assert_eq!(h.diff.assessed_at.from, first.assessed_at);
    assert!((h.diff.score.delta() - 5.0).abs() < 1e-9);
    let ids: Vec<AssessmentId> = h.trend.iter().map(|p| p.id).collect();
    assert_eq!(ids, [id1, id2], "the trend includes the new point");
}

#[test]
fn the_portfolio_has_each_tenants_latest_assessment() {
    let (_dir, path) = temp();
    let mut store = Store::open(&path).unwrap();
    assert!(portfolio(&store).unwrap().is_empty());
    save(&mut store, &FABRIKAM, "2026-08-01T09:00:00Z", 30.0);
    save(&mut store, &CONTOSO, "2026-08-01T09:00:00Z", 40.0);
    save(&mut store, &CONTOSO, "2026-09-01T09:00:00Z", 95.0);
    save(&mut store, &FABRIKAM, "2026-07-01T09:00:00Z", 20.0);
    let rows = portfolio(&store).unwrap();
    let got: Vec<(&str, f64, &str)> = rows
        .iter()
        .map(|r| {
            let s = r.outcome.as_ref().unwrap();
            (r.tenant.as_str(), s.score_percent, s.grade.as_str())
        })
        .collect();
    assert_eq!(
        got,
        [
            ("contoso.onmicrosoft.com", 95.0, "A"),
            ("fabrikam.onmicrosoft.com", 30.0, "D"),
        ],
        "by name, the latest (not the last saved) assessment of each"
    );
}

/// The cloud and the grade are types now; the rows already stored hold their wire names
/// (`usgov-dod`, `B`) as text, and read back as before.
#[test]
fn stored_cloud_and_grade_text_reads_back_as_types() {
    let (_dir, path) = temp();
    let mut store = Store::open(&path).unwrap();
    let id = save(&mut store, &CONTOSO, "2026-05-01T09:00:00Z", 40.0);
    store
        .conn
        .execute(
            "UPDATE tenants SET cloud = 'usgov-dod' WHERE tenant_id = ?1",
            [CONTOSO.id],
        )
        .unwrap();
    store
        .conn
        .execute("UPDATE assessments SET grade = 'B' WHERE id = ?1", [id.0])
        .unwrap();
    assert_eq!(store.tenants().unwrap()[0].cloud, Cloud::UsgovDod);
    assert_eq!(store.summary(id).unwrap().grade, Grade::B);

    // And what `save` writes is that same text.
    let mut a = assessment(&FABRIKAM, "2026-05-02T09:00:00Z", 95.0, "A");
    a.tenant.cloud = Cloud::China;
    store
        .save(&snapshot(&FABRIKAM), &a, &AssessmentSettings::default())
        .unwrap();
    let (cloud, grade): (String, String) = store
        .conn
        .query_row(
            "SELECT t.cloud, a.grade FROM assessments a JOIN tenants t ON t.id = a.tenant
             WHERE t.tenant_id = ?1",
            [FABRIKAM.id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((cloud.as_str(), grade.as_str()), ("china", "A"));

    // A value this version does not know is a named error, not a silent default.
    store
        .conn
        .execute("UPDATE tenants SET cloud = 'germany'", [])
        .unwrap();
    assert_eq!(
        store.tenants().unwrap_err().kind(),
        HistoryErrorKind::Database
    );
}
