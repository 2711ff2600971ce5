//! Azure resources, as Azure Resource Manager (ARM) returns them: management groups,
//! subscriptions, role assignments of the privileged Azure roles, PIM schedule instances and
//! role settings. Shapes follow the ARM REST reference pages cited on each type; unknown
//! fields are ignored.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::PolicyRuleId;

/// Built-in Azure roles PIM Ready reads (ids are the same in every tenant and cloud):
/// <https://learn.microsoft.com/azure/role-based-access-control/built-in-roles>.
pub const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
pub const USER_ACCESS_ADMINISTRATOR: &str = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9";
pub const RBAC_ADMINISTRATOR: &str = "f58310d9-a9f6-439a-9e8d-f62e7b41a168";
pub const CONTRIBUTOR: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";

/// The Azure roles whose assignments and settings are read, with their names.
pub const AZURE_PRIVILEGED_ROLES: [(&str, &str); 4] = [
    (OWNER, "Owner"),
    (USER_ACCESS_ADMINISTRATOR, "User Access Administrator"),
    (
        RBAC_ADMINISTRATOR,
        "Role Based Access Control Administrator",
    ),
    (CONTRIBUTOR, "Contributor"),
];

/// The name of a privileged Azure role by its id (a GUID or a full roleDefinitions path).
pub fn azure_role_name(role_definition_id: &str) -> Option<&'static str> {
    let guid = role_guid(role_definition_id);
    AZURE_PRIVILEGED_ROLES
        .iter()
        .find(|(id, _)| id.eq_ignore_ascii_case(guid))
        .map(|(_, name)| *name)
}

/// The GUID at the end of `/…/providers/Microsoft.Authorization/roleDefinitions/{guid}`.
pub fn role_guid(role_definition_id: &str) -> &str {
    role_definition_id
        .rsplit('/')
        .next()
        .unwrap_or(role_definition_id)
}

/// What kind of scope an ARM scope string names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ScopeLevel {
    /// `/`: the tenant root, where "elevate access" assigns User Access Administrator.
    Root,
    /// `/providers/Microsoft.Management/managementGroups/{id}`.
    ManagementGroup,
    /// `/subscriptions/{id}`.
    Subscription,
    /// A resource group or a resource below a subscription.
    Below,
}

/// The level of an ARM scope (`/`, a management group, a subscription, or below).
pub fn scope_level(scope: &str) -> ScopeLevel {
    let s = scope.trim_end_matches('/');
    if s.is_empty() {
        return ScopeLevel::Root;
    }
    let parts: Vec<&str> = s.trim_start_matches('/').split('/').collect();
    match parts.as_slice() {
        [p, m, "managementGroups" | "managementgroups", _]
            if p.eq_ignore_ascii_case("providers")
                && m.eq_ignore_ascii_case("Microsoft.Management") =>
        {
            ScopeLevel::ManagementGroup
        }
        [s, _] if s.eq_ignore_ascii_case("subscriptions") => ScopeLevel::Subscription,
        _ => ScopeLevel::Below,
    }
}

/// A subscription (Subscriptions - List, api-version 2022-12-01:
/// <https://learn.microsoft.com/rest/api/resources/subscriptions/list>).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AzureSubscription {
    /// `/subscriptions/{subscriptionId}`.
    pub id: String,
    pub subscription_id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    /// Enabled, Warned, PastDue, Disabled or Deleted.
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub tenant_id: Option<String>,
    /// Whether its role assignments, schedules and settings could be read (set by the
    /// collector; `false` after a 403 on any of them).
    #[serde(default = "yes")]
    pub readable: bool,
}

fn yes() -> bool {
    true
}

/// A management group (Management Groups - List, api-version 2023-04-01:
/// <https://learn.microsoft.com/rest/api/managementgroups/management-groups/list>).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ManagementGroup {
    /// `/providers/Microsoft.Management/managementGroups/{name}`.
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub properties: ManagementGroupProperties,
    /// Whether its role assignments, schedules and settings could be read (set by the collector).
    #[serde(default = "yes")]
    pub readable: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ManagementGroupProperties {
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub tenant_id: Option<String>,
}

impl ManagementGroup {
    /// The tenant root group is named after the tenant id.
    pub fn is_tenant_root(&self, tenant_id: &str) -> bool {
        self.name.eq_ignore_ascii_case(tenant_id)
    }
}

/// A role assignment (Role Assignments - List For Scope, api-version 2022-04-01:
/// <https://learn.microsoft.com/rest/api/authorization/role-assignments/list-for-scope>).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArmRoleAssignment {
    pub id: String,
    pub properties: ArmRoleAssignmentProperties,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArmRoleAssignmentProperties {
    pub role_definition_id: String,
    pub principal_id: String,
    /// User, Group, ServicePrincipal, ForeignGroup or Device.
    #[serde(default)]
    pub principal_type: Option<String>,
    pub scope: String,
    #[serde(default)]
    pub created_on: Option<DateTime<Utc>>,
}

