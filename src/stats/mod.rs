//! Business statistics (业务统计) from the journal's anonymous hourly counts: totals per period
//! (hour, day, ISO week, month, weekday or hour of the day) of what readers did, for a shell,
//! a cron job or a spreadsheet. Pure: rows in, periods out; the CLI reads and writes.

use crate::queue::journal::HourlyCount;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

pub mod chart;
mod chart_data;
mod merge;
pub mod sample;
pub use chart_data::{ChartData, Day, chart_data};
pub use merge::{MergeError, merge, read_export};
use std::collections::BTreeMap;

/// How the counts are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    Hour,
    Day,
    Week,
    Month,
    Weekday,
    HourOfDay,
}

/// The totals of one period.
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
}

/// The period a row of `day` belongs to; `None` when the grouping needs an hour the row lacks
/// (history kept before hours were).
fn period_of(row: &HourlyCount, day: NaiveDate, by: By) -> Option<String> {
    let hour = (0..24).contains(&row.hour).then_some(row.hour);
    Some(match by {
        By::Hour => format!("{} {:02}", row.day, hour?),
        By::Day => row.day.clone(),
        By::Week => {
            let week = day.iso_week();
            format!("{}-W{:02}", week.year(), week.week())
        }
        By::Month => format!("{:04}-{:02}", day.year(), day.month()),
        // 1 = Monday … 7 = Sunday, so the order is the week's.
        By::Weekday => format!("{} {}", day.weekday().number_from_monday(), day.weekday()),
        By::HourOfDay => format!("{:02}", hour?),
    })
}

/// Totals per period of the rows whose day lies in `since..=until` (either open), in order.
pub fn totals(
    rows: &[HourlyCount],
    by: By,
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
) -> Vec<Period> {
    let mut periods: BTreeMap<String, Period> = BTreeMap::new();
    for row in rows {
        let Ok(day) = NaiveDate::parse_from_str(&row.day, "%Y-%m-%d") else {
            continue;
        };
        if since.is_some_and(|s| day < s) || until.is_some_and(|u| day > u) {
            continue;
        }
        let Some(key) = period_of(row, day, by) else {
            continue;
        };
        let period = periods.entry(key.clone()).or_insert_with(|| Period {
            period: key,
            ..Period::default()
        });
        match row.outcome.as_str() {
            "done" => {
                match row.kind.as_str() {
                    "checkout" => period.borrowed += row.count,
                    "checkin" => period.returned += row.count,
                    "renew" => period.renewed += row.count,
                    _ => {}
                }
                if row.origin == "offline" {
                    period.offline += row.count;
                }
            }
            "declined" | "refused" => {
                period.refused += row.count;
                let reason = if row.reason.is_empty() {
                    "unknown"
                } else {
                    &row.reason
                };
                *period.refusals.entry(reason.to_owned()).or_default() += row.count;
            }
            _ => {}
        }
    }
    periods.into_values().collect()
}

/// Column titles, in English or Chinese (for a spreadsheet in WPS or Excel).
pub fn header(chinese: bool) -> [&'static str; 6] {
    if chinese {
        ["时段", "借出", "归还", "续借", "被拒", "离线办理"]
    } else {
        [
            "period", "borrowed", "returned", "renewed", "refused", "offline",
        ]
    }
}

/// CSV (RFC 4180) with a header row; for Chinese, UTF-8 with a byte-order mark so that Excel
/// opens it as UTF-8.
pub fn csv(periods: &[Period], chinese: bool) -> String {
    let mut out = String::new();
    if chinese {
        out.push('\u{feff}');
    }
    out.push_str(&header(chinese).join(","));
    out.push_str("\r\n");
    for p in periods {
        out.push_str(&format!(
            "{},{},{},{},{},{}\r\n",
            crate::queue::export::csv_field(&p.period),
            p.borrowed,
            p.returned,
            p.renewed,
            p.refused,
            p.offline
        ));
    }
    out
}

/// A plain table for a terminal.
pub fn table(periods: &[Period], chinese: bool) -> String {
    let head = header(chinese);
    let mut out = format!(
        "{:<16} {:>8} {:>8} {:>8} {:>8} {:>8}\n",
        head[0], head[1], head[2], head[3], head[4], head[5]
    );
    for p in periods {
        out.push_str(&format!(
            "{:<16} {:>8} {:>8} {:>8} {:>8} {:>8}\n",
            p.period, p.borrowed, p.returned, p.renewed, p.refused, p.offline
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        day: &str,
        hour: i64,
        kind: &str,
        origin: &str,
        outcome: &str,
        reason: &str,
        count: i64,
    ) -> HourlyCount {
        HourlyCount {
            day: day.into(),
            hour,
            kind: kind.into(),
            origin: origin.into(),
            outcome: outcome.into(),
            reason: reason.into(),
            count,
        }
    }

    fn rows() -> Vec<HourlyCount> {
        vec![
            row("2026-11-30", 9, "checkout", "online", "done", "", 3),
            row(
                "2026-11-30",
                9,
                "checkout",
                "online",
                "declined",
                "on_hold_for_another",
                1,
            ),
            row("2026-11-30", 15, "checkin", "offline", "done", "", 2),
            row("2026-12-06", 9, "renew", "online", "done", "", 4),
            // History from before hours were kept.
            row("2026-11-01", -1, "checkout", "online", "done", "", 10),
        ]
    }

    #[test]
    fn periods_add_up_the_rows_they_hold() {
        let by_day = totals(&rows(), By::Day, None, None);
        assert_eq!(by_day.len(), 3);
        assert_eq!(
            (by_day[0].period.as_str(), by_day[0].borrowed),
            ("2026-11-01", 10)
        );
        let monday = &by_day[1];
        assert_eq!(
            (
                monday.borrowed,
                monday.returned,
                monday.refused,
                monday.offline
            ),
            (3, 2, 1, 2)
        );
        assert_eq!(monday.refusals.get("on_hold_for_another"), Some(&1));
        // Hours: the history without an hour is left out.
        let hours: Vec<String> = totals(&rows(), By::HourOfDay, None, None)
            .into_iter()
            .map(|p| format!("{} {}", p.period, p.borrowed + p.returned + p.renewed))
            .collect();
        assert_eq!(hours, ["09 7", "15 2"]);
        let weekdays: Vec<String> = totals(&rows(), By::Weekday, None, None)
            .into_iter()
            .map(|p| p.period)
            .collect();
        assert_eq!(weekdays, ["1 Mon", "7 Sun"]);
        let weeks: Vec<String> = totals(&rows(), By::Week, None, None)
            .into_iter()
            .map(|p| p.period)
            .collect();
        assert_eq!(weeks, ["2026-W44", "2026-W49"]);
        let since = NaiveDate::from_ymd_opt(2026, 11, 30);
        let until = NaiveDate::from_ymd_opt(2026, 11, 30);
        assert_eq!(totals(&rows(), By::Month, since, until)[0].borrowed, 3);
    }

    #[test]
    fn chinese_csv_has_a_bom_and_chinese_columns() {
        let text = csv(&totals(&rows(), By::Day, None, None), true);
        assert!(text.starts_with("\u{feff}时段,借出,归还,续借,被拒,离线办理\r\n"));
        let english = csv(&[], false);
        assert_eq!(
            english,
            "period,borrowed,returned,renewed,refused,offline\r\n"
        );
    }
}
