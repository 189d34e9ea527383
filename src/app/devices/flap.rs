//! The return slot's flap, followed while the kiosk runs: every time the flap opens and closes
//! while the slot is unlocked a book has gone in; a flap that stays open (held, jammed, forced
//! while locked) is noticed after a while and told to staff once, and cleared when it closes.

use crate::circ::Moment;
use std::time::Duration;

/// How long the flap may stay open before it counts as left open or jammed: far longer than a
/// book takes to go through.
pub const FLAP_STUCK: Duration = Duration::from_secs(30);

/// What changed, for the log and the technician.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlapChange {
    /// Open for longer than [`FLAP_STUCK`]; `locked` when it should not open at all.
    LeftOpen { locked: bool },
    /// Closed again after being left open.
    Closed,
}

#[derive(Debug, Default)]
pub struct FlapWatch {
    open_since: Option<Moment>,
    /// Unlocked for a reader's books.
    unlocked: bool,
    /// Told to staff, and not yet that it closed.
    stuck: bool,
    /// Books that went in since the slot was last unlocked, and since start.
    this_time: u32,
    total: u64,
}

impl FlapWatch {
    /// The slot was unlocked (or locked again): a new count starts with each unlock. Returns
    /// what the last unlock took.
    pub fn set_unlocked(&mut self, unlocked: bool) -> u32 {
        let took = self.this_time;
        if unlocked && !self.unlocked {
            self.this_time = 0;
        }
        self.unlocked = unlocked;
        took
    }

    /// One look at the sensor.
    pub fn update(&mut self, open: bool, now: Moment) -> Option<FlapChange> {
        match (open, self.open_since) {
            (true, None) => {
                self.open_since = Some(now);
                None
            }
            (true, Some(since)) => {
                let stuck = now.saturating_duration_since(since) >= FLAP_STUCK;
                (stuck && !std::mem::replace(&mut self.stuck, true)).then_some(
                    FlapChange::LeftOpen {
                        locked: !self.unlocked,
                    },
                )
            }
            (false, Some(_)) => {
                self.open_since = None;
                if self.unlocked {
                    self.this_time += 1;
                    self.total += 1;
                }
                std::mem::take(&mut self.stuck).then_some(FlapChange::Closed)
            }
            (false, None) => None,
        }
    }

    /// Left open or jammed now.
    pub fn stuck(&self) -> bool {
        self.stuck
    }

    /// Books that went through the flap since start.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// When the sensor must be looked at again whatever happens at the machine: when an open
    /// flap would count as stuck.
    pub fn next_look(&self) -> Option<Moment> {
        self.open_since
            .filter(|_| !self.stuck)
            .map(|since| since + FLAP_STUCK)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> Moment {
        Moment::since_start(Duration::from_secs(secs))
    }

    #[test]
    fn each_opening_while_unlocked_is_a_book_and_a_locked_flap_counts_none() {
        let mut flap = FlapWatch::default();
        // Locked: the flap moves (a hand, a push) but nothing counts.
        flap.update(true, at(0));
        flap.update(false, at(1));
        flap.set_unlocked(true);
        for t in [2, 4, 6] {
            assert_eq!(flap.update(true, at(t)), None);
            assert_eq!(flap.update(false, at(t + 1)), None);
        }
        // Looked at twice while open: still one book.
        flap.update(true, at(10));
        flap.update(true, at(10));
        flap.update(false, at(11));
        assert_eq!(flap.set_unlocked(false), 4);
        assert_eq!(flap.total(), 4);
        flap.set_unlocked(true);
        assert_eq!(flap.set_unlocked(false), 0, "a new count with each unlock");
    }

    #[test]
    fn a_flap_left_open_is_told_once_and_cleared_when_it_closes() {
        let mut flap = FlapWatch::default();
        assert_eq!(flap.update(true, at(100)), None);
        assert_eq!(flap.next_look(), Some(at(130)));
        assert_eq!(flap.update(true, at(129)), None);
        assert_eq!(
            flap.update(true, at(130)),
            Some(FlapChange::LeftOpen { locked: true })
        );
        assert!(flap.stuck());
        assert_eq!(flap.next_look(), None, "told once");
        assert_eq!(flap.update(true, at(200)), None);
        assert_eq!(flap.update(false, at(201)), Some(FlapChange::Closed));
        assert!(!flap.stuck());
        assert_eq!(flap.total(), 0, "locked: nothing went in");
    }
}
