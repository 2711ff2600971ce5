//! The Graph client and the collector against the tenant emulator.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use pimready_core::cloud::{Cloud, Endpoints, GraphHost};
use pimready_core::snapshot::{Dataset, GapReason, TenantSnapshot};
use pimready_graph::client::{GraphClient, GraphConfig, GraphErrorKind, RecordingClock};
use pimready_graph::collect::{
    CollectConfig, CollectError, CollectErrorKind, CollectStats, collect_snapshot_with_stats,
};
use pimready_graph::progress::Progress;
use pimready_graph::token::{AccessToken, StaticToken, TokenFuture, TokenSource};
use pimready_tests::{Emulator, Fault, FaultKind, Fixture, Listener, RouteMatcher};

fn fixed_now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-26T05:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn graph_config(clock: Arc<RecordingClock>) -> GraphConfig {
    pimready_tests::retrying_graph_config(clock, 7)
}

fn config(emu: &Emulator, clock: Arc<RecordingClock>) -> CollectConfig {
    let mut c = pimready_tests::collect_config(emu, fixed_now);
    c.graph = graph_config(clock);
    c
}

fn token(emu: &Emulator) -> Arc<dyn TokenSource> {
    Arc::new(StaticToken(AccessToken::new(emu.token())))
}

struct Collected {
    snapshot: TenantSnapshot,
    stats: CollectStats,
    events: Vec<Progress>,
    clock: Arc<RecordingClock>,
}

async fn try_collect(
    emu: &Emulator,
    tokens: Arc<dyn TokenSource>,
) -> Result<Collected, CollectError> {
    let clock = Arc::new(RecordingClock::new(fixed_now()));
    let mut events = Vec::new();
    let mut sink = |p: Progress| events.push(p);
    let (snapshot, stats) =
        collect_snapshot_with_stats(config(emu, clock.clone()), tokens, &mut sink).await?;
    Ok(Collected {
        snapshot,
        stats,
        events,
        clock,
    })
}

async fn collect(emu: &Emulator) -> Collected {
    try_collect(emu, token(emu))
        .await
        .expect("collection succeeds")
}

async fn emulator(name: &str) -> Emulator {
    Emulator::start_named(name).await.expect("emulator starts")
}

fn gap(s: &TenantSnapshot, d: Dataset) -> (GapReason, Option<u16>, Option<String>) {
    let g = s
        .gap(d)
        .unwrap_or_else(|| panic!("a gap for {d}; gaps: {:?}", s.gaps));
    (g.reason, g.status, g.code.clone())
}

/// Every dataset ends in exactly one Finished or Gap event, after its Started.
fn assert_progress_complete(events: &[Progress]) {
    for d in Dataset::ALL {
        let started = events
            .iter()
            .position(|e| *e == Progress::Started { dataset: d });
        let done: Vec<usize> = (0..events.len())
            .filter(|&i| events[i].dataset() == d && events[i].is_done())
            .collect();
        assert!(started.is_some(), "{d} started");
        assert_eq!(done.len(), 1, "{d} finished once: {events:?}");
        assert!(done[0] > started.unwrap());
    }
}

#[tokio::test]
async fn contoso_collects_every_dataset_in_three_waves() {
    let emu = emulator("contoso-e5").await;
    let c = collect(&emu).await;
    let s = &c.snapshot;
    assert!(s.gaps.is_empty(), "gaps: {:#?}", s.gaps);
    for d in Dataset::ALL {
        assert!(s.has(d), "{d} collected");
    }
    assert_eq!(s.tenant_id, emu.tenant_id());
    assert_eq!(s.meta.collected_at, fixed_now());
    assert_eq!(
        s.meta.graph_host,
        emu.base_url().trim_start_matches("http://")
    );
    assert_progress_complete(&c.events);
    assert!(!s.privileged_principals.as_ref().unwrap().is_empty());
    // Every role holder named by an assignment is among the privileged principals.
    for a in s.role_assignments.as_ref().unwrap() {
        assert!(
            s.principal(&a.principal_id).is_some(),
            "principal {} found",
            a.principal_id
        );
    }

    let requests = emu.requests();
    let top_level: Vec<_> = requests
        .iter()
        .filter(|r| !r.in_batch && r.listener == Listener::Graph)
        .collect();
    assert_eq!(
        top_level.len() as u32,
        s.meta.requests,
        "the client counts what the emulator saw"
    );
    assert_eq!(
        requests.iter().filter(|r| r.in_batch).count() as u32,
        s.meta.batched_requests
    );
    assert!(
        !requests
            .iter()
            .any(|r| r.path() == "/v1.0/users" || r.path() == "/users"),
        "the directory is never listed"
    );
    assert!(c.stats.depth <= 3, "depth {}", c.stats.depth);
    println!(
        "contoso-e5: {} requests ({} inside $batch), {} retries, depth {}, per wave {:?}",
        s.meta.requests,
        s.meta.batched_requests,
        s.meta.retries,
        c.stats.depth,
        c.stats.requests_per_wave
    );
}

