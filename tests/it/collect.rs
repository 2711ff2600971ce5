//! The collector against every fixture tenant: what lands in the snapshot, and how
//! faults become gaps. (Client-level behaviour lives in `graph_client.rs`.)

use std::sync::Arc;
use std::time::Duration;

use pimready_core::snapshot::{
    AssignmentType, Dataset, GapReason, PolicyRuleId, PrincipalKind, TenantSnapshot,
};
use pimready_graph::client::{Clock, RecordingClock, RetryPolicy, SystemClock};
use pimready_graph::collect::{
    CollectConfig, CollectError, CollectStats, collect_snapshot_with_stats,
};
use pimready_graph::token::{AccessToken, StaticToken};
use pimready_tests::{
    Emulator, Fault, FaultKind, Fixture, Listener, RouteMatcher, Throttling, now,
};

const GA: &str = "62e90394-69f5-4237-9190-012177145e10";
const PRA: &str = "e8611ab8-c189-46e8-94e1-60213ab1f814";
const SEC: &str = "194ae4cb-b126-40b2-bd5b-6091b380977d";
const EXO: &str = "29232cdf-9323-42fd-ade2-1d097af3e4de";

fn config(emu: &Emulator, clock: Arc<dyn Clock>) -> CollectConfig {
    let mut c = pimready_tests::collect_config(emu, now);
    c.graph = pimready_tests::retrying_graph_config(clock, 11);
    c
}

async fn collect(emu: &Emulator) -> (TenantSnapshot, CollectStats) {
    collect_with(emu, Arc::new(RecordingClock::new(now()))).await
}

/// `RecordingClock` returns from sleeps at once; real waiting needs `SystemClock`.
async fn collect_with(emu: &Emulator, clock: Arc<dyn Clock>) -> (TenantSnapshot, CollectStats) {
    let tokens = Arc::new(StaticToken(AccessToken::new(emu.token())));
    let mut sink = |_| {};
    collect_snapshot_with_stats(config(emu, clock), tokens, &mut sink)
        .await
        .expect("collection succeeds")
}

async fn collect_named(name: &str) -> (Emulator, TenantSnapshot) {
    let emu = Emulator::start_named(name).await.unwrap();
    let (s, _) = collect(&emu).await;
    (emu, s)
}

fn reason(s: &TenantSnapshot, d: Dataset) -> Option<GapReason> {
    s.gap(d).map(|g| g.reason)
}

fn user_named<'a>(s: &'a TenantSnapshot, name: &str) -> &'a pimready_core::snapshot::Principal {
    s.privileged_principals
        .iter()
        .flatten()
        .chain(
            s.privileged_groups
                .iter()
                .flatten()
                .flat_map(|g| g.members.iter().chain(&g.owners)),
        )
        .find(|p| p.display_name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("{name} is in the snapshot"))
}

/// Distinct principals holding a role, active or eligible (direct only).
fn holders(s: &TenantSnapshot, role: &str) -> std::collections::BTreeSet<String> {
    let active = s
        .role_assignments
        .iter()
        .flatten()
        .filter(|a| a.role_definition_id == role)
        .map(|a| a.principal_id.to_string());
    let eligible = s
        .role_eligibility_schedule_instances
        .iter()
        .flatten()
        .filter(|a| a.role_definition_id == role)
        .map(|a| a.principal_id.to_string());
    active.chain(eligible).collect()
}

#[tokio::test]
async fn contoso_snapshot_holds_the_bad_settings() {
    let (emu, s) = collect_named("contoso-e5").await;
    assert!(s.gaps.is_empty(), "{:#?}", s.gaps);
    assert_eq!(s.tenant_id, emu.tenant_id());
    assert_eq!(s.display_name(), "Contoso Ltd");
    assert_eq!(s.default_domain(), Some("contoso.com"));
    let skus = s.subscribed_skus.as_ref().unwrap();
    assert_eq!(
        (
            skus[0].sku_part_number.as_str(),
            skus[0].prepaid_units.enabled
        ),
        ("SPE_E5", 120)
    );

    contoso_admins(&s);
    contoso_principals(&s);
    contoso_privileged_group(&s);
    contoso_role_settings(&s);
    contoso_review_and_conditional_access(&s);

    // One stale admin: Megan Bowen, last seen > 90 days before the fixture's now.
    let megan = user_named(&s, "Megan Bowen");
    let activity = s.sign_in_activity.as_ref().unwrap();
    let stale: Vec<_> = activity
        .iter()
        .filter(|a| {
            a.last_used()
                .is_some_and(|(t, _)| now() - t > chrono::Duration::days(90))
        })
        .map(|a| a.user_id.clone())
        .collect();
    assert_eq!(stale, std::slice::from_ref(&megan.id));
}

