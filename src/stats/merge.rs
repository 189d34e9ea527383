//! `kiosk stats merge`: a branch's report from the exports of its kiosks. Periods with the same
//! name are added up; exports grouped differently (one by day, one by month) are refused rather
//! than mixed, since their sums would mean nothing.

use super::{Period, header};
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MergeError {
    #[error("{file}: {reason}")]
    Unreadable { file: String, reason: String },
    #[error(
        "{first} is grouped by {first_by} and {second} by {second_by}: export both with the same --by"
    )]
    Grouping {
        first: String,
        first_by: &'static str,
        second: String,
        second_by: &'static str,
    },
}

/// The grouping a period's name shows (`kiosk stats --by …`).
fn grouping(period: &str) -> &'static str {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let b = period.as_bytes();
    match b.len() {
        13 if b[10] == b' ' => "hour",
        10 => "day",
        8 if b[5] == b'W' => "week",
        7 if b[4] == b'-' => "month",
        2 if digits(period) => "hour-of-day",
        5 if b[1] == b' ' => "weekday",
        _ => "something unknown",
    }
}

/// Reads one export of `kiosk stats` as JSON or CSV (either language, with or without the
/// byte-order mark). CSV carries no refusal reasons; JSON does.
pub fn read_export(file: &str, text: &str) -> Result<Vec<Period>, MergeError> {
    let unreadable = |reason: String| MergeError::Unreadable {
        file: file.to_owned(),
        reason,
    };
    let text = text.trim_start_matches('\u{feff}');
    if text.trim_start().starts_with('[') {
        return serde_json::from_str(text)
            .map_err(|e| unreadable(format!("not an export of kiosk stats --format json: {e}")));
    }
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let found: Vec<String> = reader
        .headers()
        .map_err(|e| unreadable(e.to_string()))?
        .iter()
        .map(str::to_owned)
        .collect();
    if found != header(false) && found != header(true) {
        return Err(unreadable(format!(
            "expected the columns {} (or {}), found {}",
            header(false).join(","),
            header(true).join(","),
            found.join(",")
        )));
    }
    let mut periods = Vec::new();
    for (line, record) in reader.records().enumerate() {
        let record = record.map_err(|e| unreadable(e.to_string()))?;
        let count = |i: usize| -> Result<i64, MergeError> {
            let field = record.get(i).unwrap_or_default();
            field.parse().map_err(|_| {
                unreadable(format!(
                    "row {}: {:?} in column {} is not a count",
                    line + 2,
                    field,
                    i + 1
                ))
            })
        };
        periods.push(Period {
            period: record.get(0).unwrap_or_default().to_owned(),
            borrowed: count(1)?,
            returned: count(2)?,
            renewed: count(3)?,
            refused: count(4)?,
            offline: count(5)?,
            refusals: BTreeMap::new(),
            visits: BTreeMap::new(),
        });
    }
    Ok(periods)
}

/// Adds up the periods of several exports (`(file name, periods)`), in period order.
pub fn merge(exports: &[(String, Vec<Period>)]) -> Result<Vec<Period>, MergeError> {
    let mut seen: Option<(&str, &'static str)> = None;
    let mut sum: BTreeMap<&str, Period> = BTreeMap::new();
    for (file, periods) in exports {
        for p in periods {
            let by = grouping(&p.period);
            match seen {
                Some((first, first_by)) if first_by != by => {
                    return Err(MergeError::Grouping {
                        first: first.to_owned(),
                        first_by,
                        second: file.clone(),
                        second_by: by,
                    });
                }
                None => seen = Some((file, by)),
                _ => {}
            }
            let total = sum.entry(&p.period).or_insert_with(|| Period {
                period: p.period.clone(),
                ..Period::default()
            });
            total.add(p);
        }
    }
    Ok(sum.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::csv;

    fn day(period: &str, borrowed: i64, refused: i64) -> Period {
        Period {
            period: period.into(),
            borrowed,
            refused,
            refusals: if refused > 0 {
                BTreeMap::from([("on_hold_for_another".to_owned(), refused)])
            } else {
                BTreeMap::new()
            },
            ..Period::default()
        }
    }

    #[test]
    fn the_same_period_in_two_exports_is_added_up_and_others_are_kept() {
        let a = vec![day("2026-12-01", 3, 1), day("2026-12-02", 1, 0)];
        let b = vec![day("2026-12-02", 5, 2)];
        let merged = merge(&[("a".into(), a), ("b".into(), b)]).unwrap();
        assert_eq!(merged, [day("2026-12-01", 3, 1), day("2026-12-02", 6, 2)]);
    }

    #[test]
    fn csv_in_either_language_reads_back_as_it_was_written() {
        let periods = vec![day("2026-12-01", 3, 0), day("2026-12-02", 1, 0)];
        for chinese in [false, true] {
            assert_eq!(
                read_export("x.csv", &csv(&periods, chinese)).unwrap(),
                periods
            );
        }
    }

    #[test]
    fn different_groupings_and_junk_are_refused_by_name() {
        let by_month = vec![day("2026-12", 3, 0)];
        let by_day = vec![day("2026-12-01", 3, 0)];
        let err = merge(&[
            ("north.json".into(), by_month),
            ("south.json".into(), by_day),
        ])
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "north.json is grouped by month and south.json by day: export both with the same --by"
        );
        let err = read_export("x.csv", "name,count\r\na,1\r\n").unwrap_err();
        assert!(
            err.to_string().starts_with("x.csv: expected the columns"),
            "{err}"
        );
        let err = read_export(
            "x.csv",
            "period,borrowed,returned,renewed,refused,offline\r\n2026-12-01,three,0,0,0,0\r\n",
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("row 2: \"three\" in column 2"),
            "{err}"
        );
        assert!(read_export("x.json", "[{\"period\": 1}]").is_err());
    }
}