/// A PIM schedule instance of an Azure role (roleEligibilityScheduleInstances and
/// roleAssignmentScheduleInstances - List For Scope, api-version 2020-10-01:
/// <https://learn.microsoft.com/rest/api/authorization/role-eligibility-schedule-instances/list-for-scope>,
/// <https://learn.microsoft.com/rest/api/authorization/role-assignment-schedule-instances/list-for-scope>).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArmScheduleInstance {
    pub id: String,
    pub properties: ArmScheduleInstanceProperties,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArmScheduleInstanceProperties {
    pub scope: String,
    pub role_definition_id: String,
    pub principal_id: String,
    #[serde(default)]
    pub principal_type: Option<String>,
    #[serde(default)]
    pub start_date_time: Option<DateTime<Utc>>,
    /// `None`: permanent.
    #[serde(default)]
    pub end_date_time: Option<DateTime<Utc>>,
    /// Active instances: `Assigned` or `Activated` (an eligible role switched on).
    #[serde(default)]
    pub assignment_type: Option<String>,
    /// Active instances: the role assignment this instance stands for.
    #[serde(default)]
    pub origin_role_assignment_id: Option<String>,
    #[serde(default)]
    pub member_type: Option<String>,
    #[serde(default)]
    pub expanded_properties: Option<ArmExpandedProperties>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArmExpandedProperties {
    #[serde(default)]
    pub principal: Option<ArmPrincipal>,
}

/// `expandedProperties.principal`: who, as ARM names them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArmPrincipal {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

/// The role settings of an Azure role at one scope (Role Management Policy Assignments -
/// List For Scope, api-version 2020-10-01, whose `effectiveRules` are the rules in force:
/// <https://learn.microsoft.com/rest/api/authorization/role-management-policy-assignments/list-for-scope>).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArmPolicyAssignment {
    pub id: String,
    pub properties: ArmPolicyAssignmentProperties,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArmPolicyAssignmentProperties {
    pub scope: String,
    pub role_definition_id: String,
    #[serde(default)]
    pub policy_id: Option<String>,
    #[serde(default)]
    pub effective_rules: Vec<ArmPolicyRule>,
}

/// One rule of a role management policy (the `RoleManagementPolicyRule` union: expiration,
/// enablement, approval, authentication context, notification). Only the fields the checks
/// read are kept.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArmPolicyRule {
    /// `Expiration_EndUser_Assignment`, `Enablement_EndUser_Assignment`,
    /// `Approval_EndUser_Assignment`, `AuthenticationContext_EndUser_Assignment`,
    /// `Notification_Admin_Admin_Assignment`…
    #[serde(default)]
    pub id: Option<PolicyRuleId>,
    #[serde(default)]
    pub rule_type: Option<String>,
    /// Expiration rules: ISO 8601 duration such as `PT8H`.
    #[serde(default)]
    pub maximum_duration: Option<String>,
    #[serde(default)]
    pub is_expiration_required: Option<bool>,
    /// Enablement rules: `MultiFactorAuthentication`, `Justification`, `Ticketing`.
    #[serde(default)]
    pub enabled_rules: Option<Vec<String>>,
    /// Authentication context rules.
    #[serde(default)]
    pub is_enabled: Option<bool>,
    #[serde(default)]
    pub claim_value: Option<String>,
    /// Approval rules.
    #[serde(default)]
    pub setting: Option<ArmApprovalSetting>,
    /// Notification rules.
    #[serde(default)]
    pub notification_level: Option<String>,
    #[serde(default)]
    pub is_default_recipients_enabled: Option<bool>,
    #[serde(default)]
    pub notification_recipients: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArmApprovalSetting {
    #[serde(default)]
    pub is_approval_required: Option<bool>,
}

impl ArmPolicyAssignmentProperties {
    pub fn rule(&self, id: &PolicyRuleId) -> Option<&ArmPolicyRule> {
        self.effective_rules
            .iter()
            .find(|r| r.id.as_ref() == Some(id))
    }
}

/// Everything read from Azure Resource Manager. A dataset that could not be read is `None`
/// with a gap (datasets `azure_*`) in the snapshot's `gaps`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AzureSnapshot {
    /// The ARM host read (`management.azure.com`, or the emulator).
    pub arm_host: String,
    pub subscriptions: Option<Vec<AzureSubscription>>,
    pub management_groups: Option<Vec<ManagementGroup>>,
    /// Assignments of the privileged Azure roles at every readable scope (deduplicated).
    pub role_assignments: Option<Vec<ArmRoleAssignment>>,
    pub eligibility_instances: Option<Vec<ArmScheduleInstance>>,
    pub active_instances: Option<Vec<ArmScheduleInstance>>,
    pub role_settings: Option<Vec<ArmPolicyAssignment>>,
    /// Assignments at the tenant root scope `/` ("elevate access").
    pub root_assignments: Option<Vec<ArmRoleAssignment>>,
    /// Graph records (user type, UPN) of the users, groups and apps that hold the Azure
    /// roles and are not among the Entra privileged principals.
    #[serde(default)]
    pub principals: Vec<super::Principal>,
    /// HTTP requests sent to ARM.
    #[serde(default)]
    pub requests: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_levels() {
        assert_eq!(scope_level("/"), ScopeLevel::Root);
        assert_eq!(scope_level(""), ScopeLevel::Root);
        assert_eq!(
            scope_level("/providers/Microsoft.Management/managementGroups/mg1"),
            ScopeLevel::ManagementGroup
        );
        assert_eq!(
            scope_level("/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333"),
            ScopeLevel::Subscription
        );
        assert_eq!(
            scope_level("/subscriptions/0b1f/resourceGroups/rg"),
            ScopeLevel::Below
        );
        assert_eq!(
            azure_role_name(
                "/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/8E3AF657-A8FF-443C-A75C-2FE8C4BCB635"
            ),
            Some("Owner")
        );
        assert_eq!(
            azure_role_name("acdd72a7-3385-48ef-bd42-f606fba81ae7"),
            None
        );
    }
}
