//! The Graph client: one `reqwest::Client` (no redirects, timeouts on every request),
//! a bearer from a [`TokenSource`], retries, paging confined to the Graph host, `$batch`,
//! and the pace of its host (see `throttle.rs`): requests in flight bounded, one pause for
//! every request after `Retry-After`, a send window that narrows after 429s and returns
//! once a transient one has passed.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use pimready_core::cloud::GraphHost;
use reqwest::Method;
use reqwest::header::{ACCEPT, HeaderMap, RETRY_AFTER};
use serde_json::Value;
use url::Url;

use super::batch::{BATCH_LIMIT, InnerOutcome, batch_body, is_retryable, match_batch_responses};
use super::error::{GraphError, GraphErrorKind};
use super::retry::{Clock, Jitter, RetryPolicy, RetryState, SystemClock, parse_retry_after};
use super::throttle::{
    Admission, HostThrottle, LIMIT_PERCENTAGE, THROTTLE_SCOPE, ThrottleScope, is_near_limit,
};
use super::window::Slot;
use crate::token::TokenSource;

/// Transport failures (connection refused or dropped) retried before giving up.
const TRANSPORT_RETRIES: u32 = 2;

/// How the client behaves; the defaults suit real Graph, tests shrink them.
#[derive(Debug, Clone)]
pub struct GraphConfig {
    pub connect_timeout: Duration,
    /// Whole exchange, body included.
    pub request_timeout: Duration,
    pub retry: RetryPolicy,
    /// Requests in flight at once.
    pub max_concurrency: usize,
    /// Pages followed per collection before giving up.
    pub max_pages: usize,
    /// The randomness of backoff jitter: a seed (tests); `None` seeds from the OS.
    pub jitter_seed: Option<u64>,
    pub clock: Arc<dyn Clock>,
}

impl Default for GraphConfig {
    fn default() -> Self {
        GraphConfig {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            // A wave in one round trip: 300 privileged principals need about 30 `$batch`
            // requests at once (details and sign-in activity, 20 per batch). Graph limits
            // rate, not connections; throttling answers 429 and the client backs off.
            max_concurrency: 32,
            max_pages: 1000,
            jitter_seed: None,
            clock: Arc::new(SystemClock),
        }
    }
}

/// What the client has sent so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GraphCounters {
    /// HTTP requests (a `$batch` counts once; retries count).
    pub requests: u32,
    /// Requests inside `$batch` envelopes (re-sent ones count again).
    pub batched_requests: u32,
    /// Retries (throttling, 5xx, a refreshed token, inner `$batch` requests).
    pub retries: u32,
    /// 429 answers, inner `$batch` answers included.
    pub throttled: u32,
    /// The fewest requests the send window allowed in flight (a `$batch` carries at most
    /// this many); `max_concurrency × 20` when Graph never throttled.
    pub narrowest_window: u32,
    /// How often the window returned at once to its size before a transient 429.
    pub window_returns: u32,
    /// The limit the last 429 that named one hit (`x-ms-throttle-scope`).
    pub throttle_scope: Option<ThrottleScope>,
}

/// An HTTP answer, body read in full, and the window slot it was sent in.
struct Reply {
    status: u16,
    retry_after: Option<Duration>,
    body: Vec<u8>,
    slot: Slot,
}

/// What a throttling-aware caller reads from an answer's headers.
#[derive(Debug, Clone, Copy, Default)]
struct Pressure {
    /// `x-ms-throttle-limit-percentage`: more than 80 % of a limit used.
    near_limit: bool,
    /// `x-ms-throttle-scope` of a 429.
    scope: Option<ThrottleScope>,
}

impl Pressure {
    fn of(headers: &HeaderMap) -> Pressure {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        Pressure {
            near_limit: text(LIMIT_PERCENTAGE).is_some_and(is_near_limit),
            scope: text(THROTTLE_SCOPE).and_then(ThrottleScope::parse),
        }
    }
}

