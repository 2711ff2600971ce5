//! The pace of one host: the pause every request of a client honours after
//! `Retry-After`, the send window (see `window.rs`) and the permits that bound requests in
//! flight. A client owns one, so the limits of one host (Azure Resource Manager) never
//! slow another (Graph): Graph's identity and access limits count per app and tenant
//! (<https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits>),
//! ARM's per principal, subscription or tenant and region
//! (<https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling>),
//! and one client instance talks to one host for one app and tenant.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{Notify, Semaphore, SemaphorePermit};

use super::retry::Clock;
use super::window::{Accepted, SendWindow, Slot};

/// The header naming the limit a 429 hit (identity and access).
pub const THROTTLE_SCOPE: &str = "x-ms-throttle-scope";
/// The header Graph adds to answers once the app has used more than 80 % of a limit.
pub const LIMIT_PERCENTAGE: &str = "x-ms-throttle-limit-percentage";

/// Which of Graph's limits a 429 hit, from `x-ms-throttle-scope`
/// (`<Scope>/<Limit>/<ApplicationId>/<TenantId|UserId|ResourceId>`), which the identity
/// and access service sends on throttled answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleScope {
    pub counts: ThrottledParty,
    pub requests: ThrottledRequests,
}

/// Whose requests a limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThrottledParty {
    /// This app in this tenant (`Tenant_Application`).
    TenantApplication,
    /// Every app in this tenant (`Tenant`).
    Tenant,
    /// This app in every tenant (`Application`).
    Application,
}

/// Which requests a limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThrottledRequests {
    Read,
    Write,
    ReadWrite,
}

impl ThrottleScope {
    /// Parses the header's value; `None` when it is not in the documented form.
    pub fn parse(value: &str) -> Option<ThrottleScope> {
        let mut parts = value.trim().split('/');
        let counts = match parts.next()? {
            s if s.eq_ignore_ascii_case("Tenant_Application") => ThrottledParty::TenantApplication,
            s if s.eq_ignore_ascii_case("Tenant") => ThrottledParty::Tenant,
            s if s.eq_ignore_ascii_case("Application") => ThrottledParty::Application,
            _ => return None,
        };
        let requests = match parts.next()? {
            s if s.eq_ignore_ascii_case("Read") => ThrottledRequests::Read,
            s if s.eq_ignore_ascii_case("Write") => ThrottledRequests::Write,
            s if s.eq_ignore_ascii_case("ReadWrite") => ThrottledRequests::ReadWrite,
            _ => return None,
        };
        Some(ThrottleScope { counts, requests })
    }
}

/// Whether an answer says the app has used more than 80 % of a limit: Graph sends
/// `x-ms-throttle-limit-percentage` (0.8 to 1.8) only then.
pub fn is_near_limit(value: &str) -> bool {
    value.trim().parse::<f64>().is_ok_and(|p| p >= 0.8)
}

/// The throttling state of one host, shared by every request of one client.
#[derive(Debug)]
pub(crate) struct HostThrottle {
    clock: Arc<dyn Clock>,
    permits: Semaphore,
    /// No request leaves before this instant (the longest `Retry-After` seen), so
    /// concurrent requests back off together instead of each waking up into the same
    /// throttle.
    paused_until: Mutex<Option<DateTime<Utc>>>,
    window: Mutex<SendWindow>,
    window_freed: Notify,
    last_scope: Mutex<Option<ThrottleScope>>,
}

