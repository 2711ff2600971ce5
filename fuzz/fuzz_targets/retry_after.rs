//! The `Retry-After` parser on arbitrary header values: never panics.
//!
//! Calls `pimready_graph::client::parse_retry_after(value: &str, now: DateTime<Utc>)
//! -> Option<std::time::Duration>` (`graph/retry.rs`).
#![no_main]

use chrono::{DateTime, Utc};
use libfuzzer_sys::fuzz_target;
use pimready_graph::client::parse_retry_after;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = std::str::from_utf8(data) else {
        return;
    };
    let now: DateTime<Utc> = "2026-01-15T10:00:00Z".parse().unwrap();
    let _ = parse_retry_after(value, now);
});
