//! Properties over arbitrary inputs: assessment never panics and never passes a
//! check whose data is missing; the score stays in range and is monotone; snapshots
//! and assessments survive a JSON round trip.
//!
//! Case counts are moderate so the suite stays fast; raise them locally with
//! `PROPTEST_CASES=2000 cargo test -p pimready-tests --test integration properties::`.

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::json;

use pimready_core::assessment::{Assessment, assess};
use pimready_core::checks::check_def;
use pimready_core::cloud::Cloud;
use pimready_core::duration::IsoDuration;
use pimready_core::finding::{Category, Finding, MinimumLicence, Remediation, Severity, Status};
use pimready_core::licensing::{AAD_PREMIUM, AAD_PREMIUM_P2, ENTRA_IDENTITY_GOVERNANCE};
use pimready_core::pricebook::PriceBook;
use pimready_core::privileged::HIGHLY_PRIVILEGED_ROLES;
use pimready_core::score::score;
use pimready_core::settings::AssessmentSettings;
use pimready_core::snapshot::*;

// ----- strategies: small shared id pools, so references between datasets resolve -----

fn principal_id() -> impl Strategy<Value = String> {
    prop_oneof![
        (0..8u8).prop_map(|i| format!("u{i}")),
        (0..4u8).prop_map(|i| format!("g{i}")),
        (0..3u8).prop_map(|i| format!("sp{i}")),
        "\\PC{0,8}",
    ]
}

fn role_id() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(HIGHLY_PRIVILEGED_ROLES.map(|(id, _)| id.to_owned()).to_vec()),
        1 => Just("88d8e3e3-8f55-4a1e-953a-9b9898b8876b".to_owned()), // Directory Readers
        1 => "[0-9a-f]{8}-[0-9a-f]{4}",
    ]
}

fn date() -> impl Strategy<Value = DateTime<Utc>> {
    // 2015 .. 2035, whole seconds.
    (1_420_070_400i64..2_051_222_400).prop_map(|s| Utc.timestamp_opt(s, 0).unwrap())
}

fn opt_date() -> impl Strategy<Value = Option<DateTime<Utc>>> {
    prop::option::of(date())
}

fn text() -> impl Strategy<Value = String> {
    "\\PC{0,12}"
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    prop::option::of(text())
}

fn upn() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{1,8}@contoso\\.com",
        "[a-z]{1,6}_fabrikam\\.com#EXT#@contoso\\.onmicrosoft\\.com",
        "[a-z]{1,6}_fabrikam\\.com#ext#@contoso\\.onmicrosoft\\.com",
        Just("zoë.ångström@contoso.com".to_owned()),
        Just("管理者@contoso.onmicrosoft.com".to_owned()),
        Just("break-glass-01@contoso.onmicrosoft.com".to_owned()),
        "\\PC{0,16}",
    ]
}

fn duration() -> impl Strategy<Value = IsoDuration> {
    prop_oneof![
        prop::sample::select(vec![
            "PT8H",
            "PT1H",
            "PT30M",
            "P1D",
            "P15D",
            "P30D",
            "P90D",
            "P180D",
            "P365D",
            "P1Y",
            "P6M",
            "P2W",
            "PT0S",
            "P1Y2M3W4DT5H6M7.5S",
        ])
        .prop_map(|s| IsoDuration::parse(s).unwrap()),
        (0u32..10_000).prop_map(|h| IsoDuration::parse(&format!("PT{h}H")).unwrap()),
        (0u32..10_000).prop_map(|d| IsoDuration::parse(&format!("P{d}D")).unwrap()),
    ]
}

fn principal() -> impl Strategy<Value = Principal> {
    let user = (
        (0..8u8).prop_map(|i| format!("u{i}")),
        opt_text(),
        prop::option::of(upn()),
        prop::option::of(prop::sample::select(vec![
            "Member".to_owned(),
            "Guest".to_owned(),
            "guest".to_owned(),
            String::new(),
        ])),
        prop::option::of(any::<bool>()),
        prop::option::of(any::<bool>()),
        opt_text(),
        prop::option::of(prop::collection::vec(assigned_licence(), 0..3)),
        opt_date(),
        any::<bool>(),
    )
        .prop_map(
            |(id, display_name, upn, user_type, enabled, sync, immutable, lic, created, typed)| {
                Principal {
                    odata_type: typed.then(|| "#microsoft.graph.user".to_owned()),
                    id: id.into(),
                    display_name,
                    user_principal_name: upn,
                    mail: None,
                    user_type,
                    account_enabled: enabled,
                    on_premises_sync_enabled: sync,
                    on_premises_immutable_id: immutable,
                    assigned_licenses: lic,
                    created_date_time: created,
                    ..Principal::default()
                }
            },
        );
    let group = (
        (0..4u8).prop_map(|i| format!("g{i}")),
        opt_text(),
        prop::option::of(any::<bool>()),
        prop::option::of(any::<bool>()),
        any::<bool>(),
    )
        .prop_map(
            |(id, display_name, assignable, security, typed)| Principal {
                odata_type: typed.then(|| "#microsoft.graph.group".to_owned()),
                id: id.into(),
                display_name,
                is_assignable_to_role: assignable,
                security_enabled: security,
                ..Principal::default()
            },
        );
    let sp = (
        (0..3u8).prop_map(|i| format!("sp{i}")),
        opt_text(),
        prop::option::of(text()),
        prop::option::of(prop::sample::select(vec![
            "Application".to_owned(),
            "ManagedIdentity".to_owned(),
            "Legacy".to_owned(),
        ])),
        any::<bool>(),
    )
        .prop_map(|(id, display_name, app_id, sp_type, typed)| Principal {
            odata_type: typed.then(|| "#microsoft.graph.servicePrincipal".to_owned()),
            id: id.into(),
            display_name,
            app_id,
            service_principal_type: sp_type,
            ..Principal::default()
        });
    let unknown =
        (principal_id(), opt_text(), opt_text()).prop_map(|(id, odata, name)| Principal {
            odata_type: odata,
            id: id.into(),
            display_name: name,
            ..Principal::default()
        });
    prop_oneof![4 => user, 2 => group, 1 => sp, 1 => unknown]
}

