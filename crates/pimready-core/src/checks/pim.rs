//! PIM checks: assignments (PIM-01…03), role settings (PIM-04…09), alerts (PIM-10…12)
//! and access reviews (PIM-13).

use chrono::NaiveDate;

use super::{
    CheckContext, CheckDef, GLOBAL_ADMINISTRATOR, Outcome, PRIVILEGED_ROLE_ADMINISTRATOR, PlanDef,
    PrivilegedRole, RefDef, RemediationDef, RoleVerdict, Step, holding_evidence, is_emergency,
    kind_label, now, per_role, privileged_holdings, privileged_roles, role_evidence, same_id,
};
use crate::duration::IsoDuration;
use crate::finding::{Category, Evidence, MinimumLicence, Severity, Status};
use crate::privileged::HoldingKind;
use crate::snapshot::PolicyRuleId;
use crate::snapshot::{
    AccessReviewDefinition, AccessReviewReviewerScope, AssignmentType, Dataset, GroupAccessId,
    PolicyRule, PrincipalKind, ReviewStatus, RoleManagementPolicy,
};

const POLICY_PORTAL: &str = "Entra admin center > Identity governance > Privileged Identity Management > Microsoft Entra roles > Settings > (role) > Edit";
/// A PowerShell snippet that first loads the role's policy assignment.
macro_rules! policy_ps {
    ($body:expr) => {
        concat!(
            "$policy = Get-MgPolicyRoleManagementPolicyAssignment -Filter \"scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '<role template id>'\" | Select-Object -First 1\n",
            $body
        )
    };
}

fn is_gp(role: &PrivilegedRole) -> bool {
    same_id(&role.template_id, GLOBAL_ADMINISTRATOR)
        || same_id(&role.template_id, PRIVILEGED_ROLE_ADMINISTRATOR)
}

fn only(ctx: &CheckContext<'_>, template_id: &str) -> Vec<PrivilegedRole> {
    privileged_roles(ctx)
        .into_iter()
        .filter(|r| same_id(&r.template_id, template_id))
        .collect()
}

// ----- assignments -----

pub(super) const PIM_01: CheckDef = CheckDef {
    id: "PIM-01",
    title: "No permanent active assignments to highly privileged roles (emergency accounts excepted)",
    category: Category::PimAssignments,
    severity: Severity::Critical,
    references: &[RefDef::cis("5.3.1"), RefDef::scuba("MS.AAD.7.4v1")],
    minimum_licence: MinimumLicence::Free,
    data: &[Dataset::RoleAssignments],
    data_with_pim: &[Dataset::RoleAssignmentScheduleInstances],
    rationale: "Standing privilege is what PIM removes: an eligible administrator holds no power until they activate, with MFA, justification and a time limit. SCuBA MS.AAD.7.4v1: \"Permanent active role assignments SHALL NOT be allowed for highly privileged roles\"; CIS 5.3.1 asks for PIM instead of permanent members. Every principal type counts (users, groups, service principals): only the emergency-access accounts the tenant designated are exempt. SCuBA's notes also tolerate service accounts and groups enrolled in PIM for Groups; PIM Ready lists them, because an application cannot activate (its role is a standing key) and a group's permanent role is as standing as its membership (PIM-03 checks the members).",
    differs: "ScubaGear's MS.AAD.7.4v1 test flags active assignments with no end date but lets a configuration file exempt users and groups, and SCuBA's notes tolerate service accounts and groups in PIM for Groups; PIM Ready exempts only designated emergency accounts and lists groups and service principals too. It also runs without P2 (every active assignment is then permanent), where ScubaGear simply fails the policy.",
    remediation: RemediationDef {
        steps: &[
            "For each listed user, create an eligible assignment to the same role in PIM, have the user activate once, then remove the permanent active assignment.",
            "For each listed group, make its role assignment eligible (or give it an end date) and govern its membership with PIM for Groups.",
            "For each listed service principal, replace the directory role with the narrowest Microsoft Graph application permission or a scoped role; if it must stay, give the assignment an end date and review it.",
            "Keep only the designated emergency-access accounts permanent (--emergency-account or Settings).",
        ],
        portal_path: "Entra admin center > Identity governance > Privileged Identity Management > Microsoft Entra roles > Assignments > Active assignments",
        powershell: "New-MgRoleManagementDirectoryRoleEligibilityScheduleRequest -Action adminAssign -PrincipalId <user or group id> -RoleDefinitionId <role template id> -DirectoryScopeId '/' -Justification 'Move to just-in-time' -ScheduleInfo @{ StartDateTime = (Get-Date); Expiration = @{ Type = 'afterDuration'; Duration = 'P365D' } }\nNew-MgRoleManagementDirectoryRoleAssignmentScheduleRequest -Action adminRemove -PrincipalId <principal id> -RoleDefinitionId <role template id> -DirectoryScopeId '/'",
    },
    plan: PlanDef::new(
        Step::Eligible,
        "Permanent assignments",
        "Create an eligible assignment, have the user activate once, then remove the permanent active assignment",
    ),
    evaluate: pim_01,
};

/// The plan's action for a group PIM-01 lists (the `PlanDef` action is for users).
pub(crate) const PIM_01_GROUP_ACTION: &str = "Make the group's role assignment eligible (or time-bound) and govern its membership with PIM for Groups";
/// The plan's action for a service principal PIM-01 lists.
pub(crate) const PIM_01_APP_ACTION: &str = "Replace the directory role with narrow application permissions, or give the assignment an end date";

/// What PIM-01 says about a permanent holder, by principal type.
fn permanent_detail(kind: &PrincipalKind) -> &'static str {
    match kind {
        PrincipalKind::User => "permanent active assignment",
        PrincipalKind::Group => {
            "permanent active assignment to a group: every member holds the role while a member"
        }
        PrincipalKind::ServicePrincipal => {
            "permanent active assignment to a service principal: an application cannot activate, so the role is standing"
        }
        PrincipalKind::Unknown => "permanent active assignment to a principal of unknown type",
    }
}

/// MS.AAD.7.4v1 and CIS 5.3.1: no principal of any type (user, group, service principal)
/// holds a highly privileged role through a permanent active assignment; designated
/// emergency accounts are the only exception. Holdings through a group are the group's
/// own assignment (listed once, as the group).
fn pim_01(ctx: &CheckContext<'_>) -> Outcome {
    let standing: Vec<&crate::privileged::Holding> = privileged_holdings(ctx)
        .filter(|h| h.holding == HoldingKind::PermanentActive && h.via_group.is_none())
        .filter(|h| !is_emergency(ctx, &h.principal_id))
        .collect();
    let source = if ctx.licensing.pim_capable {
        "PIM schedule instances"
    } else {
        "active role assignments (no P2: every one is permanent)"
    };
    if standing.is_empty() {
        return Outcome::pass(format!(
            "No user, group or service principal holds a highly privileged role through a permanent active assignment, designated emergency accounts aside (read from {source})."
        ));
    }
    let evidence: Vec<Evidence> = standing
        .iter()
        .map(|h| holding_evidence(ctx, h, permanent_detail(&h.kind)))
        .collect();
    let holders = |kind: PrincipalKind| {
        let mut ids: Vec<&str> = standing
            .iter()
            .filter(|h| h.kind == kind)
            .map(|h| h.principal_id.as_str())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    };
    let counts: Vec<String> = [
        (PrincipalKind::User, "user(s)"),
        (PrincipalKind::Group, "group(s)"),
        (PrincipalKind::ServicePrincipal, "service principal(s)"),
        (PrincipalKind::Unknown, "principal(s) of unknown type"),
    ]
    .into_iter()
    .filter_map(|(kind, label)| {
        let n = holders(kind);
        (n > 0).then(|| format!("{n} {label}"))
    })
    .collect();
    Outcome::new(
        Status::Fail,
        format!(
            "{} permanent active assignments to highly privileged roles, held by {}.",
            evidence.len(),
            counts.join(", ")
        ),
        evidence,
    )
}

