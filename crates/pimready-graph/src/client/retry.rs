//! When to retry and how long to wait: `Retry-After`, capped exponential backoff with
//! jitter, a bounded budget. Time and randomness are injected so tests are deterministic.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The time source of the Graph client: the wall clock for HTTP-date `Retry-After`,
/// and sleeping between retries.
pub trait Clock: Send + Sync + fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>>;
}

/// The real clock (tokio timers).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// A clock for tests: virtual time that starts at `now` and moves only when something
/// sleeps; sleeps return at once but are recorded.
#[derive(Debug)]
pub struct RecordingClock {
    now: Mutex<DateTime<Utc>>,
    sleeps: Mutex<Vec<Duration>>,
}

impl RecordingClock {
    pub fn new(now: DateTime<Utc>) -> Self {
        RecordingClock {
            now: Mutex::new(now),
            sleeps: Mutex::new(Vec::new()),
        }
    }
    /// Every sleep asked for so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.sleeps.lock().expect("clock lock").clone()
    }
}

impl Clock for RecordingClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().expect("clock lock")
    }
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
        self.sleeps.lock().expect("clock lock").push(duration);
        if let Ok(d) = chrono::Duration::from_std(duration) {
            *self.now.lock().expect("clock lock") += d;
        }
        Box::pin(async {})
    }
}

/// How throttled (429) and unavailable (503, 504) answers are retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries of one request (a `$batch` envelope counts as one request).
    pub max_retries: u32,
    /// First backoff when the server names no `Retry-After`.
    pub base_delay: Duration,
    /// Largest single backoff (a server's `Retry-After` is honoured as given).
    pub max_delay: Duration,
    /// The most one request may wait in total; a wait beyond it gives up instead.
    pub budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 8,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            budget: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// How long a `Retry-After` may hold back the other requests of a host: never longer
    /// than the whole retry budget (a server asking for hours gets its request given up,
    /// not a client that waits for hours).
    pub fn clamp_pause(&self, retry_after: Duration) -> Duration {
        retry_after.min(self.budget)
    }

    /// The backoff before retry number `attempt` (0-based) without `Retry-After`:
    /// `min(max_delay, base × 2^attempt)`, scaled by `jitter` ∈ [0.5, 1] ("equal jitter").
    pub fn backoff(&self, attempt: u32, jitter: f64) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(attempt.min(31)));
        let capped = exp.min(self.max_delay);
        capped.mul_f64(jitter.clamp(0.5, 1.0))
    }
}

/// Tracks one request's retries against the policy.
#[derive(Debug)]
pub(crate) struct RetryState {
    pub attempts: u32,
    pub waited: Duration,
}

impl RetryState {
    pub fn new() -> Self {
        RetryState {
            attempts: 0,
            waited: Duration::ZERO,
        }
    }

    /// The wait before the next retry, or `None` when the policy says give up.
    pub fn next_delay(
        &mut self,
        policy: &RetryPolicy,
        retry_after: Option<Duration>,
        jitter: f64,
    ) -> Option<Duration> {
        if self.attempts >= policy.max_retries {
            return None;
        }
        let delay = retry_after.unwrap_or_else(|| policy.backoff(self.attempts, jitter));
        if self
            .waited
            .checked_add(delay)
            .is_none_or(|total| total > policy.budget)
        {
            return None;
        }
        self.attempts += 1;
        self.waited += delay;
        Some(delay)
    }
}

/// A seeded (or entropy-seeded) source of jitter factors in [0.5, 1].
#[derive(Debug)]
pub(crate) struct Jitter(Mutex<StdRng>);

impl Jitter {
    pub fn new(seed: Option<u64>) -> Self {
        let rng = match seed {
            Some(s) => StdRng::seed_from_u64(s),
            None => StdRng::from_os_rng(),
        };
        Jitter(Mutex::new(rng))
    }
    pub fn next(&self) -> f64 {
        self.0.lock().expect("jitter lock").random_range(0.5..=1.0)
    }
}

