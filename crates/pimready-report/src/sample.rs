//! Synthetic assessments for tests, benches and the README images: a demo-like one
//! (Contoso Ltd, 25 checks) and a large one with long names and long evidence tables.
//! Built by hand, not by the assessment pipeline, so reports can be tested alone.

use chrono::{DateTime, Duration, TimeZone, Utc};

use pimready_core::assessment::{
    ASSESSMENT_SCHEMA_VERSION, Assessment, CollectionInfo, GapInfo, Generator, Headline, TenantInfo,
};
use pimready_core::cloud::Cloud;
use pimready_core::cost::{CostEstimate, CostOption};
use pimready_core::finding::{
    Category, Evidence, Finding, MinimumLicence, MissingData, Reference, Remediation, Severity,
    Status,
};
use pimready_core::licensing::{LicencePath, LicenceSource, Licensing, Seats};
use pimready_core::plan::{PlanItem, PlanStep};
use pimready_core::score::{CategoryScore, Grade, Score};
use pimready_core::snapshot::{CapabilityStatus, Dataset, GapReason};

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, 9, 30, 0).unwrap()
}

/// Privileged people of the demo tenant: (display name, UPN).
pub const PEOPLE: [(&str, &str); 10] = [
    ("Ζωή Παπαδοπούλου", "zoi.papadopoulou@contoso.com"),
    ("Дмитрий Иванов", "dmitry.ivanov@contoso.com"),
    ("José Müller", "jose.muller@contoso.com"),
    ("Alice Smith", "alice.smith@contoso.com"),
    ("Bjørn Øvregård", "bjorn.ovregard@contoso.com"),
    ("Chloé Lefèvre", "chloe.lefevre@contoso.com"),
    ("Łukasz Wiśniewski", "lukasz.wisniewski@contoso.com"),
    ("Ana Čapková", "ana.capkova@contoso.com"),
    ("Svc Backup Admin", "svc-backup@contoso.com"),
    (
        "Mei Tanaka (External)",
        "mei.tanaka_fabrikam.com#EXT#@contoso.onmicrosoft.com",
    ),
];

const ROLES: [&str; 5] = [
    "Global Administrator",
    "Privileged Role Administrator",
    "Exchange Administrator",
    "Security Administrator",
    "User Administrator",
];

struct Spec {
    id: &'static str,
    title: &'static str,
    category: Category,
    severity: Severity,
    status: Status,
    summary: &'static str,
    evidence: usize,
}

const fn spec(
    id: &'static str,
    title: &'static str,
    category: Category,
    severity: Severity,
    status: Status,
    summary: &'static str,
    evidence: usize,
) -> Spec {
    Spec {
        id,
        title,
        category,
        severity,
        status,
        summary,
        evidence,
    }
}

use Category as C;
use Severity as S;
use Status as St;

