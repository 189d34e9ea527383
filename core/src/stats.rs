//! Business statistics as staff read them: the totals of a period, and what the technician's
//! Statistics page shows. Anonymous by construction: counts of what was done, never by whom.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The totals of one period (an hour, a day, a week… or "the last 7 days").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub period: String,
    pub borrowed: i64,
    pub returned: i64,
    pub renewed: i64,
    /// Refused by the library system (online, or a queued transaction refused on replay).
    pub refused: i64,
    /// Done while the library system was unreachable (counted when the queue reached it).
    pub offline: i64,
    /// Refusals by reason code.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub refusals: BTreeMap<String, i64>,
    /// Whole visits: per measure (visits by kind, language, items, duration_secs, touches,
    /// item_ms), how many fell in each bucket (named by its lower edge; see
    /// [`crate::circ::visit_stats`]), from which medians and percentiles are read.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub visits: BTreeMap<String, BTreeMap<String, i64>>,
}

impl Period {
    /// Adds another period's counts to this one's (a branch's kiosks, a week's days).
    pub fn add(&mut self, other: &Period) {
        self.borrowed += other.borrowed;
        self.returned += other.returned;
        self.renewed += other.renewed;
        self.refused += other.refused;
        self.offline += other.offline;
        for (reason, n) in &other.refusals {
            *self.refusals.entry(reason.clone()).or_default() += n;
        }
        for (measure, buckets) in &other.visits {
            let sum = self.visits.entry(measure.clone()).or_default();
            for (bucket, n) in buckets {
                *sum.entry(bucket.clone()).or_default() += n;
            }
        }
    }
}

/// The technician's Statistics page: today, the last 7 and 30 days (today included), and for
/// the last 30 days the transactions done by hour of the day and the refusals by reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Statistics {
    pub today: Period,
    pub last_7_days: Period,
    pub last_30_days: Period,
    /// Borrowed, returned and renewed by hour of the day (0–23), last 30 days.
    pub hours: Vec<i64>,
    /// Refusals by reason code, most frequent first, last 30 days.
    pub refusals: Vec<(String, i64)>,
}
