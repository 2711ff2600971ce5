//! `pimready preflight` against the strict emulator: every dataset read once, each
//! refusal explained as a missing permission, a missing role or a licence finding; then
//! Azure Resource Manager through the emulator's ARM listener (a missing Azure Reader role,
//! no subscription visible, `--no-azure`).

use std::sync::Arc;

use pimready_app::connect::Connection;
use pimready_app::preflight::{Access, PreflightReport, check, probe};
use pimready_app::target::{AzureSignIn, HostOverrides, Target};
use pimready_core::cloud::{ArmHost, Cloud, Endpoints};
use pimready_core::snapshot::Dataset;
use pimready_graph::arm::ArmSource;
use pimready_graph::client::GraphConfig;
use pimready_graph::collect::CollectConfig;
use pimready_graph::token::{AccessToken, StaticToken};
use pimready_tests::{Emulator, Fixture, app_scopes};

async fn preflight(emu: &Emulator) -> PreflightReport {
    preflight_with_arm(emu, None).await
}

/// Preflight with Azure Resource Manager read with `arm_token` (none: Azure skipped).
async fn preflight_with_arm(emu: &Emulator, arm_token: Option<&str>) -> PreflightReport {
    let mut config = CollectConfig::new(emu.tenant_id(), Cloud::Global);
    config.endpoints = Endpoints::new(Cloud::Global, None, Some(emu.base_url()))
        .unwrap()
        .with_arm(Some(emu.arm_base_url()))
        .unwrap();
    config.arm = arm_token.map(|t| ArmSource {
        host: ArmHost::parse(emu.arm_base_url()).unwrap(),
        tokens: Arc::new(StaticToken(AccessToken::new(t))),
        client: GraphConfig::default(),
    });
    let tokens = Arc::new(StaticToken(AccessToken::new(emu.token())));
    probe(&config, tokens).await.expect("preflight runs")
}

fn azure_rows(report: &PreflightReport) -> Vec<(Dataset, &Access)> {
    report
        .rows
        .iter()
        .filter(|r| r.dataset.is_azure())
        .map(|r| (r.dataset, &r.access))
        .collect()
}

fn access(report: &PreflightReport, dataset: Dataset) -> &Access {
    &report
        .rows
        .iter()
        .find(|r| r.dataset == dataset)
        .unwrap_or_else(|| panic!("a row for {dataset}"))
        .access
}

#[tokio::test]
async fn everything_readable_with_the_scopes_pim_ready_asks_for() {
    for name in ["contoso-e5", "northwind-p2", "tailspin-eligible"] {
        let emu = Emulator::start_named(name).await.unwrap();
        let report = preflight(&emu).await;
        assert_eq!(report.rows.len(), Dataset::ALL.len());
        for r in &report.rows {
            assert!(
                matches!(r.access, Access::Readable | Access::NotTested { .. }),
                "{name}: {} is {:?}",
                r.dataset,
                r.access
            );
        }
        assert_eq!(access(&report, Dataset::SignInActivity), &Access::Readable);
        assert!(!report.access_missing(), "{name}:\n{}", report.table());
        // Each dataset read once (privileged principals twice: a user and an app).
        let log = emu.requests();
        assert!(
            log.len() <= Dataset::ALL.len() + 1,
            "{} requests",
            log.len()
        );
        assert!(log.iter().all(|r| r.status == Some(200)), "{log:?}");
    }
}

#[tokio::test]
async fn a_token_without_audit_log_read_all_names_it_on_the_sign_in_row() {
    let scopes = app_scopes()
        .into_iter()
        .filter(|s| s != "AuditLog.Read.All");
    let emu = pimready_tests::start_with_scopes("contoso-e5", scopes).await;
    let report = preflight(&emu).await;
    assert_eq!(
        access(&report, Dataset::SignInActivity),
        &Access::MissingPermission {
            permission: "AuditLog.Read.All".into()
        }
    );
    assert!(report.access_missing());
    let others = report
        .rows
        .iter()
        .filter(|r| r.dataset != Dataset::SignInActivity)
        .all(|r| matches!(r.access, Access::Readable | Access::NotTested { .. }));
    assert!(others, "{}", report.table());
    let table = report.table();
    let line = table
        .lines()
        .find(|l| l.starts_with(Dataset::SignInActivity.label()))
        .unwrap();
    assert!(
        line.contains("AuditLog.Read.All") && line.contains("admin consent"),
        "{line}"
    );
}