fn plan_id() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            AAD_PREMIUM.to_owned(),
            AAD_PREMIUM_P2.to_owned(),
            ENTRA_IDENTITY_GOVERNANCE.to_owned(),
        ]),
        1 => "[0-9a-f]{8}",
    ]
}

fn sku_id() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "06ebc4ee-1bb5-47dd-8120-11324bc54e06".to_owned(), // SPE_E5
            "05e9a617-0261-4cee-bb44-138d3ef5d965".to_owned(), // SPE_E3
            "84a661c4-e949-4bd2-a560-ed7766fcaf2b".to_owned(), // AAD_PREMIUM_P2
            "078d2b04-f1bd-4111-bbd4-b4b1b354cef4".to_owned(), // AAD_PREMIUM
        ]),
        "[0-9a-f]{8}",
    ]
}

fn assigned_licence() -> impl Strategy<Value = AssignedLicense> {
    (sku_id(), prop::collection::vec(plan_id(), 0..2)).prop_map(|(sku_id, disabled_plans)| {
        AssignedLicense {
            sku_id,
            disabled_plans,
        }
    })
}

fn capability_status() -> impl Strategy<Value = CapabilityStatus> {
    prop::sample::select(vec![
        "Enabled",
        "Warning",
        "Suspended",
        "Deleted",
        "LockedOut",
        "Mystery",
    ])
    .prop_map(CapabilityStatus::from)
}

fn service_plan() -> impl Strategy<Value = ServicePlanInfo> {
    (
        plan_id(),
        text(),
        prop::sample::select(vec![
            "Success",
            "Disabled",
            "Error",
            "PendingInput",
            "PendingActivation",
            "PendingProvisioning",
            "Other",
        ]),
        prop::option::of(prop::sample::select(vec!["User", "Company"])),
    )
        .prop_map(|(id, name, status, applies)| ServicePlanInfo {
            service_plan_id: id,
            service_plan_name: name,
            provisioning_status: ProvisioningStatus::from(status),
            applies_to: applies.map(str::to_owned),
        })
}

fn units() -> impl Strategy<Value = i64> {
    prop_oneof![4 => -5i64..200, 1 => any::<i64>()]
}

fn sku() -> impl Strategy<Value = SubscribedSku> {
    (
        opt_text(),
        sku_id(),
        text(),
        capability_status(),
        (units(), units(), units(), units()),
        units(),
        prop::collection::vec(service_plan(), 0..4),
    )
        .prop_map(
            |(
                id,
                sku_id,
                part,
                status,
                (enabled, suspended, warning, locked_out),
                consumed,
                plans,
            )| {
                SubscribedSku {
                    id,
                    sku_id,
                    sku_part_number: part,
                    capability_status: status,
                    applies_to: Some("User".to_owned()),
                    prepaid_units: LicenseUnits {
                        enabled,
                        suspended,
                        warning,
                        locked_out,
                    },
                    consumed_units: consumed,
                    service_plans: plans,
                }
            },
        )
}

fn role_definition() -> impl Strategy<Value = RoleDefinition> {
    (
        role_id(),
        text(),
        any::<bool>(),
        prop::option::of(any::<bool>()),
    )
        .prop_map(|(id, display_name, built_in, privileged)| RoleDefinition {
            template_id: Some(id.clone()),
            id,
            display_name,
            is_built_in: built_in,
            is_enabled: Some(true),
            is_privileged: privileged,
        })
}

fn scope_id() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop::sample::select(vec![
        "/".to_owned(),
        "/administrativeUnits/au1".to_owned(),
        "/app1".to_owned(),
    ]))
}

fn role_assignment() -> impl Strategy<Value = RoleAssignment> {
    (
        text(),
        principal_id(),
        role_id(),
        scope_id(),
        prop::option::of(principal()),
    )
        .prop_map(
            |(id, principal_id, role, scope, principal)| RoleAssignment {
                id,
                principal_id: principal_id.into(),
                role_definition_id: role,
                directory_scope_id: scope,
                principal,
            },
        )
}

fn member_type() -> impl Strategy<Value = Option<MemberType>> {
    prop::option::of(
        prop::sample::select(vec!["Direct", "Group", "Inherited", "Other"])
            .prop_map(MemberType::from),
    )
}

fn assignment_type() -> impl Strategy<Value = Option<AssignmentType>> {
    prop::option::of(
        prop::sample::select(vec!["Assigned", "Activated", "Other"]).prop_map(AssignmentType::from),
    )
}

