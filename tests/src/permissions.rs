//! What Microsoft Graph asks of a delegated token, route by route: the emulator's
//! specification of authorization. Each arm cites the v1.0 API page whose "Permissions"
//! table it copies (least privileged first; microsoft-graph-docs `api-reference/v1.0/api/…`).
//! A token is allowed a route when, for every requirement of the route, it was granted at
//! least one of that requirement's permissions; otherwise Graph answers 403
//! `Authorization_RequestDenied`.
//!
//! The signed-in user's directory role is the other half of Graph's check; the emulator's
//! signed-in user holds Global Reader (it may read everything the routes serve).

/// One requirement: any of these permissions (least privileged first).
pub type AnyOf = &'static [&'static str];

/// Reading users beyond the signed-in one, with properties other than the basic profile
/// (userType, licences, sync state): GET /users/{id} (`user-get.md`; `User.ReadBasic.All`
/// reads only the basic profile, `User.Read` only the signed-in user).
pub const READ_USERS: AnyOf = &[
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
/// GET /groups/{id} (`group-get.md`).
pub const READ_GROUPS: AnyOf = &[
    "GroupMember.Read.All",
    "Group.Read.All",
    "Directory.Read.All",
    "Group.ReadWrite.All",
    "Directory.ReadWrite.All",
];
/// GET /servicePrincipals/{id} (`serviceprincipal-get.md`).
pub const READ_SERVICE_PRINCIPALS: AnyOf = &[
    "Application.Read.All",
    "Application.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
/// `signInActivity` in `$select` (`resources/user.md`, property signInActivity: "require a
/// Microsoft Entra ID P1 or P2 license and the AuditLog.Read.All permission").
pub const READ_SIGN_IN_ACTIVITY: AnyOf = &["AuditLog.Read.All"];

/// The permissions a token needs to read an object of this `@odata.type` in full inside a
/// `directoryObject` answer (`$expand=principal`, members, owners). Without them Graph
/// returns the object's id and type only ("Limited information returned for inaccessible
/// member objects", graph/permissions-overview).
pub fn to_read_type(odata_type: &str) -> AnyOf {
    match odata_type.to_ascii_lowercase().as_str() {
        "#microsoft.graph.user" => READ_USERS,
        "#microsoft.graph.group" => READ_GROUPS,
        "#microsoft.graph.serviceprincipal" => READ_SERVICE_PRINCIPALS,
        _ => &["Directory.Read.All", "Directory.ReadWrite.All"],
    }
}

/// Every requirement of a request (all must be met). `None`: the emulator serves no such
/// route (the router answers it). The `$batch` envelope needs nothing itself: each inner
/// request is checked on its own (json-batching: "each individual request is authorized").
pub fn required(method: &str, segments: &[&str], select: &[String]) -> Option<Vec<AnyOf>> {
    let wants_sign_in = select
        .iter()
        .any(|f| f.eq_ignore_ascii_case("signInActivity"));
    if let Some(all) = write_requirements(method, segments) {
        return Some(all);
    }
    let rule: AnyOf = match (method, segments) {
        ("POST", ["$batch"]) => return Some(Vec::new()),
        // organization-list.md
        ("GET", ["organization"]) => &[
            "User.Read",
            "Organization.Read.All",
            "Directory.Read.All",
            "Organization.ReadWrite.All",
            "Directory.ReadWrite.All",
        ],
        // subscribedsku-list.md
        ("GET", ["subscribedskus"]) => &[
            "LicenseAssignment.Read.All",
            "Organization.Read.All",
            "Directory.Read.All",
            "Organization.ReadWrite.All",
            "Directory.ReadWrite.All",
        ],
        // rbacapplication-list-roledefinitions.md, rbacapplication-list-roleassignments.md
        // (directory provider)
        (
            "GET",
            [
                "rolemanagement",
                "directory",
                "roledefinitions" | "roleassignments",
            ],
        ) => &[
            "RoleManagement.Read.Directory",
            "RoleManagement.Read.All",
            "Directory.Read.All",
            "RoleManagement.ReadWrite.Directory",
            "Directory.ReadWrite.All",
        ],
        // rbacapplication-list-roleassignmentschedules.md,
        // rbacapplication-list-roleassignmentscheduleinstances.md
        (
            "GET",
            [
                "rolemanagement",
                "directory",
                "roleassignmentschedules" | "roleassignmentscheduleinstances",
            ],
        ) => &[
            "RoleAssignmentSchedule.Read.Directory",
            "RoleManagement.Read.Directory",
            "RoleManagement.Read.All",
            "RoleAssignmentSchedule.ReadWrite.Directory",
            "RoleManagement.ReadWrite.Directory",
        ],
        // rbacapplication-list-roleeligibilityschedules.md,
        // rbacapplication-list-roleeligibilityscheduleinstances.md
        (
            "GET",
            [
                "rolemanagement",
                "directory",
                "roleeligibilityschedules" | "roleeligibilityscheduleinstances",
            ],
        ) => &[
            "RoleEligibilitySchedule.Read.Directory",
            "RoleManagement.Read.Directory",
            "RoleManagement.Read.All",
            "RoleEligibilitySchedule.ReadWrite.Directory",
            "RoleManagement.ReadWrite.Directory",
        ],
        // policyroot-list-rolemanagementpolicyassignments.md (scoped to directory roles)
        ("GET", ["policies", "rolemanagementpolicyassignments"]) => &[
            "RoleManagementPolicy.Read.Directory",
            "RoleManagement.Read.Directory",
            "RoleManagement.Read.All",
            "RoleManagementPolicy.ReadWrite.Directory",
            "RoleManagement.ReadWrite.Directory",
        ],
        // accessreviewset-list-definitions.md
        ("GET", ["identitygovernance", "accessreviews", "definitions"]) => {
            &["AccessReview.Read.All", "AccessReview.ReadWrite.All"]
        }
        // conditionalaccessroot-list-policies.md
        ("GET", ["identity", "conditionalaccess", "policies"]) => {
            &["Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"]
        }
        // privilegedaccessgroup-list-eligibilityscheduleinstances.md
        (
            "GET",
            [
                "identitygovernance",
                "privilegedaccess",
                "group",
                "eligibilityscheduleinstances",
            ],
        ) => &[
            "PrivilegedEligibilitySchedule.Read.AzureADGroup",
            "PrivilegedEligibilitySchedule.ReadWrite.AzureADGroup",
        ],
        // privilegedaccessgroup-list-assignmentscheduleinstances.md
        (
            "GET",
            [
                "identitygovernance",
                "privilegedaccess",
                "group",
                "assignmentscheduleinstances",
            ],
        ) => &[
            "PrivilegedAssignmentSchedule.Read.AzureADGroup",
            "PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup",
        ],
        // user-list.md, user-get.md
        ("GET", ["users"] | ["users", _]) => READ_USERS,
        // group-get.md; group-list-members.md, group-list-owners.md (members of other
        // types are returned with limited information)
        ("GET", ["groups", _] | ["groups", _, "members" | "owners" | "transitivemembers"]) => &[
            "GroupMember.Read.All",
            "Group.Read.All",
            "Directory.Read.All",
            "GroupMember.ReadWrite.All",
            "Group.ReadWrite.All",
        ],
        // serviceprincipal-get.md
        ("GET", ["serviceprincipals", _]) => READ_SERVICE_PRINCIPALS,
        // directoryobject-get.md
        ("GET", ["directoryobjects", _]) => &["Directory.Read.All", "Directory.ReadWrite.All"],
        // directoryobject-getbyids.md: Directory.Read.All, no higher one listed
        ("POST", ["directoryobjects", "getbyids"]) => &["Directory.Read.All"],
        _ => return None,
    };
    let mut all = vec![rule];
    if wants_sign_in && segments.first() == Some(&"users") {
        all.push(READ_SIGN_IN_ACTIVITY);
    }
    Some(all)
}

/// The write routes a remediation change-set sends (`writes.rs`), each with the delegated
/// permissions its v1.0 page lists (learn.microsoft.com/graph/api/<page>?view=graph-rest-1.0).
fn write_requirements(method: &str, segments: &[&str]) -> Option<Vec<AnyOf>> {
    let all: Vec<AnyOf> = match (method, segments) {
        // rbacapplication-post-roleeligibilityschedulerequests: least privileged
        // RoleEligibilitySchedule.ReadWrite.Directory, higher RoleManagement.ReadWrite.Directory.
        (
            "POST",
            [
                "rolemanagement",
                "directory",
                "roleeligibilityschedulerequests",
            ],
        ) => vec![&[
            "RoleEligibilitySchedule.ReadWrite.Directory",
            "RoleManagement.ReadWrite.Directory",
        ]],
        // rbacapplication-post-roleassignmentschedulerequests: least privileged
        // RoleAssignmentSchedule.ReadWrite.Directory, higher RoleManagement.ReadWrite.Directory.
        (
            "POST",
            [
                "rolemanagement",
                "directory",
                "roleassignmentschedulerequests",
            ],
        ) => vec![&[
            "RoleAssignmentSchedule.ReadWrite.Directory",
            "RoleManagement.ReadWrite.Directory",
        ]],
        // unifiedrolemanagementpolicyrule-update: RoleManagementPolicy.ReadWrite.Directory,
        // RoleManagement.ReadWrite.Directory.
        ("PATCH", ["policies", "rolemanagementpolicies", _, "rules", _]) => vec![&[
            "RoleManagementPolicy.ReadWrite.Directory",
            "RoleManagement.ReadWrite.Directory",
        ]],
        // accessreviewset-post-definitions, accessreviewscheduledefinition-delete:
        // AccessReview.ReadWrite.All.
        ("POST", ["identitygovernance", "accessreviews", "definitions"])
        | ("DELETE", ["identitygovernance", "accessreviews", "definitions", _]) => {
            vec![&["AccessReview.ReadWrite.All"]]
        }
        // conditionalaccessroot-post-policies: "Policy.Read.All, Policy.ReadWrite.ConditionalAccess
        // and Application.Read.All" (all three).
        ("POST", ["identity", "conditionalaccess", "policies"]) => vec![
            &["Policy.ReadWrite.ConditionalAccess"],
            &["Policy.Read.All"],
            &["Application.Read.All", "Application.ReadWrite.All"],
        ],
        // conditionalaccesspolicy-delete: Policy.Read.All and Policy.ReadWrite.ConditionalAccess.
        ("DELETE", ["identity", "conditionalaccess", "policies", _]) => vec![
            &["Policy.ReadWrite.ConditionalAccess"],
            &["Policy.Read.All"],
        ],
        _ => return None,
    };
    Some(all)
}

/// The first requirement a token's grants do not meet.
pub fn unmet<'a>(required: &'a [AnyOf], granted: &[String]) -> Option<&'a AnyOf> {
    required.iter().find(|any| {
        !any.iter()
            .any(|p| granted.iter().any(|g| g.eq_ignore_ascii_case(p)))
    })
}
