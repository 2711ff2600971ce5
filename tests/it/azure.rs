//! Azure resources through the emulator's Azure Resource Manager: what the collector reads
//! (paging, a refused subscription, an unlicensed tenant), the AZ findings of the fixture
//! tenants, and faults (403, 429, 503, a Graph token sent to ARM) that become named gaps
//! without any AZ check passing or the Entra part changing.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use pimready_core::assessment::Assessment;
use pimready_core::cloud::{ArmHost, Cloud, Endpoints};
use pimready_core::finding::Status;
use pimready_core::snapshot::{Dataset, GapReason, TenantSnapshot};
use pimready_graph::arm::ArmSource;
use pimready_graph::client::{GraphConfig, RecordingClock, RetryPolicy};
use pimready_graph::collect::{CollectConfig, collect_snapshot};
use pimready_graph::token::{AccessToken, StaticToken};
use pimready_tests::{Emulator, Fault, FaultKind, Listener, RouteMatcher};

use pimready_tests::{assessed, now};

fn client() -> GraphConfig {
    GraphConfig {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(2),
        retry: RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
            budget: Duration::from_secs(2),
        },
        max_concurrency: 8,
        max_pages: 50,
        jitter_seed: Some(3),
        clock: Arc::new(RecordingClock::new(now())),
    }
}

/// Collects Graph and (with `arm_token`) ARM from the emulator.
async fn collect(emu: &Emulator, arm_token: Option<&str>) -> TenantSnapshot {
    let mut c = CollectConfig::new(emu.tenant_id(), Cloud::Global);
    c.endpoints = Endpoints::new(Cloud::Global, None, Some(emu.base_url()))
        .unwrap()
        .with_arm(Some(emu.arm_base_url()))
        .unwrap();
    c.graph = client();
    c.now = now;
    c.arm = arm_token.map(|t| ArmSource {
        host: ArmHost::parse(emu.arm_base_url()).unwrap(),
        tokens: Arc::new(StaticToken(AccessToken::new(t))),
        client: client(),
    });
    let tokens = Arc::new(StaticToken(AccessToken::new(emu.token())));
    collect_snapshot(c, tokens, &mut |_| {})
        .await
        .expect("collection succeeds")
}

fn statuses(a: &Assessment) -> BTreeMap<String, Status> {
    a.checks
        .iter()
        .filter(|f| f.id.as_str().starts_with("AZ-"))
        .map(|f| (f.id.to_string(), f.status))
        .collect()
}

fn entra(a: &Assessment) -> Vec<(String, Status, String)> {
    a.checks
        .iter()
        .filter(|f| !f.id.as_str().starts_with("AZ-"))
        .map(|f| (f.id.to_string(), f.status, f.summary.clone()))
        .collect()
}

const CONTOSO_EMERGENCY: [&str; 2] = [
    "bg-admin01@contoso.onmicrosoft.com",
    "bg-admin02@contoso.onmicrosoft.com",
];

