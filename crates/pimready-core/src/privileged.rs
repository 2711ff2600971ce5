//! Who holds which privileged role, and how: the privileged population, resolved once
//! from every assignment source (active assignments, PIM schedules, role-assignable
//! groups and PIM for Groups) and shared by licensing, checks and the plan. Pure.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::settings::AssessmentSettings;
use crate::snapshot::{AssignmentType, Principal, PrincipalKind, TenantSnapshot};

/// Built-in highly privileged roles (template ids, verified against Microsoft's
/// "Microsoft Entra built-in roles" reference).
pub const HIGHLY_PRIVILEGED_ROLES: [(&str, &str); 11] = [
    ("62e90394-69f5-4237-9190-012177145e10", "Global Administrator"),
    ("e8611ab8-c189-46e8-94e1-60213ab1f814", "Privileged Role Administrator"),
    ("7be44c8a-adaf-4e2a-84d6-ab2649e08a13", "Privileged Authentication Administrator"),
    ("194ae4cb-b126-40b2-bd5b-6091b380977d", "Security Administrator"),
    ("b1be1c3e-b65d-4f19-8427-f6fa0d97feb9", "Conditional Access Administrator"),
    ("fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator"),
    ("29232cdf-9323-42fd-ade2-1d097af3e4de", "Exchange Administrator"),
    ("f28a1f50-f6e7-4571-818b-6a12f2af6b6c", "SharePoint Administrator"),
    ("8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2", "Hybrid Identity Administrator"),
    ("9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", "Application Administrator"),
    ("158c047a-c907-4556-b7ef-446551a6b5f7", "Cloud Application Administrator"),
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
    pub principal_id: String,
    pub principal: Option<Principal>,
    pub kind: PrincipalKind,
    /// The role's template id (stable across tenants).
    pub role_template_id: String,
    pub role_name: String,
    pub highly_privileged: bool,
    pub holding: HoldingKind,
    /// The role-assignable group this holding comes through, if any.
    pub via_group: Option<String>,
    pub via_group_name: Option<String>,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    /// Assigned outside PIM (null `startDateTime` or null `createdUsing`).
    pub outside_pim: bool,
}

/// Why an account is treated as an emergency-access account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmergencyOrigin {
    /// Named by the user in settings.
    Designated,
    /// Guessed from its shape (permanent GA, cloud-only, onmicrosoft.com, no licence, CA-excluded).
    Detected,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmergencyAccount {
    pub principal_id: String,
    pub user_principal_name: String,
    pub display_name: String,
    pub origin: EmergencyOrigin,
    /// Cloud-only and permanent Global Administrator.
    pub well_formed: bool,
}

