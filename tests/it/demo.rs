//! The built-in demo snapshot is the `contoso-e5` fixture as the collector reads it
//! from the emulator. This test regenerates it and fails when the committed copy is
//! stale; `UPDATE_EXPECT=1 cargo test -p pimready-tests demo` rewrites it.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use pimready_core::cloud::{Cloud, Endpoints};
use pimready_core::snapshot::TenantSnapshot;
use pimready_graph::collect::{CollectConfig, collect_snapshot};
use pimready_graph::token::{AccessToken, StaticToken};
use pimready_tests::Emulator;

const DEMO_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../crates/pimready-core/data/demo-snapshot.json"
);

fn demo_now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-20T09:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// Collects the demo tenant and gives it the public Graph host, as a real run would have.
pub async fn collect_demo() -> TenantSnapshot {
    let emu = Emulator::start_named("contoso-e5")
        .await
        .expect("emulator starts");
    let mut config = CollectConfig::new(emu.tenant_id(), Cloud::Global);
    config.endpoints = Endpoints::new(Cloud::Global, None, Some(emu.base_url())).unwrap();
    config.now = demo_now;
    // Azure resources too, read with an ARM token of the same account.
    config.arm = Some(pimready_graph::arm::ArmSource {
        host: pimready_core::cloud::ArmHost::parse(emu.arm_base_url()).unwrap(),
        tokens: Arc::new(StaticToken(AccessToken::new(emu.arm_token()))),
        client: config.graph.clone(),
    });
    let mut ignore = |_| {};
    let mut snapshot = collect_snapshot(
        config,
        Arc::new(StaticToken(AccessToken::new(emu.token()))),
        &mut ignore,
    )
    .await
    .expect("the demo tenant collects");
    "https://graph.microsoft.com".clone_into(&mut snapshot.meta.graph_host);
    if let Some(azure) = &mut snapshot.azure {
        "management.azure.com".clone_into(&mut azure.arm_host);
    }
    snapshot
}

/// Fields that differ between two honest runs.
fn stable(mut s: TenantSnapshot) -> TenantSnapshot {
    s.meta.duration_ms = 0;
    s.meta.tool_version = String::new();
    s
}

#[tokio::test]
async fn demo_snapshot_is_up_to_date() {
    let fresh = collect_demo().await;
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(DEMO_PATH, fresh.to_json() + "\n").unwrap();
        return;
    }
    let committed = pimready_core::demo::snapshot();
    assert!(
        stable(committed) == stable(fresh),
        "crates/pimready-core/data/demo-snapshot.json is stale: run `UPDATE_EXPECT=1 cargo test -p pimready-tests demo`"
    );
}