/// Reviewed against "Assign Azure resource roles in PIM" and "Configure Azure resource role
/// settings in PIM" (learn.microsoft.com/entra/id-governance/privileged-identity-management/):
/// a permanent active Owner is standing access; an activation that ends is not.
#[tokio::test]
async fn contoso_azure_findings() {
    let emu = Emulator::start_named("contoso-e5").await.unwrap();
    let s = collect(&emu, Some(emu.arm_token())).await;
    assert!(s.gaps.is_empty(), "{:#?}", s.gaps);
    let a = assessed(&s, &CONTOSO_EMERGENCY);
    let st = statuses(&a);
    let expected: BTreeMap<String, Status> = [
        ("AZ-01", Status::Fail),
        ("AZ-02", Status::Fail),
        ("AZ-03", Status::Fail),
        ("AZ-04", Status::Fail),
        ("AZ-05", Status::Fail),
        ("AZ-06", Status::Pass),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(st, expected);

    let finding = |id: &str| a.checks.iter().find(|f| f.id == id).unwrap();
    let named = |id: &str| -> Vec<String> {
        finding(id)
            .evidence
            .iter()
            .map(|e| e.display_name.clone())
            .collect()
    };
    // Standing: Nestor and the app; the designated break-glass account is exempt; Alex's
    // activation (it ends) is not standing.
    let az01 = named("AZ-01");
    assert!(az01.contains(&"Nestor Wilke".to_owned()), "{az01:?}");
    assert!(
        az01.contains(&"Contoso Provisioning Automation".to_owned()),
        "{az01:?}"
    );
    assert!(
        !az01
            .iter()
            .any(|n| n.contains("Emergency") || n.contains("Alex")),
        "{az01:?}"
    );
    assert_eq!(named("AZ-04"), ["Diego Siciliani"]);
    assert_eq!(named("AZ-05"), ["Contoso Provisioning Automation"]);
    // Owner on the tenant root group activates without approval (the landing zones group
    // requires it); Owner's activation alerts reach only the defaults there too.
    let az02: Vec<String> = finding("AZ-02")
        .evidence
        .iter()
        .map(|e| e.display_name.clone())
        .collect();
    assert!(
        az02.contains(&"Owner on Tenant Root Group".to_owned()),
        "{az02:?}"
    );
    assert!(
        !az02.contains(&"Owner on Contoso Landing Zones".to_owned()),
        "{az02:?}"
    );

    let azure = a.azure.as_ref().expect("azure section");
    let subs: Vec<(&str, &str, bool)> = azure
        .subscriptions
        .iter()
        .map(|s| (s.display_name.as_str(), s.state.as_str(), s.readable))
        .collect();
    assert_eq!(
        subs,
        [
            ("Contoso Production", "Enabled", true),
            ("Contoso Dev/Test", "Enabled", true)
        ]
    );
    assert_eq!(azure.management_groups.len(), 2);
    let standing: Vec<(&str, &str)> = azure
        .standing_assignments
        .iter()
        .map(|h| (h.principal_name.as_str(), h.role.as_str()))
        .collect();
    assert!(
        standing.contains(&("Nestor Wilke (nestor.wilke@contoso.com)", "Owner")),
        "{standing:?}"
    );
    assert_eq!(
        azure.eligible_assignments.len(),
        4,
        "{:?}",
        azure.eligible_assignments
    );
    assert!(azure.gaps.is_empty());
    // Azure-eligible users need PIM seats: Megan, Adele, Alex (Jordan is eligible for
    // Contributor only, also a privileged Azure role).
    let why: Vec<&String> = a
        .licensing
        .in_scope_users
        .iter()
        .flat_map(|u| &u.why)
        .collect();
    assert!(
        why.iter()
            .any(|w| w.starts_with("eligible for Azure Owner")),
        "{why:?}"
    );

    // Paged with nextLink on the ARM host; each token stayed on its own host.
    let arm = emu.arm_requests();
    assert!(
        arm.iter().any(|r| r.path_and_query.contains("skiptoken")),
        "ARM lists were paged"
    );
    assert!(
        arm.iter()
            .all(|r| r.authorization.as_deref() == Some(&format!("Bearer {}", emu.arm_token())))
    );
    assert!(
        emu.requests()
            .iter()
            .filter(|r| r.listener == Listener::Graph)
            .all(|r| !r
                .authorization
                .as_deref()
                .unwrap_or_default()
                .contains(emu.arm_token()))
    );
    // Reads stay on the four roles' scopes: no resource group or resource is listed.
    assert!(
        arm.iter().all(|r| !r.path().contains("/resourceGroups")),
        "{arm:#?}"
    );
    // Every ARM read names an api-version ARM documents (the emulator refuses others).
    assert!(arm.iter().all(|r| r.status == Some(200)), "{arm:#?}");
}

/// The unlicensed tenant (no P2): role settings are not licensed; a subscription the account
/// cannot read is `readable: false`, and the root scope's 403 is a named gap.
#[tokio::test]
async fn fabrikam_unlicensed_with_a_refused_subscription() {
    let emu = Emulator::start_named("fabrikam-bp").await.unwrap();
    let s = collect(&emu, Some(emu.arm_token())).await;
    let a = assessed(&s, &[]);
    let st = statuses(&a);
    assert_eq!(st["AZ-01"], Status::Fail);
    assert_eq!(st["AZ-02"], Status::NotLicensed);
    assert_eq!(st["AZ-03"], Status::NotLicensed);
    assert_eq!(st["AZ-04"], Status::NotAssessed);
    assert_eq!(st["AZ-05"], Status::Fail);
    assert_eq!(st["AZ-06"], Status::NotApplicable);
    let azure = a.azure.as_ref().unwrap();
    let refused: Vec<&str> = azure
        .subscriptions
        .iter()
        .filter(|s| !s.readable)
        .map(|s| s.display_name.as_str())
        .collect();
    assert_eq!(refused, ["Fabrikam MSP Managed"]);
    let root = azure
        .gaps
        .iter()
        .find(|g| g.dataset == Dataset::AzureRootScope)
        .expect("root scope gap");
    assert_eq!(root.reason, GapReason::PermissionDenied);
    assert!(
        root.detail.contains("AuthorizationFailed"),
        "{}",
        root.detail
    );
    // The refused subscription is named wherever a check could otherwise have passed.
    let az05 = a.checks.iter().find(|f| f.id == "AZ-05").unwrap();
    assert!(
        az05.evidence
            .iter()
            .any(|e| e.display_name == "Contoso MSP Support"),
        "{:?}",
        az05.evidence
    );
    let az01 = a.checks.iter().find(|f| f.id == "AZ-01").unwrap();
    assert!(
        az01.missing_data
            .iter()
            .any(|m| m.detail.contains("Fabrikam MSP Managed")),
        "{:?}",
        az01.missing_data
    );
}

/// A tenant without Azure: nothing visible, so nothing is claimed (never `pass`, never
/// `not_applicable` without a root-group reader), and the reason says how to grant read.
#[tokio::test]
async fn tenant_without_azure_is_not_assessed_with_how_to_grant_read() {
    let emu = Emulator::start_named("northwind-p2").await.unwrap();
    let s = collect(&emu, Some(emu.arm_token())).await;
    let a = assessed(&s, &[]);
    for f in a.checks.iter().filter(|f| f.id.as_str().starts_with("AZ-")) {
        assert_eq!(f.status, Status::NotAssessed, "{}: {}", f.id, f.summary);
    }
    let az01 = a.checks.iter().find(|f| f.id == "AZ-01").unwrap();
    assert!(
        az01.summary
            .contains("Reader at the tenant root management group"),
        "{}",
        az01.summary
    );
}

/// Faults on ARM: a named gap, no AZ check passes, and the Entra part is what it is
/// without ARM.
#[tokio::test]
async fn arm_faults_become_named_gaps_and_no_az_check_passes() {
    let baseline = {
        let emu = Emulator::start_named("contoso-e5").await.unwrap();
        entra(&assessed(&collect(&emu, None).await, &CONTOSO_EMERGENCY))
    };
    let cases: Vec<(&str, FaultKind, GapReason)> = vec![
        ("403", FaultKind::Forbidden, GapReason::PermissionDenied),
        (
            "429",
            FaultKind::Throttle {
                retry_after: Duration::from_millis(10),
            },
            GapReason::Error,
        ),
        ("503", FaultKind::Status(503), GapReason::Error),
    ];
    for (name, kind, reason) in cases {
        for matcher in [
            "/subscriptions",
            "/providers/Microsoft.Management/managementGroups",
        ] {
            let emu = Emulator::start_named("contoso-e5").await.unwrap();
            emu.set_fault(
                RouteMatcher::Exact(matcher.to_owned()),
                Fault::always(kind.clone()),
            );
            let s = collect(&emu, Some(emu.arm_token())).await;
            let gap = s
                .gap(Dataset::AzureSubscriptions)
                .unwrap_or_else(|| panic!("{name} on {matcher}: no gap"));
            assert_eq!(gap.reason, reason, "{name} on {matcher}: {gap:?}");
            assert!(
                gap.detail.starts_with("Azure Resource Manager"),
                "{}",
                gap.detail
            );
            let a = assessed(&s, &CONTOSO_EMERGENCY);
            for (id, status) in statuses(&a) {
                assert_ne!(status, Status::Pass, "{name} on {matcher}: {id} passed");
            }
            assert_eq!(
                entra(&a),
                baseline,
                "{name} on {matcher}: the Entra part changed"
            );
            // Azure gaps are Azure's: the Entra gaps list is unchanged.
            assert!(a.gaps.iter().all(|g| !g.dataset.is_azure()));
            assert!(
                a.azure
                    .as_ref()
                    .unwrap()
                    .gaps
                    .iter()
                    .any(|g| g.dataset == Dataset::AzureSubscriptions)
            );
        }
    }
    // A fault on one scope's role assignments: that dataset is the gap; AZ-01 cannot pass.
    let emu = Emulator::start_named("contoso-e5").await.unwrap();
    emu.set_fault(
        RouteMatcher::Custom(Arc::new(|_, p: &str, _| {
            p.ends_with("/roleAssignments") && p.starts_with("/subscriptions/")
        })),
        Fault::always(FaultKind::Status(503)),
    );
    let s = collect(&emu, Some(emu.arm_token())).await;
    assert_eq!(
        s.gap(Dataset::AzureRoleAssignments).map(|g| g.reason),
        Some(GapReason::Error)
    );
    let st = statuses(&assessed(&s, &CONTOSO_EMERGENCY));
    assert_eq!(st["AZ-01"], Status::NotAssessed);
    assert_eq!(st["AZ-05"], Status::NotAssessed);
}

/// One 429 with Retry-After is waited out: no gap, the same findings.
#[tokio::test]
async fn a_transient_429_is_retried() {
    let emu = Emulator::start_named("contoso-e5").await.unwrap();
    emu.set_fault(
        RouteMatcher::Exact("/subscriptions".to_owned()),
        Fault::times(
            FaultKind::Throttle {
                retry_after: Duration::from_millis(10),
            },
            1,
        ),
    );
    let s = collect(&emu, Some(emu.arm_token())).await;
    assert!(s.gaps.is_empty(), "{:#?}", s.gaps);
    assert_eq!(s.azure.unwrap().subscriptions.unwrap().len(), 2);
    let statuses: Vec<Option<u16>> = emu
        .arm_requests()
        .iter()
        .filter(|r| r.path() == "/subscriptions")
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses[..2], [Some(429), Some(200)]);
}