const SPECS: [Spec; 25] = [
    spec(
        "LIC-01",
        "Entra ID P2 or Entra ID Governance is available for PIM",
        C::Licensing,
        S::Critical,
        St::Pass,
        "Microsoft 365 E5 carries Entra ID P2 for 120 seats.",
        0,
    ),
    spec(
        "LIC-02",
        "PIM seats cover every user in PIM scope",
        C::Licensing,
        S::Medium,
        St::Warning,
        "14 users need a seat; 120 are available but 118 are consumed.",
        2,
    ),
    spec(
        "ADM-01",
        "Between two and four Global Administrators",
        C::PrivilegedAccounts,
        S::High,
        St::Fail,
        "7 users hold Global Administrator; at most four are recommended.",
        7,
    ),
    spec(
        "ADM-02",
        "Two emergency-access accounts exist",
        C::PrivilegedAccounts,
        S::High,
        St::Pass,
        "Two cloud-only emergency-access accounts hold Global Administrator.",
        0,
    ),
    spec(
        "ADM-03",
        "Privileged accounts are cloud-only",
        C::PrivilegedAccounts,
        S::High,
        St::Fail,
        "3 privileged accounts are synchronised from on-premises Active Directory.",
        3,
    ),
    spec(
        "ADM-04",
        "Privileged accounts hold no productivity licences",
        C::PrivilegedAccounts,
        S::Medium,
        St::Fail,
        "4 administrators use their everyday, mail-enabled account.",
        4,
    ),
    spec(
        "ADM-05",
        "Finer-grained roles are used instead of Global Administrator",
        C::PrivilegedAccounts,
        S::Medium,
        St::Pass,
        "More users hold scoped roles than Global Administrator.",
        0,
    ),
    spec(
        "ADM-06",
        "No guest or external accounts hold privileged roles",
        C::PrivilegedAccounts,
        S::High,
        St::Fail,
        "One guest account holds an administrator role.",
        1,
    ),
    spec(
        "ADM-07",
        "No stale privileged accounts",
        C::PrivilegedAccounts,
        S::Medium,
        St::NotAssessed,
        "Sign-in activity could not be read (AuditLog.Read.All was not granted).",
        0,
    ),
    spec(
        "ADM-08",
        "Service principals do not hold highly privileged roles",
        C::PrivilegedAccounts,
        S::Medium,
        St::Pass,
        "No application holds a highly privileged directory role.",
        0,
    ),
    spec(
        "PIM-01",
        "No permanent active assignments to highly privileged roles",
        C::PimAssignments,
        S::Critical,
        St::Fail,
        "9 principals hold a highly privileged role permanently (standing access).",
        9,
    ),
    spec(
        "PIM-02",
        "Highly privileged roles are not assigned outside PIM",
        C::PimAssignments,
        S::High,
        St::Warning,
        "5 active assignments were made outside PIM.",
        5,
    ),
    spec(
        "PIM-03",
        "Groups holding privileged roles are governed by PIM for Groups",
        C::PimAssignments,
        S::Medium,
        St::NotLicensed,
        "PIM for Groups needs Entra ID P2 or Governance.",
        0,
    ),
    spec(
        "PIM-04",
        "Global Administrator activation requires approval",
        C::PimRoleSettings,
        S::Critical,
        St::Fail,
        "Global Administrator can be activated without approval.",
        1,
    ),
    spec(
        "PIM-05",
        "Privileged Role Administrator activation requires approval",
        C::PimRoleSettings,
        S::High,
        St::Pass,
        "Activation requires approval by the security team.",
        0,
    ),
    spec(
        "PIM-06",
        "Activation lasts at most 8 hours",
        C::PimRoleSettings,
        S::High,
        St::Warning,
        "2 roles allow activations of up to 24 hours.",
        2,
    ),
    spec(
        "PIM-07",
        "Activation requires MFA or an authentication context",
        C::PimRoleSettings,
        S::High,
        St::Pass,
        "Every highly privileged role requires MFA on activation.",
        0,
    ),
    spec(
        "PIM-08",
        "Activation requires a justification",
        C::PimRoleSettings,
        S::Medium,
        St::Pass,
        "Every role requires a justification.",
        0,
    ),
    spec(
        "PIM-09",
        "Role settings forbid permanent active assignment",
        C::PimRoleSettings,
        S::High,
        St::Fail,
        "3 roles allow permanent active assignment.",
        3,
    ),
    spec(
        "PIM-10",
        "Assigning a highly privileged role triggers an alert",
        C::PimRoleSettings,
        S::Medium,
        St::Warning,
        "Assignment notifications go to the default recipients only.",
        3,
    ),
    spec(
        "PIM-11",
        "Activating Global Administrator triggers an alert",
        C::PimRoleSettings,
        S::Medium,
        St::Pass,
        "Activations notify the security operations mailbox.",
        0,
    ),
    spec(
        "PIM-13",
        "Access reviews cover privileged roles",
        C::PimAssignments,
        S::Medium,
        St::Fail,
        "No recurring access review covers directory roles.",
        1,
    ),
    spec(
        "CA-01",
        "MFA is required for administrative roles",
        C::ConditionalAccess,
        S::Critical,
        St::Pass,
        "An enabled policy requires MFA for every highly privileged role.",
        0,
    ),
    spec(
        "CA-02",
        "Phishing-resistant MFA is required for administrators",
        C::ConditionalAccess,
        S::High,
        St::Fail,
        "No policy requires phishing-resistant MFA for admin roles.",
        1,
    ),
    spec(
        "CA-03",
        "Admin sessions are short and not persistent",
        C::ConditionalAccess,
        S::Medium,
        St::NotApplicable,
        "No administrator session policy applies to this tenant's sign-in model.",
        0,
    ),
];

