//! Builders shared by core's unit tests: the test tenant's snapshot, a user, a group, a role
//! holding, a role assignment and a subscribed SKU. Each is a plain base; a test states only
//! what differs from it (struct update syntax), so a fixture reads as its difference.

use chrono::{DateTime, Utc};

use crate::licensing::{SkuTable, is_counted};
use crate::privileged::{HIGHLY_PRIVILEGED_ROLES, Holding, HoldingKind};
use crate::snapshot::{
    CapabilityStatus, CollectionMeta, LicenseUnits, Principal, ProvisioningStatus, RoleAssignment,
    ServicePlanInfo, SubscribedSku, TenantSnapshot,
};

/// The test tenant's id.
pub(crate) const TENANT_ID: &str = "00000000-0000-0000-0000-00000000c0de";

/// The test tenant as collected at `collected_at`, before any dataset was read.
pub(crate) fn empty_snapshot(collected_at: DateTime<Utc>) -> TenantSnapshot {
    let meta = CollectionMeta {
        collected_at,
        tool_version: "test".into(),
        cloud: crate::cloud::Cloud::Global,
        graph_host: "graph.microsoft.com".into(),
        requests: 0,
        batched_requests: 0,
        retries: 0,
        duration_ms: 0,
        scopes: Vec::new(),
    };
    TenantSnapshot::empty(TENANT_ID, meta)
}

/// A member user `id`, named "User {id}", signing in as `{id}@contoso.com`.
pub(crate) fn user(id: &str) -> Principal {
    Principal {
        odata_type: Some("#microsoft.graph.user".into()),
        id: id.into(),
        display_name: Some(format!("User {id}")),
        user_principal_name: Some(format!("{id}@contoso.com")),
        ..Principal::default()
    }
}

/// A role-assignable group `id`, named "Group {id}".
pub(crate) fn group(id: &str) -> Principal {
    Principal {
        odata_type: Some("#microsoft.graph.group".into()),
        id: id.into(),
        display_name: Some(format!("Group {id}")),
        is_assignable_to_role: Some(true),
        ..Principal::default()
    }
}

/// `principal` holding the highly privileged directory role `role` directly, as `kind`,
/// through PIM, without dates.
pub(crate) fn holding(principal: &Principal, role: &str, kind: HoldingKind) -> Holding {
    Holding {
        principal_id: principal.id.clone(),
        principal: Some(principal.clone()),
        kind: principal.kind(),
        role_template_id: role.to_owned(),
        role_name: role_name(role),
        highly_privileged: true,
        holding: kind,
        via_group: None,
        via_group_name: None,
        start: None,
        end: None,
        outside_pim: false,
    }
}

/// A highly privileged role's name, else its template id.
pub(crate) fn role_name(template_id: &str) -> String {
    HIGHLY_PRIVILEGED_ROLES
        .iter()
        .find(|(id, _)| *id == template_id)
        .map_or(template_id, |(_, n)| n)
        .to_owned()
}

/// `principal`'s active assignment of the directory role `role`, as Graph lists it, with the
/// principal expanded.
pub(crate) fn role_assignment(principal: &Principal, role: &str) -> RoleAssignment {
    RoleAssignment {
        id: principal.id.to_string(),
        principal_id: principal.id.clone(),
        role_definition_id: role.into(),
        principal: Some(principal.clone()),
        ..RoleAssignment::default()
    }
}

/// A subscribed SKU built from its row in `data/sku-paths.toml`: the row's full
/// service-plan list where transcribed, else its Entra plans.
pub(crate) fn sku(part_number: &str, status: &str, enabled: i64) -> SubscribedSku {
    let row = SkuTable::get()
        .skus
        .iter()
        .chain(&SkuTable::get().unresolved)
        .find(|r| r.sku_part_number == part_number)
        .unwrap_or_else(|| panic!("{part_number} is not in data/sku-paths.toml"));
    let plans: Vec<(String, String)> = if row.service_plans.is_empty() {
        row.plans
            .iter()
            .map(|p| {
                (
                    p.service_plan_name().to_owned(),
                    p.service_plan_id().to_owned(),
                )
            })
            .collect()
    } else {
        row.service_plans
            .iter()
            .map(|p| (p.name.clone(), p.id.clone()))
            .collect()
    };
    let sku_id = row
        .sku_id
        .clone()
        .unwrap_or_else(|| "5f0a0a0a-0000-4000-8000-000000000001".into());
    raw_sku(&row.sku_part_number, &sku_id, status, enabled, &plans)
}

/// A subscribed SKU for users with `enabled` units, all consumed, and these (name, id)
/// service plans provisioned. Units of a SKU that gives no seats (suspended, locked out,
/// deleted) are reported as suspended.
pub(crate) fn raw_sku(
    part_number: &str,
    sku_id: &str,
    status: &str,
    enabled: i64,
    plans: &[(String, String)],
) -> SubscribedSku {
    let status = CapabilityStatus::from(status);
    let counted = is_counted(&status);
    SubscribedSku {
        id: None,
        sku_id: sku_id.into(),
        sku_part_number: part_number.into(),
        capability_status: status,
        applies_to: Some("User".into()),
        prepaid_units: if counted {
            LicenseUnits {
                enabled,
                ..LicenseUnits::default()
            }
        } else {
            LicenseUnits {
                suspended: enabled,
                ..LicenseUnits::default()
            }
        },
        consumed_units: enabled,
        service_plans: plans
            .iter()
            .map(|(name, id)| ServicePlanInfo {
                service_plan_id: id.clone(),
                service_plan_name: name.clone(),
                provisioning_status: ProvisioningStatus::Success,
                applies_to: Some("User".into()),
            })
            .collect(),
    }
}
