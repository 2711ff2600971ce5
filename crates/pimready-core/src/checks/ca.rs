//! Conditional Access for administrators: MFA, phishing-resistant MFA, short sessions.

use super::{
    CheckContext, CheckDef, Outcome, PlanDef, PrivilegedRole, RefDef, RemediationDef, Step,
    is_emergency, principal_of, role_evidence, roles_with_additions, same_id,
};
use crate::finding::{Category, MinimumLicence, Severity, Status};
use crate::privileged::HIGHLY_PRIVILEGED_ROLES;
use crate::snapshot::{
    CaUsers, ConditionalAccessPolicy, Dataset, PolicyState, Principal, PrincipalKind,
};

/// Built-in authentication strength "Phishing-resistant MFA" (same id in every tenant).
pub const PHISHING_RESISTANT_STRENGTH: &str = "00000000-0000-0000-0000-000000000004";

const CA_PORTAL: &str =
    "Entra admin center > Protection > Conditional Access > Policies > New policy";

/// The admin roles CIS Microsoft 365 Foundations 5.2.2.1 lists ("At minimum these directory
/// roles should be included for MFA", as printed in the benchmark's v4.0.0 and v5.0.0).
/// They are the roles of Microsoft's "Require MFA for administrators" policy
/// (https://learn.microsoft.com/entra/identity/conditional-access/howto-conditional-access-policy-admin-mfa)
/// plus Global Reader. Template ids: https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference
pub const CIS_MFA_ADMIN_ROLES: [(&str, &str); 15] = [
    (
        "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
        "Application Administrator",
    ),
    (
        "c4e39bd9-1100-46d3-8c65-fb160da0071f",
        "Authentication Administrator",
    ),
    (
        "b0f54661-2d74-4c50-afa3-1ec803f12efe",
        "Billing Administrator",
    ),
    (
        "158c047a-c907-4556-b7ef-446551a6b5f7",
        "Cloud Application Administrator",
    ),
    (
        "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
        "Conditional Access Administrator",
    ),
    (
        "29232cdf-9323-42fd-ade2-1d097af3e4de",
        "Exchange Administrator",
    ),
    (
        "62e90394-69f5-4237-9190-012177145e10",
        "Global Administrator",
    ),
    ("f2ef992c-3afb-46b9-b7cf-a126ee74c451", "Global Reader"),
    (
        "729827e3-9c14-49f7-bb1b-9608f156bbb8",
        "Helpdesk Administrator",
    ),
    (
        "966707d0-3269-4727-9be2-8c3a10f19b9d",
        "Password Administrator",
    ),
    (
        "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
        "Privileged Authentication Administrator",
    ),
    (
        "e8611ab8-c189-46e8-94e1-60213ab1f814",
        "Privileged Role Administrator",
    ),
    (
        "194ae4cb-b126-40b2-bd5b-6091b380977d",
        "Security Administrator",
    ),
    (
        "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
        "SharePoint Administrator",
    ),
    ("fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator"),
];

/// `authenticationMethodModes` that are phishing-resistant: the modes of the built-in
/// "Phishing-resistant MFA" strength
/// (https://learn.microsoft.com/entra/identity/authentication/concept-authentication-strengths).
const PHISHING_RESISTANT_MODES: [&str; 3] = [
    "fido2",
    "windowsHelloForBusiness",
    "x509CertificateMultiFactor",
];

/// Built-in authentication strengths share this id prefix (…0002 MFA, …0003 passwordless).
const BUILT_IN_STRENGTH_PREFIX: &str = "00000000-0000-0000-0000-";

/// A role list a check reads, with the words its summary uses for it.
struct RoleList {
    label: String,
    roles: Vec<PrivilegedRole>,
}

fn role_list(ctx: &CheckContext<'_>, base: &[(&str, &str)], name: &str) -> RoleList {
    let roles = roles_with_additions(ctx, base);
    let added = roles.len().saturating_sub(base.len());
    let label = if added == 0 {
        name.to_owned()
    } else {
        format!("{name} plus {added} --privileged-role addition(s)")
    };
    RoleList { label, roles }
}

