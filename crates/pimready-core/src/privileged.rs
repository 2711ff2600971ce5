//! Who holds which privileged role, and how: the privileged population, resolved once
//! from every assignment source (active assignments, PIM schedules, role-assignable
//! groups and PIM for Groups) and shared by licensing, checks and the plan. Pure.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::settings::AssessmentSettings;
use crate::snapshot::{AssignmentType, ObjectId, Principal, PrincipalKind, TenantSnapshot};

/// Built-in highly privileged roles (template ids, verified against Microsoft's
/// "Microsoft Entra built-in roles" reference).
pub const HIGHLY_PRIVILEGED_ROLES: [(&str, &str); 11] = [
    (
        "62e90394-69f5-4237-9190-012177145e10",
        "Global Administrator",
    ),
    (
        "e8611ab8-c189-46e8-94e1-60213ab1f814",
        "Privileged Role Administrator",
    ),
    (
        "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
        "Privileged Authentication Administrator",
    ),
    (
        "194ae4cb-b126-40b2-bd5b-6091b380977d",
        "Security Administrator",
    ),
    (
        "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
        "Conditional Access Administrator",
    ),
    ("fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator"),
    (
        "29232cdf-9323-42fd-ade2-1d097af3e4de",
        "Exchange Administrator",
    ),
    (
        "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
        "SharePoint Administrator",
    ),
    (
        "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2",
        "Hybrid Identity Administrator",
    ),
    (
        "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
        "Application Administrator",
    ),
    (
        "158c047a-c907-4556-b7ef-446551a6b5f7",
        "Cloud Application Administrator",
    ),
];

pub const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
pub const PRIVILEGED_ROLE_ADMINISTRATOR: &str = "e8611ab8-c189-46e8-94e1-60213ab1f814";

/// How a principal holds a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldingKind {
    /// Active with no end date: standing privilege.
    PermanentActive,
    /// Active with an end date, assigned (not activated).
    TimeBoundActive,
    /// Active because an eligible user activated it (PIM).
    Activated,
    /// Eligible: must activate through PIM.
    Eligible,
}

impl HoldingKind {
    pub fn label(self) -> &'static str {
        match self {
            HoldingKind::PermanentActive => "permanent active",
            HoldingKind::TimeBoundActive => "time-bound active",
            HoldingKind::Activated => "activated (PIM)",
            HoldingKind::Eligible => "eligible",
        }
    }
}

/// One principal holding one role (directly, or through a group).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Holding {
    pub principal_id: ObjectId,
    pub principal: Option<Principal>,
    pub kind: PrincipalKind,
    /// The role's template id (stable across tenants).
    pub role_template_id: String,
    pub role_name: String,
    pub highly_privileged: bool,
    pub holding: HoldingKind,
    /// The role-assignable group this holding comes through, if any.
    pub via_group: Option<ObjectId>,
    pub via_group_name: Option<String>,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    /// Assigned outside PIM (null `startDateTime` or null `createdUsing`).
    pub outside_pim: bool,
}

/// Why an account is listed as an emergency-access account (`designated` or `suggested`
/// in the JSON report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EmergencyOrigin {
    /// Named by the user (`--emergency-account`, Settings): the only accounts exempted.
    Designated,
    /// Suggested from its shape (permanent GA, cloud-only, onmicrosoft.com, no licence,
    /// CA-excluded). A suggestion exempts nothing: only a designated account does.
    #[serde(alias = "detected")]
    Suggested,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmergencyAccount {
    pub principal_id: ObjectId,
    pub user_principal_name: String,
    pub display_name: String,
    pub origin: EmergencyOrigin,
    /// Enabled, cloud-only and permanent Global Administrator.
    pub well_formed: bool,
    /// For a suggestion: the signals that made it look like an emergency account.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signals: Vec<String>,
}

/// Every privileged holding in the tenant, with emergency accounts identified.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PrivilegedPopulation {
    pub holdings: Vec<Holding>,
    pub emergency_accounts: Vec<EmergencyAccount>,
    /// Designated emergency accounts that were not found among privileged users.
    pub designated_not_found: Vec<String>,
    /// Accounts shaped like emergency accounts that no one designated. They exempt nothing.
    #[serde(default)]
    pub suggested_emergency_accounts: Vec<EmergencyAccount>,
}

