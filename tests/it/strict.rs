//! The strict emulator (each Graph route checks the delegated permissions Microsoft
//! documents for it) and the collector against it: no 403 with the scopes PIM Ready asks
//! for, principals resolved without `directoryObjects/getByIds`, and a refused look-up
//! that loses only its own principal.

use pimready_core::finding::Status;
use pimready_core::snapshot::{Dataset, PrincipalKind};
use pimready_tests::{Emulator, app_scopes, assessed, collect, start_with_scopes};
use serde_json::{Value, json};

use pimready_tests::now;

/// An emulator whose fixed token lacks these of the app's scopes (the test names them).
async fn without(name: &str, withheld: &[&str]) -> Emulator {
    let scopes = app_scopes()
        .into_iter()
        .filter(|s| !withheld.contains(&s.as_str()));
    start_with_scopes(name, scopes).await
}

async fn get(emu: &Emulator, path: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .get(format!("{}/v1.0{path}", emu.base_url()))
        .bearer_auth(emu.token())
        .send()
        .await
        .unwrap();
    (
        resp.status().as_u16(),
        resp.json().await.unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn every_fixture_collects_without_a_403_and_without_get_by_ids() {
    for name in [
        "contoso-e5",
        "fabrikam-bp",
        "northwind-p2",
        "large-100",
        "tailspin-eligible",
    ] {
        let emu = Emulator::start_named(name).await.unwrap();
        let s = collect(&emu).await;
        let log = emu.requests();
        let refused: Vec<String> = log
            .iter()
            .filter(|r| r.status == Some(403))
            .map(|r| r.path_and_query.clone())
            .collect();
        assert!(refused.is_empty(), "{name}: 403 for {refused:?}");
        assert!(
            log.iter().all(|r| !r.path().contains("getByIds")),
            "{name}: getByIds needs Directory.Read.All"
        );
        let unknown: Vec<&str> = s
            .privileged_principals
            .iter()
            .flatten()
            .filter(|p| p.is_unknown())
            .map(|p| p.id.as_str())
            .collect();
        assert!(unknown.is_empty(), "{name}: unresolved {unknown:?}");
        assert!(
            s.gap(Dataset::PrivilegedPrincipals).is_none(),
            "{name}: {:?}",
            s.gaps
        );
    }
}

/// Each route checks its documented permission, inside `$batch` too; signInActivity in
/// `$select` also needs AuditLog.Read.All.
#[tokio::test]
async fn a_route_refuses_a_token_without_its_documented_permission() {
    let emu = without("contoso-e5", &["AuditLog.Read.All", "Policy.Read.All"]).await;
    let user = emu.tenant().user_ids[0].clone();
    let (status, body) = get(&emu, &format!("/users/{user}?$select=id,signInActivity")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("Authorization_RequestDenied"))
    );
    let (status, _) = get(&emu, &format!("/users/{user}?$select=id,displayName")).await;
    assert_eq!(status, 200);
    let (status, _) = get(&emu, "/identity/conditionalAccess/policies").await;
    assert_eq!(status, 403);
    let (status, _) = get(&emu, "/roleManagement/directory/roleDefinitions").await;
    assert_eq!(status, 200);

    let batch = reqwest::Client::new()
        .post(format!("{}/v1.0/$batch", emu.base_url()))
        .bearer_auth(emu.token())
        .json(&json!({"requests": [
            {"id": "1", "method": "GET", "url": format!("/users/{user}?$select=id,signInActivity")},
            {"id": "2", "method": "GET", "url": format!("/users/{user}?$select=id")},
        ]}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        batch.status(),
        200,
        "the envelope itself needs no permission"
    );
    let body: Value = batch.json().await.unwrap();
    let status_of = |id: &str| {
        body["responses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()["status"]
            .as_u64()
    };
    assert_eq!((status_of("1"), status_of("2")), (Some(403), Some(200)));
}

/// `$expand=principal` and group members: an object of a type the token may not read
/// comes back with its id and type only.
#[tokio::test]
async fn unreadable_types_come_back_with_limited_information() {
    let emu = without("contoso-e5", &["Application.Read.All"]).await;
    let (status, body) = get(
        &emu,
        "/roleManagement/directory/roleAssignments?$expand=principal",
    )
    .await;
    assert_eq!(status, 200);
    let principals: Vec<&Value> = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["principal"])
        .collect();
    let sp = principals
        .iter()
        .find(|p| p["@odata.type"] == "#microsoft.graph.servicePrincipal")
        .expect("contoso has a service principal holding a role");
    assert!(sp["id"].is_string() && sp["displayName"].is_null(), "{sp}");
    let user = principals
        .iter()
        .find(|p| p["@odata.type"] == "#microsoft.graph.user")
        .unwrap();
    assert!(user["displayName"].is_string(), "{user}");
}

/// Without Application.Read.All the service principals that hold roles are unknown,
/// named as such; every user and group answer is kept, and no check that reads
/// principals passes on them.
#[tokio::test]
async fn a_refused_lookup_loses_only_its_own_principal() {
    let emu = without("contoso-e5", &["Application.Read.All"]).await;
    let s = collect(&emu).await;
    assert!(
        s.gap(Dataset::PrivilegedPrincipals).is_none(),
        "{:?}",
        s.gaps
    );
    let principals = s.privileged_principals.as_deref().unwrap();
    let unknown: Vec<_> = principals.iter().filter(|p| p.is_unknown()).collect();
    assert!(!unknown.is_empty());
    assert!(
        unknown
            .iter()
            .all(|p| p.kind() == PrincipalKind::ServicePrincipal),
        "{unknown:?}"
    );
    assert!(
        principals
            .iter()
            .filter(|p| p.kind() == PrincipalKind::User)
            .all(|p| !p.is_unknown() && p.display_name.is_some())
    );
    let full = collect(&Emulator::start_named("contoso-e5").await.unwrap()).await;
    assert_eq!(
        principals.len(),
        full.privileged_principals.as_ref().unwrap().len(),
        "the same principals, some unknown"
    );
    let a = assessed(&s, &[]);
    for f in &a.checks {
        let named = f
            .missing_data
            .iter()
            .any(|m| m.detail.contains("unknown service principal"));
        if named {
            assert_ne!(f.status, Status::Pass, "{}", f.id);
        }
    }
    assert!(
        a.checks.iter().any(|f| f
            .missing_data
            .iter()
            .any(|m| m.detail.contains(unknown[0].id.as_str()))),
        "the unknown principal is named"
    );
}

/// Eligible-only admins of each principal type (a user, a role-assignable group and its
/// members, a service principal), with names in Latin, Greek and Cyrillic scripts: all
/// resolved, and the names reach the JSON, CSV and PDF reports intact.
#[tokio::test]
async fn eligible_only_admins_of_every_type_resolve_with_their_names() {
    let emu = Emulator::start_named("tailspin-eligible").await.unwrap();
    let s = collect(&emu).await;
    assert!(s.gaps.is_empty(), "{:?}", s.gaps);
    let name_of = |id: &str| {
        s.principal(id)
            .and_then(|p| p.display_name.clone())
            .unwrap_or_default()
    };
    for (id, kind, name) in [
        (
            "7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c41",
            PrincipalKind::User,
            "Zoë Ångström (admin)",
        ),
        (
            "7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c51",
            PrincipalKind::Group,
            "Администраторы безопасности",
        ),
        (
            "7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c61",
            PrincipalKind::ServicePrincipal,
            "Déploiement automatisé — Ωμέγα",
        ),
        (
            "7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c42",
            PrincipalKind::User,
            "Łukasz Żółć",
        ),
        (
            "7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c43",
            PrincipalKind::User,
            "Ελένη Παπαδοπούλου",
        ),
    ] {
        let p = s.principal(id).unwrap_or_else(|| panic!("{name} resolved"));
        assert_eq!((p.kind(), name_of(id).as_str()), (kind, name));
    }
    let eligible = s.role_eligibility_schedule_instances.as_deref().unwrap();
    assert_eq!(eligible.len(), 3);

    let a = assessed(&s, &[]);
    let json = pimready_report::json::render(&a);
    let csv_bytes = pimready_report::csv::render(&a);
    let summaries: Vec<String> = csv::Reader::from_reader(&csv_bytes[..])
        .records()
        .map(|r| r.expect("a CSV record")[5].to_owned())
        .collect();
    let pdf =
        pimready_report::pdf::render(&a, &pimready_report::ReportOptions::new(now())).unwrap();
    let doc = lopdf::Document::load_mem(&pdf).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let pdf_text = doc.extract_text(&pages).unwrap_or_default();
    let squash = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let pdf_text = squash(&pdf_text);
    for name in [
        "Zoë Ångström (admin)",
        "Łukasz Żółć",
        "Ελένη Παπαδοπούλου",
        "Администраторы безопасности",
        "Déploiement automatisé — Ωμέγα",
    ] {
        assert!(json.contains(name), "JSON lacks {name}");
        assert!(pdf_text.contains(&squash(name)), "PDF lacks {name}");
    }
    // The CSV carries each finding's summary: every one as the assessment has it.
    for f in &a.checks {
        let cell = pimready_report::csv::defuse(&f.summary);
        assert!(
            summaries.iter().any(|s| *s == *cell),
            "CSV lacks the summary of {}",
            f.id
        );
    }
    assert!(
        a.licensing.seats.in_scope >= 3,
        "the eligible user and the group's two members are in PIM scope: {}",
        a.licensing.seats.in_scope
    );
}