fn schedule_instance() -> impl Strategy<Value = RoleScheduleInstance> {
    (
        text(),
        principal_id(),
        role_id(),
        scope_id(),
        opt_date(),
        opt_date(),
        assignment_type(),
        member_type(),
        opt_text(),
    )
        .prop_map(
            |(id, principal_id, role, scope, start, end, assignment_type, member_type, origin)| {
                RoleScheduleInstance {
                    id,
                    principal_id: principal_id.into(),
                    role_definition_id: role,
                    directory_scope_id: scope,
                    start_date_time: start,
                    end_date_time: end,
                    assignment_type,
                    member_type,
                    role_assignment_origin_id: origin,
                    role_assignment_schedule_id: None,
                    role_eligibility_schedule_id: None,
                    principal: None,
                }
            },
        )
}

fn schedule() -> impl Strategy<Value = RoleSchedule> {
    (
        text(),
        principal_id(),
        role_id(),
        assignment_type(),
        member_type(),
        opt_date(),
        opt_text(),
        prop::option::of((
            opt_date(),
            prop::option::of(
                prop::sample::select(vec![
                    "notSpecified",
                    "noExpiration",
                    "afterDateTime",
                    "afterDuration",
                ])
                .prop_map(ExpirationType::from),
            ),
            opt_date(),
            prop::option::of(duration()),
        )),
    )
        .prop_map(
            |(id, principal_id, role, assignment_type, member_type, created, using, info)| {
                RoleSchedule {
                    id,
                    principal_id: principal_id.into(),
                    role_definition_id: role,
                    directory_scope_id: Some("/".to_owned()),
                    assignment_type,
                    member_type,
                    status: Some("Provisioned".to_owned()),
                    created_date_time: created,
                    created_using: using,
                    modified_date_time: None,
                    schedule_info: info.map(|(start, kind, end, duration)| RequestSchedule {
                        start_date_time: start,
                        expiration: Some(ExpirationPattern {
                            kind,
                            end_date_time: end,
                            duration,
                        }),
                    }),
                    principal: None,
                }
            },
        )
}

const RULE_IDS: [&str; 17] = [
    "Expiration_EndUser_Assignment",
    "Approval_EndUser_Assignment",
    "Enablement_EndUser_Assignment",
    "AuthenticationContext_EndUser_Assignment",
    "Expiration_Admin_Assignment",
    "Expiration_Admin_Eligibility",
    "Enablement_Admin_Assignment",
    "Enablement_Admin_Eligibility",
    "Notification_Admin_Admin_Assignment",
    "Notification_Admin_Admin_Eligibility",
    "Notification_Admin_EndUser_Assignment",
    "Notification_Approver_Admin_Assignment",
    "Notification_Approver_Admin_Eligibility",
    "Notification_Approver_EndUser_Assignment",
    "Notification_Requestor_Admin_Assignment",
    "Notification_Requestor_Admin_Eligibility",
    "Notification_Requestor_EndUser_Assignment",
];

fn subject_set() -> impl Strategy<Value = SubjectSet> {
    (any::<bool>(), principal_id()).prop_map(|(user, id)| SubjectSet {
        odata_type: Some(if user {
            "#microsoft.graph.singleUser".to_owned()
        } else {
            "#microsoft.graph.groupMembers".to_owned()
        }),
        user_id: user.then(|| id.clone().into()),
        group_id: (!user).then_some(id.into()),
        description: None,
    })
}

fn approval_settings() -> impl Strategy<Value = ApprovalSettings> {
    (
        prop::option::of(any::<bool>()),
        prop::option::of(any::<bool>()),
        prop::option::of(prop::sample::select(vec![
            "SingleStage",
            "Serial",
            "NoApproval",
        ])),
        prop::collection::vec(
            (
                prop::option::of(-1i64..30),
                prop::collection::vec(subject_set(), 0..3),
                prop::collection::vec(subject_set(), 0..2),
            ),
            0..3,
        ),
    )
        .prop_map(|(required, justification, mode, stages)| ApprovalSettings {
            is_approval_required: required,
            is_approval_required_for_extension: Some(false),
            is_requestor_justification_required: justification,
            approval_mode: mode.map(str::to_owned),
            approval_stages: stages
                .into_iter()
                .map(|(timeout, primary, escalation)| ApprovalStage {
                    approval_stage_time_out_in_days: timeout,
                    is_approver_justification_required: Some(true),
                    escalation_time_in_minutes: None,
                    is_escalation_enabled: Some(!escalation.is_empty()),
                    primary_approvers: primary,
                    escalation_approvers: escalation,
                })
                .collect(),
        })
}

