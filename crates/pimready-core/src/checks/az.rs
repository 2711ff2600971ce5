//! Azure resource checks: standing and guest ownership of subscriptions and management
//! groups, PIM role settings of Owner and User Access Administrator, root-scope access and
//! licence scope. The rules follow Microsoft's PIM for Azure resources pages cited on each
//! check.
//!
//! Entra roles give no read access to Azure, so an account that sees no subscription proves
//! nothing: every AZ check is then `not_assessed` with how to grant read access, and
//! `not_applicable` only when the tenant root management group was readable and holds none.

use super::{CheckContext, CheckDef, Outcome, PlanDef, RefDef, RemediationDef, Step};
use crate::azure::{AzureHolding, AzureView, graph_principal, is_designated_emergency};
use crate::duration::IsoDuration;
use crate::finding::{Category, Evidence, MinimumLicence, MissingData, Severity, Status};
use crate::snapshot::PolicyRuleId;
use crate::snapshot::{
    ArmPolicyAssignmentProperties, Dataset, GapReason, OWNER, ScopeLevel, TenantSnapshot,
    USER_ACCESS_ADMINISTRATOR, role_guid,
};

const PIM_AZURE_SETTINGS: RefDef = RefDef {
    framework: "Microsoft",
    id: "PIM Azure resource role settings",
    version: "",
    url: Some(
        "https://learn.microsoft.com/entra/id-governance/privileged-identity-management/pim-resource-roles-configure-role-settings",
    ),
};
const RBAC_BEST_PRACTICES: RefDef = RefDef {
    framework: "Microsoft",
    id: "Azure RBAC best practices",
    version: "",
    url: Some("https://learn.microsoft.com/azure/role-based-access-control/best-practices"),
};
const ELEVATE_ACCESS: RefDef = RefDef {
    framework: "Microsoft",
    id: "Elevate access for a Global Administrator",
    version: "",
    url: Some(
        "https://learn.microsoft.com/azure/role-based-access-control/elevate-access-global-admin",
    ),
};
const MCSB_PA_1: RefDef = RefDef {
    framework: "MCSB",
    id: "PA-1",
    version: "1",
    url: Some("https://learn.microsoft.com/security/benchmark/azure/mcsb-privileged-access"),
};
const MCSB_PA_2: RefDef = RefDef {
    framework: "MCSB",
    id: "PA-2",
    version: "1",
    url: Some("https://learn.microsoft.com/security/benchmark/azure/mcsb-privileged-access"),
};

const AZ_PORTAL: &str =
    "Entra admin center > ID Governance > Privileged Identity Management > Azure resources";
const GRANT_READ: &str = "Grant the signed-in account Reader at the tenant root management group (Azure portal > Management groups > Tenant Root Group > Access control (IAM) > Add role assignment > Reader; a Global Administrator may first need 'Access management for Azure resources' under Entra ID > Properties), then assess again";

/// The Azure scope a check may speak for, or the outcome when it may not.
fn visible(ctx: &CheckContext<'_>) -> Result<AzureView, Outcome> {
    let snapshot = ctx.snapshot;
    let azure = snapshot.azure.as_ref();
    let subscriptions = azure
        .and_then(|a| a.subscriptions.as_deref())
        .unwrap_or_default();
    if subscriptions.is_empty() {
        let root_readable = azure
            .and_then(|a| a.management_groups.as_deref())
            .unwrap_or_default()
            .iter()
            .any(|g| g.is_tenant_root(&snapshot.tenant_id) && g.readable);
        if root_readable {
            return Err(Outcome::new(
                Status::NotApplicable,
                "The tenant has no Azure subscription: the tenant root management group was readable and holds none.",
                Vec::new(),
            ));
        }
        let detail = format!(
            "No Azure subscription is visible to the signed-in account. Entra roles give no read access to Azure, so none visible does not mean none exist. {GRANT_READ}."
        );
        let mut outcome = Outcome::new(
            Status::NotAssessed,
            format!("Not assessed: {detail}"),
            Vec::new(),
        );
        outcome.missing_data.push(MissingData {
            dataset: Dataset::AzureSubscriptions,
            reason: GapReason::PermissionDenied,
            detail,
            missing_scope: None,
        });
        return Err(outcome);
    }
    Ok(AzureView::resolve(snapshot))
}

