//! Integration tests: one binary (ripgrep-style), one module per area.

mod apply;
mod architecture;
mod auth;
mod azure;
mod collect;
mod demo;
#[cfg(unix)]
mod desktop;
mod emulator;
mod expectations;
mod graph_client;
mod preflight;
mod properties;
mod security;
mod strict;
mod writes;
