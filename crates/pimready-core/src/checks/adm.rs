//! Privileged-account checks: how many Global Administrators, emergency access,
//! cloud-only, licences, guests, staleness and service principals.

use chrono::Duration;

use super::{
    CheckContext, CheckDef, GLOBAL_ADMINISTRATOR, Outcome, PlanDef, RefDef, RemediationDef, Step,
    distinct_users, holding_evidence, now, principal_of, privileged_holdings, same_id,
};
use crate::finding::{Category, Evidence, MinimumLicence, Severity, Status};
use crate::privileged::Holding;
use crate::snapshot::{Dataset, PrincipalKind};

fn global_admin_users<'a>(ctx: &CheckContext<'a>) -> Vec<&'a Holding> {
    distinct_users(
        privileged_holdings(ctx).filter(|h| same_id(&h.role_template_id, GLOBAL_ADMINISTRATOR)),
    )
}

fn privileged_users<'a>(ctx: &CheckContext<'a>) -> Vec<&'a Holding> {
    distinct_users(privileged_holdings(ctx))
}

pub(super) const ADM_01: CheckDef = CheckDef {
    id: "ADM-01",
    title: "Between two and four Global Administrators",
    category: Category::PrivilegedAccounts,
    severity: Severity::High,
    references: &[RefDef::cis("1.1.3"), RefDef::scuba("MS.AAD.7.1v1")],
    minimum_licence: MinimumLicence::Free,
    data: &[Dataset::RoleAssignments, Dataset::PrivilegedGroups],
    data_with_pim: &[
        Dataset::RoleEligibilityScheduleInstances,
        Dataset::GroupEligibilityScheduleInstances,
    ],
    rationale: "One Global Administrator is a single point of failure; many are a large attack surface. CIS asks for two to four, SCuBA tolerates up to eight.",
    differs: "Uses CIS 1.1.3's range of two to four, stricter than SCuBA MS.AAD.7.1v1's two to eight (ScubaGear's test: users holding Global Administrator, 2 to 8). SCuBA's upper bound is applied in ADM-05, where MS.AAD.7.2v1 depends on it. Eligible holders and members of role-assignable groups count, as SCuBA's instructions ask.",
    remediation: RemediationDef {
        steps: &[
            "List every user who holds Global Administrator, active or eligible, directly or through a group.",
            "Move day-to-day administrators to finer-grained roles (User, Exchange, Security Administrator...).",
            "Keep two to four Global Administrators, emergency-access accounts included.",
        ],
        portal_path: "Entra admin center > Identity > Roles & admins > Roles & admins > Global Administrator > Assignments",
        powershell: "$ga = Get-MgRoleManagementDirectoryRoleDefinition -Filter \"templateId eq '62e90394-69f5-4237-9190-012177145e10'\"\nGet-MgRoleManagementDirectoryRoleAssignment -Filter \"roleDefinitionId eq '$($ga.Id)'\" -ExpandProperty Principal\nGet-MgRoleManagementDirectoryRoleEligibilitySchedule -Filter \"roleDefinitionId eq '$($ga.Id)'\" -ExpandProperty Principal",
    },
    plan: PlanDef::new(
        Step::Hygiene,
        "Global Administrators",
        "Bring Global Administrators to two to four: move the others to finer-grained roles",
    ),
    evaluate: adm_01,
};

fn adm_01(ctx: &CheckContext<'_>) -> Outcome {
    let gas = global_admin_users(ctx);
    let n = gas.len();
    let evidence = || {
        gas.iter()
            .map(|h| holding_evidence(ctx, h, "holds Global Administrator"))
            .collect()
    };
    match n {
        2..=4 => Outcome::pass(format!(
            "{n} users hold Global Administrator (active or eligible)."
        )),
        5..=8 => Outcome::new(
            Status::Warning,
            format!(
                "{n} users hold Global Administrator: more than the four CIS recommends (SCuBA allows up to eight)."
            ),
            evidence(),
        ),
        0 => Outcome::new(
            Status::Fail,
            "No user holds Global Administrator.",
            vec![Evidence {
                display_name: "Global Administrator".to_owned(),
                object_type: "role".to_owned(),
                role: Some("Global Administrator".to_owned()),
                detail: "no user holds the role, active or eligible".to_owned(),
                ..Evidence::default()
            }],
        ),
        1 => Outcome::new(
            Status::Fail,
            "Only one user holds Global Administrator: a single point of failure.",
            evidence(),
        ),
        _ => Outcome::new(
            Status::Fail,
            format!("{n} users hold Global Administrator: more than eight."),
            evidence(),
        ),
    }
}

