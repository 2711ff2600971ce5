//! The workflows both faces share. The CLI (`pimready-cli`) and the desktop shell (`src-tauri`)
//! parse input and show output; everything between lives here once:
//! a [`target::Target`] becomes a sign-in ([`connect`]) and a collection ([`run`]), then
//! assess → save → export ([`export`]: one file-naming rule), the remediation pack
//! ([`remediate`]), with one [`Problem`] type.
//! No clap, no Tauri, no terminal.

pub mod apply;
pub mod connect;
pub mod export;
pub mod preflight;
pub mod problem;
pub mod remediate;
pub mod run;
pub mod stored;
pub mod target;

pub use problem::{Problem, ProblemKind};
