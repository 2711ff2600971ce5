//! Licensing checks: is PIM available at all, and are there enough seats.

use super::{CheckContext, CheckDef, Outcome, PlanDef, RefDef, RemediationDef, Step};
use crate::finding::{Category, Evidence, MinimumLicence, Severity, Status};
use crate::licensing::LicenceSource;
use crate::snapshot::Dataset;

fn source_evidence(s: &LicenceSource, detail: String) -> Evidence {
    Evidence {
        display_name: s.product_name.clone(),
        principal_name: Some(s.sku_part_number.clone()),
        object_id: Some(s.sku_id.clone()),
        object_type: "licence".to_owned(),
        detail,
        ..Evidence::default()
    }
}

pub(super) const LIC_01: CheckDef = CheckDef {
    id: "LIC-01",
    title: "Entra ID P2 or Entra ID Governance is available for PIM",
    category: Category::Licensing,
    severity: Severity::Critical,
    references: &[RefDef::pim_licensing()],
    minimum_licence: MinimumLicence::Free,
    data: &[Dataset::SubscribedSkus],
    data_with_pim: &[],
    rationale: "Privileged Identity Management exists only in tenants with Entra ID P2 or Entra ID Governance; without it no role can be made just-in-time.",
    differs: "No benchmark control: CIS and SCuBA assume the licence. ScubaGear folds it into each PIM policy (MS.AAD.7.4v1 to 7.9v1 fail when the tenant has no P2 SKU); PIM Ready reports the licence once here and marks the PIM checks not licensed, so a missing licence is not read as misconfigured roles.",
    remediation: RemediationDef {
        steps: &[
            "Choose a licensing path that carries Entra ID P2 or Entra ID Governance (see the cost estimate).",
            "Buy enough seats for every user in PIM scope (eligible, active and approvers).",
            "Assign the licences to those users.",
        ],
        portal_path: "Microsoft 365 admin center > Billing > Purchase services; Entra admin center > Identity > Billing > Licenses",
        powershell: "Get-MgSubscribedSku | Select-Object SkuPartNumber, CapabilityStatus, @{n='Enabled';e={$_.PrepaidUnits.Enabled}}, ConsumedUnits",
    },
    plan: PlanDef::new(
        Step::Licences,
        "Entra ID P2 or Governance seats",
        "Cover everyone in PIM scope",
    ),
    evaluate: lic_01,
};

fn lic_01(ctx: &CheckContext<'_>) -> Outcome {
    let l = ctx.licensing;
    let carrying: Vec<&LicenceSource> = l.sources.iter().filter(|s| s.counted).collect();
    if l.pim_capable {
        let names: Vec<&str> = carrying.iter().map(|s| s.product_name.as_str()).collect();
        let via = if l.governance && !l.p2 {
            "Entra ID Governance"
        } else {
            "Entra ID P2"
        };
        let summary = if names.is_empty() {
            format!("The tenant has {via}.")
        } else {
            format!("The tenant has {via} through {}.", names.join(", "))
        };
        return Outcome::pass(summary);
    }
    let mut evidence: Vec<Evidence> = l
        .sources
        .iter()
        .map(|s| {
            source_evidence(
                s,
                format!(
                    "{}: {} enabled, {} consumed; no PIM-capable plan counted",
                    s.capability_status.as_str(),
                    s.enabled_units,
                    s.consumed_units
                ),
            )
        })
        .collect();
    evidence.push(Evidence {
        display_name: "Entra ID P2 or Entra ID Governance".to_owned(),
        object_type: "licence".to_owned(),
        detail:
            "no active subscription carries the AAD_PREMIUM_P2 or Entra_Identity_Governance plan"
                .to_owned(),
        ..Evidence::default()
    });
    let summary = if l.p1 {
        "The tenant has Entra ID P1 but neither Entra ID P2 nor Entra ID Governance, so PIM is unavailable."
    } else {
        "The tenant has neither Entra ID P2 nor Entra ID Governance, so PIM is unavailable."
    };
    Outcome::new(Status::Fail, summary, evidence)
}

pub(super) const LIC_02: CheckDef = CheckDef {
    id: "LIC-02",
    title: "PIM seats cover every user in PIM scope",
    category: Category::Licensing,
    severity: Severity::Medium,
    references: &[RefDef::pim_licensing()],
    minimum_licence: MinimumLicence::Free,
    data: &[Dataset::SubscribedSkus, Dataset::RoleAssignments],
    data_with_pim: &[],
    rationale: "Every user who is eligible for, holds time-bound, activates, approves or reviews a PIM role needs a P2 or Governance seat; a shortfall is a compliance gap with Microsoft's licence terms.",
    differs: "No benchmark control: the rule is Microsoft's licence terms. ScubaGear only tests that a P2 SKU exists; PIM Ready counts the users in PIM scope against the seats.",
    remediation: RemediationDef {
        steps: &[
            "Count the users in PIM scope (eligible and active role holders, approvers, reviewers).",
            "Buy the missing seats on the recommended path.",
            "Assign a P2 or Governance licence to every user in scope.",
        ],
        portal_path: "Entra admin center > Identity > Billing > Licenses > All products",
        powershell: "Get-MgSubscribedSku | Where-Object { $_.ServicePlans.ServicePlanName -match 'AAD_PREMIUM_P2|Entra_Identity_Governance' } | Select-Object SkuPartNumber, @{n='Enabled';e={$_.PrepaidUnits.Enabled}}, ConsumedUnits",
    },
    plan: PlanDef::new(
        Step::Licences,
        "Entra ID P2 or Governance seats",
        "Cover everyone in PIM scope",
    ),
    evaluate: lic_02,
};

fn lic_02(ctx: &CheckContext<'_>) -> Outcome {
    let seats = &ctx.licensing.seats;
    if seats.shortfall == 0 {
        return Outcome::pass(format!(
            "{} PIM-capable seats cover the {} users in PIM scope.",
            seats.available, seats.in_scope
        ));
    }
    let evidence = vec![Evidence {
        display_name: "PIM-capable seats".to_owned(),
        object_type: "licence".to_owned(),
        detail: format!(
            "{} users in PIM scope, {} seats available, {} short",
            seats.in_scope, seats.available, seats.shortfall
        ),
        ..Evidence::default()
    }];
    Outcome::new(
        Status::Fail,
        format!(
            "{} users are in PIM scope but only {} PIM-capable seats are available: {} short.",
            seats.in_scope, seats.available, seats.shortfall
        ),
        evidence,
    )
}