pub(super) const ADM_02: CheckDef = CheckDef {
    id: "ADM-02",
    title: "Two emergency-access accounts exist",
    category: Category::PrivilegedAccounts,
    severity: Severity::High,
    references: &[RefDef::cis("1.1.2")],
    minimum_licence: MinimumLicence::Free,
    data: &[Dataset::RoleAssignments, Dataset::PrivilegedPrincipals],
    data_with_pim: &[],
    rationale: "With every admin role just-in-time and behind MFA and Conditional Access, two cloud-only break-glass accounts with permanent Global Administrator keep the tenant reachable when PIM, MFA or federation fail.",
    differs: "CIS 1.1.2 is audited by hand against the organisation's own list. PIM Ready never guesses: only accounts the tenant designates count, and each must exist, be enabled, cloud-only and a permanent Global Administrator. An account that merely looks like one (cloud-only, excluded from Conditional Access, no licence) is suggested in the evidence and exempts nothing.",
    remediation: RemediationDef {
        steps: &[
            "Create two cloud-only accounts on the *.onmicrosoft.com domain, without licences, with long random passwords or FIDO2 keys stored apart.",
            "Assign them Global Administrator as permanent active assignments.",
            "Exclude them from Conditional Access policies that could lock them out, and alert on every sign-in.",
            "Designate them in PIM Ready (--emergency-account UPN or object id, or Settings): only designated accounts are exempted from PIM-01, PIM-03 and licence scope.",
        ],
        portal_path: "Entra admin center > Identity > Users > All users > New user; then Roles & admins > Global Administrator > Add assignments",
        powershell: "$pw = @{ Password = [guid]::NewGuid().ToString() + 'Aa1!'; ForceChangePasswordNextSignIn = $false }\n$bg = New-MgUser -DisplayName 'Emergency Access 1' -UserPrincipalName 'bg1@contoso.onmicrosoft.com' -MailNickname 'bg1' -AccountEnabled -PasswordProfile $pw\nNew-MgRoleManagementDirectoryRoleAssignment -PrincipalId $bg.Id -RoleDefinitionId '62e90394-69f5-4237-9190-012177145e10' -DirectoryScopeId '/'",
    },
    plan: PlanDef::new(
        Step::EmergencyAccess,
        "Emergency-access accounts",
        "Create a cloud-only *.onmicrosoft.com account without licences, with permanent Global Administrator, phishing-resistant credentials stored apart, excluded from lock-out policies, sign-ins alerted",
    ),
    evaluate: adm_02,
};

