//! The remediation change-set: this tenant's findings turned into a reviewed, reversible
//! list of Microsoft Graph requests. Pure: a function of the snapshot, the assessment's
//! findings and the user's choices (approvers, reviewers, notification recipients, the
//! changes left out, the start date). Nothing here sends a request; `pimready-app`
//! writes the pack and applies it.
//!
//! Safety rules decided here, once, for every face:
//! - emergency-access accounts are never a target;
//! - service principals get guidance, never a conversion (they cannot activate);
//! - a change whose precondition is unmet stays in the set, marked, and is never applied;
//! - no Global Administrator is converted unless two designated emergency accounts are
//!   enabled, permanent Global Administrators;
//! - Conditional Access policies are created report-only and exclude the emergency accounts;
//! - approval is only switched on with a named approver who is an enabled user;
//! - the applier's own assignment is converted last ([`ChangeSet::apply_order`]).
//!
//! Every request follows its Microsoft Graph v1.0 page (cited beside the builder).

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::assessment::Assessment;
use crate::checks::{GLOBAL_ADMINISTRATOR, PRIVILEGED_ROLE_ADMINISTRATOR};
use crate::duration::IsoDuration;
use crate::finding::{Evidence, Finding, Status};
use crate::privileged::{EmergencyOrigin, Holding, HoldingKind, PrivilegedPopulation};
use crate::settings::AssessmentSettings;
use crate::snapshot::{
    AssignmentType, PolicyRule, PolicyRuleId, Principal, PrincipalKind, RoleManagementPolicy,
    TenantSnapshot,
};

/// Bumped whenever a saved change-set's shape changes incompatibly.
pub const CHANGE_SET_VERSION: u32 = 1;

/// Placeholder in an undo path for the id Graph gave the object the paired request created.
pub const CREATED_ID: &str = "{created-id}";

/// The built-in "Phishing-resistant MFA" authentication strength (same id in every tenant).
const PHISHING_RESISTANT_STRENGTH: &str = "00000000-0000-0000-0000-000000000004";

/// HTTP methods a change uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    Post,
    Patch,
    Delete,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Post => "POST",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
        }
    }
}

/// One Microsoft Graph request: method, path under `/v1.0`, JSON body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GraphCall {
    pub method: HttpMethod,
    /// Path under the version segment, e.g. `/roleManagement/directory/roleEligibilityScheduleRequests`.
    /// An undo path may hold [`CREATED_ID`].
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

impl GraphCall {
    fn post(path: &str, body: Value) -> Self {
        GraphCall {
            method: HttpMethod::Post,
            path: path.to_owned(),
            body: Some(body),
        }
    }

    fn patch(path: String, body: Value) -> Self {
        GraphCall {
            method: HttpMethod::Patch,
            path,
            body: Some(body),
        }
    }

    fn delete(path: String) -> Self {
        GraphCall {
            method: HttpMethod::Delete,
            path,
            body: None,
        }
    }

    /// The path with [`CREATED_ID`] replaced.
    pub fn resolved_path(&self, created_id: Option<&str>) -> String {
        match created_id {
            Some(id) => self.path.replace(CREATED_ID, id),
            None => self.path.clone(),
        }
    }

    /// Whether the path still waits for a created object's id.
    pub fn needs_created_id(&self) -> bool {
        self.path.contains(CREATED_ID)
    }
}

/// What a change does. The wire words are a contract.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Update a role's PIM settings to the recommended values.
    UpdateRoleSettings,
    /// Create a recurring access review of privileged roles.
    CreateAccessReview,
    /// Create a Conditional Access policy, always report-only.
    CreateConditionalAccessPolicy,
    /// Make a permanent active role assignment eligible, then remove the active one.
    ConvertToEligible,
}

impl ChangeKind {
    /// Dependency order: settings, reviews and report-only policies first; conversions
    /// last, so the applier keeps the standing role the earlier changes need.
    fn rank(self) -> u8 {
        match self {
            ChangeKind::UpdateRoleSettings => 0,
            ChangeKind::CreateAccessReview => 1,
            ChangeKind::CreateConditionalAccessPolicy => 2,
            ChangeKind::ConvertToEligible => 3,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::UpdateRoleSettings => "Update role settings",
            ChangeKind::CreateAccessReview => "Create an access review",
            ChangeKind::CreateConditionalAccessPolicy => {
                "Create a report-only Conditional Access policy"
            }
            ChangeKind::ConvertToEligible => "Convert to eligible",
        }
    }
}

/// The object a change acts on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ChangeTarget {
    /// Object id (a principal, a role template, a policy) or, for new objects, empty.
    pub id: String,
    pub name: String,
    /// `user`, `role`, `access_review`, `conditional_access_policy`.
    pub object_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Role definition id as the tenant names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_definition_id: Option<String>,
    /// Directory scope (`/` = the whole tenant).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory_scope_id: Option<String>,
}

/// Something that must hold before a change may be applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Precondition {
    /// Stable: `pim_licence`, `licence_shortfall`, `p1_licence`, `emergency_accounts`,
    /// `approver`, `reviewer`.
    pub id: String,
    pub description: String,
    pub met: bool,
}

impl Precondition {
    fn new(id: &str, met: bool, description: impl Into<String>) -> Self {
        Precondition {
            id: id.to_owned(),
            description: description.into(),
            met,
        }
    }
}

/// One change: its requests, and per request the request that undoes it
/// (`undo[i]` undoes `requests[i]`; undo runs in reverse order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Change {
    /// Stable within a tenant: the same finding gives the same id on every run.
    pub id: String,
    pub kind: ChangeKind,
    pub title: String,
    pub target: ChangeTarget,
    pub requests: Vec<GraphCall>,
    pub undo: Vec<GraphCall>,
    /// Check ids this change addresses.
    pub fixes: Vec<String>,
    /// Object ids (principals, role templates) whose evidence this change addresses.
    pub covers: Vec<String>,
    pub preconditions: Vec<Precondition>,
    /// Delegated write permissions the requests need.
    pub scopes: Vec<String>,
    /// Ticked by the user (every change starts ticked).
    pub selected: bool,
}

impl Change {
    /// Ticked and every precondition met: the only changes apply may send.
    pub fn applicable(&self) -> bool {
        self.selected && self.preconditions.iter().all(|p| p.met)
    }

    pub fn unmet(&self) -> impl Iterator<Item = &Precondition> {
        self.preconditions.iter().filter(|p| !p.met)
    }

    /// Whether this change, applied, removes `evidence` from `check`.
    pub fn addresses(&self, check: &str, evidence: &Evidence) -> bool {
        if !self.fixes.iter().any(|f| f == check) {
            return false;
        }
        let Some(object) = evidence.object_id.as_deref() else {
            return false;
        };
        if !self.covers.iter().any(|c| c.eq_ignore_ascii_case(object)) {
            return false;
        }
        match evidence.object_type.as_str() {
            "user" | "group" | "service_principal" => {
                evidence.role.is_some() && evidence.role == self.target.role
            }
            _ => true,
        }
    }
}

/// Advice where a change would be wrong (service principals) or out of scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Guidance {
    pub target: ChangeTarget,
    pub fixes: Vec<String>,
    pub advice: String,
}

/// A user named in the choices, as found in the snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NamedUser {
    pub id: String,
    pub display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_principal_name: Option<String>,
}

impl NamedUser {
    fn of(p: &Principal) -> Self {
        NamedUser {
            id: p.id.to_string(),
            display_name: p.name().to_owned(),
            user_principal_name: p.user_principal_name.clone(),
        }
    }
}

/// The choices the change-set was computed with, as recorded in it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RecordedChoices {
    pub approvers: Vec<NamedUser>,
    pub reviewers: Vec<NamedUser>,
    pub notify: Vec<String>,
    pub emergency_accounts: Vec<NamedUser>,
    pub start_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ChangeSetTenant {
    pub id: String,
    pub display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_domain: Option<String>,
}

/// The whole pack (`change_set_version` 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ChangeSet {
    pub change_set_version: u32,
    pub generator: crate::assessment::Generator,
    pub tenant: ChangeSetTenant,
    /// When the snapshot the changes were computed from was collected.
    pub based_on: DateTime<Utc>,
    pub choices: RecordedChoices,
    pub changes: Vec<Change>,
    pub guidance: Vec<Guidance>,
    /// Checks whose every finding an applicable change addresses: they pass once the
    /// applicable changes are applied.
    pub resolves: Vec<String>,
}

/// The user's choices, before resolution against the snapshot.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RemediationChoices {
    /// Approvers (UPN or object id) for Global Administrator and Privileged Role Administrator.
    pub approvers: Vec<String>,
    /// Access review reviewers (UPN or object id); empty = the approvers.
    pub reviewers: Vec<String>,
    /// Email addresses notified of assignments and activations.
    pub notify: Vec<String>,
    /// Change ids the user unticked.
    pub deselected: Vec<String>,
    /// The day the access review starts (passed in: no clock here).
    pub start_date: NaiveDate,
}

/// A choice that cannot be honoured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RemediationError {
    #[error("the {role} {value:?} is not a user in this tenant's snapshot")]
    UnknownUser { role: &'static str, value: String },
    #[error("{value:?} is not an email address")]
    BadAddress { value: String },
    #[error("the change-set {origin} is not valid (line {line}, column {column}): {message}")]
    Malformed {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "the change-set {origin} has change_set_version {found}; this version of PIM Ready reads version {expected}"
    )]
    Version {
        origin: String,
        found: u32,
        expected: u32,
    },
}

crate::error_kind!(
    /// The stable kind of a [`RemediationError`].
    RemediationErrorKind {
        UnknownUser => "unknown_user",
        BadAddress => "bad_address",
        Malformed => "malformed",
        Version => "version",
    }
);