impl PrivilegedPopulation {
    /// Resolves the population from the snapshot: PIM instances when they were read
    /// (else the plain active assignments), eligibility, and role-assignable groups
    /// expanded into their members (PIM for Groups memberships included).
    pub fn resolve(snapshot: &TenantSnapshot, settings: &AssessmentSettings) -> Self {
        let roles = RoleIndex::new(snapshot, settings);
        let mut holdings = Vec::new();

        let schedule_created = |id: Option<&str>| -> Option<bool> {
            let id = id?;
            let schedules = snapshot.role_assignment_schedules.as_ref()?;
            schedules
                .iter()
                .find(|s| s.id == id)
                .map(|s| s.created_using.is_some())
        };

        if let Some(instances) = &snapshot.role_assignment_schedule_instances {
            for i in instances {
                let holding = match (&i.assignment_type, i.end_date_time) {
                    (Some(AssignmentType::Activated), _) => HoldingKind::Activated,
                    (_, None) => HoldingKind::PermanentActive,
                    (_, Some(_)) => HoldingKind::TimeBoundActive,
                };
                let created_in_pim = schedule_created(i.role_assignment_schedule_id.as_deref());
                let outside_pim = i.start_date_time.is_none() || created_in_pim == Some(false);
                holdings.push(roles.holding(
                    snapshot,
                    &i.principal_id,
                    &i.role_definition_id,
                    holding,
                    i.start_date_time,
                    i.end_date_time,
                    outside_pim,
                ));
            }
        } else if let Some(assignments) = &snapshot.role_assignments {
            // Without PIM data every active assignment is a standing one made outside PIM.
            for a in assignments {
                let mut h = roles.holding(
                    snapshot,
                    &a.principal_id,
                    &a.role_definition_id,
                    HoldingKind::PermanentActive,
                    None,
                    None,
                    true,
                );
                if h.principal.is_none() {
                    h.principal.clone_from(&a.principal);
                    if let Some(p) = &a.principal {
                        h.kind = p.kind();
                    }
                }
                holdings.push(h);
            }
        }
        if let Some(instances) = &snapshot.role_eligibility_schedule_instances {
            for i in instances {
                holdings.push(roles.holding(
                    snapshot,
                    &i.principal_id,
                    &i.role_definition_id,
                    HoldingKind::Eligible,
                    i.start_date_time,
                    i.end_date_time,
                    false,
                ));
            }
        }

        let group_holdings: Vec<Holding> = holdings
            .iter()
            .filter(|h| h.kind == PrincipalKind::Group)
            .cloned()
            .collect();
        for gh in &group_holdings {
            holdings.extend(expand_group(snapshot, gh));
        }
        holdings.sort_by(|a, b| {
            (
                &a.role_name,
                a.holding,
                a.principal_name_key(),
                &a.principal_id,
                &a.via_group,
            )
                .cmp(&(
                    &b.role_name,
                    b.holding,
                    b.principal_name_key(),
                    &b.principal_id,
                    &b.via_group,
                ))
        });
        holdings.dedup();

        let (emergency_accounts, designated_not_found) =
            designated_emergency_accounts(snapshot, settings, &holdings);
        let suggested_emergency_accounts =
            suggested_emergency_accounts(snapshot, &holdings, &emergency_accounts);
        PrivilegedPopulation {
            holdings,
            emergency_accounts,
            designated_not_found,
            suggested_emergency_accounts,
        }
    }

    /// Whether `principal_id` is a designated emergency account: the one test every
    /// exemption (checks, licensing seats, remediation) goes through.
    pub fn is_emergency(&self, principal_id: &str) -> bool {
        self.emergency_accounts
            .iter()
            .any(|e| e.principal_id == principal_id)
    }

    /// Holdings of highly privileged roles.
    pub fn highly_privileged(&self) -> impl Iterator<Item = &Holding> {
        self.holdings.iter().filter(|h| h.highly_privileged)
    }

    /// Holdings of one role (by template id).
    pub fn of_role<'a>(&'a self, template_id: &'a str) -> impl Iterator<Item = &'a Holding> {
        self.holdings
            .iter()
            .filter(move |h| h.role_template_id.eq_ignore_ascii_case(template_id))
    }

