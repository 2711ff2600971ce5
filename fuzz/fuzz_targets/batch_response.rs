//! The `$batch` answer matcher on arbitrary JSON: never panics, and answers exactly
//! one outcome per id sent, in order.
//!
//! Calls `pimready_graph::client::match_batch_responses(ids: &[String], answer:
//! &serde_json::Value, now: DateTime<Utc>) -> Result<Vec<InnerOutcome>, GraphError>`
//! (`graph/batch.rs`).
#![no_main]

use chrono::{DateTime, Utc};
use libfuzzer_sys::fuzz_target;
use pimready_graph::client::match_batch_responses;

fuzz_target!(|data: &[u8]| {
    // The first byte says how many ids were sent ("1".."n"), the rest is the answer.
    let Some((&n, body)) = data.split_first() else {
        return;
    };
    let Ok(answer) = serde_json::from_slice::<serde_json::Value>(body) else {
        return;
    };
    let ids: Vec<String> = (1..=usize::from(n % 24)).map(|i| i.to_string()).collect();
    let now: DateTime<Utc> = "2026-01-15T10:00:00Z".parse().unwrap();
    if let Ok(outcomes) = match_batch_responses(&ids, &answer, now) {
        assert_eq!(outcomes.len(), ids.len());
    }
});