pub(super) const PIM_02: CheckDef = CheckDef {
    id: "PIM-02",
    title: "Highly privileged roles are not assigned outside PIM",
    category: Category::PimAssignments,
    severity: Severity::High,
    references: &[RefDef::scuba("MS.AAD.7.5v1")],
    minimum_licence: MinimumLicence::P2,
    data: &[
        Dataset::RoleAssignmentScheduleInstances,
        Dataset::RoleAssignmentSchedules,
    ],
    data_with_pim: &[],
    rationale: "Assignments made outside PIM (legacy portals, scripts, other tools) bypass its approval, justification and audit trail. SCuBA MS.AAD.7.5v1's instructions: on a role's Active assignments, a Start time of '-' \"indicates the respective user/group was assigned to that role outside of Microsoft Entra ID PIM\". Rule: an active assignment (assignmentType Assigned; activations are not assignments) of a highly privileged role is outside PIM when its roleAssignmentScheduleInstance has a null startDateTime (ScubaGear's test in AADConfig.rego, over the same instances), or when the roleAssignmentSchedule it belongs to (roleAssignmentScheduleId) has a null createdUsing, the id of the request that created it (the test Maester applies besides a null scheduleInfo.startDateTime). Users, groups and service principals count; a user holding the role only through a group is judged on the group's assignment.",
    differs: "Stricter than either tool alone: an assignment fails on ScubaGear's MS.AAD.7.5v1 test (null startDateTime on its schedule instance) or on Maester's (null createdUsing on its schedule). Activations are left out, as neither tool counts them as assignments.",
    remediation: RemediationDef {
        steps: &[
            "Find who or what creates assignments outside PIM (scripts, provisioning tools, the legacy role API) and route it through PIM.",
            "Re-create each listed assignment through PIM (as eligible where possible) and remove the original.",
        ],
        portal_path: "Entra admin center > Identity governance > Privileged Identity Management > Microsoft Entra roles > Assignments > Active assignments",
        powershell: "Get-MgRoleManagementDirectoryRoleAssignmentSchedule -All | Where-Object { -not $_.CreatedUsing } | Select-Object PrincipalId, RoleDefinitionId, CreatedDateTime",
    },
    plan: PlanDef::new(
        Step::Eligible,
        "Assignments made outside PIM",
        "Re-create the assignment through PIM (eligible where possible) and remove the original; stop the tool that made it",
    ),
    evaluate: pim_02,
};

fn pim_02(ctx: &CheckContext<'_>) -> Outcome {
    let evidence: Vec<Evidence> = privileged_holdings(ctx)
        .filter(|h| h.outside_pim && h.via_group.is_none())
        .filter(|h| {
            matches!(
                h.holding,
                HoldingKind::PermanentActive | HoldingKind::TimeBoundActive
            )
        })
        .map(|h| {
            holding_evidence(
                ctx,
                h,
                "assigned outside PIM (no start date or no creating request)",
            )
        })
        .collect();
    if evidence.is_empty() {
        Outcome::pass("Every active highly privileged assignment was made through PIM.")
    } else {
        Outcome::new(
            Status::Fail,
            format!(
                "{} active highly privileged assignments were made outside PIM.",
                evidence.len()
            ),
            evidence,
        )
    }
}

pub(super) const PIM_03: CheckDef = CheckDef {
    id: "PIM-03",
    title: "Groups holding privileged roles are governed by PIM for Groups",
    category: Category::PimAssignments,
    severity: Severity::Medium,
    references: &[RefDef::scuba("MS.AAD.7.4v1")],
    minimum_licence: MinimumLicence::P2,
    data: &[
        Dataset::PrivilegedGroups,
        Dataset::GroupEligibilityScheduleInstances,
        Dataset::GroupAssignmentScheduleInstances,
    ],
    data_with_pim: &[],
    rationale: "A group with a permanent role is only as just-in-time as its membership: permanent members of a role-assignable group hold the role permanently (SCuBA's exception for groups assumes PIM for Groups).",
    differs: "SCuBA MS.AAD.7.4v1's note accepts a group's permanent role when the group is enrolled in PIM for Groups; PIM Ready checks that the enrolment is used: each member (designated emergency accounts aside) must be eligible, time-bound or activated through PIM for Groups; a permanent member fails. Owners are not judged.",
    remediation: RemediationDef {
        steps: &[
            "Bring the group under PIM for Groups.",
            "Make each listed member eligible for group membership and remove the permanent membership.",
        ],
        portal_path: "Entra admin center > Identity governance > Privileged Identity Management > Groups > (group) > Assignments",
        powershell: "New-MgIdentityGovernancePrivilegedAccessGroupEligibilityScheduleRequest -AccessId member -Action adminAssign -GroupId <group id> -PrincipalId <user id> -ScheduleInfo @{ StartDateTime = (Get-Date); Expiration = @{ Type = 'afterDuration'; Duration = 'P365D' } }\nRemove-MgGroupMemberDirectoryObjectByRef -GroupId <group id> -DirectoryObjectId <user id>",
    },
    plan: PlanDef::new(
        Step::Eligible,
        "Groups holding privileged roles",
        "Make the group membership eligible through PIM for Groups and remove the permanent membership",
    ),
    evaluate: pim_03,
};

fn pim_03(ctx: &CheckContext<'_>) -> Outcome {
    let s = ctx.snapshot;
    let eligible = s
        .group_eligibility_schedule_instances
        .as_deref()
        .unwrap_or_default();
    let assigned = s
        .group_assignment_schedule_instances
        .as_deref()
        .unwrap_or_default();
    let mut governed_groups = 0usize;
    let mut evidence = Vec::new();
    for group in s.privileged_groups.iter().flatten() {
        let gid = &group.group.id;
        let roles: Vec<&str> = {
            let mut r: Vec<&str> = privileged_holdings(ctx)
                .filter(|h| {
                    h.principal_id == *gid || h.via_group.as_ref().is_some_and(|v| *v == *gid)
                })
                .map(|h| h.role_name.as_str())
                .collect();
            r.sort_unstable();
            r.dedup();
            r
        };
        if roles.is_empty() {
            continue;
        }
        governed_groups += 1;
        for member in &group.members {
            if is_emergency(ctx, &member.id) {
                continue;
            }
            let is_member_access =
                |a: &Option<GroupAccessId>| a.as_ref().is_none_or(|a| *a == GroupAccessId::Member);
            let managed = eligible.iter().any(|e| {
                e.group_id == *gid && e.principal_id == member.id && is_member_access(&e.access_id)
            }) || assigned.iter().any(|a| {
                a.group_id == *gid
                    && a.principal_id == member.id
                    && is_member_access(&a.access_id)
                    && (a.end_date_time.is_some()
                        || a.assignment_type == Some(AssignmentType::Activated))
            });
            if managed {
                continue;
            }
            evidence.push(Evidence {
                display_name: member.name().to_owned(),
                principal_name: member
                    .user_principal_name
                    .clone()
                    .or_else(|| member.app_id.clone()),
                object_id: Some(member.id.to_string()),
                object_type: kind_label(&member.kind()).to_owned(),
                role: Some(roles.join(", ")),
                assignment_type: Some(format!("permanent member of group {}", group.group.name())),
                detail: format!(
                    "permanent member of {} without PIM for Groups",
                    group.group.name()
                ),
                ..Evidence::default()
            });
        }
    }
    if governed_groups == 0 {
        return Outcome::new(
            Status::NotApplicable,
            "No role-assignable group holds a highly privileged role.",
            Vec::new(),
        );
    }
    if evidence.is_empty() {
        Outcome::pass(format!(
            "Members of all {governed_groups} groups holding highly privileged roles are managed by PIM for Groups."
        ))
    } else {
        Outcome::new(
            Status::Fail,
            format!(
                "{} permanent members of groups holding highly privileged roles are not managed by PIM for Groups.",
                evidence.len()
            ),
            evidence,
        )
    }
}