/// Runs `rule` over the visible Azure scopes; a pass while some scope could not be read
/// becomes `not_assessed`, naming the scopes.
fn with_azure(
    ctx: &CheckContext<'_>,
    rule: impl FnOnce(&CheckContext<'_>, &AzureView) -> Outcome,
) -> Outcome {
    let view = match visible(ctx) {
        Ok(v) => v,
        Err(outcome) => return outcome,
    };
    let mut outcome = rule(ctx, &view);
    if !view.unreadable_scopes.is_empty() {
        let detail = format!(
            "Azure Resource Manager refused to show the role assignments or settings of {}. {GRANT_READ}",
            view.unreadable_scopes.join(", ")
        );
        if outcome.status == Status::Pass {
            outcome.status = Status::NotAssessed;
            outcome.summary = format!("Not assessed: {detail}.");
        }
        outcome.missing_data.push(MissingData {
            dataset: Dataset::AzureRoleAssignments,
            reason: GapReason::PermissionDenied,
            detail,
            missing_scope: None,
        });
    }
    outcome
}

fn object_type(h: &AzureHolding) -> String {
    match h.principal_type.to_ascii_lowercase().as_str() {
        "user" => "user",
        "group" => "group",
        "serviceprincipal" => "service_principal",
        _ => "unknown",
    }
    .to_owned()
}

fn holding_evidence(h: &AzureHolding, how: &str, detail: impl Into<String>) -> Evidence {
    Evidence {
        display_name: h
            .display_name
            .clone()
            .unwrap_or_else(|| h.principal_id.clone()),
        principal_name: h.sign_in_name.clone(),
        object_id: Some(h.principal_id.clone()),
        object_type: object_type(h),
        role: Some(format!("{} at {}", h.role, h.scope)),
        assignment_type: Some(how.to_owned()),
        start: None,
        end: None,
        detail: detail.into(),
    }
}

fn level_label(level: ScopeLevel) -> &'static str {
    match level {
        ScopeLevel::Root => "the root scope",
        ScopeLevel::ManagementGroup => "management group",
        ScopeLevel::Subscription => "subscription",
        ScopeLevel::Below => "resource group or resource",
    }
}

pub(super) const AZ_01: CheckDef = CheckDef {
    id: "AZ-01",
    title: "No permanent active Owner, User Access Administrator or RBAC Administrator on subscriptions and management groups",
    category: Category::AzureResources,
    severity: Severity::Critical,
    references: &[MCSB_PA_2, RBAC_BEST_PRACTICES],
    minimum_licence: MinimumLicence::Free,
    data: &[Dataset::AzureSubscriptions, Dataset::AzureRoleAssignments],
    data_with_pim: &[Dataset::AzureRoleSchedules],
    rationale: "Owner, User Access Administrator and Role Based Access Control Administrator on a subscription or management group can grant themselves or anyone else any access to every resource below it; held permanently, one stolen session is enough.",
    differs: "No CIS Microsoft 365 or SCuBA control covers Azure resource roles; the rule follows the Microsoft cloud security benchmark PA-2 and Azure RBAC guidance. The CIS Microsoft Azure Foundations Benchmark was not compared.",
    remediation: RemediationDef {
        steps: &[
            "In PIM for Azure resources, select each listed subscription or management group and open Roles.",
            "Make each listed person eligible for the role (maximum 8-hour activation), then remove the permanent active assignment.",
            "Keep only the designated emergency accounts active.",
        ],
        portal_path: AZ_PORTAL,
        powershell: "New-AzRoleEligibilityScheduleRequest -Name (New-Guid) -Scope '/subscriptions/<id>' -PrincipalId '<object id>' -RoleDefinitionId '/subscriptions/<id>/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635' -RequestType AdminAssign -ScheduleInfoStartDateTime (Get-Date).ToUniversalTime().ToString('o') -ExpirationType NoExpiration; Remove-AzRoleAssignment -Scope '/subscriptions/<id>' -ObjectId '<object id>' -RoleDefinitionName Owner",
    },
    plan: PlanDef::new(
        Step::Eligible,
        "Azure Owner, User Access Administrator and RBAC Administrator",
        "Make eligible in PIM for Azure resources, then remove the permanent assignment",
    ),
    evaluate: az_01,
};