fn cis_roles(ctx: &CheckContext<'_>) -> RoleList {
    role_list(
        ctx,
        &CIS_MFA_ADMIN_ROLES,
        "the admin roles CIS M365 5.2.2.1 lists",
    )
}

/// CIS 5.2.2.4 and 5.2.2.5 name the same admin roles as 5.2.2.1 ("At minimum these directory
/// roles should be included"); PIM Ready adds its highly privileged roles (Hybrid Identity
/// Administrator is the one CIS leaves out).
fn cis_and_highly_privileged(ctx: &CheckContext<'_>, control: &str) -> RoleList {
    let mut base: Vec<(&str, &str)> = CIS_MFA_ADMIN_ROLES.to_vec();
    for role in HIGHLY_PRIVILEGED_ROLES {
        if !base.iter().any(|(id, _)| same_id(id, role.0)) {
            base.push(role);
        }
    }
    role_list(
        ctx,
        &base,
        &format!(
            "the admin roles CIS M365 {control} lists and PIM Ready's highly privileged roles"
        ),
    )
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

fn policy_name(p: &ConditionalAccessPolicy) -> String {
    p.display_name.clone().unwrap_or_else(|| p.id.clone())
}

/// What a policy's grant or session control gives for a check: `None` when it does not
/// meet it, else the caveats that make a pass a warning (empty: met outright).
type Control = fn(&ConditionalAccessPolicy) -> Option<Vec<String>>;

/// Grant requires MFA (built-in `mfa` or any authentication strength), not as one option among others.
fn requires_mfa(p: &ConditionalAccessPolicy) -> Option<Vec<String>> {
    let g = p.grant_controls.as_ref()?;
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
    ((strength || mfa) && (!or || alternatives == 0)).then(Vec::new)
}

/// Grant requires a phishing-resistant authentication strength: the built-in one, or a
/// custom one whose `allowedCombinations` are all phishing-resistant. A custom strength
/// whose combinations were not read is a caveat, never a pass
/// (https://learn.microsoft.com/graph/api/resources/conditionalaccessgrantcontrols,
/// https://learn.microsoft.com/graph/api/resources/authenticationstrengthpolicy).
fn requires_phishing_resistant(p: &ConditionalAccessPolicy) -> Option<Vec<String>> {
    let g = p.grant_controls.as_ref()?;
    let s = g.authentication_strength.as_ref()?;
    let or = g
        .operator
        .as_deref()
        .is_some_and(|o| o.eq_ignore_ascii_case("OR"));
    if or && !g.built_in_controls.is_empty() {
        return None;
    }
    if same_id(&s.id, PHISHING_RESISTANT_STRENGTH) {
        return Some(Vec::new());
    }
    match &s.allowed_combinations {
        Some(modes) => (!modes.is_empty()
            && modes.iter().all(|m| {
                PHISHING_RESISTANT_MODES
                    .iter()
                    .any(|r| r.eq_ignore_ascii_case(m))
            }))
        .then(Vec::new),
        None if s.id.starts_with(BUILT_IN_STRENGTH_PREFIX)
            || s.policy_type
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case("builtIn")) =>
        {
            None
        }
        None => Some(vec![format!(
            "custom authentication strength '{}' whose allowed combinations were not read",
            s.display_name.as_deref().unwrap_or(&s.id)
        )]),
    }
}

fn short_sign_in_frequency(p: &ConditionalAccessPolicy) -> Option<Vec<String>> {
    let f = p
        .session_controls
        .as_ref()
        .and_then(|s| s.sign_in_frequency.as_ref())?;
    if f.is_enabled != Some(true) {
        return None;
    }
    if f.frequency_interval
        .as_deref()
        .is_some_and(|i| i.eq_ignore_ascii_case("everyTime"))
    {
        return Some(Vec::new());
    }
    matches!((f.kind.as_deref(), f.value), (Some(k), Some(v)) if k.eq_ignore_ascii_case("hours") && (1..=4).contains(&v))
        .then(Vec::new)
}