#[tokio::test]
async fn every_fixture_collects() {
    for name in ["contoso-e5", "fabrikam-bp", "northwind-p2"] {
        let emu = emulator(name).await;
        let c = collect(&emu).await;
        assert!(c.snapshot.organization.is_some(), "{name}");
        assert_progress_complete(&c.events);
        println!(
            "{name}: {} requests, depth {}, gaps {:?}",
            c.snapshot.meta.requests,
            c.stats.depth,
            c.snapshot
                .gaps
                .iter()
                .map(|g| (g.dataset, g.reason))
                .collect::<Vec<_>>()
        );
    }
}

#[tokio::test]
async fn unlicensed_tenant_gets_not_licensed_gaps() {
    let emu = emulator("fabrikam-bp").await;
    let c = collect(&emu).await;
    let s = &c.snapshot;
    for d in [
        Dataset::RoleAssignmentScheduleInstances,
        Dataset::RoleAssignmentSchedules,
        Dataset::RoleEligibilityScheduleInstances,
        Dataset::RoleEligibilitySchedules,
    ] {
        assert_eq!(
            gap(s, d),
            (
                GapReason::NotLicensed,
                Some(400),
                Some("AadPremiumLicenseRequired".into())
            ),
            "{d}"
        );
        assert!(!s.has(d));
    }
    assert!(
        s.role_assignments.is_some(),
        "active assignments read without P2"
    );
}

#[tokio::test]
async fn request_count_does_not_grow_with_tenant_size() {
    let mut counts = Vec::new();
    for users in [100, 100_000] {
        let mut fixture = Fixture::load("large").unwrap();
        fixture.set_generated_users(users);
        let emu = Emulator::start(fixture).await.unwrap();
        let c = collect(&emu).await;
        assert!(c.snapshot.gaps.is_empty(), "{:?}", c.snapshot.gaps);
        counts.push((
            c.snapshot.meta.requests,
            c.snapshot.meta.batched_requests,
            c.stats.depth,
        ));
    }
    println!("large with 100 vs 100,000 users: (requests, batched, depth) {counts:?}");
    assert_eq!(counts[0], counts[1]);
}

#[tokio::test]
async fn throttling_storm_ends_in_success() {
    let emu = emulator("contoso-e5").await;
    emu.set_fault(
        "/roleManagement/directory/roleDefinitions",
        Fault::throttle(Duration::from_millis(500), 3),
    );
    let c = collect(&emu).await;
    assert!(c.snapshot.role_definitions.is_some());
    assert!(c.snapshot.gaps.is_empty(), "{:?}", c.snapshot.gaps);
    assert!(c.snapshot.meta.retries >= 3);
    let waits = c.clock.sleeps();
    assert_eq!(
        waits
            .iter()
            .filter(|d| **d == Duration::from_millis(500))
            .count(),
        3,
        "Retry-After honoured: {waits:?}"
    );
}

