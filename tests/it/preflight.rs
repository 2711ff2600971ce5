//! `pimready preflight` against the strict emulator: every dataset read once, each
//! refusal explained as a missing permission, a missing role or a licence finding.

use std::sync::Arc;

use pimready_app::preflight::{Access, PreflightReport, probe};
use pimready_core::cloud::{Cloud, Endpoints};
use pimready_core::snapshot::Dataset;
use pimready_graph::collect::CollectConfig;
use pimready_graph::token::{AccessToken, StaticToken};
use pimready_tests::{Emulator, Fixture, app_scopes};

async fn preflight(emu: &Emulator) -> PreflightReport {
    let mut config = CollectConfig::new(emu.tenant_id(), Cloud::Global);
    config.endpoints = Endpoints::new(Cloud::Global, None, Some(emu.base_url())).unwrap();
    let tokens = Arc::new(StaticToken(AccessToken::new(emu.token())));
    probe(&config, tokens).await.expect("preflight runs")
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
    let emu = Emulator::builder(Fixture::load("contoso-e5").unwrap())
        .token_scopes(scopes)
        .start()
        .await
        .unwrap();
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
