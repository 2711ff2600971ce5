//! Microsoft Graph v1.0 shapes, as the collector receives them.
//!
//! Field names follow Graph (camelCase on the wire). Unknown fields are ignored,
//! unknown enum values are kept as `Other(String)`, and every field that Graph may
//! omit or null is optional or defaulted: malformed-but-valid JSON never panics.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{ObjectId, PolicyRuleId};
use crate::duration::IsoDuration;

/// Declares a Graph string enum that keeps unknown values as `Other(String)`.
macro_rules! graph_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($variant,)+
            /// A value this version does not know; kept verbatim.
            Other(String),
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)+
                    Self::Other(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $(if s.eq_ignore_ascii_case($wire) { return Self::$variant; })+
                Self::Other(s.to_owned())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Ok(Self::from(s.as_str()))
            }
        }

        impl JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": "string" })
            }
        }
    };
}

graph_enum!(
    /// `subscribedSku.capabilityStatus`.
    CapabilityStatus {
        Enabled => "Enabled",
        Warning => "Warning",
        Suspended => "Suspended",
        Deleted => "Deleted",
        LockedOut => "LockedOut",
    }
);

graph_enum!(
    /// `servicePlanInfo.provisioningStatus`.
    ProvisioningStatus {
        Success => "Success",
        Disabled => "Disabled",
        Error => "Error",
        PendingInput => "PendingInput",
        PendingActivation => "PendingActivation",
        PendingProvisioning => "PendingProvisioning",
    }
);

graph_enum!(
    /// `unifiedRoleAssignmentScheduleInstance.assignmentType`.
    AssignmentType {
        Assigned => "Assigned",
        Activated => "Activated",
    }
);

graph_enum!(
    /// `memberType` on schedules and instances.
    MemberType {
        Direct => "Direct",
        Group => "Group",
        Inherited => "Inherited",
    }
);

graph_enum!(
    /// `expirationPattern.type`.
    ExpirationType {
        NotSpecified => "notSpecified",
        NoExpiration => "noExpiration",
        AfterDateTime => "afterDateTime",
        AfterDuration => "afterDuration",
    }
);

graph_enum!(
    /// `conditionalAccessPolicy.state`.
    PolicyState {
        Enabled => "enabled",
        Disabled => "disabled",
        EnabledForReportingButNotEnforced => "enabledForReportingButNotEnforced",
    }
);

graph_enum!(
    /// `accessReviewScheduleDefinition.status`.
    ReviewStatus {
        NotStarted => "NotStarted",
        InProgress => "InProgress",
        Completed => "Completed",
        Applied => "Applied",
        Initializing => "Initializing",
        Applying => "Applying",
        Completing => "Completing",
        Starting => "Starting",
    }
);

graph_enum!(
    /// `privilegedAccessGroup*.accessId`.
    GroupAccessId {
        Member => "member",
        Owner => "owner",
    }
);

/// `organization` (only what the assessment reads).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct Organization {
    pub id: String,
    pub display_name: Option<String>,
    pub verified_domains: Vec<VerifiedDomain>,
}