/// CIS 1.1.2: two emergency-access accounts. Only designated accounts count: an
/// account that merely looks like one is named as a suggestion and counts for nothing.
fn adm_02(ctx: &CheckContext<'_>) -> Outcome {
    let designated = &ctx.population.emergency_accounts;
    let mut evidence: Vec<Evidence> = designated
        .iter()
        .map(|a| {
            let shape = if a.well_formed {
                "enabled, cloud-only, permanent Global Administrator"
            } else {
                "not an enabled, cloud-only, permanent Global Administrator"
            };
            Evidence {
                display_name: a.display_name.clone(),
                principal_name: Some(a.user_principal_name.clone()),
                object_id: Some(a.principal_id.to_string()),
                object_type: "user".to_owned(),
                role: Some("Global Administrator".to_owned()),
                assignment_type: Some("emergency access".to_owned()),
                detail: format!("designated; {shape}"),
                ..Evidence::default()
            }
        })
        .collect();
    evidence.extend(
        ctx.population
            .designated_not_found
            .iter()
            .map(|upn| Evidence {
                display_name: upn.clone(),
                principal_name: Some(upn.clone()),
                object_type: "user".to_owned(),
                detail: "designated as an emergency account but not found among privileged users"
                    .to_owned(),
                ..Evidence::default()
            }),
    );
    evidence.extend(
        ctx.population
            .suggested_emergency_accounts
            .iter()
            .map(|a| Evidence {
                display_name: a.display_name.clone(),
                principal_name: Some(a.user_principal_name.clone()),
                object_id: Some(a.principal_id.to_string()),
                object_type: "user".to_owned(),
                role: Some("Global Administrator".to_owned()),
                assignment_type: Some("permanent active".to_owned()),
                detail: format!(
                    "looks like an emergency account: {}; designate it to exempt it",
                    a.signals.join(", ")
                ),
                ..Evidence::default()
            }),
    );
    let ready = designated.iter().filter(|a| a.well_formed).count();
    let malformed = designated.len() - ready;
    let missing = ctx.population.designated_not_found.len();
    let suggested = ctx.population.suggested_emergency_accounts.len();
    let suggestion_note = if suggested > 0 {
        format!(
            " {suggested} undesignated account(s) look like emergency accounts: designate them to exempt them."
        )
    } else {
        String::new()
    };
    if ready >= 2 && malformed == 0 && missing == 0 {
        let keep: Vec<Evidence> = if suggested > 0 { evidence } else { Vec::new() };
        return Outcome::new(
            Status::Pass,
            format!(
                "{ready} designated emergency-access accounts, each enabled, cloud-only and a permanent Global Administrator.{suggestion_note}"
            ),
            keep,
        );
    }
    if ready >= 2 {
        return Outcome::new(
            Status::Warning,
            format!(
                "{ready} designated emergency-access accounts are ready, but {} other designation(s) are not an enabled, cloud-only permanent Global Administrator or were not found.{suggestion_note}",
                malformed + missing
            ),
            evidence,
        );
    }
    if designated.is_empty() && missing == 0 {
        evidence.push(Evidence {
            display_name: "Emergency-access accounts".to_owned(),
            object_type: "user".to_owned(),
            role: Some("Global Administrator".to_owned()),
            detail: "none designated (--emergency-account UPN or object id, or Settings)"
                .to_owned(),
            ..Evidence::default()
        });
    }
    Outcome::new(
        Status::Fail,
        format!(
            "{ready} designated emergency-access account(s) enabled, cloud-only and permanent Global Administrator: two are needed.{suggestion_note}"
        ),
        evidence,
    )
}

pub(super) const ADM_03: CheckDef = CheckDef {
    id: "ADM-03",
    title: "Privileged accounts are cloud-only",
    category: Category::PrivilegedAccounts,
    severity: Severity::High,
    references: &[RefDef::cis("1.1.1"), RefDef::scuba("MS.AAD.7.3v1")],
    minimum_licence: MinimumLicence::Free,
    data: &[Dataset::RoleAssignments, Dataset::PrivilegedPrincipals],
    data_with_pim: &[],
    rationale: "An account synchronised from Active Directory can be taken over from on-premises: a compromised domain becomes a compromised tenant.",
    differs: "Stricter than ScubaGear's MS.AAD.7.3v1 test, which flags a privileged user whose onPremisesImmutableId is set: PIM Ready also flags onPremisesSyncEnabled = true, so a synchronised account without an immutable id fails here and passes there.",
    remediation: RemediationDef {
        steps: &[
            "Create a separate cloud-only admin account for each synchronised administrator.",
            "Make the new account eligible for the role and remove the role from the synchronised account.",
        ],
        portal_path: "Entra admin center > Identity > Users > All users (filter: On-premises sync enabled = Yes)",
        powershell: "Get-MgUser -UserId <id> -Property displayName,userPrincipalName,onPremisesSyncEnabled,onPremisesImmutableId | Select-Object DisplayName, UserPrincipalName, OnPremisesSyncEnabled, OnPremisesImmutableId",
    },
    plan: PlanDef::new(
        Step::Hygiene,
        "Privileged accounts",
        "Replace with a cloud-only admin account",
    ),
    evaluate: adm_03,
};

