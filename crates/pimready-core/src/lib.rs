//! PIM Ready core: how far an Entra ID tenant is from just-in-time administration
//! through Privileged Identity Management, and what the licences for it cost.
//!
//! Data flows one way: [`auth`] → [`collect`] (a [`snapshot::TenantSnapshot`], all
//! I/O, gaps as data) → [`assessment::assess`] (pure: [`licensing`], [`cost`],
//! [`checks`], [`score`], [`plan`]) → [`report`] (pure) → [`history`] (I/O).
//! This crate knows no window and no terminal.

pub mod assessment;
pub mod auth;
pub mod checks;
pub mod cloud;
pub mod collect;
pub mod cost;
pub mod demo;
pub mod duration;
pub mod finding;
pub mod graph;
pub mod history;
pub mod licensing;
pub mod plan;
pub mod pricebook;
pub mod privileged;
pub mod progress;
pub mod report;
pub mod score;
pub mod settings;
pub mod snapshot;
pub mod token;

/// The tool's name and version, as written into snapshots and reports.
pub const TOOL_NAME: &str = "pimready";
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
