//! Who holds the privileged Azure roles, and how: resolved once from the snapshot's Azure
//! part, shared by the AZ checks, licensing and the assessment's `azure` section. Pure.
//!
//! An assignment is *standing* when it is an active role assignment that PIM did not
//! activate and that does not expire (Microsoft: "permanent active" in PIM for Azure
//! resources, <https://learn.microsoft.com/entra/id-governance/privileged-identity-management/pim-resource-roles-assign-roles>).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::assessment::GapInfo;
use crate::settings::AssessmentSettings;
use crate::snapshot::{
    ArmScheduleInstance, AzureSnapshot, Principal, ScopeLevel, TenantSnapshot, azure_role_name,
    role_guid, scope_level,
};

/// A subscription in the assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AzureSubscriptionInfo {
    pub id: String,
    pub display_name: String,
    pub state: String,
    /// Whether its role assignments, schedules and settings could be read.
    pub readable: bool,
}

/// A management group in the assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ManagementGroupInfo {
    pub id: String,
    pub display_name: String,
}

/// Who holds which privileged Azure role where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AzureAssignmentInfo {
    pub principal_id: String,
    /// Display name (and sign-in name when known), else the object id.
    pub principal_name: String,
    /// User, Group, ServicePrincipal… as ARM names it.
    pub principal_type: String,
    pub role: String,
    pub scope: String,
}

/// The assessment's Azure resources part.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AzureSection {
    pub subscriptions: Vec<AzureSubscriptionInfo>,
    pub management_groups: Vec<ManagementGroupInfo>,
    /// Permanent active assignments of Owner, User Access Administrator, Role Based Access
    /// Control Administrator and Contributor.
    pub standing_assignments: Vec<AzureAssignmentInfo>,
    /// PIM eligible assignments of the same roles.
    pub eligible_assignments: Vec<AzureAssignmentInfo>,
    /// What could not be read from Azure Resource Manager, and why.
    pub gaps: Vec<GapInfo>,
}

/// One holding of a privileged Azure role.
#[derive(Debug, Clone, PartialEq)]
pub struct AzureHolding {
    pub principal_id: String,
    pub display_name: Option<String>,
    /// UPN or e-mail, when ARM or Graph named it.
    pub sign_in_name: Option<String>,
    /// As ARM names it: User, Group, ServicePrincipal…
    pub principal_type: String,
    pub role_id: String,
    pub role: &'static str,
    pub scope: String,
    pub level: ScopeLevel,
}

impl AzureHolding {
    pub fn label(&self) -> String {
        match (&self.display_name, &self.sign_in_name) {
            (Some(n), Some(u)) if n != u => format!("{n} ({u})"),
            (Some(n), _) => n.clone(),
            (None, Some(u)) => u.clone(),
            (None, None) => self.principal_id.clone(),
        }
    }

    pub fn is_user(&self) -> bool {
        self.principal_type.eq_ignore_ascii_case("User")
    }

    pub fn is_service_principal(&self) -> bool {
        self.principal_type.eq_ignore_ascii_case("ServicePrincipal")
    }

    fn info(&self) -> AzureAssignmentInfo {
        AzureAssignmentInfo {
            principal_id: self.principal_id.clone(),
            principal_name: self.label(),
            principal_type: self.principal_type.clone(),
            role: self.role.to_owned(),
            scope: self.scope.clone(),
        }
    }
}

/// The privileged Azure holdings of a tenant.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AzureView {
    pub standing: Vec<AzureHolding>,
    pub eligible: Vec<AzureHolding>,
    /// Subscriptions and management groups whose reads were refused.
    pub unreadable_scopes: Vec<String>,
}

fn same(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// The Graph record of a principal ARM named, from the Entra snapshot or the Azure look-ups.
pub fn graph_principal<'a>(snapshot: &'a TenantSnapshot, id: &str) -> Option<&'a Principal> {
    snapshot.principal(id).or_else(|| {
        snapshot
            .azure
            .as_ref()
            .and_then(|a| a.principals.iter().find(|p| same(&p.id, id)))
    })
}