fn never_persistent(p: &ConditionalAccessPolicy) -> Option<Vec<String>> {
    p.session_controls
        .as_ref()
        .and_then(|s| s.persistent_browser.as_ref())
        .is_some_and(|b| {
            b.is_enabled == Some(true)
                && b.mode
                    .as_deref()
                    .is_some_and(|m| m.eq_ignore_ascii_case("never"))
        })
        .then(Vec::new)
}

/// The guest and external user types a policy excludes (`excludeGuestsOrExternalUsers`, or
/// the older `GuestsOrExternalUsers` keyword in `excludeUsers`), if any.
fn excluded_guest_types(users: &CaUsers) -> Option<String> {
    let types = users
        .exclude_guests_or_external_users
        .as_ref()
        .and_then(|g| g.guest_or_external_user_types.as_deref())
        .map(str::trim)
        .filter(|t| !t.is_empty() && !t.eq_ignore_ascii_case("none"));
    if let Some(t) = types {
        return Some(t.to_owned());
    }
    users
        .exclude_users
        .iter()
        .any(|u| u.eq_ignore_ascii_case("GuestsOrExternalUsers"))
        .then(|| "all guest or external users".to_owned())
}

/// Conditions that narrow a policy below "every sign-in to every app": excluded apps,
/// locations, platforms, client app types other than `all`, device filters
/// (https://learn.microsoft.com/graph/api/resources/conditionalaccessconditionset).
fn narrowing(p: &ConditionalAccessPolicy) -> Vec<String> {
    let mut out = Vec::new();
    let Some(c) = &p.conditions else {
        return out;
    };
    // An admin who is a guest or external user would be left out (ADM-06 fails such admins).
    if let Some(types) = c.users.as_ref().and_then(excluded_guest_types) {
        out.push(format!("excludes guest or external users ({types})"));
    }
    if let Some(a) = &c.applications
        && !a.exclude_applications.is_empty()
    {
        out.push(format!(
            "excludes applications {}",
            a.exclude_applications.join(", ")
        ));
    }
    if let Some(l) = &c.locations {
        narrowed_by(
            &mut out,
            "locations",
            &l.include_locations,
            &l.exclude_locations,
        );
    }
    if let Some(pl) = &c.platforms {
        narrowed_by(
            &mut out,
            "platforms",
            &pl.include_platforms,
            &pl.exclude_platforms,
        );
    }
    if !c.client_app_types.is_empty()
        && !c
            .client_app_types
            .iter()
            .any(|t| t.eq_ignore_ascii_case("all"))
    {
        out.push(format!(
            "limited to client app types {}",
            c.client_app_types.join(", ")
        ));
    }
    if let Some(f) = c.devices.as_ref().and_then(|d| d.device_filter.as_ref())
        && f.rule.as_deref().is_some_and(|r| !r.trim().is_empty())
    {
        out.push(format!(
            "device filter ({} {})",
            f.mode.as_deref().unwrap_or("include"),
            f.rule.as_deref().unwrap_or_default()
        ));
    }
    out
}

/// A condition with include and exclude lists (locations, platforms) narrows a policy when it
/// includes anything but `All` or excludes anything.
fn narrowed_by(out: &mut Vec<String>, what: &str, include: &[String], exclude: &[String]) {
    if include.iter().any(|i| !i.eq_ignore_ascii_case("all")) {
        out.push(format!("limited to {what} {}", include.join(", ")));
    }
    if !exclude.is_empty() {
        out.push(format!("excludes {what} {}", exclude.join(", ")));
    }
}

fn object_label(ctx: &CheckContext<'_>, id: &str) -> String {
    ctx.snapshot
        .principal(id)
        .map_or_else(|| id.to_owned(), Principal::label)
}

