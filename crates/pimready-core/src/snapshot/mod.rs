//! The tenant snapshot: everything the assessment reads, collected once.
//!
//! A snapshot is plain data. Datasets that could not be read are `None` and have a
//! [`Gap`] saying why; evaluation treats a gap as "not assessed", never as a pass.

mod azure;
mod graph;
mod object_id;
mod rule_id;

use std::fmt;
use std::path::Path;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::cloud::Cloud;

pub use azure::*;
pub use graph::*;
pub use object_id::ObjectId;
pub use rule_id::PolicyRuleId;

/// Whether `s` is shaped like a directory object or tenant id (a GUID), as opposed to a
/// domain name or anything that must not go into a request URL.
pub fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The delegated scope of Azure Resource Manager (the global cloud's resource; national
/// clouds use their own ARM host with `/user_impersonation`).
pub const ARM_SCOPE: &str = "https://management.azure.com/user_impersonation";

/// Bumped whenever a saved snapshot's shape changes incompatibly.
pub const SNAPSHOT_SCHEMA_VERSION: u32 = 1;

/// Every dataset the collector reads. The wire names are stable (gaps, reports).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Dataset {
    Organization,
    SubscribedSkus,
    RoleDefinitions,
    RoleAssignments,
    RoleAssignmentScheduleInstances,
    RoleAssignmentSchedules,
    RoleEligibilityScheduleInstances,
    RoleEligibilitySchedules,
    RoleManagementPolicies,
    PrivilegedPrincipals,
    SignInActivity,
    PrivilegedGroups,
    GroupEligibilityScheduleInstances,
    GroupAssignmentScheduleInstances,
    AccessReviews,
    ConditionalAccessPolicies,
    /// Azure Resource Manager: subscriptions and management groups the account can see.
    AzureSubscriptions,
    /// Azure Resource Manager: assignments of the privileged Azure roles.
    AzureRoleAssignments,
    /// Azure Resource Manager: PIM eligible and active schedule instances of Azure roles.
    AzureRoleSchedules,
    /// Azure Resource Manager: PIM role settings of the privileged Azure roles.
    AzureRoleSettings,
    /// Azure Resource Manager: assignments at the tenant root scope `/` (elevate access).
    AzureRootScope,
}

impl Dataset {
    pub const ALL: [Dataset; 16] = [
        Dataset::Organization,
        Dataset::SubscribedSkus,
        Dataset::RoleDefinitions,
        Dataset::RoleAssignments,
        Dataset::RoleAssignmentScheduleInstances,
        Dataset::RoleAssignmentSchedules,
        Dataset::RoleEligibilityScheduleInstances,
        Dataset::RoleEligibilitySchedules,
        Dataset::RoleManagementPolicies,
        Dataset::PrivilegedPrincipals,
        Dataset::SignInActivity,
        Dataset::PrivilegedGroups,
        Dataset::GroupEligibilityScheduleInstances,
        Dataset::GroupAssignmentScheduleInstances,
        Dataset::AccessReviews,
        Dataset::ConditionalAccessPolicies,
    ];

    /// The datasets read from Azure Resource Manager (not Microsoft Graph).
    pub const AZURE: [Dataset; 5] = [
        Dataset::AzureSubscriptions,
        Dataset::AzureRoleAssignments,
        Dataset::AzureRoleSchedules,
        Dataset::AzureRoleSettings,
        Dataset::AzureRootScope,
    ];