// ----- role settings -----

/// Whether a named approver can approve someone's activation.
enum Approver {
    /// A user who exists and is enabled (a group's known members resolve to these).
    User(String),
    /// Exists, but who acts is not known here (a group whose members were not read, a
    /// manager or attribute rule).
    Someone,
    /// Deleted, or disabled: cannot act.
    Gone(String),
    /// Graph did not show it to this sign-in.
    Unverified(String),
}

/// The approvers a stage names, resolved against the directory objects that were read.
/// A user or group look-up that answered 404 left nothing: the object was deleted.
fn resolve_approvers(ctx: &CheckContext<'_>, policy: &RoleManagementPolicy) -> Vec<Approver> {
    let s = ctx.snapshot;
    let read = s.privileged_principals.is_some();
    let user = |id: &str, named: Option<&str>| -> Approver {
        let label = named.map_or_else(|| id.to_owned(), str::to_owned);
        match s.principal(id) {
            _ if !read => Approver::Unverified(format!("{label} (users were not read)")),
            None => Approver::Gone(format!("{label} (deleted or not found)")),
            Some(p) if p.is_unknown() => Approver::Unverified(p.label()),
            Some(p) if p.account_enabled == Some(false) => {
                Approver::Gone(format!("{} (disabled)", p.label()))
            }
            Some(p) => Approver::User(p.id.to_string()),
        }
    };
    let mut out = Vec::new();
    let stages = policy
        .rule(&PolicyRuleId::ApprovalEndUserAssignment)
        .and_then(|r| r.setting.as_ref())
        .map(|st| st.approval_stages.as_slice())
        .unwrap_or_default();
    for set in stages.iter().flat_map(|st| &st.primary_approvers) {
        let kind = set.odata_type.as_deref().unwrap_or_default();
        match (&set.user_id, &set.group_id) {
            (Some(id), _) => out.push(user(id, set.description.as_deref())),
            (None, Some(gid)) => {
                let label = set.description.clone().unwrap_or_else(|| gid.to_string());
                let role_group = s
                    .privileged_groups
                    .iter()
                    .flatten()
                    .find(|g| g.group.id == *gid);
                let group = s.principal(gid).or(role_group.map(|g| &g.group));
                match (group, role_group.map(|g| &g.members)) {
                    _ if !read => out.push(Approver::Unverified(format!(
                        "group {label} (groups were not read)"
                    ))),
                    (None, _) => out.push(Approver::Gone(format!(
                        "group {label} (deleted or not found)"
                    ))),
                    (Some(g), _) if g.is_unknown() => {
                        out.push(Approver::Unverified(format!("group {}", g.label())));
                    }
                    (Some(_), Some(members)) => {
                        let before = out.len();
                        // The member as listed, or the fuller record read for it.
                        out.extend(
                            members
                                .iter()
                                .filter(|m| m.kind() == PrincipalKind::User)
                                .map(|m| s.principal(&m.id).unwrap_or(m))
                                .filter(|m| m.account_enabled != Some(false) && !m.is_unknown())
                                .map(|m| Approver::User(m.id.to_string())),
                        );
                        if out.len() == before {
                            out.push(Approver::Gone(format!("group {label} (no enabled member)")));
                        }
                    }
                    (Some(_), None) => out.push(Approver::Someone),
                }
            }
            // A requestor's manager, an attribute rule...: someone other than the requester.
            (None, None) if !kind.is_empty() => out.push(Approver::Someone),
            (None, None) => {}
        }
    }
    out
}

/// CIS 5.3.4/5.3.5 and MS.AAD.7.6: activation requires approval by someone who can act.
/// - No approver named: Microsoft's default approvers decide ("If no specific approvers
///   are selected, Privileged Role Administrator/Global Administrators become the default
///   approvers", <https://learn.microsoft.com/en-us/entra/id-governance/privileged-identity-management/pim-how-to-change-default-settings#require-approval-to-activate>):
///   a warning.
/// - Every named approver deleted or disabled: nobody can approve, a fail.
/// - An eligible user whose only possible approver is themselves: "Approvers are not able
///   to approve their own role activation requests"
///   (<https://learn.microsoft.com/en-us/entra/id-governance/privileged-identity-management/pim-approval-workflow>),
///   a fail.
fn approval(
    ctx: &CheckContext<'_>,
    role: &PrivilegedRole,
    policy: &RoleManagementPolicy,
) -> RoleVerdict {
    let Some(setting) = policy
        .rule(&PolicyRuleId::ApprovalEndUserAssignment)
        .and_then(|r| r.setting.as_ref())
    else {
        return RoleVerdict::Fail("no approval rule".to_owned());
    };
    if setting.is_approval_required != Some(true) {
        return RoleVerdict::Fail("activation does not require approval".to_owned());
    }
    let named = setting
        .approval_stages
        .iter()
        .map(|s| s.primary_approvers.len())
        .sum::<usize>();
    if named == 0 {
        let suggested = crate::plan::suggested_approvers(ctx.population);
        let recommend = if suggested.is_empty() {
            "name at least two specific approvers".to_owned()
        } else {
            format!(
                "name specific approvers, for example {}",
                suggested.join(", ")
            )
        };
        return RoleVerdict::Warn(format!(
            "approval is required but no approver is named: Microsoft's default approvers (Privileged Role Administrators and Global Administrators) decide; {recommend}"
        ));
    }
    let approvers = resolve_approvers(ctx, policy);
    let users: Vec<&str> = approvers
        .iter()
        .filter_map(|a| match a {
            Approver::User(id) => Some(id.as_str()),
            _ => None,
        })
        .collect();
    let someone = approvers.iter().any(|a| matches!(a, Approver::Someone));
    let gone: Vec<&str> = approvers
        .iter()
        .filter_map(|a| match a {
            Approver::Gone(why) => Some(why.as_str()),
            _ => None,
        })
        .collect();
    let unverified: Vec<&str> = approvers
        .iter()
        .filter_map(|a| match a {
            Approver::Unverified(why) => Some(why.as_str()),
            _ => None,
        })
        .collect();
    if users.is_empty() && !someone {
        if !unverified.is_empty() {
            return RoleVerdict::Warn(format!(
                "no named approver could be verified: {}{}",
                unverified.join(", "),
                if gone.is_empty() {
                    String::new()
                } else {
                    format!("; the others cannot act: {}", gone.join(", "))
                }
            ));
        }
        return RoleVerdict::Fail(format!("no named approver can act: {}", gone.join(", ")));
    }
    // Each eligible user needs an approver other than themselves.
    let mut stranded: Vec<String> = Vec::new();
    for h in ctx
        .population
        .of_role(&role.template_id)
        .filter(|h| h.holding == HoldingKind::Eligible && h.kind == PrincipalKind::User)
    {
        if users.iter().all(|id| h.principal_id == *id) {
            let name = h.display_name();
            if !stranded.contains(&name) {
                stranded.push(name);
            }
        }
    }
    // An approver whose members or manager are not known here may be someone else.
    if !stranded.is_empty() && !someone {
        if !unverified.is_empty() {
            return RoleVerdict::Warn(format!(
                "{} can only be approved by approvers that could not be verified: {}",
                stranded.join(", "),
                unverified.join(", ")
            ));
        }
        return RoleVerdict::Fail(format!(
            "the only approver is the requester (an approver cannot approve their own activation): {} has no other approver",
            stranded.join(", ")
        ));
    }
    if !gone.is_empty() {
        return RoleVerdict::Warn(format!(
            "some named approvers cannot act: {}",
            gone.join(", ")
        ));
    }
    RoleVerdict::Ok
}