impl Organization {
    /// The default verified domain, else the initial `*.onmicrosoft.com` one.
    pub fn default_domain(&self) -> Option<&str> {
        self.verified_domains
            .iter()
            .find(|d| d.is_default)
            .or_else(|| self.verified_domains.iter().find(|d| d.is_initial))
            .map(|d| d.name.as_str())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct VerifiedDomain {
    pub name: String,
    pub is_default: bool,
    pub is_initial: bool,
}

/// `subscribedSku`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubscribedSku {
    #[serde(default)]
    pub id: Option<String>,
    pub sku_id: String,
    #[serde(default)]
    pub sku_part_number: String,
    pub capability_status: CapabilityStatus,
    #[serde(default)]
    pub applies_to: Option<String>,
    #[serde(default)]
    pub prepaid_units: LicenseUnits,
    #[serde(default)]
    pub consumed_units: i64,
    #[serde(default)]
    pub service_plans: Vec<ServicePlanInfo>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct LicenseUnits {
    pub enabled: i64,
    pub suspended: i64,
    pub warning: i64,
    pub locked_out: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServicePlanInfo {
    pub service_plan_id: String,
    #[serde(default)]
    pub service_plan_name: String,
    pub provisioning_status: ProvisioningStatus,
    #[serde(default)]
    pub applies_to: Option<String>,
}

/// `unifiedRoleDefinition`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct RoleDefinition {
    pub id: String,
    pub display_name: String,
    pub template_id: Option<String>,
    pub is_built_in: bool,
    pub is_enabled: Option<bool>,
    pub is_privileged: Option<bool>,
}

impl RoleDefinition {
    /// The id that identifies a built-in role in every tenant.
    pub fn template_or_id(&self) -> &str {
        self.template_id.as_deref().unwrap_or(&self.id)
    }
}

/// The kind of a directory object, from `@odata.type`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalKind {
    User,
    Group,
    ServicePrincipal,
    Unknown,
}

/// A user, group or service principal (a `directoryObject` with the fields the
/// checks read). Built from `$expand=principal`, `$batch` look-ups and group members.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct Principal {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub id: ObjectId,
    pub display_name: Option<String>,
    pub user_principal_name: Option<String>,
    pub mail: Option<String>,
    pub user_type: Option<String>,
    pub account_enabled: Option<bool>,
    /// Tri-state: `None` = never synchronised, `Some(false)` = no longer synchronised.
    pub on_premises_sync_enabled: Option<bool>,
    pub on_premises_immutable_id: Option<String>,
    pub assigned_licenses: Option<Vec<AssignedLicense>>,
    pub created_date_time: Option<DateTime<Utc>>,
    /// Service principals.
    pub app_id: Option<String>,
    pub service_principal_type: Option<String>,
    /// Groups.
    pub is_assignable_to_role: Option<bool>,
    pub security_enabled: Option<bool>,
}

impl Principal {
    pub fn kind(&self) -> PrincipalKind {
        match self
            .odata_type
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("#microsoft.graph.user") => PrincipalKind::User,
            Some("#microsoft.graph.group") => PrincipalKind::Group,
            Some("#microsoft.graph.serviceprincipal") => PrincipalKind::ServicePrincipal,
            _ if self.user_principal_name.is_some() => PrincipalKind::User,
            _ if self.app_id.is_some() => PrincipalKind::ServicePrincipal,
            _ if self.is_assignable_to_role.is_some() || self.security_enabled.is_some() => {
                PrincipalKind::Group
            }
            _ => PrincipalKind::Unknown,
        }
    }

    /// Graph told nothing but the object's id (and perhaps its type): it refused the
    /// look-up, or answered with limited information because the token may not read
    /// objects of this type. Nothing about it is known, so no check may pass on it.
    pub fn is_unknown(&self) -> bool {
        self.display_name.is_none() && self.user_principal_name.is_none() && self.app_id.is_none()
    }

    /// A name fit for a report that says when the object could not be read:
    /// "unknown user 0a1b…" rather than a bare id or an empty name.
    pub fn label(&self) -> String {
        if self.is_unknown() {
            let kind = match self.kind() {
                PrincipalKind::User => "user",
                PrincipalKind::Group => "group",
                PrincipalKind::ServicePrincipal => "service principal",
                PrincipalKind::Unknown => "directory object",
            };
            format!(
                "unknown {kind} {} (not readable with the granted permissions)",
                self.id
            )
        } else {
            self.name().to_owned()
        }
    }

    /// A name fit for a report: display name, else UPN, else id.
    pub fn name(&self) -> &str {
        self.display_name
            .as_deref()
            .or(self.user_principal_name.as_deref())
            .unwrap_or(&self.id)
    }

    pub fn is_guest(&self) -> bool {
        self.user_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("guest"))
            || self
                .user_principal_name
                .as_deref()
                .is_some_and(|u| u.to_ascii_uppercase().contains("#EXT#"))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct AssignedLicense {
    pub sku_id: String,
    pub disabled_plans: Vec<String>,
}