fn policy_rule() -> impl Strategy<Value = PolicyRule> {
    (
        prop_oneof![8 => prop::sample::select(RULE_IDS.to_vec()).prop_map(str::to_owned), 1 => text()],
        prop::option::of(any::<bool>()),
        prop::option::of(duration()),
        prop::option::of(prop::collection::vec(
            prop::sample::select(vec![
                "MultiFactorAuthentication".to_owned(),
                "Justification".to_owned(),
                "Ticketing".to_owned(),
            ]),
            0..3,
        )),
        prop::option::of(approval_settings()),
        prop::option::of(any::<bool>()),
        opt_text(),
        (
            prop::option::of(prop::sample::select(vec!["All", "Critical"])),
            prop::option::of(any::<bool>()),
            prop::option::of(prop::collection::vec(text(), 0..3)),
        ),
    )
        .prop_map(
            |(id, expiry_required, max, enabled, setting, auth_enabled, claim, (level, defaults, recipients))| {
                PolicyRule {
                    odata_type: None,
                    target: Some(RuleTarget {
                        caller: id.split('_').nth(1).map(str::to_owned),
                        operations: vec!["All".to_owned()],
                        level: id.rsplit('_').next().map(str::to_owned),
                    }),
                    id: id.into(),
                    is_expiration_required: expiry_required,
                    maximum_duration: max,
                    enabled_rules: enabled,
                    setting,
                    is_enabled: auth_enabled,
                    claim_value: claim,
                    notification_type: Some("Email".to_owned()),
                    recipient_type: None,
                    notification_level: level.map(str::to_owned),
                    is_default_recipients_enabled: defaults,
                    notification_recipients: recipients,
                }
            },
        )
}

fn policy_assignment() -> impl Strategy<Value = RoleManagementPolicyAssignment> {
    (
        text(),
        prop::option::of(role_id()),
        prop::option::of((
            prop::option::of(any::<bool>()),
            prop::collection::vec(policy_rule(), 0..8),
        )),
    )
        .prop_map(|(id, role, policy)| RoleManagementPolicyAssignment {
            policy_id: format!("Directory_{id}"),
            id,
            scope_id: "/".to_owned(),
            scope_type: "DirectoryRole".to_owned(),
            role_definition_id: role,
            policy: policy.map(|(default, rules)| RoleManagementPolicy {
                id: "policy".to_owned(),
                display_name: None,
                is_organization_default: default,
                rules,
            }),
        })
}

fn sign_in() -> impl Strategy<Value = SignInActivity> {
    (principal_id(), opt_date(), opt_date(), opt_date()).prop_map(|(user_id, a, b, c)| {
        SignInActivity {
            user_id: user_id.into(),
            last_sign_in_date_time: a,
            last_non_interactive_sign_in_date_time: b,
            last_successful_sign_in_date_time: c,
        }
    })
}

fn privileged_group() -> impl Strategy<Value = PrivilegedGroup> {
    (
        principal(),
        prop::collection::vec(principal(), 0..4),
        prop::collection::vec(principal(), 0..2),
    )
        .prop_map(|(group, members, owners)| PrivilegedGroup {
            group,
            members,
            owners,
        })
}

fn group_instance() -> impl Strategy<Value = GroupScheduleInstance> {
    (
        text(),
        (0..4u8).prop_map(|i| format!("g{i}")),
        principal_id(),
        prop::option::of(
            prop::sample::select(vec!["member", "owner", "other"]).prop_map(GroupAccessId::from),
        ),
        opt_date(),
        opt_date(),
        member_type(),
        assignment_type(),
    )
        .prop_map(
            |(id, group_id, principal_id, access, start, end, member_type, assignment_type)| {
                GroupScheduleInstance {
                    id,
                    group_id: group_id.into(),
                    principal_id: principal_id.into(),
                    access_id: access,
                    start_date_time: start,
                    end_date_time: end,
                    member_type,
                    assignment_type,
                }
            },
        )
}

fn access_review() -> impl Strategy<Value = AccessReviewDefinition> {
    (
        text(),
        prop::option::of(
            prop::sample::select(vec!["NotStarted", "InProgress", "Completed", "Weird"])
                .prop_map(ReviewStatus::from),
        ),
        prop::collection::vec(role_id(), 0..3),
        prop::option::of((
            prop::option::of(prop::sample::select(vec![
                "daily",
                "weekly",
                "absoluteMonthly",
                "absoluteYearly",
            ])),
            prop::option::of(-1i64..13),
            prop::option::of(any::<bool>()),
            prop::option::of(-1i64..400),
        )),
    )
        .prop_map(|(id, status, roles, settings)| AccessReviewDefinition {
            id,
            display_name: None,
            status,
            scope: Some(json!({
                "@odata.type": "#microsoft.graph.principalResourceMembershipsScope",
                "resourceScopes": roles.iter().map(|r| json!({
                    "query": format!("/roleManagement/directory/roleDefinitions/{r}"),
                    "queryType": "MicrosoftGraph",
                })).collect::<Vec<_>>(),
                "depth": 3,
            })),
            instance_enumeration_scope: None,
            reviewers: vec![AccessReviewReviewerScope {
                query: Some("/users/u1".to_owned()),
                query_type: Some("MicrosoftGraph".to_owned()),
                query_root: None,
            }],
            settings: settings.map(|(kind, interval, auto, days)| AccessReviewSettings {
                recurrence: Some(PatternedRecurrence {
                    pattern: Some(RecurrencePattern {
                        kind: kind.map(str::to_owned),
                        interval,
                    }),
                    range: None,
                }),
                auto_apply_decisions_enabled: auto,
                instance_duration_in_days: days,
                default_decision_enabled: auto.map(|a| !a),
                default_decision: None,
                mail_notifications_enabled: auto,
                reminder_notifications_enabled: auto,
                justification_required_on_approval: auto,
            }),
            stage_settings: None,
        })
}

fn ca_targets() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        prop_oneof![
            role_id(),
            principal_id(),
            Just("All".to_owned()),
            Just("None".to_owned()),
        ],
        0..3,
    )
}