fn adm_03(ctx: &CheckContext<'_>) -> Outcome {
    let users = privileged_users(ctx);
    let synced: Vec<Evidence> = users
        .iter()
        .filter_map(|h| {
            let p = principal_of(ctx, h)?;
            let synced = p.on_premises_sync_enabled == Some(true);
            let immutable = p
                .on_premises_immutable_id
                .as_deref()
                .is_some_and(|i| !i.trim().is_empty());
            let why = match (synced, immutable) {
                (true, _) => "synchronised from on-premises (onPremisesSyncEnabled)",
                (false, true) => "has an on-premises immutable id (federated or once synchronised)",
                (false, false) => return None,
            };
            Some(holding_evidence(ctx, h, why))
        })
        .collect();
    if synced.is_empty() {
        Outcome::pass(format!(
            "All {} privileged users are cloud-only.",
            users.len()
        ))
    } else {
        Outcome::new(
            Status::Fail,
            format!(
                "{} of {} privileged users are synchronised or federated from on-premises.",
                synced.len(),
                users.len()
            ),
            synced,
        )
    }
}

/// Licences that carry only Entra identity plans (a reduced application footprint).
const IDENTITY_ONLY_SKUS: [&str; 5] = [
    "AAD_PREMIUM",
    "AAD_PREMIUM_P2",
    "Microsoft_Entra_ID_Governance",
    "Microsoft_Entra_Suite",
    "Microsoft_Entra_Suite_Step_Up_for_Microsoft_Entra_ID_P2",
];

pub(super) const ADM_04: CheckDef = CheckDef {
    id: "ADM-04",
    title: "Privileged accounts hold no productivity licences",
    category: Category::PrivilegedAccounts,
    severity: Severity::Medium,
    references: &[RefDef::cis("1.1.4")],
    minimum_licence: MinimumLicence::Free,
    data: &[
        Dataset::RoleAssignments,
        Dataset::PrivilegedPrincipals,
        Dataset::SubscribedSkus,
    ],
    data_with_pim: &[],
    rationale: "An admin account with a mailbox, Teams and Office apps reads mail and browses the web: phishing lands straight on privilege. Admin accounts should carry Entra ID licences only.",
    differs: "CIS 1.1.4 asks for licences with a reduced application footprint. PIM Ready passes only identity SKUs (Entra ID P1, P2, ID Governance, Entra Suite and its P2 step-up) and fails any other licence assigned to a privileged user, including a SKU it cannot name (unknown skuId), rather than judging each service plan.",
    remediation: RemediationDef {
        steps: &[
            "Give each administrator a separate daily-use account for mail and Office.",
            "Remove productivity licences from the admin account; keep Entra ID P1/P2 or Governance only.",
        ],
        portal_path: "Entra admin center > Identity > Users > All users > (user) > Licenses",
        powershell: "Set-MgUserLicense -UserId <upn> -AddLicenses @() -RemoveLicenses @('<skuId>')",
    },
    plan: PlanDef::new(
        Step::Hygiene,
        "Privileged accounts",
        "Remove the productivity licence; use a separate daily account",
    ),
    evaluate: adm_04,
};

fn adm_04(ctx: &CheckContext<'_>) -> Outcome {
    let users = privileged_users(ctx);
    let skus = ctx.snapshot.subscribed_skus.as_deref().unwrap_or_default();
    let mut evidence = Vec::new();
    for h in &users {
        let Some(p) = principal_of(ctx, h) else {
            continue;
        };
        let productivity: Vec<String> = p
            .assigned_licenses
            .iter()
            .flatten()
            .filter_map(|l| {
                let part = skus
                    .iter()
                    .find(|s| same_id(&s.sku_id, &l.sku_id))
                    .map(|s| s.sku_part_number.as_str());
                match part {
                    Some(part)
                        if IDENTITY_ONLY_SKUS
                            .iter()
                            .any(|a| a.eq_ignore_ascii_case(part)) =>
                    {
                        None
                    }
                    Some(part) => Some(part.to_owned()),
                    None => Some(format!("unknown SKU {}", l.sku_id)),
                }
            })
            .collect();
        if !productivity.is_empty() {
            evidence.push(holding_evidence(
                ctx,
                h,
                format!("licensed with {}", productivity.join(", ")),
            ));
        }
    }
    if evidence.is_empty() {
        Outcome::pass(format!(
            "None of the {} privileged users holds a productivity licence.",
            users.len()
        ))
    } else {
        Outcome::new(
            Status::Fail,
            format!(
                "{} of {} privileged users hold licences beyond Entra ID P1/P2/Governance.",
                evidence.len(),
                users.len()
            ),
            evidence,
        )
    }
}

