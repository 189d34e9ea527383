//! Time as the core sees it: a [`Moment`] on the kiosk's monotonic clock, handed in by the shell
//! with every event. The core never asks what time it is, so its rules run the same under a real
//! clock, a virtual one (scripts, tests), or a test that starts at [`Moment::ZERO`].

use std::ops::{Add, AddAssign, Sub};
use std::time::Duration;

/// A point on the shell's monotonic clock: how long after the clock started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Moment(Duration);

impl Moment {
    /// The clock's start.
    pub const ZERO: Moment = Moment(Duration::ZERO);

    pub const fn since_start(elapsed: Duration) -> Moment {
        Moment(elapsed)
    }

    /// How long after the clock's start this is.
    pub const fn elapsed(self) -> Duration {
        self.0
    }

    /// How long after `earlier` this is; zero if `earlier` is later.
    pub fn saturating_duration_since(self, earlier: Moment) -> Duration {
        self.0.saturating_sub(earlier.0)
    }

    /// How long after `earlier` this is; zero if `earlier` is later.
    pub fn duration_since(self, earlier: Moment) -> Duration {
        self.saturating_duration_since(earlier)
    }

    /// `before` earlier than this, if that is not before the clock's start.
    pub fn checked_sub(self, before: Duration) -> Option<Moment> {
        self.0.checked_sub(before).map(Moment)
    }

    /// How long after `earlier` this is, if it is not before it.
    pub fn checked_duration_since(self, earlier: Moment) -> Option<Duration> {
        self.0.checked_sub(earlier.0)
    }
}

impl Add<Duration> for Moment {
    type Output = Moment;
    fn add(self, later: Duration) -> Moment {
        Moment(self.0.saturating_add(later))
    }
}

impl AddAssign<Duration> for Moment {
    fn add_assign(&mut self, later: Duration) {
        *self = *self + later;
    }
}

/// `before` earlier (at the earliest, the clock's start).
impl Sub<Duration> for Moment {
    type Output = Moment;
    fn sub(self, before: Duration) -> Moment {
        Moment(self.0.saturating_sub(before))
    }
}

/// The time between two moments (zero when `earlier` is the later one).
impl Sub for Moment {
    type Output = Duration;
    fn sub(self, earlier: Moment) -> Duration {
        self.saturating_duration_since(earlier)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_add_and_compare_and_never_go_below_zero() {
        let later = Moment::ZERO + Duration::from_secs(90);
        assert!(later > Moment::ZERO);
        assert_eq!(later - Moment::ZERO, Duration::from_secs(90));
        assert_eq!(Moment::ZERO - later, Duration::ZERO);
        assert_eq!(Moment::ZERO.checked_duration_since(later), None);
        assert_eq!(later.elapsed(), Duration::from_secs(90));
    }
}