/// A `Retry-After` of ten hours: that read is given up as a named gap at once, and no
/// other request of the client is held back longer than the retry budget (3 s here).
#[tokio::test]
async fn a_retry_after_beyond_the_budget_is_clamped() {
    let emu = emulator("contoso-e5").await;
    emu.set_fault(
        "/roleManagement/directory/roleDefinitions",
        Fault::throttle(Duration::from_secs(10 * 3600), 1),
    );
    let c = collect(&emu).await;
    assert!(c.snapshot.role_definitions.is_none());
    assert_eq!(c.snapshot.gaps.len(), 1, "{:?}", c.snapshot.gaps);
    assert!(c.snapshot.organization.is_some() && c.snapshot.subscribed_skus.is_some());
    let longest = c.clock.sleeps().into_iter().max().unwrap_or_default();
    assert!(longest <= Duration::from_secs(3), "waited {longest:?}");
}

#[tokio::test]
async fn throttled_requests_inside_batch_are_retried() {
    let emu = emulator("contoso-e5").await;
    let inner_users =
        RouteMatcher::Custom(Arc::new(|_, path: &str, _| path.starts_with("/users/")));
    emu.set_fault(inner_users, Fault::throttle(Duration::from_millis(250), 4));
    let c = collect(&emu).await;
    assert!(c.snapshot.gaps.is_empty(), "{:?}", c.snapshot.gaps);
    assert!(c.snapshot.meta.retries >= 1, "retried");
    let throttled = emu
        .requests()
        .iter()
        .filter(|r| r.in_batch && r.status == Some(429))
        .count();
    assert_eq!(throttled, 4, "the emulator throttled four inner requests");
    assert!(
        c.clock.sleeps().contains(&Duration::from_millis(250)),
        "inner Retry-After honoured"
    );
}

#[tokio::test]
async fn unavailable_beyond_the_budget_is_a_gap() {
    let emu = emulator("contoso-e5").await;
    emu.set_fault("/subscribedSkus", Fault::status_always(503));
    let c = collect(&emu).await;
    assert_eq!(
        gap(&c.snapshot, Dataset::SubscribedSkus).0,
        GapReason::Error
    );
    assert_eq!(gap(&c.snapshot, Dataset::SubscribedSkus).1, Some(503));
    let sent = emu
        .requests()
        .iter()
        .filter(|r| r.path() == "/v1.0/subscribedSkus")
        .count();
    assert!(
        (2..=6).contains(&sent),
        "retried, then stopped: {sent} sent"
    );
    let waited: Duration = c.clock.sleeps().iter().sum();
    assert!(
        waited <= Duration::from_secs(3),
        "within the retry budget: {waited:?}"
    );
    assert!(
        c.snapshot.role_definitions.is_some(),
        "the rest is collected"
    );
}

#[tokio::test]
async fn broken_answers_are_gaps() {
    let cases: [(&str, FaultKind, Dataset); 6] = [
        (
            "/identity/conditionalAccess/policies",
            FaultKind::MalformedJson,
            Dataset::ConditionalAccessPolicies,
        ),
        (
            "/identityGovernance/accessReviews/definitions",
            FaultKind::WrongShape,
            Dataset::AccessReviews,
        ),
        (
            "/roleManagement/directory/roleDefinitions",
            FaultKind::NextLinkLoop,
            Dataset::RoleDefinitions,
        ),
        (
            "/subscribedSkus",
            FaultKind::Status(500),
            Dataset::SubscribedSkus,
        ),
        (
            "/subscribedSkus",
            FaultKind::DropMidBody,
            Dataset::SubscribedSkus,
        ),
        (
            "/roleManagement/directory/roleEligibilitySchedules",
            FaultKind::Hang,
            Dataset::RoleEligibilitySchedules,
        ),
    ];
    for (path, kind, dataset) in cases {
        let emu = emulator("contoso-e5").await;
        emu.set_fault(path, Fault::always(kind.clone()));
        let c = collect(&emu).await;
        let (reason, _, _) = gap(&c.snapshot, dataset);
        assert_eq!(reason, GapReason::Error, "{kind:?}");
        assert!(!c.snapshot.has(dataset), "{kind:?}");
        let expected = if dataset == Dataset::RoleEligibilitySchedules {
            1 + DERIVED.len()
        } else {
            1
        };
        assert_eq!(
            c.snapshot.gaps.len(),
            expected,
            "{kind:?}: only {dataset} (and what depends on it) is missing: {:?}",
            c.snapshot.gaps
        );
    }
}