/// Contoso's directory role holders, active and eligible.
fn contoso_admins(s: &TenantSnapshot) {
    // 7 Global Administrators: 2 eligible, 3 permanent, 2 break-glass; Alex also activated.
    assert_eq!(holders(s, GA).len(), 7);
    assert_eq!(s.role_assignments.as_ref().unwrap().len(), 10);
    let instances = s.role_assignment_schedule_instances.as_ref().unwrap();
    assert_eq!(
        instances
            .iter()
            .filter(|i| i.assignment_type == Some(AssignmentType::Activated))
            .count(),
        1
    );
    let permanent_ga = instances
        .iter()
        .filter(|i| {
            i.role_definition_id == GA
                && i.assignment_type == Some(AssignmentType::Assigned)
                && i.is_permanent()
        })
        .count();
    assert_eq!(permanent_ga, 5);
    assert_eq!(
        s.role_eligibility_schedule_instances
            .as_ref()
            .unwrap()
            .len(),
        6
    );
    assert_eq!(s.role_eligibility_schedules.as_ref().unwrap().len(), 6);
}

/// Contoso's notable admins: synced, guest, break-glass, names in several scripts, an app.
fn contoso_principals(s: &TenantSnapshot) {
    let instances = s.role_assignment_schedule_instances.as_ref().unwrap();
    // Nestor: synced from on-premises, assigned outside PIM.
    let nestor = user_named(s, "Nestor Wilke");
    assert_eq!(nestor.on_premises_sync_enabled, Some(true));
    assert!(nestor.on_premises_immutable_id.is_some());
    let nestor_instance = instances
        .iter()
        .find(|i| i.principal_id == nestor.id)
        .unwrap();
    assert_eq!(nestor_instance.start_date_time, None);
    let nestor_schedule = s
        .role_assignment_schedules
        .as_ref()
        .unwrap()
        .iter()
        .find(|x| x.principal_id == nestor.id)
        .unwrap();
    assert_eq!(nestor_schedule.created_using, None);
    // A guest GA; two unlicensed break-glass accounts on *.onmicrosoft.com.
    assert!(user_named(s, "Jordan Miller (Fabrikam)").is_guest());
    for bg in ["Emergency Access 01", "Emergency Access 02"] {
        let p = user_named(s, bg);
        assert!(
            p.user_principal_name
                .as_deref()
                .unwrap()
                .ends_with(".onmicrosoft.com")
        );
        assert_eq!(p.assigned_licenses.as_deref(), Some(&[][..]));
        assert_eq!(p.on_premises_sync_enabled, None, "cloud-only: never synced");
    }
    // Names survive in every script.
    for name in [
        "Ελένη Παπαδοπούλου",
        "Дмитрий Иванов",
        "José Álvarez",
        "Zoë Çelik",
    ] {
        user_named(s, name);
    }
    // A service principal holds Privileged Role Administrator.
    let sp = s
        .role_assignments
        .as_ref()
        .unwrap()
        .iter()
        .find(|a| a.role_definition_id == PRA)
        .unwrap();
    assert_eq!(
        s.principal(&sp.principal_id).unwrap().kind(),
        PrincipalKind::ServicePrincipal
    );
}

/// Contoso's role-assignable group and its PIM for Groups instances.
fn contoso_privileged_group(s: &TenantSnapshot) {
    // A role-assignable group holds Security Administrator with permanent members.
    let groups = s.privileged_groups.as_ref().unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].group.is_assignable_to_role, Some(true));
    assert_eq!(groups[0].members.len(), 2);
    assert_eq!(groups[0].owners.len(), 1);
    assert!(
        s.role_assignments
            .as_ref()
            .unwrap()
            .iter()
            .any(|a| a.role_definition_id == SEC && a.principal_id == groups[0].group.id)
    );
    let group_active = s.group_assignment_schedule_instances.as_ref().unwrap();
    assert_eq!(group_active.len(), 3);
    assert!(group_active.iter().all(|i| i.end_date_time.is_none()));
    assert_eq!(
        s.group_eligibility_schedule_instances
            .as_ref()
            .unwrap()
            .len(),
        1
    );
}

/// Contoso's role settings as collected.
fn contoso_role_settings(s: &TenantSnapshot) {
    // Role settings: GA without approval, PRA with an approver, Exchange PT10H without MFA.
    let policies = s.role_management_policies.as_ref().unwrap();
    let policy = |role: &str| {
        policies
            .iter()
            .find(|p| p.role_definition_id.as_deref() == Some(role))
            .unwrap()
            .policy
            .as_ref()
            .unwrap()
    };
    let approval = |role: &str| {
        policy(role)
            .rule(&PolicyRuleId::ApprovalEndUserAssignment)
            .unwrap()
            .setting
            .clone()
            .unwrap()
    };
    assert_eq!(approval(GA).is_approval_required, Some(false));
    assert_eq!(approval(PRA).is_approval_required, Some(true));
    assert_eq!(approval(PRA).approval_stages[0].primary_approvers.len(), 1);
    let exo = policy(EXO);
    assert_eq!(
        exo.rule(&PolicyRuleId::ExpirationEndUserAssignment)
            .unwrap()
            .maximum_duration
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("PT10H")
    );
    assert_eq!(
        exo.rule(&PolicyRuleId::EnablementEndUserAssignment)
            .unwrap()
            .enabled_rules
            .as_deref(),
        Some(&["Justification".to_owned()][..])
    );
    assert_eq!(
        policy(GA)
            .rule(&PolicyRuleId::NotificationAdminAdminAssignment)
            .unwrap()
            .notification_recipients
            .as_deref(),
        Some(&[][..])
    );
}