fn az_01(ctx: &CheckContext<'_>) -> Outcome {
    with_azure(ctx, |ctx, view| {
        let standing: Vec<&AzureHolding> = view
            .standing
            .iter()
            .filter(|h| {
                matches!(
                    h.level,
                    ScopeLevel::ManagementGroup | ScopeLevel::Subscription
                ) && h.role != "Contributor"
                    && !is_designated_emergency(ctx.settings, h)
            })
            .collect();
        if standing.is_empty() {
            return Outcome::pass(
                "No one holds Owner, User Access Administrator or RBAC Administrator permanently on a management group or subscription (emergency accounts excepted).",
            );
        }
        let evidence = standing
            .iter()
            .map(|h| {
                holding_evidence(
                    h,
                    "permanent active",
                    format!(
                        "permanent {} on {} {}",
                        h.role,
                        level_label(h.level),
                        h.scope
                    ),
                )
            })
            .collect();
        let mut people: Vec<&str> = standing.iter().map(|h| h.principal_id.as_str()).collect();
        people.sort_unstable();
        people.dedup();
        Outcome::new(
            Status::Fail,
            format!(
                "{} permanent active assignment(s) of Owner, User Access Administrator or RBAC Administrator on management groups or subscriptions, held by {} principal(s).",
                standing.len(),
                people.len()
            ),
            evidence,
        )
    })
}

/// Each (scope, role) pair whose settings the policy checks read: every readable management
/// group and subscription, for Owner and User Access Administrator.
fn settings_pairs(snapshot: &TenantSnapshot) -> Vec<(String, String, &'static str, ScopeLevel)> {
    let Some(azure) = &snapshot.azure else {
        return Vec::new();
    };
    let mut scopes: Vec<(String, String, ScopeLevel)> = Vec::new();
    for g in azure
        .management_groups
        .iter()
        .flatten()
        .filter(|g| g.readable)
    {
        let name = g
            .properties
            .display_name
            .clone()
            .unwrap_or_else(|| g.name.clone());
        scopes.push((g.id.clone(), name, ScopeLevel::ManagementGroup));
    }
    for s in azure.subscriptions.iter().flatten().filter(|s| s.readable) {
        let name = s
            .display_name
            .clone()
            .unwrap_or_else(|| s.subscription_id.clone());
        scopes.push((s.id.clone(), name, ScopeLevel::Subscription));
    }
    let mut out = Vec::new();
    for (scope, name, level) in scopes {
        for (role_id, role) in [
            (OWNER, "Owner"),
            (USER_ACCESS_ADMINISTRATOR, "User Access Administrator"),
        ] {
            out.push((scope.clone(), format!("{role} on {name}"), role_id, level));
        }
    }
    out
}

fn policy_at<'a>(
    snapshot: &'a TenantSnapshot,
    scope: &str,
    role_id: &str,
) -> Option<&'a ArmPolicyAssignmentProperties> {
    snapshot
        .azure
        .as_ref()?
        .role_settings
        .iter()
        .flatten()
        .map(|p| &p.properties)
        .find(|p| {
            p.scope
                .trim_end_matches('/')
                .eq_ignore_ascii_case(scope.trim_end_matches('/'))
                && role_guid(&p.role_definition_id).eq_ignore_ascii_case(role_id)
        })
}