/// Leave to send one request: a permit and a window slot, both given back on drop.
pub(crate) struct Admission<'a> {
    throttle: &'a HostThrottle,
    pub slot: Slot,
    _permit: SemaphorePermit<'a>,
}

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        self.throttle.window().release(self.slot);
        self.throttle.window_freed.notify_waiters();
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl HostThrottle {
    /// `max_concurrency` HTTP requests in flight, each up to a full `$batch` of `batch` requests.
    pub fn new(max_concurrency: usize, batch: usize, clock: Arc<dyn Clock>) -> Self {
        let max_concurrency = max_concurrency.max(1);
        HostThrottle {
            clock,
            permits: Semaphore::new(max_concurrency),
            paused_until: Mutex::new(None),
            window: Mutex::new(SendWindow::new(max_concurrency * batch.max(1))),
            window_freed: Notify::new(),
            last_scope: Mutex::new(None),
        }
    }

    fn window(&self) -> MutexGuard<'_, SendWindow> {
        lock(&self.window)
    }

    /// Waits for leave to send `units` requests: past the pause, room in the window, a
    /// permit. The pause is looked at again once both are held, so requests queued while
    /// the host throttled do not leave together when the first of them gets through.
    pub async fn admit(&self, units: usize) -> Admission<'_> {
        self.admit_sized(|_| units).await
    }

    /// Like [`HostThrottle::admit`] for a `$batch` of up to `wanted` requests, sized when
    /// there is room: the envelope carries as many as the window allows at that moment,
    /// so envelopes queued during a narrow window leave full once it has returned.
    pub async fn admit_batch(&self, wanted: usize) -> Admission<'_> {
        self.admit_sized(|w| wanted.min(w.batch_size()).max(1))
            .await
    }

    async fn admit_sized(&self, units: impl Fn(&SendWindow) -> usize) -> Admission<'_> {
        loop {
            self.wait_for_pause().await;
            let slot = loop {
                let freed = self.window_freed.notified();
                tokio::pin!(freed);
                freed.as_mut().enable();
                {
                    let mut window = self.window();
                    let n = units(&window);
                    if let Some(slot) = window.take(n) {
                        break slot;
                    }
                }
                freed.await;
            };
            let admission = Admission {
                throttle: self,
                slot,
                _permit: self
                    .permits
                    .acquire()
                    .await
                    .expect("the semaphore is never closed"),
            };
            if !self.is_paused() {
                return admission;
            }
        }
    }

    /// Graph accepted `units` requests sent in `slot`.
    pub fn accepted(&self, slot: Slot, units: usize, near_limit: bool) {
        let returned = {
            let mut window = self.window();
            let before = window.returns();
            window.answered(slot, Accepted { units, near_limit });
            window.returns() != before
        };
        if returned {
            self.window_freed.notify_waiters();
        }
    }

    /// Graph refused `units` requests sent in `slot` with 429.
    pub fn refused(&self, slot: Slot, units: usize, scope: Option<ThrottleScope>) {
        self.window().throttled(slot, units);
        if scope.is_some() {
            *lock(&self.last_scope) = scope;
        }
    }

    /// Graph named a time to come back (`Retry-After`): no request of this client leaves
    /// before it has passed.
    pub fn pause(&self, wait: Duration) {
        let Ok(wait) = chrono::Duration::from_std(wait) else {
            return;
        };
        let until = self.clock.now() + wait;
        let mut paused = lock(&self.paused_until);
        if paused.is_none_or(|p| p < until) {
            *paused = Some(until);
        }
    }

    fn is_paused(&self) -> bool {
        let until = *lock(&self.paused_until);
        until.is_some_and(|u| u > self.clock.now())
    }

    /// Waits while the host has asked this client to slow down.
    pub async fn wait_for_pause(&self) {
        let until = *lock(&self.paused_until);
        if let Some(until) = until
            && let Ok(rest) = (until - self.clock.now()).to_std()
            && !rest.is_zero()
        {
            self.clock.sleep(rest).await;
        }
    }

    /// How many requests a `$batch` envelope carries now (20 until the host throttles).
    pub fn batch_size(&self) -> usize {
        self.window().batch_size()
    }

    /// The fewest requests the window has allowed in flight.
    pub fn narrowest(&self) -> usize {
        self.window().narrowest()
    }

    /// How often the window returned at once to its size before a transient 429.
    pub fn returns(&self) -> u32 {
        self.window().returns()
    }

    /// The scope of the last 429 that named one.
    pub fn last_scope(&self) -> Option<ThrottleScope> {
        *lock(&self.last_scope)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::RecordingClock;

    #[test]
    fn throttle_scopes() {
        use ThrottledParty::*;
        use ThrottledRequests::*;
        let check = |value: &str, expected: Option<(ThrottledParty, ThrottledRequests)>| {
            assert_eq!(
                ThrottleScope::parse(value),
                expected.map(|(counts, requests)| ThrottleScope { counts, requests }),
                "{value:?}"
            );
        };
        // The documented example.
        check(
            "Tenant_Application/ReadWrite/9a3d526c-b3c1-4479-ba74-197b5c5751ae/0785ef7c-2d7a-4542-b048-95bcab406e0b",
            Some((TenantApplication, ReadWrite)),
        );
        check("Tenant/Write/a/b", Some((Tenant, Write)));
        check(" application/read/a/b ", Some((Application, Read)));
        check("Tenant_Application", None);
        check("User/Read/a/b", None);
        check("Tenant/Delete/a/b", None);
        check("", None);
    }

    #[test]
    fn near_the_limit() {
        for (value, expected) in [
            ("0.8", true),
            ("1.8", true),
            (" 0.95 ", true),
            ("0.79", false),
            ("", false),
            ("80%", false),
        ] {
            assert_eq!(is_near_limit(value), expected, "{value:?}");
        }
    }

    /// Two clients (Graph and ARM) each own a throttle: a pause of one never delays the other.
    #[tokio::test]
    async fn hosts_are_paced_apart() {
        let now = chrono::DateTime::<Utc>::UNIX_EPOCH;
        let arm_clock = Arc::new(RecordingClock::new(now));
        let graph_clock = Arc::new(RecordingClock::new(now));
        let arm = HostThrottle::new(4, 20, arm_clock.clone());
        let graph = HostThrottle::new(4, 20, graph_clock.clone());
        let slot = arm.admit(1).await.slot;
        arm.refused(slot, 1, None);
        arm.pause(Duration::from_secs(3));
        let admitted = graph.admit_batch(20).await;
        assert_eq!(admitted.slot.units, 20, "Graph's window is untouched");
        assert!(graph_clock.sleeps().is_empty(), "Graph did not wait");
        drop(admitted);
        let admitted = arm.admit_batch(20).await;
        assert_eq!(
            (admitted.slot.units, arm_clock.sleeps()),
            (1, vec![Duration::from_secs(3)]),
            "ARM waited for its Retry-After and probes with one request"
        );
    }
}
