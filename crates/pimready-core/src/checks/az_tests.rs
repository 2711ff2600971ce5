//! AZ check cases: a tenant whose Azure estate passes every AZ check, and per case one
//! mutation of it with the status it must give (run through the same table as the others).

#![allow(clippy::semicolon_if_nothing_returned)]

use super::tests::{Case, Fx, case};
use crate::finding::Status::{Fail, NotApplicable, NotAssessed, NotLicensed, Pass};
use crate::snapshot::{
    ArmApprovalSetting, ArmExpandedProperties, ArmPolicyAssignment, ArmPolicyAssignmentProperties,
    ArmPolicyRule, ArmPrincipal, ArmRoleAssignment, ArmRoleAssignmentProperties,
    ArmScheduleInstance, ArmScheduleInstanceProperties, AzureSnapshot, AzureSubscription,
    ManagementGroup, ManagementGroupProperties, OWNER, Principal, USER_ACCESS_ADMINISTRATOR,
};

pub(crate) const TENANT: &str = "00000000-0000-0000-0000-00000000c0de";
const SUB: &str = "/subscriptions/11111111-2222-4333-8444-555555555555";
const MG: &str = "/providers/Microsoft.Management/managementGroups/mg-prod";
const CONTRIBUTOR: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";

fn role_def(scope: &str, role: &str) -> String {
    format!("{scope}/providers/Microsoft.Authorization/roleDefinitions/{role}")
}

fn assignment(n: &str, principal: &str, kind: &str, role: &str, scope: &str) -> ArmRoleAssignment {
    ArmRoleAssignment {
        id: format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{n}"),
        properties: ArmRoleAssignmentProperties {
            role_definition_id: role_def(scope, role),
            principal_id: principal.to_owned(),
            principal_type: Some(kind.to_owned()),
            scope: scope.to_owned(),
            created_on: None,
        },
    }
}

fn instance(n: &str, principal: &str, role: &str, scope: &str) -> ArmScheduleInstance {
    ArmScheduleInstance {
        id: format!("{scope}/providers/Microsoft.Authorization/x/{n}"),
        properties: ArmScheduleInstanceProperties {
            scope: scope.to_owned(),
            role_definition_id: role_def(scope, role),
            principal_id: principal.to_owned(),
            principal_type: Some("User".to_owned()),
            start_date_time: None,
            end_date_time: None,
            assignment_type: None,
            origin_role_assignment_id: None,
            member_type: Some("Direct".to_owned()),
            expanded_properties: Some(ArmExpandedProperties {
                principal: Some(ArmPrincipal {
                    id: Some(principal.to_owned()),
                    display_name: Some(principal.to_owned()),
                    email: None,
                    kind: Some("User".to_owned()),
                }),
            }),
        },
    }
}

fn rule(id: &str) -> ArmPolicyRule {
    ArmPolicyRule {
        id: Some(id.into()),
        ..ArmPolicyRule::default()
    }
}

fn good_policy(scope: &str, role: &str) -> ArmPolicyAssignment {
    let notify = |id: &str| ArmPolicyRule {
        notification_level: Some("All".to_owned()),
        is_default_recipients_enabled: Some(true),
        notification_recipients: Some(vec!["secops@contoso.com".to_owned()]),
        ..rule(id)
    };
    ArmPolicyAssignment {
        id: format!(
            "{scope}/providers/Microsoft.Authorization/roleManagementPolicyAssignments/p_{role}"
        ),
        properties: ArmPolicyAssignmentProperties {
            scope: scope.to_owned(),
            role_definition_id: role_def(scope, role),
            policy_id: None,
            effective_rules: vec![
                ArmPolicyRule {
                    maximum_duration: Some("PT8H".to_owned()),
                    is_expiration_required: Some(true),
                    ..rule("Expiration_EndUser_Assignment")
                },
                ArmPolicyRule {
                    enabled_rules: Some(vec![
                        "MultiFactorAuthentication".to_owned(),
                        "Justification".to_owned(),
                    ]),
                    ..rule("Enablement_EndUser_Assignment")
                },
                ArmPolicyRule {
                    setting: Some(ArmApprovalSetting {
                        is_approval_required: Some(true),
                    }),
                    ..rule("Approval_EndUser_Assignment")
                },
                notify("Notification_Admin_Admin_Eligibility"),
                notify("Notification_Admin_Admin_Assignment"),
                notify("Notification_Admin_EndUser_Assignment"),
            ],
        },
    }
}

fn group(name: &str, display: &str) -> ManagementGroup {
    ManagementGroup {
        id: format!("/providers/Microsoft.Management/managementGroups/{name}"),
        name: name.to_owned(),
        properties: ManagementGroupProperties {
            display_name: Some(display.to_owned()),
            tenant_id: Some(TENANT.to_owned()),
        },
        readable: true,
    }
}