    /// Distinct user ids holding a highly privileged role in any way.
    pub fn privileged_user_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self
            .highly_privileged()
            .filter(|h| h.kind == PrincipalKind::User)
            .map(|h| h.principal_id.as_str())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

impl Holding {
    fn principal_name_key(&self) -> String {
        self.principal.as_ref().map_or_else(
            || self.principal_id.to_string(),
            |p| p.name().to_lowercase(),
        )
    }

    /// Display name, else UPN, else object id.
    pub fn display_name(&self) -> String {
        self.principal
            .as_ref()
            .map_or_else(|| self.principal_id.to_string(), |p| p.name().to_owned())
    }

    /// UPN for users, app id for service principals.
    pub fn principal_name(&self) -> Option<String> {
        let p = self.principal.as_ref()?;
        p.user_principal_name.clone().or_else(|| p.app_id.clone())
    }

    /// "eligible", "permanent active via group Tier0-Admins", ...
    pub fn assignment_label(&self) -> String {
        match &self.via_group_name {
            Some(g) => format!("{} via group {g}", self.holding.label()),
            None => self.holding.label().to_owned(),
        }
    }

    pub fn is_active(&self) -> bool {
        self.holding != HoldingKind::Eligible
    }
}

/// Role definitions by id, with the highly privileged set (built-in + settings).
struct RoleIndex<'a> {
    definitions: &'a [crate::snapshot::RoleDefinition],
    extra: &'a [String],
}

impl<'a> RoleIndex<'a> {
    fn new(snapshot: &'a TenantSnapshot, settings: &'a AssessmentSettings) -> Self {
        RoleIndex {
            definitions: snapshot.role_definitions.as_deref().unwrap_or(&[]),
            extra: &settings.extra_privileged_roles,
        }
    }

    /// (template id, display name) of a role definition id.
    fn resolve(&self, role_definition_id: &str) -> (String, String) {
        if let Some(d) = self
            .definitions
            .iter()
            .find(|d| d.id.eq_ignore_ascii_case(role_definition_id))
        {
            return (d.template_or_id().to_lowercase(), d.display_name.clone());
        }
        let id = role_definition_id.to_lowercase();
        let name = HIGHLY_PRIVILEGED_ROLES
            .iter()
            .find(|(t, _)| *t == id)
            .map_or_else(
                || format!("Role {role_definition_id}"),
                |(_, n)| (*n).to_owned(),
            );
        (id, name)
    }

    fn is_highly_privileged(&self, template_id: &str, name: &str) -> bool {
        is_highly_privileged_role(template_id, name, self.extra)
    }

    #[allow(clippy::too_many_arguments)]
    fn holding(
        &self,
        snapshot: &TenantSnapshot,
        principal_id: &str,
        role_definition_id: &str,
        holding: HoldingKind,
        start: Option<DateTime<Utc>>,
        end: Option<DateTime<Utc>>,
        outside_pim: bool,
    ) -> Holding {
        let (role_template_id, role_name) = self.resolve(role_definition_id);
        let principal = snapshot.principal(principal_id).cloned();
        let kind = principal
            .as_ref()
            .map_or(PrincipalKind::Unknown, Principal::kind);
        Holding {
            principal_id: principal_id.into(),
            principal,
            kind,
            highly_privileged: self.is_highly_privileged(&role_template_id, &role_name),
            role_template_id,
            role_name,
            holding,
            via_group: None,
            via_group_name: None,
            start,
            end,
            outside_pim,
        }
    }
}

/// Whether a role (template id and name) counts as highly privileged, given the
/// user's extra roles (template ids or display names).
pub fn is_highly_privileged_role(template_id: &str, name: &str, extra: &[String]) -> bool {
    HIGHLY_PRIVILEGED_ROLES
        .iter()
        .any(|(t, _)| t.eq_ignore_ascii_case(template_id))
        || extra
            .iter()
            .any(|e| e.eq_ignore_ascii_case(template_id) || e.eq_ignore_ascii_case(name))
}