/// `signInActivity` of a user (needs Entra ID P1 and AuditLog.Read.All).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct SignInActivity {
    /// The user it belongs to (not a Graph field: the collector fills it in).
    pub user_id: ObjectId,
    pub last_sign_in_date_time: Option<DateTime<Utc>>,
    pub last_non_interactive_sign_in_date_time: Option<DateTime<Utc>>,
    pub last_successful_sign_in_date_time: Option<DateTime<Utc>>,
}

/// The `signInActivity` field a last sign-in was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInField {
    /// `lastSuccessfulSignInDateTime`: successful sign-ins only (Graph, from December 2023).
    LastSuccessful,
    /// `lastSignInDateTime`: interactive sign-in *attempts*, failed ones included.
    Interactive,
    /// `lastNonInteractiveSignInDateTime`: non-interactive attempts, failed ones included.
    NonInteractive,
}

impl SignInField {
    /// The Graph property name.
    pub fn graph_name(self) -> &'static str {
        match self {
            SignInField::LastSuccessful => "lastSuccessfulSignInDateTime",
            SignInField::Interactive => "lastSignInDateTime",
            SignInField::NonInteractive => "lastNonInteractiveSignInDateTime",
        }
    }
}

impl SignInActivity {
    /// When the account was last really used, and the field that says so.
    ///
    /// `lastSignInDateTime` and `lastNonInteractiveSignInDateTime` record attempts, failed
    /// ones included, so a password-sprayed dormant account looks active through them;
    /// `lastSuccessfulSignInDateTime` records successful sign-ins only. When it is absent
    /// (it is not backfilled before December 2023) the newest of the other two is used.
    /// <https://learn.microsoft.com/en-us/graph/api/resources/signinactivity>
    pub fn last_used(&self) -> Option<(DateTime<Utc>, SignInField)> {
        if let Some(t) = self.last_successful_sign_in_date_time {
            return Some((t, SignInField::LastSuccessful));
        }
        [
            (self.last_sign_in_date_time, SignInField::Interactive),
            (
                self.last_non_interactive_sign_in_date_time,
                SignInField::NonInteractive,
            ),
        ]
        .into_iter()
        .filter_map(|(t, field)| t.map(|t| (t, field)))
        .max_by_key(|(t, _)| *t)
    }

    /// The newest sign-in attempt (interactive or not), failed ones included.
    pub fn last_attempt(&self) -> Option<DateTime<Utc>> {
        self.last_sign_in_date_time
            .into_iter()
            .chain(self.last_non_interactive_sign_in_date_time)
            .max()
    }
}

/// `unifiedRoleAssignment` (active assignments; readable without P2).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct RoleAssignment {
    pub id: String,
    pub principal_id: ObjectId,
    pub role_definition_id: String,
    pub directory_scope_id: Option<String>,
    pub principal: Option<Principal>,
}

/// `unifiedRoleAssignmentScheduleInstance` and `unifiedRoleEligibilityScheduleInstance`
/// (the latter has no `assignmentType`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct RoleScheduleInstance {
    pub id: String,
    pub principal_id: ObjectId,
    pub role_definition_id: String,
    pub directory_scope_id: Option<String>,
    /// `None` on an active instance = a permanent assignment made outside PIM.
    pub start_date_time: Option<DateTime<Utc>>,
    /// `None` = permanent.
    pub end_date_time: Option<DateTime<Utc>>,
    pub assignment_type: Option<AssignmentType>,
    pub member_type: Option<MemberType>,
    pub role_assignment_origin_id: Option<String>,
    pub role_assignment_schedule_id: Option<String>,
    pub role_eligibility_schedule_id: Option<String>,
    /// `$expand=principal`: who holds it, with its `@odata.type`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<Principal>,
}