/// Contoso's access review and its Conditional Access for admins.
fn contoso_review_and_conditional_access(s: &TenantSnapshot) {
    // One quarterly review; MFA for admins without phishing-resistant strength.
    let reviews = s.access_reviews.as_ref().unwrap();
    assert_eq!(reviews.len(), 1);
    let pattern = reviews[0]
        .settings
        .as_ref()
        .unwrap()
        .recurrence
        .as_ref()
        .unwrap()
        .pattern
        .as_ref()
        .unwrap();
    assert_eq!(
        (pattern.kind.as_deref(), pattern.interval),
        (Some("absoluteMonthly"), Some(3))
    );
    let ca = s.conditional_access_policies.as_ref().unwrap();
    let admin_ca = ca
        .iter()
        .find(|p| {
            !p.conditions
                .as_ref()
                .unwrap()
                .users
                .as_ref()
                .unwrap()
                .include_roles
                .is_empty()
        })
        .unwrap();
    let grant = admin_ca.grant_controls.as_ref().unwrap();
    assert_eq!(grant.built_in_controls, ["mfa"]);
    assert!(grant.authentication_strength.is_none());
    assert_eq!(
        admin_ca
            .conditions
            .as_ref()
            .unwrap()
            .users
            .as_ref()
            .unwrap()
            .exclude_users
            .len(),
        2
    );
}

#[tokio::test]
async fn fabrikam_without_p2_has_not_licensed_gaps_and_permanent_admins() {
    let (emu, s) = collect_named("fabrikam-bp").await;
    for d in [
        Dataset::RoleAssignmentScheduleInstances,
        Dataset::RoleAssignmentSchedules,
        Dataset::RoleEligibilityScheduleInstances,
        Dataset::RoleEligibilitySchedules,
        Dataset::RoleManagementPolicies,
        Dataset::AccessReviews,
    ] {
        assert_eq!(reason(&s, d), Some(GapReason::NotLicensed), "{d}");
        assert!(!s.has(d), "{d}");
    }
    for d in [
        Dataset::GroupEligibilityScheduleInstances,
        Dataset::GroupAssignmentScheduleInstances,
    ] {
        assert!(
            matches!(reason(&s, d), None | Some(GapReason::NotLicensed)),
            "{d}: {:?}",
            s.gap(d)
        );
    }
    assert!(
        s.gaps.iter().all(|g| g.reason == GapReason::NotLicensed),
        "{:#?}",
        s.gaps
    );
    let assignments = s.role_assignments.as_ref().unwrap();
    assert_eq!(assignments.len(), 7);
    assert_eq!(holders(&s, GA).len(), 4);
    assert!(user_named(&s, "Contoso MSP Support").is_guest());
    // Business Premium carries P1: sign-in activity and CA are read.
    assert!(s.has(Dataset::SignInActivity));
    assert!(s.has(Dataset::ConditionalAccessPolicies));
    // No PIM request was retried: a licence answer is final.
    let pim = emu
        .requests()
        .into_iter()
        .filter(|r| r.path().contains("roleEligibilitySchedules"))
        .count();
    assert_eq!(pim, 1);
}