/// The users a group's role holding reaches: active members (permanent or time-bound
/// through PIM for Groups) and eligible members.
fn expand_group(snapshot: &TenantSnapshot, group_holding: &Holding) -> Vec<Holding> {
    let Some(group) = snapshot
        .privileged_groups
        .iter()
        .flatten()
        .find(|g| g.group.id == group_holding.principal_id)
    else {
        return Vec::new();
    };
    let group_name = group.group.name().to_owned();
    let assignments: Vec<&crate::snapshot::GroupScheduleInstance> = snapshot
        .group_assignment_schedule_instances
        .iter()
        .flatten()
        .filter(|i| {
            i.group_id == group.group.id
                && !matches!(i.access_id, Some(crate::snapshot::GroupAccessId::Owner))
        })
        .collect();
    let via = |p: &Principal, holding: HoldingKind, start, end, outside_pim| Holding {
        principal_id: p.id.clone(),
        principal: Some(p.clone()),
        kind: p.kind(),
        role_template_id: group_holding.role_template_id.clone(),
        role_name: group_holding.role_name.clone(),
        highly_privileged: group_holding.highly_privileged,
        holding,
        via_group: Some(group.group.id.clone()),
        via_group_name: Some(group_name.clone()),
        start,
        end,
        outside_pim,
    };
    let mut out = Vec::new();
    for member in &group.members {
        let membership = assignments.iter().find(|i| i.principal_id == member.id);
        let holding = match (group_holding.holding, membership) {
            (HoldingKind::Eligible, _) => HoldingKind::Eligible,
            (_, Some(m)) if m.assignment_type == Some(AssignmentType::Activated) => {
                HoldingKind::Activated
            }
            (_, Some(m)) if m.end_date_time.is_some() => HoldingKind::TimeBoundActive,
            (group_kind, _) => group_kind,
        };
        let (start, end) = membership.map_or((group_holding.start, group_holding.end), |m| {
            (m.start_date_time, m.end_date_time)
        });
        out.push(via(
            member,
            holding,
            start,
            end,
            group_holding.outside_pim && membership.is_none(),
        ));
    }
    for e in snapshot
        .group_eligibility_schedule_instances
        .iter()
        .flatten()
    {
        if e.group_id != group.group.id
            || matches!(e.access_id, Some(crate::snapshot::GroupAccessId::Owner))
        {
            continue;
        }
        if out
            .iter()
            .any(|h| h.principal_id == e.principal_id && h.holding != HoldingKind::Eligible)
        {
            // Currently activated: the active holding already stands for it.
            continue;
        }
        let principal = snapshot
            .principal(&e.principal_id)
            .cloned()
            .unwrap_or_else(|| Principal {
                id: e.principal_id.clone(),
                odata_type: Some("#microsoft.graph.user".into()),
                ..Principal::default()
            });
        out.push(via(
            &principal,
            HoldingKind::Eligible,
            e.start_date_time,
            e.end_date_time,
            false,
        ));
    }
    out
}

fn is_cloud_only(p: &Principal) -> bool {
    p.on_premises_sync_enabled != Some(true)
        && p.on_premises_immutable_id
            .as_deref()
            .is_none_or(str::is_empty)
}

fn permanent_ga(holdings: &[Holding], id: &str) -> bool {
    holdings.iter().any(|h| {
        h.principal_id == id
            && h.role_template_id == GLOBAL_ADMINISTRATOR
            && h.holding == HoldingKind::PermanentActive
            && h.via_group.is_none()
    })
}

fn emergency_account(
    snapshot: &TenantSnapshot,
    holdings: &[Holding],
    p: &Principal,
    origin: EmergencyOrigin,
    signals: Vec<String>,
) -> EmergencyAccount {
    // The user record read with $select carries accountEnabled and the sync state; an
    // expanded copy may not.
    let full = snapshot.principal(&p.id).unwrap_or(p);
    let enabled = full.account_enabled.or(p.account_enabled);
    EmergencyAccount {
        principal_id: p.id.clone(),
        user_principal_name: p.user_principal_name.clone().unwrap_or_default(),
        display_name: p.name().to_owned(),
        origin,
        well_formed: enabled == Some(true)
            && is_cloud_only(full)
            && is_cloud_only(p)
            && permanent_ga(holdings, &p.id),
        signals,
    }
}