/// Why the policy's exclusions leave the role unprotected: it excludes the role, or a user
/// or group that holds it, or the guests or external users one of its holders is.
/// Designated emergency accounts may be excluded.
fn exclusion_blockers(
    ctx: &CheckContext<'_>,
    users: &CaUsers,
    role: &PrivilegedRole,
) -> Vec<String> {
    let mut out = Vec::new();
    if users
        .exclude_roles
        .iter()
        .any(|r| same_id(r, &role.template_id))
    {
        out.push(format!("excludes the {} role", role.name));
    }
    let holders = ctx
        .population
        .holdings
        .iter()
        .filter(|h| same_id(&h.role_template_id, &role.template_id));
    for h in holders {
        let name =
            principal_of(ctx, h).map_or_else(|| h.principal_id.to_string(), Principal::label);
        let emergency = h.kind == PrincipalKind::User && is_emergency(ctx, &h.principal_id);
        if emergency {
            continue;
        }
        if users.exclude_users.iter().any(|u| h.principal_id == *u) {
            out.push(format!("excludes {name}, who holds it"));
        }
        // Any excluded guest or external type counts against an external holder: the user
        // object does not say which of the types it is.
        if let Some(types) = excluded_guest_types(users)
            && principal_of(ctx, h).is_some_and(Principal::is_guest)
        {
            out.push(format!(
                "excludes guest or external users ({types}), and {name}, who holds it, is one"
            ));
        }
        for g in &users.exclude_groups {
            let group = object_label(ctx, g);
            if h.kind == PrincipalKind::Group && h.principal_id == *g {
                out.push(format!("excludes group {group}, which holds it"));
            } else if h.via_group.as_ref().is_some_and(|v| *v == *g) {
                out.push(format!(
                    "excludes group {group}, through which {name} holds it"
                ));
            } else if group_members(ctx, g)
                .is_some_and(|m| m.iter().any(|p| p.id == h.principal_id))
            {
                out.push(format!(
                    "excludes group {group}, whose member {name} holds it"
                ));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn group_members<'a>(ctx: &CheckContext<'a>, group: &str) -> Option<&'a [Principal]> {
    ctx.snapshot
        .privileged_groups
        .iter()
        .flatten()
        .find(|g| g.group.id == group)
        .map(|g| g.members.as_slice())
}

/// Excluded groups whose members were not read: an admin among them would go unprotected.
fn unread_groups(ctx: &CheckContext<'_>, users: &CaUsers) -> Vec<String> {
    users
        .exclude_groups
        .iter()
        .filter(|g| {
            group_members(ctx, g).is_none()
                && !ctx.population.holdings.iter().any(|h| {
                    h.principal_id == **g || h.via_group.as_ref().is_some_and(|v| *v == **g)
                })
        })
        .map(|g| {
            format!(
                "excludes group {} whose members were not read",
                object_label(ctx, g)
            )
        })
        .collect()
}

/// How well a role is protected for one control.
enum Protection {
    Protected,
    /// Only by policies with narrowing conditions or caveats (named).
    Narrowed(String),
    /// By no policy; why each candidate does not count, and a report-only policy that
    /// would protect the role once switched on (its only blocker is its state).
    Unprotected(String, Option<String>),
}

/// A policy protects a role only if it meets the control, is `enabled` (report-only does
/// not count), includes the role or All users, excludes neither the role nor a holder of it
/// (designated emergency accounts aside), and applies to all cloud apps
/// (https://learn.microsoft.com/graph/api/resources/conditionalaccessusers,
/// https://learn.microsoft.com/graph/api/resources/conditionalaccesspolicy).
fn protection(
    ctx: &CheckContext<'_>,
    role: &PrivilegedRole,
    control: Control,
    what: &str,
) -> Protection {
    let mut narrowed: Option<String> = None;
    let mut reasons = Vec::new();
    let mut ready: Option<String> = None;
    for p in ctx.snapshot.conditional_access_policies.iter().flatten() {
        let Some(mut caveats) = control(p) else {
            continue;
        };
        let Some(users) = p.conditions.as_ref().and_then(|c| c.users.as_ref()) else {
            continue;
        };
        let included = users
            .include_roles
            .iter()
            .any(|r| same_id(r, &role.template_id))
            || users
                .include_users
                .iter()
                .any(|u| u.eq_ignore_ascii_case("All"));
        if !included {
            continue;
        }
        let mut blockers = Vec::new();
        match &p.state {
            Some(PolicyState::Enabled) => {}
            Some(PolicyState::EnabledForReportingButNotEnforced) => {
                blockers.push("is report-only".to_owned());
            }
            _ => blockers.push("is not enabled".to_owned()),
        }
        if !all_apps(p) {
            blockers.push("does not apply to all cloud apps".to_owned());
        }
        blockers.extend(exclusion_blockers(ctx, users, role));
        let name = policy_name(p);
        if !blockers.is_empty() {
            if blockers == ["is report-only"] {
                ready.get_or_insert_with(|| name.clone());
            }
            reasons.push(format!("'{name}' {}", blockers.join(", ")));
            continue;
        }
        caveats.extend(narrowing(p));
        caveats.extend(unread_groups(ctx, users));
        if caveats.is_empty() {
            return Protection::Protected;
        }
        narrowed.get_or_insert_with(|| format!("'{name}' {what} but {}", caveats.join("; ")));
    }
    if let Some(n) = narrowed {
        return Protection::Narrowed(n);
    }
    if reasons.is_empty() {
        Protection::Unprotected(
            format!("no Conditional Access policy {what} for this role"),
            None,
        )
    } else {
        Protection::Unprotected(
            format!(
                "no policy that {what} protects this role: {}",
                reasons.join("; ")
            ),
            ready,
        )
    }
}

/// The verdict over a role list: every role protected for every control passes; a role
/// protected only by a narrowed policy warns; an unprotected role fails.
fn verdict(
    ctx: &CheckContext<'_>,
    list: &RoleList,
    controls: &[(Control, &str)],
    pass: &str,
    fail: &str,
) -> Outcome {
    let mut evidence = Vec::new();
    let mut failed: Vec<&str> = Vec::new();
    let mut warned: Vec<&str> = Vec::new();
    // Report-only policies that would protect a failing role once switched on.
    let mut ready: Vec<String> = Vec::new();
    for role in &list.roles {
        let mut unprotected = false;
        let mut narrowed = false;
        for (control, what) in controls {
            let detail = match protection(ctx, role, *control, what) {
                Protection::Protected => continue,
                Protection::Narrowed(d) => {
                    narrowed = true;
                    d
                }
                Protection::Unprotected(d, report_only) => {
                    unprotected = true;
                    if let Some(name) = report_only
                        && !ready.contains(&name)
                    {
                        ready.push(name);
                    }
                    d
                }
            };
            let mut e = role_evidence(role, detail);
            "role".clone_into(&mut e.object_type);
            evidence.push(e);
        }
        if unprotected {
            failed.push(&role.name);
        } else if narrowed {
            warned.push(&role.name);
        }
    }
    let total = list.roles.len();
    let label = &list.label;
    let narrowed_text = if warned.is_empty() {
        String::new()
    } else {
        format!(
            " {} role(s) are protected only by narrowed policies: {}.",
            warned.len(),
            warned.join(", ")
        )
    };
    if !failed.is_empty() {
        // Report-only enforces nothing, but a policy whose only shortfall is its state is
        // one step from done: say so (a change-set creates its policies report-only).
        let ready_text = if ready.is_empty() {
            String::new()
        } else {
            format!(
                " Report-only policy {} would cover them once switched on: it is ready to be switched on after its sign-in impact is reviewed.",
                ready
                    .iter()
                    .map(|n| format!("'{n}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        return Outcome::new(
            Status::Fail,
            format!(
                "{} of {total} roles ({label}) {fail}: {}.{narrowed_text}{ready_text}",
                failed.len(),
                failed.join(", ")
            ),
            evidence,
        );
    }
    if !warned.is_empty() {
        return Outcome::new(
            Status::Warning,
            format!("{pass} for the {total} roles ({label}), but{narrowed_text}"),
            evidence,
        );
    }
    Outcome::pass(format!("{pass} for all {total} roles ({label})."))
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
    rationale: "A password alone must never open an admin role; Conditional Access enforces MFA at every admin sign-in, activated or not. Role list: the admin roles CIS M365 5.2.2.1 lists, plus any --privileged-role additions. A policy counts only when enabled (not report-only), on all cloud apps, including the role or All users and excluding neither the role nor a holder of it (designated emergency accounts aside); excluding guest or external users (conditions.users.excludeGuestsOrExternalUsers, or the GuestsOrExternalUsers keyword) disqualifies a policy for a role a guest or external user holds. Narrowing conditions (excluded apps, locations, platforms, client app types, device filters, excluded guest or external users) make a pass a warning.",
    differs: "Uses the admin roles CIS 5.2.2.1 lists (plus --privileged-role additions), whereas ScubaGear's MFA policies (MS.AAD.3.x) target all users. Several policies may together cover the roles (ScubaGear wants one policy naming every role); a policy counts only when enabled, on all cloud apps, and excluding neither the role nor a holder of it (designated emergency accounts aside). Narrowing conditions turn a pass into a warning.",
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
    verdict(
        ctx,
        &cis_roles(ctx),
        &[(requires_mfa, "requires MFA on all cloud apps")],
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
    rationale: "Push and code MFA are phished through adversary-in-the-middle proxies; FIDO2, Windows Hello and certificates are not. Role list: the admin roles CIS M365 5.2.2.5 lists (the same fifteen as 5.2.2.1), PIM Ready's highly privileged roles (Hybrid Identity Administrator is the one more) and any --privileged-role additions. The built-in Phishing-resistant MFA strength passes, as does a custom strength whose combinations are all FIDO2, Windows Hello for Business or multifactor certificate; a custom strength whose combinations were not read is a warning.",
    differs: "ScubaGear's MS.AAD.3.6v1 test wants one enabled policy that includes every privileged role by role (not All users), excludes no role, covers all apps and requires phishing-resistant MFA. PIM Ready judges each role: it accepts All users and several policies together, and a custom authentication strength whose combinations are all phishing-resistant; the same exclusions as CA-01 disqualify a policy.",
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
    verdict(
        ctx,
        &cis_and_highly_privileged(ctx, "5.2.2.5"),
        &[(
            requires_phishing_resistant,
            "requires a phishing-resistant authentication strength",
        )],
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
    rationale: "A long-lived admin session cookie outlives the activation it came from and is a prize for token theft. Role list: the admin roles CIS M365 5.2.2.4 lists (the same fifteen as 5.2.2.1), PIM Ready's highly privileged roles (Hybrid Identity Administrator is the one more) and any --privileged-role additions. Both a sign-in frequency of 4 hours or less and a never-persistent browser session are required.",
    differs: "CIS 5.2.2.4's audit asks for one enabled policy with both a periodic reauthentication of at most 4 hours and a never-persistent browser session, on all resources, for at least its fifteen admin roles. PIM Ready requires both for each role but accepts them from two policies (the effect is the same), adds Hybrid Identity Administrator to the roles, and disqualifies a policy that excludes a role or a holder of it. A published 5.2.2.4 test compares role names with the role ids Graph returns; PIM Ready matches template ids.",
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
    verdict(
        ctx,
        &cis_and_highly_privileged(ctx, "5.2.2.4"),
        &[
            (
                short_sign_in_frequency,
                "sets sign-in frequency to 4 hours or less",
            ),
            (
                never_persistent,
                "sets the browser session to never persistent",
            ),
        ],
        "Sign-in frequency is 4 hours or less and browser sessions are never persistent",
        "lack a short sign-in frequency or a non-persistent browser session",
    )
}
