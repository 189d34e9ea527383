//! A made-up library's history — the demo's statistics, the chart examples in the README and
//! the benchmark's three years. Deterministic (a seed in, the same rows out), shaped like a
//! public library: open 9:00–21:00, busiest after school and at weekends, a few refusals, an
//! afternoon offline now and then.

use crate::queue::journal::HourlyCount;
use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// xorshift64*: enough randomness for made-up counts without a crate for it.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A count around `mean` (0.6–1.4 times it, rounded).
    fn around(&mut self, mean: f64) -> i64 {
        (mean * (0.6 + 0.8 * self.next())).round() as i64
    }

    /// A whole count whose average is `mean`, for the rare things (0 most hours, now and
    /// then 1).
    fn sometimes(&mut self, mean: f64) -> i64 {
        (mean + self.next()).floor() as i64
    }
}

/// Visits per hour of the day, relative: a morning peak, lunch, after school, the evening.
const HOURS: [(u32, f64); 12] = [
    (9, 0.6),
    (10, 1.0),
    (11, 0.9),
    (12, 0.5),
    (13, 0.6),
    (14, 0.9),
    (15, 1.0),
    (16, 1.3),
    (17, 1.2),
    (18, 0.8),
    (19, 0.9),
    (20, 0.5),
];

const REFUSALS: [(&str, f64); 6] = [
    ("on_hold_for_another", 0.35),
    ("not_for_loan", 0.2),
    ("too_many_items", 0.15),
    ("renewal_limit", 0.12),
    ("patron_blocked", 0.1),
    ("unknown_item", 0.08),
];

fn weekday_factor(day: Weekday) -> f64 {
    match day {
        Weekday::Mon => 0.6,
        Weekday::Sat => 1.6,
        Weekday::Sun => 1.4,
        _ => 1.0,
    }
}

/// Hourly counts for the `days` days ending with `until`; `borrows_per_hour` sets the size.
pub fn history(until: NaiveDate, days: u32, borrows_per_hour: f64, seed: u64) -> Vec<HourlyCount> {
    let mut noise = Noise(seed | 1);
    let mut rows = Vec::new();
    for back in (0..days).rev() {
        let date = until - Duration::days(i64::from(back));
        let day = date.format("%Y-%m-%d").to_string();
        // About one day in twenty has an afternoon without the library system.
        let outage = noise.next() < 0.05;
        for (hour, shape) in HOURS {
            let mean = borrows_per_hour * shape * weekday_factor(date.weekday());
            let origin = if outage && (14..17).contains(&hour) {
                "offline"
            } else {
                "online"
            };
            let mut push = |kind: &str, origin: &str, outcome: &str, reason: &str, count: i64| {
                if count > 0 {
                    rows.push(HourlyCount {
                        day: day.clone(),
                        hour: i64::from(hour),
                        kind: kind.into(),
                        origin: origin.into(),
                        outcome: outcome.into(),
                        reason: reason.into(),
                        count,
                    });
                }
            };
            push("checkout", origin, "done", "", noise.around(mean));
            push("checkin", origin, "done", "", noise.around(mean * 0.95));
            push("renew", origin, "done", "", noise.around(mean * 0.15));
            for (reason, share) in REFUSALS {
                let refused = noise.sometimes(mean * 0.04 * share);
                let kind = if reason == "renewal_limit" {
                    "renew"
                } else {
                    "checkout"
                };
                push(kind, "online", "declined", reason, refused);
            }
        }
    }
    rows
}

/// Satisfaction answers (how many of each score, 1 to 5) to go with [`history`].
pub fn scores(days: u32) -> [i64; 5] {
    let d = i64::from(days);
    [d / 10, d / 6, d / 2, 2 * d, 3 * d]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_history_is_the_same_for_a_seed_and_shaped_like_a_library() {
        let until = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        let rows = history(until, 28, 10.0, 7);
        assert_eq!(rows, history(until, 28, 10.0, 7));
        assert!(rows.iter().all(|r| (9..21).contains(&r.hour)));
        let borrowed = |weekday: Weekday| -> i64 {
            rows.iter()
                .filter(|r| r.kind == "checkout" && r.outcome == "done")
                .filter(|r| {
                    NaiveDate::parse_from_str(&r.day, "%Y-%m-%d")
                        .unwrap()
                        .weekday()
                        == weekday
                })
                .map(|r| r.count)
                .sum()
        };
        assert!(borrowed(Weekday::Sat) > borrowed(Weekday::Mon));
    }
}