fn setting_evidence(label: &str, scope: &str, detail: impl Into<String>) -> Evidence {
    Evidence {
        display_name: label.to_owned(),
        principal_name: None,
        object_id: Some(scope.to_owned()),
        object_type: "role_setting".to_owned(),
        role: Some(label.to_owned()),
        assignment_type: None,
        start: None,
        end: None,
        detail: detail.into(),
    }
}

/// Folds a per-(scope, role) rule: any failure ⇒ fail; settings not returned ⇒ not assessed.
fn per_setting(
    ctx: &CheckContext<'_>,
    what: &str,
    rule: impl Fn(&ArmPolicyAssignmentProperties, ScopeLevel, &str) -> Option<String>,
) -> Outcome {
    let pairs = settings_pairs(ctx.snapshot);
    let (mut fails, mut missing) = (Vec::new(), Vec::new());
    for (scope, label, role_id, level) in &pairs {
        match policy_at(ctx.snapshot, scope, role_id) {
            None => missing.push(setting_evidence(
                label,
                scope,
                "Azure Resource Manager returned no PIM settings for this role here",
            )),
            Some(p) => {
                if let Some(why) = rule(p, *level, role_id) {
                    fails.push(setting_evidence(label, scope, why));
                }
            }
        }
    }
    let total = pairs.len();
    if !fails.is_empty() {
        let summary = format!(
            "{} of {total} Azure role settings do not {what}.",
            fails.len()
        );
        fails.extend(missing);
        return Outcome::new(Status::Fail, summary, fails);
    }
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|e| e.display_name.as_str()).collect();
        let detail = format!("PIM returned no role settings for {}", names.join(", "));
        let mut outcome = Outcome::new(
            Status::NotAssessed,
            format!("Not assessed: {detail}."),
            missing,
        );
        outcome.missing_data.push(MissingData {
            dataset: Dataset::AzureRoleSettings,
            reason: GapReason::NotFound,
            detail,
            missing_scope: None,
        });
        return outcome;
    }
    Outcome::pass(format!("All {total} Azure role settings {what}."))
}

pub(super) const AZ_02: CheckDef = CheckDef {
    id: "AZ-02",
    title: "Owner and User Access Administrator activation needs MFA, a justification, at most 8 hours, and approval for Owner on management groups",
    category: Category::AzureResources,
    severity: Severity::High,
    references: &[PIM_AZURE_SETTINGS, RefDef::pim_deployment_plan()],
    minimum_licence: MinimumLicence::P2,
    data: &[Dataset::AzureSubscriptions, Dataset::AzureRoleSettings],
    data_with_pim: &[],
    rationale: "Just-in-time access only helps when activation is hard to abuse: a second factor (or a Conditional Access authentication context), a stated reason, a short window, and a second person before someone takes Owner over a whole management group.",
    differs: "No CIS Microsoft 365 or SCuBA control; thresholds from Microsoft's PIM deployment plan and Azure resource role settings. The CIS Microsoft Azure Foundations Benchmark was not compared.",
    remediation: RemediationDef {
        steps: &[
            "In PIM for Azure resources, open each listed subscription or management group > Settings > Owner (then User Access Administrator) > Edit.",
            "Activation: maximum duration 8 hours or less; require Azure MFA (or a Conditional Access authentication context); require justification.",
            "On management groups, for Owner: require approval and name at least two approvers.",
        ],
        portal_path: AZ_PORTAL,
        powershell: "Update-AzRoleManagementPolicy -Scope '/subscriptions/<id>' -Name '<policy id>' -Rule @(@{ id = 'Expiration_EndUser_Assignment'; ruleType = 'RoleManagementPolicyExpirationRule'; maximumDuration = 'PT8H'; isExpirationRequired = $true; target = @{ caller = 'EndUser'; operations = @('All'); level = 'Assignment' } }, @{ id = 'Enablement_EndUser_Assignment'; ruleType = 'RoleManagementPolicyEnablementRule'; enabledRules = @('MultiFactorAuthentication','Justification'); target = @{ caller = 'EndUser'; operations = @('All'); level = 'Assignment' } })",
    },
    plan: PlanDef::new(
        Step::RoleSettings,
        "Azure Owner and User Access Administrator settings",
        "Require MFA, a justification and at most 8 hours; approval for Owner on management groups",
    ),
    evaluate: az_02,
};