/// One page of a collection.
#[derive(Debug)]
pub struct Page {
    pub items: Vec<Value>,
    /// Where the next page is, checked: on the Graph host, not seen before, within the cap.
    pub next: Option<NextPage>,
}

/// The next page of a collection, for [`GraphClient::next_page`].
#[derive(Debug)]
pub struct NextPage {
    what: String,
    url: Url,
    seen: HashSet<String>,
    /// This page's number (the first is 1): the round trips its collection has taken.
    number: usize,
}

impl NextPage {
    /// The page's number in its collection (the first is 1).
    pub fn number(&self) -> u32 {
        u32::try_from(self.number).unwrap_or(u32::MAX)
    }
}

/// What one HTTP request counts against Graph's limits.
#[derive(Debug, Clone, Copy)]
enum Weight {
    One,
    /// A `$batch` envelope of this many requests (the envelope itself is not counted;
    /// its answer says which inner requests were throttled).
    Batch(usize),
}

impl Weight {
    fn units(self) -> usize {
        match self {
            Weight::One => 1,
            Weight::Batch(n) => n,
        }
    }
}

/// A Microsoft Graph client bound to one Graph host.
pub struct GraphClient {
    http: reqwest::Client,
    host: GraphHost,
    tokens: Arc<dyn TokenSource>,
    config: GraphConfig,
    jitter: Jitter,
    requests: AtomicU32,
    batched: AtomicU32,
    retries: AtomicU32,
    throttled: AtomicU32,
    /// The pace of the Graph host, this client's alone: Graph counts its identity and
    /// access limits per app and tenant, which is what one client serves (see
    /// `throttle.rs`; an ARM client owns another, so ARM's 429s never slow Graph).
    throttle: HostThrottle,
}

impl std::fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphClient")
            .field("host", &self.host)
            .field("counters", &self.counters())
            .finish_non_exhaustive()
    }
}

