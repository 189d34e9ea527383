//! SIP2 dates: the fixed 18-character form (`YYYYMMDDZZZZHHMMSS`), and due dates, which ILSes
//! send in whatever format they like.

use crate::circ::types::Due;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// `YYYYMMDD    HHMMSS`: local time (four blank zone characters).
pub fn format(at: NaiveDateTime) -> String {
    at.format("%Y%m%d    %H%M%S").to_string()
}

/// Eighteen blanks: "no date" (e.g. the no-block due date of an online checkout).
pub const BLANK: &str = "                  ";

/// Reads the fixed 18-character form; the zone characters are not interpreted (`   Z` marks UTC,
/// which a kiosk in one library's time zone does not need to convert).
pub fn parse_fixed(text: &str) -> Option<NaiveDateTime> {
    if text.chars().count() != 18 || !text.is_ascii() {
        return None;
    }
    let date = NaiveDate::parse_from_str(&text[..8], "%Y%m%d").ok()?;
    let time = NaiveTime::parse_from_str(&text[12..], "%H%M%S").ok()?;
    Some(date.and_time(time))
}

/// A due date in any of the forms ILSes send, keeping the text as it came.
pub fn parse_due(text: &str) -> Due {
    let trimmed = text.trim();
    Due {
        text: trimmed.to_owned(),
        at: parse_loose(trimmed),
    }
}

fn parse_loose(text: &str) -> Option<NaiveDateTime> {
    if let Some(at) = parse_fixed(text) {
        return Some(at);
    }
    const DATE_TIMES: [&str; 6] = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y%m%d %H%M%S",
        "%Y/%m/%d %H:%M",
    ];
    let without_zone = text.trim_end_matches('Z');
    for format in DATE_TIMES {
        if let Ok(at) = NaiveDateTime::parse_from_str(without_zone, format) {
            return Some(at);
        }
    }
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(at.naive_local());
    }
    // A date alone falls due at the end of that day.
    const DATES: [&str; 4] = ["%Y-%m-%d", "%Y%m%d", "%Y/%m/%d", "%m/%d/%Y"];
    let end_of_day = NaiveTime::from_hms_opt(23, 59, 0)?;
    DATES
        .iter()
        .find_map(|format| NaiveDate::parse_from_str(text, format).ok())
        .map(|date| date.and_time(end_of_day))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d)
            .and_then(|date| date.and_hms_opt(h, mi, s))
            .unwrap()
    }

    #[test]
    fn fixed_form_round_trips() {
        let when = at(2026, 7, 22, 10, 15, 30);
        assert_eq!(format(when), "20260722    101530");
        assert_eq!(parse_fixed("20260722    101530"), Some(when));
        assert_eq!(parse_fixed("20260722   Z101530"), Some(when));
        assert_eq!(parse_fixed(BLANK), None);
        assert_eq!(parse_fixed("2026072"), None);
    }

    #[test]
    fn due_dates_in_the_forms_ilses_send() {
        let cases = [
            ("20261227    235900", Some(at(2026, 12, 27, 23, 59, 0))),
            ("2026-12-27 23:59:00", Some(at(2026, 12, 27, 23, 59, 0))),
            ("2026-12-27 23:59", Some(at(2026, 12, 27, 23, 59, 0))),
            ("2026-12-27T23:59:00Z", Some(at(2026, 12, 27, 23, 59, 0))),
            ("2026-12-27", Some(at(2026, 12, 27, 23, 59, 0))),
            ("12/27/2026", Some(at(2026, 12, 27, 23, 59, 0))),
            ("next Tuesday", None),
        ];
        for (text, expected) in cases {
            let due = parse_due(text);
            assert_eq!(due.at, expected, "{text}");
            assert_eq!(due.text, text, "the text is kept");
        }
    }
}
