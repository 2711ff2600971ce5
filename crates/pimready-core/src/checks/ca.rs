//! Conditional Access for administrators: MFA, phishing-resistant MFA, short sessions.

use super::{
    CheckContext, CheckDef, Outcome, PlanDef, PrivilegedRole, RefDef, RemediationDef, Step,
    privileged_roles, role_evidence, same_id,
};
use crate::finding::{Category, Evidence, MinimumLicence, Severity, Status};
use crate::snapshot::{ConditionalAccessPolicy, Dataset, PolicyState};

/// Built-in authentication strength "Phishing-resistant MFA" (same id in every tenant).
pub const PHISHING_RESISTANT_STRENGTH: &str = "00000000-0000-0000-0000-000000000004";

const CA_PORTAL: &str =
    "Entra admin center > Protection > Conditional Access > Policies > New policy";

fn enabled(p: &ConditionalAccessPolicy) -> bool {
    p.state == Some(PolicyState::Enabled)
}

fn all_apps(p: &ConditionalAccessPolicy) -> bool {
    p.conditions
        .as_ref()
        .and_then(|c| c.applications.as_ref())
        .is_some_and(|a| {
            a.include_applications
                .iter()
                .any(|i| i.eq_ignore_ascii_case("All"))
        })
}

/// Whether the policy's users condition targets this role: included by role, or "All"
/// users, and the role not excluded.
fn targets_role(p: &ConditionalAccessPolicy, role: &PrivilegedRole) -> bool {
    let Some(users) = p.conditions.as_ref().and_then(|c| c.users.as_ref()) else {
        return false;
    };
    let included = users
        .include_roles
        .iter()
        .any(|r| same_id(r, &role.template_id))
        || users
            .include_users
            .iter()
            .any(|u| u.eq_ignore_ascii_case("All"));
    let excluded = users
        .exclude_roles
        .iter()
        .any(|r| same_id(r, &role.template_id));
    included && !excluded
}

/// Grant requires MFA (built-in `mfa` or any authentication strength), not as one option among others.
fn requires_mfa(p: &ConditionalAccessPolicy) -> bool {
    let Some(g) = &p.grant_controls else {
        return false;
    };
    let strength = g.authentication_strength.is_some();
    let mfa = g
        .built_in_controls
        .iter()
        .any(|c| c.eq_ignore_ascii_case("mfa"));
    let or = g
        .operator
        .as_deref()
        .is_some_and(|o| o.eq_ignore_ascii_case("OR"));
    let alternatives = g
        .built_in_controls
        .iter()
        .filter(|c| !c.eq_ignore_ascii_case("mfa"))
        .count();
    (strength || mfa) && (!or || alternatives == 0)
}

fn requires_phishing_resistant(p: &ConditionalAccessPolicy) -> bool {
    let Some(g) = &p.grant_controls else {
        return false;
    };
    let strength = g
        .authentication_strength
        .as_ref()
        .is_some_and(|s| same_id(&s.id, PHISHING_RESISTANT_STRENGTH));
    let or = g
        .operator
        .as_deref()
        .is_some_and(|o| o.eq_ignore_ascii_case("OR"));
    strength && (!or || g.built_in_controls.is_empty())
}

fn short_sign_in_frequency(p: &ConditionalAccessPolicy) -> bool {
    let Some(f) = p
        .session_controls
        .as_ref()
        .and_then(|s| s.sign_in_frequency.as_ref())
    else {
        return false;
    };
    if f.is_enabled != Some(true) {
        return false;
    }
    if f.frequency_interval
        .as_deref()
        .is_some_and(|i| i.eq_ignore_ascii_case("everyTime"))
    {
        return true;
    }
    matches!((f.kind.as_deref(), f.value), (Some(k), Some(v)) if k.eq_ignore_ascii_case("hours") && (1..=4).contains(&v))
}

fn never_persistent(p: &ConditionalAccessPolicy) -> bool {
    p.session_controls
        .as_ref()
        .and_then(|s| s.persistent_browser.as_ref())
        .is_some_and(|b| {
            b.is_enabled == Some(true)
                && b.mode
                    .as_deref()
                    .is_some_and(|m| m.eq_ignore_ascii_case("never"))
        })
}

