//! Does the tenant have Entra ID P2 (or Governance), through which path, and how many
//! seats PIM needs. Pure functions over the snapshot.
//! Contract (JSON field names are stable): see issue "Licensing".

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::snapshot::CapabilityStatus;

/// The licensing path a SKU belongs to (for the report and the cost options).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LicencePath {
    EntraIdP2,
    DefenderSuiteBusinessPremium,
    DefenderSuite,
    M365E5,
    M365E7,
    EmsE5,
    M365F5Security,
    EntraSuite,
    EntraIdGovernance,
    OtherBundle,
}

/// One SKU that carries (or could carry) an Entra premium plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LicenceSource {
    pub sku_id: String,
    pub sku_part_number: String,
    /// Friendly product name when the SKU is known.
    pub product_name: String,
    pub path: Option<LicencePath>,
    /// Entra plans it carries: `AAD_PREMIUM`, `AAD_PREMIUM_P2`, `Entra_Identity_Governance`.
    pub plans: Vec<String>,
    pub capability_status: CapabilityStatus,
    pub enabled_units: i64,
    pub consumed_units: i64,
    /// Whether its seats count (status Enabled or Warning).
    pub counted: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Seats {
    pub available: u32,
    pub in_scope: u32,
    pub shortfall: u32,
}

/// The licensing verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Licensing {
    pub pim_capable: bool,
    pub p2: bool,
    pub governance: bool,
    pub p1: bool,
    pub sources: Vec<LicenceSource>,
    pub seats: Seats,
}