#[tokio::test]
async fn northwind_snapshot_is_well_configured() {
    let (_, s) = collect_named("northwind-p2").await;
    assert!(s.gaps.is_empty(), "{:#?}", s.gaps);
    assert_eq!(holders(&s, GA).len(), 4, "2 eligible GAs + 2 break-glass");
    let eligible_ga = s
        .role_eligibility_schedule_instances
        .as_ref()
        .unwrap()
        .iter()
        .filter(|i| i.role_definition_id == GA)
        .count();
    assert_eq!(eligible_ga, 2);
    let policies = s.role_management_policies.as_ref().unwrap();
    for (role, max) in [(GA, "PT4H"), (PRA, "PT4H"), (SEC, "PT8H")] {
        let p = policies
            .iter()
            .find(|p| p.role_definition_id.as_deref() == Some(role))
            .unwrap()
            .policy
            .as_ref()
            .unwrap();
        let approval = p
            .rule(&PolicyRuleId::ApprovalEndUserAssignment)
            .unwrap()
            .setting
            .clone()
            .unwrap();
        assert_eq!(approval.is_approval_required, Some(role != SEC), "{role}");
        let exp = p.rule(&PolicyRuleId::ExpirationEndUserAssignment).unwrap();
        assert_eq!(
            exp.maximum_duration
                .as_ref()
                .map(ToString::to_string)
                .as_deref(),
            Some(max),
            "{role}"
        );
        assert_eq!(
            p.rule(&PolicyRuleId::ExpirationAdminAssignment)
                .unwrap()
                .is_expiration_required,
            Some(true)
        );
        let notify = p
            .rule(&PolicyRuleId::NotificationAdminEndUserAssignment)
            .unwrap();
        assert_eq!(
            notify.notification_recipients.as_deref(),
            Some(&["pim-alerts@northwindtraders.com".to_owned()][..])
        );
        let enablement = p
            .rule(&PolicyRuleId::EnablementEndUserAssignment)
            .unwrap()
            .enabled_rules
            .clone()
            .unwrap();
        assert!(
            enablement.contains(&"MultiFactorAuthentication".to_owned())
                && enablement.contains(&"Justification".to_owned())
        );
    }
    let review = &s.access_reviews.as_ref().unwrap()[0];
    assert_eq!(
        review
            .scope_queries()
            .iter()
            .filter(|q| q.starts_with("/roleManagement/directory/roleDefinitions/"))
            .count(),
        11
    );
    // The settings CIS 5.3.3 names are read as Graph sends them (absent stays unknown).
    let settings = review.settings.as_ref().unwrap();
    assert_eq!(settings.mail_notifications_enabled, Some(true));
    assert_eq!(settings.justification_required_on_approval, Some(true));
    assert_eq!(settings.reminder_notifications_enabled, None);
    assert_eq!(settings.default_decision_enabled, Some(false));
    assert_eq!(settings.default_decision.as_deref(), Some("None"));
    assert_eq!(settings.instance_duration_in_days, Some(14));
    let ca = s.conditional_access_policies.as_ref().unwrap();
    let admin = ca
        .iter()
        .find(|p| {
            p.grant_controls
                .as_ref()
                .unwrap()
                .authentication_strength
                .is_some()
        })
        .unwrap();
    assert_eq!(
        admin
            .grant_controls
            .as_ref()
            .unwrap()
            .authentication_strength
            .as_ref()
            .unwrap()
            .id,
        "00000000-0000-0000-0000-000000000004"
    );
    let session = admin.session_controls.as_ref().unwrap();
    assert_eq!(session.sign_in_frequency.as_ref().unwrap().value, Some(4));
    assert_eq!(
        session.persistent_browser.as_ref().unwrap().mode.as_deref(),
        Some("never")
    );
    // Admin accounts hold only Entra ID P2.
    let p2 = "84a661c4-e949-4bd2-a560-ed7766fcaf2b";
    let kim = user_named(&s, "Kim Akers (admin)");
    assert!(
        kim.assigned_licenses
            .as_ref()
            .unwrap()
            .iter()
            .all(|l| l.sku_id == p2)
    );
}

#[tokio::test]
async fn large_and_large_100_need_the_same_requests() {
    let mut seen = Vec::new();
    for name in ["large-100", "large"] {
        let emu = Emulator::start_named(name).await.unwrap();
        let (s, stats) = collect(&emu).await;
        assert!(s.gaps.is_empty(), "{name}: {:?}", s.gaps);
        let log = emu.requests();
        assert!(
            log.iter().all(|r| r.path() != "/v1.0/users"),
            "{name}: the directory is never listed"
        );
        seen.push((
            name,
            s.meta.requests,
            s.meta.batched_requests,
            emu.http_request_count(),
            log.iter().filter(|r| r.in_batch).count(),
            s.privileged_principals.as_ref().map_or(0, Vec::len),
            stats.depth,
        ));
    }
    println!(
        "(fixture, requests, batched, emulator http, emulator batched, principals, depth): {seen:?}"
    );
    let strip = |t: &(&str, u32, u32, usize, usize, usize, u32)| (t.1, t.2, t.3, t.4, t.5, t.6);
    assert_eq!(strip(&seen[0]), strip(&seen[1]));
    assert_eq!(
        seen[0].1 as usize, seen[0].3,
        "client and emulator agree on the count"
    );
    assert!(seen[0].5 >= 300, "300 privileged principals: {}", seen[0].5);
}