impl GraphClient {
    pub fn new(
        host: GraphHost,
        tokens: Arc<dyn TokenSource>,
        config: GraphConfig,
    ) -> Result<Self, GraphError> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .user_agent(concat!("pimready/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| GraphError::other(None, format!("cannot create the HTTP client: {e}")))?;
        Ok(GraphClient {
            http,
            host,
            tokens,
            jitter: Jitter::new(config.jitter_seed),
            throttle: HostThrottle::new(
                config.max_concurrency,
                BATCH_LIMIT,
                std::sync::Arc::clone(&config.clock),
            ),
            config,
            requests: AtomicU32::new(0),
            batched: AtomicU32::new(0),
            retries: AtomicU32::new(0),
            throttled: AtomicU32::new(0),
        })
    }

    pub fn host(&self) -> &GraphHost {
        &self.host
    }

    pub fn counters(&self) -> GraphCounters {
        GraphCounters {
            requests: self.requests.load(Ordering::Relaxed),
            batched_requests: self.batched.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            throttled: self.throttled.load(Ordering::Relaxed),
            narrowest_window: u32::try_from(self.throttle.narrowest()).unwrap_or(u32::MAX),
            window_returns: self.throttle.returns(),
            throttle_scope: self.throttle.last_scope(),
        }
    }

    /// GET a single object, e.g. `/v1.0/users/{id}`.
    pub async fn get_object(&self, path: &str) -> Result<Value, GraphError> {
        let url = self.url(path)?;
        self.get_json(&url).await.map(|(_, value)| value)
    }

    /// One GET of `url` (no paging), its body as JSON and how to name the request in errors.
    async fn get_json(&self, url: &Url) -> Result<(String, Value), GraphError> {
        let what = describe(&Method::GET, url);
        let reply = self
            .exchange(
                &Method::GET,
                url,
                None,
                Weight::One,
                None,
                Resend::Idempotent,
            )
            .await?;
        let value = json_of(&what, &reply)?;
        Ok((what, value))
    }

    /// GET a collection, following `@odata.nextLink` (on this host only) to the end.
    pub async fn get_collection(&self, path: &str) -> Result<Vec<Value>, GraphError> {
        let first = self.first_page(path).await?;
        self.rest_of_pages(first).await.map(|(items, _)| items)
    }

    /// The first page of a collection; [`Page::next`] says where the rest is.
    pub async fn first_page(&self, path: &str) -> Result<Page, GraphError> {
        let url = self.url(path)?;
        let (what, first) = self.get_json(&url).await?;
        self.page(what, first, HashSet::from([url.to_string()]), 1)
    }

    /// The page a [`NextPage`] points at.
    pub async fn next_page(&self, next: NextPage) -> Result<Page, GraphError> {
        let NextPage {
            what,
            url,
            seen,
            number,
        } = next;
        let reply = self
            .exchange(
                &Method::GET,
                &url,
                None,
                Weight::One,
                None,
                Resend::Idempotent,
            )
            .await?;
        let page = json_of(&what, &reply)?;
        self.page(what, page, seen, number)
    }

    /// POST a body and read a collection answer (e.g. `directoryObjects/getByIds`).
    pub async fn post_collection(
        &self,
        path: &str,
        body: &Value,
    ) -> Result<Vec<Value>, GraphError> {
        let url = self.url(path)?;
        let what = describe(&Method::POST, &url);
        let reply = self
            .exchange(
                &Method::POST,
                &url,
                Some(body),
                Weight::One,
                None,
                Resend::Idempotent,
            )
            .await?;
        let first = json_of(&what, &reply)?;
        let first = self.page(what, first, HashSet::new(), 1)?;
        self.rest_of_pages(first).await.map(|(items, _)| items)
    }

    /// Sends one write request (`POST`, `PATCH` or `DELETE`, path under the host, e.g.
    /// `/v1.0/roleManagement/directory/roleEligibilityScheduleRequests`): the JSON answer of
    /// a 2xx with its status (`None` for 204 No Content), else the typed error with Graph's
    /// code. Only `pimready apply` writes; a timed-out write is never sent again, and a
    /// `POST` (which creates) is sent again only when Graph refused it unprocessed (see
    /// `Resend`).
    pub async fn write(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Option<Value>), GraphError> {
        let method = match method {
            "POST" => Method::POST,
            "PATCH" => Method::PATCH,
            "DELETE" => Method::DELETE,
            other => {
                return Err(GraphError::other(
                    None,
                    format!("{other} is not a write this client sends"),
                ));
            }
        };
        let url = self.url(path)?;
        let what = describe(&method, &url);
        // PATCH sets a whole rule and DELETE removes one object: sending either again
        // leaves the tenant as one would. A POST creates: twice would create twice.
        let resend = if method == Method::POST {
            Resend::OnlyIfRefused
        } else {
            Resend::Idempotent
        };
        let reply = self
            .exchange(&method, &url, body, Weight::One, None, resend)
            .await?;
        if (200..300).contains(&reply.status) && reply.body.is_empty() {
            return Ok((reply.status, None));
        }
        json_of(&what, &reply).map(|v| (reply.status, Some(v)))
    }

    /// GET many objects through `$batch` (URLs relative to `/v1.0`, e.g. `/users/{id}`);
    /// one result per URL, in order.
    pub async fn batch_get(&self, urls: &[String]) -> Vec<Result<Value, GraphError>> {
        let chunks = urls
            .chunks(BATCH_LIMIT)
            .map(|chunk| self.batch_chunk(chunk));
        futures::future::join_all(chunks)
            .await
            .into_iter()
            .flatten()
            .collect()
    }

    /// GET many collections through `$batch`, each one's further pages followed on its own.
    pub async fn batch_get_collections(
        &self,
        urls: &[String],
    ) -> Vec<Result<Vec<Value>, GraphError>> {
        let firsts = self.batch_get(urls).await;
        let pages = firsts.into_iter().zip(urls).map(|(first, url)| async move {
            let what = format!("GET {}", url.split('?').next().unwrap_or(url));
            self.rest_of_collection(&what, first?)
                .await
                .map(|(items, _)| items)
        });
        futures::future::join_all(pages).await
    }

    /// The whole collection whose first page (e.g. from `$batch`) is `first`: the
    /// remaining pages are fetched one by one under the same host and loop rules. Also
    /// says how many pages it took (round trips, one after another).
    pub async fn rest_of_collection(
        &self,
        what: &str,
        first: Value,
    ) -> Result<(Vec<Value>, u32), GraphError> {
        let first = self.page(what.to_owned(), first, HashSet::new(), 1)?;
        self.rest_of_pages(first).await
    }

    /// Every item from `page` on, and the number of the last page.
    async fn rest_of_pages(&self, mut page: Page) -> Result<(Vec<Value>, u32), GraphError> {
        let mut items = std::mem::take(&mut page.items);
        let mut number = 1;
        while let Some(next) = page.next.take() {
            number = next.number;
            page = self.next_page(next).await?;
            items.append(&mut page.items);
        }
        Ok((items, u32::try_from(number).unwrap_or(u32::MAX)))
    }

    fn url(&self, path: &str) -> Result<Url, GraphError> {
        self.host.join(path).map_err(|_| {
            GraphError::other(None, format!("{path:?} is not a path on the Graph host"))
        })
    }

    /// A page's items and the next page. A nextLink must stay on the Graph host and never
    /// repeat, and the pages are capped.
    fn page(
        &self,
        what: String,
        page: Value,
        mut seen: HashSet<String>,
        number: usize,
    ) -> Result<Page, GraphError> {
        let (items, next) = split_page(&what, page)?;
        let Some(next) = next else {
            return Ok(Page { items, next: None });
        };
        let url = Url::parse(&next).map_err(|_| {
            GraphError::other(
                Some(200),
                format!("{what}: the nextLink is not an absolute URL"),
            )
        })?;
        if !self.host.is_same_origin(&url) {
            return Err(GraphError::other(
                Some(200),
                format!(
                    "{what}: refused a nextLink to {}://{} (not the Graph host {})",
                    url.scheme(),
                    url.host_str().unwrap_or("?"),
                    self.host
                ),
            ));
        }
        if !seen.insert(url.to_string()) {
            return Err(GraphError::other(
                Some(200),
                format!("{what}: the nextLink repeats an earlier page (a loop)"),
            ));
        }
        if number + 1 > self.config.max_pages {
            return Err(GraphError::other(
                Some(200),
                format!("{what}: more than {} pages; stopped", self.config.max_pages),
            ));
        }
        Ok(Page {
            items,
            next: Some(NextPage {
                what,
                url,
                seen,
                number: number + 1,
            }),
        })
    }

    /// Up to [`BATCH_LIMIT`] GETs: sent in envelopes as large as the send window allows,
    /// throttled ones again (only those), each with its own retry budget.
    async fn batch_chunk(&self, urls: &[String]) -> Vec<Result<Value, GraphError>> {
        const WHAT: &str = "POST /v1.0/$batch";
        let mut results: Vec<Option<Result<Value, GraphError>>> = vec![None; urls.len()];
        let batch_url = match self.url("/v1.0/$batch") {
            Ok(u) => u,
            Err(e) => return vec![Err(e); urls.len()],
        };
        let mut pending: std::collections::VecDeque<usize> = (0..urls.len()).collect();
        let mut tries: Vec<RetryState> = urls.iter().map(|_| RetryState::new()).collect();
        while !pending.is_empty() {
            // Sized when the window has room for it, after any pause: a 429 that arrived
            // meanwhile shrinks it, a window that returned meanwhile fills it again.
            let admission = self.throttle.admit_batch(pending.len()).await;
            let size = admission.slot.units;
            let sent: Vec<usize> = pending.drain(..size).collect();
            let requests: Vec<(String, String)> = sent
                .iter()
                .map(|&i| (i.to_string(), urls[i].clone()))
                .collect();
            self.batched.fetch_add(sent.len() as u32, Ordering::Relaxed);
            let answer = self
                .exchange(
                    &Method::POST,
                    &batch_url,
                    Some(&batch_body(&requests)),
                    Weight::Batch(sent.len()),
                    Some(admission),
                    // A `$batch` of GETs reads only: sending it again changes nothing.
                    Resend::Idempotent,
                )
                .await;
            let slot = answer.as_ref().ok().map(|r| r.slot);
            let ids: Vec<String> = requests.into_iter().map(|(id, _)| id).collect();
            let outcomes = match answer
                .and_then(|reply| json_of(WHAT, &reply))
                .and_then(|a| match_batch_responses(&ids, &a, self.config.clock.now()))
            {
                Ok(o) => o,
                Err(e) => {
                    // The envelope itself failed (after its own retries): so does the rest.
                    for i in sent.into_iter().chain(pending.drain(..)) {
                        results[i] = Some(Err(e.clone()));
                    }
                    break;
                }
            };
            let mut delay: Option<Duration> = None;
            let mut retry_after_max: Option<Duration> = None;
            let mut again = 0;
            let mut throttled = 0;
            let mut answered = 0;
            let mut near_limit = false;
            let mut scope = None;
            for (i, outcome) in sent.into_iter().zip(outcomes) {
                match outcome {
                    InnerOutcome::Done {
                        status,
                        body,
                        near_limit: near,
                    } => {
                        answered += 1;
                        near_limit |= near;
                        results[i] = Some(inner_result(&urls[i], status, body));
                    }
                    InnerOutcome::Retry {
                        status,
                        retry_after,
                        body,
                        scope: inner_scope,
                    } => {
                        throttled += u32::from(status == 429);
                        scope = scope.or(inner_scope);
                        retry_after_max = retry_after_max.max(retry_after);
                        match tries[i].next_delay(
                            &self.config.retry,
                            retry_after,
                            self.jitter.next(),
                        ) {
                            Some(d) => {
                                delay = delay.max(Some(d));
                                again += 1;
                                pending.push_back(i);
                            }
                            None => results[i] = Some(inner_result(&urls[i], status, body)),
                        }
                    }
                    InnerOutcome::Missing => {
                        results[i] = Some(Err(GraphError::other(
                            None,
                            format!(
                                "GET {}: the $batch answer had no response for it",
                                path_of(&urls[i])
                            ),
                        )));
                    }
                }
            }
            if let Some(slot) = slot {
                self.throttle.accepted(slot, answered, near_limit);
                if throttled > 0 {
                    self.throttle.refused(slot, throttled as usize, scope);
                }
            }
            self.throttled.fetch_add(throttled, Ordering::Relaxed);
            if let Some(wait) = retry_after_max {
                // Graph's Retry-After holds back every request of this client. An inner
                // 429 without one backs off alone (`delay`), exponentially with jitter.
                self.throttle.pause(self.config.retry.clamp_pause(wait));
            }
            if let Some(delay) = delay {
                self.retries.fetch_add(again, Ordering::Relaxed);
                self.config.clock.sleep(delay).await;
            }
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(GraphError::other(None, "not sent"))))
            .collect()
    }