fn ca_policy() -> impl Strategy<Value = ConditionalAccessPolicy> {
    (
        text(),
        prop::option::of(
            prop::sample::select(vec![
                "enabled",
                "disabled",
                "enabledForReportingButNotEnforced",
                "x",
            ])
            .prop_map(PolicyState::from),
        ),
        (ca_targets(), ca_targets(), ca_targets(), ca_targets()),
        prop::option::of((
            prop::collection::vec(
                prop::sample::select(vec!["mfa", "compliantDevice", "block"])
                    .prop_map(str::to_owned),
                0..3,
            ),
            prop::option::of(prop::sample::select(vec![
                "00000000-0000-0000-0000-000000000002",
                "00000000-0000-0000-0000-000000000004",
            ])),
        )),
        prop::option::of((
            prop::option::of(-1i64..48),
            prop::option::of(prop::sample::select(vec!["hours", "days"])),
            prop::option::of(prop::sample::select(vec!["always", "never"])),
        )),
    )
        .prop_map(
            |(id, state, (incl_roles, excl_roles, incl_users, excl_users), grant, session)| {
                ConditionalAccessPolicy {
                    id,
                    display_name: None,
                    state,
                    conditions: Some(CaConditions {
                        users: Some(CaUsers {
                            include_users: incl_users,
                            exclude_users: excl_users,
                            include_groups: Vec::new(),
                            exclude_groups: Vec::new(),
                            include_roles: incl_roles,
                            exclude_roles: excl_roles,
                            exclude_guests_or_external_users: None,
                        }),
                        applications: Some(CaApplications {
                            include_applications: vec!["All".to_owned()],
                            exclude_applications: Vec::new(),
                        }),
                        client_app_types: vec!["all".to_owned()],
                        ..CaConditions::default()
                    }),
                    grant_controls: grant.map(|(controls, strength)| CaGrantControls {
                        operator: Some("OR".to_owned()),
                        built_in_controls: controls,
                        authentication_strength: strength.map(|id| AuthenticationStrength {
                            id: id.to_owned(),
                            ..AuthenticationStrength::default()
                        }),
                    }),
                    session_controls: session.map(|(value, kind, browser)| CaSessionControls {
                        sign_in_frequency: Some(SignInFrequency {
                            value,
                            kind: kind.map(str::to_owned),
                            is_enabled: Some(true),
                            frequency_interval: Some("timeBased".to_owned()),
                        }),
                        persistent_browser: browser.map(|mode| PersistentBrowser {
                            mode: Some(mode.to_owned()),
                            is_enabled: Some(true),
                        }),
                    }),
                }
            },
        )
}

fn gap() -> impl Strategy<Value = Gap> {
    (
        prop::sample::select(Dataset::ALL.to_vec()),
        prop::sample::select(vec![
            GapReason::NotLicensed,
            GapReason::PermissionDenied,
            GapReason::NotFound,
            GapReason::Error,
        ]),
        text(),
        prop::option::of(prop::sample::select(vec![
            400u16, 401, 403, 404, 429, 500, 503,
        ])),
    )
        .prop_map(|(dataset, reason, detail, status)| Gap {
            dataset,
            reason,
            detail,
            status,
            code: (reason == GapReason::NotLicensed)
                .then(|| "AadPremiumLicenseRequired".to_owned()),
            missing_scope: (reason == GapReason::PermissionDenied)
                .then(|| dataset.scope().to_owned()),
        })
}

fn meta() -> impl Strategy<Value = CollectionMeta> {
    (
        date(),
        prop::sample::select(vec![
            Cloud::Global,
            Cloud::Usgov,
            Cloud::UsgovDod,
            Cloud::China,
        ]),
        any::<u32>(),
        any::<u64>(),
    )
        .prop_map(
            |(collected_at, cloud, requests, duration_ms)| CollectionMeta {
                collected_at,
                tool_version: "0.1.0".to_owned(),
                cloud,
                graph_host: "graph.microsoft.com".to_owned(),
                requests,
                batched_requests: requests / 2,
                retries: requests % 7,
                duration_ms,
                scopes: vec!["RoleManagement.Read.Directory".to_owned()],
            },
        )
}

/// A dataset: present (possibly empty) or absent.
fn dataset<T: std::fmt::Debug>(
    item: impl Strategy<Value = T>,
    max: usize,
) -> impl Strategy<Value = Option<Vec<T>>> {
    prop::option::weighted(0.8, prop::collection::vec(item, 0..max))
}

fn organization() -> impl Strategy<Value = Organization> {
    (
        opt_text(),
        prop::collection::vec((text(), any::<bool>(), any::<bool>()), 0..3),
    )
        .prop_map(|(name, domains)| Organization {
            id: "tenant".to_owned(),
            display_name: name,
            verified_domains: domains
                .into_iter()
                .map(|(name, is_default, is_initial)| VerifiedDomain {
                    name,
                    is_default,
                    is_initial,
                })
                .collect(),
        })
}

