//! Integration tests: one binary (ripgrep-style), one module per area.

mod auth;
mod collect;
mod demo;
mod emulator;
mod graph_client;
mod security;