    /// How many requests a `$batch` envelope carries now (20 until Graph throttles).
    pub fn batch_size(&self) -> usize {
        self.throttle.batch_size()
    }

    /// One request with its retries: a fresh token once after 401; 429/503/504 after
    /// `Retry-After` or, without one, exponential backoff with jitter, within the budget
    /// (<https://learn.microsoft.com/graph/throttling#best-practices-to-handle-throttling>;
    /// Graph sends no `Retry-After` for some services, Conditional Access among them:
    /// <https://learn.microsoft.com/graph/throttling-limits#identity-protection-and-conditional-access-service-limits>);
    /// dropped connections a few times. A 429 narrows the send window; other answers to a
    /// single request are reported as accepted (a `$batch` caller reports its inner
    /// answers itself). `admitted` is leave already taken for the first attempt.
    async fn exchange(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&Value>,
        weight: Weight,
        mut admitted: Option<Admission<'_>>,
        resend: Resend,
    ) -> Result<Reply, GraphError> {
        let what = describe(method, url);
        let mut state = RetryState::new();
        let mut refreshed = false;
        let mut transport_retries = 0;
        loop {
            let token = self.tokens.access_token().await.map_err(|e| GraphError {
                status: None,
                code: None,
                kind: GraphErrorKind::Unauthorized,
                detail: format!("{what}: no access token ({e})"),
            })?;
            let result = {
                let admission = match admitted.take() {
                    Some(a) => a,
                    None => self.throttle.admit(weight.units()).await,
                };
                let slot = admission.slot;
                self.requests.fetch_add(1, Ordering::Relaxed);
                let mut request = self
                    .http
                    .request(method.clone(), url.clone())
                    .bearer_auth(token.secret())
                    .header(ACCEPT, "application/json");
                if let Some(b) = body {
                    request = request.json(b);
                }
                match request.send().await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let retry_after = response
                            .headers()
                            .get(RETRY_AFTER)
                            .and_then(|v| v.to_str().ok())
                            .and_then(|v| parse_retry_after(v, self.config.clock.now()));
                        let pressure = Pressure::of(response.headers());
                        let reply = response.bytes().await.map(|b| Reply {
                            status,
                            retry_after,
                            body: b.to_vec(),
                            slot,
                        });
                        if let Ok(r) = &reply {
                            if r.status == 429 {
                                self.throttled.fetch_add(1, Ordering::Relaxed);
                                self.throttle.refused(slot, weight.units(), pressure.scope);
                            } else if matches!(weight, Weight::One) && !is_retryable(r.status) {
                                self.throttle.accepted(slot, 1, pressure.near_limit);
                            }
                        }
                        reply
                    }
                    Err(e) => Err(e),
                }
            };
            match result {
                Ok(reply) if reply.status == 401 && !refreshed => {
                    self.tokens.token_rejected(&token);
                    refreshed = true;
                    self.retries.fetch_add(1, Ordering::Relaxed);
                }
                Ok(reply) if is_retryable(reply.status) && resend.after(reply.status) => {
                    if let Some(wait) = reply.retry_after {
                        // Graph "limits any further requests from that client app for some
                        // time" (https://learn.microsoft.com/graph/throttling): one pause
                        // for every request of this host.
                        self.throttle.pause(self.config.retry.clamp_pause(wait));
                    }
                    match state.next_delay(
                        &self.config.retry,
                        reply.retry_after,
                        self.jitter.next(),
                    ) {
                        Some(delay) => {
                            self.retries.fetch_add(1, Ordering::Relaxed);
                            self.config.clock.sleep(delay).await;
                        }
                        None => return Ok(reply),
                    }
                }
                Ok(reply) => return Ok(reply),
                Err(e) => {
                    let error = transport_error(&what, &e);
                    // A timeout already took long; a refused or dropped connection may be a blip.
                    // Only a connection never made proves a create never reached Graph.
                    if e.is_timeout()
                        || transport_retries >= TRANSPORT_RETRIES
                        || (resend == Resend::OnlyIfRefused && !e.is_connect())
                    {
                        return Err(error);
                    }
                    match state.next_delay(&self.config.retry, None, self.jitter.next()) {
                        Some(delay) => {
                            transport_retries += 1;
                            self.retries.fetch_add(1, Ordering::Relaxed);
                            self.config.clock.sleep(delay).await;
                        }
                        None => return Err(error),
                    }
                }
            }
        }
    }
}

