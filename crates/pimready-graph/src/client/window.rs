//! How much the client sends at once after Graph said "too many requests": a window of
//! requests in flight, each request inside a `$batch` counting as one (Graph's limits
//! count them one by one). Unthrottled, the window never binds. After a 429 it becomes
//! half of what was in flight, and no more than half of what Graph accepted since the
//! last 429 (the first 429 meets a client sending at full speed: halving 600 requests
//! in flight would take many rounds to reach what Graph allows). It grows back by one
//! for every window's worth of answers that were not throttled (additive increase,
//! multiplicative decrease, as TCP does for congestion). `$batch` envelopes shrink with
//! it. Pure: it counts events and never looks at a clock, so a test replays it exactly.

use super::batch::BATCH_LIMIT;

/// The send window of one client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SendWindow {
    /// Requests allowed in flight now.
    limit: usize,
    /// The limit before any throttling (requests in flight × a full `$batch`).
    max: usize,
    in_flight: usize,
    /// Bumped by every decrease. A 429 to a request sent before the last decrease
    /// belongs to the throttling episode already answered, and does not halve again.
    epoch: u64,
    /// Unthrottled answers since the last increase.
    credit: usize,
    /// Unthrottled answers since the last decrease: about what Graph lets through
    /// between two throttles.
    accepted: usize,
    /// Decreases so far.
    decreases: u32,
    /// The smallest limit so far.
    narrowest: usize,
}

/// Room in the window for one HTTP request: `units` requests (1, or a `$batch`'s size),
/// sent in `epoch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slot {
    pub units: usize,
    pub epoch: u64,
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
            decreases: 0,
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

    /// Graph throttled a request sent in `slot` (reported before the slot is released,
    /// after its unthrottled answers): halve what is in flight, or what Graph accepted
    /// since the last 429 if that is less, once per episode.
    pub fn throttled(&mut self, slot: Slot) {
        if slot.epoch != self.epoch {
            return;
        }
        let flight = self.in_flight.max(slot.units).min(self.limit);
        self.limit = (flight.min(self.accepted) / 2).max(1);
        self.accepted = 0;
        self.narrowest = self.narrowest.min(self.limit);
        self.epoch += 1;
        self.credit = 0;
        self.decreases += 1;
    }

    /// `n` requests were answered without throttling: one more in flight for every
    /// window's worth.
    pub fn answered(&mut self, n: usize) {
        self.credit += n;
        self.accepted += n;
        while self.limit < self.max && self.credit >= self.limit {
            self.credit -= self.limit;
            self.limit += 1;
        }
    }

    /// How many requests a `$batch` envelope carries now.
    pub fn batch_size(&self) -> usize {
        self.limit.clamp(1, BATCH_LIMIT)
    }

    /// The smallest the window has been.
    pub fn narrowest(&self) -> usize {
        self.narrowest
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

    #[test]
    fn unthrottled_the_window_never_binds() {
        let mut w = SendWindow::new(32 * BATCH_LIMIT);
        let slots: Vec<Slot> = (0..32).map(|_| w.take(BATCH_LIMIT).unwrap()).collect();
        assert_eq!(w.take(1), None, "32 full batches fill it");
        for s in slots {
            w.release(s);
        }
        w.answered(32 * BATCH_LIMIT);
        assert_eq!((w.limit(), w.batch_size(), w.decreases()), (640, 20, 0));
    }

    #[test]
    fn a_throttle_halves_the_flight_once_per_episode() {
        let mut w = SendWindow::new(640);
        // 31 batches of 20 in flight; Graph accepted 100, then throttles the rest.
        let slots: Vec<Slot> = (0..31).map(|_| w.take(20).unwrap()).collect();
        w.answered(100);
        for s in &slots {
            w.throttled(*s);
            w.release(*s);
        }
        assert_eq!(
            (w.limit(), w.decreases()),
            (50, 1),
            "one episode, one decrease: to half of what Graph accepted (less than the flight)"
        );
        // The next episode: half of the flight (40) this time, Graph having accepted more.
        let a = w.take(20).unwrap();
        let b = w.take(20).unwrap();
        w.answered(60);
        w.throttled(a);
        w.release(a);
        w.release(b);
        assert_eq!((w.limit(), w.decreases()), (20, 2));
        // Down to single requests, never to zero.
        for _ in 0..10 {
            let s = w.take(1).unwrap();
            w.throttled(s);
            w.release(s);
        }
        assert_eq!((w.limit(), w.batch_size(), w.narrowest()), (1, 1, 1));
    }

    #[test]
    fn throttled_before_anything_was_accepted_it_sends_one_at_a_time() {
        let mut w = SendWindow::new(640);
        let s = w.take(20).unwrap();
        w.throttled(s);
        w.release(s);
        assert_eq!((w.limit(), w.batch_size()), (1, 1));
    }

    #[test]
    fn it_grows_back_by_one_per_window_of_answers() {
        let mut w = SendWindow::new(640);
        let s = w.take(8).unwrap();
        w.answered(8);
        w.throttled(s);
        w.release(s);
        assert_eq!(w.limit(), 4);
        let mut limits = Vec::new();
        for _ in 0..6 {
            w.answered(4);
            limits.push(w.limit());
        }
        assert_eq!(limits, [5, 5, 6, 7, 7, 8]);
        assert_eq!(w.batch_size(), 8);
    }

    #[test]
    fn a_request_larger_than_the_window_goes_alone() {
        let mut w = SendWindow::new(640);
        let s = w.take(4).unwrap();
        w.answered(4);
        w.throttled(s);
        w.release(s);
        assert_eq!(w.limit(), 2);
        let big = w.take(20).expect("nothing in flight: it goes");
        assert_eq!(w.take(1), None);
        w.release(big);
        assert!(w.take(1).is_some());
    }
}
