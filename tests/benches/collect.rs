//! Collection against the tenant emulator: wall time against the round-trip lower bound,
//! request counts as tenants grow, behaviour under throttling, recovery from a transient
//! 429 beside a token bucket, and report rendering.
//! Run: `cargo bench -p pimready-tests` (release; `scripts/bench.sh` runs every bench);
//! name sections to run only those: `cargo bench -p pimready-tests --bench collect -- lower_bound`.
//! Prints ratios measured in one run; asserts only request shapes, never times.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use pimready_core::snapshot::TenantSnapshot;
use pimready_graph::collect::{CollectConfig, CollectStats, collect_snapshot_with_stats};
use pimready_graph::token::{AccessToken, StaticToken};
use pimready_report::{self as report, ReportOptions, sample};
use pimready_tests::{Emulator, Fault, Fixture, Listener, RouteMatcher, Throttling};
use serde_json::json;

const LATENCY: Duration = Duration::from_millis(50);

/// The product's defaults (concurrency, retries, real clock); only the host is the emulator's.
fn config(emu: &Emulator) -> CollectConfig {
    pimready_tests::collect_config(emu, pimready_tests::now)
}

async fn collect(emu: &Emulator) -> (TenantSnapshot, CollectStats, Duration) {
    collect_in_flight(emu, config_in_flight()).await
}

async fn collect_in_flight(
    emu: &Emulator,
    max_concurrency: usize,
) -> (TenantSnapshot, CollectStats, Duration) {
    let tokens = Arc::new(StaticToken(AccessToken::new(emu.token())));
    let mut sink = |_| {};
    let mut config = config(emu);
    config.graph.max_concurrency = max_concurrency;
    let started = Instant::now();
    let (snapshot, stats) = collect_snapshot_with_stats(config, tokens, &mut sink)
        .await
        .expect("collection succeeds");
    (snapshot, stats, started.elapsed())
}

/// A complete collection (no gaps).
async fn collect_complete(emu: &Emulator) -> (TenantSnapshot, CollectStats, Duration) {
    let (s, stats, wall) = collect(emu).await;
    assert!(s.gaps.is_empty(), "{:?}", s.gaps);
    (s, stats, wall)
}