impl RoleScheduleInstance {
    pub fn is_permanent(&self) -> bool {
        self.end_date_time.is_none()
    }
}

/// `unifiedRoleAssignmentSchedule` and `unifiedRoleEligibilitySchedule`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct RoleSchedule {
    pub id: String,
    pub principal_id: ObjectId,
    pub role_definition_id: String,
    pub directory_scope_id: Option<String>,
    pub assignment_type: Option<AssignmentType>,
    pub member_type: Option<MemberType>,
    pub status: Option<String>,
    pub created_date_time: Option<DateTime<Utc>>,
    /// The request id that created the schedule; `None` = created outside PIM.
    pub created_using: Option<String>,
    pub modified_date_time: Option<DateTime<Utc>>,
    pub schedule_info: Option<RequestSchedule>,
    /// `$expand=principal`: who holds it, with its `@odata.type`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<Principal>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct RequestSchedule {
    pub start_date_time: Option<DateTime<Utc>>,
    pub expiration: Option<ExpirationPattern>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct ExpirationPattern {
    #[serde(rename = "type")]
    pub kind: Option<ExpirationType>,
    pub end_date_time: Option<DateTime<Utc>>,
    pub duration: Option<IsoDuration>,
}

/// `unifiedRoleManagementPolicyAssignment` with its policy and rules expanded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct RoleManagementPolicyAssignment {
    pub id: String,
    pub policy_id: String,
    pub scope_id: String,
    pub scope_type: String,
    pub role_definition_id: Option<String>,
    pub policy: Option<RoleManagementPolicy>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct RoleManagementPolicy {
    pub id: String,
    pub display_name: Option<String>,
    pub is_organization_default: Option<bool>,
    pub rules: Vec<PolicyRule>,
}

impl RoleManagementPolicy {
    /// The rule with this documented id (e.g. `Expiration_EndUser_Assignment`).
    pub fn rule(&self, id: &PolicyRuleId) -> Option<&PolicyRule> {
        self.rules.iter().find(|r| &r.id == id)
    }
}

/// One `unifiedRoleManagementPolicyRule`, any subtype: the subtype-specific
/// fields are optional and read according to `@odata.type` / `id`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct PolicyRule {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub id: PolicyRuleId,
    pub target: Option<RuleTarget>,
    // Expiration rule.
    pub is_expiration_required: Option<bool>,
    pub maximum_duration: Option<IsoDuration>,
    // Enablement rule.
    pub enabled_rules: Option<Vec<String>>,
    // Approval rule.
    pub setting: Option<ApprovalSettings>,
    // Authentication context rule.
    pub is_enabled: Option<bool>,
    pub claim_value: Option<String>,
    // Notification rule.
    pub notification_type: Option<String>,
    pub recipient_type: Option<String>,
    pub notification_level: Option<String>,
    pub is_default_recipients_enabled: Option<bool>,
    pub notification_recipients: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct RuleTarget {
    pub caller: Option<String>,
    pub operations: Vec<String>,
    pub level: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct ApprovalSettings {
    pub is_approval_required: Option<bool>,
    pub is_approval_required_for_extension: Option<bool>,
    pub is_requestor_justification_required: Option<bool>,
    pub approval_mode: Option<String>,
    pub approval_stages: Vec<ApprovalStage>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct ApprovalStage {
    pub approval_stage_time_out_in_days: Option<i64>,
    pub is_approver_justification_required: Option<bool>,
    pub escalation_time_in_minutes: Option<i64>,
    pub is_escalation_enabled: Option<bool>,
    pub primary_approvers: Vec<SubjectSet>,
    pub escalation_approvers: Vec<SubjectSet>,
}

/// An approver: `#microsoft.graph.singleUser` (`userId`) or `groupMembers` (`groupId`), etc.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct SubjectSet {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub user_id: Option<ObjectId>,
    pub group_id: Option<ObjectId>,
    pub description: Option<String>,
}

/// A role-assignable group that holds a privileged role, with its members and owners.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct PrivilegedGroup {
    pub group: Principal,
    /// Direct members as Graph lists them (`/groups/{id}/members`).
    pub members: Vec<Principal>,
    pub owners: Vec<Principal>,
}

