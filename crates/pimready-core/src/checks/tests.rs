//! Table-driven check tests: one minimal, fully passing tenant, and per case a small
//! mutation of it and the status it must produce, all through one `check` helper.

// Mutations in the table are one-line closures; a trailing `;` in each would be noise.
#![allow(clippy::semicolon_if_nothing_returned)]

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::{CheckContext, catalog, check_def, controls, docs, run_checks};
use crate::duration::IsoDuration;
use crate::finding::{Finding, MinimumLicence, Status};
use crate::licensing::{Licensing, Seats};
use crate::privileged::{
    EmergencyAccount, EmergencyOrigin, GLOBAL_ADMINISTRATOR as GA, HIGHLY_PRIVILEGED_ROLES,
    Holding, HoldingKind, PRIVILEGED_ROLE_ADMINISTRATOR as PRA, PrivilegedPopulation,
};
use crate::settings::AssessmentSettings;
use crate::snapshot::PolicyRuleId;
use crate::snapshot::{
    AccessReviewDefinition, AccessReviewSettings, ApprovalSettings, ApprovalStage, AssignedLicense,
    AuthenticationStrength, CaApplications, CaConditions, CaDeviceFilter, CaDevices,
    CaGrantControls, CaGuestsOrExternalUsers, CaLocations, CaPlatforms, CaSessionControls, CaUsers,
    ConditionalAccessPolicy, Dataset, Gap, GapReason, GroupAccessId, GroupScheduleInstance,
    Organization, PatternedRecurrence, PersistentBrowser, PolicyRule, PolicyState, Principal,
    PrivilegedGroup, RecurrencePattern, RecurrenceRange, ReviewStatus, RoleManagementPolicy,
    RoleManagementPolicyAssignment, SignInActivity, SignInFrequency, SubjectSet, SubscribedSku,
    TenantSnapshot,
};
use crate::test_support;

const SECURITY_ADMIN: &str = "194ae4cb-b126-40b2-bd5b-6091b380977d";
const USER_ADMIN: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
const EXCHANGE_ADMIN: &str = "29232cdf-9323-42fd-ade2-1d097af3e4de";
const SHAREPOINT_ADMIN: &str = "f28a1f50-f6e7-4571-818b-6a12f2af6b6c";
const TEAMS_ADMIN: &str = "69091246-20e8-4a56-aa4d-066075b2a7a8";
const P2_SKU: &str = "84a661c4-e949-4bd2-a560-ed7766fcaf2b";
const E5_SKU: &str = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";
const GROUP: &str = "g-exchange-admins";

pub(crate) fn collected_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0).unwrap()
}

fn long_ago() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 15, 9, 0, 0).unwrap()
}

/// The tenant, settings, population and licensing a check sees.
#[derive(Clone)]
pub(crate) struct Fx {
    pub(crate) snapshot: TenantSnapshot,
    pub(crate) settings: AssessmentSettings,
    pub(crate) population: PrivilegedPopulation,
    pub(crate) licensing: Licensing,
}

/// A member user `id` called `name`, enabled, licensed for P2, created long ago.
fn user(id: &str, name: &str) -> Principal {
    Principal {
        display_name: Some(name.to_owned()),
        user_type: Some("Member".to_owned()),
        account_enabled: Some(true),
        assigned_licenses: Some(vec![AssignedLicense {
            sku_id: P2_SKU.to_owned(),
            disabled_plans: Vec::new(),
        }]),
        created_date_time: Some(long_ago()),
        ..test_support::user(id)
    }
}

/// `principal` holding `role` as `kind` since long ago; all but a permanent active holding
/// end in 180 days.
fn holding(principal: &Principal, role: &str, kind: HoldingKind) -> Holding {
    Holding {
        start: Some(long_ago()),
        end: match kind {
            HoldingKind::PermanentActive => None,
            _ => Some(collected_at() + Duration::days(180)),
        },
        ..test_support::holding(principal, role, kind)
    }
}

fn rule(id: &str) -> PolicyRule {
    PolicyRule {
        id: id.into(),
        ..PolicyRule::default()
    }
}

fn approver(user_id: &str) -> SubjectSet {
    SubjectSet {
        odata_type: Some("#microsoft.graph.singleUser".to_owned()),
        user_id: Some(user_id.into()),
        ..SubjectSet::default()
    }
}

/// Role settings that pass every PIM-04…PIM-12 check.
fn good_policy(template_id: &str) -> RoleManagementPolicyAssignment {
    let hours = if template_id == GA || template_id == PRA {
        2
    } else {
        8
    };
    let notify = |id: &str| PolicyRule {
        notification_recipients: Some(vec!["secops@contoso.com".to_owned()]),
        is_default_recipients_enabled: Some(true),
        ..rule(id)
    };
    RoleManagementPolicyAssignment {
        id: format!("Directory_{template_id}"),
        policy_id: format!("policy-{template_id}"),
        scope_id: "/".to_owned(),
        scope_type: "DirectoryRole".to_owned(),
        role_definition_id: Some(template_id.to_owned()),
        policy: Some(RoleManagementPolicy {
            id: format!("policy-{template_id}"),
            rules: vec![
                PolicyRule {
                    setting: Some(ApprovalSettings {
                        is_approval_required: Some(true),
                        approval_stages: vec![ApprovalStage {
                            // Two approvers, so each can approve the other's activation.
                            primary_approvers: vec![approver("ada"), approver("grace")],
                            ..ApprovalStage::default()
                        }],
                        ..ApprovalSettings::default()
                    }),
                    ..rule("Approval_EndUser_Assignment")
                },
                PolicyRule {
                    is_expiration_required: Some(true),
                    maximum_duration: Some(IsoDuration::from_hours(hours)),
                    ..rule("Expiration_EndUser_Assignment")
                },
                PolicyRule {
                    is_expiration_required: Some(true),
                    ..rule("Expiration_Admin_Assignment")
                },
                PolicyRule {
                    enabled_rules: Some(vec![
                        "MultiFactorAuthentication".to_owned(),
                        "Justification".to_owned(),
                    ]),
                    ..rule("Enablement_EndUser_Assignment")
                },
                PolicyRule {
                    is_enabled: Some(false),
                    ..rule("AuthenticationContext_EndUser_Assignment")
                },
                notify("Notification_Admin_Admin_Assignment"),
                notify("Notification_Admin_Admin_Eligibility"),
                notify("Notification_Admin_EndUser_Assignment"),
            ],
            ..RoleManagementPolicy::default()
        }),
    }
}

fn review(
    roles: &[&str],
    pattern: &str,
    interval: i64,
    status: ReviewStatus,
) -> AccessReviewDefinition {
    let resource_scopes: Vec<serde_json::Value> = roles
        .iter()
        .map(|r| serde_json::json!({ "query": format!("/roleManagement/directory/roleDefinitions/{r}"), "queryType": "MicrosoftGraph" }))
        .collect();
    AccessReviewDefinition {
        id: "review-1".to_owned(),
        display_name: Some("Privileged roles".to_owned()),
        status: Some(status),
        scope: Some(serde_json::json!({
            "@odata.type": "#microsoft.graph.principalResourceMembershipsScope",
            "principalScopes": [
                { "query": "/users", "queryType": "MicrosoftGraph" },
                { "query": "/groups", "queryType": "MicrosoftGraph" },
            ],
            "resourceScopes": resource_scopes,
        })),
        settings: Some(AccessReviewSettings {
            recurrence: Some(PatternedRecurrence {
                pattern: Some(RecurrencePattern {
                    kind: Some(pattern.to_owned()),
                    interval: Some(interval),
                }),
                range: Some(RecurrenceRange {
                    kind: Some("noEnd".to_owned()),
                    start_date: Some("2025-01-01".to_owned()),
                    end_date: None,
                }),
            }),
            // CIS 5.3.3: at most 4 days, results auto-applied, no change when reviewers
            // don't respond, mail, reminders and reasons on.
            instance_duration_in_days: Some(3),
            auto_apply_decisions_enabled: Some(true),
            default_decision_enabled: Some(false),
            default_decision: Some("None".to_owned()),
            mail_notifications_enabled: Some(true),
            reminder_notifications_enabled: Some(true),
            justification_required_on_approval: Some(true),
        }),
        reviewers: vec![crate::snapshot::AccessReviewReviewerScope {
            query: Some("/users/reviewer-1".to_owned()),
            query_type: Some("MicrosoftGraph".to_owned()),
            query_root: None,
        }],
        ..AccessReviewDefinition::default()
    }
}

fn all_roles() -> Vec<&'static str> {
    HIGHLY_PRIVILEGED_ROLES.iter().map(|(id, _)| *id).collect()
}

/// The roles PIM-13 asks a review for in the good tenant: the highly privileged ones and
/// CIS 5.3.3's five (Teams Administrator is the one not already among them).
fn review_roles() -> Vec<&'static str> {
    let mut roles = all_roles();
    for (id, _) in super::pim::CIS_REVIEW_ROLES {
        if !roles.contains(&id) {
            roles.push(id);
        }
    }
    roles
}

/// Every role CA-01..CA-03 read: the highly privileged ones and the CIS 5.2.2.1 admin roles.
fn ca_roles() -> Vec<String> {
    let mut roles: Vec<String> = all_roles().iter().map(|r| (*r).to_owned()).collect();
    for (id, _) in super::ca::CIS_MFA_ADMIN_ROLES {
        if !roles.iter().any(|r| r == id) {
            roles.push(id.to_owned());
        }
    }
    roles
}

fn admin_ca_policy() -> ConditionalAccessPolicy {
    ConditionalAccessPolicy {
        id: "ca-admins".to_owned(),
        display_name: Some("Admins: phishing-resistant MFA, short sessions".to_owned()),
        state: Some(PolicyState::Enabled),
        conditions: Some(CaConditions {
            users: Some(CaUsers {
                include_roles: ca_roles(),
                exclude_users: vec!["bg1".to_owned(), "bg2".to_owned()],
                ..CaUsers::default()
            }),
            applications: Some(CaApplications {
                include_applications: vec!["All".to_owned()],
                ..CaApplications::default()
            }),
            client_app_types: vec!["all".to_owned()],
            ..CaConditions::default()
        }),
        grant_controls: Some(CaGrantControls {
            operator: Some("AND".to_owned()),
            built_in_controls: Vec::new(),
            authentication_strength: Some(AuthenticationStrength {
                id: super::ca::PHISHING_RESISTANT_STRENGTH.to_owned(),
                display_name: Some("Phishing-resistant MFA".to_owned()),
                ..AuthenticationStrength::default()
            }),
        }),
        session_controls: Some(CaSessionControls {
            sign_in_frequency: Some(SignInFrequency {
                value: Some(4),
                kind: Some("hours".to_owned()),
                is_enabled: Some(true),
                frequency_interval: Some("timeBased".to_owned()),
            }),
            persistent_browser: Some(PersistentBrowser {
                mode: Some("never".to_owned()),
                is_enabled: Some(true),
            }),
        }),
    }
}