fn references(id: &str, i: usize) -> Vec<Reference> {
    let mut refs = vec![Reference {
        framework: "CIS M365".into(),
        id: format!("{}.{}.{}", 1 + i % 5, 1 + i % 3, 1 + i % 7),
        version: "5.0.0".into(),
        url: None,
    }];
    if i.is_multiple_of(2) {
        refs.push(Reference {
            framework: "CISA SCuBA".into(),
            id: format!("MS.AAD.{}.{}v1", 7 + i % 3, 1 + i % 9),
            version: "1.5.0".into(),
            url: None,
        });
    }
    if id.starts_with("PIM") {
        refs.push(Reference {
            framework: "Microsoft".into(),
            id: "PIM deployment plan".into(),
            version: String::new(),
            url: None,
        });
    }
    refs
}

fn evidence_for(spec: &Spec, n: usize) -> Vec<Evidence> {
    (0..n)
        .map(|k| {
            let (name, upn) = PEOPLE[k % PEOPLE.len()];
            match spec.category {
                Category::ConditionalAccess => Evidence {
                    display_name: if spec.id == "CA-02" {
                        "Require MFA for admins".into()
                    } else {
                        format!("Admin session policy {}", k + 1)
                    },
                    object_id: Some(format!("0c1e{k:04}-5f0b-4b7e-9d2a-6a1c3e7b2f10")),
                    object_type: "policy".into(),
                    detail: "Grant control is plain MFA, not an authentication strength.".into(),
                    ..Evidence::default()
                },
                Category::PimRoleSettings => Evidence {
                    display_name: ROLES[k % ROLES.len()].into(),
                    object_type: "role_setting".into(),
                    role: Some(ROLES[k % ROLES.len()].into()),
                    detail: if spec.id == "PIM-06" {
                        "Maximum activation duration PT24H".into()
                    } else {
                        "Approval not required".into()
                    },
                    ..Evidence::default()
                },
                Category::Licensing => Evidence {
                    display_name: "Microsoft 365 E5".into(),
                    principal_name: None,
                    object_type: "licence".into(),
                    detail: format!("SPE_E5: {} of 120 seats consumed", 118 + k),
                    ..Evidence::default()
                },
                _ => Evidence {
                    display_name: name.into(),
                    principal_name: Some(upn.into()),
                    object_id: Some(format!("7f3a{k:04}-2b1c-4d5e-8f90-a1b2c3d4e5f6")),
                    object_type: "user".into(),
                    role: Some(ROLES[k % ROLES.len()].into()),
                    assignment_type: Some(if k % 3 == 2 {
                        "via group PIM-Tier0-Admins".into()
                    } else {
                        "permanent active".into()
                    }),
                    start: Some(at(1) - Duration::days(400 + 37 * i64::try_from(k).unwrap_or(0))),
                    end: None,
                    detail: "Standing access since before PIM was introduced".into(),
                },
            }
        })
        .collect()
}