fn az_02(ctx: &CheckContext<'_>) -> Outcome {
    with_azure(ctx, |ctx, _| {
        per_setting(ctx, "meet the activation rules", |p, level, role_id| {
            let mut why: Vec<String> = Vec::new();
            let enabled: Vec<String> = p
                .rule(&PolicyRuleId::EnablementEndUserAssignment)
                .and_then(|r| r.enabled_rules.clone())
                .unwrap_or_default();
            let has = |what: &str| enabled.iter().any(|e| e.eq_ignore_ascii_case(what));
            let context = p
                .rule(&PolicyRuleId::AuthenticationContextEndUserAssignment)
                .is_some_and(|r| r.is_enabled == Some(true) && r.claim_value.is_some());
            if !has("MultiFactorAuthentication") && !context {
                why.push("activation does not require MFA or an authentication context".into());
            }
            if !has("Justification") {
                why.push("activation does not require a justification".into());
            }
            let expiration = p.rule(&PolicyRuleId::ExpirationEndUserAssignment);
            match expiration.and_then(|r| r.maximum_duration.as_deref()) {
                Some(d) => match IsoDuration::parse(d) {
                    Ok(d) if d.hours() <= 8.0 => {}
                    Ok(d) => why.push(format!("activation lasts up to {}", d.human())),
                    Err(_) => why.push(format!("activation duration {d:?} is not a duration")),
                },
                None => why.push("no maximum activation duration is set".into()),
            }
            if expiration.is_some_and(|r| r.is_expiration_required == Some(false)) {
                why.push("activation does not expire".into());
            }
            let approval = p
                .rule(&PolicyRuleId::ApprovalEndUserAssignment)
                .and_then(|r| r.setting.as_ref())
                .and_then(|s| s.is_approval_required)
                == Some(true);
            if level == ScopeLevel::ManagementGroup && role_id == OWNER && !approval {
                why.push("activating Owner on a management group needs no approval".into());
            }
            (!why.is_empty()).then(|| why.join("; "))
        })
    })
}

pub(super) const AZ_03: CheckDef = CheckDef {
    id: "AZ-03",
    title: "Assigning or activating Azure Owner or User Access Administrator triggers an alert",
    category: Category::AzureResources,
    severity: Severity::Medium,
    references: &[PIM_AZURE_SETTINGS],
    minimum_licence: MinimumLicence::P2,
    data: &[Dataset::AzureSubscriptions, Dataset::AzureRoleSettings],
    data_with_pim: &[],
    rationale: "A new Owner or an activation of it is how an attacker takes and keeps an Azure estate; the security team, not only the admins who made the change, should hear of it.",
    differs: "No CIS Microsoft 365 or SCuBA control; it applies SCuBA MS.AAD.7.7v1 and 7.8v1's alert idea to Azure Owner and User Access Administrator. Not compared with other tools.",
    remediation: RemediationDef {
        steps: &[
            "In PIM for Azure resources, open each listed scope > Settings > the role > Edit > Notification.",
            "Under 'Send notifications when members are assigned as eligible', '... assigned as active' and '... activate this role', add the security team's mailbox as an additional recipient (rules Notification_Admin_Admin_Eligibility, Notification_Admin_Admin_Assignment, Notification_Admin_EndUser_Assignment).",
        ],
        portal_path: AZ_PORTAL,
        powershell: "Update-AzRoleManagementPolicy -Scope '/subscriptions/<id>' -Name '<policy id>' -Rule @(@{ id = 'Notification_Admin_EndUser_Assignment'; ruleType = 'RoleManagementPolicyNotificationRule'; notificationType = 'Email'; recipientType = 'Admin'; notificationLevel = 'All'; isDefaultRecipientsEnabled = $true; notificationRecipients = @('secops@contoso.com'); target = @{ caller = 'EndUser'; operations = @('All'); level = 'Assignment' } })",
    },
    plan: PlanDef::new(
        Step::Alerts,
        "Azure Owner and User Access Administrator notifications",
        "Notify the security team of assignments and activations",
    ),
    evaluate: az_03,
};