/// The good tenant's privileged users: two Global Administrators, two emergency-access
/// accounts, one holder of each finer role, and eve, a member of the Exchange Admins group.
fn good_users() -> [Principal; 9] {
    let ada = user("ada", "Ada Admin");
    let grace = user("grace", "Grace Admin");
    let mut bg1 = user("bg1", "Emergency 1");
    let mut bg2 = user("bg2", "Emergency 2");
    for bg in [&mut bg1, &mut bg2] {
        bg.user_principal_name = Some(format!("{}@contoso.onmicrosoft.com", bg.id));
        bg.assigned_licenses = Some(Vec::new());
    }
    let pat = user("pat", "Pat Roles");
    let sam = user("sam", "Sam Security");
    let uma = user("uma", "Uma Users");
    let sue = user("sue", "Sue Users");
    let eve = user("eve", "Eve Exchange");
    [ada, grace, bg1, bg2, pat, sam, uma, sue, eve]
}

/// The role-assignable group that is eligible for Exchange Administrator.
fn exchange_admins_group() -> Principal {
    Principal {
        display_name: Some("Exchange Admins".to_owned()),
        security_enabled: Some(true),
        ..test_support::group(GROUP)
    }
}

/// Who holds what in the good tenant, and its two designated emergency-access accounts.
fn good_population(users: &[Principal; 9], group: &Principal) -> PrivilegedPopulation {
    let [ada, grace, bg1, bg2, pat, sam, uma, sue, eve] = users;
    let mut eve_via_group = holding(eve, EXCHANGE_ADMIN, HoldingKind::Eligible);
    eve_via_group.via_group = Some(GROUP.into());
    eve_via_group.via_group_name = Some("Exchange Admins".to_owned());
    let holdings = vec![
        holding(ada, GA, HoldingKind::Eligible),
        holding(grace, GA, HoldingKind::Eligible),
        holding(bg1, GA, HoldingKind::PermanentActive),
        holding(bg2, GA, HoldingKind::PermanentActive),
        holding(pat, PRA, HoldingKind::Eligible),
        holding(sam, SECURITY_ADMIN, HoldingKind::Eligible),
        holding(uma, USER_ADMIN, HoldingKind::Eligible),
        holding(sue, USER_ADMIN, HoldingKind::Eligible),
        // The group is eligible for its role (MS.AAD.7.4: no permanent assignment, groups included).
        holding(group, EXCHANGE_ADMIN, HoldingKind::Eligible),
        eve_via_group,
    ];
    let emergency = |p: &Principal| EmergencyAccount {
        principal_id: p.id.clone(),
        user_principal_name: p.user_principal_name.clone().unwrap(),
        display_name: p.name().to_owned(),
        origin: EmergencyOrigin::Designated,
        well_formed: true,
        signals: Vec::new(),
    };
    PrivilegedPopulation {
        holdings,
        emergency_accounts: vec![emergency(bg1), emergency(bg2)],
        designated_not_found: Vec::new(),
        suggested_emergency_accounts: Vec::new(),
    }
}

/// The good tenant's snapshot: what Graph returns for these users and group.
fn good_snapshot(users: [Principal; 9], group: Principal) -> TenantSnapshot {
    let [.., eve] = &users;
    let eve = eve.clone();
    let users = Vec::from(users);
    let mut s = test_support::empty_snapshot(collected_at());
    let sku = |id: &str, part: &str| SubscribedSku {
        consumed_units: 8,
        ..test_support::raw_sku(part, id, "Enabled", 10, &[])
    };
    s.organization = Some(Organization {
        id: "org".to_owned(),
        display_name: Some("Contoso".to_owned()),
        verified_domains: Vec::new(),
    });
    s.subscribed_skus = Some(vec![sku(P2_SKU, "AAD_PREMIUM_P2"), sku(E5_SKU, "SPE_E5")]);
    s.role_definitions = Some(Vec::new());
    s.role_assignments = Some(Vec::new());
    s.role_assignment_schedule_instances = Some(Vec::new());
    s.role_assignment_schedules = Some(Vec::new());
    s.role_eligibility_schedule_instances = Some(Vec::new());
    s.role_eligibility_schedules = Some(Vec::new());
    s.role_management_policies = Some(all_roles().iter().map(|r| good_policy(r)).collect());
    s.sign_in_activity = Some(
        users
            .iter()
            .map(|u| SignInActivity {
                user_id: u.id.clone(),
                last_sign_in_date_time: Some(collected_at() - Duration::days(3)),
                last_successful_sign_in_date_time: Some(collected_at() - Duration::days(3)),
                ..SignInActivity::default()
            })
            .collect(),
    );
    s.privileged_principals = Some(users);
    s.privileged_groups = Some(vec![PrivilegedGroup {
        group,
        members: vec![eve],
        owners: Vec::new(),
    }]);
    s.group_eligibility_schedule_instances = Some(vec![GroupScheduleInstance {
        id: "gei-1".to_owned(),
        group_id: GROUP.into(),
        principal_id: "eve".into(),
        access_id: Some(GroupAccessId::Member),
        start_date_time: Some(long_ago()),
        end_date_time: Some(collected_at() + Duration::days(100)),
        ..GroupScheduleInstance::default()
    }]);
    s.group_assignment_schedule_instances = Some(Vec::new());
    s.access_reviews = Some(vec![review(
        &review_roles(),
        "absoluteMonthly",
        1,
        ReviewStatus::InProgress,
    )]);
    s.conditional_access_policies = Some(vec![admin_ca_policy()]);
    s.azure = Some(super::az_tests::good_azure());
    s
}

/// A small tenant that passes every check.
pub(crate) fn good() -> Fx {
    let users = good_users();
    let group = exchange_admins_group();
    let population = good_population(&users, &group);
    Fx {
        snapshot: good_snapshot(users, group),
        settings: AssessmentSettings {
            emergency_accounts: vec![
                "bg1@contoso.onmicrosoft.com".to_owned(),
                "bg2@contoso.onmicrosoft.com".to_owned(),
            ],
            ..AssessmentSettings::default()
        },
        population,
        licensing: Licensing {
            pim_capable: true,
            p2: true,
            governance: false,
            p1: true,
            sources: Vec::new(),
            seats: Seats {
                available: 10,
                in_scope: 8,
                shortfall: 0,
                ..Default::default()
            },
            ..Licensing::default()
        },
    }
}

// ----- mutations -----

impl Fx {
    pub(crate) fn rule(&mut self, role: &str, id: &str) -> &mut PolicyRule {
        let policy = self
            .snapshot
            .role_management_policies
            .as_mut()
            .unwrap()
            .iter_mut()
            .find(|a| a.role_definition_id.as_deref() == Some(role))
            .and_then(|a| a.policy.as_mut())
            .unwrap();
        policy.rules.iter_mut().find(|r| r.id == id.into()).unwrap()
    }

    /// The first approval stage's approvers of a role.
    pub(crate) fn approvers(&mut self, role: &str) -> &mut Vec<SubjectSet> {
        &mut self
            .rule(role, "Approval_EndUser_Assignment")
            .setting
            .as_mut()
            .unwrap()
            .approval_stages[0]
            .primary_approvers
    }

    pub(crate) fn user(&mut self, id: &str) -> &mut Principal {
        self.snapshot
            .privileged_principals
            .as_mut()
            .unwrap()
            .iter_mut()
            .find(|p| p.id == id)
            .unwrap()
    }

    fn add(&mut self, id: &str, role: &str, kind: HoldingKind) {
        let p = user(id, id);
        self.population.holdings.push(holding(&p, role, kind));
        self.snapshot
            .privileged_principals
            .as_mut()
            .unwrap()
            .push(p);
    }

    /// Drops a dataset and records why.
    pub(crate) fn gap(&mut self, dataset: Dataset, reason: GapReason) {
        let s = &mut self.snapshot;
        s.forget(dataset);
        s.gaps.push(Gap {
            dataset,
            reason,
            detail: format!("{} could not be read", dataset.label()),
            status: Some(403),
            code: None,
            missing_scope: (reason == GapReason::PermissionDenied)
                .then(|| dataset.scope().to_owned()),
        });
    }

    /// A tenant without P2 or Governance: the PIM datasets are skipped as not licensed.
    pub(crate) fn no_p2(&mut self) {
        self.licensing.pim_capable = false;
        self.licensing.p2 = false;
        for d in [
            Dataset::RoleAssignmentScheduleInstances,
            Dataset::RoleAssignmentSchedules,
            Dataset::RoleEligibilityScheduleInstances,
            Dataset::RoleEligibilitySchedules,
            Dataset::RoleManagementPolicies,
            Dataset::GroupEligibilityScheduleInstances,
            Dataset::GroupAssignmentScheduleInstances,
            Dataset::AccessReviews,
        ] {
            self.gap(d, GapReason::NotLicensed);
        }
        // Without PIM every active holding is permanent and nobody is eligible.
        if let Some(azure) = &mut self.snapshot.azure {
            azure.eligibility_instances = Some(Vec::new());
        }
        for h in &mut self.population.holdings {
            if h.holding == HoldingKind::Eligible {
                h.holding = HoldingKind::PermanentActive;
                h.end = None;
            }
        }
    }

    fn ca(&mut self) -> &mut ConditionalAccessPolicy {
        &mut self.snapshot.conditional_access_policies.as_mut().unwrap()[0]
    }

    /// The users condition of the good tenant's first Conditional Access policy.
    fn ca_users(&mut self) -> &mut crate::snapshot::CaUsers {
        self.ca()
            .conditions
            .as_mut()
            .unwrap()
            .users
            .as_mut()
            .unwrap()
    }

    /// The settings of the good tenant's access review.
    fn review_settings(&mut self) -> &mut crate::snapshot::AccessReviewSettings {
        self.snapshot.access_reviews.as_mut().unwrap()[0]
            .settings
            .as_mut()
            .unwrap()
    }

    /// Every finding, through the runner.
    pub(crate) fn findings(&self) -> Vec<Finding> {
        let ctx = CheckContext {
            snapshot: &self.snapshot,
            settings: &self.settings,
            population: &self.population,
            licensing: &self.licensing,
        };
        run_checks(&ctx)
    }

    fn run(&self, id: &str) -> Finding {
        let ctx = CheckContext {
            snapshot: &self.snapshot,
            settings: &self.settings,
            population: &self.population,
            licensing: &self.licensing,
        };
        check_def(id).unwrap_or_else(|e| panic!("{e}")).run(&ctx)
    }
}

// ----- the table -----

pub(crate) struct Case {
    id: &'static str,
    name: &'static str,
    mutate: fn(&mut Fx),
    expected: Status,
}

pub(crate) fn case(
    id: &'static str,
    name: &'static str,
    expected: Status,
    mutate: fn(&mut Fx),
) -> Case {
    Case {
        id,
        name,
        mutate,
        expected,
    }
}