fn finding(i: usize, s: &Spec) -> Finding {
    let minimum_licence = match s.category {
        Category::PimAssignments | Category::PimRoleSettings => MinimumLicence::P2,
        Category::ConditionalAccess => MinimumLicence::P1,
        _ => MinimumLicence::Free,
    };
    let missing_data = if s.status == Status::NotAssessed {
        vec![MissingData {
            dataset: Dataset::SignInActivity,
            reason: GapReason::PermissionDenied,
            detail: "Graph answered 403 Authorization_RequestDenied.".into(),
            missing_scope: Some("AuditLog.Read.All".into()),
        }]
    } else {
        Vec::new()
    };
    Finding {
        id: s.id.into(),
        title: s.title.into(),
        category: s.category,
        severity: s.severity,
        status: s.status,
        summary: s.summary.into(),
        references: references(s.id, i),
        minimum_licence,
        rationale: "Standing privileged access is the largest single risk to an Entra ID tenant: a phished or \
            token-stolen administrator session gives an attacker the whole directory. Just-in-time activation \
            through PIM limits the window to hours, adds approval and MFA at activation, and leaves an audit trail."
            .into(),
        evidence: evidence_for(s, s.evidence),
        remediation: Remediation {
            steps: vec![
                "Open Privileged Identity Management and select Microsoft Entra roles.".into(),
                "For each listed assignment, convert it to eligible with an end date within one year.".into(),
                "Confirm each administrator can activate the role with MFA before removing the active assignment.".into(),
            ],
            portal_path: "Identity governance > Privileged Identity Management > Microsoft Entra roles > Assignments".into(),
            powershell: "Connect-MgGraph -Scopes RoleEligibilitySchedule.ReadWrite.Directory\n\
                New-MgRoleManagementDirectoryRoleEligibilityScheduleRequest -BodyParameter @{\n    \
                Action = 'adminAssign'; PrincipalId = $userId; RoleDefinitionId = $roleId\n    \
                DirectoryScopeId = '/'; ScheduleInfo = @{ Expiration = @{ Type = 'afterDuration'; Duration = 'P365D' } }\n}"
                .into(),
        },
        missing_data,
    }
}

fn licensing() -> Licensing {
    Licensing {
        pim_capable: true,
        p2: true,
        governance: false,
        p1: true,
        sources: vec![
            LicenceSource {
                sku_id: "06ebc4ee-1bb5-47dd-8120-11324bc54e06".into(),
                sku_part_number: "SPE_E5".into(),
                product_name: "Microsoft 365 E5".into(),
                path: Some(LicencePath::M365E5),
                plans: vec!["AAD_PREMIUM".into(), "AAD_PREMIUM_P2".into()],
                capability_status: CapabilityStatus::Enabled,
                enabled_units: 120,
                consumed_units: 118,
                counted: true,
                warning_units: 0,
                suspended_units: 0,
                locked_out_units: 0,
                seats: 0,
                disabled_plans: vec![],
                p1_implied: false,
                known: true,
            },
            LicenceSource {
                sku_id: "078d2b04-f1bd-4111-bbd4-b4b1b354cef4".into(),
                sku_part_number: "AAD_PREMIUM".into(),
                product_name: "Microsoft Entra ID P1".into(),
                path: None,
                plans: vec!["AAD_PREMIUM".into()],
                capability_status: CapabilityStatus::Enabled,
                enabled_units: 25,
                consumed_units: 9,
                counted: false,
                warning_units: 0,
                suspended_units: 0,
                locked_out_units: 0,
                seats: 0,
                disabled_plans: vec![],
                p1_implied: false,
                known: true,
            },
            LicenceSource {
                sku_id: "e2be619b-b125-455f-8660-fb503e431a5d".into(),
                sku_part_number: "IDENTITY_GOVERNANCE_TRIAL".into(),
                product_name: "Microsoft Entra ID Governance (trial)".into(),
                path: Some(LicencePath::EntraIdGovernance),
                plans: vec!["Entra_Identity_Governance".into()],
                capability_status: CapabilityStatus::Suspended,
                enabled_units: 25,
                consumed_units: 0,
                counted: false,
                warning_units: 0,
                suspended_units: 0,
                locked_out_units: 0,
                seats: 0,
                disabled_plans: vec![],
                p1_implied: false,
                known: true,
            },
        ],
        seats: Seats {
            available: 120,
            in_scope: 14,
            shortfall: 0,
            headroom: 106,
            planned_approvers: 0,
        },
        assessed: true,
        unknown_reason: None,
        p1_seats: 145,
        scope_rule: pimready_core::licensing::ScopeRule::OnPim,
        in_scope_users: vec![],
        users_without_pim_licence: vec![],
        licence_assignment_unknown: 0,
        verdict: "Entra ID P2 present through Microsoft 365 E5, 120 seats, 14 needed.".into(),
        notes: vec![],
    }
}

