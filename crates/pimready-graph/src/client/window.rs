//! How much the client sends at once after Graph said "too many requests": a window of
//! requests in flight, each request inside a `$batch` counting as one (Graph's limits
//! count them one by one). Unthrottled, the window never binds.
//!
//! After a 429 the window becomes half of what was in flight, and no more than half of
//! what Graph accepted since the last 429 (the first 429 meets a client sending at full
//! speed: halving 600 requests in flight would take many rounds to reach what Graph
//! allows). What happens next depends on what the episode looked like:
//! - *Transient*: the 429 met a full window, Graph accepted most of that flight (at most
//!   one request in [`TRANSIENT_SHARE`] refused) and no answer said the app was near its
//!   limit (`x-ms-throttle-limit-percentage`, sent only above 80 % of the limit:
//!   <https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits>).
//!   The first request sent after the decrease is a probe: once Graph accepts it (after
//!   `Retry-After`, which says when capacity is back), the window returns at once to what
//!   it was before the 429, and `$batch` envelopes to 20.
//! - *Sustained* (a token bucket refusing everything beyond its capacity, a window already
//!   narrowed, a near-limit answer, or a 429 before a full window's worth of requests was
//!   accepted after the last fast return): the window grows back by one for every window's
//!   worth of accepted answers to requests sent in it (additive increase, multiplicative
//!   decrease, as TCP does for congestion); each later round refuses about what the
//!   window holds.
//!
//!
//! An answer saying the app has used more than 80 % of a limit (`x-ms-throttle-limit-percentage`)
//! narrows the window before any 429, once per window of requests, as a TCP sender does on an
//! ECN mark: a window that keeps growing into an almost empty bucket pays for it with refused
//! requests. Graph sends the header only near a limit, so an unthrottled run never sees it.
//!
//! Pure: it counts events and never looks at a clock, so a test replays it exactly.

use super::batch::BATCH_LIMIT;

/// A 429 episode is transient when Graph refused at most one request in this many of
/// those it answered from the same flight.
pub(crate) const TRANSIENT_SHARE: usize = 5;

/// The send window of one client (one host).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SendWindow {
    /// Requests allowed in flight now.
    limit: usize,
    /// The limit before any throttling (requests in flight × a full `$batch`).
    max: usize,
    in_flight: usize,
    /// Bumped by every decrease and every fast return: a slot says which regime it was
    /// sent in. A 429 to a request sent before the last change belongs to an episode
    /// already answered, and does not halve again.
    epoch: u64,
    /// Unthrottled answers since the last increase.
    credit: usize,
    /// Unthrottled answers since the last decrease: about what Graph lets through
    /// between two throttles.
    accepted: usize,
    /// Unthrottled answers to requests sent in the current epoch, and whether one of
    /// them said the app is near its limit.
    epoch_accepted: usize,
    epoch_near_limit: bool,
    /// The 429 episode not yet resolved by a probe.
    episode: Option<Episode>,
    /// Unthrottled answers since the last fast return (`None` before the first): a 429
    /// arriving before a full window's worth means the return found the limit again, so
    /// the throttling is not transient and the next return waits for the probe's growth.
    since_return: Option<usize>,
    /// Decreases and fast returns so far.
    decreases: u32,
    returns: u32,
    /// The smallest limit so far.
    narrowest: usize,
}

/// What is known of a throttling episode until the probe after it is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Episode {
    /// The epoch whose flight was throttled.
    epoch: u64,
    /// The window before the decrease.
    before: usize,
    /// Requests of that flight Graph refused and accepted.
    refused: usize,
    accepted: usize,
    /// An answer of that flight said the app was near its limit.
    near_limit: bool,
    /// It began less than a full window's worth of accepted requests after a fast return.
    soon_after_return: bool,
}

impl Episode {
    /// A lone 429, or few among many accepted answers, to a flight at the full window,
    /// with no answer near the limit.
    fn is_transient(&self, max: usize) -> bool {
        self.before == max
            && !self.near_limit
            && !self.soon_after_return
            && (self.refused <= 1
                || self.refused.saturating_mul(TRANSIENT_SHARE) <= self.refused + self.accepted)
    }
}