use Status::{Fail, NotApplicable, NotAssessed, NotLicensed, Pass, Warning};

/// LIC-01 and LIC-02: P2 or Governance is present and its seats cover the scope.
fn licence_cases() -> Vec<Case> {
    vec![
        // LIC-01
        case("LIC-01", "P2 present", Pass, |_| {}),
        case("LIC-01", "no P2", Fail, |f| f.licensing.pim_capable = false),
        case("LIC-01", "Governance only", Pass, |f| {
            f.licensing.p2 = false;
            f.licensing.governance = true;
        }),
        case("LIC-01", "SKUs unreadable", NotAssessed, |f| {
            f.gap(Dataset::SubscribedSkus, GapReason::PermissionDenied)
        }),
        // LIC-02
        case("LIC-02", "seats cover scope", Pass, |_| {}),
        case("LIC-02", "shortfall", Fail, |f| {
            f.licensing.seats = Seats {
                available: 5,
                in_scope: 8,
                shortfall: 3,
                ..Default::default()
            }
        }),
        case("LIC-02", "assignments unreadable", NotAssessed, |f| {
            f.gap(Dataset::RoleAssignments, GapReason::Error)
        }),
    ]
}

/// ADM-01 and ADM-02: how many Global Administrators and emergency-access accounts there are.
fn admin_count_cases() -> Vec<Case> {
    vec![
        // ADM-01
        case("ADM-01", "four GAs", Pass, |_| {}),
        case("ADM-01", "two GAs", Pass, |f| {
            f.population
                .holdings
                .retain(|h| h.principal_id != "ada" && h.principal_id != "grace")
        }),
        case("ADM-01", "GA direct and via group counts once", Pass, |f| {
            let mut h = f.population.holdings[0].clone();
            h.via_group = Some(GROUP.into());
            f.population.holdings.push(h);
        }),
        case("ADM-01", "six GAs", Warning, |f| {
            f.add("ga5", GA, HoldingKind::Eligible);
            f.add("ga6", GA, HoldingKind::Eligible);
        }),
        case("ADM-01", "eight GAs", Warning, |f| {
            (5..=8).for_each(|i| f.add(&format!("ga{i}"), GA, HoldingKind::Eligible))
        }),
        case("ADM-01", "nine GAs", Fail, |f| {
            (5..=9).for_each(|i| f.add(&format!("ga{i}"), GA, HoldingKind::Eligible))
        }),
        case("ADM-01", "one GA", Fail, |f| {
            f.population
                .holdings
                .retain(|h| h.role_template_id != GA || h.principal_id == "ada")
        }),
        case("ADM-01", "groups unreadable", NotAssessed, |f| {
            f.gap(Dataset::PrivilegedGroups, GapReason::PermissionDenied)
        }),
        case(
            "ADM-01",
            "eligibility unreadable with P2",
            NotAssessed,
            |f| {
                f.gap(
                    Dataset::RoleEligibilityScheduleInstances,
                    GapReason::PermissionDenied,
                );
            },
        ),
        case(
            "ADM-01",
            "no eligibility data without P2 is expected",
            Pass,
            Fx::no_p2,
        ),
        // ADM-02
        case("ADM-02", "two well-formed", Pass, |_| {}),
        case("ADM-02", "one", Fail, |f| {
            f.population.emergency_accounts.pop();
        }),
        case("ADM-02", "three designated", Pass, |f| {
            let mut e = f.population.emergency_accounts[0].clone();
            e.principal_id = "bg3".into();
            f.population.emergency_accounts.push(e);
        }),
        case("ADM-02", "two, one synced", Fail, |f| {
            f.population.emergency_accounts[1].well_formed = false
        }),
        case("ADM-02", "three, one synced", Warning, |f| {
            let mut e = f.population.emergency_accounts[0].clone();
            e.principal_id = "bg3".into();
            e.well_formed = false;
            f.population.emergency_accounts.push(e);
        }),
        case(
            "ADM-02",
            "two designated, a third not found",
            Warning,
            |f| {
                f.population
                    .designated_not_found
                    .push("nobody@contoso.com".to_owned());
            },
        ),
        case("ADM-02", "none", Fail, |f| {
            f.population.emergency_accounts.clear()
        }),
        case("ADM-02", "two look-alikes, none designated", Fail, |f| {
            let mut suggested = std::mem::take(&mut f.population.emergency_accounts);
            for e in &mut suggested {
                e.origin = EmergencyOrigin::Suggested;
            }
            f.population.suggested_emergency_accounts = suggested;
        }),
        case("ADM-02", "users unreadable", NotAssessed, |f| {
            f.gap(Dataset::PrivilegedPrincipals, GapReason::PermissionDenied)
        }),
    ]
}

/// ADM-03 to ADM-06: what the privileged accounts are: cloud-only, without productivity
/// licences, on finer roles than Global Administrator, not guests.
fn admin_account_cases() -> Vec<Case> {
    vec![
        // ADM-03
        case("ADM-03", "cloud-only", Pass, |_| {}),
        case("ADM-03", "no longer synced, no immutable id", Pass, |f| {
            f.user("ada").on_premises_sync_enabled = Some(false)
        }),
        case("ADM-03", "synced", Fail, |f| {
            f.user("ada").on_premises_sync_enabled = Some(true)
        }),
        case("ADM-03", "immutable id", Fail, |f| {
            f.user("sam").on_premises_immutable_id = Some("abc==".to_owned())
        }),
        case("ADM-03", "users unreadable", NotAssessed, |f| {
            f.gap(Dataset::PrivilegedPrincipals, GapReason::Error)
        }),
        // ADM-04
        case("ADM-04", "Entra licences only", Pass, |_| {}),
        case("ADM-04", "E5 on an admin", Fail, |f| {
            f.user("pat")
                .assigned_licenses
                .as_mut()
                .unwrap()
                .push(AssignedLicense {
                    sku_id: E5_SKU.to_owned(),
                    disabled_plans: Vec::new(),
                });
        }),
        case("ADM-04", "SKUs unreadable", NotAssessed, |f| {
            f.gap(Dataset::SubscribedSkus, GapReason::PermissionDenied)
        }),
        // ADM-05
        case(
            "ADM-05",
            "four GAs, four users in SCuBA's finer roles",
            Pass,
            |_| {},
        ),
        case("ADM-05", "GA outnumber others", Fail, |f| {
            f.population.holdings.retain(|h| h.role_template_id == GA)
        }),
        // Trap: GAs who also hold a finer role count only as GAs (4 / 3, not 4 / 5).
        case(
            "ADM-05",
            "GAs who also hold a finer role count only as GAs",
            Fail,
            |f| {
                f.population.holdings.retain(|h| h.principal_id != "sue");
                for id in ["ada", "grace"] {
                    let mut h = f
                        .population
                        .holdings
                        .iter()
                        .find(|h| h.principal_id == id)
                        .unwrap()
                        .clone();
                    h.role_template_id = EXCHANGE_ADMIN.to_owned();
                    h.role_name = test_support::role_name(EXCHANGE_ADMIN);
                    f.population.holdings.push(h);
                }
            },
        ),
        // Security Administrator is not on SCuBA's list: 4 GAs / 4 others becomes 4 / 3.
        case(
            "ADM-05",
            "roles outside SCuBA's list do not count",
            Fail,
            |f| {
                for h in &mut f.population.holdings {
                    if h.principal_id == "sue" {
                        h.role_template_id = SECURITY_ADMIN.to_owned();
                        h.role_name = test_support::role_name(SECURITY_ADMIN);
                    }
                }
            },
        ),
        case("ADM-05", "one GA: MS.AAD.7.1 fails first", Fail, |f| {
            f.population
                .holdings
                .retain(|h| h.role_template_id != GA || h.principal_id == "ada")
        }),
        case("ADM-05", "nine GAs: MS.AAD.7.1 fails first", Fail, |f| {
            (5..=9).for_each(|i| f.add(&format!("ga{i}"), GA, HoldingKind::Eligible));
            (1..=9).for_each(|i| f.add(&format!("ua{i}"), USER_ADMIN, HoldingKind::Eligible));
        }),
        case("ADM-05", "eight GAs, eight others", Pass, |f| {
            (5..=8).for_each(|i| f.add(&format!("ga{i}"), GA, HoldingKind::Eligible));
            (1..=4).for_each(|i| f.add(&format!("ua{i}"), USER_ADMIN, HoldingKind::Eligible));
        }),
        case("ADM-05", "nobody privileged", Fail, |f| {
            f.population.holdings.clear()
        }),
        case("ADM-05", "assignments unreadable", NotAssessed, |f| {
            f.gap(Dataset::RoleAssignments, GapReason::Error)
        }),
        // ADM-06
        case("ADM-06", "members only", Pass, |_| {}),
        case("ADM-06", "guest type", Fail, |f| {
            f.user("uma").user_type = Some("Guest".to_owned())
        }),
        case("ADM-06", "#EXT# UPN", Fail, |f| {
            f.user("sam").user_principal_name =
                Some("sam_fabrikam.com#EXT#@contoso.onmicrosoft.com".to_owned())
        }),
        case("ADM-06", "users unreadable", NotAssessed, |f| {
            f.gap(Dataset::PrivilegedPrincipals, GapReason::PermissionDenied)
        }),
    ]
}