/// Whether a request may be sent again after an answer or a failure that does not say
/// it was left undone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Resend {
    /// Reads and idempotent writes: again after 429, 503, 504 or a dropped connection.
    Idempotent,
    /// A request that creates (`POST`): again only when it was certainly not processed.
    /// A 429 is: Graph "limits any further requests" and "the requests fail"
    /// (https://learn.microsoft.com/graph/throttling). A 503 or 504 is not: the service was
    /// "unavailable" or a gateway "didn't receive a timely response"
    /// (https://learn.microsoft.com/graph/errors), and the create may have been made behind
    /// it; nor is a connection dropped after the request was written. A connection that was
    /// never made is (reqwest's `is_connect`).
    OnlyIfRefused,
}

impl Resend {
    /// May a request that got `status` (429, 503 or 504) be sent again?
    fn after(self, status: u16) -> bool {
        match self {
            Resend::Idempotent => true,
            Resend::OnlyIfRefused => status == 429,
        }
    }
}

/// `GET /v1.0/organization`: names a request in errors without its query.
fn describe(method: &Method, url: &Url) -> String {
    format!("{method} {}", url.path())
}

fn path_of(relative: &str) -> &str {
    relative.split('?').next().unwrap_or(relative)
}

fn transport_error(what: &str, e: &reqwest::Error) -> GraphError {
    let (kind, why) = if e.is_timeout() {
        (GraphErrorKind::Error, "timed out")
    } else if e.is_connect() {
        (
            GraphErrorKind::Unreachable,
            "could not connect to the Graph host",
        )
    } else if e.is_body() || e.is_decode() {
        (
            GraphErrorKind::Error,
            "the connection dropped while reading the answer",
        )
    } else {
        (GraphErrorKind::Error, "the connection failed")
    };
    GraphError {
        status: None,
        code: None,
        kind,
        detail: format!("{what}: {why}"),
    }
}

