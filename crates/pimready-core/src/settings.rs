//! What the user tells the assessment (beyond the snapshot).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Assessment settings. Pure data; the faces load and save it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct AssessmentSettings {
    /// UPNs (or object ids) of the designated emergency-access (break-glass) accounts.
    pub emergency_accounts: Vec<String>,
    /// Role template ids (or display names) to treat as highly privileged, besides the built-in list.
    pub extra_privileged_roles: Vec<String>,
    /// A privileged account with no sign-in for this many days is stale (ADM-07).
    pub stale_after_days: u32,
}

impl Default for AssessmentSettings {
    fn default() -> Self {
        AssessmentSettings { emergency_accounts: Vec::new(), extra_privileged_roles: Vec::new(), stale_after_days: 90 }
    }
}