/// ADM-07 and ADM-08: privileged accounts nobody signs in to, and applications holding roles.
fn stale_admin_and_app_cases() -> Vec<Case> {
    vec![
        // ADM-07
        case("ADM-07", "recent sign-ins", Pass, |_| {}),
        case("ADM-07", "100 days", Fail, |f| {
            let a = &mut f.snapshot.sign_in_activity.as_mut().unwrap()[0];
            a.last_sign_in_date_time = Some(collected_at() - Duration::days(100));
            a.last_successful_sign_in_date_time = Some(collected_at() - Duration::days(100));
        }),
        // Trap: attempts (failed ones included) are recent, the last success is old.
        case("ADM-07", "password-sprayed dormant admin", Fail, |f| {
            let a = &mut f.snapshot.sign_in_activity.as_mut().unwrap()[0];
            a.last_sign_in_date_time = Some(collected_at() - Duration::days(1));
            a.last_non_interactive_sign_in_date_time = Some(collected_at() - Duration::days(1));
            a.last_successful_sign_in_date_time = Some(collected_at() - Duration::days(200));
        }),
        case(
            "ADM-07",
            "no lastSuccessful: recent attempt keeps it, with a warning",
            Warning,
            |f| {
                f.snapshot.sign_in_activity.as_mut().unwrap()[0].last_successful_sign_in_date_time =
                    None
            },
        ),
        case(
            "ADM-07",
            "no lastSuccessful: the newest of interactive and non-interactive",
            Warning,
            |f| {
                let a = &mut f.snapshot.sign_in_activity.as_mut().unwrap()[0];
                a.last_successful_sign_in_date_time = None;
                a.last_sign_in_date_time = Some(collected_at() - Duration::days(300));
                a.last_non_interactive_sign_in_date_time = Some(collected_at() - Duration::days(5));
            },
        ),
        case("ADM-07", "no lastSuccessful, old attempts", Fail, |f| {
            let a = &mut f.snapshot.sign_in_activity.as_mut().unwrap()[0];
            a.last_successful_sign_in_date_time = None;
            a.last_sign_in_date_time = Some(collected_at() - Duration::days(300));
        }),
        case("ADM-07", "never signed in, created long ago", Fail, |f| {
            let a = &mut f.snapshot.sign_in_activity.as_mut().unwrap()[0];
            a.last_successful_sign_in_date_time = None;
            a.last_sign_in_date_time = None;
        }),
        case("ADM-07", "never signed in", Fail, |f| {
            f.snapshot
                .sign_in_activity
                .as_mut()
                .unwrap()
                .retain(|a| a.user_id != "uma")
        }),
        case("ADM-07", "new account without sign-in", Pass, |f| {
            f.snapshot
                .sign_in_activity
                .as_mut()
                .unwrap()
                .retain(|a| a.user_id != "uma");
            f.user("uma").created_date_time = Some(collected_at() - Duration::days(10));
        }),
        case("ADM-07", "threshold from settings", Fail, |f| {
            f.settings.stale_after_days = 2
        }),
        case("ADM-07", "no P1", NotLicensed, |f| {
            f.gap(Dataset::SignInActivity, GapReason::NotLicensed)
        }),
        case("ADM-07", "no AuditLog scope", NotAssessed, |f| {
            f.gap(Dataset::SignInActivity, GapReason::PermissionDenied)
        }),
        // ADM-08
        case("ADM-08", "no apps", Pass, |_| {}),
        case("ADM-08", "app with GA", Warning, |f| {
            let sp = Principal {
                odata_type: Some("#microsoft.graph.servicePrincipal".to_owned()),
                id: "sp1".into(),
                display_name: Some("Legacy sync app".to_owned()),
                app_id: Some("11111111-2222-3333-4444-555555555555".to_owned()),
                ..Principal::default()
            };
            f.population
                .holdings
                .push(holding(&sp, GA, HoldingKind::PermanentActive));
        }),
        case("ADM-08", "assignments unreadable", NotAssessed, |f| {
            f.gap(Dataset::RoleAssignments, GapReason::PermissionDenied)
        }),
    ]
}

/// PIM-01 to PIM-03: how roles are held: no standing access, nothing outside PIM, groups
/// under PIM for Groups.
fn pim_assignment_cases() -> Vec<Case> {
    vec![
        // PIM-01
        case("PIM-01", "only emergency accounts permanent", Pass, |_| {}),
        case("PIM-01", "permanent GA", Fail, |f| {
            f.population.holdings[0].holding = HoldingKind::PermanentActive
        }),
        case("PIM-01", "group with permanent GA", Fail, |f| {
            let group = f.snapshot.privileged_groups.as_ref().unwrap()[0]
                .group
                .clone();
            f.population
                .holdings
                .push(holding(&group, GA, HoldingKind::PermanentActive));
        }),
        case("PIM-01", "service principal with permanent GA", Fail, |f| {
            let sp = Principal {
                odata_type: Some("#microsoft.graph.servicePrincipal".to_owned()),
                id: "sp1".into(),
                display_name: Some("Legacy sync app".to_owned()),
                app_id: Some("11111111-2222-3333-4444-555555555555".to_owned()),
                ..Principal::default()
            };
            f.population
                .holdings
                .push(holding(&sp, GA, HoldingKind::PermanentActive));
        }),
        case(
            "PIM-01",
            "look-alike emergency accounts no one designated",
            Fail,
            |f| {
                let mut suggested = std::mem::take(&mut f.population.emergency_accounts);
                for e in &mut suggested {
                    e.origin = EmergencyOrigin::Suggested;
                }
                f.population.suggested_emergency_accounts = suggested;
            },
        ),
        case("PIM-01", "time-bound active is fine", Pass, |f| {
            f.population.holdings[0].holding = HoldingKind::TimeBoundActive
        }),
        case(
            "PIM-01",
            "without P2 every active assignment is permanent",
            Fail,
            Fx::no_p2,
        ),
        case("PIM-01", "without P2, only emergency accounts", Pass, |f| {
            f.no_p2();
            f.population
                .holdings
                .retain(|h| h.principal_id.starts_with("bg"));
        }),
        case("PIM-01", "assignments unreadable", NotAssessed, |f| {
            f.gap(Dataset::RoleAssignments, GapReason::PermissionDenied)
        }),
        case("PIM-01", "schedules unreadable with P2", NotAssessed, |f| {
            f.gap(
                Dataset::RoleAssignmentScheduleInstances,
                GapReason::PermissionDenied,
            );
        }),
        // PIM-02
        case("PIM-02", "all through PIM", Pass, |_| {}),
        case("PIM-02", "assigned outside PIM", Fail, |f| {
            f.population.holdings[2].outside_pim = true
        }),
        case("PIM-02", "no P2", NotLicensed, Fx::no_p2),
        case("PIM-02", "schedules unreadable", NotAssessed, |f| {
            f.gap(
                Dataset::RoleAssignmentSchedules,
                GapReason::PermissionDenied,
            )
        }),
        // PIM-03
        case(
            "PIM-03",
            "member eligible through PIM for Groups",
            Pass,
            |_| {},
        ),
        case("PIM-03", "member active with an end date", Pass, |f| {
            let mut i = f
                .snapshot
                .group_eligibility_schedule_instances
                .take()
                .unwrap();
            i[0].assignment_type = Some(crate::snapshot::AssignmentType::Assigned);
            f.snapshot.group_assignment_schedule_instances = Some(i);
            f.snapshot.group_eligibility_schedule_instances = Some(Vec::new());
        }),
        case("PIM-03", "permanent member", Fail, |f| {
            f.snapshot.group_eligibility_schedule_instances = Some(Vec::new())
        }),
        case("PIM-03", "no group holds a role", NotApplicable, |f| {
            f.snapshot.privileged_groups = Some(Vec::new())
        }),
        case("PIM-03", "no P2", NotLicensed, Fx::no_p2),
        case("PIM-03", "PIM for Groups unreadable", NotAssessed, |f| {
            f.gap(
                Dataset::GroupEligibilityScheduleInstances,
                GapReason::PermissionDenied,
            );
        }),
    ]
}

/// PIM-04: who can approve a Global Administrator's activation.
fn ga_approval_cases() -> Vec<Case> {
    vec![
        // PIM-04
        case("PIM-04", "approval with approver", Pass, |_| {}),
        case("PIM-04", "no approval", Fail, |f| {
            f.rule(GA, "Approval_EndUser_Assignment")
                .setting
                .as_mut()
                .unwrap()
                .is_approval_required = Some(false)
        }),
        // Microsoft's default approvers (PRA and GA) decide: a warning naming specific ones.
        case("PIM-04", "approval with default approvers", Warning, |f| {
            f.approvers(GA).clear();
        }),
        // Trap: the only approver is the only eligible user, who cannot approve themselves.
        case("PIM-04", "approver is the only eligible user", Fail, |f| {
            f.population
                .holdings
                .retain(|h| !(h.principal_id == "grace" && h.role_template_id == GA));
            *f.approvers(GA) = vec![approver("ada")];
        }),
        case(
            "PIM-04",
            "an eligible approver with no one else to approve them",
            Fail,
            |f| *f.approvers(GA) = vec![approver("ada")],
        ),
        case("PIM-04", "every named approver disabled", Fail, |f| {
            f.user("ada").account_enabled = Some(false);
            f.user("grace").account_enabled = Some(false);
        }),
        case("PIM-04", "the only approver deleted", Fail, |f| {
            *f.approvers(GA) = vec![approver("deleted-user")];
        }),
        case("PIM-04", "one of two approvers disabled", Warning, |f| {
            f.user("grace").account_enabled = Some(false);
            *f.approvers(GA) = vec![approver("grace"), approver("pat")];
        }),
        case("PIM-04", "approver group, members not read", Pass, |f| {
            f.snapshot
                .privileged_principals
                .as_mut()
                .unwrap()
                .push(Principal {
                    odata_type: Some("#microsoft.graph.group".to_owned()),
                    id: "pim-approvers".into(),
                    display_name: Some("PIM Approvers".to_owned()),
                    ..Principal::default()
                });
            *f.approvers(GA) = vec![SubjectSet {
                odata_type: Some("#microsoft.graph.groupMembers".to_owned()),
                group_id: Some("pim-approvers".into()),
                ..SubjectSet::default()
            }];
        }),
        case("PIM-04", "approver group deleted", Fail, |f| {
            *f.approvers(GA) = vec![SubjectSet {
                odata_type: Some("#microsoft.graph.groupMembers".to_owned()),
                group_id: Some("pim-approvers".into()),
                ..SubjectSet::default()
            }];
        }),
        case(
            "PIM-04",
            "approver group of the requester only",
            Fail,
            |f| {
                f.population
                    .holdings
                    .retain(|h| !(h.principal_id == "grace" && h.role_template_id == GA));
                let ada = f.user("ada").clone();
                f.snapshot.privileged_groups.as_mut().unwrap()[0].members = vec![ada];
                *f.approvers(GA) = vec![SubjectSet {
                    odata_type: Some("#microsoft.graph.groupMembers".to_owned()),
                    group_id: Some(GROUP.into()),
                    ..SubjectSet::default()
                }];
            },
        ),
        case(
            "PIM-04",
            "the other approver of an eligible approver is unverifiable",
            Warning,
            |f| {
                *f.approvers(GA) = vec![approver("ada"), approver("hidden")];
                f.snapshot
                    .privileged_principals
                    .as_mut()
                    .unwrap()
                    .push(Principal {
                        id: "hidden".into(),
                        odata_type: Some("#microsoft.graph.user".to_owned()),
                        ..Principal::default()
                    });
            },
        ),
        case("PIM-04", "approvers unverifiable", Warning, |f| {
            f.gap(Dataset::PrivilegedPrincipals, GapReason::PermissionDenied)
        }),
        case("PIM-04", "PRA does not matter", Pass, |f| {
            f.rule(PRA, "Approval_EndUser_Assignment").setting = None
        }),
        case("PIM-04", "no P2", NotLicensed, Fx::no_p2),
        case("PIM-04", "policies unreadable", NotAssessed, |f| {
            f.gap(Dataset::RoleManagementPolicies, GapReason::PermissionDenied)
        }),
        case("PIM-04", "GA policy missing", NotAssessed, |f| {
            f.snapshot
                .role_management_policies
                .as_mut()
                .unwrap()
                .retain(|a| a.role_definition_id.as_deref() != Some(GA));
        }),
    ]
}