/// Without P2, PIM data is a licence finding, not a missing permission.
#[tokio::test]
async fn a_tenant_without_p2_gets_licence_findings_not_permission_problems() {
    let emu = Emulator::start_named("fabrikam-bp").await.unwrap();
    let report = preflight(&emu).await;
    for d in [
        Dataset::RoleEligibilityScheduleInstances,
        Dataset::RoleManagementPolicies,
    ] {
        assert!(
            matches!(access(&report, d), Access::NotLicensed { licence } if licence.contains("P2")),
            "{d}: {:?}",
            access(&report, d)
        );
    }
    assert!(!report.access_missing(), "{}", report.table());
}

/// The token carries the permission but Graph still refuses: the account lacks a role.
#[tokio::test]
async fn a_refusal_despite_the_permission_is_a_missing_role() {
    let emu = Emulator::start_named("contoso-e5").await.unwrap();
    emu.set_fault(
        "/identity/conditionalAccess/policies",
        pimready_tests::FaultKind::Forbidden,
    );
    let report = preflight(&emu).await;
    match access(&report, Dataset::ConditionalAccessPolicies) {
        Access::MissingRole { roles } => assert!(roles.contains(&"Global Reader".to_owned())),
        other => panic!("{other:?}"),
    }
    assert!(report.access_missing());
}

/// Every subscription the account sees is read as the collector reads it: role assignments
/// and PIM schedule instances, with the api-versions ARM documents.
#[tokio::test]
async fn azure_readable_on_every_subscription() {
    let emu = Emulator::start_named("contoso-e5").await.unwrap();
    let report = preflight_with_arm(&emu, Some(emu.arm_token())).await;
    assert_eq!(report.rows.len(), Dataset::ALL.len() + 3);
    assert_eq!(
        azure_rows(&report),
        [
            (Dataset::AzureSubscriptions, &Access::Readable),
            (Dataset::AzureRoleAssignments, &Access::Readable),
            (Dataset::AzureRoleSchedules, &Access::Readable),
        ]
    );
    assert!(!report.access_missing(), "{}", report.table());
    let arm = emu.arm_requests();
    assert!(arm.iter().all(|r| r.status == Some(200)), "{arm:#?}");
    let subscriptions = Fixture::load("contoso-e5").unwrap().raw()["azure"]["subscriptions"]
        .as_array()
        .map_or(0, Vec::len);
    assert!(subscriptions > 1);
    for collection in [
        "roleAssignments",
        "roleEligibilityScheduleInstances",
        "roleAssignmentScheduleInstances",
    ] {
        let reads = arm
            .iter()
            .filter(|r| {
                r.path_and_query
                    .split('?')
                    .next()
                    .unwrap_or_default()
                    .ends_with(&format!("/Microsoft.Authorization/{collection}"))
            })
            .count();
        assert_eq!(reads, subscriptions, "{collection}: {arm:#?}");
    }
    let row = report
        .rows
        .iter()
        .find(|r| r.dataset == Dataset::AzureRoleAssignments)
        .unwrap();
    assert!(
        row.request.starts_with("GET /subscriptions/"),
        "{}",
        row.request
    );
    assert!(
        row.doc
            .starts_with("https://learn.microsoft.com/rest/api/authorization/")
    );
}