/// Parses `Retry-After`: whole or fractional seconds, or an HTTP-date (a date in the
/// past means "now"). `None` when unusable.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if value.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        let secs: f64 = value.parse().ok()?;
        return Duration::try_from_secs_f64(secs).ok();
    }
    let date = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    Some((date - now).to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2015-10-21T07:28:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn check(input: &str, expected: Option<Duration>) {
        assert_eq!(parse_retry_after(input, now()), expected, "{input:?}");
    }

    #[test]
    fn retry_after() {
        let ms = Duration::from_millis;
        check("0", Some(ms(0)));
        check("7", Some(ms(7000)));
        check(" 120 ", Some(ms(120_000)));
        check("1.5", Some(ms(1500)));
        check("0.25", Some(ms(250)));
        check("Wed, 21 Oct 2015 07:28:30 GMT", Some(ms(30_000)));
        check("Wed, 21 Oct 2015 07:27:00 GMT", Some(ms(0)));
        check("Wed, 21 Oct 2015 08:28:00 +0000", Some(ms(3_600_000)));
        check("", None);
        check("-1", None);
        check("soon", None);
        check("1.2.3", None);
        check("1e3", None);
        check("NaN", None);
        check("99999999999999999999999999999999999999999", None);
    }

    #[test]
    fn backoff_is_capped_and_jittered() {
        let p = RetryPolicy {
            max_retries: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            budget: Duration::from_secs(60),
        };
        let ms = |attempt, jitter| p.backoff(attempt, jitter).as_millis();
        for (attempt, jitter, expected) in [
            (0, 1.0, 100),
            (1, 1.0, 200),
            (3, 1.0, 800),
            (4, 1.0, 1000),
            (30, 1.0, 1000),
            (u32::MAX, 1.0, 1000),
            (2, 0.5, 200),
            (2, 0.0, 200),
            (2, 7.0, 400),
        ] {
            assert_eq!(
                ms(attempt, jitter),
                expected,
                "attempt {attempt} jitter {jitter}"
            );
        }
    }

    /// No `Retry-After`, however large, overflows the budget arithmetic or holds the host
    /// back longer than the budget.
    #[test]
    fn a_huge_retry_after_is_given_up_without_overflow() {
        let p = RetryPolicy::default();
        let huge = parse_retry_after("18446744073709549568", now()).unwrap();
        let mut s = RetryState::new();
        assert_eq!(
            s.next_delay(&p, Some(Duration::from_secs(1)), 1.0),
            Some(Duration::from_secs(1))
        );
        assert_eq!(s.next_delay(&p, Some(huge), 1.0), None);
        assert_eq!(s.next_delay(&p, Some(Duration::MAX), 1.0), None);
        assert_eq!(p.clamp_pause(huge), p.budget);
        assert_eq!(
            p.clamp_pause(Duration::from_secs(2)),
            Duration::from_secs(2)
        );
        check("99999999999999999999999", None);
    }

    #[test]
    fn budget_bounds_retries() {
        let p = RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            budget: Duration::from_secs(2),
        };
        let mut s = RetryState::new();
        assert_eq!(
            s.next_delay(&p, Some(Duration::from_secs(3)), 1.0),
            None,
            "beyond budget"
        );
        assert_eq!(
            s.next_delay(&p, None, 1.0),
            Some(Duration::from_millis(100))
        );
        assert_eq!(
            s.next_delay(&p, Some(Duration::from_millis(1500)), 1.0),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            s.next_delay(&p, None, 1.0),
            Some(Duration::from_millis(400))
        );
        assert_eq!(
            s.next_delay(&p, Some(Duration::ZERO), 1.0),
            None,
            "max retries"
        );
        let mut s = RetryState::new();
        assert_eq!(
            s.next_delay(&p, Some(Duration::from_millis(1900)), 1.0),
            Some(Duration::from_millis(1900))
        );
        assert_eq!(
            s.next_delay(&p, None, 1.0),
            None,
            "200 ms would exceed the 2 s budget"
        );
    }

    #[test]
    fn jitter_is_deterministic_with_a_seed() {
        let a: Vec<f64> = (0..5)
            .map({
                let j = Jitter::new(Some(7));
                move |_| j.next()
            })
            .collect();
        let b: Vec<f64> = (0..5)
            .map({
                let j = Jitter::new(Some(7));
                move |_| j.next()
            })
            .collect();
        assert_eq!(a, b);
        assert!(a.iter().all(|f| (0.5..=1.0).contains(f)));
    }
}
