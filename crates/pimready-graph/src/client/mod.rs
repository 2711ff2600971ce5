//! Microsoft Graph access: a client that keeps its token on the Graph host, retries
//! politely, pages, batches and bounds its concurrency. See [`GraphClient`].

mod batch;
mod error;
mod graph;
mod retry;
pub(crate) mod throttle;
mod window;

pub use batch::{BATCH_LIMIT, InnerOutcome, batch_body, is_retryable, match_batch_responses};
pub use error::{GraphError, GraphErrorKind, classify};
pub use graph::{GraphClient, GraphConfig, GraphCounters, NextPage, Page};
pub use retry::{Clock, RecordingClock, RetryPolicy, SystemClock, parse_retry_after};
pub use throttle::{ThrottleScope, ThrottledParty, ThrottledRequests};