    /// Whether the dataset comes from Azure Resource Manager.
    pub fn is_azure(self) -> bool {
        Dataset::AZURE.contains(&self)
    }

    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Dataset::Organization => "organization",
            Dataset::SubscribedSkus => "subscribed_skus",
            Dataset::RoleDefinitions => "role_definitions",
            Dataset::RoleAssignments => "role_assignments",
            Dataset::RoleAssignmentScheduleInstances => "role_assignment_schedule_instances",
            Dataset::RoleAssignmentSchedules => "role_assignment_schedules",
            Dataset::RoleEligibilityScheduleInstances => "role_eligibility_schedule_instances",
            Dataset::RoleEligibilitySchedules => "role_eligibility_schedules",
            Dataset::RoleManagementPolicies => "role_management_policies",
            Dataset::PrivilegedPrincipals => "privileged_principals",
            Dataset::SignInActivity => "sign_in_activity",
            Dataset::PrivilegedGroups => "privileged_groups",
            Dataset::GroupEligibilityScheduleInstances => "group_eligibility_schedule_instances",
            Dataset::GroupAssignmentScheduleInstances => "group_assignment_schedule_instances",
            Dataset::AccessReviews => "access_reviews",
            Dataset::ConditionalAccessPolicies => "conditional_access_policies",
            Dataset::AzureSubscriptions => "azure_subscriptions",
            Dataset::AzureRoleAssignments => "azure_role_assignments",
            Dataset::AzureRoleSchedules => "azure_role_schedules",
            Dataset::AzureRoleSettings => "azure_role_settings",
            Dataset::AzureRootScope => "azure_root_scope",
        }
    }

    /// A short human label, for progress and reports.
    pub fn label(self) -> &'static str {
        match self {
            Dataset::Organization => "Organization",
            Dataset::SubscribedSkus => "Licences (subscribed SKUs)",
            Dataset::RoleDefinitions => "Role definitions",
            Dataset::RoleAssignments => "Active role assignments",
            Dataset::RoleAssignmentScheduleInstances => "PIM active assignment instances",
            Dataset::RoleAssignmentSchedules => "PIM active assignment schedules",
            Dataset::RoleEligibilityScheduleInstances => "PIM eligible assignment instances",
            Dataset::RoleEligibilitySchedules => "PIM eligible assignment schedules",
            Dataset::RoleManagementPolicies => "PIM role settings",
            Dataset::PrivilegedPrincipals => "Privileged users, groups and apps",
            Dataset::SignInActivity => "Sign-in activity of privileged users",
            Dataset::PrivilegedGroups => "Role-assignable groups and members",
            Dataset::GroupEligibilityScheduleInstances => "PIM for Groups eligible memberships",
            Dataset::GroupAssignmentScheduleInstances => "PIM for Groups active memberships",
            Dataset::AccessReviews => "Access reviews",
            Dataset::ConditionalAccessPolicies => "Conditional Access policies",
            Dataset::AzureSubscriptions => "Azure subscriptions and management groups",
            Dataset::AzureRoleAssignments => "Azure role assignments",
            Dataset::AzureRoleSchedules => "Azure PIM eligible and active assignments",
            Dataset::AzureRoleSettings => "Azure PIM role settings",
            Dataset::AzureRootScope => "Azure root-scope (elevated) assignments",
        }
    }

    /// The least-privileged delegated scope that reads this dataset.
    pub fn scope(self) -> &'static str {
        match self {
            Dataset::Organization => "User.Read",
            Dataset::SubscribedSkus => "LicenseAssignment.Read.All",
            Dataset::RoleDefinitions | Dataset::RoleAssignments => "RoleManagement.Read.Directory",
            Dataset::RoleAssignmentScheduleInstances | Dataset::RoleAssignmentSchedules => {
                "RoleAssignmentSchedule.Read.Directory"
            }
            Dataset::RoleEligibilityScheduleInstances | Dataset::RoleEligibilitySchedules => {
                "RoleEligibilitySchedule.Read.Directory"
            }
            Dataset::RoleManagementPolicies => "RoleManagementPolicy.Read.Directory",
            Dataset::PrivilegedPrincipals => "User.Read.All",
            Dataset::PrivilegedGroups => "GroupMember.Read.All",
            Dataset::SignInActivity => "AuditLog.Read.All",
            Dataset::GroupEligibilityScheduleInstances => {
                "PrivilegedEligibilitySchedule.Read.AzureADGroup"
            }
            Dataset::GroupAssignmentScheduleInstances => {
                "PrivilegedAssignmentSchedule.Read.AzureADGroup"
            }
            Dataset::AccessReviews => "AccessReview.Read.All",
            Dataset::ConditionalAccessPolicies => "Policy.Read.All",
            Dataset::AzureSubscriptions
            | Dataset::AzureRoleAssignments
            | Dataset::AzureRoleSchedules
            | Dataset::AzureRoleSettings
            | Dataset::AzureRootScope => ARM_SCOPE,
        }
    }
}

