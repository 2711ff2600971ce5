//! What closing the licence gap costs, per path. Pure; prices come from the price book.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::licensing::LicencePath;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CostOption {
    pub path: LicencePath,
    pub name: String,
    pub available: bool,
    /// Why it is (not) available, in a short sentence.
    pub reason: String,
    pub seats: u32,
    pub monthly: f64,
    pub annual: f64,
    pub recommended: bool,
    /// What else the path brings (one line).
    pub includes: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CostEstimate {
    pub currency: String,
    pub prices_checked_on: String,
    pub options: Vec<CostOption>,
    /// The recommended path, `None` when no purchase is needed.
    pub recommended: Option<LicencePath>,
    /// One or two sentences: what to buy and why (or "no purchase needed").
    pub recommendation: String,
}