fn snapshot() -> impl Strategy<Value = TenantSnapshot> {
    let directory = (
        prop::option::weighted(0.8, organization()),
        dataset(sku(), 4),
        dataset(role_definition(), 6),
        dataset(role_assignment(), 8),
        dataset(principal(), 8),
        dataset(sign_in(), 6),
        dataset(privileged_group(), 3),
    );
    let pim = (
        dataset(schedule_instance(), 8),
        dataset(schedule(), 6),
        dataset(schedule_instance(), 8),
        dataset(schedule(), 6),
        dataset(policy_assignment(), 5),
        dataset(group_instance(), 5),
        dataset(group_instance(), 5),
        dataset(access_review(), 3),
        dataset(ca_policy(), 4),
    );
    (
        "[0-9a-f]{8}-[0-9a-f]{4}",
        meta(),
        directory,
        pim,
        prop::collection::vec(gap(), 0..5),
    )
        .prop_map(|(tenant_id, meta, directory, pim, extra_gaps)| {
            let (org, skus, defs, assignments, principals, sign_ins, groups) = directory;
            let (
                active_instances,
                active_schedules,
                eligible_instances,
                eligible_schedules,
                policies,
                group_eligible,
                group_active,
                reviews,
                ca,
            ) = pim;
            let mut s = TenantSnapshot::empty(tenant_id, meta);
            s.organization = org;
            s.subscribed_skus = skus;
            s.role_definitions = defs;
            s.role_assignments = assignments;
            s.privileged_principals = principals;
            s.sign_in_activity = sign_ins;
            s.privileged_groups = groups;
            s.role_assignment_schedule_instances = active_instances;
            s.role_assignment_schedules = active_schedules;
            s.role_eligibility_schedule_instances = eligible_instances;
            s.role_eligibility_schedules = eligible_schedules;
            s.role_management_policies = policies;
            s.group_eligibility_schedule_instances = group_eligible;
            s.group_assignment_schedule_instances = group_active;
            s.access_reviews = reviews;
            s.conditional_access_policies = ca;
            // Gaps: mostly for the absent datasets, sometimes inconsistent ones too.
            s.gaps = extra_gaps;
            s
        })
}

fn settings() -> impl Strategy<Value = AssessmentSettings> {
    (
        prop::collection::vec(prop_oneof![upn(), principal_id()], 0..3),
        prop::collection::vec(prop_oneof![role_id(), text()], 0..2),
        0u32..400,
    )
        .prop_map(|(emergency, extra, stale)| AssessmentSettings {
            emergency_accounts: emergency,
            extra_privileged_roles: extra,
            stale_after_days: stale,
        })
}

fn check_invariants(snapshot: &TenantSnapshot, a: &Assessment) -> Result<(), TestCaseError> {
    prop_assert!(
        (0.0..=100.0).contains(&a.score.percent),
        "percent {}",
        a.score.percent
    );
    prop_assert!(
        (0.0..=100.0).contains(&a.score.coverage),
        "coverage {}",
        a.score.coverage
    );
    for c in &a.score.categories {
        prop_assert!((0.0..=100.0).contains(&c.percent));
        prop_assert!((0.0..=100.0).contains(&c.coverage));
    }
    for f in &a.checks {
        let def = check_def(&f.id).expect("every finding comes from the catalog");
        let mut needed = def.data.to_vec();
        if a.licensing.pim_capable {
            needed.extend_from_slice(def.data_with_pim);
        }
        let missing: Vec<Dataset> = needed.into_iter().filter(|d| !snapshot.has(*d)).collect();
        if !missing.is_empty() {
            prop_assert!(
                matches!(f.status, Status::NotAssessed | Status::NotLicensed),
                "{} is {:?} although {:?} is missing",
                f.id,
                f.status,
                missing
            );
            prop_assert!(
                f.evidence.is_empty(),
                "{} has evidence without its data",
                f.id
            );
        }
    }
    Ok(())
}

// ----- properties -----

/// `PROPTEST_CASES` when set (longer local runs), else the suite's moderate default.
fn config(default_cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_cases);
    // Integration tests have no lib.rs for proptest to persist failures beside;
    // found failures become named regression tests below instead.
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config(128))]

    /// Assessment never panics, never passes a check whose data is missing, keeps
    /// the score in range, is deterministic, and its JSON round-trips.
    #[test]
    fn assess_is_total_and_honest(snapshot in snapshot(), settings in settings()) {
        let book = PriceBook::default_book();
        let a = assess(&snapshot, &settings, &book);
        check_invariants(&snapshot, &a)?;
        let again = assess(&snapshot, &settings, &book);
        prop_assert_eq!(&a, &again, "assessment must be deterministic");
        let json = serde_json::to_string(&a).unwrap();
        let back: Assessment = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&a, &back, "assessment JSON must round-trip");
    }

    /// A saved snapshot loads back equal.
    #[test]
    fn snapshot_json_round_trips(snapshot in snapshot()) {
        let text = snapshot.to_json();
        let back = TenantSnapshot::from_json(&text, "property").unwrap();
        prop_assert_eq!(snapshot, back);
    }
}

fn finding(category: Category, severity: Severity, status: Status) -> Finding {
    Finding {
        id: "P-01".into(),
        title: String::new(),
        category,
        severity,
        status,
        summary: String::new(),
        references: Vec::new(),
        minimum_licence: MinimumLicence::Free,
        rationale: String::new(),
        evidence: Vec::new(),
        remediation: Remediation {
            steps: Vec::new(),
            portal_path: String::new(),
            powershell: String::new(),
        },
        missing_data: Vec::new(),
    }
}