/// Every user among the holdings, once.
fn privileged_users(holdings: &[Holding]) -> Vec<&Principal> {
    let mut seen: Vec<&Principal> = Vec::new();
    for h in holdings {
        if let Some(p) = &h.principal
            && p.kind() == PrincipalKind::User
            && !seen.iter().any(|s| s.id == p.id)
        {
            seen.push(p);
        }
    }
    seen
}

/// The accounts the user designated (UPN or object id, case-insensitive), and the
/// designations that match no privileged user. Only these are ever exempted.
fn designated_emergency_accounts(
    snapshot: &TenantSnapshot,
    settings: &AssessmentSettings,
    holdings: &[Holding],
) -> (Vec<EmergencyAccount>, Vec<String>) {
    let users = privileged_users(holdings);
    let mut found: Vec<EmergencyAccount> = Vec::new();
    let mut missing = Vec::new();
    for wanted in &settings.emergency_accounts {
        let wanted = wanted.trim();
        let hit = users.iter().find(|p| {
            p.id == wanted
                || p.user_principal_name
                    .as_deref()
                    .is_some_and(|u| u.eq_ignore_ascii_case(wanted))
        });
        match hit {
            Some(p) if !found.iter().any(|e| e.principal_id == p.id) => {
                found.push(emergency_account(
                    snapshot,
                    holdings,
                    p,
                    EmergencyOrigin::Designated,
                    Vec::new(),
                ));
            }
            Some(_) => {}
            None => missing.push(wanted.to_owned()),
        }
    }
    (found, missing)
}