macro_rules! approval_ps {
    () => {
        "$rule = @{ '@odata.type' = '#microsoft.graph.unifiedRoleManagementPolicyApprovalRule'; id = 'Approval_EndUser_Assignment'; target = @{ caller = 'EndUser'; operations = @('All'); level = 'Assignment' }; setting = @{ isApprovalRequired = $true; approvalMode = 'SingleStage'; approvalStages = @(@{ approvalStageTimeOutInDays = 1; isApproverJustificationRequired = $true; primaryApprovers = @(@{ '@odata.type' = '#microsoft.graph.singleUser'; userId = '<approver id>' }) }) } }\nUpdate-MgPolicyRoleManagementPolicyRule -UnifiedRoleManagementPolicyId $policy.PolicyId -UnifiedRoleManagementPolicyRuleId 'Approval_EndUser_Assignment' -BodyParameter $rule"
    };
}

pub(super) const PIM_04: CheckDef = CheckDef {
    id: "PIM-04",
    title: "Global Administrator activation requires approval",
    category: Category::PimRoleSettings,
    severity: Severity::Critical,
    references: &[RefDef::cis("5.3.4"), RefDef::scuba("MS.AAD.7.6v1")],
    minimum_licence: MinimumLicence::P2,
    data: &[Dataset::RoleManagementPolicies],
    data_with_pim: &[],
    rationale: "Approval puts a second person between a stolen eligible account and Global Administrator. With no approver named, Microsoft's default approvers (Privileged Role Administrators and Global Administrators) decide: a warning, since nobody chose them. It fails when no named approver can act (each deleted or disabled) or when an eligible user's only approver is themselves: an approver cannot approve their own activation.",
    differs: "ScubaGear's MS.AAD.7.6v1 test reads only Approval_EndUser_Assignment.isApprovalRequired (for the role and for PIM for Groups groups assigned to it, whose settings PIM Ready does not read). PIM Ready also judges the approvers: none named is a warning (Microsoft's default approvers decide), and approvers who cannot act, or who are the only eligible user, fail.",
    remediation: RemediationDef {
        steps: &[
            "Open the Global Administrator role settings in PIM.",
            "Turn on 'Require approval to activate' and name at least two enabled approvers, so every eligible user has an approver other than themselves.",
        ],
        portal_path: POLICY_PORTAL,
        powershell: policy_ps!(approval_ps!()),
    },
    plan: PlanDef::new(
        Step::RoleSettings,
        "Global Administrator",
        "require approval and name at least two approvers (or a security group)",
    )
    .suggesting_approvers(),
    evaluate: pim_04,
};

fn pim_04(ctx: &CheckContext<'_>) -> Outcome {
    per_role(
        ctx,
        &only(ctx, GLOBAL_ADMINISTRATOR),
        "require approval by someone other than the requester",
        |role, policy| approval(ctx, role, policy),
    )
}

pub(super) const PIM_05: CheckDef = CheckDef {
    id: "PIM-05",
    title: "Privileged Role Administrator activation requires approval",
    category: Category::PimRoleSettings,
    severity: Severity::High,
    references: &[RefDef::cis("5.3.5")],
    minimum_licence: MinimumLicence::P2,
    data: &[Dataset::RoleManagementPolicies],
    data_with_pim: &[],
    rationale: "Privileged Role Administrator can grant any role, Global Administrator included: it deserves the same second pair of eyes. Approvers are judged as for PIM-04: default approvers are a warning; approvers who cannot act, or who are the only eligible user, fail.",
    differs: "CIS 5.3.5 only (SCuBA asks approval for Global Administrator alone). Approvers are judged as in PIM-04, which goes beyond the benchmark's 'approval is required'.",
    remediation: RemediationDef {
        steps: &[
            "Open the Privileged Role Administrator role settings in PIM.",
            "Turn on 'Require approval to activate' and name at least two enabled approvers, so every eligible user has an approver other than themselves.",
        ],
        portal_path: POLICY_PORTAL,
        powershell: policy_ps!(approval_ps!()),
    },
    plan: PlanDef::new(
        Step::RoleSettings,
        "Privileged Role Administrator",
        "require approval and name at least two approvers (or a security group)",
    )
    .suggesting_approvers(),
    evaluate: pim_05,
};

fn pim_05(ctx: &CheckContext<'_>) -> Outcome {
    per_role(
        ctx,
        &only(ctx, PRIVILEGED_ROLE_ADMINISTRATOR),
        "require approval by someone other than the requester",
        |role, policy| approval(ctx, role, policy),
    )
}

pub(super) const PIM_06: CheckDef = CheckDef {
    id: "PIM-06",
    title: "Activation lasts at most 8 hours",
    category: Category::PimRoleSettings,
    severity: Severity::High,
    references: &[RefDef::pim_deployment_plan()],
    minimum_licence: MinimumLicence::P2,
    data: &[Dataset::RoleManagementPolicies],
    data_with_pim: &[],
    rationale: "An activation is standing privilege for its duration; Microsoft's deployment plan caps it at a working day, and the most powerful roles need far less.",
    differs: "No CIS or SCuBA control: the threshold is Microsoft's deployment plan, stated in the rule. Not compared with Maester's PIM setting tests.",
    remediation: RemediationDef {
        steps: &[
            "Set 'Activation maximum duration' to 8 hours or less for every highly privileged role.",
            "Use 1 to 4 hours for Global Administrator and Privileged Role Administrator.",
        ],
        portal_path: POLICY_PORTAL,
        powershell: policy_ps!(
            "Update-MgPolicyRoleManagementPolicyRule -UnifiedRoleManagementPolicyId $policy.PolicyId -UnifiedRoleManagementPolicyRuleId 'Expiration_EndUser_Assignment' -BodyParameter @{ '@odata.type' = '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule'; id = 'Expiration_EndUser_Assignment'; isExpirationRequired = $true; maximumDuration = 'PT4H'; target = @{ caller = 'EndUser'; operations = @('All'); level = 'Assignment' } }"
        ),
    },
    plan: PlanDef::new(
        Step::RoleSettings,
        "Highly privileged roles",
        "activation at most 8 hours",
    )
    .stricter_for_top_roles("activation of 1–4 hours (8 at most)"),
    evaluate: pim_06,
};

fn pim_06(ctx: &CheckContext<'_>) -> Outcome {
    let eight = IsoDuration::from_hours(8);
    let four = IsoDuration::from_hours(4);
    per_role(
        ctx,
        &privileged_roles(ctx),
        "limit activation to 8 hours",
        |role, policy| {
            let Some(max) = policy
                .rule(&PolicyRuleId::ExpirationEndUserAssignment)
                .and_then(|r| r.maximum_duration.as_ref())
            else {
                return RoleVerdict::Fail("no activation maximum duration".to_owned());
            };
            if *max > eight {
                RoleVerdict::Fail(format!("activation lasts up to {} ({max})", max.human()))
            } else if is_gp(role) && *max > four {
                RoleVerdict::Warn(format!(
                    "activation lasts up to {} ({max}); 1–4 hours is advised for this role",
                    max.human()
                ))
            } else {
                RoleVerdict::Ok
            }
        },
    )
}