/// Room in the window for one HTTP request: `units` requests (1, or a `$batch`'s size),
/// sent in `epoch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slot {
    pub units: usize,
    pub epoch: u64,
}

/// Graph accepted requests sent in one slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Accepted {
    pub units: usize,
    /// One of the answers carried `x-ms-throttle-limit-percentage` (the app has used
    /// more than 80 % of a limit).
    pub near_limit: bool,
}

impl SendWindow {
    pub fn new(max: usize) -> Self {
        let max = max.max(1);
        SendWindow {
            limit: max,
            max,
            in_flight: 0,
            epoch: 0,
            credit: 0,
            accepted: 0,
            epoch_accepted: 0,
            epoch_near_limit: false,
            episode: None,
            since_return: None,
            decreases: 0,
            returns: 0,
            narrowest: max,
        }
    }

    /// Room for `units` requests, or `None` to wait for a release. A request larger than
    /// the window still goes when nothing else is in flight, so nothing waits forever.
    pub fn take(&mut self, units: usize) -> Option<Slot> {
        if self.in_flight == 0 || self.in_flight + units <= self.limit {
            self.in_flight += units;
            Some(Slot {
                units,
                epoch: self.epoch,
            })
        } else {
            None
        }
    }

    /// The slot's answer has arrived (or the request failed).
    pub fn release(&mut self, slot: Slot) {
        self.in_flight = self.in_flight.saturating_sub(slot.units);
    }

    /// Graph refused `refused` requests sent in `slot` (reported before the slot is
    /// released, after its accepted answers): the first refusal of a flight halves the
    /// window, later ones of the same flight are counted for the episode.
    pub fn throttled(&mut self, slot: Slot, refused: usize) {
        if slot.epoch != self.epoch {
            if let Some(e) = self.episode.as_mut().filter(|e| e.epoch == slot.epoch) {
                e.refused += refused;
            }
            return;
        }
        let flight = self.in_flight.max(slot.units).min(self.limit);
        self.episode = Some(Episode {
            epoch: self.epoch,
            before: self.limit,
            refused,
            accepted: self.epoch_accepted,
            near_limit: self.epoch_near_limit,
            soon_after_return: self.since_return.is_some_and(|n| n < self.max),
        });
        self.decrease_to(flight.min(self.accepted) / 2);
    }

    /// Narrows the window to `limit` (at least 1) and starts a new epoch.
    fn decrease_to(&mut self, limit: usize) {
        self.limit = limit.max(1);
        self.accepted = 0;
        self.narrowest = self.narrowest.min(self.limit);
        self.new_epoch();
        self.credit = 0;
        self.decreases += 1;
    }

    /// Graph accepted requests sent in `slot`. The first acceptance of a request sent
    /// after a decrease ends the episode: a transient one returns the window to what it
    /// was before; otherwise it grows by one for every window's worth of answers.
    pub fn answered(&mut self, slot: Slot, answer: Accepted) {
        if answer.units == 0 {
            return;
        }
        self.accepted += answer.units;
        if let Some(n) = self.since_return.as_mut() {
            *n += answer.units;
        }
        if slot.epoch != self.epoch {
            // Sent before the last change: it tells about that flight, not this window.
            if let Some(e) = self.episode.as_mut().filter(|e| e.epoch == slot.epoch) {
                e.accepted += answer.units;
                e.near_limit |= answer.near_limit;
            }
            return;
        }
        self.epoch_accepted += answer.units;
        self.epoch_near_limit |= answer.near_limit;
        if answer.near_limit {
            // Graph says more than 80 % of a limit is used: slow down before the 429, as
            // a TCP sender does on an ECN mark, once per window (the new epoch).
            self.episode = None;
            self.decrease_to(self.limit.min(self.epoch_accepted) / 2);
            return;
        }
        if let Some(e) = self.episode.take_if(|e| e.epoch < slot.epoch)
            && e.is_transient(self.max)
            && !answer.near_limit
        {
            self.limit = self.limit.max(e.before);
            self.returns += 1;
            self.since_return = Some(0);
            self.new_epoch();
            self.credit = 0;
            return;
        }
        self.credit += answer.units;
        while self.limit < self.max && self.credit >= self.limit {
            self.credit -= self.limit;
            self.limit += 1;
        }
    }

