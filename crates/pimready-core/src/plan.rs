//! The readiness plan: ordered steps derived from the findings. Pure.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanItem {
    pub object: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
    pub action: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanStep {
    pub order: u32,
    pub title: String,
    pub detail: String,
    /// Check ids this step fixes.
    pub checks: Vec<String>,
    pub items: Vec<PlanItem>,
}