fn enabled_rules(policy: &RoleManagementPolicy) -> &[String] {
    policy
        .rule(&PolicyRuleId::EnablementEndUserAssignment)
        .and_then(|r| r.enabled_rules.as_deref())
        .unwrap_or_default()
}

pub(super) const PIM_07: CheckDef = CheckDef {
    id: "PIM-07",
    title: "Activation requires MFA or an authentication context",
    category: Category::PimRoleSettings,
    severity: Severity::High,
    references: &[RefDef::pim_deployment_plan()],
    minimum_licence: MinimumLicence::P2,
    data: &[Dataset::RoleManagementPolicies],
    data_with_pim: &[],
    rationale: "Activation is the moment privilege is granted: it must prove the person is present with MFA, or a Conditional Access authentication context that demands more.",
    differs: "No CIS or SCuBA control: Microsoft's deployment plan. A Conditional Access authentication context counts as meeting it, since it can demand more than MFA. Not compared with Maester's PIM setting tests.",
    remediation: RemediationDef {
        steps: &[
            "In each highly privileged role's settings, choose 'On activation, require: Azure MFA' or a Conditional Access authentication context.",
        ],
        portal_path: POLICY_PORTAL,
        powershell: policy_ps!(
            "Update-MgPolicyRoleManagementPolicyRule -UnifiedRoleManagementPolicyId $policy.PolicyId -UnifiedRoleManagementPolicyRuleId 'Enablement_EndUser_Assignment' -BodyParameter @{ '@odata.type' = '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule'; id = 'Enablement_EndUser_Assignment'; enabledRules = @('MultiFactorAuthentication','Justification'); target = @{ caller = 'EndUser'; operations = @('All'); level = 'Assignment' } }"
        ),
    },
    plan: PlanDef::new(
        Step::RoleSettings,
        "Highly privileged roles",
        "require MFA (or an authentication context) on activation",
    ),
    evaluate: pim_07,
};

fn pim_07(ctx: &CheckContext<'_>) -> Outcome {
    per_role(
        ctx,
        &privileged_roles(ctx),
        "require MFA or an authentication context to activate",
        |_, policy| {
            let mfa = enabled_rules(policy)
                .iter()
                .any(|r| r.eq_ignore_ascii_case("MultiFactorAuthentication"));
            let context = policy
                .rule(&PolicyRuleId::AuthenticationContextEndUserAssignment)
                .and_then(|r| r.is_enabled)
                == Some(true);
            if mfa || context {
                RoleVerdict::Ok
            } else {
                RoleVerdict::Fail(
                    "activation requires neither MFA nor an authentication context".to_owned(),
                )
            }
        },
    )
}

pub(super) const PIM_08: CheckDef = CheckDef {
    id: "PIM-08",
    title: "Activation requires a justification",
    category: Category::PimRoleSettings,
    severity: Severity::Medium,
    references: &[RefDef::pim_deployment_plan()],
    minimum_licence: MinimumLicence::P2,
    data: &[Dataset::RoleManagementPolicies],
    data_with_pim: &[],
    rationale: "A justification ties every activation to a reason an auditor or approver can check.",
    differs: "No CIS or SCuBA control: Microsoft's deployment plan. Not compared with Maester's PIM setting tests.",
    remediation: RemediationDef {
        steps: &[
            "In each highly privileged role's settings, turn on 'Require justification on activation'.",
        ],
        portal_path: POLICY_PORTAL,
        powershell: policy_ps!(
            "Update-MgPolicyRoleManagementPolicyRule -UnifiedRoleManagementPolicyId $policy.PolicyId -UnifiedRoleManagementPolicyRuleId 'Enablement_EndUser_Assignment' -BodyParameter @{ '@odata.type' = '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule'; id = 'Enablement_EndUser_Assignment'; enabledRules = @('MultiFactorAuthentication','Justification'); target = @{ caller = 'EndUser'; operations = @('All'); level = 'Assignment' } }"
        ),
    },
    plan: PlanDef::new(
        Step::RoleSettings,
        "Highly privileged roles",
        "require a justification on activation",
    ),
    evaluate: pim_08,
};

fn pim_08(ctx: &CheckContext<'_>) -> Outcome {
    per_role(
        ctx,
        &privileged_roles(ctx),
        "require a justification to activate",
        |_, policy| {
            if enabled_rules(policy)
                .iter()
                .any(|r| r.eq_ignore_ascii_case("Justification"))
            {
                RoleVerdict::Ok
            } else {
                RoleVerdict::Fail("activation requires no justification".to_owned())
            }
        },
    )
}

pub(super) const PIM_09: CheckDef = CheckDef {
    id: "PIM-09",
    title: "Role settings forbid permanent active assignment",
    category: Category::PimRoleSettings,
    severity: Severity::High,
    references: &[RefDef::pim_deployment_plan()],
    minimum_licence: MinimumLicence::P2,
    data: &[Dataset::RoleManagementPolicies],
    data_with_pim: &[],
    rationale: "While the setting allows permanent active assignment, any administrator can recreate standing privilege with one click.",
    differs: "No CIS or SCuBA control: Microsoft's deployment plan. Not compared with Maester's PIM setting tests.",
    remediation: RemediationDef {
        steps: &[
            "In each highly privileged role's settings, clear 'Allow permanent active assignment' and set an expiry (e.g. 6 months).",
            "Emergency-access accounts keep their existing permanent assignment.",
        ],
        portal_path: POLICY_PORTAL,
        powershell: policy_ps!(
            "Update-MgPolicyRoleManagementPolicyRule -UnifiedRoleManagementPolicyId $policy.PolicyId -UnifiedRoleManagementPolicyRuleId 'Expiration_Admin_Assignment' -BodyParameter @{ '@odata.type' = '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule'; id = 'Expiration_Admin_Assignment'; isExpirationRequired = $true; maximumDuration = 'P180D'; target = @{ caller = 'Admin'; operations = @('All'); level = 'Assignment' } }"
        ),
    },
    plan: PlanDef::new(
        Step::RoleSettings,
        "Highly privileged roles",
        "forbid permanent active assignment (expire after at most 6 months)",
    ),
    evaluate: pim_09,
};

fn pim_09(ctx: &CheckContext<'_>) -> Outcome {
    per_role(
        ctx,
        &privileged_roles(ctx),
        "forbid permanent active assignment",
        |_, policy| match policy
            .rule(&PolicyRuleId::ExpirationAdminAssignment)
            .and_then(|r| r.is_expiration_required)
        {
            Some(true) => RoleVerdict::Ok,
            _ => RoleVerdict::Fail("permanent active assignment is allowed".to_owned()),
        },
    )
}

// ----- alerts -----

/// Additional recipients on a notification rule (the default recipients alone do not count).
fn extra_recipients(rule: Option<&PolicyRule>) -> usize {
    rule.and_then(|r| r.notification_recipients.as_ref())
        .map_or(0, |r| r.iter().filter(|a| !a.trim().is_empty()).count())
}