fn findings() -> impl Strategy<Value = Vec<Finding>> {
    prop::collection::vec(
        (
            prop::sample::select(Category::ALL.to_vec()),
            prop::sample::select(vec![
                Severity::Critical,
                Severity::High,
                Severity::Medium,
                Severity::Low,
            ]),
            prop::sample::select(vec![
                Status::Pass,
                Status::Warning,
                Status::Fail,
                Status::NotApplicable,
                Status::NotLicensed,
                Status::NotAssessed,
            ]),
        )
            .prop_map(|(c, s, st)| finding(c, s, st)),
        0..60,
    )
}

proptest! {
    #![proptest_config(config(256))]

    /// Score and coverage stay within 0–100 for any findings.
    #[test]
    fn score_is_bounded(findings in findings()) {
        let s = score(&findings);
        prop_assert!((0.0..=100.0).contains(&s.percent));
        prop_assert!((0.0..=100.0).contains(&s.coverage));
        for c in &s.categories {
            prop_assert!((0.0..=100.0).contains(&c.percent));
            prop_assert!((0.0..=100.0).contains(&c.coverage));
        }
    }

    /// Turning one fail into a pass never lowers the score (overall or its category)
    /// and leaves coverage unchanged.
    #[test]
    fn fixing_a_failure_never_lowers_the_score(findings in findings(), pick in any::<prop::sample::Index>()) {
        let failing: Vec<usize> = findings
            .iter()
            .enumerate()
            .filter(|(_, f)| f.status == Status::Fail)
            .map(|(i, _)| i)
            .collect();
        prop_assume!(!failing.is_empty());
        let i = failing[pick.index(failing.len())];
        let before = score(&findings);
        let mut fixed = findings.clone();
        fixed[i].status = Status::Pass;
        let after = score(&fixed);
        prop_assert!(after.percent >= before.percent, "{} -> {}", before.percent, after.percent);
        // Coverage is computed in integer tenths: exactly equal, not approximately.
        prop_assert_eq!(after.coverage.to_bits(), before.coverage.to_bits());
        for (b, a) in before.categories.iter().zip(&after.categories) {
            prop_assert!(a.percent >= b.percent, "{:?}: {} -> {}", a.category, b.percent, a.percent);
        }
    }
}

// ----- masking: a masked report names no user -----

/// Extracted PDF text and the needles are compared without whitespace (readers drop the
/// spaces between text runs).
fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// What masking promises to hide (`report::mask`): the UPN and display name of every
/// user in the snapshot, privileged or a member or owner of a privileged group. Group,
/// app, role, policy and tenant names stay readable, so they are not needles. A needle
/// shorter than six characters (squashed), or found in the report text that every
/// assessment shares, would match by accident and is skipped.
fn user_names(s: &TenantSnapshot) -> Vec<String> {
    let users = s
        .privileged_principals
        .iter()
        .flatten()
        .chain(
            s.role_assignments
                .iter()
                .flatten()
                .filter_map(|a| a.principal.as_ref()),
        )
        .chain(
            s.privileged_groups
                .iter()
                .flatten()
                .flat_map(|g| g.members.iter().chain(&g.owners)),
        )
        .filter(|p| p.kind() == PrincipalKind::User);
    let mut names: Vec<String> = users
        .flat_map(|p| [p.user_principal_name.clone(), p.display_name.clone()])
        .flatten()
        .filter(|n| squash(n).chars().count() >= 6)
        .filter(|n| !boilerplate().contains(&squash(n)))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// A fixed collection record, for the hand-built snapshots below.
fn fixed_meta() -> CollectionMeta {
    CollectionMeta {
        collected_at: Utc.timestamp_opt(1_768_471_200, 0).unwrap(),
        tool_version: "0.1.0".to_owned(),
        cloud: Cloud::Global,
        graph_host: "graph.microsoft.com".to_owned(),
        requests: 0,
        batched_requests: 0,
        retries: 0,
        duration_ms: 0,
        scopes: Vec::new(),
    }
}

/// The text of the masked reports of an empty tenant: titles, remediation, headings.
fn boilerplate() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        let empty = TenantSnapshot::empty("00000000-0000-0000-0000-000000000000", fixed_meta());
        let a = assess(
            &empty,
            &AssessmentSettings::default(),
            &PriceBook::default_book(),
        );
        let reports = masked_reports(&a);
        let json: Vec<&str> = reports
            .json_strings
            .iter()
            .map(|(_, s)| s.as_str())
            .collect();
        squash(
            &[
                json.join("\n"),
                reports.csv_cells.join("\n"),
                reports.pdf_text,
            ]
            .concat(),
        )
    })
}

/// The three reports as a reader sees them: every string of the JSON, every CSV cell,
/// the PDF's extracted text (squashed).
struct MaskedReports {
    json_strings: Vec<(String, String)>,
    csv_cells: Vec<String>,
    pdf_text: String,
}

