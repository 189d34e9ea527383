//! "Also borrowed" pair counts: in how many visits two titles were borrowed together, counted
//! by this kiosk or imported from the library's own computation (a file staff load with
//! `kiosk stats import-pairs`, which replaces the previous import). Nothing about who, when or
//! which copy: two titles and a number.

use super::*;
use crate::circ::also_borrowed::{AlsoBorrowed, pairs, suggest};

/// One pair as exported and imported (`a` sorts before `b`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PairCount {
    pub a: String,
    pub b: String,
    pub sessions: i64,
}

impl Journal {
    /// Counts a visit's pairs of titles (each pair once) and answers the suggestion for the
    /// visit, from this kiosk's counts and the imported ones together, in one transaction.
    pub fn borrowed_together(
        &mut self,
        titles: &[String],
        min_sessions: u32,
    ) -> Result<Option<AlsoBorrowed>> {
        let tx = self.conn.transaction()?;
        for (a, b) in pairs(titles) {
            tx.prepare_cached(
                "INSERT INTO pair_counts (a, b, source, sessions) VALUES (?1, ?2, 'kiosk', 1)
                 ON CONFLICT (a, b, source) DO UPDATE SET sessions = sessions + 1",
            )?
            .execute(params![a, b])?;
        }
        let mut counts = Vec::new();
        for title in titles {
            let mut statement = tx.prepare_cached(
                "SELECT a, b, sum(sessions) FROM pair_counts WHERE a = ?1 OR b = ?1 GROUP BY a, b",
            )?;
            let rows = statement.query_map(params![title], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?))
            })?;
            for row in rows {
                counts.push(row?);
            }
        }
        tx.commit()?;
        Ok(suggest(titles, &counts, min_sessions))
    }

    /// The pairs counted by this kiosk (for the library to merge), most seen first.
    pub fn pair_counts(&self) -> Result<Vec<PairCount>> {
        let mut statement = self.conn.prepare(
            "SELECT a, b, sessions FROM pair_counts WHERE source = 'kiosk'
                 ORDER BY sessions DESC, a, b",
        )?;
        let rows = statement.query_map([], |r| {
            Ok(PairCount {
                a: r.get(0)?,
                b: r.get(1)?,
                sessions: r.get(2)?,
            })
        })?;
        rows.collect::<rusqlite::Result<_>>().map_err(Into::into)
    }

    /// Replaces the imported pairs with `pairs` (each pair put in order, repeats added up).
    /// Returns how many pairs are now imported.
    pub fn import_pairs(&mut self, imported: &[PairCount]) -> Result<usize> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM pair_counts WHERE source = 'imported'", [])?;
        for p in imported {
            let (a, b) = if p.a < p.b {
                (&p.a, &p.b)
            } else {
                (&p.b, &p.a)
            };
            tx.prepare_cached(
                "INSERT INTO pair_counts (a, b, source, sessions) VALUES (?1, ?2, 'imported', ?3)
                 ON CONFLICT (a, b, source) DO UPDATE SET sessions = sessions + ?3",
            )?
            .execute(params![a, b, p.sessions])?;
        }
        let n: i64 = tx.query_row(
            "SELECT count(*) FROM pair_counts WHERE source = 'imported'",
            [],
            |r| r.get(0),
        )?;
        tx.commit()?;
        Ok(usize::try_from(n).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::journal::JournalSettings;

    fn journal() -> Journal {
        Journal::in_memory(JournalSettings {
            kiosk: "test".into(),
            patron_retention: std::time::Duration::ZERO,
        })
        .unwrap()
    }

    fn titles(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_pair_shows_from_the_kth_visit_that_borrowed_both_and_not_before() {
        let mut journal = journal();
        let together = titles(&["三体", "球状闪电"]);
        // Four visits borrowed both: k − 1 for k = 5.
        for _ in 0..4 {
            journal.borrowed_together(&together, 5).unwrap();
        }
        let alone = titles(&["三体"]);
        assert_eq!(journal.borrowed_together(&alone, 5).unwrap(), None);
        // The fifth visit counts before it asks; then a reader of 三体 is told.
        journal.borrowed_together(&together, 5).unwrap();
        assert_eq!(
            journal.borrowed_together(&alone, 5).unwrap(),
            Some(AlsoBorrowed {
                borrowed: "三体".into(),
                also: "球状闪电".into()
            })
        );
        assert_eq!(
            journal.pair_counts().unwrap(),
            [PairCount {
                a: "三体".into(),
                b: "球状闪电".into(),
                sessions: 5
            }]
        );
    }

    #[test]
    fn imported_pairs_add_to_the_kiosks_own_and_a_new_import_replaces_the_old() {
        let mut journal = journal();
        for _ in 0..2 {
            journal
                .borrowed_together(&titles(&["活着", "许三观卖血记"]), 5)
                .unwrap();
        }
        let pair = |sessions| PairCount {
            a: "许三观卖血记".into(),
            b: "活着".into(),
            sessions,
        };
        assert_eq!(journal.import_pairs(&[pair(3)]).unwrap(), 1);
        assert!(
            journal
                .borrowed_together(&titles(&["活着"]), 5)
                .unwrap()
                .is_some(),
            "2 here + 3 imported"
        );
        journal.import_pairs(&[pair(1)]).unwrap();
        assert_eq!(
            journal.borrowed_together(&titles(&["活着"]), 5).unwrap(),
            None
        );
        // The export is this kiosk's own counting, not what was imported.
        assert_eq!(journal.pair_counts().unwrap()[0].sessions, 2);
    }
}