/// PIM-05 to PIM-12: the other role settings: approval for Privileged Role Administrator,
/// activation length, MFA, justification, expiry and alerts.
fn role_setting_cases() -> Vec<Case> {
    vec![
        // PIM-05
        case("PIM-05", "approval with approver", Pass, |_| {}),
        case("PIM-05", "no approval rule", Fail, |f| {
            f.rule(PRA, "Approval_EndUser_Assignment").setting = None
        }),
        case("PIM-05", "approval with default approvers", Warning, |f| {
            f.approvers(PRA).clear();
        }),
        case("PIM-05", "approver is the only eligible user", Fail, |f| {
            *f.approvers(PRA) = vec![approver("pat")];
        }),
        case("PIM-05", "no P2", NotLicensed, Fx::no_p2),
        // PIM-06
        case("PIM-06", "2h GA, 8h others", Pass, |_| {}),
        case("PIM-06", "GA 6h", Warning, |f| {
            f.rule(GA, "Expiration_EndUser_Assignment").maximum_duration =
                Some(IsoDuration::from_hours(6))
        }),
        case("PIM-06", "PRA 8h", Warning, |f| {
            f.rule(PRA, "Expiration_EndUser_Assignment")
                .maximum_duration = Some(IsoDuration::from_hours(8))
        }),
        case("PIM-06", "Exchange P8D (days, not hours)", Fail, |f| {
            f.rule(EXCHANGE_ADMIN, "Expiration_EndUser_Assignment")
                .maximum_duration = Some(IsoDuration::parse("P8D").unwrap());
        }),
        case("PIM-06", "Exchange PT8H", Pass, |f| {
            f.rule(EXCHANGE_ADMIN, "Expiration_EndUser_Assignment")
                .maximum_duration = Some(IsoDuration::parse("PT8H").unwrap());
        }),
        case("PIM-06", "no duration", Fail, |f| {
            f.rule(USER_ADMIN, "Expiration_EndUser_Assignment")
                .maximum_duration = None
        }),
        case("PIM-06", "no P2", NotLicensed, Fx::no_p2),
        // PIM-07
        case("PIM-07", "MFA", Pass, |_| {}),
        case("PIM-07", "authentication context instead", Pass, |f| {
            f.rule(SECURITY_ADMIN, "Enablement_EndUser_Assignment")
                .enabled_rules = Some(vec!["Justification".to_owned()]);
            f.rule(SECURITY_ADMIN, "AuthenticationContext_EndUser_Assignment")
                .is_enabled = Some(true);
        }),
        case("PIM-07", "neither", Fail, |f| {
            f.rule(SECURITY_ADMIN, "Enablement_EndUser_Assignment")
                .enabled_rules = Some(vec!["Justification".to_owned()])
        }),
        case("PIM-07", "no P2", NotLicensed, Fx::no_p2),
        // PIM-08
        case("PIM-08", "justification", Pass, |_| {}),
        case("PIM-08", "none", Fail, |f| {
            f.rule(USER_ADMIN, "Enablement_EndUser_Assignment")
                .enabled_rules = Some(Vec::new())
        }),
        case("PIM-08", "no P2", NotLicensed, Fx::no_p2),
        // PIM-09
        case("PIM-09", "expiration required", Pass, |_| {}),
        case("PIM-09", "permanent allowed", Fail, |f| {
            f.rule(GA, "Expiration_Admin_Assignment")
                .is_expiration_required = Some(false)
        }),
        case("PIM-09", "no P2", NotLicensed, Fx::no_p2),
        // PIM-10
        case("PIM-10", "additional recipients", Pass, |_| {}),
        case("PIM-10", "default recipients only", Fail, |f| {
            f.rule(USER_ADMIN, "Notification_Admin_Admin_Eligibility")
                .notification_recipients = Some(Vec::new());
        }),
        case("PIM-10", "blank recipient", Fail, |f| {
            f.rule(GA, "Notification_Admin_Admin_Assignment")
                .notification_recipients = Some(vec![" ".to_owned()]);
        }),
        case("PIM-10", "no P2", NotLicensed, Fx::no_p2),
        // PIM-11
        case("PIM-11", "additional recipients", Pass, |_| {}),
        case("PIM-11", "default recipients only", Fail, |f| {
            f.rule(GA, "Notification_Admin_EndUser_Assignment")
                .notification_recipients = None
        }),
        case("PIM-11", "other roles do not matter", Pass, |f| {
            f.rule(PRA, "Notification_Admin_EndUser_Assignment")
                .notification_recipients = None
        }),
        case("PIM-11", "no P2", NotLicensed, Fx::no_p2),
        // PIM-12
        case("PIM-12", "additional recipients", Pass, |_| {}),
        case("PIM-12", "Security Administrator silent", Fail, |f| {
            f.rule(SECURITY_ADMIN, "Notification_Admin_EndUser_Assignment")
                .notification_recipients = None;
        }),
        case("PIM-12", "GA does not matter", Pass, |f| {
            f.rule(GA, "Notification_Admin_EndUser_Assignment")
                .notification_recipients = None
        }),
        case("PIM-12", "no P2", NotLicensed, Fx::no_p2),
    ]
}

/// PIM-13, coverage: a review exists, recurs, is running and covers every role.
fn access_review_coverage_cases() -> Vec<Case> {
    vec![
        // PIM-13
        case("PIM-13", "monthly review of every role", Pass, |_| {}),
        case("PIM-13", "weekly review of roles in use", Pass, |f| {
            f.snapshot.access_reviews = Some(vec![review(
                &[
                    GA,
                    PRA,
                    SECURITY_ADMIN,
                    USER_ADMIN,
                    EXCHANGE_ADMIN,
                    SHAREPOINT_ADMIN,
                    TEAMS_ADMIN,
                ],
                "weekly",
                2,
                ReviewStatus::InProgress,
            )]);
        }),
        // CIS 5.3.3 wants the review Active: one waiting for its start date is not yet.
        case("PIM-13", "monthly review not started yet", Warning, |f| {
            f.snapshot.access_reviews = Some(vec![review(
                &review_roles(),
                "absoluteMonthly",
                1,
                ReviewStatus::NotStarted,
            )]);
        }),
        case("PIM-13", "quarterly", Fail, |f| {
            f.snapshot.access_reviews = Some(vec![review(
                &review_roles(),
                "absoluteMonthly",
                3,
                ReviewStatus::InProgress,
            )])
        }),
        case("PIM-13", "completed", Fail, |f| {
            f.snapshot.access_reviews = Some(vec![review(
                &review_roles(),
                "absoluteMonthly",
                1,
                ReviewStatus::Completed,
            )])
        }),
        case("PIM-13", "Exchange Administrator left out", Fail, |f| {
            f.snapshot.access_reviews = Some(vec![review(
                &[
                    GA,
                    PRA,
                    SECURITY_ADMIN,
                    USER_ADMIN,
                    SHAREPOINT_ADMIN,
                    TEAMS_ADMIN,
                ],
                "absoluteMonthly",
                1,
                ReviewStatus::InProgress,
            )]);
        }),
        case("PIM-13", "ended recurrence", Fail, |f| {
            let mut r = review(
                &review_roles(),
                "absoluteMonthly",
                1,
                ReviewStatus::InProgress,
            );
            let range = r
                .settings
                .as_mut()
                .unwrap()
                .recurrence
                .as_mut()
                .unwrap()
                .range
                .as_mut()
                .unwrap();
            range.kind = Some("endDate".to_owned());
            range.end_date = Some("2026-06-30".to_owned());
            f.snapshot.access_reviews = Some(vec![r]);
        }),
        case("PIM-13", "self-review (no reviewers)", Fail, |f| {
            let mut r = review(
                &review_roles(),
                "absoluteMonthly",
                1,
                ReviewStatus::InProgress,
            );
            r.reviewers.clear();
            f.snapshot.access_reviews = Some(vec![r]);
        }),
        case("PIM-13", "no reviews", Fail, |f| {
            f.snapshot.access_reviews = Some(Vec::new())
        }),
        case(
            "PIM-13",
            "Teams Administrator (CIS 5.3.3) left out",
            Fail,
            |f| {
                f.snapshot.access_reviews = Some(vec![review(
                    &all_roles(),
                    "absoluteMonthly",
                    1,
                    ReviewStatus::InProgress,
                )]);
            },
        ),
    ]
}

/// PIM-13, settings: how long a review lasts, what happens to its results, who reviews.
fn access_review_setting_cases() -> Vec<Case> {
    vec![
        case("PIM-13", "lasts 14 days", Fail, |f| {
            f.review_settings().instance_duration_in_days = Some(14);
        }),
        case("PIM-13", "results not auto-applied", Fail, |f| {
            f.review_settings().auto_apply_decisions_enabled = None;
        }),
        case("PIM-13", "no response denies", Fail, |f| {
            let s = f.review_settings();
            s.default_decision_enabled = Some(true);
            s.default_decision = Some("Deny".to_owned());
        }),
        case("PIM-13", "reminders off", Fail, |f| {
            f.review_settings().reminder_notifications_enabled = Some(false);
        }),
        case("PIM-13", "no reason on approval", Fail, |f| {
            f.review_settings().justification_required_on_approval = None;
        }),
        case("PIM-13", "mail off", Fail, |f| {
            f.review_settings().mail_notifications_enabled = Some(false);
        }),
        case("PIM-13", "managers review", Fail, |f| {
            f.snapshot.access_reviews.as_mut().unwrap()[0].reviewers =
                vec![crate::snapshot::AccessReviewReviewerScope {
                    query: Some("./manager".to_owned()),
                    query_type: Some("MicrosoftGraph".to_owned()),
                    query_root: Some("decisions".to_owned()),
                }];
        }),
        case("PIM-13", "guests only", Fail, |f| {
            let r = &mut f.snapshot.access_reviews.as_mut().unwrap()[0];
            r.scope.as_mut().unwrap()["principalScopes"] = serde_json::json!([
                { "query": "/users?$filter=(userType eq 'Guest')", "queryType": "MicrosoftGraph" }
            ]);
        }),
        case("PIM-13", "users only, groups not reviewed", Fail, |f| {
            let r = &mut f.snapshot.access_reviews.as_mut().unwrap()[0];
            r.scope.as_mut().unwrap()["principalScopes"] =
                serde_json::json!([{ "query": "/users", "queryType": "MicrosoftGraph" }]);
        }),
        case("PIM-13", "eligible assignments only", Fail, |f| {
            let queries: Vec<serde_json::Value> = review_roles()
                .iter()
                .map(|r| serde_json::json!({ "query": format!("/roleManagement/directory/roleEligibilityScheduleInstances?$expand=principal&$filter=(roleDefinitionId eq '{r}')"), "queryType": "MicrosoftGraph" }))
                .collect();
            let r = &mut f.snapshot.access_reviews.as_mut().unwrap()[0];
            r.scope.as_mut().unwrap()["resourceScopes"] = serde_json::Value::Array(queries);
        }),
        case("PIM-13", "two stages of 3 days", Fail, |f| {
            let stage = |id: &str| crate::snapshot::AccessReviewStageSettings {
                stage_id: Some(id.to_owned()),
                duration_in_days: Some(3),
                reviewers: Some(vec![crate::snapshot::AccessReviewReviewerScope {
                    query: Some("/users/reviewer-1".to_owned()),
                    query_type: Some("MicrosoftGraph".to_owned()),
                    query_root: None,
                }]),
            };
            f.snapshot.access_reviews.as_mut().unwrap()[0].stage_settings =
                Some(vec![stage("1"), stage("2")]);
        }),
        case("PIM-13", "one stage of 2 days", Pass, |f| {
            f.snapshot.access_reviews.as_mut().unwrap()[0].stage_settings =
                Some(vec![crate::snapshot::AccessReviewStageSettings {
                    stage_id: Some("1".to_owned()),
                    duration_in_days: Some(2),
                    reviewers: Some(vec![crate::snapshot::AccessReviewReviewerScope {
                        query: Some("/groups/auditors/transitiveMembers".to_owned()),
                        query_type: Some("MicrosoftGraph".to_owned()),
                        query_root: None,
                    }]),
                }]);
        }),
        case(
            "PIM-13",
            "a stage without reviewers is a self-review",
            Fail,
            |f| {
                f.snapshot.access_reviews.as_mut().unwrap()[0].stage_settings =
                    Some(vec![crate::snapshot::AccessReviewStageSettings {
                        stage_id: Some("1".to_owned()),
                        duration_in_days: Some(2),
                        reviewers: None,
                    }]);
            },
        ),
        case("PIM-13", "no P2", NotLicensed, Fx::no_p2),
        case("PIM-13", "reviews unreadable", NotAssessed, |f| {
            f.gap(Dataset::AccessReviews, GapReason::PermissionDenied)
        }),
    ]
}