/// A well-run Azure estate: Owner and User Access Administrator only eligible or activated
/// through PIM, an app with Contributor, strict role settings, nobody at the root scope.
pub(crate) fn good_azure() -> AzureSnapshot {
    let root = format!("/providers/Microsoft.Management/managementGroups/{TENANT}");
    let mut activated = instance("act-ada", "ada", OWNER, SUB);
    activated.properties.assignment_type = Some("Activated".to_owned());
    activated.properties.end_date_time =
        Some(super::tests::collected_at() + chrono::Duration::hours(2));
    activated.properties.origin_role_assignment_id = Some(format!(
        "{SUB}/providers/Microsoft.Authorization/roleAssignments/ra-ada"
    ));
    let mut settings = Vec::new();
    for scope in [root.as_str(), MG, SUB] {
        for role in [OWNER, USER_ACCESS_ADMINISTRATOR] {
            settings.push(good_policy(scope, role));
        }
    }
    AzureSnapshot {
        arm_host: "management.azure.com".to_owned(),
        subscriptions: Some(vec![AzureSubscription {
            id: SUB.to_owned(),
            subscription_id: SUB.trim_start_matches("/subscriptions/").to_owned(),
            display_name: Some("Production".to_owned()),
            state: Some("Enabled".to_owned()),
            tenant_id: Some(TENANT.to_owned()),
            readable: true,
        }]),
        management_groups: Some(vec![
            group(TENANT, "Tenant Root Group"),
            group("mg-prod", "Production"),
        ]),
        role_assignments: Some(vec![
            assignment("ra-ada", "ada", "User", OWNER, SUB),
            assignment("ra-app", "app-deploy", "ServicePrincipal", CONTRIBUTOR, SUB),
        ]),
        eligibility_instances: Some(vec![
            instance("el-ada", "ada", OWNER, SUB),
            instance("el-grace", "grace", USER_ACCESS_ADMINISTRATOR, MG),
        ]),
        active_instances: Some(vec![activated]),
        role_settings: Some(settings),
        root_assignments: Some(Vec::new()),
        principals: Vec::new(),
        requests: 0,
    }
}

fn azure(f: &mut Fx) -> &mut AzureSnapshot {
    f.snapshot.azure.as_mut().unwrap()
}

fn policy<'a>(f: &'a mut Fx, scope: &str, role: &str) -> &'a mut ArmPolicyAssignmentProperties {
    let role_def = role_def(scope, role);
    &mut azure(f)
        .role_settings
        .as_mut()
        .unwrap()
        .iter_mut()
        .find(|p| p.properties.role_definition_id == role_def)
        .unwrap()
        .properties
}

fn rule_of<'a>(p: &'a mut ArmPolicyAssignmentProperties, id: &str) -> &'a mut ArmPolicyRule {
    p.effective_rules
        .iter_mut()
        .find(|r| r.id == Some(id.into()))
        .unwrap()
}

fn permanent(f: &mut Fx, who: &str, kind: &str, role: &str, scope: &str) {
    azure(f).role_assignments.as_mut().unwrap().push(assignment(
        &format!("ra-{who}-{role}"),
        who,
        kind,
        role,
        scope,
    ));
}

fn no_subscriptions(f: &mut Fx) {
    azure(f).subscriptions = Some(Vec::new());
}

/// AZ-01: nobody is a permanent active Owner, User Access Administrator or RBAC Administrator.
fn standing_access_cases() -> Vec<Case> {
    vec![
        // AZ-01
        case("AZ-01", "only eligible or activated", Pass, |_| {}),
        case("AZ-01", "permanent Owner on a subscription", Fail, |f| {
            permanent(f, "pat", "User", OWNER, SUB)
        }),
        case(
            "AZ-01",
            "permanent User Access Administrator on a management group",
            Fail,
            |f| permanent(f, "pat", "User", USER_ACCESS_ADMINISTRATOR, MG),
        ),
        case(
            "AZ-01",
            "a designated emergency account may stay",
            Pass,
            |f| {
                permanent(f, "bg1", "User", OWNER, MG);
                f.settings.emergency_accounts.push("bg1".to_owned())
            },
        ),
        case(
            "AZ-01",
            "permanent Contributor is not in scope",
            Pass,
            |f| permanent(f, "pat", "User", CONTRIBUTOR, SUB),
        ),
        case("AZ-01", "time-bound active assignment", Pass, |f| {
            permanent(f, "pat", "User", OWNER, SUB);
            let mut i = instance("tb-pat", "pat", OWNER, SUB);
            i.properties.assignment_type = Some("Assigned".to_owned());
            i.properties.end_date_time =
                Some(super::tests::collected_at() + chrono::Duration::days(30));
            azure(f).active_instances.as_mut().unwrap().push(i)
        }),
        case(
            "AZ-01",
            "no subscription visible, root not readable",
            NotAssessed,
            |f| {
                no_subscriptions(f);
                azure(f)
                    .management_groups
                    .as_mut()
                    .unwrap()
                    .retain(|g| g.name != TENANT)
            },
        ),
        case(
            "AZ-01",
            "root readable and no subscription",
            NotApplicable,
            no_subscriptions,
        ),
        case(
            "AZ-01",
            "a subscription refused its role assignments",
            NotAssessed,
            |f| azure(f).subscriptions.as_mut().unwrap()[0].readable = false,
        ),
        case("AZ-01", "refused scope cannot hide a failure", Fail, |f| {
            permanent(f, "pat", "User", OWNER, MG);
            azure(f).subscriptions.as_mut().unwrap()[0].readable = false
        }),
    ]
}