fn az_03(ctx: &CheckContext<'_>) -> Outcome {
    with_azure(ctx, |ctx, _| {
        per_setting(ctx, "alert additional recipients", |p, _, _| {
            let missing: Vec<&str> = [
                (
                    PolicyRuleId::NotificationAdminAdminEligibility,
                    "eligible assignments",
                ),
                (
                    PolicyRuleId::NotificationAdminAdminAssignment,
                    "active assignments",
                ),
                (
                    PolicyRuleId::NotificationAdminEndUserAssignment,
                    "activations",
                ),
            ]
            .into_iter()
            .filter(|(id, _)| {
                p.rule(id)
                    .and_then(|r| r.notification_recipients.as_ref())
                    .is_none_or(|r| r.iter().all(|x| x.trim().is_empty()))
            })
            .map(|(_, what)| what)
            .collect();
            (!missing.is_empty()).then(|| {
                format!(
                    "no additional recipients are notified of {}",
                    missing.join(" or ")
                )
            })
        })
    })
}

pub(super) const AZ_04: CheckDef = CheckDef {
    id: "AZ-04",
    title: "No standing User Access Administrator at the root scope",
    category: Category::AzureResources,
    severity: Severity::Critical,
    references: &[ELEVATE_ACCESS],
    minimum_licence: MinimumLicence::Free,
    data: &[Dataset::AzureRootScope],
    data_with_pim: &[],
    rationale: "'Access management for Azure resources' makes a Global Administrator User Access Administrator at the root scope /, over every subscription and management group of the tenant. Microsoft asks for it to be removed as soon as the task is done.",
    differs: "No CIS Microsoft 365 or SCuBA control; Microsoft's own guidance to remove root-scope User Access Administrator after use. Not compared with other tools.",
    remediation: RemediationDef {
        steps: &[
            "Signed in as each listed account: Entra admin center > Identity > Overview > Properties > Access management for Azure resources > No > Save.",
            "Or remove the assignment: Remove-AzRoleAssignment -SignInName <upn> -RoleDefinitionName 'User Access Administrator' -Scope '/'.",
        ],
        portal_path: "Entra admin center > Identity > Overview > Properties > Access management for Azure resources",
        powershell: "Get-AzRoleAssignment -Scope '/' -RoleDefinitionName 'User Access Administrator' | Where-Object Scope -eq '/' | Remove-AzRoleAssignment",
    },
    plan: PlanDef::new(
        Step::Eligible,
        "User Access Administrator at the root scope",
        "Remove the elevated access",
    ),
    evaluate: az_04,
};

