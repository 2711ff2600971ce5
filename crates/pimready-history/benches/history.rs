//! History at consultant scale: 1,000 stored assessments (20 tenants × 50 quarters).
//! Prints how long listing, trends, loading and a diff take. No assertions on time.
//!
//! Run: `cargo bench -p pimready-history --bench history`
//! (or `cargo test -p pimready-history --bench history` for a quick unoptimised run).

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use pimready_core::assessment::Assessment;
use pimready_core::settings::AssessmentSettings;
use pimready_core::snapshot::TenantSnapshot;
use pimready_history::{self as history, Store};
use serde_json::json;

const TENANTS: u32 = 20;
const PER_TENANT: u32 = 50;
const CHECKS: u32 = 25;
const PRINCIPALS: u32 = 150;
const RUNS: usize = 25;

fn tenant_id(t: u32) -> String {
    format!("{t:08x}-0000-4000-8000-000000000000")
}

fn snapshot(t: u32, at: DateTime<Utc>) -> TenantSnapshot {
    let principals: Vec<_> = (0..PRINCIPALS)
        .map(|p| {
            json!({"@odata.type": "#microsoft.graph.user", "id": format!("{t:04}-{p:08}"),
                   "displayName": format!("Admin {p}"), "userPrincipalName": format!("admin{p}@tenant{t}.onmicrosoft.com"),
                   "userType": "Member", "accountEnabled": true})
        })
        .collect();
    let mut value = json!({
        "schema_version": 1, "tenant_id": tenant_id(t),
        "meta": {"collected_at": at, "tool_version": "0.1.0", "cloud": "global", "graph_host": "graph.microsoft.com",
                 "requests": 40, "retries": 0, "duration_ms": 4000},
        "privileged_principals": principals, "gaps": []
    });
    for dataset in [
        "organization",
        "subscribed_skus",
        "role_definitions",
        "role_assignments",
        "role_assignment_schedule_instances",
        "role_assignment_schedules",
        "role_eligibility_schedule_instances",
        "role_eligibility_schedules",
        "role_management_policies",
        "sign_in_activity",
        "privileged_groups",
        "group_eligibility_schedule_instances",
        "group_assignment_schedule_instances",
        "access_reviews",
        "conditional_access_policies",
    ] {
        value[dataset] = serde_json::Value::Null;
    }
    TenantSnapshot::from_json(&value.to_string(), "bench")
        .expect("bench snapshot fits the contract")
}

fn assessment(t: u32, q: u32, at: DateTime<Utc>) -> Assessment {
    let percent = f64::from((q * 7 + t * 3) % 100);
    let statuses = [
        "pass",
        "warning",
        "fail",
        "not_licensed",
        "not_assessed",
        "pass",
    ];
    let checks: Vec<_> = (0..CHECKS)
        .map(|c| {
            let id = if c == 0 { "PIM-01".to_owned() } else { format!("CHK-{c:02}") };
            let evidence: Vec<_> = (0..10)
                .map(|e| {
                    let who = (e + q) % 40;
                    json!({"display_name": format!("Admin {who}"), "principal_name": format!("admin{who}@tenant{t}.onmicrosoft.com"),
                           "object_id": format!("{t:04}-{who:08}"), "object_type": "user",
                           "role": "Global Administrator", "detail": "permanent active assignment"})
                })
                .collect();
            json!({"id": id, "title": format!("Check {c}"), "category": "pim_assignments", "severity": "high",
                   "status": statuses[((c + q) % 6) as usize], "summary": "One sentence.", "references": [],
                   "minimum_licence": "p2", "rationale": "Why it matters.", "evidence": evidence,
                   "remediation": {"steps": ["Do this.", "Then that."], "portal_path": "Identity governance > PIM",
                                   "powershell": "Get-MgRoleManagementDirectoryRoleAssignment"}})
        })
        .collect();
    serde_json::from_value(json!({
        "schema_version": 1, "generator": {"name": "pimready", "version": "0.1.0"}, "assessed_at": at,
        "tenant": {"id": tenant_id(t), "display_name": format!("Tenant {t}"),
                   "default_domain": format!("tenant{t}.onmicrosoft.com"), "cloud": "global"},
        "headline": {"standing_admins": 10, "eligible_admins": 4, "global_admins": 3, "emergency_accounts": 2},
        "licensing": {"pim_capable": q.is_multiple_of(2), "p2": q.is_multiple_of(2), "governance": false, "p1": true, "sources": [],
                      "seats": {"available": q, "in_scope": 30, "shortfall": 30u32.saturating_sub(q)}},
        "cost": {"currency": "USD", "prices_checked_on": "2026-11-01", "options": [], "recommended": null,
                 "recommendation": "No purchase needed."},
        "score": {"percent": percent, "grade": "C", "coverage": 90.0, "categories": []},
        "checks": checks, "plan": [], "gaps": [],
        "collection": {"requests": 40, "duration_ms": 4000, "graph_host": "graph.microsoft.com", "scopes": [], "datasets": []}
    }))
    .expect("bench assessment fits the contract")
}

/// Median of `RUNS` timings of `f`.
fn median<T>(mut f: impl FnMut() -> T) -> Duration {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

fn show(what: &str, time: Duration) {
    println!("{what:<48} {:>10.3} ms", time.as_secs_f64() * 1000.0);
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(history::FILE_NAME);
    let settings = AssessmentSettings::default();
    let start: DateTime<Utc> = "2014-01-01T09:00:00Z".parse().unwrap();

    let mut store = Store::open(&path).expect("open");
    let mut saving = Duration::ZERO;
    for q in 0..PER_TENANT {
        for t in 0..TENANTS {
            let at = start + TimeDelta::days(i64::from(q * 91)) + TimeDelta::minutes(i64::from(t));
            let (snap, a) = (snapshot(t, at), assessment(t, q, at));
            let begin = Instant::now();
            store.save(&snap, &a, &settings).expect("save");
            saving += begin.elapsed();
        }
    }
    drop(store);
    let size = std::fs::metadata(&path).map_or(0, |m| m.len());
    println!(
        "history bench: {} assessments ({TENANTS} tenants × {PER_TENANT}), file {:.1} MB, median of {RUNS} runs",
        TENANTS * PER_TENANT,
        size as f64 / 1e6
    );
    show(
        "save (mean per assessment, fsync included)",
        saving / (TENANTS * PER_TENANT),
    );

    show(
        "open (quick_check, no migration)",
        median(|| Store::open(&path).expect("open")),
    );
    let store = Store::open(&path).expect("open");
    let all = store.list(None).expect("list");
    assert_eq!(all.len(), (TENANTS * PER_TENANT) as usize);
    show("list all 1,000", median(|| store.list(None).expect("list")));
    show(
        "list one tenant (50), by display name",
        median(|| store.list(Some("Tenant 7")).expect("list")),
    );
    show(
        "trend of one tenant",
        median(|| store.trend("tenant7.onmicrosoft.com").expect("trend")),
    );
    let newest = store.list(Some("Tenant 7")).expect("list");
    let (new_id, old_id) = (newest[0].id, newest[1].id);
    show(
        "previous",
        median(|| store.previous("Tenant 7", new_id).expect("previous")),
    );
    show(
        "diff: load two assessments + diff + lines",
        median(|| {
            let old = store.load_assessment(old_id).expect("load");
            let new = store.load_assessment(new_id).expect("load");
            history::diff(&old, &new).lines()
        }),
    );
    show(
        "load one snapshot + assessment",
        median(|| store.load(new_id).expect("load")),
    );
}
