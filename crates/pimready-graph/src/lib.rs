//! PIM Ready's I/O towards Microsoft: sign-in ([`auth`]), the Graph HTTP client ([`client`]) and
//! collection of a [`pimready_core::snapshot::TenantSnapshot`] ([`collect`]). Everything that
//! talks to a network or a keychain lives here; what it collects is judged by `pimready-core`.

pub mod arm;
pub mod auth;
pub mod client;
pub mod collect;
pub mod progress;
pub mod token;