fn config_in_flight() -> usize {
    pimready_graph::client::GraphConfig::default().max_concurrency
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `large` with another user count and privileged population (same seed).
fn generated(users: u64, privileged: u64) -> Fixture {
    let mut raw = Fixture::load("large").unwrap().raw().clone();
    raw["generate"]["users"] = json!(users);
    raw["generate"]["privilegedPrincipals"] = json!(privileged);
    Fixture::from_json(&format!("large-{users}u-{privileged}p"), &raw.to_string()).unwrap()
}

fn principals(s: &TenantSnapshot) -> usize {
    s.privileged_principals.as_ref().map_or(0, Vec::len)
}

async fn lower_bound() {
    println!(
        "\n## Collection vs the round-trip lower bound (emulator latency {} ms per request)\n",
        LATENCY.as_millis()
    );
    println!(
        "| tenant | in flight | wall (ms) | HTTP requests | requests per wave | waves | longest chain (round trips per wave) | lower bound (ms) | wall / bound |"
    );
    println!("|---|---:|---:|---:|---|---:|---|---:|---:|");
    let default = config_in_flight();
    // The default, and the earlier default of 16 for comparison.
    for (name, in_flight) in [("contoso-e5", default), ("large", default), ("large", 16)] {
        let emu = Emulator::start_named(name).await.unwrap();
        // Warm-up: the emulator builds its indexes on first use.
        collect_complete(&emu).await;
        emu.set_latency(LATENCY);
        emu.clear_requests();
        let (s, stats, wall) = collect_in_flight(&emu, in_flight).await;
        assert!(s.gaps.is_empty(), "{:?}", s.gaps);
        assert_eq!(s.meta.requests as usize, emu.http_request_count());
        let chain = stats.longest_chain();
        let bound = LATENCY * chain;
        println!(
            "| {name} | {in_flight} | {:.0} | {} | {:?} | {} | {chain} ({:?}) | {:.0} | {:.2} |",
            ms(wall),
            s.meta.requests,
            stats.requests_per_wave,
            stats.depth,
            stats.chain_per_wave,
            ms(bound),
            wall.as_secs_f64() / bound.as_secs_f64()
        );
    }
}

async fn scaling() {
    println!("\n## Scaling: the same 300 privileged principals, more users (no latency)\n");
    println!("| users | HTTP requests | requests inside $batch | principals | wall (ms) |");
    println!("|---:|---:|---:|---:|---:|");
    let mut counts = Vec::new();
    for users in [100, 10_000, 100_000] {
        let emu = Emulator::start(generated(users, 300)).await.unwrap();
        let (s, _, wall) = collect_complete(&emu).await;
        println!(
            "| {users} | {} | {} | {} | {:.0} |",
            s.meta.requests,
            s.meta.batched_requests,
            principals(&s),
            ms(wall)
        );
        counts.push((s.meta.requests, s.meta.batched_requests));
    }
    assert!(
        counts.windows(2).all(|w| w[0] == w[1]),
        "the request count depends on the privileged population only: {counts:?}"
    );

    println!("\n## Scaling: more privileged principals (10,000 users, no latency)\n");
    println!(
        "| privileged principals | HTTP requests | requests inside $batch | HTTP requests per principal | wall (ms) |"
    );
    println!("|---:|---:|---:|---:|---:|");
    let mut per_principal = Vec::new();
    for privileged in [10, 100, 1000] {
        let emu = Emulator::start(generated(10_000, privileged))
            .await
            .unwrap();
        let (s, _, wall) = collect_complete(&emu).await;
        let n = principals(&s);
        let ratio = f64::from(s.meta.requests) / n as f64;
        println!(
            "| {n} | {} | {} | {ratio:.3} | {:.0} |",
            s.meta.requests,
            s.meta.batched_requests,
            ms(wall)
        );
        per_principal.push(ratio);
    }
    assert!(
        per_principal.windows(2).all(|w| w[1] <= w[0]),
        "requests grow no faster than the population: {per_principal:?}"
    );
}

async fn throttling() {
    println!(
        "\n## Throttling: a token bucket (every request counts, inside `$batch` too), 429 with Retry-After when empty (no latency)\n"
    );
    println!(
        "| tenant | bucket (requests/s, burst) | wall (ms) | HTTP requests | requests inside $batch | requests needed | retries (client) | rejected (emulator) | rejected / needed | narrowest send window | fast returns | gaps | unthrottled HTTP requests | unthrottled wall (ms) |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (name, rate, burst) in [
        ("contoso-e5", 10.0, 10),
        ("large", 100.0, 100),
        ("large", 10.0, 10),
    ] {
        let emu = Emulator::start_named(name).await.unwrap();
        let (free, _, free_wall) = collect_complete(&emu).await;
        // What the bucket counts: every request but the `$batch` envelopes.
        let needed = free.meta.requests + free.meta.batched_requests
            - emu
                .requests()
                .iter()
                .filter(|r| r.path() == "/v1.0/$batch")
                .count() as u32;
        emu.set_throttling(Some(Throttling {
            rate_per_second: rate,
            burst,
        }));
        let (s, stats, wall) = collect(&emu).await;
        let rejected = emu.throttled_count();
        assert_eq!(u64::from(stats.counters.throttled), rejected);
        println!(
            "| {name} | {rate}/s, {burst} | {:.0} | {} | {} | {needed} | {} | {rejected} | {:.2} | {} | {} | {} | {} | {:.0} |",
            ms(wall),
            s.meta.requests,
            s.meta.batched_requests,
            s.meta.retries,
            rejected as f64 / f64::from(needed),
            stats.counters.narrowest_window,
            stats.counters.window_returns,
            s.gaps.len(),
            free.meta.requests,
            ms(free_wall)
        );
    }
}

/// The scenarios of the recovery section, measured one after another on one emulator.
#[derive(Debug, Clone, Copy)]
enum Scenario {
    NoThrottling,
    /// One 429 (`Retry-After` 1 s) on the first `/subscribedSkus`, a read of wave 1.
    EarlyRead,
    /// One 429 (`Retry-After` 1 s) on the first `/users/{id}` inside a wave-2 `$batch`.
    BatchInner,
    /// A token bucket of 100 requests a second, burst 100 (every request counts).
    Bucket,
}

const RETRY_AFTER: Duration = Duration::from_secs(1);
const BUCKET: Throttling = Throttling {
    rate_per_second: 100.0,
    burst: 100,
};

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Scenario::NoThrottling => "no 429",
            Scenario::EarlyRead => "one 429 on an early read (/subscribedSkus)",
            Scenario::BatchInner => "one 429 on a wave-2 `$batch` inner request (/users/{id})",
            Scenario::Bucket => "token bucket 100/s, burst 100",
        }
    }

    fn apply(self, emu: &Emulator) {
        emu.clear_faults();
        emu.set_throttling(None);
        match self {
            Scenario::NoThrottling => {}
            Scenario::EarlyRead => {
                emu.set_fault(
                    RouteMatcher::Exact("/subscribedSkus".into()),
                    Fault::throttle(RETRY_AFTER, 1),
                );
            }
            Scenario::BatchInner => emu.set_fault(
                RouteMatcher::Custom(Arc::new(|_, path: &str, _| path.starts_with("/users/"))),
                Fault::throttle(RETRY_AFTER, 1),
            ),
            Scenario::Bucket => emu.set_throttling(Some(BUCKET)),
        }
    }

    /// The lower bound: the unthrottled chain of round trips, plus `Retry-After` for one
    /// transient 429 (every request of the client waits for it); for the bucket, the
    /// time it takes to hand out the requests needed beyond its burst, if longer.
    fn bound(self, unthrottled: Duration, needed: u32) -> Duration {
        match self {
            Scenario::NoThrottling => unthrottled,
            Scenario::EarlyRead | Scenario::BatchInner => unthrottled + RETRY_AFTER,
            Scenario::Bucket => unthrottled.max(Duration::from_secs_f64(
                f64::from(needed.saturating_sub(BUCKET.burst)) / BUCKET.rate_per_second,
            )),
        }
    }
}