impl RemediationError {
    /// A stable word for faces and tests.
    pub fn kind(&self) -> RemediationErrorKind {
        match self {
            RemediationError::UnknownUser { .. } => RemediationErrorKind::UnknownUser,
            RemediationError::BadAddress { .. } => RemediationErrorKind::BadAddress,
            RemediationError::Malformed { .. } => RemediationErrorKind::Malformed,
            RemediationError::Version { .. } => RemediationErrorKind::Version,
        }
    }
}

/// A user of the snapshot by object id or UPN (case-insensitive).
pub fn find_user<'a>(snapshot: &'a TenantSnapshot, key: &str) -> Option<&'a Principal> {
    let key = key.trim();
    let matches = |p: &&Principal| {
        p.kind() == PrincipalKind::User
            && (p.id == key
                || p.user_principal_name
                    .as_deref()
                    .is_some_and(|u| u.eq_ignore_ascii_case(key)))
    };
    snapshot
        .privileged_principals
        .iter()
        .flatten()
        .find(matches)
        .or_else(|| {
            snapshot
                .role_assignments
                .iter()
                .flatten()
                .filter_map(|a| a.principal.as_ref())
                .find(matches)
        })
        .or_else(|| {
            snapshot
                .privileged_groups
                .iter()
                .flatten()
                .flat_map(|g| g.members.iter().chain(&g.owners))
                .find(matches)
        })
}

/// Every user the snapshot knows (for pickers), sorted by name, each once.
pub fn known_users(snapshot: &TenantSnapshot) -> Vec<NamedUser> {
    let mut out: Vec<NamedUser> = Vec::new();
    let all = snapshot
        .privileged_principals
        .iter()
        .flatten()
        .chain(
            snapshot
                .role_assignments
                .iter()
                .flatten()
                .filter_map(|a| a.principal.as_ref()),
        )
        .chain(
            snapshot
                .privileged_groups
                .iter()
                .flatten()
                .flat_map(|g| g.members.iter().chain(&g.owners)),
        );
    for p in all.filter(|p| p.kind() == PrincipalKind::User) {
        if !out.iter().any(|u| u.id == p.id) {
            out.push(NamedUser::of(p));
        }
    }
    out.sort_by(|a, b| {
        (a.display_name.to_lowercase(), &a.id).cmp(&(b.display_name.to_lowercase(), &b.id))
    });
    out
}

fn resolve_users<'a>(
    snapshot: &'a TenantSnapshot,
    keys: &[String],
    role: &'static str,
) -> Result<Vec<&'a Principal>, RemediationError> {
    let mut out: Vec<&Principal> = Vec::new();
    for key in keys.iter().filter(|k| !k.trim().is_empty()) {
        let p = find_user(snapshot, key).ok_or_else(|| RemediationError::UnknownUser {
            role,
            value: key.clone(),
        })?;
        if !out.iter().any(|o| o.id == p.id) {
            out.push(p);
        }
    }
    Ok(out)
}

fn is_address(s: &str) -> bool {
    let mut parts = s.split('@');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some(local), Some(domain), None)
            if !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
                && !domain.ends_with('.') && !s.chars().any(char::is_whitespace)
    )
}

const SCOPE_ELIGIBILITY: &str = "RoleEligibilitySchedule.ReadWrite.Directory";
const SCOPE_ASSIGNMENT: &str = "RoleAssignmentSchedule.ReadWrite.Directory";
const SCOPE_POLICY: &str = "RoleManagementPolicy.ReadWrite.Directory";
const SCOPE_REVIEW: &str = "AccessReview.ReadWrite.All";
const SCOPE_CA: &str = "Policy.ReadWrite.ConditionalAccess";

/// Read permissions the Conditional Access write route names beside its write permission.
pub const CA_COMPANIONS: [&str; 2] = ["Policy.Read.All", "Application.Read.All"];

/// Every write permission a change-set can need (for documentation and sign-in).
pub const WRITE_SCOPES: [&str; 5] = [
    SCOPE_ELIGIBILITY,
    SCOPE_ASSIGNMENT,
    SCOPE_POLICY,
    SCOPE_REVIEW,
    SCOPE_CA,
];

struct Ctx<'a> {
    snapshot: &'a TenantSnapshot,
    assessment: &'a Assessment,
    population: PrivilegedPopulation,
    approvers: Vec<&'a Principal>,
    reviewers: Vec<&'a Principal>,
    notify: Vec<String>,
    start_date: NaiveDate,
}

impl Ctx<'_> {
    fn finding(&self, id: &str) -> Option<&Finding> {
        self.assessment.checks.iter().find(|f| f.id == id)
    }

    /// The check's finding, when it is failing or warning.
    fn open(&self, id: &str) -> Option<&Finding> {
        self.finding(id)
            .filter(|f| matches!(f.status, Status::Fail | Status::Warning))
    }

    fn pim_licence(&self) -> Precondition {
        Precondition::new(
            "pim_licence",
            self.assessment.licensing.pim_capable,
            "Entra ID P2 or Entra ID Governance is licensed (PIM needs it)",
        )
    }
}

/// Computes the change-set. Pure: the same inputs give the same JSON.
pub fn change_set(
    snapshot: &TenantSnapshot,
    settings: &AssessmentSettings,
    assessment: &Assessment,
    choices: &RemediationChoices,
) -> Result<ChangeSet, RemediationError> {
    let approvers = resolve_users(snapshot, &choices.approvers, "approver")?;
    let reviewers = if choices.reviewers.iter().all(|r| r.trim().is_empty()) {
        approvers.clone()
    } else {
        resolve_users(snapshot, &choices.reviewers, "reviewer")?
    };
    let mut notify: Vec<String> = Vec::new();
    for a in choices
        .notify
        .iter()
        .map(|a| a.trim())
        .filter(|a| !a.is_empty())
    {
        if !is_address(a) {
            return Err(RemediationError::BadAddress {
                value: a.to_owned(),
            });
        }
        if !notify.iter().any(|n| n.eq_ignore_ascii_case(a)) {
            notify.push(a.to_owned());
        }
    }
    let ctx = Ctx {
        snapshot,
        assessment,
        population: PrivilegedPopulation::resolve(snapshot, settings),
        approvers,
        reviewers,
        notify,
        start_date: choices.start_date,
    };

    let mut changes = Vec::new();
    changes.extend(role_settings_changes(&ctx, settings));
    changes.extend(access_review_change(&ctx));
    changes.extend(ca_changes(&ctx, settings));
    let (conversions, guidance) = conversions(&ctx);
    changes.extend(conversions);
    for c in &mut changes {
        c.selected = !choices.deselected.iter().any(|d| d == &c.id);
    }
    let resolves = resolves(assessment, &changes);

    Ok(ChangeSet {
        change_set_version: CHANGE_SET_VERSION,
        generator: crate::assessment::Generator {
            name: crate::TOOL_NAME.to_owned(),
            version: crate::TOOL_VERSION.to_owned(),
        },
        tenant: ChangeSetTenant {
            id: snapshot.tenant_id.clone(),
            display_name: snapshot.display_name().to_owned(),
            default_domain: snapshot.default_domain().map(str::to_owned),
        },
        based_on: snapshot.meta.collected_at,
        choices: RecordedChoices {
            approvers: ctx.approvers.iter().map(|p| NamedUser::of(p)).collect(),
            reviewers: ctx.reviewers.iter().map(|p| NamedUser::of(p)).collect(),
            notify: ctx.notify.clone(),
            emergency_accounts: ctx
                .population
                .emergency_accounts
                .iter()
                .filter(|e| e.origin == EmergencyOrigin::Designated)
                .map(|e| NamedUser {
                    id: e.principal_id.to_string(),
                    display_name: e.display_name.clone(),
                    user_principal_name: Some(e.user_principal_name.clone())
                        .filter(|u| !u.is_empty()),
                })
                .collect(),
            start_date: Some(choices.start_date),
        },
        changes,
        guidance,
        resolves,
    })
}

/// Checks whose every finding an applicable change addresses.
fn resolves(assessment: &Assessment, changes: &[Change]) -> Vec<String> {
    assessment
        .checks
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Warning))
        .filter(|f| !f.evidence.is_empty())
        .filter(|f| {
            f.evidence.iter().all(|e| {
                changes
                    .iter()
                    .any(|c| c.applicable() && c.addresses(f.id.as_str(), e))
            })
        })
        .map(|f| f.id.to_string())
        .collect()
}

fn same(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

fn is_gp(template: &str) -> bool {
    same(template, GLOBAL_ADMINISTRATOR) || same(template, PRIVILEGED_ROLE_ADMINISTRATOR)
}

/// Evidence object ids of an open check.
fn open_ids(finding: Option<&Finding>) -> Vec<&str> {
    finding
        .map(|f| {
            f.evidence
                .iter()
                .filter_map(|e| e.object_id.as_deref())
                .collect()
        })
        .unwrap_or_default()
}

// ----- role settings -----
// PATCH /policies/roleManagementPolicies/{policyId}/rules/{ruleId}
// https://learn.microsoft.com/graph/api/unifiedrolemanagementpolicyrule-update?view=graph-rest-1.0
// (microsoft-graph-docs: api-reference/v1.0/api/unifiedrolemanagementpolicyrule-update.md):
// delegated RoleManagementPolicy.ReadWrite.Directory; the body carries the rule's
// `@odata.type`; 204 No Content.

/// The documented default target of a rule, from its id (`Kind_Caller_Level`,
/// `Notification_Recipient_Caller_Level`).
fn default_target(rule_id: &str) -> Value {
    let parts: Vec<&str> = rule_id.split('_').collect();
    let (caller, level) = match parts.as_slice() {
        ["Notification", _, caller, level] | [_, caller, level] => (*caller, *level),
        _ => ("EndUser", "Assignment"),
    };
    json!({"caller": caller, "operations": ["All"], "level": level})
}

fn rule_target(policy: &RoleManagementPolicy, rule_id: &PolicyRuleId) -> Value {
    policy
        .rule(rule_id)
        .and_then(|r| r.target.as_ref())
        .and_then(|t| serde_json::to_value(t).ok())
        .map_or_else(|| default_target(rule_id.as_str()), strip_nulls)
}

/// A JSON value without its null members (a PATCH body names only what it sets).
pub fn strip_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(strip_nulls).collect()),
        other => other,
    }
}