/// A 2xx body as JSON, else the typed error.
fn json_of(what: &str, reply: &Reply) -> Result<Value, GraphError> {
    match reply.status {
        200..=299 => serde_json::from_slice(&reply.body).map_err(|e| {
            GraphError::other(
                Some(reply.status),
                format!("{what}: the answer is not valid JSON ({e})"),
            )
        }),
        300..=399 => Err(GraphError::other(
            Some(reply.status),
            format!(
                "{what}: HTTP {} redirect refused (the token stays on the Graph host)",
                reply.status
            ),
        )),
        status => Err(GraphError::from_response(what, status, &reply.body)),
    }
}

fn inner_result(url: &str, status: u16, body: Option<Value>) -> Result<Value, GraphError> {
    let what = format!("GET {}", path_of(url));
    match status {
        200..=299 => Ok(body.unwrap_or(Value::Null)),
        0 => Err(GraphError::other(
            None,
            format!("{what}: the $batch answer had no status"),
        )),
        _ => Err(GraphError::from_value(&what, status, body.as_ref())),
    }
}

/// A page's `value` array and `@odata.nextLink`.
fn split_page(what: &str, page: Value) -> Result<(Vec<Value>, Option<String>), GraphError> {
    let Value::Object(mut map) = page else {
        return Err(GraphError::other(
            Some(200),
            format!("{what}: the answer is not a JSON object"),
        ));
    };
    // Graph names the next page `@odata.nextLink`; Azure Resource Manager `nextLink`.
    let next = match map
        .remove("@odata.nextLink")
        .or_else(|| map.remove("nextLink"))
    {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => {
            return Err(GraphError::other(
                Some(200),
                format!("{what}: the nextLink is not a string"),
            ));
        }
    };
    match map.remove("value") {
        Some(Value::Array(values)) => Ok((values, next)),
        _ => Err(GraphError::other(
            Some(200),
            format!("{what}: the answer has no `value` array"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pages() {
        let check = |page: Value, expected: Result<(usize, Option<&str>), ()>| {
            let got = split_page("GET /x", page.clone())
                .map(|(v, n)| (v.len(), n))
                .map_err(|_| ());
            assert_eq!(
                got,
                expected.map(|(n, s)| (n, s.map(str::to_owned))),
                "{page}"
            );
        };
        check(json!({"value": [1, 2]}), Ok((2, None)));
        check(
            json!({"value": [], "@odata.nextLink": "https://g/x?s=1"}),
            Ok((0, Some("https://g/x?s=1"))),
        );
        check(
            json!({"value": [1], "@odata.nextLink": null}),
            Ok((1, None)),
        );
        check(json!({"value": {}}), Err(()));
        check(json!({"values": []}), Err(()));
        check(json!([1]), Err(()));
        check(json!({"value": [], "@odata.nextLink": 3}), Err(()));
    }
}
