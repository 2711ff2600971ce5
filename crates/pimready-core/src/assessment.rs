//! The assessment: everything a report shows, computed from a snapshot. Pure: the
//! same snapshot, settings and price book always give the same assessment.
//! Its JSON form (`schema_version` 1) is the report contract; field names are stable.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::cost::CostEstimate;
use crate::finding::Finding;
use crate::licensing::Licensing;
use crate::plan::PlanStep;
use crate::score::Score;
use crate::snapshot::{CloudName, Dataset, GapReason};

pub const ASSESSMENT_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Generator {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TenantInfo {
    pub id: String,
    pub display_name: String,
    pub default_domain: Option<String>,
    pub cloud: CloudName,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GapInfo {
    pub dataset: Dataset,
    pub reason: GapReason,
    pub detail: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_scope: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CollectionInfo {
    pub requests: u32,
    pub duration_ms: u64,
    pub graph_host: String,
    pub scopes: Vec<String>,
    /// Datasets read successfully.
    pub datasets: Vec<Dataset>,
}

/// A headline count for summaries: standing admins today.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Headline {
    /// Distinct principals with a permanent active highly privileged role (emergency accounts excluded).
    pub standing_admins: u32,
    /// Distinct principals eligible for a highly privileged role.
    pub eligible_admins: u32,
    /// Distinct users holding Global Administrator (active or eligible).
    pub global_admins: u32,
    pub emergency_accounts: u32,
}

/// The whole assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Assessment {
    pub schema_version: u32,
    pub generator: Generator,
    pub assessed_at: DateTime<Utc>,
    pub tenant: TenantInfo,
    pub headline: Headline,
    pub licensing: Licensing,
    pub cost: CostEstimate,
    pub score: Score,
    pub checks: Vec<Finding>,
    pub plan: Vec<PlanStep>,
    pub gaps: Vec<GapInfo>,
    pub collection: CollectionInfo,
}