/// The rule as it stands, as a PATCH body that restores it.
fn restore_body(rule: &PolicyRule) -> Value {
    strip_nulls(serde_json::to_value(rule).unwrap_or(Value::Null))
}

struct RuleEdit {
    rule_id: PolicyRuleId,
    body: Value,
    fixes: &'static [&'static str],
}

fn rule_path(policy_id: &str, rule_id: &PolicyRuleId) -> String {
    format!("/policies/roleManagementPolicies/{policy_id}/rules/{rule_id}")
}

fn role_settings_changes(ctx: &Ctx<'_>, settings: &AssessmentSettings) -> Vec<Change> {
    let check_ctx = crate::checks::CheckContext {
        snapshot: ctx.snapshot,
        settings,
        population: &ctx.population,
        licensing: &ctx.assessment.licensing,
    };
    let open = OpenRoleSettings::of(ctx);
    let mut out = Vec::new();
    for role in crate::checks::privileged_roles(&check_ctx) {
        let Some(policy) = crate::checks::role_policy(ctx.snapshot, &role.template_id) else {
            continue;
        };
        let edits = rule_edits(ctx, &open, policy, &role.template_id);
        if edits.is_empty() {
            continue;
        }
        out.push(role_settings_change(ctx, &role, policy, &edits));
    }
    out
}

/// The role template ids named by each open role-settings check (PIM-04…PIM-12, no PIM-09).
struct OpenRoleSettings<'a> {
    pim04: Vec<&'a str>,
    pim05: Vec<&'a str>,
    pim06: Vec<&'a str>,
    pim07: Vec<&'a str>,
    pim08: Vec<&'a str>,
    pim10: Vec<&'a str>,
    pim11: Vec<&'a str>,
    pim12: Vec<&'a str>,
}

impl<'a> OpenRoleSettings<'a> {
    /// Reads the open checks of this run's assessment.
    fn of(ctx: &'a Ctx<'_>) -> Self {
        let open = |id: &str| open_ids(ctx.open(id));
        OpenRoleSettings {
            pim04: open("PIM-04"),
            pim05: open("PIM-05"),
            pim06: open("PIM-06"),
            pim07: open("PIM-07"),
            pim08: open("PIM-08"),
            pim10: open("PIM-10"),
            pim11: open("PIM-11"),
            pim12: open("PIM-12"),
        }
    }

    /// Whether the role's activation approval is open: PIM-04 for Global Administrator,
    /// PIM-05 for Privileged Role Administrator.
    fn approval(&self, template: &str) -> bool {
        (same(template, GLOBAL_ADMINISTRATOR) && listed(&self.pim04, template))
            || (same(template, PRIVILEGED_ROLE_ADMINISTRATOR) && listed(&self.pim05, template))
    }

    /// The checks an activation-requirements edit fixes: PIM-07 (MFA), PIM-08 (justification).
    fn enablement(&self, template: &str) -> &'static [&'static str] {
        match (listed(&self.pim07, template), listed(&self.pim08, template)) {
            (true, true) => &["PIM-07", "PIM-08"],
            (true, false) => &["PIM-07"],
            (false, true) => &["PIM-08"],
            (false, false) => &[],
        }
    }
}

/// Whether a check's evidence ids name the role.
fn listed(ids: &[&str], template: &str) -> bool {
    ids.iter().any(|i| same(i, template))
}

/// The rule edits that close a role's open role-settings findings, in the order they are sent.
fn rule_edits(
    ctx: &Ctx<'_>,
    open: &OpenRoleSettings<'_>,
    policy: &RoleManagementPolicy,
    template: &str,
) -> Vec<RuleEdit> {
    let mut edits: Vec<RuleEdit> = Vec::new();
    if listed(&open.pim06, template) {
        edits.push(expiration_edit(policy, template));
    }
    let enablement = open.enablement(template);
    if !enablement.is_empty() {
        edits.push(enablement_edit(policy, enablement));
    }
    if open.approval(template) {
        edits.push(approval_edit(ctx, policy, template));
    }
    if !ctx.notify.is_empty() {
        edits.extend(notification_edits(ctx, open, policy, template));
    }
    edits
}

/// PIM-06: activation lasts at most 4 hours (Global and Privileged Role Administrator) or 8.
fn expiration_edit(policy: &RoleManagementPolicy, template: &str) -> RuleEdit {
    let limit = if is_gp(template) { 4 } else { 8 };
    RuleEdit {
        rule_id: PolicyRuleId::ExpirationEndUserAssignment,
        body: json!({
            "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
            "id": "Expiration_EndUser_Assignment",
            "isExpirationRequired": true,
            "maximumDuration": IsoDuration::from_hours(limit).as_str(),
            "target": rule_target(policy, &PolicyRuleId::ExpirationEndUserAssignment),
        }),
        fixes: &["PIM-06"],
    }
}

/// PIM-07 and PIM-08: activation requires MFA and a justification, added to what the rule
/// already requires.
fn enablement_edit(policy: &RoleManagementPolicy, fixes: &'static [&'static str]) -> RuleEdit {
    let mut enabled: Vec<String> = policy
        .rule(&PolicyRuleId::EnablementEndUserAssignment)
        .and_then(|r| r.enabled_rules.clone())
        .unwrap_or_default();
    if fixes.contains(&"PIM-07") {
        enabled.push("MultiFactorAuthentication".to_owned());
    }
    if fixes.contains(&"PIM-08") {
        enabled.push("Justification".to_owned());
    }
    enabled.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    let mut seen: Vec<String> = Vec::new();
    enabled.retain(|r| {
        let new = !seen.iter().any(|s| s.eq_ignore_ascii_case(r));
        seen.push(r.clone());
        new
    });
    RuleEdit {
        rule_id: PolicyRuleId::EnablementEndUserAssignment,
        body: json!({
            "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule",
            "id": "Enablement_EndUser_Assignment",
            "enabledRules": enabled,
            "target": rule_target(policy, &PolicyRuleId::EnablementEndUserAssignment),
        }),
        fixes,
    }
}

/// PIM-04 and PIM-05: activation needs the approval of the chosen approvers.
fn approval_edit(ctx: &Ctx<'_>, policy: &RoleManagementPolicy, template: &str) -> RuleEdit {
    let approvers: Vec<Value> = ctx
        .approvers
        .iter()
        .map(|p| json!({"@odata.type": "#microsoft.graph.singleUser", "userId": p.id, "description": p.name()}))
        .collect();
    RuleEdit {
        rule_id: PolicyRuleId::ApprovalEndUserAssignment,
        body: json!({
            "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule",
            "id": "Approval_EndUser_Assignment",
            "target": rule_target(policy, &PolicyRuleId::ApprovalEndUserAssignment),
            "setting": {
                "isApprovalRequired": true,
                "isApprovalRequiredForExtension": false,
                "isRequestorJustificationRequired": true,
                "approvalMode": "SingleStage",
                "approvalStages": [{
                    "approvalStageTimeOutInDays": 1,
                    "isApproverJustificationRequired": true,
                    "escalationTimeInMinutes": 0,
                    "isEscalationEnabled": false,
                    "primaryApprovers": approvers,
                    "escalationApprovers": [],
                }],
            },
        }),
        fixes: if same(template, GLOBAL_ADMINISTRATOR) {
            &["PIM-04"]
        } else {
            &["PIM-05"]
        },
    }
}

/// PIM-10 to PIM-12: the chosen recipients are told of assignments (PIM-10) and activations
/// (PIM-11 for Global Administrator, PIM-12 for the others), beside those already told.
fn notification_edits(
    ctx: &Ctx<'_>,
    open: &OpenRoleSettings<'_>,
    policy: &RoleManagementPolicy,
    template: &str,
) -> Vec<RuleEdit> {
    let assigned = listed(&open.pim10, template);
    let activated = if same(template, GLOBAL_ADMINISTRATOR) {
        listed(&open.pim11, template)
    } else {
        listed(&open.pim12, template)
    };
    let rules: [(PolicyRuleId, bool, &'static [&'static str]); 3] = [
        (
            PolicyRuleId::NotificationAdminAdminAssignment,
            assigned,
            &["PIM-10"],
        ),
        (
            PolicyRuleId::NotificationAdminAdminEligibility,
            assigned,
            &["PIM-10"],
        ),
        (
            PolicyRuleId::NotificationAdminEndUserAssignment,
            activated,
            if same(template, GLOBAL_ADMINISTRATOR) {
                &["PIM-11"]
            } else {
                &["PIM-12"]
            },
        ),
    ];
    let mut edits = Vec::new();
    for (rule_id, wanted, fixes) in rules {
        if !wanted {
            continue;
        }
        let prior = policy.rule(&rule_id);
        let mut recipients: Vec<String> = prior
            .and_then(|r| r.notification_recipients.clone())
            .unwrap_or_default();
        for n in &ctx.notify {
            if !recipients.iter().any(|r| r.eq_ignore_ascii_case(n)) {
                recipients.push(n.clone());
            }
        }
        edits.push(RuleEdit {
            body: json!({
                "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyNotificationRule",
                "id": rule_id,
                "notificationType": "Email",
                "recipientType": "Admin",
                "notificationLevel": prior.and_then(|r| r.notification_level.clone()).unwrap_or_else(|| "All".to_owned()),
                "isDefaultRecipientsEnabled": prior.and_then(|r| r.is_default_recipients_enabled).unwrap_or(true),
                "notificationRecipients": recipients,
                "target": rule_target(policy, &rule_id),
            }),
            rule_id,
            fixes,
        });
    }
    edits
}

