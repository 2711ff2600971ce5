//! Integration tests: one binary (ripgrep-style), one module per area.

mod demo;
mod emulator;
mod graph_client;
