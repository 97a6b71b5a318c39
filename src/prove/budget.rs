//! The prover's budget: how much memory its automata may hold at once and
//! how long one proof may run. A proof that would need more stops with
//! [`TooLarge`] and is answered "cannot decide within limits" (exit 3), never
//! by exhausting memory or running without end.
//!
//! The budget is installed for the current thread by [`within`] (one proof
//! runs on one thread). Automata charge the bytes they hold when they grow
//! and give them back when they are dropped, so the count is the memory
//! they hold *now*; the scratch space of a construction (the state sets of
//! a subset construction, the pair table of a product) is charged the same
//! way through a [`Reservation`]. The count is an estimate of the large
//! allocations (tables and sets), not of every byte: it is what grows with
//! the patterns. Outside [`within`] (other users of the automata, such as
//! `lint` comparing two patterns) the [`Limits::default`] budget applies,
//! without a deadline.

use std::cell::Cell;
use std::time::{Duration, Instant};

use super::automaton::TooLarge;

/// Memory automata may hold at once, by default (bytes).
pub const DEFAULT_MEMORY: usize = 512 << 20;
/// How long one proof may run, by default.
pub const DEFAULT_TIME: Duration = Duration::from_secs(30);

/// Limits of one proof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes the automata of the proof may hold at once.
    pub memory: usize,
    /// Time the proof may run (`None`: no deadline).
    pub time: Option<Duration>,
}

impl Default for Limits {
    /// [`DEFAULT_MEMORY`] and [`DEFAULT_TIME`].
    fn default() -> Limits {
        Limits {
            memory: DEFAULT_MEMORY,
            time: Some(DEFAULT_TIME),
        }
    }
}

struct State {
    memory: Cell<usize>,
    deadline: Cell<Option<Instant>>,
    time: Cell<Option<Duration>>,
    live: Cell<usize>,
    ticks: Cell<u32>,
}

thread_local! {
    static STATE: State = const {
        State {
            memory: Cell::new(DEFAULT_MEMORY),
            deadline: Cell::new(None),
            time: Cell::new(None),
            live: Cell::new(0),
            ticks: Cell::new(0),
        }
    };
}

/// Runs `f` under `limits` (the clock starts now), then restores the
/// budget that was in force before.
pub(crate) fn within<T>(limits: &Limits, f: impl FnOnce() -> T) -> T {
    let saved = STATE.with(|s| (s.memory.get(), s.deadline.get(), s.time.get()));
    STATE.with(|s| {
        s.memory.set(limits.memory);
        s.deadline
            .set(limits.time.and_then(|t| Instant::now().checked_add(t)));
        s.time.set(limits.time);
    });
    let out = f();
    STATE.with(|s| {
        s.memory.set(saved.0);
        s.deadline.set(saved.1);
        s.time.set(saved.2);
    });
    out
}

/// Counts `bytes` as held, failing (and counting nothing) when that would
/// pass the memory budget.
pub(crate) fn charge(bytes: usize) -> Result<(), TooLarge> {
    STATE.with(|s| {
        let live = s.live.get().saturating_add(bytes);
        if live > s.memory.get() {
            return Err(TooLarge::Memory(s.memory.get()));
        }
        s.live.set(live);
        Ok(())
    })
}

/// Counts `bytes` as held without checking (for results no larger than
/// what was just checked, such as a minimized copy).
pub(crate) fn charge_unchecked(bytes: usize) {
    STATE.with(|s| s.live.set(s.live.get().saturating_add(bytes)));
}

/// Gives back `bytes` counted by [`charge`].
pub(crate) fn release(bytes: usize) {
    STATE.with(|s| s.live.set(s.live.get().saturating_sub(bytes)));
}

/// Fails when the deadline has passed. Cheap: reads the clock once every
/// 256 calls, so loops call it once per step.
pub(crate) fn tick() -> Result<(), TooLarge> {
    STATE.with(|s| {
        let n = s.ticks.get().wrapping_add(1);
        s.ticks.set(n);
        if n % 256 != 0 {
            return Ok(());
        }
        match (s.deadline.get(), s.time.get()) {
            (Some(d), Some(t)) if Instant::now() >= d => Err(TooLarge::Time(t)),
            _ => Ok(()),
        }
    })
}

/// Fails when the deadline has passed (reads the clock every time).
pub(crate) fn expired() -> Result<(), TooLarge> {
    STATE.with(|s| match (s.deadline.get(), s.time.get()) {
        (Some(d), Some(t)) if Instant::now() >= d => Err(TooLarge::Time(t)),
        _ => Ok(()),
    })
}

/// Scratch memory of one construction, given back when dropped.
#[derive(Debug, Default)]
pub(crate) struct Reservation(usize);

impl Reservation {
    /// Counts `bytes` more (see [`charge`]).
    pub(crate) fn grow(&mut self, bytes: usize) -> Result<(), TooLarge> {
        charge(bytes)?;
        self.0 = self.0.saturating_add(bytes);
        Ok(())
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        release(self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_past_the_budget_fail_and_releases_give_back() {
        let limits = Limits {
            memory: 1000,
            time: None,
        };
        within(&limits, || {
            let mut r = Reservation::default();
            assert_eq!(r.grow(600), Ok(()));
            assert_eq!(r.grow(600), Err(TooLarge::Memory(1000)));
            drop(r);
            let mut r = Reservation::default();
            assert_eq!(r.grow(900), Ok(()));
        });
    }

    #[test]
    fn a_passed_deadline_stops_the_next_check() {
        let limits = Limits {
            memory: DEFAULT_MEMORY,
            time: Some(Duration::ZERO),
        };
        within(&limits, || {
            let stopped = (0..1000).map(|_| tick()).find(Result::is_err);
            assert_eq!(stopped, Some(Err(TooLarge::Time(Duration::ZERO))));
        });
        // the deadline ends with `within`
        assert!((0..1000).all(|_| tick().is_ok()));
    }
}
