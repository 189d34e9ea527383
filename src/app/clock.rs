//! The shell's clock: real time for the kiosk, or a virtual clock that `wait` moves forward
//! instantly, so scripts and tests of timeouts run without sleeping. It hands the core
//! [`Moment`]s: how long after the clock started.

use crate::circ::Moment;
use chrono::NaiveDateTime;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Clone)]
pub struct Clock {
    inner: Arc<Inner>,
}

struct Inner {
    started: Instant,
    started_wall: NaiveDateTime,
    /// Virtual time elapsed, in nanoseconds; `None` for the real clock.
    virtual_nanos: Option<AtomicU64>,
}

impl Clock {
    pub fn real() -> Self {
        Clock::with(None)
    }

    pub fn virtual_from_now() -> Self {
        Clock::with(Some(AtomicU64::new(0)))
    }

    fn with(virtual_nanos: Option<AtomicU64>) -> Self {
        Clock {
            inner: Arc::new(Inner {
                started: Instant::now(),
                started_wall: chrono::Local::now().naive_local(),
                virtual_nanos,
            }),
        }
    }

    pub fn is_virtual(&self) -> bool {
        self.inner.virtual_nanos.is_some()
    }

    fn elapsed(&self) -> Duration {
        match &self.inner.virtual_nanos {
            Some(nanos) => Duration::from_nanos(nanos.load(Ordering::SeqCst)),
            None => self.inner.started.elapsed(),
        }
    }

    pub fn now(&self) -> Moment {
        Moment::since_start(self.elapsed())
    }

    /// Local wall-clock time (for due dates and transaction stamps).
    pub fn wall(&self) -> NaiveDateTime {
        match &self.inner.virtual_nanos {
            Some(_) => self.inner.started_wall + self.elapsed(),
            None => chrono::Local::now().naive_local(),
        }
    }

    /// Sleeps until `at` (real), or moves time to `at` at once (virtual).
    pub fn sleep_until(&self, at: Moment) {
        match &self.inner.virtual_nanos {
            Some(nanos) => {
                let target = u64::try_from(at.elapsed().as_nanos()).unwrap_or(u64::MAX);
                nanos.fetch_max(target, Ordering::SeqCst);
            }
            None => std::thread::sleep(at.saturating_duration_since(self.now())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_time_moves_only_when_told_and_never_back() {
        let clock = Clock::virtual_from_now();
        let start = clock.now();
        let wall = clock.wall();
        clock.sleep_until(start + Duration::from_secs(3600));
        assert_eq!(clock.now(), start + Duration::from_secs(3600));
        assert_eq!(clock.wall(), wall + Duration::from_secs(3600));
        clock.sleep_until(start);
        assert_eq!(clock.now(), start + Duration::from_secs(3600));
    }
}
