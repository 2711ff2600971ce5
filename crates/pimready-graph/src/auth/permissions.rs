//! Every request the collector can send, with the delegated permissions Microsoft Graph
//! documents for it (least privileged first) and the page that says so. The sign-in asks
//! for [`SCOPES`](super::scopes::SCOPES); a test fails when a request needs a permission
//! that is not asked for, and when the collector builds a URL no row describes.

use pimready_core::snapshot::Dataset;

/// One kind of request and what Graph needs to answer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestPermission {
    pub method: &'static str,
    /// The path as sent, without the version and the query; `{id}` stands for an object id.
    pub path: &'static str,
    /// What it reads.
    pub dataset: Dataset,
    /// Any one of these delegated permissions grants it (least privileged first, as the
    /// "Permissions" table of `doc` lists them).
    pub permissions: &'static [&'static str],
    /// Needed as well as one of `permissions`.
    pub also: &'static [&'static str],
    /// The least privileged built-in directory roles, one of which the signed-in user
    /// needs (empty: any member user may read it).
    pub roles: &'static [&'static str],
    /// The Microsoft Graph v1.0 page (learn.microsoft.com/graph/api/…).
    pub doc: &'static str,
}

const PIM_ROLES: &[&str] = &[
    "Global Reader",
    "Security Operator",
    "Security Reader",
    "Security Administrator",
    "Privileged Role Administrator",
];
const ROLE_READERS: &[&str] = &[
    "Directory Readers",
    "Global Reader",
    "Privileged Role Administrator",
];

const fn get(
    path: &'static str,
    dataset: Dataset,
    permissions: &'static [&'static str],
    roles: &'static [&'static str],
    doc: &'static str,
) -> RequestPermission {
    RequestPermission {
        method: "GET",
        path,
        dataset,
        permissions,
        also: &[],
        roles,
        doc,
    }
}