/// Look-ups start while pages are still coming, so answers arrive in an order that
/// depends on timing: slowing one route or another must not change the snapshot, nor
/// which requests are sent.
#[tokio::test]
async fn the_snapshot_does_not_depend_on_the_order_answers_arrive_in() {
    let slow_routes = [
        "/roleManagement/directory/roleAssignments",
        "/roleManagement/directory/roleAssignmentSchedules",
        "/roleManagement/directory/roleEligibilitySchedules",
        "/policies/roleManagementPolicyAssignments",
        "/users/",
        "/groups/",
        "/servicePrincipals/",
    ];
    for fixture in ["large-100", "contoso-e5"] {
        let mut seen = Vec::new();
        for slow in std::iter::once(None).chain(slow_routes.map(Some)) {
            let emu = Emulator::start_named(fixture).await.unwrap();
            if let Some(path) = slow {
                emu.set_fault(path, Fault::latency(Duration::from_millis(30)));
            }
            let (mut s, stats) = collect(&emu).await;
            assert!(s.gaps.is_empty(), "{fixture}, {slow:?}: {:?}", s.gaps);
            s.meta.graph_host.clear();
            s.meta.duration_ms = 0;
            let mut requests: Vec<String> = emu
                .requests()
                .iter()
                .filter(|r| r.path() != "/v1.0/$batch")
                .map(|r| format!("{} {}", r.method, r.path_and_query))
                .collect();
            requests.sort();
            seen.push((slow, s.to_json(), requests, stats.depth));
        }
        let (_, json, requests, depth) = &seen[0];
        for (slow, other_json, other_requests, other_depth) in &seen[1..] {
            assert!(
                json == other_json,
                "{fixture}, {slow:?}: the snapshot differs"
            );
            assert!(
                requests == other_requests,
                "{fixture}, {slow:?}: other requests"
            );
            assert_eq!(depth, other_depth, "{fixture}, {slow:?}");
        }
    }
}

/// With the role assignments slow to page, the look-ups their other pages name do not
/// wait for them: a `$batch` reaches Graph before the last page of role assignments is
/// asked for (arrival order, not time).
#[tokio::test]
async fn look_ups_start_before_the_tenant_wide_reads_end() {
    let emu = Emulator::start_named("large-100").await.unwrap();
    emu.set_fault(
        RouteMatcher::Exact("/roleManagement/directory/roleAssignments".into()),
        Fault::latency(Duration::from_millis(100)),
    );
    let (s, stats) = collect(&emu).await;
    assert!(s.gaps.is_empty(), "{:?}", s.gaps);
    let log = emu.requests();
    let pages: Vec<usize> = log
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            !r.in_batch && r.path() == "/v1.0/roleManagement/directory/roleAssignments"
        })
        .map(|(i, _)| i)
        .collect();
    let first_batch = log
        .iter()
        .position(|r| r.path() == "/v1.0/$batch")
        .expect("look-ups were batched");
    assert!(pages.len() >= 2, "role assignments page: {}", pages.len());
    assert!(
        first_batch < *pages.last().unwrap(),
        "a $batch ({first_batch}) before the last page ({pages:?})"
    );
    // The chain is still the pages, then one round trip of look-ups.
    assert_eq!(stats.chain_per_wave, [pages.len() as u32, 1]);
}

