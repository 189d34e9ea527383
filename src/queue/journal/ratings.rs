//! Answers to the satisfaction question, kept anonymously: what kind of visit, how many items
//! went which way, the language, the score and reason, filed under the hour — never the reader,
//! the card, the items or the time.

use super::*;
use crate::circ::satisfaction::Rating;

/// The hour a rating is filed under, e.g. `2026-12-05 14`.
fn hour_of(at: &Stamp) -> String {
    at.local.format("%Y-%m-%d %H").to_string()
}

/// One kept rating, as staff read it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeptRating {
    pub hour: String,
    pub kind: String,
    pub borrowed: u32,
    pub returned: u32,
    pub renewed: u32,
    pub refused: u32,
    pub language: String,
    pub score: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Journal {
    pub fn keep_rating(&mut self, rating: &Rating, at: Stamp) -> Result<()> {
        let language = match rating.language {
            crate::circ::Language::En => "en",
            crate::circ::Language::ZhCn => "zh-CN",
        };
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO ratings (hour, kind, borrowed, returned, renewed, refused, language, score,
                 reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                hour_of(&at),
                rating.kind.code(),
                rating.borrowed,
                rating.returned,
                rating.renewed,
                rating.refused,
                language,
                rating.score,
                rating.reason.map(|r| r.code()),
            ],
        )?;
        // The statistics' count of scores, in the same transaction.
        super::visits::add_to_counter(&tx, &at, "score", &rating.score.to_string())?;
        tx.commit()?;
        Ok(())
    }

    /// The ratings kept, oldest first (for statistics and export).
    pub fn ratings(&self) -> Result<Vec<KeptRating>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT hour, kind, borrowed, returned, renewed, refused, language, score, reason
                 FROM ratings ORDER BY id",
        )?;
        let rows = statement.query_map([], |r| {
            Ok(KeptRating {
                hour: r.get(0)?,
                kind: r.get(1)?,
                borrowed: r.get(2)?,
                returned: r.get(3)?,
                renewed: r.get(4)?,
                refused: r.get(5)?,
                language: r.get(6)?,
                score: r.get(7)?,
                reason: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::circ::satisfaction::{LowScoreReason, VisitKind};
    use chrono::NaiveDate;

    #[test]
    fn a_rating_is_kept_under_its_hour_and_nothing_else_of_the_visit() {
        let mut journal = Journal::in_memory(JournalSettings {
            kiosk: "k".into(),
            patron_retention: Duration::ZERO,
        })
        .unwrap();
        let local = NaiveDate::from_ymd_opt(2026, 12, 5)
            .unwrap()
            .and_hms_opt(14, 37, 12)
            .unwrap();
        let at = Stamp {
            local,
            utc: local.and_utc(),
        };
        let rating = Rating {
            kind: VisitKind::Return,
            borrowed: 0,
            returned: 3,
            renewed: 0,
            refused: 1,
            language: crate::circ::Language::ZhCn,
            score: 2,
            reason: Some(LowScoreReason::NotRead),
        };
        journal.keep_rating(&rating, at).unwrap();
        // Counted for the statistics under its hour, in the same transaction.
        let counted = journal.visit_counts().unwrap();
        assert_eq!(
            counted
                .iter()
                .map(|c| (
                    c.day.as_str(),
                    c.hour,
                    c.measure.as_str(),
                    c.value.as_str(),
                    c.count
                ))
                .collect::<Vec<_>>(),
            [("2026-12-05", 14, "score", "2", 1)]
        );
        assert_eq!(
            journal.ratings().unwrap(),
            [KeptRating {
                hour: "2026-12-05 14".into(),
                kind: "return".into(),
                borrowed: 0,
                returned: 3,
                renewed: 0,
                refused: 1,
                language: "zh-CN".into(),
                score: 2,
                reason: Some("not_read".into()),
            }]
        );
        // The table has no column that could hold a reader, a card, an item or a time.
        assert_eq!(
            super::super::tests::column_names(&journal, "ratings"),
            [
                "id", "hour", "kind", "borrowed", "returned", "renewed", "refused", "language",
                "score", "reason"
            ]
        );
    }
}
