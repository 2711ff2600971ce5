//! The delegated permissions PIM Ready asks for: read-only, least privilege, each
//! with the reason it is needed (the README and `docs/sign-in.md` print this list).
//!
//! Each Graph permission is chosen as the *least privileged* delegated permission
//! in the "Permissions" table of the Graph v1.0 API page it serves
//! (learn.microsoft.com/graph/api/…); none of them can write.

/// One requested scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    /// The permission name as Microsoft spells it.
    pub name: &'static str,
    /// Why PIM Ready needs it, in one line.
    pub reason: &'static str,
    /// `true` for a Microsoft Graph permission (sent as `{graph resource}/{name}`),
    /// `false` for an OpenID Connect scope (sent as is).
    pub graph: bool,
}

const fn graph(name: &'static str, reason: &'static str) -> Scope {
    Scope {
        name,
        reason,
        graph: true,
    }
}
const fn oidc(name: &'static str, reason: &'static str) -> Scope {
    Scope {
        name,
        reason,
        graph: false,
    }
}

/// Every scope requested at sign-in, in the order shown to users.
pub const SCOPES: &[Scope] = &[
    graph(
        "User.Read",
        "Sign in and read the tenant's organization profile (GET /organization: name, verified domains).",
    ),
    graph(
        "LicenseAssignment.Read.All",
        "Read the tenant's subscriptions (GET /subscribedSkus) to see whether Entra ID P2 / ID Governance is licensed.",
    ),
    graph(
        "RoleManagement.Read.Directory",
        "Read directory role definitions and active role assignments (roleManagement/directory/roleDefinitions, roleAssignments).",
    ),
    graph(
        "RoleEligibilitySchedule.Read.Directory",
        "Read PIM eligible role assignments (roleEligibilitySchedules and their instances).",
    ),
    graph(
        "RoleAssignmentSchedule.Read.Directory",
        "Read PIM active/time-bound role assignments (roleAssignmentSchedules and their instances).",
    ),
    graph(
        "RoleManagementPolicy.Read.Directory",
        "Read PIM role settings: activation duration, MFA, approval, notifications (policies/roleManagementPolicyAssignments for directory roles).",
    ),
    graph(
        "PrivilegedEligibilitySchedule.Read.AzureADGroup",
        "Read eligible memberships/ownerships of PIM for Groups (role-assignable groups).",
    ),
    graph(
        "PrivilegedAssignmentSchedule.Read.AzureADGroup",
        "Read active memberships/ownerships of PIM for Groups.",
    ),
    graph(
        "RoleManagementPolicy.Read.AzureADGroup",
        "Read PIM for Groups settings (roleManagementPolicyAssignments scoped to groups).",
    ),
    graph(
        "AccessReview.Read.All",
        "Read access review definitions that cover privileged roles and groups.",
    ),
    graph(
        "Policy.Read.All",
        "Read Conditional Access policies and authentication strengths that protect admin roles.",
    ),
    graph(
        "GroupMember.Read.All",
        "Read the role-assignable groups that hold admin roles and their members and owners (GET /groups/{id}, /members, /owners).",
    ),
    graph(
        "Application.Read.All",
        "Read the service principals that hold admin roles (GET /servicePrincipals/{id}: name, app id).",
    ),
    graph(
        "User.Read.All",
        "Read the properties of the users who hold privileged roles (type, sync state, licences) — never the whole user list.",
    ),
    graph(
        "AuditLog.Read.All",
        "Read signInActivity of privileged accounts, to flag stale admins.",
    ),
    oidc(
        "openid",
        "Receive an ID token naming the tenant (tid) and the account, so tokens are never mixed between tenants.",
    ),
    oidc(
        "profile",
        "Show which account is signed in (preferred_username).",
    ),
    oidc(
        "offline_access",
        "Receive a refresh token, kept only in the OS keychain, so the next run does not ask again.",
    ),
];

/// The scope strings sent to the authority: Graph permissions prefixed with the
/// cloud's Graph resource (e.g. `https://graph.microsoft.us/User.Read.All`).
pub fn requested_scopes(graph_resource: &str) -> Vec<String> {
    let resource = graph_resource.trim_end_matches('/');
    SCOPES
        .iter()
        .map(|s| {
            if s.graph {
                format!("{resource}/{}", s.name)
            } else {
                s.name.to_owned()
            }
        })
        .collect()
}

/// The scope table as Markdown (`| Permission | Why |`), for the README and docs.
pub fn scopes_markdown() -> String {
    use std::fmt::Write as _;
    let mut out = String::from("| Permission | Why |\n|---|---|\n");
    for s in SCOPES {
        let _ = writeln!(out, "| `{}` | {} |", s.name, s.reason);
    }
    out
}

#[cfg(test)]
mod tests {
    /// The README's permission table is generated from `SCOPES`;
    /// `UPDATE_EXPECT=1 cargo test -p pimready-core readme_scopes` rewrites it.
    #[test]
    fn readme_scopes_table_is_up_to_date() {
        const START: &str = "<!-- scopes:start -->";
        const END: &str = "<!-- scopes:end -->";
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md");
        let readme = std::fs::read_to_string(path).unwrap();
        let start = readme.find(START).expect("README has the scopes markers") + START.len();
        let end = start
            + readme[start..]
                .find(END)
                .expect("README has the end marker");
        let fresh = format!(
            "{}\n{}{}",
            &readme[..start],
            super::scopes_markdown(),
            &readme[end..]
        );
        if std::env::var_os("UPDATE_EXPECT").is_some() {
            std::fs::write(path, &fresh).unwrap();
        } else {
            assert!(
                readme == fresh,
                "README.md's permission table is stale: run `UPDATE_EXPECT=1 cargo test -p pimready-core readme_scopes`"
            );
        }
    }

    use super::*;

    #[test]
    fn docs_list_every_scope() {
        let doc = include_str!("../../../../docs/sign-in.md");
        for s in SCOPES {
            assert!(
                doc.contains(&format!("`{}`", s.name)),
                "docs/sign-in.md does not list {}",
                s.name
            );
        }
        assert_eq!(scopes_markdown().lines().count(), SCOPES.len() + 2);
    }

    #[test]
    fn read_only_and_prefixed() {
        assert!(SCOPES.iter().all(|s| !s.name.contains("Write")));
        let s = requested_scopes("https://graph.microsoft.us/");
        assert!(s.contains(&"https://graph.microsoft.us/AuditLog.Read.All".to_owned()));
        assert!(s.contains(&"offline_access".to_owned()));
    }
}