fn az_04(ctx: &CheckContext<'_>) -> Outcome {
    let root: Vec<Evidence> = ctx
        .snapshot
        .azure
        .iter()
        .flat_map(|a| a.root_assignments.iter().flatten())
        .filter(|a| {
            a.properties.scope.trim_end_matches('/').is_empty()
                && role_guid(&a.properties.role_definition_id)
                    .eq_ignore_ascii_case(USER_ACCESS_ADMINISTRATOR)
        })
        .map(|a| {
            let p = &a.properties;
            let graph = graph_principal(ctx.snapshot, &p.principal_id);
            let h = AzureHolding {
                principal_id: p.principal_id.clone(),
                display_name: graph.and_then(|g| g.display_name.clone()),
                sign_in_name: graph.and_then(|g| g.user_principal_name.clone()),
                principal_type: p.principal_type.clone().unwrap_or_else(|| "Unknown".into()),
                role_id: USER_ACCESS_ADMINISTRATOR.to_owned(),
                role: "User Access Administrator",
                scope: "/".to_owned(),
                level: ScopeLevel::Root,
            };
            holding_evidence(
                &h,
                "permanent active",
                "User Access Administrator at the root scope /",
            )
        })
        .collect();
    if root.is_empty() {
        return Outcome::pass("No one holds User Access Administrator at the root scope /.");
    }
    Outcome::new(
        Status::Fail,
        format!(
            "{} principal(s) hold User Access Administrator at the root scope /, over every subscription and management group.",
            root.len()
        ),
        root,
    )
}

pub(super) const AZ_05: CheckDef = CheckDef {
    id: "AZ-05",
    title: "No guests or service principals are Owner of a subscription or management group",
    category: Category::AzureResources,
    severity: Severity::High,
    references: &[MCSB_PA_1, RBAC_BEST_PRACTICES],
    minimum_licence: MinimumLicence::Free,
    data: &[Dataset::AzureSubscriptions, Dataset::AzureRoleAssignments],
    data_with_pim: &[Dataset::AzureRoleSchedules],
    rationale: "A guest is governed by another organisation's account lifecycle and an app's credentials are not protected by MFA or PIM; neither should own a subscription or a management group.",
    differs: "No CIS Microsoft 365 or SCuBA control; Microsoft cloud security benchmark PA-1 and Azure RBAC guidance. Not compared with other tools.",
    remediation: RemediationDef {
        steps: &[
            "Remove Owner from each listed guest or service principal on the listed scope.",
            "Give apps the narrowest role on the narrowest scope they need (usually Contributor on a resource group); give external admins a member account in your tenant or Azure Lighthouse.",
        ],
        portal_path: "Azure portal > Subscriptions (or Management groups) > Access control (IAM) > Role assignments",
        powershell: "Remove-AzRoleAssignment -Scope '/subscriptions/<id>' -ObjectId '<object id>' -RoleDefinitionName Owner",
    },
    plan: PlanDef::new(
        Step::Hygiene,
        "Guest and app Owners in Azure",
        "Remove Owner; grant a narrower role where needed",
    ),
    evaluate: az_05,
};

fn az_05(ctx: &CheckContext<'_>) -> Outcome {
    with_azure(ctx, |ctx, view| {
        let owners = view
            .standing
            .iter()
            .map(|h| (h, "active"))
            .chain(view.eligible.iter().map(|h| (h, "eligible")))
            .filter(|(h, _)| h.role_id == OWNER && h.level != ScopeLevel::Below);
        let (mut bad, mut unknown) = (Vec::new(), Vec::new());
        for (h, how) in owners {
            if h.is_service_principal() {
                bad.push(holding_evidence(
                    h,
                    how,
                    format!("service principal is Owner of {}", h.scope),
                ));
            } else if h.is_user() {
                let graph = graph_principal(ctx.snapshot, &h.principal_id);
                let external = h
                    .sign_in_name
                    .as_deref()
                    .is_some_and(|u| u.to_ascii_uppercase().contains("#EXT#"));
                match graph {
                    Some(p) if p.is_guest() || external => {
                        bad.push(holding_evidence(
                            h,
                            how,
                            format!("guest is Owner of {}", h.scope),
                        ));
                    }
                    None if external => {
                        bad.push(holding_evidence(
                            h,
                            how,
                            format!("guest is Owner of {}", h.scope),
                        ));
                    }
                    Some(p) if p.user_type.is_some() => {}
                    _ => unknown.push(h.label()),
                }
            }
        }
        if !bad.is_empty() {
            return Outcome::new(
                Status::Fail,
                format!(
                    "{} guest or service principal Owner assignment(s) on subscriptions or management groups.",
                    bad.len()
                ),
                bad,
            );
        }
        if !unknown.is_empty() {
            unknown.sort();
            unknown.dedup();
            let detail = format!(
                "Microsoft Graph did not say whether these Azure Owners are guests: {}",
                unknown.join("; ")
            );
            let mut outcome = Outcome::new(
                Status::NotAssessed,
                format!("Not assessed: {detail}."),
                Vec::new(),
            );
            outcome.missing_data.push(MissingData {
                dataset: Dataset::PrivilegedPrincipals,
                reason: GapReason::PermissionDenied,
                detail,
                missing_scope: Some("User.Read.All".to_owned()),
            });
            return outcome;
        }
        Outcome::pass(
            "No guest or service principal is Owner of a subscription or management group.",
        )
    })
}

