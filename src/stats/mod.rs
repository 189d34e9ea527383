//! Business statistics (业务统计) from the journal's anonymous hourly counts: totals per period
//! (hour, day, ISO week, month, weekday or hour of the day) of what readers did, for a shell,
//! a cron job or a spreadsheet. Pure: rows in, periods out; the CLI reads and writes.

use crate::queue::journal::{HourlyCount, VisitCount};
use chrono::{Datelike, NaiveDate};

pub mod chart;
mod chart_data;
mod merge;
pub mod pairs;
pub mod sample;
pub use chart_data::{ChartData, Day, chart_data};
pub use kiosk_core::stats::{Period, Statistics};
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

/// The period a row of `day` belongs to; `None` when the grouping needs an hour the row lacks
/// (history kept before hours were).
fn period_of(day_text: &str, hour: i64, day: NaiveDate, by: By) -> Option<String> {
    let hour = (0..24).contains(&hour).then_some(hour);
    Some(match by {
        By::Hour => format!("{} {:02}", day_text, hour?),
        By::Day => day_text.to_owned(),
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

/// The period of `periods` a row of `day_text` and `hour` counts in, made when new; `None`
/// for a row outside `since..=until`, with an unreadable day, or without the hour `by` needs.
fn period_for<'a>(
    periods: &'a mut BTreeMap<String, Period>,
    day_text: &str,
    hour: i64,
    by: By,
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
) -> Option<&'a mut Period> {
    let day = NaiveDate::parse_from_str(day_text, "%Y-%m-%d").ok()?;
    if since.is_some_and(|s| day < s) || until.is_some_and(|u| day > u) {
        return None;
    }
    let key = period_of(day_text, hour, day, by)?;
    Some(periods.entry(key.clone()).or_insert_with(|| Period {
        period: key,
        ..Period::default()
    }))
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
        let Some(period) = period_for(&mut periods, &row.day, row.hour, by, since, until) else {
            continue;
        };
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

/// The technician's Statistics page for `today`: totals of today and the last 7 and 30 days,
/// and for the last 30 days, use by hour of the day and refusals by reason.
pub fn summary(rows: &[HourlyCount], today: NaiveDate) -> Statistics {
    let window = |days: i64, name: &str| {
        let since = today - chrono::Duration::days(days - 1);
        let mut total = Period {
            period: name.to_owned(),
            ..Period::default()
        };
        for p in totals(rows, By::Day, Some(since), Some(today)) {
            total.add(&p);
        }
        total
    };
    let since = today - chrono::Duration::days(29);
    let mut hours = vec![0; 24];
    for p in totals(rows, By::HourOfDay, Some(since), Some(today)) {
        if let Some(n) = p
            .period
            .parse::<usize>()
            .ok()
            .and_then(|h| hours.get_mut(h))
        {
            *n = p.borrowed + p.returned + p.renewed;
        }
    }
    let last_30_days = window(30, "last_30_days");
    let mut refusals: Vec<(String, i64)> = last_30_days
        .refusals
        .iter()
        .map(|(r, n)| (r.clone(), *n))
        .collect();
    refusals.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Statistics {
        today: window(1, "today"),
        last_7_days: window(7, "last_7_days"),
        last_30_days,
        hours,
        refusals,
    }
}

/// Short bilingual names of the refusal reasons, for a chart's axis and the technician's page.
pub fn reason_label(code: &str) -> &str {
    match code {
        "on_hold_for_another" => "预约给他人 Reserved",
        "not_for_loan" => "不外借 Not for loan",
        "too_many_items" => "超出借阅量 Too many",
        "session_limit" => "本次已达上限 Visit limit",
        "renewal_limit" => "续借次数已满 Renewal limit",
        "renewal_on_hold" => "已被预约 Reserved (renew)",
        "patron_blocked" => "读者证受限 Card blocked",
        "unknown_item" => "无此条码 Unknown item",
        "on_loan_to_another" => "他人在借 On loan",
        "already_on_loan_to_you" => "已借此书 Already yours",
        "not_on_loan_to_you" => "非本人所借 Not yours",
        "not_on_loan" => "未被借出 Not on loan",
        "missing_parts" => "缺少附件 Parts missing",
        "see_staff" => "请找馆员 See staff",
        "unknown" => "其他 Other",
        other => other,
    }
}

/// The periods with their visits' figures added (`Period::visits`), for the visit counts
/// whose day lies in `since..=until`; a period with visits and no transactions is added.
pub fn with_visits(
    periods: Vec<Period>,
    visits: &[VisitCount],
    by: By,
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
) -> Vec<Period> {
    let mut all: BTreeMap<String, Period> =
        periods.into_iter().map(|p| (p.period.clone(), p)).collect();
    for row in visits {
        let Some(period) = period_for(&mut all, &row.day, row.hour, by, since, until) else {
            continue;
        };
        *period
            .visits
            .entry(row.measure.clone())
            .or_default()
            .entry(row.value.clone())
            .or_default() += row.count;
    }
    all.into_values().collect()
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
    fn the_technicians_summary_counts_today_the_week_and_the_month() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        let s = summary(&rows(), today);
        // Today: the four renewals at nine.
        assert_eq!((s.today.renewed, s.today.borrowed), (4, 0));
        // The last 7 days (from 30 November): Monday's too.
        assert_eq!(
            (
                s.last_7_days.borrowed,
                s.last_7_days.returned,
                s.last_7_days.refused
            ),
            (3, 2, 1)
        );
        // The last 30 days (from 7 November): not the history of 1 November.
        assert_eq!(s.last_30_days.borrowed, 3);
        assert_eq!((s.hours[9], s.hours[15], s.hours.len()), (7, 2, 24));
        assert_eq!(s.refusals, [("on_hold_for_another".to_owned(), 1)]);
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