impl fmt::Display for Dataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a dataset is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GapReason {
    /// The tenant lacks the licence (HTTP 400 `AadPremiumLicenseRequired`, 403
    /// `Authentication_RequestFromNonPremiumTenantOrB2CTenant`, or skipped by licensing).
    NotLicensed,
    /// HTTP 403 `Authorization_RequestDenied` (or 401): a scope or a role is missing.
    PermissionDenied,
    /// HTTP 404.
    NotFound,
    /// Anything else: network failure, 5xx beyond the retry budget, malformed body.
    Error,
}

impl GapReason {
    pub fn as_str(self) -> &'static str {
        match self {
            GapReason::NotLicensed => "not_licensed",
            GapReason::PermissionDenied => "permission_denied",
            GapReason::NotFound => "not_found",
            GapReason::Error => "error",
        }
    }
}

/// A dataset that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Gap {
    pub dataset: Dataset,
    pub reason: GapReason,
    /// One human sentence.
    pub detail: String,
    /// HTTP status, when there was a response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Graph `error.code`, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The delegated scope that would grant access (permission gaps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_scope: Option<String>,
}

/// How the snapshot was collected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CollectionMeta {
    pub collected_at: DateTime<Utc>,
    pub tool_version: String,
    pub cloud: Cloud,
    pub graph_host: String,
    /// HTTP requests sent (a `$batch` counts once; retries count).
    pub requests: u32,
    /// Requests inside `$batch` envelopes.
    #[serde(default)]
    pub batched_requests: u32,
    pub retries: u32,
    pub duration_ms: u64,
    /// Scopes granted to the token, when known.
    #[serde(default)]
    pub scopes: Vec<String>,
}

/// Everything the assessment reads. See the module docs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TenantSnapshot {
    pub schema_version: u32,
    /// The tenant id (a GUID), as asked for and confirmed by Graph.
    pub tenant_id: String,
    pub meta: CollectionMeta,
    pub organization: Option<Organization>,
    pub subscribed_skus: Option<Vec<SubscribedSku>>,
    pub role_definitions: Option<Vec<RoleDefinition>>,
    pub role_assignments: Option<Vec<RoleAssignment>>,
    pub role_assignment_schedule_instances: Option<Vec<RoleScheduleInstance>>,
    pub role_assignment_schedules: Option<Vec<RoleSchedule>>,
    pub role_eligibility_schedule_instances: Option<Vec<RoleScheduleInstance>>,
    pub role_eligibility_schedules: Option<Vec<RoleSchedule>>,
    pub role_management_policies: Option<Vec<RoleManagementPolicyAssignment>>,
    /// Users, groups and service principals that hold, are eligible for, or approve
    /// privileged roles; never the whole directory.
    pub privileged_principals: Option<Vec<Principal>>,
    pub sign_in_activity: Option<Vec<SignInActivity>>,
    pub privileged_groups: Option<Vec<PrivilegedGroup>>,
    pub group_eligibility_schedule_instances: Option<Vec<GroupScheduleInstance>>,
    pub group_assignment_schedule_instances: Option<Vec<GroupScheduleInstance>>,
    pub access_reviews: Option<Vec<AccessReviewDefinition>>,
    pub conditional_access_policies: Option<Vec<ConditionalAccessPolicy>>,
    /// Azure resources, read through Azure Resource Manager; `None` when ARM was not read
    /// (snapshots saved before it existed load with `None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure: Option<AzureSnapshot>,
    pub gaps: Vec<Gap>,
}

/// A saved snapshot that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("cannot read the snapshot file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "the snapshot {path} is not valid JSON for a PIM Ready snapshot (line {line}, column {column}): {message}"
    )]
    Malformed {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "the snapshot {path} has schema version {found}; this version of PIM Ready reads version {expected} (upgrade PIM Ready, or collect again)"
    )]
    Version {
        path: String,
        found: u32,
        expected: u32,
    },
}