/// Datasets read for the privileged population found in wave 1.
const DERIVED: [Dataset; 5] = [
    Dataset::PrivilegedPrincipals,
    Dataset::SignInActivity,
    Dataset::PrivilegedGroups,
    Dataset::GroupEligibilityScheduleInstances,
    Dataset::GroupAssignmentScheduleInstances,
];

#[tokio::test]
async fn an_unreadable_population_source_gaps_the_population() {
    let emu = emulator("contoso-e5").await;
    emu.set_fault(
        "/roleManagement/directory/roleAssignments",
        FaultKind::Forbidden,
    );
    let c = collect(&emu).await;
    let s = &c.snapshot;
    assert_eq!(
        gap(s, Dataset::RoleAssignments).0,
        GapReason::PermissionDenied
    );
    for d in DERIVED {
        let g = s.gap(d).unwrap_or_else(|| panic!("{d} gapped"));
        assert_eq!(g.reason, GapReason::PermissionDenied, "{d}");
        assert_eq!(
            g.missing_scope.as_deref(),
            Some("RoleManagement.Read.Directory"),
            "{d}"
        );
        assert!(!s.has(d), "{d}");
    }
    assert_progress_complete(&c.events);
    // Look-ups of holders the other reads typed (`$expand=principal`) may have left while
    // the role assignments were still being read; none of their answers is kept (above).
}

#[tokio::test]
async fn nothing_readable_fails_the_collection() {
    let emu = emulator("contoso-e5").await;
    emu.set_fault(
        RouteMatcher::Prefix(String::new()),
        Fault::status_always(500),
    );
    let e = try_collect(&emu, token(&emu)).await.err().expect("fails");
    assert_eq!(e.kind(), CollectErrorKind::NothingRead, "{e}");
}

#[tokio::test]
async fn foreign_next_link_is_refused_and_gets_no_token() {
    let emu = emulator("contoso-e5").await;
    emu.set_fault(
        "/roleManagement/directory/roleAssignments",
        FaultKind::ForeignNextLink,
    );
    let c = collect(&emu).await;
    assert_eq!(
        gap(&c.snapshot, Dataset::RoleAssignments).0,
        GapReason::Error
    );
    assert!(
        emu.foreign_requests().is_empty(),
        "nothing was sent to the foreign host"
    );
    assert!(emu.requests().iter().all(|r| r.listener == Listener::Graph));
}

#[tokio::test]
async fn permission_and_licence_answers_become_typed_gaps() {
    let emu = emulator("contoso-e5").await;
    let sign_in = RouteMatcher::Custom(Arc::new(|_, _, query: &str| {
        query.contains("signInActivity")
    }));
    emu.set_fault(sign_in, FaultKind::Forbidden);
    emu.set_fault(
        "/identityGovernance/accessReviews/definitions",
        FaultKind::NotLicensed,
    );
    let c = collect(&emu).await;
    let s = &c.snapshot;
    let g = s.gap(Dataset::SignInActivity).expect("sign-in gap");
    assert_eq!(
        (g.reason, g.status),
        (GapReason::PermissionDenied, Some(403))
    );
    assert_eq!(g.missing_scope.as_deref(), Some("AuditLog.Read.All"));
    assert_eq!(gap(s, Dataset::AccessReviews).0, GapReason::NotLicensed);
    assert!(
        s.privileged_principals.is_some(),
        "user details are unaffected by the sign-in gap"
    );
    assert_eq!(s.gaps.len(), 2, "{:?}", s.gaps);
}

/// Hands out an expired token first; after Graph rejects it, the good one.
struct ExpiringToken {
    good: String,
    rejected: AtomicBool,
    seen: Mutex<Vec<String>>,
}