pub(super) const AZ_06: CheckDef = CheckDef {
    id: "AZ-06",
    title: "Every user eligible for an Azure role is covered by a PIM licence",
    category: Category::AzureResources,
    severity: Severity::Medium,
    references: &[RefDef::pim_licensing()],
    minimum_licence: MinimumLicence::Free,
    data: &[Dataset::SubscribedSkus, Dataset::AzureSubscriptions],
    data_with_pim: &[Dataset::AzureRoleSchedules],
    rationale: "PIM for Azure resources needs an Entra ID P2 or ID Governance licence for each user it governs, exactly as for Entra roles; Azure-only admins are easily left out of the count.",
    differs: "No benchmark control: Microsoft's licence terms for PIM on Azure resources.",
    remediation: RemediationDef {
        steps: &[
            "Count the listed Azure-eligible users in the PIM seats (the licensing section includes them).",
            "Buy or assign enough Entra ID P2 or ID Governance seats.",
        ],
        portal_path: "Microsoft 365 admin center > Billing > Licenses",
        powershell: "Get-AzRoleEligibilityScheduleInstance -Scope '/subscriptions/<id>' | Where-Object PrincipalType -eq 'User' | Select-Object PrincipalDisplayName, PrincipalEmail, RoleDefinitionDisplayName; Get-MgSubscribedSku | Select-Object SkuPartNumber, ConsumedUnits, @{n='Enabled';e={$_.PrepaidUnits.Enabled}}",
    },
    plan: PlanDef::new(
        Step::Licences,
        "PIM seats for Azure-eligible users",
        "Cover every Azure-eligible user",
    ),
    evaluate: az_06,
};

fn az_06(ctx: &CheckContext<'_>) -> Outcome {
    with_azure(ctx, |ctx, view| {
        let mut users: Vec<&AzureHolding> = Vec::new();
        for h in view.eligible.iter().filter(|h| h.is_user()) {
            if !users
                .iter()
                .any(|u| u.principal_id.eq_ignore_ascii_case(&h.principal_id))
            {
                users.push(h);
            }
        }
        if users.is_empty() {
            return Outcome::new(
                Status::NotApplicable,
                "No user is eligible for a privileged Azure role.",
                Vec::new(),
            );
        }
        let seats = &ctx.licensing.seats;
        let evidence: Vec<Evidence> = users
            .iter()
            .map(|h| {
                holding_evidence(
                    h,
                    "eligible",
                    format!("eligible for {} on {}", h.role, h.scope),
                )
            })
            .collect();
        if ctx.licensing.pim_capable && seats.shortfall == 0 {
            return Outcome::pass(format!(
                "The {} user(s) eligible for Azure roles are counted among the {} users in PIM scope, and the {} seats cover them.",
                users.len(),
                seats.in_scope,
                seats.available
            ));
        }
        Outcome::new(
            Status::Fail,
            format!(
                "{} user(s) are eligible for Azure roles, but the PIM seats fall {} short of the {} users in scope.",
                users.len(),
                seats.shortfall,
                seats.in_scope
            ),
            evidence,
        )
    })
}