/// Roles not covered by any enabled all-apps policy satisfying `control`.
fn uncovered(
    ctx: &CheckContext<'_>,
    control: impl Fn(&ConditionalAccessPolicy) -> bool,
    detail: &str,
) -> (usize, Vec<Evidence>) {
    let policies: Vec<&ConditionalAccessPolicy> = ctx
        .snapshot
        .conditional_access_policies
        .iter()
        .flatten()
        .filter(|p| enabled(p) && all_apps(p) && control(p))
        .collect();
    let roles = privileged_roles(ctx);
    let evidence = roles
        .iter()
        .filter(|r| !policies.iter().any(|p| targets_role(p, r)))
        .map(|r| {
            let mut e = role_evidence(r, detail);
            "role".clone_into(&mut e.object_type);
            e
        })
        .collect();
    (roles.len(), evidence)
}

fn verdict(total: usize, evidence: Vec<Evidence>, pass: &str, fail: &str) -> Outcome {
    if evidence.is_empty() {
        return Outcome::pass(format!("{pass} for all {total} highly privileged roles."));
    }
    let names: Vec<&str> = evidence.iter().map(|e| e.display_name.as_str()).collect();
    Outcome::new(
        Status::Fail,
        format!(
            "{} of {total} highly privileged roles {fail}: {}.",
            evidence.len(),
            names.join(", ")
        ),
        evidence,
    )
}

pub(super) const CA_01: CheckDef = CheckDef {
    id: "CA-01",
    title: "MFA is required for administrative roles",
    category: Category::ConditionalAccess,
    severity: Severity::Critical,
    references: &[RefDef::cis("5.2.2.1")],
    minimum_licence: MinimumLicence::P1,
    data: &[Dataset::ConditionalAccessPolicies],
    data_with_pim: &[],
    rationale: "A password alone must never open an admin role; Conditional Access enforces MFA at every admin sign-in, activated or not.",
    remediation: RemediationDef {
        steps: &[
            "Create a Conditional Access policy: Users > Directory roles > select every highly privileged role.",
            "Target resources: All cloud apps. Grant: Require multifactor authentication (or an authentication strength).",
            "Exclude only the emergency-access accounts; start in report-only, then turn it On.",
        ],
        portal_path: CA_PORTAL,
        powershell: "New-MgIdentityConditionalAccessPolicy -BodyParameter @{ displayName = 'Require MFA for admins'; state = 'enabled'; conditions = @{ users = @{ includeRoles = @('62e90394-69f5-4237-9190-012177145e10','e8611ab8-c189-46e8-94e1-60213ab1f814' <# and the other highly privileged roles #>); excludeUsers = @('<emergency account id>') }; applications = @{ includeApplications = @('All') } }; grantControls = @{ operator = 'OR'; builtInControls = @('mfa') } }",
    },
    plan: PlanDef::new(
        Step::ConditionalAccess,
        "Highly privileged roles",
        "Require MFA (or an authentication strength) on all cloud apps",
    ),
    evaluate: ca_01,
};

fn ca_01(ctx: &CheckContext<'_>) -> Outcome {
    let (total, evidence) = uncovered(
        ctx,
        requires_mfa,
        "no enabled all-apps policy requires MFA for this role",
    );
    verdict(
        total,
        evidence,
        "An enabled Conditional Access policy requires MFA on all cloud apps",
        "are not required to use MFA",
    )
}