    fn new_epoch(&mut self) {
        self.epoch += 1;
        self.epoch_accepted = 0;
        self.epoch_near_limit = false;
    }

    /// How many requests a `$batch` envelope carries now.
    pub fn batch_size(&self) -> usize {
        self.limit.clamp(1, BATCH_LIMIT)
    }

    /// The smallest the window has been.
    pub fn narrowest(&self) -> usize {
        self.narrowest
    }

    /// How often the window returned at once to its size before a transient 429.
    pub fn returns(&self) -> u32 {
        self.returns
    }

    #[cfg(test)]
    fn limit(&self) -> usize {
        self.limit
    }

    #[cfg(test)]
    fn decreases(&self) -> u32 {
        self.decreases
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: usize = 32 * BATCH_LIMIT;

    fn ok(units: usize) -> Accepted {
        Accepted {
            units,
            near_limit: false,
        }
    }

    fn near(units: usize) -> Accepted {
        Accepted {
            units,
            near_limit: true,
        }
    }

    /// Sends `n` single requests at once and returns their slots.
    fn flight(w: &mut SendWindow, n: usize) -> Vec<Slot> {
        (0..n).map(|_| w.take(1).expect("room")).collect()
    }

    #[test]
    fn unthrottled_the_window_never_binds() {
        let mut w = SendWindow::new(MAX);
        let slots: Vec<Slot> = (0..32).map(|_| w.take(BATCH_LIMIT).unwrap()).collect();
        assert_eq!(w.take(1), None, "32 full batches fill it");
        for s in slots {
            w.answered(s, ok(BATCH_LIMIT));
            w.release(s);
        }
        assert_eq!(
            (w.limit(), w.batch_size(), w.decreases(), w.returns()),
            (MAX, 20, 0, 0)
        );
    }

    /// The case: one early read refused while the rest of wave 1 is accepted.
    /// After `Retry-After` one probe goes; its acceptance returns the full window.
    #[test]
    fn a_transient_429_returns_the_window_after_one_probe() {
        let mut w = SendWindow::new(MAX);
        let wave = flight(&mut w, 19);
        w.throttled(wave[0], 1);
        w.release(wave[0]);
        assert_eq!((w.limit(), w.batch_size()), (1, 1), "nothing accepted yet");
        for s in &wave[1..] {
            w.answered(*s, ok(1));
            w.release(*s);
        }
        // Answers to requests sent before the decrease neither end the episode nor widen
        // the window: they say nothing of what the narrowed window may carry.
        assert_eq!(w.limit(), 1);
        let probe = w.take(1).unwrap();
        assert_eq!(w.take(1), None, "one probe at a time");
        w.answered(probe, ok(1));
        w.release(probe);
        assert_eq!(
            (w.limit(), w.batch_size(), w.returns(), w.narrowest()),
            (MAX, 20, 1, 1)
        );
        // A late 429 of the old flight changes nothing.
        w.throttled(wave[1], 1);
        assert_eq!(w.limit(), MAX);
    }

    /// A `$batch` gives its slot back before its caller reports the answers inside, so
    /// the probe may be accepted before the rest of the flight is counted: a lone 429 is
    /// transient on its own.
    #[test]
    fn a_lone_429_is_transient_before_its_flight_is_counted() {
        let mut w = SendWindow::new(MAX);
        let wave = flight(&mut w, 19);
        w.throttled(wave[0], 1);
        for s in wave {
            w.release(s);
        }
        let probe = w.take(1).unwrap();
        w.answered(probe, ok(1));
        assert_eq!((w.limit(), w.returns()), (MAX, 1));
    }

    /// A refused inner request of one `$batch` among 30 full ones.
    #[test]
    fn a_transient_429_inside_a_batch_returns_the_window() {
        let mut w = SendWindow::new(MAX);
        let batches: Vec<Slot> = (0..30).map(|_| w.take(20).unwrap()).collect();
        for s in &batches[..10] {
            w.answered(*s, ok(20));
            w.release(*s);
        }
        w.answered(batches[10], ok(19));
        w.throttled(batches[10], 1);
        w.release(batches[10]);
        assert!(w.limit() < MAX);
        for s in &batches[11..] {
            w.answered(*s, ok(20));
            w.release(*s);
        }
        let probe = w.take(1).unwrap();
        w.answered(probe, ok(1));
        w.release(probe);
        assert_eq!((w.limit(), w.batch_size(), w.returns()), (MAX, 20, 1));
    }

    /// A token bucket refuses everything beyond its capacity: most of the flight. The
    /// probe is accepted (the bucket refilled during `Retry-After`), but the window only
    /// grows additively, as before.
    #[test]
    fn a_flight_mostly_refused_grows_back_additively() {
        let mut w = SendWindow::new(MAX);
        let batches: Vec<Slot> = (0..30).map(|_| w.take(20).unwrap()).collect();
        for s in &batches[..5] {
            w.answered(*s, ok(20));
            w.release(*s);
        }
        for s in &batches[5..] {
            w.throttled(*s, 20);
            w.release(*s);
        }
        assert_eq!(
            (w.limit(), w.decreases()),
            (50, 1),
            "half of what Graph accepted"
        );
        let probe = w.take(20).unwrap();
        w.answered(probe, ok(20));
        w.release(probe);
        assert_eq!((w.limit(), w.returns()), (50, 0), "no fast return");
    }

    /// A token bucket small enough to refuse only a few of a full flight looks transient
    /// once; the 429 that follows the fast return shows it is not, and from then on the
    /// window narrows and grows additively instead of bursting into the bucket again.
    #[test]
    fn a_429_soon_after_a_fast_return_is_sustained() {
        let mut w = SendWindow::new(MAX);
        let episode = |w: &mut SendWindow| {
            let wave = flight(w, 11);
            for s in &wave[..10] {
                w.answered(*s, ok(1));
                w.release(*s);
            }
            w.throttled(wave[10], 1);
            w.release(wave[10]);
            let p = w.take(1).unwrap();
            w.answered(p, ok(1));
            w.release(p);
        };
        episode(&mut w);
        assert_eq!(
            (w.limit(), w.returns()),
            (MAX, 1),
            "the first looks transient"
        );
        episode(&mut w);
        assert_eq!(w.returns(), 1, "the second, 11 answers later, does not");
        assert!(w.limit() < MAX);
        // A window's worth of accepted requests later, a lone 429 is transient again.
        while w.limit() < MAX {
            let n = w.limit();
            let s = w.take(n).unwrap();
            w.answered(s, ok(n));
            w.release(s);
        }
        episode(&mut w);
        assert_eq!((w.limit(), w.returns()), (MAX, 2));
    }

    /// The mark narrows the window once per window of requests: later marks on requests
    /// sent before the decrease change nothing; a mark in the narrowed window halves again.
    #[test]
    fn an_answer_near_the_limit_narrows_the_window_before_a_429() {
        let mut w = SendWindow::new(MAX);
        let wave = flight(&mut w, 10);
        for s in &wave[..7] {
            w.answered(*s, ok(1));
        }
        w.answered(wave[7], near(1));
        assert_eq!((w.limit(), w.decreases()), (4, 1), "half of the 8 accepted");
        w.answered(wave[8], near(1));
        w.answered(wave[9], near(1));
        assert_eq!(w.limit(), 4, "the same window's marks count once");
        for s in wave {
            w.release(s);
        }
        let s = w.take(4).unwrap();
        w.answered(s, near(4));
        w.release(s);
        assert_eq!((w.limit(), w.decreases(), w.returns()), (2, 2, 0));
    }

    #[test]
    fn an_answer_near_the_limit_rules_out_the_fast_return() {
        for (before, probe) in [(near(1), ok(1)), (ok(1), near(1))] {
            let mut w = SendWindow::new(MAX);
            let wave = flight(&mut w, 11);
            for s in &wave[..10] {
                w.answered(*s, ok(1));
                w.release(*s);
            }
            let last = wave[10];
            w.answered(last, before);
            w.throttled(last, 1);
            w.release(last);
            let p = w.take(1).unwrap();
            w.answered(p, probe);
            w.release(p);
            assert_eq!(w.returns(), 0, "{before:?} then {probe:?}");
            assert!(w.limit() < MAX);
        }
    }

    /// Once narrowed without a fast return, every later episode halves again (AIMD).
    #[test]
    fn throttling_in_a_narrowed_window_keeps_narrowing() {
        let mut w = SendWindow::new(MAX);
        let a = w.take(8).unwrap();
        w.answered(a, ok(8));
        let b = w.take(8).unwrap();
        w.throttled(b, 8);
        w.release(a);
        w.release(b);
        assert_eq!(w.limit(), 4);
        // The probe is refused too: still throttled after Retry-After.
        let p = w.take(4).unwrap();
        w.throttled(p, 4);
        w.release(p);
        assert_eq!((w.limit(), w.decreases()), (1, 2));
        // Accepted at last: a lone refusal in a narrowed window is not transient.
        let p = w.take(1).unwrap();
        w.answered(p, ok(1));
        w.release(p);
        assert_eq!((w.limit(), w.returns()), (2, 0));
    }

    #[test]
    fn a_throttle_halves_the_flight_once_per_episode() {
        let mut w = SendWindow::new(MAX);
        // 31 batches of 20 in flight; Graph accepted 100, then throttles the rest.
        let slots: Vec<Slot> = (0..31).map(|_| w.take(20).unwrap()).collect();
        for s in &slots[..5] {
            w.answered(*s, ok(20));
        }
        for s in &slots[5..] {
            w.throttled(*s, 20);
        }
        for s in &slots {
            w.release(*s);
        }
        assert_eq!(
            (w.limit(), w.decreases()),
            (50, 1),
            "one episode, one decrease: to half of what Graph accepted (less than the flight)"
        );
        // The next episode: half of the flight (40) this time, Graph having accepted more.
        let accepted = [w.take(20).unwrap(), w.take(20).unwrap()];
        for s in accepted {
            w.answered(s, ok(20));
            w.release(s);
        }
        let refused = w.take(20).unwrap();
        let other = w.take(20).unwrap();
        w.throttled(refused, 20);
        w.release(refused);
        w.release(other);
        assert_eq!((w.limit(), w.decreases()), (20, 2));
        // Down to single requests, never to zero.
        for _ in 0..10 {
            let s = w.take(1).unwrap();
            w.throttled(s, 1);
            w.release(s);
        }
        assert_eq!((w.limit(), w.batch_size(), w.narrowest()), (1, 1, 1));
    }

    #[test]
    fn it_grows_back_by_one_per_window_of_answers() {
        let mut w = SendWindow::new(MAX);
        let a = w.take(8).unwrap();
        w.answered(a, ok(8));
        let b = w.take(8).unwrap();
        w.throttled(b, 8);
        w.release(a);
        w.release(b);
        assert_eq!(w.limit(), 4);
        let mut limits = Vec::new();
        for _ in 0..6 {
            let s = w.take(4).unwrap();
            w.answered(s, ok(4));
            w.release(s);
            limits.push(w.limit());
        }
        assert_eq!(limits, [5, 5, 6, 7, 7, 8]);
        assert_eq!(w.batch_size(), 8);
    }

    #[test]
    fn a_request_larger_than_the_window_goes_alone() {
        let mut w = SendWindow::new(MAX);
        let s = w.take(4).unwrap();
        w.answered(s, ok(2));
        w.throttled(s, 2);
        w.release(s);
        assert_eq!(w.limit(), 1);
        let big = w.take(20).expect("nothing in flight: it goes");
        assert_eq!(w.take(1), None);
        w.release(big);
        assert!(w.take(1).is_some());
    }

    #[test]
    fn throttled_before_anything_was_accepted_it_sends_one_at_a_time() {
        let mut w = SendWindow::new(MAX);
        let s = w.take(20).unwrap();
        w.throttled(s, 20);
        w.release(s);
        assert_eq!((w.limit(), w.batch_size()), (1, 1));
    }
}