/// One role's settings change: the edits as PATCH requests, each with its restoring PATCH.
fn role_settings_change(
    ctx: &Ctx<'_>,
    role: &crate::checks::PrivilegedRole,
    policy: &RoleManagementPolicy,
    edits: &[RuleEdit],
) -> Change {
    let t = role.template_id.as_str();
    let mut requests = Vec::new();
    let mut undo = Vec::new();
    let mut fixes: Vec<String> = Vec::new();
    let mut restorable = true;
    for e in edits {
        requests.push(GraphCall::patch(
            rule_path(&policy.id, &e.rule_id),
            e.body.clone(),
        ));
        match policy.rule(&e.rule_id) {
            Some(prior) => undo.push(GraphCall::patch(
                rule_path(&policy.id, &e.rule_id),
                restore_body(prior),
            )),
            None => restorable = false,
        }
        for f in e.fixes {
            if !fixes.iter().any(|x| x == f) {
                fixes.push((*f).to_owned());
            }
        }
    }
    fixes.sort();
    let mut preconditions = vec![ctx.pim_licence()];
    preconditions.push(Precondition::new(
        "prior_state",
        restorable,
        "every rule to change was read, so the change can be undone",
    ));
    if edits
        .iter()
        .any(|e| e.rule_id == PolicyRuleId::ApprovalEndUserAssignment)
    {
        preconditions.push(approver_precondition(ctx, t));
    }
    let rule_ids: Vec<&str> = edits.iter().map(|e| e.rule_id.as_str()).collect();
    Change {
        id: format!("settings-{}", t.to_ascii_lowercase()),
        kind: ChangeKind::UpdateRoleSettings,
        title: format!("{}: {}", role.name, rule_ids.join(", ")),
        target: ChangeTarget {
            id: t.to_owned(),
            name: role.name.clone(),
            object_type: "role".to_owned(),
            role: Some(role.name.clone()),
            role_definition_id: Some(t.to_owned()),
            directory_scope_id: Some(policy_scope(ctx.snapshot, t)),
            ..ChangeTarget::default()
        },
        requests,
        undo,
        fixes,
        covers: vec![t.to_owned()],
        preconditions,
        scopes: vec![SCOPE_POLICY.to_owned()],
        selected: true,
    }
}

fn policy_scope(snapshot: &TenantSnapshot, template: &str) -> String {
    snapshot
        .role_management_policies
        .iter()
        .flatten()
        .find(|a| {
            a.role_definition_id
                .as_deref()
                .is_some_and(|r| same(r, template))
        })
        .map_or_else(|| "/".to_owned(), |a| a.scope_id.clone())
}

// ----- access review -----
// POST /identityGovernance/accessReviews/definitions
// https://learn.microsoft.com/graph/api/accessreviewset-post-definitions?view=graph-rest-1.0
// (api-reference/v1.0/api/accessreviewset-post-definitions.md): delegated
// AccessReview.ReadWrite.All; 201 Created with the accessReviewScheduleDefinition.
// Undo: DELETE /identityGovernance/accessReviews/definitions/{id}
// (api-reference/v1.0/api/accessreviewscheduledefinition-delete.md), 204.

/// CIS M365 5.3.3: "Duration (in days) - 4 at most".
const REVIEW_DURATION_DAYS: i64 = 3;

fn access_review_change(ctx: &Ctx<'_>) -> Option<Change> {
    let finding = ctx.open("PIM-13")?;
    let roles: Vec<&Evidence> = finding
        .evidence
        .iter()
        .filter(|e| e.object_id.is_some())
        .collect();
    if roles.is_empty() {
        return None;
    }
    let reviewers: Vec<Value> = ctx
        .reviewers
        .iter()
        .map(|p| json!({"query": format!("/users/{}", p.id), "queryType": "MicrosoftGraph"}))
        .collect();
    let names: Vec<&str> = roles.iter().map(|e| e.display_name.as_str()).collect();
    // One review per role: "An access review can be scoped to multiple principal types (users
    // and groups, or service principals) and only one resource"
    // (https://learn.microsoft.com/graph/tutorial-accessreviews-roleassignments). The settings
    // are CIS M365 5.3.3's, which PIM-13 checks.
    let body = |role: &Evidence| {
        json!({
            "displayName": format!("PIM Ready: monthly review of {}", role.display_name),
            "descriptionForAdmins": format!("Monthly review of who holds or is eligible for {} (CIS M365 5.3.3).", role.display_name),
            "descriptionForReviewers": "Confirm that each person still needs this administrator role. Deny when unsure.",
            "scope": {
                "@odata.type": "#microsoft.graph.principalResourceMembershipsScope",
                "principalScopes": [
                    {"@odata.type": "#microsoft.graph.accessReviewQueryScope", "query": "/users", "queryType": "MicrosoftGraph"},
                    {"@odata.type": "#microsoft.graph.accessReviewQueryScope", "query": "/groups", "queryType": "MicrosoftGraph"},
                ],
                "resourceScopes": [{
                    "@odata.type": "#microsoft.graph.accessReviewQueryScope",
                    "query": format!("/roleManagement/directory/roleDefinitions/{}", role.object_id.as_deref().unwrap_or_default()),
                    "queryType": "MicrosoftGraph",
                }],
            },
            "reviewers": reviewers,
            "settings": {
                "mailNotificationsEnabled": true,
                "reminderNotificationsEnabled": true,
                "justificationRequiredOnApproval": true,
                // "If reviewers don't respond: No change": silence never removes an emergency account.
                "defaultDecisionEnabled": false,
                "defaultDecision": "None",
                "instanceDurationInDays": REVIEW_DURATION_DAYS,
                "autoApplyDecisionsEnabled": true,
                "recommendationsEnabled": true,
                "recurrence": {
                    "pattern": {"type": "absoluteMonthly", "interval": 1},
                    "range": {"type": "noEnd", "startDate": ctx.start_date.format("%Y-%m-%d").to_string()},
                },
            },
        })
    };
    let preconditions = vec![
        ctx.pim_licence(),
        Precondition::new(
            "reviewer",
            !ctx.reviewers.is_empty(),
            "a reviewer is named (--reviewer, or an --approver)",
        ),
    ];
    Some(Change {
        id: "access-review-privileged-roles".to_owned(),
        kind: ChangeKind::CreateAccessReview,
        title: format!("Monthly access review of {}", names.join(", ")),
        target: ChangeTarget {
            name: "PIM Ready: monthly review of privileged roles".to_owned(),
            object_type: "access_review".to_owned(),
            ..ChangeTarget::default()
        },
        requests: roles
            .iter()
            .map(|role| {
                GraphCall::post("/identityGovernance/accessReviews/definitions", body(role))
            })
            .collect(),
        undo: roles
            .iter()
            .map(|_| {
                GraphCall::delete(format!(
                    "/identityGovernance/accessReviews/definitions/{CREATED_ID}"
                ))
            })
            .collect(),
        fixes: vec!["PIM-13".to_owned()],
        covers: roles.iter().filter_map(|e| e.object_id.clone()).collect(),
        preconditions,
        scopes: vec![SCOPE_REVIEW.to_owned()],
        selected: true,
    })
}

// ----- Conditional Access -----
// POST /identity/conditionalAccess/policies
// https://learn.microsoft.com/graph/api/conditionalaccessroot-post-policies?view=graph-rest-1.0
// (api-reference/v1.0/api/conditionalaccessroot-post-policies.md): delegated
// Policy.ReadWrite.ConditionalAccess (with Policy.Read.All and Application.Read.All);
// state `enabledForReportingButNotEnforced` is report-only
// (api-reference/v1.0/resources/conditionalaccesspolicy.md). 201 Created.
// Undo: DELETE /identity/conditionalAccess/policies/{id}
// (api-reference/v1.0/api/conditionalaccesspolicy-delete.md), 204.