impl TokenSource for ExpiringToken {
    fn access_token(&self) -> TokenFuture<'_> {
        let t = if self.rejected.load(Ordering::SeqCst) {
            self.good.clone()
        } else {
            "expired".to_owned()
        };
        Box::pin(async move { Ok(AccessToken::new(t)) })
    }
    fn token_rejected(&self, token: &AccessToken) {
        self.seen.lock().unwrap().push(token.secret().to_owned());
        self.rejected.store(true, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once() {
    let emu = emulator("contoso-e5").await;
    let tokens = Arc::new(ExpiringToken {
        good: emu.token().to_owned(),
        rejected: AtomicBool::new(false),
        seen: Mutex::new(Vec::new()),
    });
    let c = try_collect(&emu, tokens.clone()).await.unwrap();
    assert!(c.snapshot.gaps.is_empty(), "{:?}", c.snapshot.gaps);
    assert!(tokens.seen.lock().unwrap().iter().all(|t| t == "expired"));
}

#[tokio::test]
async fn a_refused_token_fails_the_collection() {
    let emu = emulator("contoso-e5").await;
    let bad: Arc<dyn TokenSource> = Arc::new(StaticToken(AccessToken::new("not-the-token")));
    let e = try_collect(&emu, bad).await.err().expect("refused");
    assert_eq!(e.kind(), CollectErrorKind::SignIn, "{e}");
}

#[tokio::test]
async fn an_unreachable_host_fails_the_collection() {
    let emu = emulator("contoso-e5").await;
    let base = emu.base_url().to_owned();
    drop(emu);
    // A bound-then-closed port: nothing listens there any more.
    let mut c = CollectConfig::new("contoso.com", Cloud::Global);
    let dead = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = dead.local_addr().unwrap().port();
    drop(dead);
    c.endpoints = Endpoints::new(
        Cloud::Global,
        None,
        Some(&format!("http://127.0.0.1:{port}")),
    )
    .unwrap();
    c.graph = graph_config(Arc::new(RecordingClock::new(fixed_now())));
    let mut sink = |_: Progress| {};
    let e = collect_snapshot_with_stats(c, Arc::new(StaticToken(AccessToken::new("t"))), &mut sink)
        .await
        .expect_err("unreachable");
    assert_eq!(e.kind(), CollectErrorKind::Unreachable, "{e} ({base})");
}

#[tokio::test]
async fn another_tenant_is_a_mismatch() {
    let emu = emulator("contoso-e5").await;
    let clock = Arc::new(RecordingClock::new(fixed_now()));
    for (asked, ok) in [
        ("00000000-0000-4000-8000-000000000000", false),
        ("fabrikam.example", false),
        (emu.tenant_id(), true),
    ] {
        let mut c = config(&emu, clock.clone());
        c.tenant = asked.to_owned();
        let mut sink = |_: Progress| {};
        let got = collect_snapshot_with_stats(c, token(&emu), &mut sink).await;
        match got {
            Ok(_) => assert!(ok, "{asked}"),
            Err(e) => assert_eq!(
                (e.kind(), ok),
                (CollectErrorKind::TenantMismatch, false),
                "{asked}: {e}"
            ),
        }
    }
}

#[tokio::test]
async fn client_pages_across_several_pages() {
    let emu = emulator("contoso-e5").await;
    let clock = Arc::new(RecordingClock::new(fixed_now()));
    let client = GraphClient::new(
        GraphHost::parse(emu.base_url()).unwrap(),
        token(&emu),
        graph_config(clock),
    )
    .unwrap();
    let all = client
        .get_collection("/v1.0/roleManagement/directory/roleDefinitions")
        .await
        .unwrap();
    let paged = client
        .get_collection("/v1.0/roleManagement/directory/roleDefinitions?$top=3")
        .await
        .unwrap();
    assert_eq!(all, paged);
    assert!(all.len() > 6, "several pages: {}", all.len());
    let pages = emu
        .requests()
        .iter()
        .filter(|r| r.path().ends_with("roleDefinitions"))
        .count();
    assert_eq!(pages, 1 + all.len().div_ceil(3));
    // Inner 429s inside $batch are retried, the answers matched to their requests.
    let ids: Vec<String> = all
        .iter()
        .take(25)
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    emu.set_fault(
        RouteMatcher::Custom(Arc::new(|_, path: &str, _| {
            path.contains("roleDefinitions/")
        })),
        Fault::throttle(Duration::from_millis(100), 4),
    );
    let urls: Vec<String> = ids
        .iter()
        .map(|id| format!("/roleManagement/directory/roleDefinitions/{id}"))
        .collect();
    let answers = client.batch_get(&urls).await;
    assert_eq!(answers.len(), 25);
    for (id, a) in ids.iter().zip(&answers) {
        match a {
            Ok(v) => assert_eq!(v["id"].as_str(), Some(id.as_str())),
            // The emulator may not serve single role definitions; then it is a typed error.
            Err(e) => assert!(
                matches!(e.kind, GraphErrorKind::NotFound | GraphErrorKind::Error),
                "{e}"
            ),
        }
    }
    let counters = client.counters();
    assert!(counters.batched_requests >= 25);
}

/// Prints wall time against the round-trip lower bound (depth × latency); asserts only
/// the request shape, never wall-clock time.
#[tokio::test]
async fn wall_time_approaches_depth_times_latency() {
    let latency = Duration::from_millis(50);
    for (name, concurrency) in [
        ("contoso-e5", 8),
        ("contoso-e5", 20),
        ("large", 8),
        ("large", 32),
    ] {
        let emu = emulator(name).await;
        emu.set_latency(latency);
        let clock = Arc::new(RecordingClock::new(fixed_now()));
        let mut config = config(&emu, clock);
        config.graph.max_concurrency = concurrency;
        let started = std::time::Instant::now();
        let mut sink = |_: Progress| {};
        let (snapshot, stats) = collect_snapshot_with_stats(config, token(&emu), &mut sink)
            .await
            .unwrap();
        let c = Collected {
            snapshot,
            stats,
            events: Vec::new(),
            clock: Arc::new(RecordingClock::new(fixed_now())),
        };
        let wall = started.elapsed();
        let bound = latency * c.stats.depth;
        println!(
            "{name} ({concurrency} in flight): wall {wall:?}, {} requests, depth {}, per wave {:?}, ratio wall/bound {:.2}",
            c.snapshot.meta.requests,
            c.stats.depth,
            c.stats.requests_per_wave,
            wall.as_secs_f64() / bound.as_secs_f64()
        );
        assert!(c.snapshot.gaps.is_empty(), "{:?}", c.snapshot.gaps);
    }
}

/// The Graph client does not follow redirects: a 307 from Graph is a gap, and the host
/// it names never sees a request (so never the bearer).
#[tokio::test]
async fn a_redirect_from_graph_is_refused_and_gets_no_token() {
    let foreign = Arc::new(std::sync::OnceLock::<String>::new());
    let location = foreign.clone();
    let emu = Emulator::builder(Fixture::load("contoso-e5").unwrap())
        .router(move |_| {
            axum::Router::new().route(
                "/v1.0/identity/conditionalAccess/policies",
                axum::routing::get(move || async move {
                    let to = format!(
                        "{}/v1.0/identity/conditionalAccess/policies",
                        location.get().expect("set after start")
                    );
                    axum::response::Redirect::temporary(&to)
                }),
            )
        })
        .start()
        .await
        .unwrap();
    foreign.set(emu.foreign_base_url().to_owned()).unwrap();
    let c = collect(&emu).await;
    let (reason, status, _) = gap(&c.snapshot, Dataset::ConditionalAccessPolicies);
    assert_eq!((reason, status), (GapReason::Error, Some(307)));
    assert!(
        emu.foreign_requests().is_empty(),
        "nothing was sent to the redirect target"
    );
    assert!(
        c.snapshot.gap(Dataset::RoleAssignments).is_none(),
        "the other reads are unaffected"
    );
}

/// One transient 429 (`Retry-After` 1 s) costs one pause and one probe, not the rest of
/// the run: the window returns, `$batch` envelopes carry 20 again, and the collection
/// sends at most two HTTP requests more than unthrottled (the retry, and a probe that may
/// be a `$batch` of one). Counts only; the clock records the waits.
#[tokio::test]
async fn one_transient_429_costs_one_pause_not_the_rest_of_the_run() {
    let users_in_batch =
        RouteMatcher::Custom(Arc::new(|_, path: &str, _| path.starts_with("/users/")));
    for (what, matcher, inner) in [
        (
            "an early read",
            RouteMatcher::Exact("/subscribedSkus".into()),
            0,
        ),
        ("a wave-2 $batch inner request", users_in_batch, 1),
    ] {
        let emu = emulator("large").await;
        let free = collect(&emu).await;
        let envelopes = |emu: &Emulator| {
            emu.requests()
                .iter()
                .filter(|r| r.path() == "/v1.0/$batch")
                .count()
        };
        let free_envelopes = envelopes(&emu);
        emu.clear_requests();
        emu.set_fault(matcher, Fault::throttle(Duration::from_secs(1), 1));
        let c = collect(&emu).await;
        assert!(c.snapshot.gaps.is_empty(), "{what}: {:?}", c.snapshot.gaps);
        let (meta, counters) = (&c.snapshot.meta, c.stats.counters);
        println!(
            "{what}: {} HTTP requests ({} unthrottled), {} $batch ({free_envelopes}), window down to {}, waits {:?}",
            meta.requests,
            free.snapshot.meta.requests,
            envelopes(&emu),
            counters.narrowest_window,
            c.clock.sleeps()
        );
        assert_eq!(
            (counters.throttled, counters.window_returns),
            (1, 1),
            "{what}: one 429, and the window returned once"
        );
        assert!(
            meta.requests <= free.snapshot.meta.requests + 2,
            "{what}: {} requests, {} unthrottled",
            meta.requests,
            free.snapshot.meta.requests
        );
        assert!(
            envelopes(&emu) <= free_envelopes + 1,
            "{what}: full batches again"
        );
        assert_eq!(
            meta.batched_requests,
            free.snapshot.meta.batched_requests + inner,
            "{what}: only the refused request is sent again"
        );
        let waits = c.clock.sleeps();
        assert!(
            waits.contains(&Duration::from_secs(1))
                && waits.iter().all(|d| *d <= Duration::from_secs(1)),
            "{what}: Retry-After honoured, nothing longer: {waits:?}"
        );
    }
}

/// Conditional Access answers 429 without `Retry-After`: that request backs off on its
/// own, exponentially (the policy's base doubled each time) with a jitter in [0.5, 1]
/// from the seeded source, and gives up within the retry budget.
#[tokio::test]
async fn a_429_without_retry_after_backs_off_exponentially_with_jitter() {
    const CA: &str = "/identity/conditionalAccess/policies";
    let emu = emulator("contoso-e5").await;
    emu.set_fault(CA, Fault::throttle_without_retry_after(3));
    let c = collect(&emu).await;
    assert!(c.snapshot.gaps.is_empty(), "{:?}", c.snapshot.gaps);
    let waits = c.clock.sleeps();
    assert_eq!(waits.len(), 3, "only the refused request waited: {waits:?}");
    let base = graph_config(Arc::clone(&c.clock)).retry.base_delay;
    for (attempt, wait) in (0u32..).zip(&waits) {
        let full = base * 2u32.pow(attempt);
        assert!(
            (full / 2..=full).contains(wait),
            "retry {attempt}: {wait:?} not within [{:?}, {full:?}]",
            full / 2
        );
    }
    assert!(
        waits.windows(2).any(|w| w[0] != w[1] / 2),
        "jittered: {waits:?}"
    );

    emu.clear_faults();
    emu.clear_requests();
    emu.set_fault(CA, Fault::always(FaultKind::ThrottleWithoutRetryAfter));
    let c = collect(&emu).await;
    let policy = graph_config(Arc::clone(&c.clock)).retry;
    assert_eq!(
        gap(&c.snapshot, Dataset::ConditionalAccessPolicies).1,
        Some(429)
    );
    let sent = emu
        .requests()
        .iter()
        .filter(|r| r.path() == format!("/v1.0{CA}"))
        .count();
    assert!(
        (2..=1 + policy.max_retries as usize).contains(&sent),
        "retried, then stopped: {sent} sent"
    );
    let waited: Duration = c.clock.sleeps().iter().sum();
    assert!(
        waited <= policy.budget,
        "within the retry budget: {waited:?}"
    );
}
