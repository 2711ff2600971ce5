//! Documentation generated from the catalog (README table, report appendix).

use std::fmt::Write as _;

use super::{CIS_VERSION, catalog, controls};
use crate::snapshot::Dataset;

/// The README's checks table: id, title, severity, references, minimum licence.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| Id | Title | Severity | References | Minimum licence |\n|---|---|---|---|---|\n",
    );
    for c in catalog() {
        let refs: Vec<String> = c.references.iter().map(super::RefDef::label).collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            c.id,
            c.title.replace('|', "\\|"),
            c.severity.as_str(),
            refs.join("; "),
            c.minimum_licence.label()
        );
    }
    out
}

/// Replaces the text between `<!-- checks:start -->` and `<!-- checks:end -->`.
pub fn splice_readme(readme: &str, table: &str) -> Option<String> {
    const START: &str = "<!-- checks:start -->";
    const END: &str = "<!-- checks:end -->";
    let start = readme.find(START)? + START.len();
    let end = start + readme[start..].find(END)?;
    Some(format!("{}\n{}{}", &readme[..start], table, &readme[end..]))
}

/// The report appendix: every check with its references, licence, data, rationale and
/// remediation (steps, portal path, Microsoft Graph PowerShell).
pub fn appendix_markdown() -> String {
    let mut out = String::from("# Check catalog\n");
    for c in catalog() {
        let refs: Vec<String> = c.references.iter().map(super::RefDef::label).collect();
        let mut data: Vec<&str> = c.data.iter().map(|d| d.as_str()).collect();
        data.extend(c.data_with_pim.iter().map(|d| d.as_str()));
        let _ = writeln!(out, "\n## {} {}\n", c.id, c.title);
        let _ = writeln!(out, "- Category: {}", c.category.label());
        let _ = writeln!(
            out,
            "- Severity: {} (weight {})",
            c.severity.as_str(),
            c.severity.weight()
        );
        let _ = writeln!(out, "- References: {}", refs.join("; "));
        let _ = writeln!(out, "- Minimum licence: {}", c.minimum_licence.label());
        let _ = writeln!(out, "- Reads: {}", data.join(", "));
        let _ = writeln!(out, "\n{}\n", c.rationale);
        let _ = writeln!(out, "Remediation ({}):\n", c.remediation.portal_path);
        for (n, step) in c.remediation.steps.iter().enumerate() {
            let _ = writeln!(out, "{}. {step}", n + 1);
        }
        let _ = writeln!(out, "\n```powershell\n{}\n```", c.remediation.powershell);
    }
    out
}

/// Where a dataset comes from: the request PIM Ready sends and the fields the checks use.
fn source(d: Dataset) -> &'static str {
    match d {
        Dataset::Organization => "`GET /organization` (`id`, `displayName`, `verifiedDomains`)",
        Dataset::SubscribedSkus => {
            "`GET /subscribedSkus` (`skuId`, `skuPartNumber`, `capabilityStatus`, `prepaidUnits`, `consumedUnits`, `servicePlans[].servicePlanId`, `servicePlans[].provisioningStatus`)"
        }
        Dataset::RoleDefinitions => {
            "`GET /roleManagement/directory/roleDefinitions` (`id`, `templateId`, `displayName`, `isBuiltIn`)"
        }
        Dataset::RoleAssignments => {
            "`GET /roleManagement/directory/roleAssignments?$expand=principal` (`principalId`, `roleDefinitionId`, `directoryScopeId`, `principal`)"
        }
        Dataset::RoleAssignmentScheduleInstances => {
            "`GET /roleManagement/directory/roleAssignmentScheduleInstances?$expand=principal` (`principalId`, `roleDefinitionId`, `assignmentType`, `memberType`, `startDateTime`, `endDateTime`, `roleAssignmentScheduleId`)"
        }
        Dataset::RoleAssignmentSchedules => {
            "`GET /roleManagement/directory/roleAssignmentSchedules?$expand=principal` (`id`, `principalId`, `roleDefinitionId`, `createdUsing`, `scheduleInfo`)"
        }
        Dataset::RoleEligibilityScheduleInstances => {
            "`GET /roleManagement/directory/roleEligibilityScheduleInstances?$expand=principal` (`principalId`, `roleDefinitionId`, `memberType`, `startDateTime`, `endDateTime`)"
        }
        Dataset::RoleEligibilitySchedules => {
            "`GET /roleManagement/directory/roleEligibilitySchedules?$expand=principal` (`principalId`, `roleDefinitionId`, `scheduleInfo`)"
        }
        Dataset::RoleManagementPolicies => {
            "`GET /policies/roleManagementPolicyAssignments?$filter=scopeId eq '/' and scopeType eq 'DirectoryRole'&$expand=policy($expand=rules)` (`roleDefinitionId`, `policy.rules[]`: approval, expiration, enablement and notification rules)"
        }
        Dataset::PrivilegedPrincipals => {
            "`GET /users/{id}` (`userPrincipalName`, `userType`, `accountEnabled`, `onPremisesSyncEnabled`, `onPremisesImmutableId`, `assignedLicenses`, `createdDateTime`); `GET /servicePrincipals/{id}` (`appId`, `servicePrincipalType`, `accountEnabled`)"
        }
        Dataset::SignInActivity => {
            "`GET /users/{id}?$select=id,signInActivity` (`signInActivity.lastSuccessfulSignInDateTime`, `lastSignInDateTime`, `lastNonInteractiveSignInDateTime`)"
        }
        Dataset::PrivilegedGroups => {
            "`GET /groups/{id}` (`isAssignableToRole`, `securityEnabled`, `onPremisesSyncEnabled`), `/groups/{id}/members`, `/groups/{id}/owners`"
        }
        Dataset::GroupEligibilityScheduleInstances => {
            "`GET /identityGovernance/privilegedAccess/group/eligibilityScheduleInstances?$filter=groupId eq '{id}'` (`principalId`, `accessId`, `endDateTime`)"
        }
        Dataset::GroupAssignmentScheduleInstances => {
            "`GET /identityGovernance/privilegedAccess/group/assignmentScheduleInstances?$filter=groupId eq '{id}'` (`principalId`, `accessId`, `assignmentType`, `endDateTime`)"
        }
        Dataset::AccessReviews => {
            "`GET /identityGovernance/accessReviews/definitions` (`status`, `scope.principalScopes`, `scope.resourceScopes`, `instanceEnumerationScope`, `reviewers`, `stageSettings[].durationInDays`, `stageSettings[].reviewers`, `settings.recurrence`, `settings.instanceDurationInDays`, `settings.autoApplyDecisionsEnabled`, `settings.defaultDecisionEnabled`, `settings.defaultDecision`, `settings.mailNotificationsEnabled`, `settings.reminderNotificationsEnabled`, `settings.justificationRequiredOnApproval`)"
        }
        Dataset::ConditionalAccessPolicies => {
            "`GET /identity/conditionalAccess/policies` (`state`, `conditions.users` incl. `excludeGuestsOrExternalUsers.guestOrExternalUserTypes`, `conditions.applications`, `conditions.locations`, `conditions.platforms`, `conditions.clientAppTypes`, `grantControls`, `sessionControls`)"
        }
        Dataset::AzureSubscriptions => {
            "Azure Resource Manager: subscriptions and management groups"
        }
        Dataset::AzureRoleAssignments => {
            "Azure Resource Manager: `Microsoft.Authorization/roleAssignments` of the privileged Azure roles"
        }
        Dataset::AzureRoleSchedules => {
            "Azure Resource Manager: `Microsoft.Authorization/roleEligibilityScheduleInstances` and `roleAssignmentScheduleInstances`"
        }
        Dataset::AzureRoleSettings => {
            "Azure Resource Manager: `Microsoft.Authorization/roleManagementPolicies`"
        }
        Dataset::AzureRootScope => "Azure Resource Manager: role assignments at scope `/`",
    }
}