fn notification_verdict(
    policy: &RoleManagementPolicy,
    rules: &[(PolicyRuleId, &str)],
) -> RoleVerdict {
    let missing: Vec<&str> = rules
        .iter()
        .filter(|(id, _)| extra_recipients(policy.rule(id)) == 0)
        .map(|(_, what)| *what)
        .collect();
    if missing.is_empty() {
        RoleVerdict::Ok
    } else {
        RoleVerdict::Fail(format!(
            "no additional recipients are notified of {}",
            missing.join(" or ")
        ))
    }
}

macro_rules! notify_ps {
    () => {
        "Update-MgPolicyRoleManagementPolicyRule -UnifiedRoleManagementPolicyId $policy.PolicyId -UnifiedRoleManagementPolicyRuleId '<rule id>' -BodyParameter @{ '@odata.type' = '#microsoft.graph.unifiedRoleManagementPolicyNotificationRule'; id = '<rule id>'; notificationType = 'Email'; recipientType = 'Admin'; notificationLevel = 'All'; isDefaultRecipientsEnabled = $true; notificationRecipients = @('secops@contoso.com') }"
    };
}

pub(super) const PIM_10: CheckDef = CheckDef {
    id: "PIM-10",
    title: "Assigning a highly privileged role triggers an alert",
    category: Category::PimRoleSettings,
    severity: Severity::Medium,
    references: &[RefDef::scuba("MS.AAD.7.7v1")],
    minimum_licence: MinimumLicence::P2,
    data: &[Dataset::RoleManagementPolicies],
    data_with_pim: &[],
    rationale: "A new eligible or active assignment is how an attacker persists; the security team, not only the admins who made it, should hear of it.",
    differs: "Same rules as ScubaGear's MS.AAD.7.7v1 test (recipients on Notification_Admin_Admin_Assignment and Notification_Admin_Admin_Eligibility), over PIM Ready's eleven highly privileged roles instead of SCuBA's eight (stricter). ScubaGear also reads the settings of PIM for Groups groups assigned to those roles; PIM Ready does not collect them.",
    remediation: RemediationDef {
        steps: &[
            "In each highly privileged role's settings, Notification tab: under 'Send notifications when members are assigned as eligible' and '... as active', add the security team's mailbox as an additional recipient (rules Notification_Admin_Admin_Eligibility and Notification_Admin_Admin_Assignment).",
        ],
        portal_path: POLICY_PORTAL,
        powershell: policy_ps!(notify_ps!()),
    },
    plan: PlanDef::new(
        Step::Alerts,
        "Highly privileged roles",
        "Notify the security team (additional recipient) when the role is assigned, eligible or active",
    ),
    evaluate: pim_10,
};

fn pim_10(ctx: &CheckContext<'_>) -> Outcome {
    per_role(
        ctx,
        &privileged_roles(ctx),
        "alert additional recipients when the role is assigned",
        |_, policy| {
            notification_verdict(
                policy,
                &[
                    (
                        PolicyRuleId::NotificationAdminAdminAssignment,
                        "active assignments",
                    ),
                    (
                        PolicyRuleId::NotificationAdminAdminEligibility,
                        "eligible assignments",
                    ),
                ],
            )
        },
    )
}

pub(super) const PIM_11: CheckDef = CheckDef {
    id: "PIM-11",
    title: "Activating Global Administrator triggers an alert",
    category: Category::PimRoleSettings,
    severity: Severity::Medium,
    references: &[RefDef::scuba("MS.AAD.7.8v1")],
    minimum_licence: MinimumLicence::P2,
    data: &[Dataset::RoleManagementPolicies],
    data_with_pim: &[],
    rationale: "Every Global Administrator activation should reach someone who can tell a planned change from an intrusion.",
    differs: "Same rule as ScubaGear's MS.AAD.7.8v1 test (recipients on Global Administrator's Notification_Admin_EndUser_Assignment). ScubaGear also reads PIM for Groups settings of groups holding the role; PIM Ready does not collect them.",
    remediation: RemediationDef {
        steps: &[
            "In the Global Administrator role settings, Notification tab: under 'Send notifications when eligible members activate this role', add the security team as an additional recipient (rule Notification_Admin_EndUser_Assignment).",
        ],
        portal_path: POLICY_PORTAL,
        powershell: policy_ps!(notify_ps!()),
    },
    plan: PlanDef::new(
        Step::Alerts,
        "Global Administrator",
        "Notify the security team (additional recipient) when the role is activated",
    ),
    evaluate: pim_11,
};

fn pim_11(ctx: &CheckContext<'_>) -> Outcome {
    per_role(
        ctx,
        &only(ctx, GLOBAL_ADMINISTRATOR),
        "alert additional recipients on activation",
        |_, policy| {
            notification_verdict(
                policy,
                &[(
                    PolicyRuleId::NotificationAdminEndUserAssignment,
                    "activations",
                )],
            )
        },
    )
}

pub(super) const PIM_12: CheckDef = CheckDef {
    id: "PIM-12",
    title: "Activating other highly privileged roles triggers an alert",
    category: Category::PimRoleSettings,
    severity: Severity::Low,
    references: &[RefDef::scuba("MS.AAD.7.9v1")],
    minimum_licence: MinimumLicence::P2,
    data: &[Dataset::RoleManagementPolicies],
    data_with_pim: &[],
    rationale: "Activations of the other highly privileged roles are rarer than daily work and worth a glance by the security team.",
    differs: "Same rule as ScubaGear's MS.AAD.7.9v1 test, over PIM Ready's highly privileged roles other than Global Administrator (three more than SCuBA's list). PIM for Groups settings are not read, as for PIM-11.",
    remediation: RemediationDef {
        steps: &[
            "In each listed role's settings, Notification tab: under 'Send notifications when eligible members activate this role', add the security team as an additional recipient (rule Notification_Admin_EndUser_Assignment).",
        ],
        portal_path: POLICY_PORTAL,
        powershell: policy_ps!(notify_ps!()),
    },
    plan: PlanDef::new(
        Step::Alerts,
        "Highly privileged roles",
        "Notify the security team (additional recipient) when the role is activated",
    ),
    evaluate: pim_12,
};

fn pim_12(ctx: &CheckContext<'_>) -> Outcome {
    let roles: Vec<PrivilegedRole> = privileged_roles(ctx)
        .into_iter()
        .filter(|r| !same_id(&r.template_id, GLOBAL_ADMINISTRATOR))
        .collect();
    per_role(
        ctx,
        &roles,
        "alert additional recipients on activation",
        |_, policy| {
            notification_verdict(
                policy,
                &[(
                    PolicyRuleId::NotificationAdminEndUserAssignment,
                    "activations",
                )],
            )
        },
    )
}

// ----- access reviews -----

/// The roles CIS M365 5.3.3 names: "These reviews should include at a minimum the roles
/// listed below" (template ids: https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference).
pub(crate) const CIS_REVIEW_ROLES: [(&str, &str); 5] = [
    (
        "62e90394-69f5-4237-9190-012177145e10",
        "Global Administrator",
    ),
    (
        "29232cdf-9323-42fd-ade2-1d097af3e4de",
        "Exchange Administrator",
    ),
    (
        "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
        "SharePoint Administrator",
    ),
    (
        "69091246-20e8-4a56-aa4d-066075b2a7a8",
        "Teams Administrator",
    ),
    (
        "194ae4cb-b126-40b2-bd5b-6091b380977d",
        "Security Administrator",
    ),
];

/// CIS 5.3.3: "Duration (in days) - 4 at most".
pub(crate) const CIS_REVIEW_MAX_DAYS: i64 = 4;