/// A Graph token is refused by ARM (another audience), and no ARM token at all: both a named
/// gap on every Azure dataset; the run goes on.
#[tokio::test]
async fn a_graph_token_or_no_token_is_an_azure_gap() {
    let emu = Emulator::start_named("contoso-e5").await.unwrap();
    let s = collect(&emu, Some(emu.token())).await;
    let gap = s.gap(Dataset::AzureSubscriptions).unwrap();
    assert_eq!(gap.reason, GapReason::PermissionDenied);
    assert_eq!(
        gap.code.as_deref(),
        Some("InvalidAuthenticationTokenAudience")
    );
    assert_eq!(
        gap.missing_scope.as_deref(),
        Some("https://management.azure.com/user_impersonation")
    );
    let a = assessed(&s, &CONTOSO_EMERGENCY);
    assert!(statuses(&a).values().all(|s| *s == Status::NotAssessed));

    let source = ArmSource {
        host: ArmHost::parse(emu.arm_base_url()).unwrap(),
        tokens: Arc::new(pimready_graph::arm::NoArmToken(
            "no token was given for it".into(),
        )),
        client: client(),
    };
    let mut c = CollectConfig::new(emu.tenant_id(), Cloud::Global);
    c.endpoints = Endpoints::new(Cloud::Global, None, Some(emu.base_url())).unwrap();
    c.graph = client();
    c.now = now;
    c.arm = Some(source);
    emu.clear_requests();
    let s = collect_snapshot(
        c,
        Arc::new(StaticToken(AccessToken::new(emu.token()))),
        &mut |_| {},
    )
    .await
    .unwrap();
    for d in Dataset::AZURE {
        let g = s.gap(d).unwrap_or_else(|| panic!("{d}: no gap"));
        assert!(g.detail.contains("no token was given"), "{}", g.detail);
    }
    assert!(
        emu.arm_requests().is_empty(),
        "nothing is sent to ARM without a token"
    );
}