fn cost() -> CostEstimate {
    let option = |path,
                  name: &str,
                  available,
                  reason: &str,
                  monthly_per_user: f64,
                  recommended,
                  includes: &str| CostOption {
        path,
        name: name.into(),
        available,
        reason: reason.into(),
        seats: 14,
        monthly: monthly_per_user * 14.0,
        annual: monthly_per_user * 14.0 * 12.0,
        recommended,
        includes: includes.into(),
        monthly_per_user,
        replaces_base: false,
        pricing: "per user per month".into(),
        source: "https://www.microsoft.com/security/business/microsoft-entra-pricing".into(),
        price_verified: true,
        full_monthly_per_user: monthly_per_user,
        upgrade_from: None,
    };
    CostEstimate {
        currency: "USD".into(),
        prices_checked_on: "2026-11-26".into(),
        options: vec![
            option(LicencePath::EntraIdP2, "Microsoft Entra ID P2", true, "Standalone; no prerequisite.", 10.0, true, "P1 + PIM, access reviews, ID Protection"),
            option(LicencePath::EntraIdGovernance, "Microsoft Entra ID Governance", true, "Needs P1 or P2 on the same users.", 7.0, false, "Lifecycle workflows, advanced access reviews, PIM"),
            option(LicencePath::EntraSuite, "Microsoft Entra Suite", true, "Needs P1 on the same users.", 12.0, false, "Governance, Private Access, Internet Access, Verified ID"),
            option(LicencePath::EmsE5, "Enterprise Mobility + Security E5", true, "Standalone.", 16.4, false, "P2, Intune, Defender for Cloud Apps, Purview IP"),
            option(LicencePath::M365E5, "Microsoft 365 E5", false, "Replaces the users' current suite; priced for all seats.", 60.0, false, "Office, Teams, Defender XDR, Purview, P2"),
        ],
        recommended: Some(LicencePath::EntraIdP2),
        recommendation: "No purchase is needed: Microsoft 365 E5 already covers the 14 privileged users. If those seats \
            are reassigned, Microsoft Entra ID P2 is the cheapest path at $140.00 per month."
            .into(),
        covered: true,
        seats_to_buy: 0,
        p1_status: "P1 present".into(),
        price_book: "built-in".into(),
        disclaimer: "List prices; your agreement may differ.".into(),
    }
}

fn plan() -> Vec<PlanStep> {
    let items = |n: usize, action: &str| -> Vec<PlanItem> {
        (0..n)
            .map(|k| {
                let (name, upn) = PEOPLE[k % PEOPLE.len()];
                PlanItem {
                    object: name.into(),
                    principal_name: Some(upn.into()),
                    role: Some(ROLES[k % ROLES.len()].into()),
                    since: Some(at(1) - Duration::days(400 + 37 * i64::try_from(k).unwrap_or(0))),
                    action: action.into(),
                }
            })
            .collect()
    };
    vec![
        PlanStep { order: 1, title: "Protect the emergency-access accounts".into(), detail: "Confirm both break-glass accounts are excluded from every Conditional Access policy and monitored.".into(), checks: vec!["ADM-02".into()], items: Vec::new() },
        PlanStep { order: 2, title: "Require phishing-resistant MFA for administrators".into(), detail: "Create a Conditional Access policy with the built-in authentication strength for every admin role.".into(), checks: vec!["CA-02".into()], items: Vec::new() },
        PlanStep { order: 3, title: "Convert standing Global Administrators to eligible".into(), detail: "Make every permanent Global Administrator eligible with approval; keep two emergency accounts active.".into(), checks: vec!["PIM-01".into(), "ADM-01".into()], items: items(7, "Convert to eligible (1 year), require approval") },
        PlanStep { order: 4, title: "Convert the remaining privileged roles".into(), detail: "Repeat for the other highly privileged roles.".into(), checks: vec!["PIM-01".into(), "PIM-02".into()], items: items(5, "Convert to eligible (1 year)") },
        PlanStep { order: 5, title: "Tighten role settings".into(), detail: "Approval for Global Administrator, 8-hour activations, alerts to the security team.".into(), checks: vec!["PIM-04".into(), "PIM-06".into(), "PIM-10".into()], items: Vec::new() },
        PlanStep { order: 6, title: "Schedule quarterly access reviews of privileged roles".into(), detail: "Reviewers: the role owners; auto-apply results.".into(), checks: vec!["PIM-13".into()], items: Vec::new() },
    ]
}

