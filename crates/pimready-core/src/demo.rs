//! The built-in demo tenant: a snapshot compiled into the binary (no network, no sign-in).
//!
//! It is the `contoso-e5` fixture tenant as the collector reads it from the tenant
//! emulator; `tests/it/demo.rs` regenerates it and fails when this copy is stale.

use crate::settings::AssessmentSettings;
use crate::snapshot::TenantSnapshot;

/// The demo tenant's two emergency-access accounts, designated as a client would
/// designate theirs: look-alikes are never exempted, so the tour designates them too.
pub const EMERGENCY_ACCOUNTS: [&str; 2] = [
    "bg-admin01@contoso.onmicrosoft.com",
    "bg-admin02@contoso.onmicrosoft.com",
];

/// The settings to assess the demo with: the caller's, with the demo's emergency accounts
/// designated when the caller designated none.
pub fn settings(mut settings: AssessmentSettings) -> AssessmentSettings {
    if settings.emergency_accounts.is_empty() {
        settings.emergency_accounts = EMERGENCY_ACCOUNTS.map(str::to_owned).to_vec();
    }
    settings
}

/// The demo tenant's id (the `contoso-e5` fixture's).
pub const TENANT_ID: &str = "4c9a7e2b-8f31-4d6a-b5e0-6a1d2f3c9e71";

/// Whether a snapshot is the demo tenant's: only then do its emergency accounts apply.
pub fn is_demo(snapshot: &TenantSnapshot) -> bool {
    snapshot.tenant_id.eq_ignore_ascii_case(TENANT_ID)
}

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
        assert!(super::is_demo(&s));
        // Another tenant's snapshot never gets the demo's emergency accounts.
        let mut other = s.clone();
        other.tenant_id = "0f4e6b1a-2c3d-4e5f-8a9b-0c1d2e3f4a5b".to_owned();
        assert!(!super::is_demo(&other));
        assert!(s.role_assignments.as_ref().is_some_and(|a| !a.is_empty()));
    }

    #[test]
    fn demo_ships_its_two_emergency_accounts_designated() {
        let settings = super::settings(crate::settings::AssessmentSettings::default());
        let population =
            crate::privileged::PrivilegedPopulation::resolve(&super::snapshot(), &settings);
        assert_eq!(population.emergency_accounts.len(), 2);
        assert!(population.emergency_accounts.iter().all(|a| a.well_formed));
        assert!(population.designated_not_found.is_empty());
    }
}