/// AZ-02 and AZ-03: Owner and User Access Administrator role settings, and their alerts.
fn role_setting_cases() -> Vec<Case> {
    vec![
        // AZ-02
        case("AZ-02", "strict settings", Pass, |_| {}),
        case(
            "AZ-02",
            "Owner on a management group without approval",
            Fail,
            |f| rule_of(policy(f, MG, OWNER), "Approval_EndUser_Assignment").setting = None,
        ),
        case(
            "AZ-02",
            "approval is not needed on a subscription",
            Pass,
            |f| rule_of(policy(f, SUB, OWNER), "Approval_EndUser_Assignment").setting = None,
        ),
        case("AZ-02", "activation lasts 12 hours", Fail, |f| {
            rule_of(
                policy(f, SUB, USER_ACCESS_ADMINISTRATOR),
                "Expiration_EndUser_Assignment",
            )
            .maximum_duration = Some("PT12H".to_owned())
        }),
        case("AZ-02", "no MFA and no authentication context", Fail, |f| {
            rule_of(policy(f, SUB, OWNER), "Enablement_EndUser_Assignment").enabled_rules =
                Some(vec!["Justification".to_owned()])
        }),
        case(
            "AZ-02",
            "an authentication context instead of MFA",
            Pass,
            |f| {
                let p = policy(f, SUB, OWNER);
                rule_of(p, "Enablement_EndUser_Assignment").enabled_rules =
                    Some(vec!["Justification".to_owned()]);
                p.effective_rules.push(ArmPolicyRule {
                    is_enabled: Some(true),
                    claim_value: Some("c1".to_owned()),
                    ..rule("AuthenticationContext_EndUser_Assignment")
                })
            },
        ),
        case("AZ-02", "no justification", Fail, |f| {
            rule_of(
                policy(f, MG, USER_ACCESS_ADMINISTRATOR),
                "Enablement_EndUser_Assignment",
            )
            .enabled_rules = Some(vec!["MultiFactorAuthentication".to_owned()])
        }),
        case("AZ-02", "settings missing for a role", NotAssessed, |f| {
            let role_def = role_def(SUB, OWNER);
            azure(f)
                .role_settings
                .as_mut()
                .unwrap()
                .retain(|p| p.properties.role_definition_id != role_def)
        }),
        case("AZ-02", "no P2", NotLicensed, Fx::no_p2),
        // AZ-03
        case("AZ-03", "alerts go to the security team", Pass, |_| {}),
        case("AZ-03", "activations alert only the defaults", Fail, |f| {
            rule_of(
                policy(f, SUB, OWNER),
                "Notification_Admin_EndUser_Assignment",
            )
            .notification_recipients = Some(Vec::new())
        }),
        case("AZ-03", "no P2", NotLicensed, Fx::no_p2),
    ]
}

/// AZ-04 to AZ-06: nobody standing at the root, no guests or applications as Owner, and
/// every eligible user licensed.
fn holder_cases() -> Vec<Case> {
    vec![
        // AZ-04
        case("AZ-04", "nobody at the root scope", Pass, |_| {}),
        case("AZ-04", "elevated access left on", Fail, |f| {
            azure(f).root_assignments.as_mut().unwrap().push(assignment(
                "root-ada",
                "ada",
                "User",
                USER_ACCESS_ADMINISTRATOR,
                "/",
            ))
        }),
        // AZ-05
        case("AZ-05", "members only", Pass, |_| {}),
        case("AZ-05", "an app owns a subscription", Fail, |f| {
            permanent(f, "app-deploy", "ServicePrincipal", OWNER, SUB)
        }),
        case("AZ-05", "a guest is eligible for Owner", Fail, |f| {
            f.user("ada").user_type = Some("Guest".to_owned())
        }),
        case(
            "AZ-05",
            "an Owner Graph did not describe",
            NotAssessed,
            |f| permanent(f, "stranger", "User", OWNER, SUB),
        ),
        case("AZ-05", "an Owner looked up for Azure", Pass, |f| {
            permanent(f, "stranger", "User", OWNER, SUB);
            azure(f).principals.push(Principal {
                odata_type: Some("#microsoft.graph.user".to_owned()),
                id: "stranger".into(),
                user_type: Some("Member".to_owned()),
                ..Principal::default()
            })
        }),
        // AZ-06
        case(
            "AZ-06",
            "seats cover the Azure-eligible users",
            Pass,
            |_| {},
        ),
        case("AZ-06", "seats fall short", Fail, |f| {
            f.licensing.seats.shortfall = 2;
        }),
        case("AZ-06", "nobody eligible in Azure", NotApplicable, |f| {
            azure(f).eligibility_instances = Some(Vec::new())
        }),
    ]
}

/// Every Azure case, joined into the check table by `super::tests`.
pub(crate) fn cases() -> Vec<Case> {
    [
        standing_access_cases(),
        role_setting_cases(),
        holder_cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}