pub(super) const CA_02: CheckDef = CheckDef {
    id: "CA-02",
    title: "Phishing-resistant MFA is required for administrators",
    category: Category::ConditionalAccess,
    severity: Severity::High,
    references: &[RefDef::cis("5.2.2.5")],
    minimum_licence: MinimumLicence::P1,
    data: &[Dataset::ConditionalAccessPolicies],
    data_with_pim: &[],
    rationale: "Push and code MFA are phished through adversary-in-the-middle proxies; FIDO2, Windows Hello and certificates are not.",
    remediation: RemediationDef {
        steps: &[
            "Register FIDO2 keys, Windows Hello for Business or certificate-based authentication for every administrator.",
            "Create a Conditional Access policy for the highly privileged roles, all cloud apps, Grant: Require authentication strength 'Phishing-resistant MFA'.",
        ],
        portal_path: CA_PORTAL,
        powershell: "New-MgIdentityConditionalAccessPolicy -BodyParameter @{ displayName = 'Phishing-resistant MFA for admins'; state = 'enabled'; conditions = @{ users = @{ includeRoles = @('62e90394-69f5-4237-9190-012177145e10' <# and the other highly privileged roles #>); excludeUsers = @('<emergency account id>') }; applications = @{ includeApplications = @('All') } }; grantControls = @{ operator = 'AND'; authenticationStrength = @{ id = '00000000-0000-0000-0000-000000000004' } } }",
    },
    plan: PlanDef::new(
        Step::ConditionalAccess,
        "Highly privileged roles",
        "Require the Phishing-resistant MFA authentication strength on all cloud apps",
    ),
    evaluate: ca_02,
};

fn ca_02(ctx: &CheckContext<'_>) -> Outcome {
    let (total, evidence) = uncovered(
        ctx,
        requires_phishing_resistant,
        "no enabled all-apps policy requires the Phishing-resistant MFA strength",
    );
    verdict(
        total,
        evidence,
        "An enabled policy requires phishing-resistant MFA on all cloud apps",
        "are not required to use phishing-resistant MFA",
    )
}

pub(super) const CA_03: CheckDef = CheckDef {
    id: "CA-03",
    title: "Admin sessions are short and not persistent",
    category: Category::ConditionalAccess,
    severity: Severity::Medium,
    references: &[RefDef::cis("5.2.2.4")],
    minimum_licence: MinimumLicence::P1,
    data: &[Dataset::ConditionalAccessPolicies],
    data_with_pim: &[],
    rationale: "A long-lived admin session cookie outlives the activation it came from and is a prize for token theft.",
    remediation: RemediationDef {
        steps: &[
            "Create a Conditional Access policy for the highly privileged roles, all cloud apps.",
            "Session: Sign-in frequency 4 hours (or less), Persistent browser session: Never persistent.",
        ],
        portal_path: CA_PORTAL,
        powershell: "New-MgIdentityConditionalAccessPolicy -BodyParameter @{ displayName = 'Short admin sessions'; state = 'enabled'; conditions = @{ users = @{ includeRoles = @('62e90394-69f5-4237-9190-012177145e10' <# and the other highly privileged roles #>) }; applications = @{ includeApplications = @('All') } }; sessionControls = @{ signInFrequency = @{ isEnabled = $true; type = 'hours'; value = 4; frequencyInterval = 'timeBased' }; persistentBrowser = @{ isEnabled = $true; mode = 'never' } } }",
    },
    plan: PlanDef::new(
        Step::ConditionalAccess,
        "Highly privileged roles",
        "Set sign-in frequency to 4 hours or less and browser sessions to never persistent",
    ),
    evaluate: ca_03,
};

fn ca_03(ctx: &CheckContext<'_>) -> Outcome {
    let (total, mut evidence) = uncovered(
        ctx,
        short_sign_in_frequency,
        "no enabled all-apps policy sets sign-in frequency to 4 hours or less",
    );
    let (_, persistent) = uncovered(
        ctx,
        never_persistent,
        "no enabled all-apps policy sets the browser session to never persistent",
    );
    evidence.extend(persistent);
    let mut roles: Vec<&str> = evidence.iter().map(|e| e.display_name.as_str()).collect();
    roles.sort_unstable();
    roles.dedup();
    if evidence.is_empty() {
        return Outcome::pass(format!(
            "Sign-in frequency is 4 hours or less and browser sessions are never persistent for all {total} highly privileged roles."
        ));
    }
    Outcome::new(
        Status::Fail,
        format!(
            "{} of {total} highly privileged roles lack a short sign-in frequency or a non-persistent browser session: {}.",
            roles.len(),
            roles.join(", ")
        ),
        evidence,
    )
}
