//! The built-in demo tenant: a snapshot compiled into the binary (no network, no sign-in).
//!
//! It is the `contoso-e5` fixture tenant as the collector reads it from the tenant
//! emulator; `tests/it/demo.rs` regenerates it and fails when this copy is stale.

use crate::snapshot::TenantSnapshot;

/// The demo snapshot's JSON, as committed.
pub const DEMO_SNAPSHOT_JSON: &str = include_str!("../data/demo-snapshot.json");

/// The demo tenant's snapshot.
pub fn snapshot() -> TenantSnapshot {
    TenantSnapshot::from_json(DEMO_SNAPSHOT_JSON, "the built-in demo snapshot")
        .expect("the built-in demo snapshot is valid (checked by a test)")
}

#[cfg(test)]
mod tests {
    #[test]
    fn demo_snapshot_parses() {
        let s = super::snapshot();
        assert!(s.organization.is_some());
        assert!(s.role_assignments.as_ref().is_some_and(|a| !a.is_empty()));
    }
}