/// `docs/checks.md`: per check, the control's words and version, the rule as implemented,
/// where and why it differs from ScubaGear, Maester or CIS (`CheckDef::differs`), and what
/// it reads.
pub fn conformance_markdown() -> String {
    let mut out = String::from(
        "# Checks and the controls they cite\n\n\
         Generated from the check catalog (`crates/pimready-core/src/checks`); do not edit by hand.\n\
         `UPDATE_EXPECT=1 cargo test -p pimready-core checks::tests::checks_md` regenerates it.\n\n",
    );
    let _ = writeln!(
        out,
        "CIS references use the numbering of the CIS Microsoft 365 Foundations Benchmark v{CIS_VERSION} (released 26 February 2026). \
         v7.0.0 (19 May 2026) is the newest release announced; it adds global recommendation ids and moves \
         recommendations, and its numbering for these controls has not been verified against the benchmark itself, so the \
         catalog still cites v{CIS_VERSION} (checked again on 4 December 2026: v7.0.0 is still the newest release \
         reported, and no copy of its text for these controls was found). CIS wording below is the recommendation \
         title; where a rule follows a recommendation's audit criteria (PIM-13), they are quoted from public copies of \
         the benchmark's text. SCuBA wording is the policy statement of `baselines/aad.md`, quoted exactly. ScubaGear \
         comparisons were read in its `Rego/AADConfig.rego` and AAD provider (main branch, August 2026).\n"
    );
    for c in catalog() {
        let _ = writeln!(out, "## {} {}\n", c.id, c.title);
        let _ = writeln!(
            out,
            "Severity {}; minimum licence {}.\n",
            c.severity.as_str(),
            c.minimum_licence.label()
        );
        let _ = writeln!(out, "**Controls cited**\n");
        for r in c.references {
            let label = match r.url {
                Some(url) => format!("[{}]({url})", r.label()),
                None => r.label(),
            };
            match controls::words(r) {
                Some(words) => {
                    let _ = writeln!(out, "- {label}: \"{words}\"");
                }
                None => {
                    let _ = writeln!(
                        out,
                        "- {label}: guidance without a numbered statement; see the link."
                    );
                }
            }
        }
        let _ = writeln!(out, "\n**Rule as implemented**\n\n{}\n", c.rationale);
        let _ = writeln!(
            out,
            "**Where it differs from ScubaGear, Maester or CIS, and why**\n\n{}\n",
            c.differs
        );
        let _ = writeln!(out, "**Reads**\n");
        for d in c.data {
            let _ = writeln!(out, "- {}: {}", d.label(), source(*d));
        }
        for d in c.data_with_pim {
            let _ = writeln!(out, "- {} (PIM-capable tenants): {}", d.label(), source(*d));
        }
        out.push('\n');
    }
    out
}