/// The desktop cancels a collection by dropping it. Its requests run as tasks of their
/// own, which must stop with it: nothing more reaches Graph after the drop.
///
/// No response can arrive before the drop (each takes 2 s), so the collection cannot have
/// sent a second wave yet; the drop comes once the first request has reached the emulator,
/// not after a fixed time, so a loaded machine changes nothing. Requests already on the wire
/// may still land just after the drop; a task that outlived it would send its next page as
/// soon as its answer came, within the 3 s watched after that.
#[tokio::test]
async fn a_dropped_collection_sends_nothing_more() {
    let emu = Emulator::start_named("large-100").await.unwrap();
    emu.set_latency(Duration::from_secs(2));
    let tokens = Arc::new(StaticToken(AccessToken::new(emu.token())));
    let mut sink = |_| {};
    let collection =
        collect_snapshot_with_stats(config(&emu, Arc::new(SystemClock)), tokens, &mut sink);
    let first_request = async {
        while emu.http_request_count() == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::select! {
        _ = collection => panic!("the collection finished before any answer came"),
        () = first_request => {}
    }
    // Dropped: requests already sent may still be counted as they land.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sent = emu.http_request_count();
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(emu.http_request_count(), sent, "nothing after the drop");
    assert!(sent <= 11, "only first pages: {sent}");
}

#[tokio::test]
async fn paging_across_several_pages_is_complete() {
    let emu = Emulator::start_named("large-100").await.unwrap();
    let (s, _) = collect(&emu).await;
    let expected = emu.tenant().role_assignments.len();
    assert_eq!(s.role_assignments.as_ref().unwrap().len(), expected);
    assert_eq!(
        s.role_eligibility_schedule_instances
            .as_ref()
            .unwrap()
            .len(),
        emu.tenant().role_eligibility_schedule_instances.len()
    );
    let pages = emu
        .requests()
        .iter()
        .filter(|r| r.path() == "/v1.0/roleManagement/directory/roleAssignments")
        .count();
    assert_eq!(pages, expected.div_ceil(100), "one request per page of 100");
    assert!(
        emu.requests()
            .iter()
            .filter(|r| r.path_and_query.contains("skiptoken"))
            .count()
            >= 2
    );
}

#[tokio::test]
async fn a_429_storm_ends_in_success() {
    let emu = Emulator::start_named("contoso-e5").await.unwrap();
    emu.set_fault(
        "/organization",
        Fault::throttle(Duration::from_millis(200), 4),
    );
    emu.set_fault(
        "/identity/conditionalAccess/policies",
        Fault::throttle(Duration::from_millis(100), 2),
    );
    let (s, _) = collect(&emu).await;
    assert!(s.gaps.is_empty(), "{:?}", s.gaps);
    assert!(s.meta.retries >= 6, "retries {}", s.meta.retries);
    let org = emu
        .requests()
        .into_iter()
        .filter(|r| r.path() == "/v1.0/organization")
        .collect::<Vec<_>>();
    assert_eq!(
        org.iter().map(|r| r.status).collect::<Vec<_>>(),
        [Some(429), Some(429), Some(429), Some(429), Some(200)]
    );
}

#[tokio::test]
async fn throttled_inner_batch_requests_are_retried() {
    let emu = Emulator::start_named("contoso-e5").await.unwrap();
    let inner_users =
        RouteMatcher::Custom(Arc::new(|_, path: &str, _| path.starts_with("/users/")));
    emu.set_fault(inner_users, Fault::throttle(Duration::from_millis(100), 3));
    let (s, _) = collect(&emu).await;
    assert!(s.gaps.is_empty(), "{:?}", s.gaps);
    let throttled_inner = emu
        .requests()
        .iter()
        .filter(|r| r.in_batch && r.status == Some(429))
        .count();
    assert_eq!(throttled_inner, 3);
}

#[tokio::test]
async fn token_bucket_throttling_is_survived() {
    let emu = Emulator::start_named("contoso-e5").await.unwrap();
    emu.set_throttling(Some(Throttling {
        rate_per_second: 200.0,
        burst: 20,
    }));
    let (s, _) = collect_with(&emu, Arc::new(SystemClock)).await;
    assert!(s.gaps.is_empty(), "{:?}", s.gaps);
    println!(
        "token bucket: {} rejections, {} retries",
        emu.throttled_count(),
        s.meta.retries
    );
    assert!(emu.throttled_count() > 0);
}

/// A token bucket smaller than one `$batch` of 20: after the first 429s the client
/// sends smaller batches, fewer at a time, and only the throttled inner requests again,
/// so Graph refuses a bounded share of what the collection needs. A count, not a time.
#[tokio::test]
async fn a_bucket_smaller_than_a_batch_refuses_few_requests() {
    let emu = Emulator::start_named("contoso-e5").await.unwrap();
    let (free, _) = collect(&emu).await;
    // What Graph's limit counts: every request but the `$batch` envelopes.
    let needed = emu
        .requests()
        .iter()
        .filter(|r| r.path() != "/v1.0/$batch")
        .count() as u64;
    emu.clear_requests();
    emu.set_throttling(Some(Throttling {
        rate_per_second: 100.0,
        burst: 5,
    }));
    let mut config = config(&emu, Arc::new(SystemClock));
    config.graph.retry = RetryPolicy::default();
    let tokens = Arc::new(StaticToken(AccessToken::new(emu.token())));
    let mut sink = |_| {};
    let (s, stats) = collect_snapshot_with_stats(config, tokens, &mut sink)
        .await
        .expect("collection succeeds");
    let refused = emu.throttled_count();
    println!(
        "bucket 100/s, burst 5: {needed} requests needed, {refused} refused, {} HTTP requests (unthrottled {}), window down to {}",
        s.meta.requests, free.meta.requests, stats.counters.narrowest_window
    );
    assert!(s.gaps.is_empty(), "{:?}", s.gaps);
    assert_eq!(
        u64::from(stats.counters.throttled),
        refused,
        "client and emulator agree"
    );
    assert!(
        stats.counters.narrowest_window < 20,
        "smaller batches after a 429"
    );
    assert_eq!(
        stats.counters.window_returns, 0,
        "a bucket refusing most of a flight is no transient 429: the window grows back slowly"
    );
    // Until the first 429 comes back the client sends at full speed: one `$batch` of 20
    // may meet the empty bucket (wave 2 starts while wave 1 is being throttled). After
    // that, refusals stay within what the collection needs. Measured: 15–19 refused for
    // 48 needed, 43–48 when a full batch raced the first 429 (the bucket runs on real
    // time). Before the send window, full batches went back into the bucket: 102–109.
    let first_contact = pimready_graph::client::BATCH_LIMIT as u64;
    assert!(
        refused <= needed + first_contact,
        "{refused} refused for {needed} needed"
    );
}

/// The failed dataset is a gap; the other tenant-wide reads are still collected. The
/// collector also marks the principal datasets that would be built from it as gaps
/// naming the dependency (an incomplete population must not look complete).
fn assert_only_dependents_missing(s: &TenantSnapshot, failed: Dataset) {
    let dependents = [
        Dataset::PrivilegedPrincipals,
        Dataset::SignInActivity,
        Dataset::PrivilegedGroups,
        Dataset::GroupEligibilityScheduleInstances,
        Dataset::GroupAssignmentScheduleInstances,
    ];
    for g in &s.gaps {
        assert!(
            g.dataset == failed
                || (dependents.contains(&g.dataset) && g.detail.contains(failed.as_str())),
            "unexpected gap {g:?}"
        );
    }
    for d in Dataset::ALL {
        if d != failed && !dependents.contains(&d) {
            assert!(s.has(d), "{d} still collected when {failed} fails");
        }
    }
}

#[tokio::test]
async fn a_503_beyond_the_retry_budget_is_a_gap_not_a_crash() {
    let emu = Emulator::start_named("contoso-e5").await.unwrap();
    emu.set_fault(
        "/roleManagement/directory/roleAssignmentSchedules",
        Fault::status_always(503),
    );
    let (s, _) = collect(&emu).await;
    let gap = s.gap(Dataset::RoleAssignmentSchedules).expect("a gap");
    assert_eq!((gap.reason, gap.status), (GapReason::Error, Some(503)));
    assert_only_dependents_missing(&s, Dataset::RoleAssignmentSchedules);
    assert!(s.role_assignment_schedule_instances.is_some());
}

#[tokio::test]
async fn malformed_and_broken_bodies_are_gaps() {
    for (path, kind, dataset) in [
        (
            "/roleManagement/directory/roleAssignmentScheduleInstances",
            FaultKind::MalformedJson,
            Dataset::RoleAssignmentScheduleInstances,
        ),
        (
            "/policies/roleManagementPolicyAssignments",
            FaultKind::WrongShape,
            Dataset::RoleManagementPolicies,
        ),
        ("/organization", FaultKind::Reset, Dataset::Organization),
        (
            "/identityGovernance/accessReviews/definitions",
            FaultKind::NextLinkLoop,
            Dataset::AccessReviews,
        ),
    ] {
        let emu = Emulator::start_named("contoso-e5").await.unwrap();
        emu.set_fault(path, Fault::always(kind.clone()));
        let (s, _) = collect(&emu).await;
        assert_eq!(reason(&s, dataset), Some(GapReason::Error), "{kind:?}");
        assert_only_dependents_missing(&s, dataset);
        let sent = emu
            .requests()
            .iter()
            .filter(|r| r.path().ends_with(path))
            .count();
        assert!(sent <= 60, "{kind:?}: bounded ({sent} requests)");
    }
}

#[tokio::test]
async fn a_foreign_next_link_is_refused_and_no_token_leaves() {
    let emu = Emulator::start_named("northwind-p2").await.unwrap();
    emu.set_fault(
        "/roleManagement/directory/roleEligibilityScheduleInstances",
        FaultKind::ForeignNextLink,
    );
    let (s, _) = collect(&emu).await;
    assert_eq!(
        reason(&s, Dataset::RoleEligibilityScheduleInstances),
        Some(GapReason::Error)
    );
    assert!(
        emu.foreign_requests().is_empty(),
        "the second listener saw nothing"
    );
    assert!(emu.requests().iter().all(|r| r.listener == Listener::Graph));
}

#[tokio::test]
async fn sign_in_activity_without_p1_is_not_licensed() {
    let mut raw = Fixture::load("fabrikam-bp").unwrap().raw().clone();
    raw["subscribedSkus"] = serde_json::json!([]);
    let emu = Emulator::start(Fixture::from_json("no-premium", &raw.to_string()).unwrap())
        .await
        .unwrap();
    let (s, _) = collect(&emu).await;
    assert_eq!(
        reason(&s, Dataset::SignInActivity),
        Some(GapReason::NotLicensed),
        "{:?}",
        s.gap(Dataset::SignInActivity)
    );
    assert!(s.has(Dataset::PrivilegedPrincipals));
}

/// Every tenant-wide read × every fault the issue names: the collection completes, the gap
/// names the dataset with the right reason, nothing else is lost, no loop runs away; and the
/// assessment of that snapshot has every check that reads the dataset `not_assessed` or
/// `not_licensed` (none passes), while every check whose data is all there is assessed.
#[tokio::test]
async fn fault_matrix_over_tenant_wide_reads() {
    use pimready_core::checks::catalog;
    use pimready_core::finding::Status;
    use pimready_graph::collect::WAVE_1;
    let faults = [
        // A 429 storm that outlasts the retry budget.
        (
            FaultKind::Throttle {
                retry_after: Duration::from_millis(5),
            },
            GapReason::Error,
        ),
        (FaultKind::Status(500), GapReason::Error),
        (FaultKind::Status(503), GapReason::Error),
        (
            FaultKind::Unavailable {
                retry_after: Duration::from_millis(5),
            },
            GapReason::Error,
        ),
        (FaultKind::Hang, GapReason::Error),
        (FaultKind::MalformedJson, GapReason::Error),
        (FaultKind::WrongShape, GapReason::Error),
        (FaultKind::NextLinkLoop, GapReason::Error),
        (FaultKind::ForeignNextLink, GapReason::Error),
        (FaultKind::DropMidBody, GapReason::Error),
        (FaultKind::Reset, GapReason::Error),
        // 401 after the token expired (a static token cannot be renewed).
        (FaultKind::Unauthorized, GapReason::PermissionDenied),
        (FaultKind::Forbidden, GapReason::PermissionDenied),
        (FaultKind::NotLicensed, GapReason::NotLicensed),
    ];
    let settings = pimready_core::settings::AssessmentSettings::default();
    let book = pimready_core::pricebook::PriceBook::default_book();
    let mut cells = 0;
    let mut checks_withheld = 0;
    for (dataset, url) in WAVE_1 {
        let path = url.split('?').next().unwrap().trim_start_matches("/v1.0");
        for (kind, expected) in &faults {
            let emu = Emulator::start_named("contoso-e5").await.unwrap();
            emu.set_fault(
                RouteMatcher::Exact(path.to_owned()),
                Fault::always(kind.clone()),
            );
            let mut c = config(&emu, Arc::new(RecordingClock::new(now())));
            // A hung answer is cut by the request timeout: keep the matrix quick.
            c.graph.request_timeout = Duration::from_millis(300);
            let tokens = Arc::new(StaticToken(AccessToken::new(emu.token())));
            let s = match collect_snapshot_with_stats(c, tokens, &mut |_| {}).await {
                Ok((s, _)) => s,
                // The organisation is the first read and proves the token: refused even
                // after a fresh token, it is "sign in again", not a gap.
                Err(CollectError::SignIn(detail))
                    if dataset == Dataset::Organization && *kind == FaultKind::Unauthorized =>
                {
                    assert!(detail.contains("401"), "{detail}");
                    cells += 1;
                    continue;
                }
                Err(e) => panic!("{dataset} × {kind:?}: the collection failed: {e}"),
            };
            assert_eq!(
                reason(&s, dataset),
                Some(*expected),
                "{dataset} × {kind:?}: {:?}",
                s.gaps
            );
            assert!(!s.has(dataset), "{dataset} × {kind:?}");
            assert_only_dependents_missing(&s, dataset);
            let sent = emu
                .requests()
                .iter()
                .filter(|r| r.path() == url.split('?').next().unwrap())
                .count();
            assert!(sent <= 60, "{dataset} × {kind:?}: {sent} requests");
            assert!(
                emu.foreign_requests().is_empty(),
                "{dataset} × {kind:?}: nothing reached the foreign host"
            );

            let a = pimready_core::assessment::assess(&s, &settings, &book);
            for def in catalog() {
                let f = a.checks.iter().find(|f| f.id == def.id).unwrap();
                let reads: Vec<Dataset> = def
                    .data
                    .iter()
                    .chain(if a.licensing.pim_capable {
                        def.data_with_pim
                    } else {
                        &[]
                    })
                    .copied()
                    .collect();
                if reads.iter().any(|d| !s.has(*d)) {
                    assert!(
                        matches!(f.status, Status::NotAssessed | Status::NotLicensed),
                        "{dataset} × {kind:?}: {} reads a missing dataset but is {:?}",
                        def.id,
                        f.status
                    );
                    checks_withheld += 1;
                } else {
                    assert_ne!(
                        f.status,
                        Status::NotAssessed,
                        "{dataset} × {kind:?}: {} has its data but was not assessed",
                        def.id
                    );
                }
            }
            cells += 1;
        }
    }
    println!(
        "fault matrix: {} datasets × {} faults = {cells} cells, each a gap (organization × 401: sign in again); {checks_withheld} check results withheld for missing data, none passed",
        WAVE_1.len(),
        faults.len()
    );
}

/// The chain a wave waits for is its longest run of pages fetched one after another:
/// in wave 1, the tenant-wide read with the most pages.
#[tokio::test]
async fn the_longest_chain_counts_pages_fetched_one_after_another() {
    let emu = Emulator::start_named("large-100").await.unwrap();
    let (s, stats) = collect(&emu).await;
    let log = emu.requests();
    let most_pages = pimready_graph::collect::WAVE_1
        .iter()
        .map(|(_, path)| {
            let path = path.split('?').next().unwrap();
            log.iter()
                .filter(|r| !r.in_batch && r.path() == path)
                .count()
        })
        .max()
        .unwrap();
    assert!(
        most_pages >= 2,
        "large-100 pages its role data: {most_pages}"
    );
    assert_eq!(stats.chain_per_wave.len() as u32, stats.depth);
    assert_eq!(stats.chain_per_wave[0] as usize, most_pages);
    assert!(stats.chain_per_wave[1..].iter().all(|&c| c >= 1));
    assert!(stats.longest_chain() <= s.meta.requests);
}