pub(super) const PIM_13: CheckDef = CheckDef {
    id: "PIM-13",
    title: "Access reviews cover privileged roles",
    category: Category::PimRoleSettings,
    severity: Severity::Medium,
    references: &[RefDef::cis("5.3.3")],
    minimum_licence: MinimumLicence::P2,
    data: &[Dataset::AccessReviews],
    data_with_pim: &[],
    rationale: "Eligibility accumulates: a recurring review makes someone other than the holder confirm, at least monthly, that each privileged holder still needs the role. Rule (CIS 5.3.3's audit criteria, each read from the accessReviewScheduleDefinition): every role CIS names (Global, Exchange, SharePoint, Teams and Security Administrator) and every other highly privileged role someone holds has a review that is: Scope Everyone (scope is a principalResourceMembershipsScope whose principalScopes are the unfiltered queries /users and /groups and whose resourceScopes hold /roleManagement/directory/roleDefinitions/{role}: all active and eligible assignments of users and groups); Status Active (status Initializing, Starting, InProgress or Applying; a review still NotStarted is not Active yet, so a role whose only review meeting the rest is waiting for its start date is a warning, not a pass); Reviewers designated personnel, not a self-review (a reviewers query naming /users/{id} or /groups/{id}; an empty list is a self-review, and in a multi-stage review every stage's reviewers count); Mail notifications, Reminders and Require reason on approval on (settings.mailNotificationsEnabled, reminderNotificationsEnabled, justificationRequiredOnApproval); Frequency monthly or more often and not ended (settings.recurrence: weekly, daily, or absoluteMonthly/relativeMonthly with interval 1; a range whose endDate has passed has ended); Duration at most 4 days (settings.instanceDurationInDays, or the stages' cumulative durationInDays, which overrides it); Auto apply results on (settings.autoApplyDecisionsEnabled); If reviewers don't respond: No change (settings.defaultDecisionEnabled not true).",
    differs: "Stricter than CIS 5.3.3 in two ways: besides CIS's five roles, every other highly privileged role that someone holds needs its review; and 'Scope - Everyone' is read as users and groups (principalScopes /users and /groups), so a review of users only, or of only eligible or only active assignments, does not count. The two public automated 5.3.3 tests read for this either test only that a review names the role or compare properties Graph does not return; PIM Ready reads each criterion from the review definition.",
    remediation: RemediationDef {
        steps: &[
            "Create one PIM access review per role (Graph takes one role per review) for Global, Exchange, SharePoint, Teams and Security Administrator and every other highly privileged role in use.",
            "Scope: all users and groups, all active and eligible assignments; reviewers: named people other than the holders; recur monthly (or more often) with no end; duration at most 4 days.",
            "Upon completion: auto-apply results; if reviewers don't respond: No change (so emergency accounts are never removed by silence). Turn on mail notifications, reminders and reason on approval.",
        ],
        portal_path: "Entra admin center > Identity governance > Privileged Identity Management > Microsoft Entra roles > Access reviews > New",
        powershell: "New-MgIdentityGovernanceAccessReviewDefinition -BodyParameter @{ displayName = 'Monthly review: Global Administrator'; scope = @{ '@odata.type' = '#microsoft.graph.principalResourceMembershipsScope'; principalScopes = @(@{ '@odata.type' = '#microsoft.graph.accessReviewQueryScope'; query = '/users'; queryType = 'MicrosoftGraph' }, @{ '@odata.type' = '#microsoft.graph.accessReviewQueryScope'; query = '/groups'; queryType = 'MicrosoftGraph' }); resourceScopes = @(@{ '@odata.type' = '#microsoft.graph.accessReviewQueryScope'; query = '/roleManagement/directory/roleDefinitions/62e90394-69f5-4237-9190-012177145e10'; queryType = 'MicrosoftGraph' }) }; reviewers = @(@{ query = '/users/<reviewer id>'; queryType = 'MicrosoftGraph' }); settings = @{ mailNotificationsEnabled = $true; reminderNotificationsEnabled = $true; justificationRequiredOnApproval = $true; recommendationsEnabled = $true; instanceDurationInDays = 3; autoApplyDecisionsEnabled = $true; defaultDecisionEnabled = $false; defaultDecision = 'None'; recurrence = @{ pattern = @{ type = 'absoluteMonthly'; interval = 1 }; range = @{ type = 'noEnd'; startDate = (Get-Date -Format 'yyyy-MM-dd') } } } }",
    },
    plan: PlanDef::new(
        Step::AccessReviews,
        "The roles CIS 5.3.3 names and the other highly privileged roles in use",
        "Cover with a monthly access review (everyone in scope, at most 4 days, auto-apply, no change when reviewers don't respond)",
    ),
    evaluate: pim_13,
};

/// Recurs at least monthly and has not ended.
fn recurs_monthly(review: &AccessReviewDefinition, today: NaiveDate) -> bool {
    let Some(recurrence) = review.settings.as_ref().and_then(|s| s.recurrence.as_ref()) else {
        return false;
    };
    let Some(pattern) = recurrence.pattern.as_ref() else {
        return false;
    };
    let interval = pattern.interval.unwrap_or(1).max(1);
    let often = match pattern
        .kind
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("daily") => interval <= 31,
        Some("weekly") => interval <= 4,
        Some("absolutemonthly" | "relativemonthly") => interval == 1,
        _ => false,
    };
    let ended = recurrence.range.as_ref().is_some_and(|r| {
        r.kind
            .as_deref()
            .is_some_and(|k| k.eq_ignore_ascii_case("endDate"))
            && r.end_date
                .as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .is_some_and(|d| d < today)
    });
    often && !ended
}

/// Reviewers who are designated people: a query naming a user or a group. Graph writes a
/// self-review as an empty `reviewers` collection; `./manager` and other relative queries
/// name nobody in particular (https://learn.microsoft.com/graph/api/resources/accessreviewreviewerscope).
fn designated(reviewers: &[AccessReviewReviewerScope]) -> bool {
    reviewers.iter().any(|r| {
        r.query.as_deref().is_some_and(|q| {
            let q = q.trim().to_ascii_lowercase();
            (q.starts_with("/users/") || q.starts_with("/groups/")) && q.len() > "/users/".len()
        })
    })
}

/// Where a review stands against CIS 5.3.3's "Status: Active".
enum ReviewState {
    Active,
    /// Created, waiting for its start date (Graph's `NotStarted`): not Active yet.
    Waiting,
    /// Completed, or a status that is not Active.
    Inactive,
}

fn review_state(review: &AccessReviewDefinition) -> ReviewState {
    match review.status {
        Some(
            ReviewStatus::InProgress
            | ReviewStatus::Initializing
            | ReviewStatus::Starting
            | ReviewStatus::Applying,
        ) => ReviewState::Active,
        Some(ReviewStatus::NotStarted) => ReviewState::Waiting,
        _ => ReviewState::Inactive,
    }
}

/// The day a review's recurrence starts, as Graph writes it (`YYYY-MM-DD`).
fn review_start(review: &AccessReviewDefinition) -> Option<&str> {
    review
        .settings
        .as_ref()
        .and_then(|s| s.recurrence.as_ref())
        .and_then(|r| r.range.as_ref())
        .and_then(|r| r.start_date.as_deref())
}

fn same_query(query: &str, wanted: &str) -> bool {
    query
        .trim()
        .trim_end_matches('/')
        .eq_ignore_ascii_case(wanted)
}

