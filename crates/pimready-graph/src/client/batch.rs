//! JSON batching (`POST /v1.0/$batch`): building envelopes and matching answers to
//! requests by `id` (Graph answers in any order). Pure; the client does the I/O.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::error::GraphError;
use super::retry::parse_retry_after;
use super::throttle::{LIMIT_PERCENTAGE, THROTTLE_SCOPE, ThrottleScope, is_near_limit};

/// Graph accepts at most 20 requests per `$batch`.
pub const BATCH_LIMIT: usize = 20;

/// What became of one request inside a `$batch`.
#[derive(Debug, Clone, PartialEq)]
pub enum InnerOutcome {
    /// An answer to keep (success or a final error); `near_limit` when its headers say the
    /// app has used more than 80 % of a limit (`x-ms-throttle-limit-percentage`).
    Done {
        status: u16,
        body: Option<Value>,
        near_limit: bool,
    },
    /// 429, 503 or 504: send again, after `retry_after` if the server named one. Graph
    /// evaluates each inner request against its limits and puts `Retry-After` (and, for
    /// identity and access, `x-ms-throttle-scope`) in the inner answer's headers
    /// (<https://learn.microsoft.com/graph/throttling#throttling-and-batching>).
    Retry {
        status: u16,
        retry_after: Option<Duration>,
        body: Option<Value>,
        scope: Option<ThrottleScope>,
    },
    /// The envelope had no answer with this id.
    Missing,
}

/// Whether a status is worth retrying.
pub fn is_retryable(status: u16) -> bool {
    matches!(status, 429 | 503 | 504)
}

/// The envelope for GET requests `(id, url relative to the version root)`.
pub fn batch_body(requests: &[(String, String)]) -> Value {
    let requests: Vec<Value> = requests
        .iter()
        .map(|(id, url)| json!({ "id": id, "method": "GET", "url": url }))
        .collect();
    json!({ "requests": requests })
}

/// Matches a `$batch` answer to the ids sent, in the order sent. Unknown and duplicate
/// ids are ignored (the first answer wins); an answer that is not a batch is an error.
pub fn match_batch_responses(
    ids: &[String],
    answer: &Value,
    now: DateTime<Utc>,
) -> Result<Vec<InnerOutcome>, GraphError> {
    let responses = answer
        .get("responses")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            GraphError::other(Some(200), "the $batch answer has no `responses` array")
        })?;
    let mut by_id: HashMap<&str, &Value> = HashMap::new();
    for r in responses {
        let id = match r.get("id") {
            Some(Value::String(s)) => s.as_str(),
            _ => continue,
        };
        by_id.entry(id).or_insert(r);
    }
    Ok(ids
        .iter()
        .map(|id| match by_id.get(id.as_str()) {
            None => InnerOutcome::Missing,
            Some(r) => outcome(r, now),
        })
        .collect())
}