/// ARM answers as documented: api-version required, Graph paths unknown there.
#[tokio::test]
async fn the_arm_emulator_is_strict() {
    let emu = Emulator::start_named("contoso-e5").await.unwrap();
    let http = reqwest::Client::new();
    let get = |path: &str, token: &str| {
        http.get(format!("{}{path}", emu.arm_base_url()))
            .bearer_auth(token.to_owned())
            .send()
    };
    let r = get("/subscriptions", emu.arm_token()).await.unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "MissingApiVersionParameter");
    let r = get("/subscriptions?api-version=1999-01-01", emu.arm_token())
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = get("/subscriptions?api-version=2022-12-01", emu.token())
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = get("/v1.0/organization?api-version=2022-12-01", emu.arm_token())
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = get("/subscriptions?api-version=2022-12-01", emu.arm_token())
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Three assignments apply to Contoso Production (its own, the root group's, the root
    // scope's): two on the first page, then an absolute nextLink on the ARM host.
    let r = get(
        "/subscriptions/0b6f3c2e-5a41-4d8e-9c7b-2e1f4a6d8c01/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01",
        emu.arm_token(),
    )
    .await
    .unwrap();
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["value"].as_array().unwrap().len(), 2);
    let next = body["nextLink"].as_str().expect("a second page");
    assert!(next.starts_with(emu.arm_base_url()), "{next}");
}