/// Every request the collector sends. Object look-ups go inside `$batch` envelopes,
/// which need no permission of their own: Graph authorizes each inner request.
pub const REQUESTS: &[RequestPermission] = &[
    get(
        "/organization",
        Dataset::Organization,
        &["User.Read", "Organization.Read.All", "Directory.Read.All"],
        &[],
        "https://learn.microsoft.com/graph/api/organization-list",
    ),
    get(
        "/subscribedSkus",
        Dataset::SubscribedSkus,
        &[
            "LicenseAssignment.Read.All",
            "Organization.Read.All",
            "Directory.Read.All",
        ],
        &["Global Reader"],
        "https://learn.microsoft.com/graph/api/subscribedsku-list",
    ),
    get(
        "/roleManagement/directory/roleDefinitions",
        Dataset::RoleDefinitions,
        &[
            "RoleManagement.Read.Directory",
            "RoleManagement.Read.All",
            "Directory.Read.All",
        ],
        ROLE_READERS,
        "https://learn.microsoft.com/graph/api/rbacapplication-list-roledefinitions",
    ),
    get(
        "/roleManagement/directory/roleAssignments",
        Dataset::RoleAssignments,
        &[
            "RoleManagement.Read.Directory",
            "RoleManagement.Read.All",
            "Directory.Read.All",
        ],
        ROLE_READERS,
        "https://learn.microsoft.com/graph/api/rbacapplication-list-roleassignments",
    ),
    get(
        "/roleManagement/directory/roleAssignmentScheduleInstances",
        Dataset::RoleAssignmentScheduleInstances,
        &[
            "RoleAssignmentSchedule.Read.Directory",
            "RoleManagement.Read.Directory",
            "RoleManagement.Read.All",
        ],
        PIM_ROLES,
        "https://learn.microsoft.com/graph/api/rbacapplication-list-roleassignmentscheduleinstances",
    ),
    get(
        "/roleManagement/directory/roleAssignmentSchedules",
        Dataset::RoleAssignmentSchedules,
        &[
            "RoleAssignmentSchedule.Read.Directory",
            "RoleManagement.Read.Directory",
            "RoleManagement.Read.All",
        ],
        PIM_ROLES,
        "https://learn.microsoft.com/graph/api/rbacapplication-list-roleassignmentschedules",
    ),
    get(
        "/roleManagement/directory/roleEligibilityScheduleInstances",
        Dataset::RoleEligibilityScheduleInstances,
        &[
            "RoleEligibilitySchedule.Read.Directory",
            "RoleManagement.Read.Directory",
            "RoleManagement.Read.All",
        ],
        PIM_ROLES,
        "https://learn.microsoft.com/graph/api/rbacapplication-list-roleeligibilityscheduleinstances",
    ),
    get(
        "/roleManagement/directory/roleEligibilitySchedules",
        Dataset::RoleEligibilitySchedules,
        &[
            "RoleEligibilitySchedule.Read.Directory",
            "RoleManagement.Read.Directory",
            "RoleManagement.Read.All",
        ],
        PIM_ROLES,
        "https://learn.microsoft.com/graph/api/rbacapplication-list-roleeligibilityschedules",
    ),
    get(
        "/policies/roleManagementPolicyAssignments",
        Dataset::RoleManagementPolicies,
        &[
            "RoleManagementPolicy.Read.Directory",
            "RoleManagement.Read.Directory",
            "RoleManagement.Read.All",
        ],
        PIM_ROLES,
        "https://learn.microsoft.com/graph/api/policyroot-list-rolemanagementpolicyassignments",
    ),
    get(
        "/identityGovernance/accessReviews/definitions",
        Dataset::AccessReviews,
        &["AccessReview.Read.All", "AccessReview.ReadWrite.All"],
        &["Global Reader"],
        "https://learn.microsoft.com/graph/api/accessreviewset-list-definitions",
    ),
    get(
        "/identity/conditionalAccess/policies",
        Dataset::ConditionalAccessPolicies,
        &["Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"],
        &[
            "Security Reader",
            "Global Reader",
            "Conditional Access Administrator",
        ],
        "https://learn.microsoft.com/graph/api/conditionalaccessroot-list-policies",
    ),
    get(
        "/users/{id}",
        Dataset::PrivilegedPrincipals,
        &["User.Read.All", "User.ReadWrite.All", "Directory.Read.All"],
        &[],
        "https://learn.microsoft.com/graph/api/user-get",
    ),
    RequestPermission {
        method: "GET",
        path: "/users/{id}",
        dataset: Dataset::SignInActivity,
        permissions: &["User.Read.All", "User.ReadWrite.All", "Directory.Read.All"],
        also: &["AuditLog.Read.All"],
        roles: &[
            "Reports Reader",
            "Security Reader",
            "Security Administrator",
            "Global Reader",
        ],
        doc: "https://learn.microsoft.com/graph/api/resources/user (signInActivity)",
    },
    get(
        "/servicePrincipals/{id}",
        Dataset::PrivilegedPrincipals,
        &[
            "Application.Read.All",
            "Application.ReadWrite.All",
            "Directory.Read.All",
        ],
        &[],
        "https://learn.microsoft.com/graph/api/serviceprincipal-get",
    ),
    get(
        "/groups/{id}",
        Dataset::PrivilegedGroups,
        &[
            "GroupMember.Read.All",
            "Group.Read.All",
            "Directory.Read.All",
        ],
        &[],
        "https://learn.microsoft.com/graph/api/group-get",
    ),
    get(
        "/groups/{id}/members",
        Dataset::PrivilegedGroups,
        &[
            "GroupMember.Read.All",
            "Group.Read.All",
            "Directory.Read.All",
        ],
        &[],
        "https://learn.microsoft.com/graph/api/group-list-members",
    ),
    get(
        "/groups/{id}/owners",
        Dataset::PrivilegedGroups,
        &[
            "GroupMember.Read.All",
            "Group.Read.All",
            "Directory.Read.All",
        ],
        &[],
        "https://learn.microsoft.com/graph/api/group-list-owners",
    ),
    get(
        "/identityGovernance/privilegedAccess/group/eligibilityScheduleInstances",
        Dataset::GroupEligibilityScheduleInstances,
        &[
            "PrivilegedEligibilitySchedule.Read.AzureADGroup",
            "PrivilegedEligibilitySchedule.ReadWrite.AzureADGroup",
        ],
        &["Global Reader", "Privileged Role Administrator"],
        "https://learn.microsoft.com/graph/api/privilegedaccessgroup-list-eligibilityscheduleinstances",
    ),
    get(
        "/identityGovernance/privilegedAccess/group/assignmentScheduleInstances",
        Dataset::GroupAssignmentScheduleInstances,
        &[
            "PrivilegedAssignmentSchedule.Read.AzureADGroup",
            "PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup",
        ],
        &["Global Reader", "Privileged Role Administrator"],
        "https://learn.microsoft.com/graph/api/privilegedaccessgroup-list-assignmentscheduleinstances",
    ),
];

