//! Tenant emulator.

pub mod oauth;
