//! Exports of the journal for staff: Koha's offline circulation file (.koc), JSON lines, CSV.

use super::journal::Record;
use super::{Action, kind_str};
use std::fmt::Write as _;

/// The .koc header's generator name and version.
pub const GENERATOR: &str = "kiosk";

/// What an export left out, and why (a .koc cannot carry everything).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Skipped {
    pub renewals: usize,
    pub without_patron: usize,
}

/// Koha's offline circulation file: a header line, then `timestamp TAB command TAB args`, the
/// timestamp in the library's local time (`YYYY-MM-DD HH:MM:SS`), as Koha's Circulation →
/// Offline circulation upload reads it. Renewals have no .koc command; loans need the card.
pub fn koc(records: &[Record]) -> (String, Skipped) {
    let mut out = format!(
        "Version=1.0\tGenerator={GENERATOR}\tGeneratorVersion={}\n",
        env!("CARGO_PKG_VERSION")
    );
    let mut skipped = Skipped::default();
    for record in records {
        match (record.kind, record.patron.as_deref()) {
            (Action::Borrow, Some(card)) => {
                let _ = writeln!(out, "{}\tissue\t{card}\t{}", record.local_time, record.item);
            }
            (Action::Borrow, None) => skipped.without_patron += 1,
            (Action::Return, _) => {
                let _ = writeln!(out, "{}\treturn\t{}", record.local_time, record.item);
            }
            (Action::Renew, _) => skipped.renewals += 1,
        }
    }
    (out, skipped)
}

/// One JSON object per transaction, every field.
pub fn jsonl(records: &[Record]) -> String {
    records
        .iter()
        .filter_map(|r| serde_json::to_string(r).ok())
        .map(|line| line + "\n")
        .collect()
}

const CSV_COLUMNS: [&str; 14] = [
    "id",
    "kind",
    "origin",
    "state",
    "patron",
    "item",
    "local_time",
    "utc_time",
    "due",
    "attempts",
    "last_error",
    "reply",
    "discard_reason",
    "kiosk",
];

/// RFC 4180 CSV with a header row.
pub fn csv(records: &[Record]) -> String {
    let mut out = CSV_COLUMNS.join(",") + "\r\n";
    for r in records {
        let fields = [
            r.id.clone(),
            kind_str(r.kind).to_owned(),
            r.origin.as_str().to_owned(),
            r.state.as_str().to_owned(),
            r.patron.clone().unwrap_or_default(),
            r.item.clone(),
            r.local_time.clone(),
            r.utc_time.clone(),
            r.due.clone().unwrap_or_default(),
            r.attempts.to_string(),
            r.last_error.clone().unwrap_or_default(),
            r.reply.clone().unwrap_or_default(),
            r.discard_reason.clone().unwrap_or_default(),
            r.kiosk.clone(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

pub(crate) fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::circ::types::{ItemId, PatronId};
    use crate::queue::journal::{Journal, JournalSettings, NewTransaction, Stamp};
    use chrono::{NaiveDate, TimeZone, Utc};
    use std::time::Duration;

    fn records() -> Vec<Record> {
        let mut journal = Journal::in_memory(JournalSettings {
            kiosk: "kiosk-01".into(),
            patron_retention: Duration::ZERO,
        })
        .unwrap();
        let stamp = |h: u32, m: u32, s: u32| {
            let local = NaiveDate::from_ymd_opt(2026, 7, 22)
                .unwrap()
                .and_hms_opt(h, m, s)
                .unwrap();
            Stamp {
                local,
                utc: Utc.from_utc_datetime(&(local - chrono::Duration::hours(8))),
            }
        };
        let card = PatronId("23529001000463".into());
        journal
            .queue_offline(
                &NewTransaction::new(
                    Action::Borrow,
                    &ItemId("31000000123456".into()),
                    stamp(10, 15, 30),
                )
                .by(&card),
                None,
            )
            .unwrap();
        journal
            .queue_offline(
                &NewTransaction::new(
                    Action::Return,
                    &ItemId("31000000654321".into()),
                    stamp(10, 16, 2),
                ),
                None,
            )
            .unwrap();
        journal.list(None, None).unwrap()
    }

    #[test]
    fn koc_matches_the_reference_byte_for_byte() {
        let (text, skipped) = koc(&records());
        let expected = format!(
            "Version=1.0\tGenerator=kiosk\tGeneratorVersion={}\n\
             2026-07-22 10:15:30\tissue\t23529001000463\t31000000123456\n\
             2026-07-22 10:16:02\treturn\t31000000654321\n",
            env!("CARGO_PKG_VERSION")
        );
        assert_eq!(text, expected);
        assert_eq!(skipped, Skipped::default());
    }

    #[test]
    fn what_a_koc_cannot_carry_is_counted() {
        let mut rows = records();
        rows[0].patron = None;
        rows[1].kind = Action::Renew;
        let (text, skipped) = koc(&rows);
        assert_eq!(text.lines().count(), 1, "only the header: {text}");
        assert_eq!(
            skipped,
            Skipped {
                renewals: 1,
                without_patron: 1
            }
        );
    }

    #[test]
    fn jsonl_has_one_object_per_transaction() {
        let text = jsonl(&records());
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["id"], "kiosk-01-1");
        assert_eq!(lines[0]["kind"], "checkout");
        assert_eq!(lines[0]["patron"], "23529001000463");
        assert_eq!(lines[1]["state"], "pending");
        assert_eq!(lines[1]["local_time"], "2026-07-22 10:16:02");
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let mut rows = records();
        rows[1].reply = Some("Item \"lost\", see staff\nnow".into());
        let text = csv(&rows);
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], CSV_COLUMNS.join(","));
        assert!(lines[1].starts_with(
            "kiosk-01-1,checkout,offline,pending,23529001000463,31000000123456,2026-07-22 10:15:30,"
        ));
        assert!(
            text.contains("\"Item \"\"lost\"\", see staff\nnow\""),
            "{text}"
        );
    }
}
