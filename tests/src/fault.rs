//! Fault injection: what a route answers instead of (or before) its data.

use std::time::{Duration, Instant};

/// A predicate over (method, path without version, query).
pub type RoutePredicate = std::sync::Arc<dyn Fn(&str, &str, &str) -> bool + Send + Sync>;

/// Which requests a fault applies to. Paths are compared without the `/v1.0` or
/// `/beta` prefix and without the query, e.g. `/roleManagement/directory/roleAssignments`.
#[derive(Clone)]
pub enum RouteMatcher {
    /// The path starts with this (a `/v1.0` or `/beta` prefix is ignored).
    Prefix(String),
    /// The path equals this.
    Exact(String),
    /// Any predicate over (method, path, query).
    Custom(RoutePredicate),
}

impl std::fmt::Debug for RouteMatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RouteMatcher::Prefix(p) => write!(f, "Prefix({p})"),
            RouteMatcher::Exact(p) => write!(f, "Exact({p})"),
            RouteMatcher::Custom(_) => f.write_str("Custom(..)"),
        }
    }
}

impl From<&str> for RouteMatcher {
    fn from(p: &str) -> Self {
        RouteMatcher::Prefix(strip_version(p).to_owned())
    }
}

impl From<String> for RouteMatcher {
    fn from(p: String) -> Self {
        RouteMatcher::from(p.as_str())
    }
}

/// `/v1.0/users` → `/users`.
pub fn strip_version(path: &str) -> &str {
    for prefix in ["/v1.0", "/beta"] {
        if let Some(rest) = path.strip_prefix(prefix)
            && (rest.is_empty() || rest.starts_with('/'))
        {
            return rest;
        }
    }
    path
}

impl RouteMatcher {
    pub fn matches(&self, method: &str, path: &str, query: &str) -> bool {
        match self {
            RouteMatcher::Prefix(p) => path.starts_with(p.as_str()),
            RouteMatcher::Exact(p) => strip_version(p) == path,
            RouteMatcher::Custom(f) => f(method, path, query),
        }
    }
}

/// What a faulty route does.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultKind {
    /// Answer normally after a delay.
    Latency(Duration),
    /// 429 `TooManyRequests` with `Retry-After` (fractional seconds are written as such).
    Throttle { retry_after: Duration },
    /// 429 `TooManyRequests` without `Retry-After`, as Graph answers for identity protection
    /// and Conditional Access (and a few other services):
    /// <https://learn.microsoft.com/graph/throttling-limits#identity-protection-and-conditional-access-service-limits>.
    ThrottleWithoutRetryAfter,
    /// A 5xx (or any) status with a Graph error body, no `Retry-After`.
    Status(u16),
    /// 503 `ServiceNotAvailable` with `Retry-After`, as Graph sends under load.
    Unavailable { retry_after: Duration },
    /// Headers and part of the body are sent, then the connection is aborted.
    DropMidBody,
    /// Headers are sent, then the connection is aborted before any body byte.
    Reset,
    /// Never answers (the client must time out).
    Hang,
    /// 200 with a truncated, unparseable JSON body.
    MalformedJson,
    /// 200 with valid JSON of the wrong shape.
    WrongShape,
    /// 200 with an empty page whose `@odata.nextLink` points at itself.
    NextLinkLoop,
    /// A normal first page whose `@odata.nextLink` points at the emulator's second
    /// ("foreign") listener, which records whether a bearer reached it.
    ForeignNextLink,
    /// 401 `InvalidAuthenticationToken` (an expired token).
    Unauthorized,
    /// 403 `Authorization_RequestDenied` (a missing scope).
    Forbidden,
    /// 400 `AadPremiumLicenseRequired`.
    NotLicensed,
}

/// A fault and how many times it fires (`None` = always).
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub kind: FaultKind,
    pub times: Option<u32>,
}

impl Fault {
    pub fn always(kind: FaultKind) -> Self {
        Fault { kind, times: None }
    }

    /// Fires `n` times, then the route answers normally.
    pub fn times(kind: FaultKind, n: u32) -> Self {
        Fault {
            kind,
            times: Some(n),
        }
    }

    pub fn latency(d: Duration) -> Self {
        Fault::always(FaultKind::Latency(d))
    }

    /// `n` answers of 429 with this `Retry-After`.
    pub fn throttle(retry_after: Duration, n: u32) -> Self {
        Fault::times(FaultKind::Throttle { retry_after }, n)
    }

    /// `n` answers of 429 without `Retry-After`.
    pub fn throttle_without_retry_after(n: u32) -> Self {
        Fault::times(FaultKind::ThrottleWithoutRetryAfter, n)
    }

    /// `n` answers with this status (e.g. 503).
    pub fn status(status: u16, n: u32) -> Self {
        Fault::times(FaultKind::Status(status), n)
    }

    /// This status forever.
    pub fn status_always(status: u16) -> Self {
        Fault::always(FaultKind::Status(status))
    }
}

impl From<FaultKind> for Fault {
    fn from(kind: FaultKind) -> Self {
        Fault::always(kind)
    }
}

/// A token bucket: `rate` requests per second refill, `burst` capacity. Requests
/// beyond it get 429 with the `Retry-After` that the bucket needs to refill completely.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Throttling {
    pub rate_per_second: f64,
    pub burst: u32,
}

#[derive(Debug)]
pub(crate) struct Bucket {
    pub config: Throttling,
    tokens: f64,
    last: Instant,
}

impl Bucket {
    pub fn new(config: Throttling) -> Self {
        Bucket {
            config,
            tokens: f64::from(config.burst),
            last: Instant::now(),
        }
    }

    /// `Ok` to serve, with the share of the bucket now used (0 to 1), or the time until
    /// a token is available.
    pub fn take(&mut self) -> Result<f64, Duration> {
        let now = Instant::now();
        let elapsed = now.duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens =
            (self.tokens + elapsed * self.config.rate_per_second).min(f64::from(self.config.burst));
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(1.0 - self.tokens / f64::from(self.config.burst).max(1.0))
        } else {
            // Like Graph's windows: come back when the bucket is full again, so a client
            // honouring Retry-After for many throttled requests at once gets through.
            let wait = (f64::from(self.config.burst) - self.tokens)
                / self.config.rate_per_second.max(f64::MIN_POSITIVE);
            Err(Duration::from_secs_f64(wait.min(3600.0)))
        }
    }
}

/// `Retry-After` as Graph writes it: whole seconds; fractional only when below a second
/// would otherwise round to zero or when given fractional (tests use short waits).
pub fn retry_after_value(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        d.as_secs().to_string()
    } else {
        let s = format!("{:.3}", d.as_secs_f64());
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}