fn ca_changes(ctx: &Ctx<'_>, settings: &AssessmentSettings) -> Vec<Change> {
    let check_ctx = crate::checks::CheckContext {
        snapshot: ctx.snapshot,
        settings,
        population: &ctx.population,
        licensing: &ctx.assessment.licensing,
    };
    // The roles CA-01..CA-03 read: CIS 5.2.2.x's admin roles, PIM Ready's highly privileged
    // ones and the --privileged-role additions, so a policy switched on passes all three.
    let mut base: Vec<(&str, &str)> = crate::checks::CIS_MFA_ADMIN_ROLES.to_vec();
    for role in crate::privileged::HIGHLY_PRIVILEGED_ROLES {
        if !base.iter().any(|(id, _)| id.eq_ignore_ascii_case(role.0)) {
            base.push(role);
        }
    }
    let roles: Vec<String> = crate::checks::roles_with_additions(&check_ctx, &base)
        .into_iter()
        .map(|r| r.template_id)
        .collect();
    let emergency: Vec<&str> = ctx
        .population
        .emergency_accounts
        .iter()
        .filter(|e| e.origin == EmergencyOrigin::Designated)
        .map(|e| e.principal_id.as_str())
        .collect();
    let specs: [(&str, &str, &str, Value); 3] = [
        (
            "CA-01",
            "ca-require-mfa-admins",
            "PIM Ready: require MFA for administrators (report-only)",
            json!({"grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}),
        ),
        (
            "CA-02",
            "ca-phishing-resistant-admins",
            "PIM Ready: phishing-resistant MFA for administrators (report-only)",
            json!({"grantControls": {"operator": "AND", "builtInControls": [], "authenticationStrength": {"id": PHISHING_RESISTANT_STRENGTH}}}),
        ),
        (
            "CA-03",
            "ca-short-admin-sessions",
            "PIM Ready: short admin sessions (report-only)",
            json!({"sessionControls": {
                "signInFrequency": {"isEnabled": true, "type": "hours", "value": 4, "frequencyInterval": "timeBased"},
                "persistentBrowser": {"isEnabled": true, "mode": "never"},
            }}),
        ),
    ];
    let mut out = Vec::new();
    for (check, id, name, controls) in specs {
        let Some(finding) = ctx.open(check) else {
            continue;
        };
        let mut body = json!({
            "displayName": name,
            "state": "enabledForReportingButNotEnforced",
            "conditions": {
                "clientAppTypes": ["all"],
                "applications": {"includeApplications": ["All"]},
                "users": {"includeRoles": roles, "excludeUsers": emergency},
            },
        });
        if let (Value::Object(b), Value::Object(c)) = (&mut body, controls) {
            b.extend(c);
        }
        let preconditions = vec![
            Precondition::new(
                "p1_licence",
                ctx.assessment.licensing.p1,
                "Entra ID P1 is licensed (Conditional Access needs it)",
            ),
            Precondition::new(
                "emergency_accounts",
                !emergency.is_empty(),
                "the designated emergency-access accounts (--emergency-account) are excluded from the policy",
            ),
        ];
        out.push(Change {
            id: id.to_owned(),
            kind: ChangeKind::CreateConditionalAccessPolicy,
            title: name.to_owned(),
            target: ChangeTarget {
                name: name.to_owned(),
                object_type: "conditional_access_policy".to_owned(),
                ..ChangeTarget::default()
            },
            requests: vec![GraphCall::post(
                "/identity/conditionalAccess/policies",
                body,
            )],
            undo: vec![GraphCall::delete(format!(
                "/identity/conditionalAccess/policies/{CREATED_ID}"
            ))],
            // Report-only enforces nothing: the check stays open until someone switches it on.
            fixes: Vec::new(),
            covers: open_ids(Some(finding))
                .into_iter()
                .map(str::to_owned)
                .collect(),
            preconditions,
            scopes: vec![SCOPE_CA.to_owned()],
            selected: true,
        });
    }
    out
}

// ----- conversions -----
// POST /roleManagement/directory/roleEligibilityScheduleRequests, action adminAssign
// https://learn.microsoft.com/graph/api/rbacapplication-post-roleeligibilityschedulerequests?view=graph-rest-1.0
// (api-reference/v1.0/api/rbacapplication-post-roleeligibilityschedulerequests.md):
// delegated RoleEligibilitySchedule.ReadWrite.Directory; 201 Created.
// POST /roleManagement/directory/roleAssignmentScheduleRequests, action adminRemove
// https://learn.microsoft.com/graph/api/rbacapplication-post-roleassignmentschedulerequests?view=graph-rest-1.0
// (api-reference/v1.0/api/rbacapplication-post-roleassignmentschedulerequests.md):
// delegated RoleAssignmentSchedule.ReadWrite.Directory; 201 Created.

/// The eligibility's expiration: what the role's `Expiration_Admin_Eligibility` rule allows.
fn eligibility_expiration(snapshot: &TenantSnapshot, template: &str) -> Value {
    let rule = crate::checks::role_policy(snapshot, template)
        .and_then(|p| p.rule(&PolicyRuleId::ExpirationAdminEligibility));
    match rule {
        Some(r) if r.is_expiration_required == Some(true) => json!({
            "type": "afterDuration",
            "duration": r.maximum_duration.as_ref().map_or("P365D", IsoDuration::as_str),
        }),
        _ => json!({"type": "noExpiration"}),
    }
}

/// Where a permanent active assignment lives: (role definition id, directory scope id).
fn assignment_sources(
    snapshot: &TenantSnapshot,
    principal_id: &str,
    template: &str,
) -> Vec<(String, String, Option<DateTime<Utc>>)> {
    let template_of = |role_definition_id: &str| -> String {
        snapshot
            .role_definitions
            .iter()
            .flatten()
            .find(|d| same(&d.id, role_definition_id))
            .map_or_else(
                || role_definition_id.to_owned(),
                |d| d.template_or_id().to_owned(),
            )
    };
    let mut out: Vec<(String, String, Option<DateTime<Utc>>)> = Vec::new();
    let mut push = |rd: &str, scope: Option<&str>, start: Option<DateTime<Utc>>| {
        let scope = scope.unwrap_or("/");
        if !out.iter().any(|(r, s, _)| r == rd && s == scope) {
            out.push((rd.to_owned(), scope.to_owned(), start));
        }
    };
    if let Some(instances) = &snapshot.role_assignment_schedule_instances {
        for i in instances.iter().filter(|i| {
            same(&i.principal_id, principal_id)
                && same(&template_of(&i.role_definition_id), template)
                && i.end_date_time.is_none()
                && i.assignment_type != Some(AssignmentType::Activated)
        }) {
            push(
                &i.role_definition_id,
                i.directory_scope_id.as_deref(),
                i.start_date_time,
            );
        }
    } else {
        for a in snapshot.role_assignments.iter().flatten().filter(|a| {
            same(&a.principal_id, principal_id)
                && same(&template_of(&a.role_definition_id), template)
        }) {
            push(&a.role_definition_id, a.directory_scope_id.as_deref(), None);
        }
    }
    out
}

fn already_eligible(snapshot: &TenantSnapshot, principal: &str, rd: &str, scope: &str) -> bool {
    snapshot
        .role_eligibility_schedule_instances
        .iter()
        .flatten()
        .any(|i| {
            same(&i.principal_id, principal)
                && same(&i.role_definition_id, rd)
                && i.directory_scope_id.as_deref().unwrap_or("/") == scope
        })
}

/// Approval for role `template` can work after the changes: for every holder who will
/// activate it (eligible now or converted, emergency accounts aside), an enabled named
/// approver other than that holder exists. Approvers cannot approve their own activation
/// (<https://learn.microsoft.com/entra/id-governance/privileged-identity-management/pim-approval-workflow>),
/// so a lone approver who also holds the role would leave their own requests unapprovable
/// (PIM-04 fails on it).
fn approver_precondition(ctx: &Ctx<'_>, template: &str) -> Precondition {
    let enabled: Vec<&Principal> = ctx
        .approvers
        .iter()
        .copied()
        .filter(|p| p.account_enabled == Some(true))
        .collect();
    let stranded: Vec<&str> = ctx
        .population
        .of_role(template)
        .filter(|h| !ctx.population.is_emergency(&h.principal_id))
        .filter(|h| !enabled.iter().any(|a| !same(&a.id, &h.principal_id)))
        .map(|h| h.principal_id.as_str())
        .collect();
    let met = !enabled.is_empty() && stranded.is_empty();
    let text = if ctx.approvers.is_empty() {
        "an approver is named (--approver) for approval-gated roles".to_owned()
    } else if enabled.is_empty() {
        "at least one named approver is an enabled user who can still approve after the changes"
            .to_owned()
    } else if !stranded.is_empty() {
        let names: Vec<String> = stranded
            .iter()
            .map(|id| {
                ctx.snapshot
                    .principal(id)
                    .map_or_else(|| (*id).to_owned(), Principal::label)
            })
            .collect();
        format!(
            "every holder of the role has an approver other than themselves (name a second approver: {} cannot approve their own activation)",
            names.join(", ")
        )
    } else {
        "every holder of the role has an enabled approver other than themselves".to_owned()
    };
    Precondition::new("approver", met, text)
}

/// The GA guardrail: two designated emergency accounts, enabled, permanent GAs.
fn emergency_guard(ctx: &Ctx<'_>) -> Precondition {
    let ready = ctx
        .population
        .emergency_accounts
        .iter()
        .filter(|e| e.origin == EmergencyOrigin::Designated)
        .filter(|e| {
            ctx.snapshot
                .principal(&e.principal_id)
                .is_some_and(|p| p.account_enabled == Some(true))
        })
        .filter(|e| {
            ctx.population.of_role(GLOBAL_ADMINISTRATOR).any(|h| {
                same(&h.principal_id, &e.principal_id)
                    && h.holding == HoldingKind::PermanentActive
                    && h.via_group.is_none()
            })
        })
        .count();
    Precondition::new(
        "emergency_accounts",
        ready >= 2,
        format!(
            "two designated emergency-access accounts are enabled, permanent Global Administrators (found {ready})"
        ),
    )
}

fn conversions(ctx: &Ctx<'_>) -> (Vec<Change>, Vec<Guidance>) {
    let mut changes = Vec::new();
    let mut guidance = Vec::new();
    let pim01 = ctx.open("PIM-01").is_some();
    let ga_guard = emergency_guard(ctx);
    for h in ctx.population.highly_privileged() {
        if !is_standing_non_emergency(ctx, h) {
            continue;
        }
        let target = holder_target(h);
        if h.kind == PrincipalKind::ServicePrincipal {
            guidance.push(service_principal_guidance(target));
            continue;
        }
        if h.kind != PrincipalKind::User || !pim01 {
            continue;
        }
        for source in assignment_sources(ctx.snapshot, &h.principal_id, &h.role_template_id) {
            changes.push(conversion(ctx, h, &target, &ga_guard, source));
        }
    }
    (changes, guidance)
}

/// Whether a holding is permanent, direct, and not an emergency account's.
fn is_standing_non_emergency(ctx: &Ctx<'_>, h: &Holding) -> bool {
    h.holding == HoldingKind::PermanentActive
        && h.via_group.is_none()
        && !ctx.population.is_emergency(&h.principal_id)
        // An account that looks like an emergency account may be one nobody designated
        // yet: it is not exempt from the findings, but a change-set never converts it
        // (lock-out risk); the plan asks to designate it or convert it by hand.
        && !ctx
            .population
            .suggested_emergency_accounts
            .iter()
            .any(|s| s.principal_id == h.principal_id)
}

/// The holder of a standing role, as the target of a change or of guidance.
fn holder_target(h: &Holding) -> ChangeTarget {
    ChangeTarget {
        id: h.principal_id.to_string(),
        name: h.display_name(),
        object_type: match h.kind {
            PrincipalKind::ServicePrincipal => "service_principal",
            PrincipalKind::Group => "group",
            PrincipalKind::User => "user",
            PrincipalKind::Unknown => "unknown",
        }
        .to_owned(),
        principal_name: h.principal_name(),
        role: Some(h.role_name.clone()),
        ..ChangeTarget::default()
    }
}

/// ADM-08: a service principal's standing role is left for the admin to replace by hand.
fn service_principal_guidance(target: ChangeTarget) -> Guidance {
    Guidance {
        target,
        fixes: vec!["ADM-08".to_owned()],
        advice: "Service principals cannot activate a role through PIM, so this standing role is not converted. Replace it with the narrowest role or application permission the app needs, or move the work to a user who activates.".to_owned(),
    }
}

/// PIM-01 (and PIM-02 when it was made outside PIM): one permanent active assignment of a
/// user becomes eligible.
fn conversion(
    ctx: &Ctx<'_>,
    h: &Holding,
    target: &ChangeTarget,
    ga_guard: &Precondition,
    (rd, scope, original_start): (String, String, Option<DateTime<Utc>>),
) -> Change {
    let eligible_already = already_eligible(ctx.snapshot, &h.principal_id, &rd, &scope);
    let calls = ConversionCalls::new(ctx, h, &rd, &scope, original_start);
    let (requests, undo) = if eligible_already {
        (vec![calls.active_remove], vec![calls.active_restore])
    } else {
        (
            vec![calls.eligible_assign, calls.active_remove],
            vec![calls.eligible_remove, calls.active_restore],
        )
    };
    let mut fixes = vec!["PIM-01".to_owned()];
    if h.outside_pim
        && ctx
            .finding("PIM-02")
            .is_some_and(|f| matches!(f.status, Status::Fail | Status::Warning))
    {
        fixes.push("PIM-02".to_owned());
    }
    let mut t = target.clone();
    t.role_definition_id = Some(rd.clone());
    t.directory_scope_id = Some(scope.clone());
    let (scope_suffix, scope_key) = if scope == "/" {
        (String::new(), String::new())
    } else {
        (
            format!(" (scope {scope})"),
            format!(
                "-{}",
                scope
                    .trim_start_matches('/')
                    .replace('/', "-")
                    .to_ascii_lowercase()
            ),
        )
    };
    Change {
        id: format!(
            "convert-{}-{}{scope_key}",
            h.principal_id.to_ascii_lowercase(),
            h.role_template_id.to_ascii_lowercase()
        ),
        kind: ChangeKind::ConvertToEligible,
        title: format!(
            "{}: {} permanent active → eligible{scope_suffix}",
            h.display_name(),
            h.role_name
        ),
        target: t,
        requests,
        undo,
        fixes,
        covers: vec![h.principal_id.to_string()],
        preconditions: conversion_preconditions(ctx, h, ga_guard),
        scopes: if eligible_already {
            vec![SCOPE_ASSIGNMENT.to_owned()]
        } else {
            vec![SCOPE_ELIGIBILITY.to_owned(), SCOPE_ASSIGNMENT.to_owned()]
        },
        selected: true,
    }
}

/// A conversion needs a PIM licence, no seat shortfall, and for Global Administrator the
/// emergency-account guardrail.
fn conversion_preconditions(
    ctx: &Ctx<'_>,
    h: &Holding,
    ga_guard: &Precondition,
) -> Vec<Precondition> {
    let shortfall = ctx.assessment.licensing.seats.shortfall;
    let mut preconditions = vec![
        ctx.pim_licence(),
        Precondition::new(
            "licence_shortfall",
            shortfall == 0,
            if shortfall == 0 {
                "every user in PIM scope has a P2/Governance seat".to_owned()
            } else {
                format!("the licence shortfall ({shortfall} seats) must be closed first")
            },
        ),
    ];
    if same(&h.role_template_id, GLOBAL_ADMINISTRATOR) {
        preconditions.push(ga_guard.clone());
    }
    preconditions
}

/// The schedule requests around one conversion: make the assignment eligible and undo that,
/// remove the active assignment and restore it.
struct ConversionCalls {
    eligible_assign: GraphCall,
    eligible_remove: GraphCall,
    active_remove: GraphCall,
    active_restore: GraphCall,
}

impl ConversionCalls {
    /// The calls for `h`'s assignment of `rd` at `scope`; the restore keeps its original start.
    fn new(
        ctx: &Ctx<'_>,
        h: &Holding,
        rd: &str,
        scope: &str,
        original_start: Option<DateTime<Utc>>,
    ) -> Self {
        let subject = json!({
            "principalId": h.principal_id,
            "roleDefinitionId": rd,
            "directoryScopeId": scope,
        });
        let with = |extra: Value| {
            let mut b = subject.clone();
            if let (Value::Object(b), Value::Object(e)) = (&mut b, extra) {
                b.extend(e);
            }
            b
        };
        ConversionCalls {
            eligible_assign: GraphCall::post(
                "/roleManagement/directory/roleEligibilityScheduleRequests",
                with(json!({
                    "action": "adminAssign",
                    "justification": "PIM Ready: move standing access to just-in-time",
                    "scheduleInfo": {
                        "startDateTime": ctx.assessment.assessed_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                        "expiration": eligibility_expiration(ctx.snapshot, &h.role_template_id),
                    },
                })),
            ),
            eligible_remove: GraphCall::post(
                "/roleManagement/directory/roleEligibilityScheduleRequests",
                with(json!({
                    "action": "adminRemove",
                    "justification": "PIM Ready: roll back",
                })),
            ),
            active_remove: GraphCall::post(
                "/roleManagement/directory/roleAssignmentScheduleRequests",
                with(json!({
                    "action": "adminRemove",
                    "justification": "PIM Ready: move standing access to just-in-time",
                })),
            ),
            active_restore: GraphCall::post(
                "/roleManagement/directory/roleAssignmentScheduleRequests",
                with(json!({
                    "action": "adminAssign",
                    "justification": "PIM Ready: roll back (restore the permanent active assignment)",
                    "scheduleInfo": {
                        // The original start when PIM knew one; an assignment made outside PIM
                        // had none, and comes back dated (PIM-02 sees it as made through PIM).
                        "startDateTime": original_start.unwrap_or(ctx.assessment.assessed_at).format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                        "expiration": {"type": "noExpiration"},
                    },
                })),
            ),
        }
    }
}

impl ChangeSet {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a change-set always serialises")
    }

    /// Parses a saved change-set; `origin` names it in errors.
    pub fn from_json(text: &str, origin: &str) -> Result<Self, RemediationError> {
        #[derive(Deserialize)]
        struct Version {
            change_set_version: Option<u32>,
        }
        let malformed = |e: serde_json::Error| RemediationError::Malformed {
            origin: origin.to_owned(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        };
        let v: Version = serde_json::from_str(text).map_err(malformed)?;
        match v.change_set_version {
            Some(CHANGE_SET_VERSION) => serde_json::from_str(text).map_err(malformed),
            found => Err(RemediationError::Version {
                origin: origin.to_owned(),
                found: found.unwrap_or(0),
                expected: CHANGE_SET_VERSION,
            }),
        }
    }

    /// The changes apply sends, in dependency order: role settings, the access review and
    /// report-only policies first, then conversions, the applier's own assignments last.
    /// `applier` is the signed-in account's object id or UPN.
    pub fn apply_order(&self, applier: Option<&str>) -> Vec<&Change> {
        let mut out: Vec<&Change> = self.changes.iter().filter(|c| c.applicable()).collect();
        let own = |c: &Change| {
            c.kind == ChangeKind::ConvertToEligible
                && applier.is_some_and(|a| {
                    same(a, &c.target.id)
                        || c.target
                            .principal_name
                            .as_deref()
                            .is_some_and(|u| same(a, u))
                })
        };
        // Stable: equal keys keep the computed order.
        out.sort_by_key(|c| (own(c), c.kind.rank()));
        out
    }

    /// What a sign-in for the applicable changes asks for: their write permissions, and
    /// the read permissions a write route names beside its write permission (creating a
    /// Conditional Access policy: Policy.Read.All and Application.Read.All,
    /// conditionalaccessroot-post-policies), sorted.
    pub fn sign_in_scopes(&self) -> Vec<String> {
        let mut out = self.scopes();
        if out.iter().any(|s| s == SCOPE_CA) {
            out.extend(CA_COMPANIONS.map(str::to_owned));
        }
        out.sort();
        out.dedup();
        out
    }

    /// Every write permission the applicable changes need, sorted.
    pub fn scopes(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .changes
            .iter()
            .filter(|c| c.applicable())
            .flat_map(|c| c.scopes.iter().cloned())
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricebook::PriceBook;

    const BG1: &str = "bg-admin01@contoso.onmicrosoft.com";
    const BG2: &str = "bg-admin02@contoso.onmicrosoft.com";
    const APPROVER: &str = "diego.siciliani@contoso.com";
    const NESTOR: &str = "nestor.wilke@contoso.com";

    fn choices(approvers: &[&str], notify: &[&str]) -> RemediationChoices {
        RemediationChoices {
            approvers: approvers.iter().map(|s| (*s).to_owned()).collect(),
            reviewers: Vec::new(),
            notify: notify.iter().map(|s| (*s).to_owned()).collect(),
            deselected: Vec::new(),
            start_date: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        }
    }

    /// The demo tenant's change-set with these emergency accounts and choices.
    fn demo(
        emergency: &[&str],
        choices: &RemediationChoices,
    ) -> Result<ChangeSet, RemediationError> {
        let snapshot = crate::demo::snapshot();
        let settings = AssessmentSettings {
            emergency_accounts: emergency.iter().map(|s| (*s).to_owned()).collect(),
            ..AssessmentSettings::default()
        };
        let assessment =
            crate::assessment::assess(&snapshot, &settings, &PriceBook::default_book());
        change_set(&snapshot, &settings, &assessment, choices)
    }

    fn full() -> ChangeSet {
        demo(&[BG1, BG2], &choices(&[APPROVER], &["secops@contoso.com"])).unwrap()
    }

    fn change<'a>(cs: &'a ChangeSet, kind: ChangeKind, name: &str) -> &'a Change {
        cs.changes
            .iter()
            .find(|c| {
                c.kind == kind
                    && (c.target.name == name || c.target.principal_name.as_deref() == Some(name))
            })
            .unwrap_or_else(|| panic!("no {kind:?} change for {name}"))
    }

    fn unmet(c: &Change) -> Vec<&str> {
        c.unmet().map(|p| p.id.as_str()).collect()
    }

    #[test]
    fn every_change_pairs_each_request_with_its_undo() {
        let cs = full();
        assert_eq!(cs.change_set_version, 1);
        assert!(!cs.changes.is_empty());
        for c in &cs.changes {
            assert_eq!(c.requests.len(), c.undo.len(), "{}", c.id);
            assert!(!c.scopes.is_empty(), "{}", c.id);
            for s in &c.scopes {
                assert!(WRITE_SCOPES.contains(&s.as_str()), "{s}");
            }
        }
        let json = cs.to_json();
        assert!(json.contains("\"change_set_version\": 1"));
        assert_eq!(ChangeSet::from_json(&json, "test").unwrap(), cs);
    }

    #[test]
    fn the_same_inputs_give_the_same_change_set() {
        assert_eq!(full().to_json(), full().to_json());
    }

    #[test]
    fn emergency_accounts_are_never_a_target() {
        let cs = full();
        let bg: Vec<String> = cs
            .choices
            .emergency_accounts
            .iter()
            .map(|e| e.id.clone())
            .collect();
        assert_eq!(bg.len(), 2);
        for c in &cs.changes {
            assert!(
                !bg.contains(&c.target.id),
                "{} targets an emergency account",
                c.id
            );
        }
        // Nor when they only look like emergency accounts (suggested, not designated).
        let detected = demo(&[], &choices(&[APPROVER], &[])).unwrap();
        assert!(detected.changes.iter().all(|c| {
            !c.target
                .principal_name
                .as_deref()
                .is_some_and(|u| u.starts_with("bg-admin"))
        }));
    }

    #[test]
    fn service_principals_get_guidance_not_a_conversion() {
        let cs = full();
        assert!(
            cs.changes
                .iter()
                .all(|c| c.target.object_type != "service_principal")
        );
        assert!(
            cs.guidance
                .iter()
                .any(|g| g.target.object_type == "service_principal"
                    && g.target.role.as_deref() == Some("Privileged Role Administrator"))
        );
    }

    #[test]
    fn a_conversion_assigns_eligible_first_then_removes_the_active_assignment_at_its_scope() {
        let cs = full();
        let c = change(&cs, ChangeKind::ConvertToEligible, NESTOR);
        let paths: Vec<(&str, &str)> = c
            .requests
            .iter()
            .map(|r| (r.method.as_str(), r.path.as_str()))
            .collect();
        assert_eq!(
            paths,
            [
                (
                    "POST",
                    "/roleManagement/directory/roleEligibilityScheduleRequests"
                ),
                (
                    "POST",
                    "/roleManagement/directory/roleAssignmentScheduleRequests"
                ),
            ]
        );
        let first = c.requests[0].body.as_ref().unwrap();
        let second = c.requests[1].body.as_ref().unwrap();
        assert_eq!(first["action"], "adminAssign");
        assert_eq!(second["action"], "adminRemove");
        for key in ["principalId", "roleDefinitionId", "directoryScopeId"] {
            assert_eq!(first[key], second[key], "{key}");
        }
        assert_eq!(
            first["directoryScopeId"].as_str(),
            c.target.directory_scope_id.as_deref()
        );
        assert!(first["scheduleInfo"]["expiration"]["type"].is_string());
        // Undo: remove the eligibility, restore the permanent active assignment.
        assert_eq!(c.undo[0].body.as_ref().unwrap()["action"], "adminRemove");
        assert_eq!(c.undo[1].body.as_ref().unwrap()["action"], "adminAssign");
        assert_eq!(
            c.undo[1].body.as_ref().unwrap()["scheduleInfo"]["expiration"]["type"],
            "noExpiration"
        );
        assert!(c.fixes.contains(&"PIM-01".to_owned()));
    }

    #[test]
    fn no_global_administrator_is_converted_without_two_designated_enabled_permanent_emergency_accounts()
     {
        // (emergency accounts, whether the GA conversion may be applied)
        let cases: [(&[&str], bool); 4] = [
            (&[], false),
            (&[BG1], false),
            (&[BG1, BG2], true),
            // Designated but not a permanent GA: Diego is only eligible for PRA.
            (&[BG1, APPROVER], false),
        ];
        for (emergency, expected) in cases {
            let cs = demo(emergency, &choices(&[APPROVER], &[])).unwrap();
            let ga = change(&cs, ChangeKind::ConvertToEligible, NESTOR);
            assert_eq!(ga.applicable(), expected, "{emergency:?}: {:?}", unmet(ga));
            if !expected {
                assert_eq!(unmet(ga), ["emergency_accounts"]);
            }
            // A non-GA conversion does not depend on it.
            let exo = cs
                .changes
                .iter()
                .find(|c| {
                    c.kind == ChangeKind::ConvertToEligible
                        && c.target.role.as_deref() == Some("Exchange Administrator")
                })
                .unwrap();
            assert!(exo.applicable(), "{:?}", unmet(exo));
        }
    }

    /// Approvers cannot approve their own activation: a lone approver who holds Global
    /// Administrator leaves their own requests unapprovable, so the change waits for a
    /// second approver (PIM-04 would fail on it); with two, each approves the other.
    #[test]
    fn a_lone_approver_who_holds_the_role_needs_a_second_one() {
        let alone = demo(&[BG1, BG2], &choices(&[NESTOR], &[])).unwrap();
        let ga = change(
            &alone,
            ChangeKind::UpdateRoleSettings,
            "Global Administrator",
        );
        assert_eq!(unmet(ga), ["approver"]);
        let why = &ga
            .preconditions
            .iter()
            .find(|p| p.id == "approver")
            .unwrap()
            .description;
        assert!(why.contains("cannot approve their own activation"), "{why}");
        assert!(why.contains("Nestor"), "{why}");

        let two = demo(&[BG1, BG2], &choices(&[NESTOR, APPROVER], &[])).unwrap();
        let ga = change(&two, ChangeKind::UpdateRoleSettings, "Global Administrator");
        assert!(ga.applicable(), "{:?}", unmet(ga));
    }

    #[test]
    fn approval_needs_a_named_approver() {
        let without = demo(&[BG1, BG2], &choices(&[], &[])).unwrap();
        let ga = change(
            &without,
            ChangeKind::UpdateRoleSettings,
            "Global Administrator",
        );
        assert_eq!(unmet(ga), ["approver"]);
        assert!(!without.resolves.contains(&"PIM-04".to_owned()));
        let with = full();
        let ga = change(
            &with,
            ChangeKind::UpdateRoleSettings,
            "Global Administrator",
        );
        assert!(ga.applicable());
        let approval = ga
            .requests
            .iter()
            .find(|r| r.path.ends_with("/rules/Approval_EndUser_Assignment"))
            .unwrap();
        let body = approval.body.as_ref().unwrap();
        assert_eq!(
            body["@odata.type"],
            "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule"
        );
        assert_eq!(body["setting"]["isApprovalRequired"], true);
        assert_eq!(
            body["setting"]["approvalStages"][0]["primaryApprovers"][0]["@odata.type"],
            "#microsoft.graph.singleUser"
        );
        assert!(with.resolves.contains(&"PIM-04".to_owned()));
    }

    #[test]
    fn unknown_approvers_reviewers_and_bad_addresses_are_refused() {
        let cases: [(RemediationChoices, &str); 3] = [
            (choices(&["nobody@contoso.com"], &[]), "unknown_user"),
            (
                RemediationChoices {
                    reviewers: vec!["ghost".to_owned()],
                    ..choices(&[APPROVER], &[])
                },
                "unknown_user",
            ),
            (choices(&[APPROVER], &["not an address"]), "bad_address"),
        ];
        for (c, kind) in cases {
            assert_eq!(demo(&[BG1, BG2], &c).unwrap_err().kind().as_str(), kind);
        }
        // A service principal is no approver either.
        assert!(
            demo(
                &[BG1, BG2],
                &choices(&["Contoso Provisioning Automation"], &[])
            )
            .is_err()
        );
    }

    #[test]
    fn role_settings_patch_only_what_fails_with_the_documented_rule_types() {
        let cs = full();
        let exo = change(
            &cs,
            ChangeKind::UpdateRoleSettings,
            "Exchange Administrator",
        );
        let rules: Vec<&str> = exo
            .requests
            .iter()
            .map(|r| r.path.rsplit('/').next().unwrap())
            .collect();
        assert!(rules.contains(&"Expiration_EndUser_Assignment"));
        assert!(rules.contains(&"Enablement_EndUser_Assignment"));
        assert!(!rules.contains(&"Approval_EndUser_Assignment"));
        for r in &exo.requests {
            assert_eq!(r.method, HttpMethod::Patch);
            assert!(r.path.starts_with("/policies/roleManagementPolicies/"));
            let body = r.body.as_ref().unwrap();
            assert!(
                body["@odata.type"]
                    .as_str()
                    .unwrap()
                    .starts_with("#microsoft.graph.unifiedRoleManagementPolicy")
            );
            assert_eq!(body["id"].as_str(), r.path.rsplit('/').next());
        }
        let expiration = exo
            .requests
            .iter()
            .find(|r| r.path.ends_with("Expiration_EndUser_Assignment"))
            .unwrap();
        assert_eq!(expiration.body.as_ref().unwrap()["maximumDuration"], "PT8H");
        // The undo restores the rule as read.
        let undo = exo
            .undo
            .iter()
            .find(|r| r.path.ends_with("Expiration_EndUser_Assignment"))
            .unwrap();
        assert_eq!(undo.body.as_ref().unwrap()["maximumDuration"], "PT10H");
        for check in ["PIM-06", "PIM-07", "PIM-10", "PIM-11", "PIM-12"] {
            assert!(
                cs.resolves.contains(&check.to_owned()),
                "{check}: {:?}",
                cs.resolves
            );
        }
        // Forbidding permanent assignment is not one of the recommended values applied.
        assert!(!cs.resolves.contains(&"PIM-09".to_owned()));
    }

    #[test]
    fn conditional_access_policies_are_report_only_and_exclude_the_emergency_accounts() {
        let cs = full();
        let ca: Vec<&Change> = cs
            .changes
            .iter()
            .filter(|c| c.kind == ChangeKind::CreateConditionalAccessPolicy)
            .collect();
        assert_eq!(ca.len(), 2, "CA-02 and CA-03 fail in the demo");
        let bg: Vec<&str> = cs
            .choices
            .emergency_accounts
            .iter()
            .map(|e| e.id.as_str())
            .collect();
        for c in ca {
            let body = c.requests[0].body.as_ref().unwrap();
            assert_eq!(body["state"], "enabledForReportingButNotEnforced");
            let excluded: Vec<&str> = body["conditions"]["users"]["excludeUsers"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(serde_json::Value::as_str)
                .collect();
            assert_eq!(excluded, bg);
            assert!(c.fixes.is_empty(), "report-only fixes nothing");
            assert!(c.undo[0].needs_created_id());
        }
        for check in ["CA-01", "CA-02", "CA-03"] {
            assert!(!cs.resolves.contains(&check.to_owned()));
        }
        // Without designated emergency accounts no policy is applied.
        let none = demo(&[], &choices(&[APPROVER], &[])).unwrap();
        assert!(
            none.changes
                .iter()
                .filter(|c| c.kind == ChangeKind::CreateConditionalAccessPolicy)
                .all(|c| unmet(c) == ["emergency_accounts"])
        );
    }

    #[test]
    fn an_access_review_covers_every_role_without_one() {
        let cs = full();
        let review = cs
            .changes
            .iter()
            .find(|c| c.kind == ChangeKind::CreateAccessReview)
            .unwrap();
        // One review per role (Graph takes one resource per role review), each undone alone.
        assert_eq!(review.requests.len(), review.covers.len());
        assert_eq!(review.undo.len(), review.requests.len());
        for (request, role) in review.requests.iter().zip(&review.covers) {
            let body = request.body.as_ref().unwrap();
            let resources = body["scope"]["resourceScopes"].as_array().unwrap();
            assert_eq!(resources.len(), 1);
            assert_eq!(
                resources[0]["query"],
                format!("/roleManagement/directory/roleDefinitions/{role}")
            );
            assert_eq!(
                body["reviewers"][0]["query"].as_str().unwrap(),
                format!("/users/{}", cs.choices.approvers[0].id)
            );
            let settings = &body["settings"];
            assert_eq!(settings["recurrence"]["pattern"]["type"], "absoluteMonthly");
            assert_eq!(settings["recurrence"]["range"]["startDate"], "2026-12-01");
            assert!(settings["instanceDurationInDays"].as_i64().unwrap() <= 4);
            assert_eq!(settings["autoApplyDecisionsEnabled"], true);
            assert_eq!(settings["defaultDecisionEnabled"], false);
        }
        assert!(cs.resolves.contains(&"PIM-13".to_owned()));
    }

    /// The reviews the remediation creates, as Graph returns them (an id and status
    /// NotStarted added, https://learn.microsoft.com/graph/api/accessreviewset-post-definitions),
    /// make PIM-13 a warning until they start, and pass once they run.
    #[test]
    fn the_remediation_review_passes_pim_13() {
        let cs = full();
        let mut snapshot = crate::demo::snapshot();
        let settings = AssessmentSettings {
            emergency_accounts: vec![BG1.to_owned(), BG2.to_owned()],
            ..AssessmentSettings::default()
        };
        let status = |snapshot: &TenantSnapshot| {
            let a = crate::assessment::assess(snapshot, &settings, &PriceBook::default_book());
            a.checks.iter().find(|f| f.id == "PIM-13").unwrap().clone()
        };
        assert_eq!(status(&snapshot).status, crate::finding::Status::Fail);
        let review = cs
            .changes
            .iter()
            .find(|c| c.kind == ChangeKind::CreateAccessReview)
            .unwrap();
        let reviews = snapshot.access_reviews.get_or_insert_with(Vec::new);
        for (i, request) in review.requests.iter().enumerate() {
            let mut created = request.body.clone().unwrap();
            created["id"] = json!(format!("created-{i}"));
            created["status"] = json!("NotStarted");
            reviews.push(serde_json::from_value(created).unwrap());
        }
        // Waiting for their start date, the reviews are not Active yet (CIS 5.3.3).
        let waiting = status(&snapshot);
        assert_eq!(
            waiting.status,
            crate::finding::Status::Warning,
            "{}",
            waiting.summary
        );
        for r in snapshot.access_reviews.iter_mut().flatten() {
            r.status = Some(crate::snapshot::ReviewStatus::InProgress);
        }
        let after = status(&snapshot);
        assert_eq!(
            after.status,
            crate::finding::Status::Pass,
            "{}",
            after.summary
        );
    }

    /// The remediation's Conditional Access policies, once switched on, protect every role
    /// CA-01..CA-03 read (CIS 5.2.2.x's admin roles and the highly privileged ones).
    #[test]
    fn the_remediation_policies_switched_on_pass_ca_01_to_03() {
        let cs = full();
        let mut snapshot = crate::demo::snapshot();
        let settings = AssessmentSettings {
            emergency_accounts: vec![BG1.to_owned(), BG2.to_owned()],
            ..AssessmentSettings::default()
        };
        let policies = snapshot
            .conditional_access_policies
            .get_or_insert_with(Vec::new);
        let before = policies.len();
        for (i, c) in cs
            .changes
            .iter()
            .filter(|c| c.kind == ChangeKind::CreateConditionalAccessPolicy)
            .enumerate()
        {
            let mut created = c.requests[0].body.clone().unwrap();
            created["id"] = json!(format!("created-{i}"));
            created["state"] = json!("enabled");
            policies.push(serde_json::from_value(created).unwrap());
        }
        assert!(policies.len() > before, "the demo tenant gets policies");
        let a = crate::assessment::assess(&snapshot, &settings, &PriceBook::default_book());
        for id in ["CA-01", "CA-02", "CA-03"] {
            let f = a.checks.iter().find(|f| f.id == id).unwrap();
            assert_eq!(
                f.status,
                crate::finding::Status::Pass,
                "{id}: {}",
                f.summary
            );
        }
    }

    #[test]
    fn dependency_order_puts_the_appliers_own_conversion_last() {
        let cs = full();
        let kinds: Vec<ChangeKind> = cs.apply_order(None).iter().map(|c| c.kind).collect();
        let mut sorted = kinds.clone();
        sorted.sort_by_key(|k| k.rank());
        assert_eq!(kinds, sorted);
        let nestor = change(&cs, ChangeKind::ConvertToEligible, NESTOR);
        for applier in [nestor.target.id.as_str(), NESTOR] {
            let order = cs.apply_order(Some(applier));
            assert_eq!(order.last().unwrap().id, nestor.id, "{applier}");
        }
    }

    #[test]
    fn unticked_and_unmet_changes_are_never_in_the_apply_order() {
        let mut c = choices(&[APPROVER], &[]);
        c.deselected = vec!["access-review-privileged-roles".to_owned()];
        let cs = demo(&[BG1], &c).unwrap();
        let order = cs.apply_order(None);
        assert!(order.iter().all(|c| c.applicable()));
        assert!(
            order
                .iter()
                .all(|c| c.id != "access-review-privileged-roles")
        );
        assert!(!cs.resolves.contains(&"PIM-13".to_owned()));
        assert!(
            cs.changes
                .iter()
                .any(|c| c.id == "access-review-privileged-roles" && !c.selected)
        );
    }
}