fn masked_reports(a: &Assessment) -> MaskedReports {
    use pimready_report::{self as report, NameMasking, ReportHistory, ReportOptions};
    let masked = report::mask::mask_assessment(a);

    let json: serde_json::Value = serde_json::from_str(&report::json::render(&masked)).unwrap();
    // (JSON pointer, string), so a failure says where the name leaked.
    let mut json_strings = Vec::new();
    let mut stack = vec![(String::new(), &json)];
    while let Some((at, v)) = stack.pop() {
        match v {
            serde_json::Value::String(s) => json_strings.push((at, s.clone())),
            serde_json::Value::Array(items) => stack.extend(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (format!("{at}/{i}"), v)),
            ),
            serde_json::Value::Object(map) => {
                stack.extend(map.iter().map(|(k, v)| (format!("{at}/{k}"), v)));
            }
            _ => {}
        }
    }

    let csv_bytes = report::csv::render(&masked);
    let mut csv_cells = Vec::new();
    for record in csv::Reader::from_reader(&csv_bytes[..]).records() {
        csv_cells.extend(record.unwrap().iter().map(str::to_owned));
    }

    // The PDF masks by itself (options.masking). Its "since the last assessment" section
    // lists every standing admin as new: the previous assessment had none.
    let mut before = a.clone();
    for f in &mut before.checks {
        f.evidence.clear();
    }
    let mut options = ReportOptions::new(Utc.timestamp_opt(1_768_471_200, 0).unwrap());
    options.masking = NameMasking::Masked;
    options.history = Some(ReportHistory {
        diff: pimready_history::diff(&before, a),
        trend: Vec::new(),
    });
    let pdf = report::pdf::render(a, &options).unwrap();
    let doc = lopdf::Document::load_mem(&pdf).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let pdf_text = squash(&doc.extract_text(&pages).unwrap_or_default());

    MaskedReports {
        json_strings,
        csv_cells,
        pdf_text,
    }
}

proptest! {
    // A PDF per case: few cases keep the suite fast.
    #![proptest_config(config(24))]

    /// With masking on, no user's UPN or display name from the snapshot appears in the
    /// JSON, the CSV or the PDF.
    #[test]
    fn masking_removes_every_upn(snapshot in snapshot(), settings in settings()) {
        let a = assess(&snapshot, &settings, &PriceBook::default_book());
        let needles = user_names(&snapshot);
        prop_assume!(!needles.is_empty());
        let reports = masked_reports(&a);
        for name in &needles {
            for (at, s) in &reports.json_strings {
                prop_assert!(!s.contains(name.as_str()), "JSON leaks {:?} at {}: {:?}", name, at, s);
            }
            for cell in &reports.csv_cells {
                prop_assert!(!cell.contains(name.as_str()), "CSV leaks {:?} in {:?}", name, cell);
            }
            prop_assert!(
                !reports.pdf_text.contains(&squash(name)),
                "PDF leaks {:?}",
                name
            );
        }
    }
}

// ----- regressions found by the properties above -----

/// Unit counts are tenant data: absurd ones once overflowed the seat arithmetic
/// (licensing `detect` and `usable_seats`, cost's Business Premium count).
#[test]
fn absurd_unit_counts_do_not_overflow() {
    for units in [i64::MAX, i64::MIN] {
        let mut s = TenantSnapshot::empty("t", fixed_meta());
        let sku = |status: &str, part: &str| SubscribedSku {
            id: None,
            sku_id: "f245ecc8-75af-4f8e-b61f-27d8114de5f3".to_owned(),
            sku_part_number: part.to_owned(),
            capability_status: CapabilityStatus::from(status),
            applies_to: Some("User".to_owned()),
            prepaid_units: LicenseUnits {
                enabled: units,
                suspended: units,
                warning: units,
                locked_out: units,
            },
            consumed_units: units,
            service_plans: vec![ServicePlanInfo {
                service_plan_id: AAD_PREMIUM_P2.to_owned(),
                service_plan_name: "AAD_PREMIUM_P2".to_owned(),
                provisioning_status: ProvisioningStatus::Success,
                applies_to: Some("User".to_owned()),
            }],
        };
        s.subscribed_skus = Some(vec![
            sku("Enabled", "SPB"),
            sku("Suspended", "SPE_E5"),
            sku("Warning", "SPE_E3"),
        ]);
        let a = assess(
            &s,
            &AssessmentSettings::default(),
            &PriceBook::default_book(),
        );
        check_invariants(&s, &a).unwrap();
    }
}

/// Found by the `snapshot_json` fuzz target: Graph objects keep fields PIM Ready does not
/// model as raw JSON, and serde_json's default float parser is not exact: an integer of 73
/// digits was read as a float saved as `4.4444e+72`, which loaded as a neighbouring float
/// saved as `4.4443999999999994e+72`. A saved
/// snapshot must reload to the same bytes (same snapshot ⇒ same report), so the workspace
/// enables serde_json's `float_roundtrip`.
#[test]
fn floats_in_raw_graph_fields_survive_a_save_and_a_load() {
    let fixture = include_str!("../../fuzz/seeds/snapshot_json/small.json");
    // Text, as the fuzzer wrote it: the parser, not the `json!` macro, must read the numbers.
    let text = fixture.replacen(
        "\"scope\":{",
        "\"scope\":{\"odd\": [4444400000000000000000000000000000000000000000000000007173733806442603404, 0.1, 1e-300],",
        1,
    );
    assert_ne!(text, fixture, "the fixture has an access review scope");
    let first = TenantSnapshot::from_json(&text, "fixture")
        .unwrap()
        .to_json();
    let second = TenantSnapshot::from_json(&first, "saved")
        .unwrap()
        .to_json();
    assert_eq!(first, second);
    assert!(first.contains("4.4444e+72"), "{first}");
}