/// ARM answers 403 `AuthorizationFailed` on a subscription the account holds no role on:
/// the row names the Azure role and the subscription, and the CLI would exit 4.
#[tokio::test]
async fn a_subscription_without_reader_is_a_missing_azure_role() {
    let emu = Emulator::start_named("fabrikam-bp").await.unwrap();
    let report = preflight_with_arm(&emu, Some(emu.arm_token())).await;
    let refused = emu
        .arm_requests()
        .into_iter()
        .filter(|r| r.status == Some(403))
        .map(|r| r.path_and_query)
        .collect::<Vec<_>>();
    assert!(!refused.is_empty());
    let scope = refused[0].split("/providers/").next().unwrap().to_owned();
    assert!(scope.starts_with("/subscriptions/"), "{scope}");
    let azure = azure_rows(&report);
    assert_eq!(azure[0], (Dataset::AzureSubscriptions, &Access::Readable));
    for (dataset, access) in &azure[1..] {
        assert_eq!(
            *access,
            &Access::MissingAzureRole {
                roles: vec!["Reader".into()],
                scopes: vec![scope.clone()]
            },
            "{dataset}"
        );
    }
    assert!(report.access_missing());
    let row = report
        .rows
        .iter()
        .find(|r| r.dataset == Dataset::AzureRoleAssignments)
        .unwrap();
    assert!(row.ask.contains("'Fabrikam MSP Managed'"), "{}", row.ask);
    assert!(row.ask.contains("Reader"), "{}", row.ask);
    assert_eq!(
        row.request,
        format!("GET {scope}/providers/Microsoft.Authorization/roleAssignments")
    );
    let table = report.table();
    let line = table
        .lines()
        .find(|l| l.starts_with(Dataset::AzureRoleAssignments.label()))
        .unwrap();
    assert!(line.contains("Azure role: Reader on 1 scope"), "{line}");
}

/// A tenant where the account sees no subscription: nothing was tried, so nothing is
/// claimed either way.
#[tokio::test]
async fn no_subscription_visible_is_not_tested() {
    let emu = Emulator::start_named("northwind-p2").await.unwrap();
    let report = preflight_with_arm(&emu, Some(emu.arm_token())).await;
    let untested = Access::NotTested {
        reason: "no subscriptions visible".into(),
    };
    assert_eq!(
        azure_rows(&report),
        [
            (Dataset::AzureSubscriptions, &untested),
            (Dataset::AzureRoleAssignments, &untested),
            (Dataset::AzureRoleSchedules, &untested),
        ]
    );
    assert!(!report.access_missing(), "{}", report.table());
    let row = &report.rows[Dataset::ALL.len()];
    assert!(
        row.ask
            .contains("Reader at the tenant root management group"),
        "{}",
        row.ask
    );
    assert_eq!(emu.arm_requests().len(), 1);
}

/// A Graph token sent to ARM is refused (401): a failed read, never a pass.
#[tokio::test]
async fn a_token_arm_refuses_fails_the_azure_rows() {
    let emu = Emulator::start_named("contoso-e5").await.unwrap();
    let report = preflight_with_arm(&emu, Some(emu.token())).await;
    match &report.rows[Dataset::ALL.len()].access {
        Access::Failed { detail } => {
            assert!(
                detail.contains("InvalidAuthenticationTokenAudience"),
                "{detail}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(report.access_missing());
}

/// `--no-azure`: no Azure row and no request to ARM, even with an ARM token at hand.
#[tokio::test]
async fn no_azure_skips_the_azure_rows() {
    let emu = Emulator::start_named("contoso-e5").await.unwrap();
    let target = Target::new(emu.tenant_id(), Cloud::Global)
        .unwrap()
        .with_hosts(HostOverrides {
            authority: None,
            graph: Some(emu.base_url().to_owned()),
            arm: Some(emu.arm_base_url().to_owned()),
        });
    let connection = |target: Target| Connection {
        target,
        tenant_id: emu.tenant_id().to_owned(),
        account: String::new(),
        tokens: Arc::new(StaticToken(AccessToken::new(emu.token()))),
        arm_tokens: Arc::new(StaticToken(AccessToken::new(emu.arm_token()))),
        keychain_warning: None,
    };
    let skipped = check(&connection(target.clone().with_azure(AzureSignIn::Skip)))
        .await
        .unwrap();
    assert_eq!(skipped.rows.len(), Dataset::ALL.len());
    assert!(skipped.rows.iter().all(|r| !r.dataset.is_azure()));
    assert!(emu.arm_requests().is_empty());
    let with = check(&connection(target)).await.unwrap();
    assert_eq!(azure_rows(&with).len(), 3, "{}", with.table());
    assert!(
        azure_rows(&with)
            .iter()
            .all(|(_, a)| **a == Access::Readable)
    );
}