/// `privilegedAccessGroupEligibilityScheduleInstance` / `...AssignmentScheduleInstance`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct GroupScheduleInstance {
    pub id: String,
    pub group_id: ObjectId,
    pub principal_id: ObjectId,
    pub access_id: Option<GroupAccessId>,
    pub start_date_time: Option<DateTime<Utc>>,
    pub end_date_time: Option<DateTime<Utc>>,
    pub member_type: Option<MemberType>,
    /// Assignment instances only.
    pub assignment_type: Option<AssignmentType>,
}

/// `accessReviewScheduleDefinition` (scope kept as JSON: it is a polymorphic query tree).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct AccessReviewDefinition {
    pub id: String,
    pub display_name: Option<String>,
    pub status: Option<ReviewStatus>,
    pub scope: Option<serde_json::Value>,
    pub instance_enumeration_scope: Option<serde_json::Value>,
    pub reviewers: Vec<AccessReviewReviewerScope>,
    pub settings: Option<AccessReviewSettings>,
    /// Multi-stage reviews: each stage's `durationInDays` replaces `settings.instanceDurationInDays`
    /// (https://learn.microsoft.com/graph/api/resources/accessreviewschedulesettings).
    /// Optional: a single-stage review may carry null.
    pub stage_settings: Option<Vec<AccessReviewStageSettings>>,
}

/// `accessReviewStageSettings` (https://learn.microsoft.com/graph/api/resources/accessreviewstagesettings).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct AccessReviewStageSettings {
    pub stage_id: Option<String>,
    /// The stages' cumulative duration overrides `settings.instanceDurationInDays`.
    pub duration_in_days: Option<i64>,
    /// Overrides the definition's reviewers for this stage; none is a self-review.
    pub reviewers: Option<Vec<AccessReviewReviewerScope>>,
}