/// Every privileged holding in the tenant, with emergency accounts identified.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PrivilegedPopulation {
    pub holdings: Vec<Holding>,
    pub emergency_accounts: Vec<EmergencyAccount>,
    /// Designated emergency accounts that were not found among privileged users.
    pub designated_not_found: Vec<String>,
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
            schedules.iter().find(|s| s.id == id).map(|s| s.created_using.is_some())
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
                holdings.push(roles.holding(snapshot, &i.principal_id, &i.role_definition_id, holding, i.start_date_time, i.end_date_time, outside_pim));
            }
        } else if let Some(assignments) = &snapshot.role_assignments {
            // Without PIM data every active assignment is a standing one made outside PIM.
            for a in assignments {
                let mut h = roles.holding(snapshot, &a.principal_id, &a.role_definition_id, HoldingKind::PermanentActive, None, None, true);
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
                holdings.push(roles.holding(snapshot, &i.principal_id, &i.role_definition_id, HoldingKind::Eligible, i.start_date_time, i.end_date_time, false));
            }
        }

        let group_holdings: Vec<Holding> = holdings.iter().filter(|h| h.kind == PrincipalKind::Group).cloned().collect();
        for gh in &group_holdings {
            holdings.extend(expand_group(snapshot, gh));
        }
        holdings.sort_by(|a, b| {
            (&a.role_name, a.holding, a.principal_name_key(), &a.principal_id, &a.via_group)
                .cmp(&(&b.role_name, b.holding, b.principal_name_key(), &b.principal_id, &b.via_group))
        });
        holdings.dedup();

        let (emergency_accounts, designated_not_found) = emergency_accounts(snapshot, settings, &holdings);
        PrivilegedPopulation { holdings, emergency_accounts, designated_not_found }
    }

    pub fn is_emergency(&self, principal_id: &str) -> bool {
        self.emergency_accounts.iter().any(|e| e.principal_id == principal_id)
    }

    /// Holdings of highly privileged roles.
    pub fn highly_privileged(&self) -> impl Iterator<Item = &Holding> {
        self.holdings.iter().filter(|h| h.highly_privileged)
    }

    /// Holdings of one role (by template id).
    pub fn of_role<'a>(&'a self, template_id: &'a str) -> impl Iterator<Item = &'a Holding> {
        self.holdings.iter().filter(move |h| h.role_template_id.eq_ignore_ascii_case(template_id))
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
        self.principal.as_ref().map_or_else(|| self.principal_id.clone(), |p| p.name().to_lowercase())
    }

    /// Display name, else UPN, else object id.
    pub fn display_name(&self) -> String {
        self.principal.as_ref().map_or_else(|| self.principal_id.clone(), |p| p.name().to_owned())
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
        RoleIndex { definitions: snapshot.role_definitions.as_deref().unwrap_or(&[]), extra: &settings.extra_privileged_roles }
    }

    /// (template id, display name) of a role definition id.
    fn resolve(&self, role_definition_id: &str) -> (String, String) {
        if let Some(d) = self.definitions.iter().find(|d| d.id.eq_ignore_ascii_case(role_definition_id)) {
            return (d.template_or_id().to_lowercase(), d.display_name.clone());
        }
        let id = role_definition_id.to_lowercase();
        let name = HIGHLY_PRIVILEGED_ROLES
            .iter()
            .find(|(t, _)| *t == id)
            .map_or_else(|| format!("Role {role_definition_id}"), |(_, n)| (*n).to_owned());
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
        let kind = principal.as_ref().map_or(PrincipalKind::Unknown, Principal::kind);
        Holding {
            principal_id: principal_id.to_owned(),
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
    HIGHLY_PRIVILEGED_ROLES.iter().any(|(t, _)| t.eq_ignore_ascii_case(template_id))
        || extra.iter().any(|e| e.eq_ignore_ascii_case(template_id) || e.eq_ignore_ascii_case(name))
}

/// The users a group's role holding reaches: active members (permanent or time-bound
/// through PIM for Groups) and eligible members.
fn expand_group(snapshot: &TenantSnapshot, group_holding: &Holding) -> Vec<Holding> {
    let Some(group) = snapshot.privileged_groups.iter().flatten().find(|g| g.group.id == group_holding.principal_id) else {
        return Vec::new();
    };
    let group_name = group.group.name().to_owned();
    let assignments: Vec<&crate::snapshot::GroupScheduleInstance> = snapshot
        .group_assignment_schedule_instances
        .iter()
        .flatten()
        .filter(|i| i.group_id == group.group.id && !matches!(i.access_id, Some(crate::snapshot::GroupAccessId::Owner)))
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
            (_, Some(m)) if m.assignment_type == Some(AssignmentType::Activated) => HoldingKind::Activated,
            (_, Some(m)) if m.end_date_time.is_some() => HoldingKind::TimeBoundActive,
            (group_kind, _) => group_kind,
        };
        let (start, end) = membership.map_or((group_holding.start, group_holding.end), |m| (m.start_date_time, m.end_date_time));
        out.push(via(member, holding, start, end, group_holding.outside_pim && membership.is_none()));
    }
    for e in snapshot.group_eligibility_schedule_instances.iter().flatten() {
        if e.group_id != group.group.id || matches!(e.access_id, Some(crate::snapshot::GroupAccessId::Owner)) {
            continue;
        }
        if out.iter().any(|h| h.principal_id == e.principal_id && h.holding != HoldingKind::Eligible) {
            // Currently activated: the active holding already stands for it.
            continue;
        }
        let principal = snapshot.principal(&e.principal_id).cloned().unwrap_or_else(|| Principal {
            id: e.principal_id.clone(),
            odata_type: Some("#microsoft.graph.user".into()),
            ..Principal::default()
        });
        out.push(via(&principal, HoldingKind::Eligible, e.start_date_time, e.end_date_time, false));
    }
    out
}

