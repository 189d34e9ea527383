//! Anonymous figures of a whole visit, for the business statistics: what kind of visit, how
//! many items, how long it took, how many touches, in which language, and how long each item
//! took from being presented to its outcome. Counted in buckets (so medians and the 90th
//! percentile can be read back) under the hour the visit ended — never the reader, the items
//! or the time to the minute.

use super::screen::Language;
use serde::Serialize;

/// Lower edges of the buckets, per measure; a value goes in the last bucket whose edge it
/// reaches. The label of a bucket is its lower edge.
pub const ITEMS: &[u64] = &[0, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20];
pub const DURATION_SECS: &[u64] = &[0, 15, 30, 45, 60, 90, 120, 180, 300, 600];
pub const TOUCHES: &[u64] = &[0, 1, 2, 3, 4, 6, 8, 12, 20, 30];
pub const ITEM_MS: &[u64] = &[0, 250, 500, 1000, 1500, 2000, 3000, 5000, 10_000, 20_000];

/// One finished visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VisitRecord {
    /// borrow, return, renew (the first thing done with books), account (signed in, no books),
    /// or none (nothing done: a PIN abandoned, a suggestion without a card).
    pub kind: &'static str,
    pub items: u32,
    pub duration_secs: u64,
    pub touches: u32,
    pub language: Language,
    /// Milliseconds from each item presented to its outcome shown.
    pub item_ms: Vec<u64>,
}

/// The bucket `value` falls in: the label of the last edge it reaches.
pub fn bucket(edges: &[u64], value: u64) -> u64 {
    edges
        .iter()
        .copied()
        .take_while(|edge| *edge <= value)
        .last()
        .unwrap_or(0)
}

impl VisitRecord {
    /// The counters this visit adds one to: `(measure, value)`.
    pub fn counters(&self) -> Vec<(&'static str, String)> {
        let language = match self.language {
            Language::En => "en",
            Language::ZhCn => "zh-CN",
        };
        let mut out = vec![
            ("visits", self.kind.to_owned()),
            ("language", language.to_owned()),
            ("items", bucket(ITEMS, u64::from(self.items)).to_string()),
            (
                "duration_secs",
                bucket(DURATION_SECS, self.duration_secs).to_string(),
            ),
            (
                "touches",
                bucket(TOUCHES, u64::from(self.touches)).to_string(),
            ),
        ];
        out.extend(
            self.item_ms
                .iter()
                .map(|ms| ("item_ms", bucket(ITEM_MS, *ms).to_string())),
        );
        out
    }
}

/// The lower edge of the bucket holding the `q` quantile (0–1) of bucketed counts
/// `(lower edge, count)`; `None` without counts.
pub fn quantile(buckets: &[(u64, i64)], q: f64) -> Option<u64> {
    let mut sorted = buckets.to_vec();
    sorted.sort_unstable();
    let total: i64 = sorted.iter().map(|b| b.1).sum();
    if total <= 0 {
        return None;
    }
    let rank = (q * total as f64).ceil().max(1.0) as i64;
    let mut seen = 0;
    sorted.into_iter().find_map(|(edge, n)| {
        seen += n;
        (seen >= rank).then_some(edge)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_fall_in_the_bucket_of_their_lower_edge() {
        assert_eq!(bucket(DURATION_SECS, 0), 0);
        assert_eq!(bucket(DURATION_SECS, 44), 30);
        assert_eq!(bucket(DURATION_SECS, 45), 45);
        assert_eq!(bucket(DURATION_SECS, 9_999), 600);
        assert_eq!(bucket(ITEMS, 7), 6);
    }

    #[test]
    fn a_visit_adds_one_to_each_measure_and_one_per_item_time() {
        let visit = VisitRecord {
            kind: "borrow",
            items: 2,
            duration_secs: 70,
            touches: 5,
            language: Language::ZhCn,
            item_ms: vec![800, 2100],
        };
        let counters = visit.counters();
        let counters: Vec<(&str, &str)> = counters.iter().map(|(m, v)| (*m, v.as_str())).collect();
        assert_eq!(
            counters,
            [
                ("visits", "borrow"),
                ("language", "zh-CN"),
                ("items", "2"),
                ("duration_secs", "60"),
                ("touches", "4"),
                ("item_ms", "500"),
                ("item_ms", "2000"),
            ]
        );
    }

    #[test]
    fn medians_and_the_90th_percentile_are_read_from_the_buckets() {
        let buckets = [(60, 5), (0, 3), (120, 2)];
        assert_eq!(quantile(&buckets, 0.5), Some(60));
        assert_eq!(quantile(&buckets, 0.9), Some(120));
        assert_eq!(quantile(&buckets, 0.3), Some(0));
        assert_eq!(quantile(&[], 0.5), None);
    }
}