impl TenantSnapshot {
    /// An empty snapshot: every dataset absent, no gaps yet.
    pub fn empty(tenant_id: impl Into<String>, meta: CollectionMeta) -> Self {
        TenantSnapshot {
            schema_version: SNAPSHOT_SCHEMA_VERSION,
            tenant_id: tenant_id.into(),
            meta,
            organization: None,
            subscribed_skus: None,
            role_definitions: None,
            role_assignments: None,
            role_assignment_schedule_instances: None,
            role_assignment_schedules: None,
            role_eligibility_schedule_instances: None,
            role_eligibility_schedules: None,
            role_management_policies: None,
            privileged_principals: None,
            sign_in_activity: None,
            privileged_groups: None,
            group_eligibility_schedule_instances: None,
            group_assignment_schedule_instances: None,
            access_reviews: None,
            conditional_access_policies: None,
            azure: None,
            gaps: Vec::new(),
        }
    }

    /// The gap recorded for a dataset, if any.
    pub fn gap(&self, dataset: Dataset) -> Option<&Gap> {
        self.gaps.iter().find(|g| g.dataset == dataset)
    }

    /// Whether the dataset was read.
    pub fn has(&self, dataset: Dataset) -> bool {
        match dataset {
            Dataset::Organization => self.organization.is_some(),
            Dataset::SubscribedSkus => self.subscribed_skus.is_some(),
            Dataset::RoleDefinitions => self.role_definitions.is_some(),
            Dataset::RoleAssignments => self.role_assignments.is_some(),
            Dataset::RoleAssignmentScheduleInstances => {
                self.role_assignment_schedule_instances.is_some()
            }
            Dataset::RoleAssignmentSchedules => self.role_assignment_schedules.is_some(),
            Dataset::RoleEligibilityScheduleInstances => {
                self.role_eligibility_schedule_instances.is_some()
            }
            Dataset::RoleEligibilitySchedules => self.role_eligibility_schedules.is_some(),
            Dataset::RoleManagementPolicies => self.role_management_policies.is_some(),
            Dataset::PrivilegedPrincipals => self.privileged_principals.is_some(),
            Dataset::SignInActivity => self.sign_in_activity.is_some(),
            Dataset::PrivilegedGroups => self.privileged_groups.is_some(),
            Dataset::GroupEligibilityScheduleInstances => {
                self.group_eligibility_schedule_instances.is_some()
            }
            Dataset::GroupAssignmentScheduleInstances => {
                self.group_assignment_schedule_instances.is_some()
            }
            Dataset::AccessReviews => self.access_reviews.is_some(),
            Dataset::ConditionalAccessPolicies => self.conditional_access_policies.is_some(),
            Dataset::AzureSubscriptions => self
                .azure
                .as_ref()
                .is_some_and(|a| a.subscriptions.is_some() && a.management_groups.is_some()),
            Dataset::AzureRoleAssignments => self
                .azure
                .as_ref()
                .is_some_and(|a| a.role_assignments.is_some()),
            Dataset::AzureRoleSchedules => self
                .azure
                .as_ref()
                .is_some_and(|a| a.eligibility_instances.is_some() && a.active_instances.is_some()),
            Dataset::AzureRoleSettings => self
                .azure
                .as_ref()
                .is_some_and(|a| a.role_settings.is_some()),
            Dataset::AzureRootScope => self
                .azure
                .as_ref()
                .is_some_and(|a| a.root_assignments.is_some()),
        }
    }