impl AccessReviewDefinition {
    /// Every `query` string inside the scope (role definition paths live there).
    pub fn scope_queries(&self) -> Vec<&str> {
        fn walk<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
            match v {
                serde_json::Value::Object(map) => {
                    for (k, v) in map {
                        if k == "query"
                            && let Some(s) = v.as_str()
                        {
                            out.push(s);
                        }
                        walk(v, out);
                    }
                }
                serde_json::Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        for v in [&self.scope, &self.instance_enumeration_scope]
            .into_iter()
            .flatten()
        {
            walk(v, &mut out);
        }
        out
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct AccessReviewReviewerScope {
    pub query: Option<String>,
    pub query_type: Option<String>,
    pub query_root: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct AccessReviewSettings {
    pub recurrence: Option<PatternedRecurrence>,
    pub auto_apply_decisions_enabled: Option<bool>,
    pub instance_duration_in_days: Option<i64>,
    /// Whether `defaultDecision` applies when reviewers do not respond (Graph's default: false,
    /// which the portal calls "No change").
    pub default_decision_enabled: Option<bool>,
    /// `Approve`, `Deny`, `Recommendation` (or `None` when disabled).
    pub default_decision: Option<String>,
    pub mail_notifications_enabled: Option<bool>,
    pub reminder_notifications_enabled: Option<bool>,
    pub justification_required_on_approval: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct PatternedRecurrence {
    pub pattern: Option<RecurrencePattern>,
    pub range: Option<RecurrenceRange>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct RecurrencePattern {
    /// `daily`, `weekly`, `absoluteMonthly`, `relativeMonthly`, `absoluteYearly`, `relativeYearly`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub interval: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct RecurrenceRange {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
}

/// `conditionalAccessPolicy` (what the admin checks read).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct ConditionalAccessPolicy {
    pub id: String,
    pub display_name: Option<String>,
    pub state: Option<PolicyState>,
    pub conditions: Option<CaConditions>,
    pub grant_controls: Option<CaGrantControls>,
    pub session_controls: Option<CaSessionControls>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct CaConditions {
    pub users: Option<CaUsers>,
    pub applications: Option<CaApplications>,
    pub client_app_types: Vec<String>,
    /// `conditionalAccessLocations`: a policy limited to some locations narrows it.
    pub locations: Option<CaLocations>,
    /// `conditionalAccessPlatforms`: a policy limited to some platforms narrows it.
    pub platforms: Option<CaPlatforms>,
    /// `conditionalAccessDevices`: a device filter narrows it.
    pub devices: Option<CaDevices>,
}

/// `conditionalAccessLocations` (learn.microsoft.com/graph/api/resources/conditionalaccesslocations).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct CaLocations {
    pub include_locations: Vec<String>,
    pub exclude_locations: Vec<String>,
}

/// `conditionalAccessPlatforms` (learn.microsoft.com/graph/api/resources/conditionalaccessplatforms).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct CaPlatforms {
    pub include_platforms: Vec<String>,
    pub exclude_platforms: Vec<String>,
}

/// `conditionalAccessDevices` (learn.microsoft.com/graph/api/resources/conditionalaccessdevices).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct CaDevices {
    pub device_filter: Option<CaDeviceFilter>,
}

/// `conditionalAccessFilter`: `include` or `exclude` the devices the rule matches.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct CaDeviceFilter {
    pub mode: Option<String>,
    pub rule: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct CaUsers {
    pub include_users: Vec<String>,
    pub exclude_users: Vec<String>,
    pub include_groups: Vec<String>,
    pub exclude_groups: Vec<String>,
    pub include_roles: Vec<String>,
    pub exclude_roles: Vec<String>,
    /// Internal guests and external users the policy leaves out
    /// (https://learn.microsoft.com/graph/api/resources/conditionalaccessusers).
    pub exclude_guests_or_external_users: Option<CaGuestsOrExternalUsers>,
}

/// `conditionalAccessGuestsOrExternalUsers`
/// (https://learn.microsoft.com/graph/api/resources/conditionalaccessguestsorexternalusers).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct CaGuestsOrExternalUsers {
    /// A multi-valued flags string: `internalGuest,b2bCollaborationGuest,…`, or `none`.
    pub guest_or_external_user_types: Option<String>,
    /// All B2B tenants or a list of tenant ids.
    pub external_tenants: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct CaApplications {
    pub include_applications: Vec<String>,
    pub exclude_applications: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct CaGrantControls {
    pub operator: Option<String>,
    pub built_in_controls: Vec<String>,
    pub authentication_strength: Option<AuthenticationStrength>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct AuthenticationStrength {
    pub id: String,
    pub display_name: Option<String>,
    /// `builtIn` or `custom`.
    pub policy_type: Option<String>,
    /// `authenticationMethodModes` the strength accepts; absent when Graph did not return
    /// them (learn.microsoft.com/graph/api/resources/authenticationstrengthpolicy).
    pub allowed_combinations: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct CaSessionControls {
    pub sign_in_frequency: Option<SignInFrequency>,
    pub persistent_browser: Option<PersistentBrowser>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct SignInFrequency {
    pub value: Option<i64>,
    /// `hours` or `days`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub is_enabled: Option<bool>,
    /// `timeBased` or `everyTime`.
    pub frequency_interval: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct PersistentBrowser {
    /// `always` or `never`.
    pub mode: Option<String>,
    pub is_enabled: Option<bool>,
}
