//! The readiness score. Pure.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::finding::Category;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CategoryScore {
    pub category: Category,
    pub percent: f64,
    pub coverage: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Score {
    /// 0–100.
    pub percent: f64,
    /// A, B, C, D or F.
    pub grade: String,
    /// Weight assessed / total weight, 0–100.
    pub coverage: f64,
    pub categories: Vec<CategoryScore>,
}