/// CA-01, scope: a policy requires MFA of every admin role for every app.
fn ca_mfa_cases() -> Vec<Case> {
    vec![
        // CA-01
        case("CA-01", "strength for admin roles", Pass, |_| {}),
        case("CA-01", "MFA for all users", Pass, |f| {
            let users = f.ca_users();
            users.include_roles.clear();
            users.include_users = vec!["All".to_owned()];
            f.ca().grant_controls = Some(CaGrantControls {
                operator: Some("OR".to_owned()),
                built_in_controls: vec!["mfa".to_owned()],
                authentication_strength: None,
            });
        }),
        case("CA-01", "report-only", Fail, |f| {
            f.ca().state = Some(PolicyState::EnabledForReportingButNotEnforced)
        }),
        case("CA-01", "GA excluded", Fail, |f| {
            f.ca_users().exclude_roles = vec![GA.to_owned()]
        }),
        case("CA-01", "MFA or compliant device", Fail, |f| {
            f.ca().grant_controls = Some(CaGrantControls {
                operator: Some("OR".to_owned()),
                built_in_controls: vec!["mfa".to_owned(), "compliantDevice".to_owned()],
                authentication_strength: None,
            });
        }),
        case("CA-01", "one app only", Fail, |f| {
            f.ca()
                .conditions
                .as_mut()
                .unwrap()
                .applications
                .as_mut()
                .unwrap()
                .include_applications = vec!["00000002-0000-0ff1-ce00-000000000000".to_owned()];
        }),
        case(
            "CA-01",
            "excludes an admin who is not an emergency account",
            Fail,
            |f| {
                let admin = f
                    .population
                    .holdings
                    .iter()
                    .find(|h| h.role_template_id == GA && !h.principal_id.starts_with("bg"))
                    .unwrap()
                    .principal_id
                    .clone();
                f.ca_users().exclude_users.push(admin.to_string());
            },
        ),
        case(
            "CA-01",
            "excludes a group whose members were not read",
            Warning,
            |f| {
                f.ca_users().exclude_groups.push("unread-group".to_owned());
            },
        ),
    ]
}