fn score(checks: &[Finding]) -> Score {
    let categories = Category::ALL
        .iter()
        .enumerate()
        .filter(|(_, c)| checks.iter().any(|f| f.category == **c))
        .map(|(i, c)| CategoryScore {
            category: *c,
            percent: [92.0, 48.5, 31.0, 66.7, 40.0][i],
            coverage: [100.0, 90.0, 85.0, 100.0, 100.0][i],
        })
        .collect();
    Score {
        percent: 58.0,
        grade: Grade::D,
        coverage: 92.0,
        categories,
    }
}

/// A demo-like assessment of "Contoso Ltd": 25 checks, every status, non-ASCII names.
pub fn demo() -> Assessment {
    let checks: Vec<Finding> = SPECS
        .iter()
        .enumerate()
        .map(|(i, s)| finding(i, s))
        .collect();
    let (licensing, cost) = (licensing(), cost());
    let licence = pimready_core::cost::licence_verdict(&licensing, &cost);
    Assessment {
        schema_version: ASSESSMENT_SCHEMA_VERSION,
        generator: Generator { name: pimready_core::TOOL_NAME.into(), version: pimready_core::TOOL_VERSION.into() },
        assessed_at: at(20),
        tenant: TenantInfo {
            id: "8a1d2c3b-4e5f-4a6b-9c7d-0e1f2a3b4c5d".into(),
            display_name: "Contoso Ltd".into(),
            default_domain: Some("contoso.com".into()),
            cloud: Cloud::Global,
        },
        headline: Headline { standing_admins: 9, eligible_admins: 5, global_admins: 7, emergency_accounts: 2, licence },
        licensing,
        cost,
        score: score(&checks),
        plan: plan(),
        gaps: vec![GapInfo {
            dataset: Dataset::SignInActivity,
            reason: GapReason::PermissionDenied,
            detail: "Graph answered 403 Authorization_RequestDenied; the signed-in user lacks Reports Reader.".into(),
            missing_scope: Some("AuditLog.Read.All".into()),
        }],
        collection: CollectionInfo {
            requests: 47,
            duration_ms: 12_840,
            graph_host: "graph.microsoft.com".into(),
            scopes: Dataset::ALL.iter().map(|d| d.scope().to_owned()).filter(|s| s != "AuditLog.Read.All").collect::<std::collections::BTreeSet<_>>().into_iter().collect(),
            datasets: Dataset::ALL.into_iter().filter(|d| *d != Dataset::SignInActivity).collect(),
        },
        checks,
        emergency_accounts: emergency_accounts(),
        suggested_approvers: Vec::new(),
        azure: None,
    }
}

/// Two designated break-glass accounts, a designation not found and a suggestion.
fn emergency_accounts() -> Vec<pimready_core::assessment::EmergencyAccountInfo> {
    use pimready_core::assessment::EmergencyAccountInfo;
    use pimready_core::privileged::EmergencyOrigin;
    let account = |n: u32, name: &str, status| EmergencyAccountInfo {
        id: Some(format!("e0000000-0000-4000-8000-00000000000{n}")),
        user_principal_name: format!("breakglass{n}@contoso.onmicrosoft.com"),
        display_name: name.into(),
        status,
        well_formed: true,
        signals: Vec::new(),
    };
    let (name, upn) = PEOPLE[2];
    vec![
        account(1, "Emergency Access 1", EmergencyOrigin::Designated),
        account(2, "Emergency Access 2", EmergencyOrigin::Designated),
        EmergencyAccountInfo {
            id: None,
            user_principal_name: "bg-old@contoso.onmicrosoft.com".into(),
            display_name: "bg-old@contoso.onmicrosoft.com".into(),
            status: EmergencyOrigin::Designated,
            well_formed: false,
            signals: Vec::new(),
        },
        EmergencyAccountInfo {
            id: Some("e0000000-0000-4000-8000-000000000009".into()),
            user_principal_name: upn.into(),
            display_name: name.into(),
            status: EmergencyOrigin::Suggested,
            well_formed: false,
            signals: vec![
                "cloud-only".into(),
                "no licence".into(),
                "excluded from Conditional Access".into(),
            ],
        },
    ]
}