/// What the bucket counts: every request but the `$batch` envelopes.
fn requests_needed(emu: &Emulator) -> u32 {
    emu.requests()
        .iter()
        .filter(|r| r.listener == Listener::Graph && r.path() != "/v1.0/$batch")
        .count() as u32
}

async fn recovery() {
    println!(
        "\n## Recovery from throttling: `large`, emulator latency {} ms, `Retry-After` {} s, side by side\n",
        LATENCY.as_millis(),
        RETRY_AFTER.as_secs()
    );
    println!(
        "| scenario | wall (ms) | HTTP requests | requests inside $batch | HTTP requests / no-429 run | 429s | retries (client) | narrowest send window | window returns | gaps | lower bound (ms) | wall / bound |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let emu = Emulator::start_named("large").await.unwrap();
    // Warm-up: the emulator builds its indexes on first use.
    collect_complete(&emu).await;
    emu.set_latency(LATENCY);
    let mut unthrottled = None;
    for scenario in [
        Scenario::NoThrottling,
        Scenario::EarlyRead,
        Scenario::BatchInner,
        Scenario::Bucket,
    ] {
        scenario.apply(&emu);
        emu.clear_requests();
        let (s, stats, wall) = collect(&emu).await;
        let (chain, requests, needed) = *unthrottled.get_or_insert((
            LATENCY * stats.longest_chain(),
            s.meta.requests,
            requests_needed(&emu),
        ));
        let bound = scenario.bound(chain, needed);
        let refused = emu
            .requests()
            .iter()
            .filter(|r| r.status == Some(429))
            .count();
        println!(
            "| {} | {:.0} | {} | {} | {:.2} | {refused} | {} | {} | {} | {} | {:.0} | {:.2} |",
            scenario.name(),
            ms(wall),
            s.meta.requests,
            s.meta.batched_requests,
            f64::from(s.meta.requests) / f64::from(requests),
            s.meta.retries,
            stats.counters.narrowest_window,
            stats.counters.window_returns,
            s.gaps.len(),
            ms(bound),
            wall.as_secs_f64() / bound.as_secs_f64()
        );
    }
    emu.clear_faults();
    emu.set_throttling(None);
}

fn render() {
    let options = ReportOptions::new(Utc.with_ymd_and_hms(2026, 11, 21, 8, 0, 0).unwrap());
    let demo = pimready_core::assessment::assess(
        &pimready_core::demo::snapshot(),
        &pimready_core::settings::AssessmentSettings::default(),
        &pimready_core::pricebook::PriceBook::default_book(),
    );
    println!("\n## Rendering (best of 3 runs)\n");
    println!(
        "| assessment | checks | PDF (ms) | PDF (KiB) | JSON (ms) | JSON (KiB) | CSV (ms) | CSV (KiB) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (name, a) in [
        ("demo (contoso-e5)", demo),
        ("300 findings", sample::large(300)),
    ] {
        let (pdf_t, pdf) = best_of_3(|| report::pdf::render(&a, &options).expect("renders"));
        let (json_t, json) = best_of_3(|| report::json::render(&a));
        let (csv_t, csv) = best_of_3(|| report::csv::render(&a));
        let kib = |n: usize| n as f64 / 1024.0;
        println!(
            "| {name} | {} | {:.1} | {:.1} | {:.2} | {:.1} | {:.2} | {:.1} |",
            a.checks.len(),
            ms(pdf_t),
            kib(pdf.len()),
            ms(json_t),
            kib(json.len()),
            ms(csv_t),
            kib(csv.len())
        );
    }
}

fn best_of_3<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..3 {
        let start = Instant::now();
        let value = f();
        best = best.min(start.elapsed());
        out = Some(value);
    }
    (best, out.expect("ran"))
}

#[tokio::main]
async fn main() {
    println!(
        "pimready collection bench, profile {}",
        if cfg!(debug_assertions) {
            "dev"
        } else {
            "release"
        }
    );
    // `cargo bench -p pimready-tests --bench collect -- lower_bound throttling` runs
    // only the sections named.
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let run = |section: &str| only.is_empty() || only.iter().any(|o| o == section);
    if run("lower_bound") {
        lower_bound().await;
    }
    if run("scaling") {
        scaling().await;
    }
    if run("throttling") {
        throttling().await;
    }
    if run("recovery") {
        recovery().await;
    }
    if run("render") {
        render();
    }
}