/// CA-01, conditions: exclusions and filters that narrow the MFA policy.
fn ca_mfa_narrowing_cases() -> Vec<Case> {
    vec![
        case("CA-01", "excludes an application", Warning, |f| {
            f.ca()
                .conditions
                .as_mut()
                .unwrap()
                .applications
                .as_mut()
                .unwrap()
                .exclude_applications = vec!["797f4846-ba00-4fd7-ba43-dac1f8f63013".to_owned()];
        }),
        case("CA-01", "excludes a location", Warning, |f| {
            f.ca().conditions.as_mut().unwrap().locations = Some(CaLocations {
                include_locations: vec!["All".to_owned()],
                exclude_locations: vec!["AllTrusted".to_owned()],
            });
        }),
        case("CA-01", "limited to a platform", Warning, |f| {
            f.ca().conditions.as_mut().unwrap().platforms = Some(CaPlatforms {
                include_platforms: vec!["windows".to_owned()],
                exclude_platforms: Vec::new(),
            });
        }),
        case("CA-01", "browser only", Warning, |f| {
            f.ca().conditions.as_mut().unwrap().client_app_types = vec!["browser".to_owned()];
        }),
        case("CA-01", "device filter", Warning, |f| {
            f.ca().conditions.as_mut().unwrap().devices = Some(CaDevices {
                device_filter: Some(CaDeviceFilter {
                    mode: Some("exclude".to_owned()),
                    rule: Some("device.isCompliant -eq True".to_owned()),
                }),
            });
        }),
        case("CA-01", "excludes guests, no admin is one", Warning, |f| {
            f.ca_users().exclude_guests_or_external_users = Some(CaGuestsOrExternalUsers {
                guest_or_external_user_types: Some(
                    "internalGuest,b2bCollaborationGuest".to_owned(),
                ),
                external_tenants: Some(
                    serde_json::json!({"@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "all"}),
                ),
            });
        }),
        case(
            "CA-01",
            "excludes guests, a guest holds a role",
            Fail,
            |f| {
                f.ca_users().exclude_guests_or_external_users = Some(CaGuestsOrExternalUsers {
                    guest_or_external_user_types: Some("b2bCollaborationGuest".to_owned()),
                    external_tenants: None,
                });
                f.user("uma").user_type = Some("Guest".to_owned());
            },
        ),
        case(
            "CA-01",
            "excludes the GuestsOrExternalUsers keyword, a guest holds a role",
            Fail,
            |f| {
                f.ca_users()
                    .exclude_users
                    .push("GuestsOrExternalUsers".to_owned());
                f.user("uma").user_type = Some("Guest".to_owned());
            },
        ),
        case("CA-01", "excludes guest type none", Pass, |f| {
            f.ca_users().exclude_guests_or_external_users = Some(CaGuestsOrExternalUsers {
                guest_or_external_user_types: Some("none".to_owned()),
                external_tenants: None,
            });
        }),
        case("CA-01", "no P1", NotLicensed, |f| {
            f.gap(Dataset::ConditionalAccessPolicies, GapReason::NotLicensed)
        }),
        case("CA-01", "no Policy.Read.All", NotAssessed, |f| {
            f.gap(
                Dataset::ConditionalAccessPolicies,
                GapReason::PermissionDenied,
            )
        }),
    ]
}

/// CA-02: the MFA required is phishing-resistant.
fn ca_strength_cases() -> Vec<Case> {
    vec![
        // CA-02
        case("CA-02", "phishing-resistant strength", Pass, |_| {}),
        case("CA-02", "plain MFA", Fail, |f| {
            f.ca().grant_controls = Some(CaGrantControls {
                operator: Some("OR".to_owned()),
                built_in_controls: vec!["mfa".to_owned()],
                authentication_strength: None,
            });
        }),
        case("CA-02", "passwordless strength", Fail, |f| {
            f.ca()
                .grant_controls
                .as_mut()
                .unwrap()
                .authentication_strength
                .as_mut()
                .unwrap()
                .id = "00000000-0000-0000-0000-000000000003".to_owned();
        }),
        case(
            "CA-02",
            "custom strength, all phishing-resistant",
            Pass,
            |f| {
                let s = f
                    .ca()
                    .grant_controls
                    .as_mut()
                    .unwrap()
                    .authentication_strength
                    .as_mut()
                    .unwrap();
                s.id = "5b1a4c9e-custom".to_owned();
                s.policy_type = Some("custom".to_owned());
                s.allowed_combinations = Some(vec![
                    "fido2".to_owned(),
                    "windowsHelloForBusiness".to_owned(),
                ]);
            },
        ),
        case("CA-02", "custom strength allowing SMS", Fail, |f| {
            let s = f
                .ca()
                .grant_controls
                .as_mut()
                .unwrap()
                .authentication_strength
                .as_mut()
                .unwrap();
            s.id = "5b1a4c9e-custom".to_owned();
            s.policy_type = Some("custom".to_owned());
            s.allowed_combinations = Some(vec!["fido2".to_owned(), "password,sms".to_owned()]);
        }),
        case(
            "CA-02",
            "custom strength, combinations not read",
            Warning,
            |f| {
                let s = f
                    .ca()
                    .grant_controls
                    .as_mut()
                    .unwrap()
                    .authentication_strength
                    .as_mut()
                    .unwrap();
                s.id = "5b1a4c9e-custom".to_owned();
                s.policy_type = Some("custom".to_owned());
                s.allowed_combinations = None;
            },
        ),
        case("CA-02", "no P1", NotLicensed, |f| {
            f.gap(Dataset::ConditionalAccessPolicies, GapReason::NotLicensed)
        }),
    ]
}

/// CA-03: admin sessions are short and not persistent.
fn ca_session_cases() -> Vec<Case> {
    vec![
        // CA-03
        case("CA-03", "4 hours, never persistent", Pass, |_| {}),
        case("CA-03", "every time", Pass, |f| {
            let sif = f
                .ca()
                .session_controls
                .as_mut()
                .unwrap()
                .sign_in_frequency
                .as_mut()
                .unwrap();
            sif.frequency_interval = Some("everyTime".to_owned());
            sif.value = None;
            sif.kind = None;
        }),
        case(
            "CA-03",
            "short sign-in frequency but persistent browser unset",
            Fail,
            |f| {
                f.ca().session_controls.as_mut().unwrap().persistent_browser = None;
            },
        ),
        case("CA-03", "12 hours", Fail, |f| {
            f.ca()
                .session_controls
                .as_mut()
                .unwrap()
                .sign_in_frequency
                .as_mut()
                .unwrap()
                .value = Some(12)
        }),
        case("CA-03", "1 day", Fail, |f| {
            let sif = f
                .ca()
                .session_controls
                .as_mut()
                .unwrap()
                .sign_in_frequency
                .as_mut()
                .unwrap();
            sif.kind = Some("days".to_owned());
            sif.value = Some(1);
        }),
        case("CA-03", "persistent always", Fail, |f| {
            f.ca()
                .session_controls
                .as_mut()
                .unwrap()
                .persistent_browser
                .as_mut()
                .unwrap()
                .mode = Some("always".to_owned());
        }),
        case("CA-03", "no P1", NotLicensed, |f| {
            f.gap(Dataset::ConditionalAccessPolicies, GapReason::NotLicensed)
        }),
    ]
}

/// Every case of every check, the Azure ones included.
fn cases() -> Vec<Case> {
    [
        licence_cases(),
        admin_count_cases(),
        admin_account_cases(),
        stale_admin_and_app_cases(),
        pim_assignment_cases(),
        ga_approval_cases(),
        role_setting_cases(),
        access_review_coverage_cases(),
        access_review_setting_cases(),
        ca_mfa_cases(),
        ca_mfa_narrowing_cases(),
        ca_strength_cases(),
        ca_session_cases(),
        super::az_tests::cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn check(case: &Case) -> Finding {
    let mut fx = good();
    (case.mutate)(&mut fx);
    let finding = fx.run(case.id);
    assert_eq!(
        finding.status, case.expected,
        "{} ({}): expected {:?}, got {:?}: {}",
        case.id, case.name, case.expected, finding.status, finding.summary
    );
    finding
}

#[test]
fn table() {
    for c in cases() {
        let f = check(&c);
        assert!(
            !f.summary.is_empty(),
            "{} ({}) has no summary",
            c.id,
            c.name
        );
        if matches!(f.status, Fail | Warning) {
            assert!(
                !f.evidence.is_empty(),
                "{} ({}) failed without evidence",
                c.id,
                c.name
            );
        }
        if f.status == NotAssessed {
            assert!(
                !f.missing_data.is_empty(),
                "{} ({}) not assessed without naming the data",
                c.id,
                c.name
            );
        }
    }
}

#[test]
fn ids_are_unique_and_well_formed() {
    let mut ids: Vec<&str> = catalog().iter().map(|c| c.id).collect();
    assert_eq!(ids.len(), 32);
    for id in &ids {
        let (prefix, n) = id.split_once('-').unwrap();
        assert!(
            ["LIC", "ADM", "PIM", "CA", "AZ"].contains(&prefix)
                && n.len() == 2
                && n.parse::<u8>().is_ok(),
            "{id}"
        );
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), catalog().len(), "duplicate check ids");
}

#[test]
fn every_check_has_a_passing_and_a_failing_fixture() {
    let cases = cases();
    for c in catalog() {
        let has = |s: &[Status]| {
            cases
                .iter()
                .any(|k| k.id == c.id && s.contains(&k.expected))
        };
        assert!(has(&[Pass]), "{} has no passing fixture", c.id);
        assert!(has(&[Fail, Warning]), "{} has no failing fixture", c.id);
        if c.minimum_licence == MinimumLicence::P2 || c.minimum_licence == MinimumLicence::P1 {
            assert!(has(&[NotLicensed]), "{} has no not_licensed fixture", c.id);
        }
    }
    for k in &cases {
        assert!(
            check_def(k.id).is_ok(),
            "fixture for unknown check {}",
            k.id
        );
    }
}

#[test]
fn catalog_metadata_is_complete() {
    for c in catalog() {
        assert!(!c.title.is_empty() && !c.rationale.is_empty(), "{}", c.id);
        assert!(!c.references.is_empty(), "{} has no reference", c.id);
        assert!(!c.data.is_empty(), "{} declares no dataset", c.id);
        assert!(
            !c.remediation.steps.is_empty() && !c.remediation.portal_path.is_empty(),
            "{}",
            c.id
        );
        // Azure resource settings live in ARM: their snippets are Az PowerShell.
        let module = if c.category == crate::finding::Category::AzureResources {
            "-Az"
        } else {
            "-Mg"
        };
        assert!(
            c.remediation.powershell.contains(module),
            "{} snippet is not {module} PowerShell",
            c.id
        );
        for r in c.references {
            match r.framework {
                "CIS M365" => assert_eq!(r.version, "6.0.1", "{}", c.id),
                "CISA SCuBA" => {
                    assert_eq!(r.version, "1", "{}", c.id);
                    assert!(
                        r.id.starts_with("MS.AAD.7.") && r.id.ends_with("v1"),
                        "{}",
                        c.id
                    );
                }
                _ => {}
            }
        }
    }
    let pim_gated: Vec<&str> = catalog()
        .iter()
        .filter(|c| c.minimum_licence == MinimumLicence::P2)
        .map(|c| c.id)
        .collect();
    for id in [
        "PIM-04", "PIM-05", "PIM-06", "PIM-07", "PIM-08", "PIM-09", "PIM-10", "PIM-11", "PIM-12",
        "PIM-13",
    ] {
        assert!(pim_gated.contains(&id), "{id} must be gated on P2");
    }
    assert_eq!(
        check_def("PIM-01").unwrap().minimum_licence,
        MinimumLicence::Free
    );
}

#[test]
fn good_tenant_passes_everything_but_not_applicable() {
    let fx = good();
    let ctx = CheckContext {
        snapshot: &fx.snapshot,
        settings: &fx.settings,
        population: &fx.population,
        licensing: &fx.licensing,
    };
    for f in run_checks(&ctx) {
        assert_eq!(f.status, Pass, "{}: {}", f.id, f.summary);
    }
}

#[test]
fn no_check_passes_on_missing_data() {
    for c in catalog() {
        for d in c.data {
            for reason in [
                GapReason::PermissionDenied,
                GapReason::NotLicensed,
                GapReason::Error,
                GapReason::NotFound,
            ] {
                let mut fx = good();
                fx.gap(*d, reason);
                let f = fx.run(c.id);
                let expected = if reason == GapReason::NotLicensed {
                    NotLicensed
                } else {
                    NotAssessed
                };
                assert_eq!(f.status, expected, "{} without {d} ({reason:?})", c.id);
                assert_eq!(f.missing_data[0].dataset, *d);
                assert_eq!(f.missing_data[0].reason, reason);
            }
        }
        // A dataset absent without a recorded gap is still missing.
        let mut fx = good();
        fx.gap(c.data[0], GapReason::Error);
        fx.snapshot.gaps.clear();
        assert_eq!(fx.run(c.id).status, NotAssessed, "{}", c.id);
    }
}

#[test]
fn not_assessed_names_reason_and_scope() {
    let mut fx = good();
    fx.gap(Dataset::AccessReviews, GapReason::PermissionDenied);
    let f = fx.run("PIM-13");
    assert_eq!(
        f.missing_data[0].missing_scope.as_deref(),
        Some("AccessReview.Read.All")
    );
    assert!(
        f.summary.contains("AccessReview.Read.All") && f.summary.contains("permission_denied"),
        "{}",
        f.summary
    );
}

#[test]
fn without_p2_pim_settings_are_not_licensed_and_pim_01_still_runs() {
    let mut fx = good();
    fx.no_p2();
    let ctx = CheckContext {
        snapshot: &fx.snapshot,
        settings: &fx.settings,
        population: &fx.population,
        licensing: &fx.licensing,
    };
    let findings = run_checks(&ctx);
    let status = |id: &str| findings.iter().find(|f| f.id == id).unwrap().status;
    for n in 2..=13 {
        assert_eq!(status(&format!("PIM-{n:02}")), NotLicensed, "PIM-{n:02}");
    }
    assert_eq!(status("PIM-01"), Fail);
    assert_eq!(status("LIC-01"), Fail);
    assert_eq!(status("CA-01"), Pass);
}

#[test]
fn per_role_checks_list_every_failing_role() {
    let mut fx = good();
    for (role, _) in HIGHLY_PRIVILEGED_ROLES {
        fx.rule(role, "Enablement_EndUser_Assignment").enabled_rules = Some(Vec::new());
    }
    let f = fx.run("PIM-08");
    assert_eq!(f.evidence.len(), 11);
    assert!(
        f.evidence
            .iter()
            .all(|e| e.object_type == "role_setting" && e.role.is_some())
    );
    assert!(f.summary.starts_with("11 of 11 roles"), "{}", f.summary);

    let mut fx = good();
    fx.rule(GA, "Expiration_EndUser_Assignment")
        .maximum_duration = Some(IsoDuration::from_hours(6));
    fx.rule(USER_ADMIN, "Expiration_EndUser_Assignment")
        .maximum_duration = Some(IsoDuration::from_hours(10));
    let f = fx.run("PIM-06");
    assert_eq!(f.status, Fail);
    let roles: Vec<&str> = f.evidence.iter().map(|e| e.display_name.as_str()).collect();
    assert_eq!(roles, ["User Administrator", "Global Administrator"]);
}

#[test]
fn extra_privileged_roles_from_settings_are_checked() {
    const HELPDESK: &str = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
    let mut fx = good();
    fx.settings.extra_privileged_roles = vec!["Helpdesk Administrator".to_owned()];
    fx.snapshot.role_definitions = Some(vec![crate::snapshot::RoleDefinition {
        id: HELPDESK.to_owned(),
        display_name: "Helpdesk Administrator".to_owned(),
        template_id: Some(HELPDESK.to_owned()),
        is_built_in: true,
        ..Default::default()
    }]);
    // No role setting returned for it: not assessed, never a pass.
    assert_eq!(fx.run("PIM-08").status, NotAssessed);
    let mut p = good_policy(HELPDESK);
    p.policy
        .as_mut()
        .unwrap()
        .rules
        .retain(|r| r.id != PolicyRuleId::EnablementEndUserAssignment);
    fx.snapshot
        .role_management_policies
        .as_mut()
        .unwrap()
        .push(p);
    let f = fx.run("PIM-08");
    assert_eq!(f.status, Fail);
    assert_eq!(f.evidence[0].display_name, "Helpdesk Administrator");
    // CIS 5.2.2.1 lists Helpdesk Administrator too: a policy without it fails CA-01.
    fx.ca()
        .conditions
        .as_mut()
        .unwrap()
        .users
        .as_mut()
        .unwrap()
        .include_roles
        .retain(|r| r != HELPDESK);
    assert_eq!(fx.run("CA-01").status, Fail);
}

#[test]
fn holding_evidence_names_principal_role_type_and_dates() {
    let mut fx = good();
    fx.population.holdings[0].holding = HoldingKind::PermanentActive;
    let f = fx.run("PIM-01");
    let e = &f.evidence[0];
    assert_eq!(e.display_name, "Ada Admin");
    assert_eq!(e.principal_name.as_deref(), Some("ada@contoso.com"));
    assert_eq!(e.role.as_deref(), Some("Global Administrator"));
    assert_eq!(e.assignment_type.as_deref(), Some("permanent active"));
    assert_eq!(e.start, Some(long_ago()));
    assert_eq!(e.object_type, "user");

    let f = good().run("ADM-02");
    assert!(f.evidence.is_empty());
    let mut fx = good();
    let mut look_alike = fx.population.emergency_accounts.pop().unwrap();
    look_alike.origin = EmergencyOrigin::Suggested;
    look_alike.signals = vec!["cloud-only".to_owned(), "no licence".to_owned()];
    fx.population.suggested_emergency_accounts.push(look_alike);
    let f = fx.run("ADM-02");
    assert_eq!(f.status, Fail, "a suggestion counts for nothing");
    assert!(
        f.evidence.iter().any(|e| e.detail
            == "looks like an emergency account: cloud-only, no licence; designate it to exempt it"),
        "{:?}",
        f.evidence
    );
    // A suggested account is not exempted from PIM-01.
    let bg2 = fx.population.suggested_emergency_accounts[0]
        .principal_id
        .clone();
    let f = fx.run("PIM-01");
    assert_eq!(f.status, Fail);
    assert!(
        f.evidence
            .iter()
            .any(|e| e.object_id.as_deref() == Some(bg2.as_str())),
        "{:?}",
        f.evidence
    );
}

#[test]
fn group_members_are_expanded_for_pim_03() {
    let mut fx = good();
    fx.snapshot.group_eligibility_schedule_instances = Some(Vec::new());
    let f = fx.run("PIM-03");
    assert_eq!(f.evidence.len(), 1);
    assert_eq!(f.evidence[0].display_name, "Eve Exchange");
    assert_eq!(
        f.evidence[0].role.as_deref(),
        Some("Exchange Administrator")
    );
    assert!(
        f.evidence[0]
            .assignment_type
            .as_deref()
            .unwrap()
            .contains("Exchange Admins")
    );
}

#[test]
fn readme_checks_table_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md");
    let readme = std::fs::read_to_string(path).expect("README.md");
    let expected = docs::splice_readme(&readme, &docs::markdown_table())
        .expect("README has the checks markers");
    if readme != expected {
        if std::env::var_os("UPDATE_EXPECT").is_some() {
            std::fs::write(path, &expected).expect("write README.md");
        } else {
            panic!(
                "README.md's checks table is stale: run `UPDATE_EXPECT=1 cargo test -p pimready-core checks::tests::readme` to regenerate it"
            );
        }
    }
}

#[test]
fn checks_md_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/checks.md");
    let expected = docs::conformance_markdown();
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    if committed != expected {
        if std::env::var_os("UPDATE_EXPECT").is_some() {
            std::fs::write(path, &expected).expect("write docs/checks.md");
        } else {
            panic!(
                "docs/checks.md is stale: run `UPDATE_EXPECT=1 cargo test -p pimready-core checks::tests::checks_md` to regenerate it"
            );
        }
    }
}

/// Every check declares where it differs from ScubaGear, Maester or CIS, and the page says it.
#[test]
fn checks_md_states_every_checks_differences() {
    let md = docs::conformance_markdown();
    for c in catalog() {
        let differs = c.differs.trim();
        assert!(
            differs.len() > 20 && differs.ends_with('.'),
            "{}: differs must be a sentence, got {differs:?}",
            c.id
        );
        assert!(md.contains(differs), "{}", c.id);
    }
}

#[test]
fn checks_md_quotes_every_cited_benchmark_control() {
    let md = docs::conformance_markdown();
    for c in catalog() {
        assert!(md.contains(&format!("## {} {}", c.id, c.title)), "{}", c.id);
        for r in c.references {
            // A numbered CIS or SCuBA control is quoted, never left to the link.
            if r.framework == "CIS M365" || r.framework == "CISA SCuBA" {
                assert!(
                    controls::words(r).is_some(),
                    "{} cites {} without its words",
                    c.id,
                    r.label()
                );
            }
        }
    }
    assert!(md.contains("- [CISA SCuBA MS.AAD.7.4v1 (v1)](https://github.com/cisagov/ScubaGear/blob/main/PowerShell/ScubaGear/baselines/aad.md): \"Permanent active role assignments SHALL NOT be allowed for highly privileged roles.\""));
    assert!(md.contains("`signInActivity.lastSuccessfulSignInDateTime`"));
}

#[test]
fn markdown_table_lists_every_check() {
    let table = docs::markdown_table();
    assert_eq!(table.lines().count(), 2 + catalog().len());
    assert!(table.contains("| ADM-01 | Between two and four Global Administrators | high | CIS M365 1.1.3 (v6.0.1); CISA SCuBA MS.AAD.7.1v1 (v1) | Entra ID Free |"));
}

/// The fixture written the way Graph returns it (PIM instances and schedules), so the
/// population comes from `PrivilegedPopulation::resolve` rather than being built by hand.
fn as_graph(fx: &mut Fx) {
    use crate::snapshot::{AssignmentType, MemberType, RoleSchedule, RoleScheduleInstance};
    let (mut active, mut eligible, mut schedules) = (Vec::new(), Vec::new(), Vec::new());
    for (n, h) in fx
        .population
        .holdings
        .iter()
        .filter(|h| h.via_group.is_none())
        .enumerate()
    {
        let instance = RoleScheduleInstance {
            id: format!("instance-{n}"),
            principal_id: h.principal_id.clone(),
            role_definition_id: h.role_template_id.clone(),
            directory_scope_id: Some("/".to_owned()),
            start_date_time: h.start,
            end_date_time: h.end,
            assignment_type: (h.holding != HoldingKind::Eligible)
                .then_some(AssignmentType::Assigned),
            member_type: Some(MemberType::Direct),
            role_assignment_schedule_id: Some(format!("schedule-{n}")),
            ..RoleScheduleInstance::default()
        };
        if h.holding == HoldingKind::Eligible {
            eligible.push(instance);
        } else {
            schedules.push(RoleSchedule {
                id: format!("schedule-{n}"),
                principal_id: h.principal_id.clone(),
                role_definition_id: h.role_template_id.clone(),
                created_using: Some(format!("request-{n}")),
                ..RoleSchedule::default()
            });
            active.push(instance);
        }
    }
    let s = &mut fx.snapshot;
    s.role_assignment_schedule_instances = Some(active);
    s.role_eligibility_schedule_instances = Some(eligible);
    s.role_assignment_schedules = Some(schedules);
    // The group is a privileged principal; an eligible-only member is not in /members.
    let groups = s.privileged_groups.as_mut().unwrap();
    let group = groups[0].group.clone();
    groups[0].members.clear();
    s.privileged_principals.as_mut().unwrap().push(group);
    fx.population = PrivilegedPopulation::resolve(&fx.snapshot, &fx.settings);
}

#[test]
fn resolved_population_gives_the_same_verdicts() {
    let mut fx = good();
    as_graph(&mut fx);
    assert_eq!(fx.population.emergency_accounts.len(), 2);
    for f in fx.findings() {
        assert_eq!(f.status, Pass, "{}: {}", f.id, f.summary);
    }

    // A permanent GA assignment made outside PIM fails PIM-01 and PIM-02, naming it.
    let mut fx = good();
    fx.population.holdings[0].holding = HoldingKind::PermanentActive;
    fx.population.holdings[0].end = None;
    as_graph(&mut fx);
    let ada = fx
        .snapshot
        .role_assignment_schedule_instances
        .as_mut()
        .unwrap()
        .iter_mut()
        .find(|i| i.principal_id == "ada")
        .unwrap();
    ada.start_date_time = None;
    fx.population = PrivilegedPopulation::resolve(&fx.snapshot, &fx.settings);
    for id in ["PIM-01", "PIM-02"] {
        let f = fx.run(id);
        assert_eq!(f.status, Fail, "{id}: {}", f.summary);
        assert_eq!(f.evidence.len(), 1, "{id}: {:?}", f.evidence);
        assert_eq!(
            f.evidence[0].principal_name.as_deref(),
            Some("ada@contoso.com")
        );
        assert_eq!(f.evidence[0].role.as_deref(), Some("Global Administrator"));
    }

    // A permanent member of the role-assignable group fails PIM-03.
    let mut fx = good();
    as_graph(&mut fx);
    let eve = user("eve", "Eve Exchange");
    fx.snapshot.privileged_groups.as_mut().unwrap()[0]
        .members
        .push(eve);
    fx.snapshot.group_eligibility_schedule_instances = Some(Vec::new());
    fx.population = PrivilegedPopulation::resolve(&fx.snapshot, &fx.settings);
    let f = fx.run("PIM-03");
    assert_eq!(f.status, Fail, "{}", f.summary);
    assert_eq!(f.evidence[0].display_name, "Eve Exchange");
}

#[test]
fn appendix_documents_every_check() {
    let appendix = docs::appendix_markdown();
    for c in catalog() {
        assert!(
            appendix.contains(&format!("## {} {}", c.id, c.title)),
            "{}",
            c.id
        );
    }
    assert_eq!(appendix.matches("```powershell").count(), catalog().len());
}

/// A privileged user Graph showed only by id and type (look-up refused, or limited
/// information): no check that reads principals passes, each names the unknown one, and a
/// failure found on the others stands.
#[test]
fn unknown_principals_withhold_passes_and_are_named() {
    let good = good();
    let mut fx = good.clone();
    let unknown = fx.user("ada");
    unknown.display_name = None;
    unknown.user_principal_name = None;
    unknown.mail = None;
    let before = good.findings();
    let after = fx.findings();
    let mut withheld = 0;
    for (b, a) in before.iter().zip(&after) {
        let reads_principals = check_def(&a.id)
            .unwrap()
            .data
            .iter()
            .any(|d| matches!(d, Dataset::PrivilegedPrincipals | Dataset::PrivilegedGroups));
        // PIM-04 and PIM-05 resolve their approvers (ada and grace) from the principals
        // read. Grace, eligible for GA, can only be approved by ada, whom Graph did not
        // show: a warning naming ada. Pat (PRA) has grace, who can act: a pass.
        if a.id == "PIM-04" {
            assert_eq!(a.status, Status::Warning, "{}", a.summary);
            assert!(
                a.evidence
                    .iter()
                    .any(|e| e.detail.contains("could not be verified: unknown user ada")),
                "{:?}",
                a.evidence
            );
            continue;
        }
        if a.id == "PIM-05" {
            assert_eq!(a.status, Status::Pass, "{}", a.summary);
            continue;
        }
        if !reads_principals {
            assert_eq!(a.status, b.status, "{}", a.id);
            continue;
        }
        assert_ne!(
            a.status,
            Status::Pass,
            "{} passed with an unknown principal",
            a.id
        );
        if b.status == Status::Pass {
            withheld += 1;
            assert_eq!(a.status, Status::NotAssessed, "{}", a.id);
        }
        let named = a
            .missing_data
            .iter()
            .any(|m| m.detail.contains("unknown user ada"));
        assert!(named, "{}: {:?}", a.id, a.missing_data);
    }
    assert!(withheld >= 3, "{withheld}");
    let mut fail = fx.clone();
    fail.user("sam").on_premises_sync_enabled = Some(true);
    assert_eq!(fail.run("ADM-03").status, Fail);
}