/// A stress assessment: `n` findings with long titles, long unbreakable names and
/// evidence tables long enough to span several pages.
pub fn large(n: usize) -> Assessment {
    let mut a = demo();
    let base = a.checks.clone();
    a.tenant.display_name =
        "Contoso Pharmaceuticals Research and Development International Holdings GmbH & Co. KG"
            .into();
    a.checks = (0..n)
        .map(|i| {
            let mut f = base[i % base.len()].clone();
            f.id = format!("{}-{i:03}", f.id).into();
            f.title = format!("{} — variant {i} with a deliberately long title that has to wrap onto a second line", f.title);
            if matches!(f.status, Status::Fail | Status::Warning) {
                let rows = if i % 10 == 0 { 80 } else { 4 + i % 7 };
                f.evidence = (0..rows)
                    .map(|k| {
                        let (name, _) = PEOPLE[k % PEOPLE.len()];
                        Evidence {
                            display_name: format!("{name} {k} of the Department of Extremely Long Organisational Unit Names"),
                            principal_name: Some(format!("a.very.long.user.principal.name.number.{k}.for.testing.wrapping@contoso-pharmaceuticals-research.onmicrosoft.com")),
                            object_id: Some(format!("7f3a{k:04}-2b1c-4d5e-8f90-a1b2c3d4e5f6")),
                            object_type: "user".into(),
                            role: Some(ROLES[k % ROLES.len()].into()),
                            assignment_type: Some("permanent active".into()),
                            start: Some(at(1)),
                            end: None,
                            detail: "Standing access; no sign-in in 120 days; synchronised from on-premises AD; mailbox-enabled".into(),
                        }
                    })
                    .collect();
            }
            f
        })
        .collect();
    a
}

/// The demo tenant's previous assessment, three months before [`demo`]: a lower score,
/// other statuses for a few checks (two better since, two worse, one check new since),
/// a different set of standing admins and other seat counts.
pub fn demo_previous() -> Assessment {
    let mut a = demo();
    a.assessed_at -= Duration::days(92);
    a.score.percent = 49.0;
    a.score.grade = Grade::F;
    a.score.coverage = 88.0;
    a.headline.standing_admins = 10;
    let was = [
        ("ADM-02", Status::Fail),
        ("PIM-05", Status::Warning),
        ("CA-02", Status::Warning),
        ("PIM-04", Status::Pass),
    ];
    for f in &mut a.checks {
        if let Some((_, status)) = was.iter().find(|(id, _)| *id == f.id) {
            f.status = *status;
        }
        if f.id == "PIM-01" && !f.evidence.is_empty() {
            // One admin more and one fewer than now.
            f.evidence.remove(0);
            f.evidence.push(Evidence {
                display_name: "Sven Karlsson".into(),
                principal_name: Some("sven.karlsson@contoso.com".into()),
                object_id: Some("7f3a9999-2b1c-4d5e-8f90-a1b2c3d4e5f6".into()),
                object_type: "user".into(),
                role: Some("Global Administrator".into()),
                assignment_type: Some("permanent active".into()),
                start: Some(at(1) - Duration::days(400)),
                end: None,
                detail: "Standing access".into(),
            });
        }
    }
    a.checks.retain(|f| f.id != "PIM-13");
    a.licensing.seats.available = 100;
    a.licensing.seats.in_scope = 16;
    a.licensing.seats.headroom = 84;
    a
}

/// What the history holds for the demo tenant: the change since [`demo_previous`] and
/// four points of score over a year, the last being [`demo`].
pub fn demo_history() -> crate::ReportHistory {
    use pimready_core::history::{AssessmentId, TrendPoint};
    let now = demo();
    let previous = demo_previous();
    let point = |id: i64, at: DateTime<Utc>, score: f64| TrendPoint {
        id: AssessmentId(id),
        assessed_at: at,
        score_percent: score,
    };
    crate::ReportHistory {
        diff: pimready_core::history::diff(&previous, &now),
        trend: vec![
            point(1, now.assessed_at - Duration::days(365), 31.0),
            point(2, now.assessed_at - Duration::days(183), 44.0),
            point(3, previous.assessed_at, previous.score.percent),
            point(4, now.assessed_at, now.score.percent),
        ],
    }
}