/// The row describing a request path (version and query stripped), for a dataset.
pub fn for_request(path: &str, dataset: Dataset) -> Option<&'static RequestPermission> {
    REQUESTS
        .iter()
        .find(|r| r.dataset == dataset && template_matches(r.path, path))
}

fn template_matches(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.trim_matches('/').split('/').collect();
    let p: Vec<&str> = path.trim_matches('/').split('/').collect();
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| *t == "{id}" && !p.is_empty() || t.eq_ignore_ascii_case(p))
}

/// The delegated scopes an access token says it carries (`scp`), when it is JWT-shaped.
pub fn granted_scopes(token: &crate::token::AccessToken) -> Option<Vec<String>> {
    super::jwt::claims(token.secret()).map(|c| c.scopes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::scopes::SCOPES;
    use crate::collect::{Lookup, WAVE_1};

    fn asked(permission: &str) -> bool {
        SCOPES
            .iter()
            .any(|s| s.graph && s.name.eq_ignore_ascii_case(permission))
    }

    /// Every request the collector can send is granted by the scopes the sign-in asks for,
    /// and Directory.* is never the reason: the least privileged permission is asked.
    #[test]
    fn every_request_is_granted_by_the_requested_scopes() {
        for r in REQUESTS {
            let granted: Vec<&str> = r.permissions.iter().copied().filter(|p| asked(p)).collect();
            assert_eq!(
                granted.first(),
                r.permissions.first(),
                "{} {} ({}): its least privileged permission {:?} is not in SCOPES",
                r.method,
                r.path,
                r.dataset,
                r.permissions.first()
            );
            for p in r.also {
                assert!(asked(p), "{} {}: {p} is not in SCOPES", r.method, r.path);
            }
            assert!(
                r.doc.starts_with("https://learn.microsoft.com/graph/api/"),
                "{}",
                r.doc
            );
        }
        assert!(!SCOPES.iter().any(|s| s.name.starts_with("Directory.")));
    }

    /// Every URL the collector builds has its row: a request added without its documented
    /// permission fails here.
    #[test]
    fn every_collector_request_has_a_row() {
        let id = "0a1b2c3d-0000-4000-8000-000000000001";
        let mut sent: Vec<(Dataset, String)> = WAVE_1
            .iter()
            .map(|(d, url)| (*d, (*url).to_owned()))
            .collect();
        for lookup in [
            Lookup::User(id.into()),
            Lookup::SignIn(id.into()),
            Lookup::ServicePrincipal(id.into()),
            Lookup::Group(id.into()),
            Lookup::Members(id.into()),
            Lookup::Owners(id.into()),
            Lookup::GroupEligibility(id.into()),
            Lookup::GroupAssignment(id.into()),
        ] {
            sent.push((lookup.dataset(), lookup.url()));
        }
        for (dataset, url) in sent {
            let path = url.split('?').next().unwrap_or_default();
            let path = path.strip_prefix("/v1.0").unwrap_or(path);
            let row = for_request(path, dataset)
                .unwrap_or_else(|| panic!("no permission row for {dataset}: GET {path}"));
            let wants_sign_in = url.contains("signInActivity");
            assert_eq!(
                row.also.contains(&"AuditLog.Read.All"),
                wants_sign_in,
                "{url}"
            );
        }
    }

    #[test]
    fn templates_match_object_ids_only_in_their_place() {
        assert!(template_matches("/users/{id}", "/users/abc"));
        assert!(!template_matches("/users/{id}", "/users"));
        assert!(!template_matches("/users/{id}", "/groups/abc"));
        assert!(template_matches(
            "/groups/{id}/members",
            "/groups/g/members"
        ));
        assert!(!template_matches(
            "/groups/{id}/members",
            "/groups/g/owners"
        ));
    }
}