impl AzureView {
    pub fn resolve(snapshot: &TenantSnapshot) -> Self {
        let Some(azure) = &snapshot.azure else {
            return AzureView::default();
        };
        let active = azure.active_instances.as_deref().unwrap_or_default();
        let names = |id: &str, from_arm: Option<&ArmScheduleInstance>| {
            let arm = from_arm
                .and_then(|i| i.properties.expanded_properties.as_ref())
                .and_then(|e| e.principal.as_ref());
            let graph = graph_principal(snapshot, id);
            let display_name = graph
                .and_then(|p| p.display_name.clone())
                .or_else(|| arm.and_then(|p| p.display_name.clone()));
            let sign_in = graph
                .and_then(|p| p.user_principal_name.clone())
                .or_else(|| arm.and_then(|p| p.email.clone()));
            (display_name, sign_in)
        };

        let mut standing: Vec<AzureHolding> = Vec::new();
        for a in azure.role_assignments.iter().flatten() {
            let p = &a.properties;
            let Some(role) = azure_role_name(&p.role_definition_id) else {
                continue;
            };
            let role_id = role_guid(&p.role_definition_id).to_ascii_lowercase();
            let instance = active.iter().find(|i| {
                i.properties
                    .origin_role_assignment_id
                    .as_deref()
                    .is_some_and(|o| same(o, &a.id))
                    || (same(&i.properties.principal_id, &p.principal_id)
                        && same(role_guid(&i.properties.role_definition_id), &role_id)
                        && same(
                            i.properties.scope.trim_end_matches('/'),
                            p.scope.trim_end_matches('/'),
                        ))
            });
            let just_in_time = instance.is_some_and(|i| {
                i.properties
                    .assignment_type
                    .as_deref()
                    .is_some_and(|t| same(t, "Activated"))
                    || i.properties.end_date_time.is_some()
            });
            if just_in_time {
                continue;
            }
            let (display_name, sign_in_name) = names(&p.principal_id, instance);
            let holding = AzureHolding {
                principal_id: p.principal_id.clone(),
                display_name,
                sign_in_name,
                principal_type: p
                    .principal_type
                    .clone()
                    .unwrap_or_else(|| "Unknown".to_owned()),
                role_id,
                role,
                scope: clean_scope(&p.scope),
                level: scope_level(&p.scope),
            };
            push_unique(&mut standing, holding);
        }

        let mut eligible: Vec<AzureHolding> = Vec::new();
        for i in azure.eligibility_instances.iter().flatten() {
            let p = &i.properties;
            let Some(role) = azure_role_name(&p.role_definition_id) else {
                continue;
            };
            let (display_name, sign_in_name) = names(&p.principal_id, Some(i));
            let principal_type = p
                .principal_type
                .clone()
                .or_else(|| {
                    p.expanded_properties
                        .as_ref()
                        .and_then(|e| e.principal.as_ref())
                        .and_then(|p| p.kind.clone())
                })
                .unwrap_or_else(|| "Unknown".to_owned());
            push_unique(
                &mut eligible,
                AzureHolding {
                    principal_id: p.principal_id.clone(),
                    display_name,
                    sign_in_name,
                    principal_type,
                    role_id: role_guid(&p.role_definition_id).to_ascii_lowercase(),
                    role,
                    scope: clean_scope(&p.scope),
                    level: scope_level(&p.scope),
                },
            );
        }
        let order = |h: &AzureHolding| (h.level, h.scope.to_ascii_lowercase(), h.role, h.label());
        standing.sort_by_key(order);
        eligible.sort_by_key(order);
        AzureView {
            standing,
            eligible,
            unreadable_scopes: unreadable_scopes(azure),
        }
    }
}

/// `/subscriptions/x/` → `/subscriptions/x`; the root scope stays `/`.
fn clean_scope(scope: &str) -> String {
    match scope.trim_end_matches('/') {
        "" => "/".to_owned(),
        s => s.to_owned(),
    }
}

fn push_unique(into: &mut Vec<AzureHolding>, h: AzureHolding) {
    if !into.iter().any(|o| {
        same(&o.principal_id, &h.principal_id) && o.role_id == h.role_id && same(&o.scope, &h.scope)
    }) {
        into.push(h);
    }
}

fn unreadable_scopes(azure: &AzureSnapshot) -> Vec<String> {
    let subs = azure
        .subscriptions
        .iter()
        .flatten()
        .filter(|s| !s.readable)
        .map(|s| s.display_name.clone().unwrap_or_else(|| s.id.clone()));
    let groups = azure
        .management_groups
        .iter()
        .flatten()
        .filter(|g| !g.readable)
        .map(|g| {
            g.properties
                .display_name
                .clone()
                .unwrap_or_else(|| g.id.clone())
        });
    subs.chain(groups).collect()
}

/// Whether a designated emergency account (`--emergency-account`, by object id or UPN) is
/// this Azure principal.
pub fn is_designated_emergency(settings: &AssessmentSettings, h: &AzureHolding) -> bool {
    settings.emergency_accounts.iter().any(|e| {
        let e = e.trim();
        same(e, &h.principal_id) || h.sign_in_name.as_deref().is_some_and(|u| same(e, u))
    })
}

/// The assessment's `azure` section, or `None` when Azure Resource Manager was not read.
pub fn section(snapshot: &TenantSnapshot, view: &AzureView) -> Option<AzureSection> {
    let azure = snapshot.azure.as_ref();
    let gaps: Vec<GapInfo> = snapshot
        .gaps
        .iter()
        .filter(|g| g.dataset.is_azure())
        .map(|g| GapInfo {
            dataset: g.dataset,
            reason: g.reason,
            detail: g.detail.clone(),
            missing_scope: g.missing_scope.clone(),
        })
        .collect();
    if azure.is_none() && gaps.is_empty() {
        return None;
    }
    let subscriptions = azure
        .and_then(|a| a.subscriptions.as_ref())
        .into_iter()
        .flatten()
        .map(|s| AzureSubscriptionInfo {
            id: s.subscription_id.clone(),
            display_name: s.display_name.clone().unwrap_or_default(),
            state: s.state.clone().unwrap_or_default(),
            readable: s.readable,
        })
        .collect();
    let management_groups = azure
        .and_then(|a| a.management_groups.as_ref())
        .into_iter()
        .flatten()
        .map(|g| ManagementGroupInfo {
            id: g.id.clone(),
            display_name: g.properties.display_name.clone().unwrap_or_default(),
        })
        .collect();
    Some(AzureSection {
        subscriptions,
        management_groups,
        standing_assignments: view.standing.iter().map(AzureHolding::info).collect(),
        eligible_assignments: view.eligible.iter().map(AzureHolding::info).collect(),
        gaps,
    })
}
