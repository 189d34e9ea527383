//! What the charts show, computed from the hourly counts and the satisfaction answers: pure,
//! so the numbers are tested apart from the drawing.

use super::{By, totals};
use crate::queue::journal::HourlyCount;
use chrono::{Datelike, Duration, NaiveDate};

/// One day of the trend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    pub date: NaiveDate,
    pub borrowed: i64,
    pub returned: i64,
    /// Transactions done (borrowed, returned, renewed) and of those, done offline.
    pub done: i64,
    pub offline: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartData {
    pub since: NaiveDate,
    pub until: NaiveDate,
    /// Every day of the period, with zeros where nothing happened.
    pub days: Vec<Day>,
    /// Transactions done by weekday (0 = Monday) and hour of the day.
    pub heat: [[i64; 24]; 7],
    /// Refusals by reason code, most frequent first.
    pub refusals: Vec<(String, i64)>,
    /// Satisfaction answers: how many gave 1, 2, 3, 4 and 5.
    pub scores: [i64; 5],
    pub renewed: i64,
}

impl ChartData {
    pub fn borrowed(&self) -> i64 {
        self.days.iter().map(|d| d.borrowed).sum()
    }
    pub fn returned(&self) -> i64 {
        self.days.iter().map(|d| d.returned).sum()
    }
    pub fn refused(&self) -> i64 {
        self.refusals.iter().map(|r| r.1).sum()
    }
    /// Percent of transactions done offline, `None` without any.
    pub fn offline_percent(&self) -> Option<f64> {
        let done: i64 = self.days.iter().map(|d| d.done).sum();
        let offline: i64 = self.days.iter().map(|d| d.offline).sum();
        (done > 0).then(|| 100.0 * offline as f64 / done as f64)
    }
    /// The mean score, `None` without answers.
    pub fn mean_score(&self) -> Option<f64> {
        let n: i64 = self.scores.iter().sum();
        let sum: i64 = self.scores.iter().zip(1..).map(|(c, s)| c * s).sum();
        (n > 0).then(|| sum as f64 / n as f64)
    }
}

/// The chart's data for `since..=until`; an open end is the first or last day with counts.
/// `None` when nothing was counted in the period.
pub fn chart_data(
    rows: &[HourlyCount],
    scores: [i64; 5],
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
) -> Option<ChartData> {
    let by_day = totals(rows, By::Day, since, until);
    let parse = |p: &str| NaiveDate::parse_from_str(p, "%Y-%m-%d").ok();
    let first = since.or_else(|| by_day.first().and_then(|p| parse(&p.period)))?;
    let last = until.or_else(|| by_day.last().and_then(|p| parse(&p.period)))?;
    if by_day.is_empty() || last < first {
        return None;
    }
    let mut days = Vec::new();
    let mut date = first;
    let mut periods = by_day.iter().peekable();
    while date <= last {
        let mut day = Day {
            date,
            borrowed: 0,
            returned: 0,
            done: 0,
            offline: 0,
        };
        if let Some(p) = periods.next_if(|p| parse(&p.period) == Some(date)) {
            day.borrowed = p.borrowed;
            day.returned = p.returned;
            day.done = p.borrowed + p.returned + p.renewed;
            day.offline = p.offline;
        }
        days.push(day);
        date += Duration::days(1);
    }
    let mut heat = [[0; 24]; 7];
    for row in rows {
        let Some(date) = parse(&row.day) else {
            continue;
        };
        if row.outcome == "done" && (0..24).contains(&row.hour) && (first..=last).contains(&date) {
            heat[date.weekday().num_days_from_monday() as usize][row.hour as usize] += row.count;
        }
    }
    let mut refusals: Vec<(String, i64)> = by_day
        .iter()
        .flat_map(|p| p.refusals.iter())
        .fold(std::collections::BTreeMap::new(), |mut all, (r, n)| {
            *all.entry(r.clone()).or_insert(0) += n;
            all
        })
        .into_iter()
        .collect();
    refusals.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Some(ChartData {
        since: first,
        until: last,
        days,
        heat,
        refusals,
        scores,
        renewed: by_day.iter().map(|p| p.renewed).sum(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(day: &str, hour: i64, kind: &str, outcome: &str, reason: &str, n: i64) -> HourlyCount {
        HourlyCount {
            day: day.into(),
            hour,
            kind: kind.into(),
            origin: if hour == 15 { "offline" } else { "online" }.into(),
            outcome: outcome.into(),
            reason: reason.into(),
            count: n,
        }
    }

    #[test]
    fn days_without_counts_are_zeros_and_the_heat_map_is_by_weekday_and_hour() {
        // 2026-11-30 is a Monday, 2026-12-02 a Wednesday.
        let rows = [
            row("2026-11-30", 10, "checkout", "done", "", 4),
            row("2026-11-30", 15, "checkin", "done", "", 2),
            row("2026-12-02", 10, "checkout", "declined", "not_for_loan", 1),
            row(
                "2026-12-02",
                10,
                "checkout",
                "declined",
                "on_hold_for_another",
                3,
            ),
            row("2026-12-02", 11, "renew", "done", "", 1),
        ];
        let data = chart_data(&rows, [0, 0, 1, 0, 1], None, None).unwrap();
        assert_eq!(data.days.len(), 3);
        assert_eq!((data.days[1].borrowed, data.days[1].done), (0, 0));
        assert_eq!((data.borrowed(), data.returned(), data.renewed), (4, 2, 1));
        assert_eq!(data.heat[0][10], 4);
        assert_eq!(data.heat[0][15], 2);
        assert_eq!(data.heat[2][11], 1);
        assert_eq!(data.heat[2][10], 0, "refusals are not use");
        assert_eq!(
            data.refusals,
            [
                ("on_hold_for_another".to_owned(), 3),
                ("not_for_loan".to_owned(), 1)
            ]
        );
        assert_eq!(data.offline_percent(), Some(100.0 * 2.0 / 7.0));
        assert_eq!(data.mean_score(), Some(4.0));
        let since = NaiveDate::from_ymd_opt(2026, 12, 3);
        assert_eq!(chart_data(&rows, [0; 5], since, None), None);
    }
}
