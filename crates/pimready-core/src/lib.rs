//! PIM Ready core: how far an Entra ID tenant is from just-in-time administration
//! through Privileged Identity Management, and what the licences for it cost.
//!
//! Everything here is a pure function of its inputs: a [`snapshot::TenantSnapshot`] (collected
//! elsewhere, by `pimready-graph`) goes through [`assessment::assess`] ([`licensing`], [`cost`],
//! [`checks`], [`score`], [`plan`]); [`history`] compares two assessments. This crate depends on
//! no async runtime, no HTTP client, no keychain, no database and no PDF library.

pub mod assessment;
pub mod azure;
pub mod checks;
pub mod cloud;
pub mod cost;
pub mod demo;
pub mod duration;
pub mod error_kind;
pub mod finding;
pub mod history;
pub mod licensing;
pub mod plan;
pub mod pricebook;
pub mod privileged;
pub mod remediation;
pub mod score;
pub mod settings;
pub mod snapshot;
#[cfg(test)]
pub(crate) mod test_support;

/// The tool's name and version, as written into snapshots and reports.
pub const TOOL_NAME: &str = "pimready";
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