/// CISA SCuBA's highly privileged roles (baseline `aad.md`, "Highly Privileged Roles"),
/// the list MS.AAD.7.1 and 7.2 count over: (template id, name).
pub(crate) const SCUBA_PRIVILEGED_ROLES: [(&str, &str); 8] = [
    (GLOBAL_ADMINISTRATOR, "Global Administrator"),
    (
        "e8611ab8-c189-46e8-94e1-60213ab1f814",
        "Privileged Role Administrator",
    ),
    ("fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator"),
    (
        "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
        "SharePoint Administrator",
    ),
    (
        "29232cdf-9323-42fd-ade2-1d097af3e4de",
        "Exchange Administrator",
    ),
    (
        "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2",
        "Hybrid Identity Administrator",
    ),
    (
        "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
        "Application Administrator",
    ),
    (
        "158c047a-c907-4556-b7ef-446551a6b5f7",
        "Cloud Application Administrator",
    ),
];

pub(super) const ADM_05: CheckDef = CheckDef {
    id: "ADM-05",
    title: "Finer-grained roles are used instead of Global Administrator",
    category: Category::PrivilegedAccounts,
    severity: Severity::Medium,
    references: &[RefDef::scuba("MS.AAD.7.2v1")],
    minimum_licence: MinimumLicence::Free,
    data: &[Dataset::RoleAssignments, Dataset::PrivilegedGroups],
    data_with_pim: &[
        Dataset::RoleEligibilityScheduleInstances,
        Dataset::GroupEligibilityScheduleInstances,
    ],
    rationale: "Most administration needs a narrower role. SCuBA MS.AAD.7.2v1 (\"Privileged users SHALL be provisioned with finer-grained roles instead of Global Administrator\") is this ratio: users holding Global Administrator divided by privileged users who do not hold it (a user with both counts only as a Global Administrator) must be 1 or less, over SCuBA's eight highly privileged roles (Global, Privileged Role, User, SharePoint, Exchange, Hybrid Identity, Application and Cloud Application Administrator), active or eligible, directly or through a group. As ScubaGear does, the ratio counts only when MS.AAD.7.1v1's range holds: two to eight Global Administrators (ADM-01 checks CIS's stricter two to four). Roles added with --privileged-role are not counted here: the control names its list.",
    differs: "None in the rule: it is ScubaGear's MS.AAD.7.2v1 test (Global Administrator holders no more than privileged users without it, a user with both counted once as Global Administrator) over SCuBA's eight roles, and only when MS.AAD.7.1v1's two to eight holds. Roles added with --privileged-role are not counted, because the control names its list.",
    remediation: RemediationDef {
        steps: &[
            "For each Global Administrator, list the tasks they actually perform.",
            "Make them eligible for the narrower roles that cover those tasks and remove Global Administrator.",
            "Keep two to eight Global Administrators (two to four for CIS), emergency-access accounts included.",
        ],
        portal_path: "Entra admin center > Identity > Roles & admins > Roles & admins",
        powershell: "Get-MgRoleManagementDirectoryRoleDefinition -Filter \"isBuiltIn eq true\" | Select-Object DisplayName, TemplateId",
    },
    plan: PlanDef::new(
        Step::Hygiene,
        "Global Administrators",
        "Move to a finer-grained role than Global Administrator",
    ),
    evaluate: adm_05,
};

