//! Whole visits in the statistics: one transaction per visit adds one to each of its counters
//! (kind, language, items, duration, touches; one per item for its time), under the day and
//! hour it ended.

use super::*;
use crate::circ::visit_stats::VisitRecord;

/// One counter of `visit_counts`, as staff read it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VisitCount {
    pub day: String,
    pub hour: i64,
    pub measure: String,
    pub value: String,
    pub count: i64,
}

/// Adds one to a counter under the day and hour of `at`, inside the caller's transaction (so
/// a rating or a suggestion and its count are kept together or not at all).
pub(super) fn add_to_counter(
    tx: &rusqlite::Transaction<'_>,
    at: &Stamp,
    measure: &str,
    value: &str,
) -> Result<()> {
    let day = at.local.format("%Y-%m-%d").to_string();
    let hour = i64::from(chrono::Timelike::hour(&at.local));
    tx.prepare_cached(
        "INSERT INTO visit_counts (day, hour, measure, value, count)
         VALUES (?1, ?2, ?3, ?4, 1)
         ON CONFLICT (day, hour, measure, value) DO UPDATE SET count = count + 1",
    )?
    .execute(params![day, hour, measure, value])?;
    Ok(())
}

impl Journal {
    pub fn count_visit(&mut self, visit: &VisitRecord, at: Stamp) -> Result<()> {
        let tx = self.conn.transaction()?;
        for (measure, value) in visit.counters() {
            add_to_counter(&tx, &at, measure, &value)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Every visit counter, oldest first.
    pub fn visit_counts(&self) -> Result<Vec<VisitCount>> {
        let mut statement = self.conn.prepare(
            "SELECT day, hour, measure, value, count FROM visit_counts
                 ORDER BY day, hour, measure, value",
        )?;
        let rows = statement.query_map([], |r| {
            Ok(VisitCount {
                day: r.get(0)?,
                hour: r.get(1)?,
                measure: r.get(2)?,
                value: r.get(3)?,
                count: r.get(4)?,
            })
        })?;
        rows.collect::<rusqlite::Result<_>>().map_err(Into::into)
    }
}