/// Entra refuses an ARM token to the default Graph client (AADSTS65002: first-party
/// clients are preauthorized per resource); Azure CLI's public client may ask for one.
#[tokio::test]
async fn the_default_graph_client_gets_no_arm_token() {
    let (emu, _oauth) = pimready_tests::start_with_sign_in(
        pimready_tests::Fixture::load("contoso-e5").unwrap(),
        Duration::ZERO,
        0,
    )
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let ask = |client_id: &str| {
        http.post(format!(
            "{}/{}/oauth2/v2.0/devicecode",
            emu.base_url(),
            emu.tenant_id()
        ))
        .form(&[
            ("client_id", client_id),
            (
                "scope",
                "https://management.azure.com/user_impersonation offline_access",
            ),
        ])
        .send()
    };
    let refused = ask(pimready_graph::auth::DEFAULT_CLIENT_ID).await.unwrap();
    assert_eq!(refused.status(), 400);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .starts_with("AADSTS65002"),
        "{body}"
    );
    let accepted = ask(pimready_graph::arm::ARM_PUBLIC_CLIENT_ID)
        .await
        .unwrap();
    assert_eq!(accepted.status(), 200);
}

/// A nextLink that leaves the ARM host is refused: the bearer never goes there, and the
/// dataset is a named gap.
#[tokio::test]
async fn an_arm_next_link_to_another_host_is_refused() {
    let emu = Emulator::start_named("contoso-e5").await.unwrap();
    emu.set_fault(
        RouteMatcher::Exact("/subscriptions".to_owned()),
        Fault::always(FaultKind::ForeignNextLink),
    );
    let s = collect(&emu, Some(emu.arm_token())).await;
    let gap = s.gap(Dataset::AzureSubscriptions).expect("a gap");
    assert!(gap.detail.contains("refused a nextLink"), "{}", gap.detail);
    assert!(
        emu.foreign_requests().is_empty(),
        "{:?}",
        emu.foreign_requests()
    );
    let a = assessed(&s, &CONTOSO_EMERGENCY);
    assert!(statuses(&a).values().all(|s| *s != Status::Pass));
}