fn outcome(r: &Value, now: DateTime<Utc>) -> InnerOutcome {
    let Some(status) = r
        .get("status")
        .and_then(Value::as_u64)
        .and_then(|s| u16::try_from(s).ok())
    else {
        return InnerOutcome::Done {
            status: 0,
            body: None,
            near_limit: false,
        };
    };
    let body = r.get("body").cloned();
    // A header's value as text (names compare case-insensitively).
    let header = |name: &str| -> Option<String> {
        let headers = r.get("headers").and_then(Value::as_object)?;
        let (_, v) = headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name))?;
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    if is_retryable(status) {
        InnerOutcome::Retry {
            status,
            retry_after: header("retry-after").and_then(|v| parse_retry_after(&v, now)),
            body,
            scope: header(THROTTLE_SCOPE).and_then(|v| ThrottleScope::parse(&v)),
        }
    } else {
        InnerOutcome::Done {
            status,
            body,
            near_limit: header(LIMIT_PERCENTAGE).is_some_and(|v| is_near_limit(&v)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::{ThrottledParty, ThrottledRequests};

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| i.to_string()).collect()
    }

    fn check(sent: usize, answer: &Value, expected: &[InnerOutcome]) {
        let got = match_batch_responses(&ids(sent), answer, DateTime::<Utc>::UNIX_EPOCH).unwrap();
        assert_eq!(got, expected, "{answer}");
    }

    fn done(status: u16, body: Value) -> InnerOutcome {
        InnerOutcome::Done {
            status,
            body: Some(body),
            near_limit: false,
        }
    }

    #[test]
    fn matching() {
        // Out of order.
        check(
            3,
            &json!({"responses": [
                {"id": "2", "status": 200, "body": {"id": "c"}},
                {"id": "0", "status": 200, "body": {"id": "a"}},
                {"id": "1", "status": 404, "body": {"error": {"code": "Request_ResourceNotFound"}}},
            ]}),
            &[
                done(200, json!({"id": "a"})),
                done(404, json!({"error": {"code": "Request_ResourceNotFound"}})),
                done(200, json!({"id": "c"})),
            ],
        );
        // Missing, unknown, duplicate and id-less answers.
        check(
            3,
            &json!({"responses": [
                {"id": "0", "status": 200, "body": {"n": 1}},
                {"id": "0", "status": 500, "body": {"n": 2}},
                {"id": "9", "status": 200, "body": {}},
                {"status": 200, "body": {}},
                {"id": 2, "status": 200, "body": {}},
            ]}),
            &[
                done(200, json!({"n": 1})),
                InnerOutcome::Missing,
                InnerOutcome::Missing,
            ],
        );
        // Throttled inner requests, with and without Retry-After and a throttle scope.
        check(
            4,
            &json!({"responses": [
                {"id": "0", "status": 429, "headers": {"Retry-After": "3"}, "body": {}},
                {"id": "1", "status": 503, "headers": {"retry-after": 1.5}},
                {"id": "2", "status": 504},
                {"id": "3", "status": 429, "headers": {
                    "x-ms-throttle-scope": "Tenant_Application/ReadWrite/9a3d526c-b3c1-4479-ba74-197b5c5751ae/0785ef7c-2d7a-4542-b048-95bcab406e0b"
                }},
            ]}),
            &[
                InnerOutcome::Retry {
                    status: 429,
                    retry_after: Some(Duration::from_secs(3)),
                    body: Some(json!({})),
                    scope: None,
                },
                InnerOutcome::Retry {
                    status: 503,
                    retry_after: Some(Duration::from_millis(1500)),
                    body: None,
                    scope: None,
                },
                InnerOutcome::Retry {
                    status: 504,
                    retry_after: None,
                    body: None,
                    scope: None,
                },
                InnerOutcome::Retry {
                    status: 429,
                    retry_after: None,
                    body: None,
                    scope: Some(ThrottleScope {
                        counts: ThrottledParty::TenantApplication,
                        requests: ThrottledRequests::ReadWrite,
                    }),
                },
            ],
        );
        // An answer near the limit says so.
        check(
            2,
            &json!({"responses": [
                {"id": "0", "status": 200, "headers": {"X-MS-Throttle-Limit-Percentage": "0.85"}, "body": {}},
                {"id": "1", "status": 200, "headers": {"x-ms-throttle-limit-percentage": 0.5}, "body": {}},
            ]}),
            &[
                InnerOutcome::Done {
                    status: 200,
                    body: Some(json!({})),
                    near_limit: true,
                },
                done(200, json!({})),
            ],
        );
        // A status that is not a number.
        check(
            1,
            &json!({"responses": [{"id": "0", "status": "200"}]}),
            &[InnerOutcome::Done {
                status: 0,
                body: None,
                near_limit: false,
            }],
        );
    }

    #[test]
    fn not_a_batch() {
        for answer in [json!({}), json!({"responses": {}}), json!([1, 2])] {
            assert!(
                match_batch_responses(&ids(1), &answer, DateTime::<Utc>::UNIX_EPOCH).is_err(),
                "{answer}"
            );
        }
    }

    #[test]
    fn body_shape() {
        let body = batch_body(&[("0".into(), "/users/a?$select=id".into())]);
        assert_eq!(
            body,
            json!({"requests": [{"id": "0", "method": "GET", "url": "/users/a?$select=id"}]})
        );
    }
}