fn is_cloud_only(p: &Principal) -> bool {
    p.on_premises_sync_enabled != Some(true) && p.on_premises_immutable_id.as_deref().is_none_or(str::is_empty)
}

/// Designated accounts when the user named any; otherwise a guess from their shape.
fn emergency_accounts(snapshot: &TenantSnapshot, settings: &AssessmentSettings, holdings: &[Holding]) -> (Vec<EmergencyAccount>, Vec<String>) {
    let permanent_ga = |id: &str| {
        holdings.iter().any(|h| {
            h.principal_id == id && h.role_template_id == GLOBAL_ADMINISTRATOR && h.holding == HoldingKind::PermanentActive && h.via_group.is_none()
        })
    };
    let make = |p: &Principal, origin| EmergencyAccount {
        principal_id: p.id.clone(),
        user_principal_name: p.user_principal_name.clone().unwrap_or_default(),
        display_name: p.name().to_owned(),
        origin,
        well_formed: is_cloud_only(p) && permanent_ga(&p.id),
    };
    let users: Vec<&Principal> = {
        let mut seen: Vec<&Principal> = Vec::new();
        for h in holdings {
            if let Some(p) = &h.principal {
                if p.kind() == PrincipalKind::User && !seen.iter().any(|s| s.id == p.id) {
                    seen.push(p);
                }
            }
        }
        seen
    };
    if !settings.emergency_accounts.is_empty() {
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for wanted in &settings.emergency_accounts {
            let hit = users.iter().find(|p| {
                p.id.eq_ignore_ascii_case(wanted) || p.user_principal_name.as_deref().is_some_and(|u| u.eq_ignore_ascii_case(wanted))
            });
            match hit {
                Some(p) if !found.iter().any(|e: &EmergencyAccount| e.principal_id == p.id) => found.push(make(p, EmergencyOrigin::Designated)),
                Some(_) => {}
                None => missing.push(wanted.clone()),
            }
        }
        return (found, missing);
    }
    let ca_excluded = |id: &str| {
        snapshot.conditional_access_policies.iter().flatten().any(|p| {
            p.state == Some(crate::snapshot::PolicyState::Enabled)
                && p.conditions.as_ref().and_then(|c| c.users.as_ref()).is_some_and(|u| u.exclude_users.iter().any(|x| x == id))
        })
    };
    let detected = users
        .iter()
        .filter(|p| permanent_ga(&p.id) && is_cloud_only(p))
        .filter(|p| {
            let upn = p.user_principal_name.as_deref().unwrap_or_default().to_ascii_lowercase();
            let name = format!("{upn} {}", p.display_name.as_deref().unwrap_or_default().to_ascii_lowercase());
            let signals = [
                upn.ends_with(".onmicrosoft.com"),
                p.assigned_licenses.as_ref().is_some_and(Vec::is_empty),
                ca_excluded(&p.id),
                ["breakglass", "break-glass", "break glass", "emergency", "bg-admin", "bga"].iter().any(|k| name.contains(k)),
            ];
            signals.iter().filter(|s| **s).count() >= 2
        })
        .map(|p| make(p, EmergencyOrigin::Detected))
        .collect();
    (detected, Vec::new())
}