/// Whether the review names the role at all (any query of its scope), and if so what keeps
/// its scope from being "Everyone": all active and eligible assignments of users and groups
/// (https://learn.microsoft.com/graph/tutorial-accessreviews-roleassignments,
/// https://learn.microsoft.com/graph/accessreviews-scope-concept).
fn scope_shortfall(
    review: &AccessReviewDefinition,
    template_id: &str,
) -> Option<Result<(), String>> {
    let needle = template_id.to_ascii_lowercase();
    if !review
        .scope_queries()
        .iter()
        .any(|q| q.to_ascii_lowercase().contains(&needle))
    {
        return None;
    }
    let role_path = format!("/roleManagement/directory/roleDefinitions/{template_id}");
    let scope = review.scope.as_ref();
    let queries = |key: &str| -> Vec<&str> {
        scope
            .and_then(|s| s.get(key))
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|q| q.get("query").and_then(serde_json::Value::as_str))
            .collect()
    };
    let resources = queries("resourceScopes");
    let principals = queries("principalScopes");
    if !resources.iter().any(|q| same_query(q, &role_path)) {
        return Some(Err(
            "scope is not Everyone: it reviews only some assignments of the role (CIS: all active and eligible assignments)".to_owned(),
        ));
    }
    let users = principals.iter().any(|q| same_query(q, "/users"));
    let groups = principals.iter().any(|q| same_query(q, "/groups"));
    Some(match (users, groups) {
        (true, true) => Ok(()),
        (true, false) => Err(
            "scope is not Everyone: users only, groups holding the role are not reviewed"
                .to_owned(),
        ),
        _ => Err(format!(
            "scope is not Everyone: principals limited to {}",
            if principals.is_empty() {
                "none".to_owned()
            } else {
                principals.join(", ")
            }
        )),
    })
}

/// What keeps `review` from meeting CIS 5.3.3's audit criteria other than a status still
/// waiting for its start date (empty: it meets them, or would once it starts).
fn review_shortfalls(review: &AccessReviewDefinition, today: NaiveDate) -> Vec<String> {
    let mut out = Vec::new();
    let settings = review.settings.clone().unwrap_or_default();
    if matches!(review_state(review), ReviewState::Inactive) {
        out.push(format!(
            "status {} (CIS: Active)",
            review
                .status
                .as_ref()
                .map_or("unknown", ReviewStatus::as_str)
        ));
    }
    let stages = review.stage_settings.as_deref().unwrap_or_default();
    let self_review = if stages.is_empty() {
        !designated(&review.reviewers)
    } else {
        stages
            .iter()
            .any(|s| !designated(s.reviewers.as_deref().unwrap_or_default()))
    };
    if self_review {
        out.push("no designated reviewers (a self-review or relative reviewers)".to_owned());
    }
    for (on, what) in [
        (settings.mail_notifications_enabled, "mail notifications"),
        (settings.reminder_notifications_enabled, "reminders"),
        (
            settings.justification_required_on_approval,
            "require reason on approval",
        ),
    ] {
        if on != Some(true) {
            out.push(format!("{what} off"));
        }
    }
    if !recurs_monthly(review, today) {
        out.push("does not recur monthly or more often (or has ended)".to_owned());
    }
    let duration = if stages.is_empty() {
        settings.instance_duration_in_days
    } else {
        stages
            .iter()
            .map(|s| s.duration_in_days)
            .sum::<Option<i64>>()
    };
    match duration {
        Some(d) if (1..=CIS_REVIEW_MAX_DAYS).contains(&d) => {}
        Some(d) => out.push(format!(
            "lasts {d} days (CIS: at most {CIS_REVIEW_MAX_DAYS})"
        )),
        None => out.push("duration not stated".to_owned()),
    }
    if settings.auto_apply_decisions_enabled != Some(true) {
        out.push("results not auto-applied".to_owned());
    }
    if settings.default_decision_enabled == Some(true) {
        out.push(format!(
            "if reviewers don't respond: {} (CIS: No change)",
            settings
                .default_decision
                .as_deref()
                .unwrap_or("a default decision")
        ));
    }
    out
}

fn pim_13(ctx: &CheckContext<'_>) -> Outcome {
    let today = now(ctx).date_naive();
    let reviews: Vec<&AccessReviewDefinition> =
        ctx.snapshot.access_reviews.iter().flatten().collect();
    // CIS 5.3.3's five roles always; the other highly privileged roles when somebody holds
    // them (an empty role has nothing to review).
    let mut roles: Vec<PrivilegedRole> = CIS_REVIEW_ROLES
        .iter()
        .map(|(id, name)| PrivilegedRole {
            template_id: (*id).to_owned(),
            name: (*name).to_owned(),
        })
        .collect();
    for r in privileged_roles(ctx) {
        let held = ctx
            .population
            .holdings
            .iter()
            .any(|h| same_id(&h.role_template_id, &r.template_id));
        if held
            && !roles
                .iter()
                .any(|c| same_id(&c.template_id, &r.template_id))
        {
            roles.push(r);
        }
    }
    // Per uncovered role: its evidence, and whether a review that meets everything else is
    // only waiting for its start date.
    let uncovered: Vec<(Evidence, bool)> = roles
        .iter()
        .filter_map(|role| role_review_gap(role, &reviews, today))
        .collect();
    if uncovered.is_empty() {
        return Outcome::pass(format!(
            "Each of the {} roles (CIS 5.3.3's five and the other highly privileged roles in use) has an active access review meeting CIS 5.3.3: everyone in scope, monthly or more often, at most {CIS_REVIEW_MAX_DAYS} days, designated reviewers, mail, reminders and reasons on, results auto-applied, no change when reviewers don't respond.",
            roles.len()
        ));
    }
    let all_waiting = uncovered.iter().all(|(_, waiting)| *waiting);
    let evidence: Vec<Evidence> = uncovered.into_iter().map(|(e, _)| e).collect();
    let names: Vec<&str> = evidence.iter().map(|e| e.display_name.as_str()).collect();
    if all_waiting {
        return Outcome::new(
            Status::Warning,
            format!(
                "{} of {} roles have an access review meeting CIS 5.3.3 that has not started yet (CIS: Active): {}. It passes once the review runs; assess again after its start date.",
                evidence.len(),
                roles.len(),
                names.join(", ")
            ),
            evidence,
        );
    }
    Outcome::new(
        Status::Fail,
        format!(
            "{} of {} roles have no access review meeting CIS 5.3.3: {}.",
            evidence.len(),
            roles.len(),
            names.join(", ")
        ),
        evidence,
    )
}

/// `None` when an active review of `role` meets CIS 5.3.3; otherwise the role's evidence
/// (what each review naming it lacks) and whether one of them meets everything but is still
/// waiting for its start date.
fn role_review_gap(
    role: &PrivilegedRole,
    reviews: &[&AccessReviewDefinition],
    today: NaiveDate,
) -> Option<(Evidence, bool)> {
    let mut near = Vec::new();
    let mut waiting = false;
    for review in reviews {
        let Some(scope) = scope_shortfall(review, &role.template_id) else {
            continue;
        };
        let mut short: Vec<String> = scope.err().into_iter().collect();
        short.extend(review_shortfalls(review, today));
        let name = review.display_name.as_deref().unwrap_or(&review.id);
        match (short.is_empty(), review_state(review)) {
            (true, ReviewState::Active) => return None,
            (true, _) => {
                waiting = true;
                near.push(format!(
                    "review '{name}' meets CIS 5.3.3 but has not started yet (starts {})",
                    review_start(review).unwrap_or("on a date Graph did not give")
                ));
            }
            (false, _) => near.push(format!("review '{name}': {}", short.join("; "))),
        }
    }
    let detail = if near.is_empty() {
        "no access review covers this role".to_owned()
    } else {
        near.join(" | ")
    };
    let mut e = role_evidence(role, detail);
    "role".clone_into(&mut e.object_type);
    Some((e, waiting))
}
