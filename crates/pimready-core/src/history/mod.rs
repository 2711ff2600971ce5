//! The pure half of history: what two assessments differ in ([`diff`]) and the
//! identifiers and trend points a store hands to reports. The store itself (SQLite)
//! lives in `pimready-history`.

mod diff;

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use diff::{
    AssessmentDiff, Change, CheckChange, LicensingDiff, SeatsDiff, StandingAdmin,
    StandingAdminsDiff, diff,
};

/// A saved assessment's row id; stable for the life of the file.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(transparent)]
pub struct AssessmentId(pub i64);

impl fmt::Display for AssessmentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for AssessmentId {
    type Err = std::num::ParseIntError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim().trim_start_matches('#').parse().map(AssessmentId)
    }
}

/// One point of a tenant's score over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TrendPoint {
    pub id: AssessmentId,
    pub assessed_at: DateTime<Utc>,
    pub score_percent: f64,
}