    /// Drops whatever was read of a dataset: afterwards `has(dataset)` is false. The
    /// caller records the gap that says why.
    pub fn forget(&mut self, dataset: Dataset) {
        match dataset {
            Dataset::Organization => self.organization = None,
            Dataset::SubscribedSkus => self.subscribed_skus = None,
            Dataset::RoleDefinitions => self.role_definitions = None,
            Dataset::RoleAssignments => self.role_assignments = None,
            Dataset::RoleAssignmentScheduleInstances => {
                self.role_assignment_schedule_instances = None;
            }
            Dataset::RoleAssignmentSchedules => self.role_assignment_schedules = None,
            Dataset::RoleEligibilityScheduleInstances => {
                self.role_eligibility_schedule_instances = None;
            }
            Dataset::RoleEligibilitySchedules => self.role_eligibility_schedules = None,
            Dataset::RoleManagementPolicies => self.role_management_policies = None,
            Dataset::PrivilegedPrincipals => self.privileged_principals = None,
            Dataset::SignInActivity => self.sign_in_activity = None,
            Dataset::PrivilegedGroups => self.privileged_groups = None,
            Dataset::GroupEligibilityScheduleInstances => {
                self.group_eligibility_schedule_instances = None;
            }
            Dataset::GroupAssignmentScheduleInstances => {
                self.group_assignment_schedule_instances = None;
            }
            Dataset::AccessReviews => self.access_reviews = None,
            Dataset::ConditionalAccessPolicies => self.conditional_access_policies = None,
            Dataset::AzureSubscriptions => {
                if let Some(a) = &mut self.azure {
                    a.subscriptions = None;
                    a.management_groups = None;
                }
            }
            Dataset::AzureRoleAssignments => {
                if let Some(a) = &mut self.azure {
                    a.role_assignments = None;
                }
            }
            Dataset::AzureRoleSchedules => {
                if let Some(a) = &mut self.azure {
                    a.eligibility_instances = None;
                    a.active_instances = None;
                }
            }
            Dataset::AzureRoleSettings => {
                if let Some(a) = &mut self.azure {
                    a.role_settings = None;
                }
            }
            Dataset::AzureRootScope => {
                if let Some(a) = &mut self.azure {
                    a.root_assignments = None;
                }
            }
        }
    }

    /// The tenant's display name, else its id.
    pub fn display_name(&self) -> &str {
        self.organization
            .as_ref()
            .and_then(|o| o.display_name.as_deref())
            .unwrap_or(&self.tenant_id)
    }

    pub fn default_domain(&self) -> Option<&str> {
        self.organization
            .as_ref()
            .and_then(Organization::default_domain)
    }

    /// A principal by object id, from every place the collector saw it.
    pub fn principal(&self, id: &str) -> Option<&Principal> {
        self.privileged_principals
            .iter()
            .flatten()
            .find(|p| p.id == id)
            .or_else(|| {
                self.role_assignments
                    .iter()
                    .flatten()
                    .filter_map(|a| a.principal.as_ref())
                    .find(|p| p.id == id)
            })
            .or_else(|| {
                self.privileged_groups
                    .iter()
                    .flatten()
                    .flat_map(|g| g.members.iter().chain(&g.owners))
                    .find(|p| p.id == id)
            })
            .or_else(|| {
                let instances = self
                    .role_eligibility_schedule_instances
                    .iter()
                    .chain(&self.role_assignment_schedule_instances)
                    .flatten()
                    .filter_map(|i| i.principal.as_ref());
                let schedules = self
                    .role_eligibility_schedules
                    .iter()
                    .chain(&self.role_assignment_schedules)
                    .flatten()
                    .filter_map(|s| s.principal.as_ref());
                instances.chain(schedules).find(|p| p.id == id)
            })
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a snapshot always serialises")
    }

    /// Parses a saved snapshot; `origin` names it in errors.
    pub fn from_json(text: &str, origin: &str) -> Result<Self, SnapshotError> {
        #[derive(Deserialize)]
        struct Version {
            schema_version: Option<u32>,
        }
        let malformed = |e: serde_json::Error| SnapshotError::Malformed {
            path: origin.to_owned(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        };
        let version: Version = serde_json::from_str(text).map_err(malformed)?;
        match version.schema_version {
            Some(SNAPSHOT_SCHEMA_VERSION) => serde_json::from_str(text).map_err(malformed),
            found => Err(SnapshotError::Version {
                path: origin.to_owned(),
                found: found.unwrap_or(0),
                expected: SNAPSHOT_SCHEMA_VERSION,
            }),
        }
    }

    pub fn load(path: &Path) -> Result<Self, SnapshotError> {
        let text = std::fs::read_to_string(path).map_err(|source| SnapshotError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_json(&text, &path.display().to_string())
    }
}