/// Undesignated users shaped like emergency accounts: a suggestion to designate, never an
/// exemption (an unlicensed cloud-only admin on onmicrosoft.com is also what CIS 1.1.4 asks
/// of every ordinary admin account).
fn suggested_emergency_accounts(
    snapshot: &TenantSnapshot,
    holdings: &[Holding],
    designated: &[EmergencyAccount],
) -> Vec<EmergencyAccount> {
    let ca_excluded = |id: &str| {
        snapshot
            .conditional_access_policies
            .iter()
            .flatten()
            .any(|p| {
                p.state == Some(crate::snapshot::PolicyState::Enabled)
                    && p.conditions
                        .as_ref()
                        .and_then(|c| c.users.as_ref())
                        .is_some_and(|u| u.exclude_users.iter().any(|x| x == id))
            })
    };
    privileged_users(holdings)
        .into_iter()
        .filter(|p| !designated.iter().any(|d| d.principal_id == p.id))
        // A guest is never an emergency account: its credentials live in another tenant.
        .filter(|p| permanent_ga(holdings, &p.id) && is_cloud_only(p) && !p.is_guest())
        .filter_map(|p| {
            let upn = p
                .user_principal_name
                .as_deref()
                .unwrap_or_default()
                .to_ascii_lowercase();
            let name = format!(
                "{upn} {}",
                p.display_name
                    .as_deref()
                    .unwrap_or_default()
                    .to_ascii_lowercase()
            );
            let named = [
                "breakglass",
                "break-glass",
                "break glass",
                "emergency",
                "bg-admin",
            ]
            .iter()
            .any(|k| name.contains(k));
            let signals: Vec<String> = [
                (
                    upn.ends_with(".onmicrosoft.com"),
                    "on the onmicrosoft.com domain",
                ),
                (
                    p.assigned_licenses.as_ref().is_some_and(Vec::is_empty),
                    "no licence",
                ),
                (ca_excluded(&p.id), "excluded from Conditional Access"),
                (named, "named like an emergency account"),
            ]
            .into_iter()
            .filter(|(hit, _)| *hit)
            .map(|(_, why)| why.to_owned())
            .collect();
            (signals.len() >= 2).then(|| {
                let mut signals = signals;
                signals.insert(0, "cloud-only".to_owned());
                emergency_account(snapshot, holdings, p, EmergencyOrigin::Suggested, signals)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{
        GroupScheduleInstance, PrivilegedGroup, RoleAssignment, RoleScheduleInstance,
    };
    use crate::test_support::{self, group, role_assignment};

    const GA: &str = GLOBAL_ADMINISTRATOR;
    const READER: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";

    fn snapshot() -> TenantSnapshot {
        test_support::empty_snapshot("2026-11-20T09:00:00Z".parse().unwrap())
    }

    /// A user signing in as `upn`, named after its local part, without licences.
    fn user(id: &str, upn: &str) -> Principal {
        Principal {
            display_name: Some(upn.split('@').next().unwrap().into()),
            user_principal_name: Some(upn.into()),
            assigned_licenses: Some(vec![]),
            ..test_support::user(id)
        }
    }

    fn instance(
        principal: &str,
        role: &str,
        end: Option<&str>,
        kind: Option<AssignmentType>,
    ) -> RoleScheduleInstance {
        RoleScheduleInstance {
            id: format!("{principal}-{role}"),
            principal_id: principal.into(),
            role_definition_id: role.into(),
            start_date_time: Some("2026-01-01T00:00:00Z".parse().unwrap()),
            end_date_time: end.map(|e| e.parse().unwrap()),
            assignment_type: kind,
            ..RoleScheduleInstance::default()
        }
    }

    fn kinds(p: &PrivilegedPopulation) -> Vec<(String, String, HoldingKind, Option<String>)> {
        let mut v: Vec<_> = p
            .holdings
            .iter()
            .map(|h| {
                (
                    h.principal_id.to_string(),
                    h.role_template_id.clone(),
                    h.holding,
                    h.via_group.as_ref().map(ToString::to_string),
                )
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn active_assignments_without_pim_are_standing() {
        let mut s = snapshot();
        s.role_assignments = Some(vec![RoleAssignment {
            id: "a1".into(),
            directory_scope_id: Some("/".into()),
            ..role_assignment(&user("u1", "alice@contoso.com"), GA)
        }]);
        let p = PrivilegedPopulation::resolve(&s, &AssessmentSettings::default());
        assert_eq!(
            kinds(&p),
            vec![("u1".into(), GA.into(), HoldingKind::PermanentActive, None)]
        );
        let h = &p.holdings[0];
        assert!(h.highly_privileged && h.outside_pim);
        assert_eq!(h.role_name, "Global Administrator");
        assert_eq!(h.principal_name().as_deref(), Some("alice@contoso.com"));
    }

    #[test]
    fn pim_instances_take_precedence_and_groups_expand() {
        let mut s = snapshot();
        s.role_assignments = Some(vec![]);
        s.privileged_principals = Some(vec![user("u1", "alice@contoso.com"), group("g1")]);
        s.role_assignment_schedule_instances = Some(vec![
            instance(
                "u1",
                GA,
                Some("2026-11-20T12:00:00Z"),
                Some(AssignmentType::Activated),
            ),
            instance("g1", GA, None, Some(AssignmentType::Assigned)),
        ]);
        s.role_eligibility_schedule_instances = Some(vec![instance("u1", READER, None, None)]);
        s.privileged_groups = Some(vec![PrivilegedGroup {
            group: group("g1"),
            members: vec![
                user("u2", "bob@contoso.com"),
                user("u3", "carol@contoso.com"),
            ],
            owners: vec![],
        }]);
        s.group_assignment_schedule_instances = Some(vec![GroupScheduleInstance {
            id: "m3".into(),
            group_id: "g1".into(),
            principal_id: "u3".into(),
            end_date_time: Some("2026-12-01T00:00:00Z".parse().unwrap()),
            assignment_type: Some(AssignmentType::Assigned),
            ..GroupScheduleInstance::default()
        }]);
        s.group_eligibility_schedule_instances = Some(vec![GroupScheduleInstance {
            id: "e4".into(),
            group_id: "g1".into(),
            principal_id: "u4".into(),
            ..GroupScheduleInstance::default()
        }]);
        let p = PrivilegedPopulation::resolve(&s, &AssessmentSettings::default());
        let g1 = Some("g1".to_owned());
        assert_eq!(
            kinds(&p),
            vec![
                ("g1".into(), GA.into(), HoldingKind::PermanentActive, None),
                ("u1".into(), GA.into(), HoldingKind::Activated, None),
                ("u1".into(), READER.into(), HoldingKind::Eligible, None),
                (
                    "u2".into(),
                    GA.into(),
                    HoldingKind::PermanentActive,
                    g1.clone()
                ),
                (
                    "u3".into(),
                    GA.into(),
                    HoldingKind::TimeBoundActive,
                    g1.clone()
                ),
                ("u4".into(), GA.into(), HoldingKind::Eligible, g1),
            ]
        );
        assert!(
            !p.holdings
                .iter()
                .find(|h| h.role_template_id == READER)
                .unwrap()
                .highly_privileged
        );
        assert_eq!(p.privileged_user_ids(), vec!["u1", "u2", "u3", "u4"]);
    }

    #[test]
    fn extra_roles_from_settings_are_highly_privileged() {
        let mut s = snapshot();
        s.role_assignments = Some(vec![RoleAssignment {
            id: "a".into(),
            ..role_assignment(&user("u1", "a@contoso.com"), READER)
        }]);
        let settings = AssessmentSettings {
            extra_privileged_roles: vec![READER.to_uppercase()],
            ..AssessmentSettings::default()
        };
        assert!(PrivilegedPopulation::resolve(&s, &settings).holdings[0].highly_privileged);
    }

    #[test]
    fn emergency_accounts_are_designated_and_look_alikes_only_suggested() {
        let mut s = snapshot();
        let mut bg = user("u9", "breakglass1@contoso.onmicrosoft.com");
        bg.display_name = Some("Emergency access 1".into());
        let mut synced = user("u8", "ops@contoso.onmicrosoft.com");
        synced.on_premises_sync_enabled = Some(true);
        let mut licensed = user("u7", "admin@contoso.com");
        licensed.assigned_licenses = Some(vec![crate::snapshot::AssignedLicense {
            sku_id: "x".into(),
            disabled_plans: vec![],
        }]);
        let assign = |p: &Principal| role_assignment(p, GA);
        // An unlicensed guest GA looks like a break-glass account but never is one.
        let mut guest = user("u6", "pat_fabrikam.com#EXT#@contoso.onmicrosoft.com");
        guest.user_type = Some("Guest".into());
        s.role_assignments = Some(vec![
            assign(&bg),
            assign(&synced),
            assign(&licensed),
            assign(&guest),
        ]);

        let undesignated = PrivilegedPopulation::resolve(&s, &AssessmentSettings::default());
        assert!(
            undesignated.emergency_accounts.is_empty(),
            "a look-alike is never exempted: {:?}",
            undesignated.emergency_accounts
        );
        assert!(!undesignated.is_emergency("u9"));
        let suggested = &undesignated.suggested_emergency_accounts;
        assert_eq!(suggested.len(), 1, "{suggested:?}");
        assert_eq!(suggested[0].principal_id, "u9");
        assert_eq!(suggested[0].origin, EmergencyOrigin::Suggested);
        assert!(
            suggested[0]
                .signals
                .contains(&"named like an emergency account".to_owned()),
            "{:?}",
            suggested[0].signals
        );

        // Designated by object id, in another case: found, and no longer suggested.
        let by_id = AssessmentSettings {
            emergency_accounts: vec!["U9".into()],
            ..AssessmentSettings::default()
        };
        let by_id = PrivilegedPopulation::resolve(&s, &by_id);
        assert!(by_id.is_emergency("u9") && by_id.is_emergency("U9"));
        assert!(!by_id.is_emergency("u1"), "only the designated account");
        assert_eq!(
            by_id.emergency_accounts[0].origin,
            EmergencyOrigin::Designated
        );
        assert!(by_id.suggested_emergency_accounts.is_empty());

        let settings = AssessmentSettings {
            emergency_accounts: vec![
                "OPS@contoso.onmicrosoft.com".into(),
                "nobody@contoso.com".into(),
            ],
            ..AssessmentSettings::default()
        };
        let designated = PrivilegedPopulation::resolve(&s, &settings);
        assert_eq!(designated.emergency_accounts.len(), 1);
        assert_eq!(
            designated.emergency_accounts[0].origin,
            EmergencyOrigin::Designated
        );
        assert!(
            !designated.emergency_accounts[0].well_formed,
            "a synced account is not a well-formed emergency account"
        );
        assert_eq!(
            designated.designated_not_found,
            vec!["nobody@contoso.com".to_owned()]
        );
    }
}