/// MS.AAD.7.2v1 as ScubaGear's rule reads it: MS.AAD.7.1v1 holds (2 ≤ GA ≤ 8) and
/// GA ≤ non-GA, users counted once, over SCuBA's role list.
fn adm_05(ctx: &CheckContext<'_>) -> Outcome {
    let scuba = |h: &&Holding| {
        SCUBA_PRIVILEGED_ROLES
            .iter()
            .any(|(id, _)| same_id(&h.role_template_id, id))
    };
    let holdings = || ctx.population.holdings.iter().filter(scuba);
    let ga =
        distinct_users(holdings().filter(|h| same_id(&h.role_template_id, GLOBAL_ADMINISTRATOR)));
    let others: Vec<&Holding> = distinct_users(holdings())
        .into_iter()
        .filter(|o| !ga.iter().any(|g| g.principal_id == o.principal_id))
        .collect();
    let (g, o) = (ga.len(), others.len());
    let ratio = if o == 0 {
        format!(
            "{g} Global Administrator(s) / 0 privileged users without it: undefined (no finer-grained role in use)"
        )
    } else {
        #[allow(clippy::cast_precision_loss)]
        let x = g as f64 / o as f64;
        format!(
            "{g} Global Administrator(s) / {o} privileged user(s) without it = {x:.2} (must be 1 or less)"
        )
    };
    let roles_of = |user: &Holding| {
        let mut names: Vec<&str> = holdings()
            .filter(|h| h.principal_id == user.principal_id)
            .map(|h| h.role_name.as_str())
            .collect();
        names.sort_unstable();
        names.dedup();
        names.join(", ")
    };
    let mut evidence = vec![Evidence {
        display_name: "MS.AAD.7.2 ratio".to_owned(),
        object_type: "ratio".to_owned(),
        detail: format!(
            "{ratio}; counted over SCuBA's roles: {}",
            SCUBA_PRIVILEGED_ROLES
                .iter()
                .map(|(_, n)| *n)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ..Evidence::default()
    }];
    evidence.extend(ga.iter().map(|h| {
        let mut e = holding_evidence(
            ctx,
            h,
            format!(
                "holds Global Administrator (numerator; SCuBA roles held: {})",
                roles_of(h)
            ),
        );
        e.role = Some("Global Administrator".to_owned());
        e
    }));
    evidence.extend(others.iter().map(|h| {
        holding_evidence(
            ctx,
            h,
            format!(
                "privileged without Global Administrator (denominator): {}",
                roles_of(h)
            ),
        )
    }));
    if !(2..=8).contains(&g) {
        return Outcome::new(
            Status::Fail,
            format!(
                "{g} users hold Global Administrator: outside MS.AAD.7.1's two to eight, so MS.AAD.7.2 fails before its ratio counts ({ratio})."
            ),
            evidence,
        );
    }
    if o == 0 || g > o {
        return Outcome::new(
            Status::Fail,
            format!(
                "Global Administrators outnumber the privileged users in finer-grained roles: {ratio}."
            ),
            evidence,
        );
    }
    Outcome::new(
        Status::Pass,
        format!("Finer-grained roles are in use: {ratio}."),
        evidence,
    )
}

pub(super) const ADM_06: CheckDef = CheckDef {
    id: "ADM-06",
    title: "No guest or external accounts hold privileged roles",
    category: Category::PrivilegedAccounts,
    severity: Severity::High,
    references: &[RefDef::zta("22128")],
    minimum_licence: MinimumLicence::Free,
    data: &[Dataset::RoleAssignments, Dataset::PrivilegedPrincipals],
    data_with_pim: &[],
    rationale: "A guest's credentials, MFA and lifecycle are governed by another organisation: the tenant cannot vouch for them.",
    differs: "Cites Microsoft's Zero Trust Assessment test 22128; no CIS or SCuBA control. The rule (any guest or external user holding a highly privileged role fails) was not compared with the Zero Trust Assessment's own implementation.",
    remediation: RemediationDef {
        steps: &[
            "Remove the privileged role from every guest account.",
            "If the person needs access, create a member account in this tenant and make it eligible through PIM.",
        ],
        portal_path: "Entra admin center > Identity > Users > All users (filter: User type = Guest) > Assigned roles",
        powershell: "Get-MgRoleManagementDirectoryRoleAssignment -All -ExpandProperty Principal | Where-Object { $_.Principal.AdditionalProperties.userType -eq 'Guest' }",
    },
    plan: PlanDef::new(
        Step::Hygiene,
        "Guest accounts",
        "Remove the role from the guest account",
    ),
    evaluate: adm_06,
};

fn adm_06(ctx: &CheckContext<'_>) -> Outcome {
    let holdings: Vec<&Holding> = privileged_holdings(ctx)
        .filter(|h| h.kind == PrincipalKind::User)
        .filter(|h| principal_of(ctx, h).is_some_and(crate::snapshot::Principal::is_guest))
        .collect();
    if holdings.is_empty() {
        return Outcome::pass("No guest or external account holds a highly privileged role.");
    }
    let users = distinct_users(holdings.iter().copied()).len();
    let evidence = holdings
        .iter()
        .map(|h| holding_evidence(ctx, h, "guest or external account"))
        .collect();
    Outcome::new(
        Status::Fail,
        format!("{users} guest or external accounts hold highly privileged roles."),
        evidence,
    )
}

pub(super) const ADM_07: CheckDef = CheckDef {
    id: "ADM-07",
    title: "No stale privileged accounts",
    category: Category::PrivilegedAccounts,
    severity: Severity::Medium,
    references: &[RefDef::pim_alert("StaleSignInAlert")],
    minimum_licence: MinimumLicence::P1,
    data: &[Dataset::RoleAssignments, Dataset::SignInActivity],
    data_with_pim: &[],
    rationale: "An unused privileged account is standing privilege nobody watches; PIM raises the same alert (StaleSignInAlert). Staleness is read from signInActivity.lastSuccessfulSignInDateTime: lastSignInDateTime and lastNonInteractiveSignInDateTime record attempts, failed ones included, so a dormant admin being password-sprayed looks active through them. When lastSuccessfulSignInDateTime is absent (Graph does not backfill it before December 2023) the newest of the other two is used, and the finding says so (a warning when that alone keeps the account fresh). An account that never signed in, created longer ago than the threshold, is stale.",
    differs: "No CIS or SCuBA control; it mirrors PIM's StaleSignInAlert. Stricter than tools that read signInActivity.lastSignInDateTime: that field records failed attempts, so PIM Ready reads lastSuccessfulSignInDateTime and falls back (saying so) only when Graph has not filled it.",
    remediation: RemediationDef {
        steps: &[
            "Confirm with each stale account's owner whether the role is still needed.",
            "Remove the role (or the account) when it is not; for emergency accounts, test a sign-in on a schedule.",
            "Where recent attempts follow an old successful sign-in, review the account's sign-in log for password spraying and block or reset it.",
        ],
        portal_path: "Entra admin center > Identity governance > Privileged Identity Management > Microsoft Entra roles > Alerts",
        powershell: "Get-MgUser -UserId <id> -Property displayName,createdDateTime,signInActivity | Select-Object DisplayName, CreatedDateTime, @{n='LastSuccessful';e={$_.SignInActivity.LastSuccessfulSignInDateTime}}, @{n='LastAttempt';e={$_.SignInActivity.LastSignInDateTime}}",
    },
    plan: PlanDef::new(
        Step::Hygiene,
        "Privileged accounts",
        "Confirm the role is still needed, else remove it",
    ),
    evaluate: adm_07,
};

fn adm_07(ctx: &CheckContext<'_>) -> Outcome {
    use crate::snapshot::{SignInActivity, SignInField};

    let days = ctx.settings.stale_after_days;
    let cutoff = now(ctx) - Duration::days(i64::from(days));
    let date = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d").to_string();
    let users = privileged_users(ctx);
    let activity = ctx.snapshot.sign_in_activity.as_deref().unwrap_or_default();
    let (mut stale, mut unsure) = (Vec::new(), Vec::new());
    for h in &users {
        let record = activity.iter().find(|a| a.user_id == h.principal_id);
        let last = record.and_then(SignInActivity::last_used);
        let (detail, fresh) = match last {
            Some((t, SignInField::LastSuccessful)) => {
                let attempts = record
                    .and_then(SignInActivity::last_attempt)
                    .filter(|a| *a > t && t < cutoff)
                    .map(|a| {
                        format!(
                            "; sign-in attempts since, the latest {} (attempts include failures: possible password spraying)",
                            date(a)
                        )
                    })
                    .unwrap_or_default();
                (
                    format!(
                        "last successful sign-in {} (lastSuccessfulSignInDateTime){attempts}",
                        date(t)
                    ),
                    t >= cutoff,
                )
            }
            Some((t, field)) => (
                format!(
                    "last sign-in attempt {} ({}, failed attempts included: lastSuccessfulSignInDateTime is absent)",
                    date(t),
                    field.graph_name()
                ),
                t >= cutoff,
            ),
            None => {
                // An account created inside the window has had no chance to go stale.
                let created = principal_of(ctx, h).and_then(|p| p.created_date_time);
                if created.is_some_and(|c| c >= cutoff) {
                    continue;
                }
                let since = created.map_or_else(
                    || "creation date unknown".to_owned(),
                    |c| format!("created {}", date(c)),
                );
                (format!("never signed in successfully ({since})"), false)
            }
        };
        let fallback = last.is_some_and(|(_, f)| f != SignInField::LastSuccessful);
        if fresh && !fallback {
            continue;
        }
        let mut e = holding_evidence(ctx, h, format!("{detail} (threshold {days} days)"));
        e.end = None;
        e.start = last.map(|(t, _)| t).or(e.start);
        if fresh {
            unsure.push(e);
        } else {
            stale.push(e);
        }
    }
    let n = users.len();
    if !stale.is_empty() {
        let summary = format!(
            "{} of {n} privileged users have not signed in successfully for {days} days.",
            stale.len()
        );
        stale.extend(unsure);
        return Outcome::new(Status::Fail, summary, stale);
    }
    if !unsure.is_empty() {
        return Outcome::new(
            Status::Warning,
            format!(
                "{} of {n} privileged users look active only through sign-in attempts (lastSuccessfulSignInDateTime is absent; attempts include failures).",
                unsure.len()
            ),
            unsure,
        );
    }
    Outcome::pass(format!(
        "All {n} privileged users signed in successfully within {days} days (lastSuccessfulSignInDateTime)."
    ))
}

pub(super) const ADM_08: CheckDef = CheckDef {
    id: "ADM-08",
    title: "Service principals do not hold highly privileged roles",
    category: Category::PrivilegedAccounts,
    severity: Severity::Medium,
    references: &[RefDef::zta("21836")],
    minimum_licence: MinimumLicence::Free,
    data: &[Dataset::RoleAssignments],
    data_with_pim: &[],
    rationale: "An application with a highly privileged role holds it permanently (apps cannot activate through PIM) and its secret or certificate is a standing key to the tenant.",
    differs: "Cites Microsoft's Zero Trust Assessment test 21836; no CIS or SCuBA control. The rule was not compared with the Zero Trust Assessment's own implementation.",
    remediation: RemediationDef {
        steps: &[
            "Check what each listed application does with its role.",
            "Replace the directory role with the narrowest Microsoft Graph application permission, or a scoped role.",
            "Protect remaining ones with workload identity Conditional Access and credential monitoring.",
        ],
        portal_path: "Entra admin center > Identity > Roles & admins > Roles & admins > (role) > Assignments (type: Service principal)",
        powershell: "Get-MgRoleManagementDirectoryRoleAssignment -All -ExpandProperty Principal | Where-Object { $_.Principal.AdditionalProperties.'@odata.type' -eq '#microsoft.graph.servicePrincipal' }",
    },
    plan: PlanDef::new(
        Step::Hygiene,
        "Service principals",
        "Replace the directory role with narrow application permissions",
    ),
    evaluate: adm_08,
};

fn adm_08(ctx: &CheckContext<'_>) -> Outcome {
    let evidence: Vec<Evidence> = privileged_holdings(ctx)
        .filter(|h| h.kind == PrincipalKind::ServicePrincipal)
        .map(|h| holding_evidence(ctx, h, "service principal with a highly privileged role"))
        .collect();
    if evidence.is_empty() {
        Outcome::pass("No service principal holds a highly privileged role.")
    } else {
        Outcome::new(
            Status::Warning,
            format!(
                "{} highly privileged role assignments belong to service principals.",
                evidence.len()
            ),
            evidence,
        )
    }
}
