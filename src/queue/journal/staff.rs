//! What staff and the statistics read and change in the journal: listings, counts, retry and
//! discard, the privacy purge, the blocked-patron list, and small settings kept in `meta`.

use super::*;

/// Days a suggestion kept only for staff keeps the card number of a reader who asked for a reply.
pub const SUGGESTION_REPLY_DAYS: i64 = 30;

impl Journal {
    pub fn list(&self, state: Option<State>, since: Option<&str>) -> Result<Vec<Record>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM transactions WHERE (?1 IS NULL OR state = ?1)
                 AND (?2 IS NULL OR local_time >= ?2) ORDER BY seq"
        );
        let mut statement = self.conn.prepare(&sql)?;
        let rows =
            statement.query_map(params![state.map(State::as_str), since], |r| self.record(r))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A transaction by its id (`kiosk-01-17`) or sequence number (`17`).
    pub fn get(&self, id: &str) -> Result<Record> {
        let seq = id
            .rsplit('-')
            .next()
            .and_then(|s| s.parse::<i64>().ok())
            .ok_or_else(|| JournalError::NotFound(id.to_owned()))?;
        let sql = format!("SELECT {COLUMNS} FROM transactions WHERE seq = ?1");
        let record = self
            .conn
            .query_row(&sql, params![seq], |r| self.record(r))
            .optional()?
            .filter(|r| r.id == id || id == seq.to_string())
            .ok_or_else(|| JournalError::NotFound(id.to_owned()))?;
        Ok(record)
    }

    pub fn counts(&self) -> Result<BTreeMap<State, u64>> {
        let mut statement = self
            .conn
            .prepare("SELECT state, COUNT(*) FROM transactions GROUP BY state")?;
        let rows =
            statement.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        let mut counts = BTreeMap::new();
        for row in rows {
            let (state, count) = row?;
            if let Some(state) = State::parse(&state) {
                counts.insert(state, count.max(0) as u64);
            }
        }
        Ok(counts)
    }

    /// Transactions queued or to be asked about (what the ILS has still to receive); counted on
    /// the partial index of open transactions, so it stays cheap however long the history.
    pub fn waiting_count(&self) -> Result<u64> {
        let count: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM transactions WHERE state IN ('pending', 'unknown')",
            [],
            |r| r.get(0),
        )?;
        Ok(count.max(0) as u64)
    }

    /// The oldest transaction still owed to the ILS.
    pub fn oldest_waiting(&self) -> Result<Option<Record>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM transactions WHERE state IN ('pending', 'sending', 'unknown') ORDER BY seq LIMIT 1"
        );
        Ok(self
            .conn
            .query_row(&sql, [], |r| self.record(r))
            .optional()?)
    }

    /// Staff: send a refused or reviewed transaction again (reconciled first if its outcome was
    /// ever in doubt).
    pub fn retry(&mut self, id: &str) -> Result<Record> {
        let record = self.get(id)?;
        if !matches!(
            record.state,
            State::Refused | State::Review | State::Unknown
        ) {
            return Err(JournalError::WrongState {
                id: record.id,
                state: record.state,
                what: "only refused, review and unknown transactions can be retried",
            });
        }
        self.conn.execute(
            "UPDATE transactions SET state = 'pending', origin = 'offline', next_attempt_utc = NULL,
                 reconcile = CASE WHEN state IN ('review', 'unknown') THEN 1 ELSE reconcile END, updated_utc = ?2
             WHERE seq = ?1",
            params![record.seq, utc_text(Utc::now())],
        )?;
        self.get(id)
    }

    /// Staff: settle a transaction by hand; it stays in the journal with the reason.
    pub fn discard(&mut self, id: &str, reason: &str) -> Result<Record> {
        let record = self.get(id)?;
        if !matches!(
            record.state,
            State::Pending | State::Refused | State::Review | State::Unknown
        ) {
            return Err(JournalError::WrongState {
                id: record.id,
                state: record.state,
                what: "only pending, refused, review and unknown transactions can be discarded",
            });
        }
        self.conn.execute(
            "UPDATE transactions SET state = 'discarded', discard_reason = ?2, updated_utc = ?3 WHERE seq = ?1",
            params![record.seq, reason, utc_text(Utc::now())],
        )?;
        self.get(id)
    }

    /// Erases patron ids from settled transactions older than the retention.
    pub fn purge_patrons(&mut self, now: DateTime<Utc>) -> Result<usize> {
        let cutoff =
            now - chrono::Duration::from_std(self.settings.patron_retention).unwrap_or_default();
        let transactions = self.conn.execute(
            "UPDATE transactions SET patron = NULL WHERE patron IS NOT NULL
                 AND state IN ('done', 'declined', 'void', 'discarded') AND updated_utc <= ?1",
            params![utc_text(cutoff)],
        )?;
        // A suggestion's card number (the reader asked for a reply) goes once every destination
        // has it and the retention is over; with no destination (staff export them), a month
        // after it was made, so staff have time to answer.
        let month = now - chrono::Duration::days(SUGGESTION_REPLY_DAYS);
        let suggestions = self.conn.execute(
            "UPDATE suggestions SET patron = NULL WHERE patron IS NOT NULL
                 AND koha NOT IN ('pending', 'sending') AND endpoint NOT IN ('pending', 'sending')
                 AND (((koha != 'none' OR endpoint != 'none') AND created_utc <= ?1)
                      OR created_utc <= ?2)",
            params![utc_text(cutoff), utc_text(month)],
        )?;
        Ok(transactions + suggestions)
    }

    /// Keeps the anonymous statistics for `days` days (from the next [`Journal::prune_statistics`]).
    pub fn keep_statistics_for(&mut self, days: u32) {
        self.statistics_retention_days = days;
    }

    /// Deletes the statistics of days more than the retention before `today` (the kiosk's local
    /// date): the hourly and visit counts and the satisfaction answers. Returns the rows deleted.
    pub fn prune_statistics(&mut self, today: chrono::NaiveDate) -> Result<usize> {
        let oldest = today - chrono::Duration::days(i64::from(self.statistics_retention_days) - 1);
        let oldest = oldest.format("%Y-%m-%d").to_string();
        let tx = self.conn.transaction()?;
        let mut deleted =
            tx.execute("DELETE FROM hourly_counts WHERE day < ?1", params![oldest])?;
        deleted += tx.execute("DELETE FROM visit_counts WHERE day < ?1", params![oldest])?;
        // A rating's hour is `YYYY-MM-DD HH`, which sorts as its day does.
        deleted += tx.execute("DELETE FROM ratings WHERE hour < ?1", params![oldest])?;
        tx.commit()?;
        Ok(deleted)
    }

    /// Anonymous counts per hour, kind, origin, outcome and refusal reason, oldest first.
    pub fn hourly_counts(&self) -> Result<Vec<HourlyCount>> {
        let mut statement = self.conn.prepare(
            "SELECT day, hour, kind, origin, outcome, reason, count FROM hourly_counts
                 ORDER BY day, hour, kind, origin, outcome, reason",
        )?;
        let rows = statement.query_map([], |r| {
            Ok(HourlyCount {
                day: r.get(0)?,
                hour: r.get(1)?,
                kind: r.get(2)?,
                origin: r.get(3)?,
                outcome: r.get(4)?,
                reason: r.get(5)?,
                count: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Why this patron is blocked, when the list says so.
    pub fn blocked(&self, patron: &PatronId) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT reason FROM blocked_patrons WHERE patron = ?1",
                params![patron.0],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Adds (with a reason) or removes (`None`) a patron from the blocked list.
    pub fn set_blocked(
        &mut self,
        patron: &PatronId,
        reason: Option<&str>,
        source: &str,
    ) -> Result<()> {
        match reason {
            Some(reason) => self.conn.execute(
                "INSERT INTO blocked_patrons (patron, reason, source, updated_utc) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (patron) DO UPDATE SET reason = ?2, source = ?3, updated_utc = ?4",
                params![patron.0, reason, source, utc_text(Utc::now())],
            )?,
            None => self
                .conn
                .execute("DELETE FROM blocked_patrons WHERE patron = ?1", params![patron.0])?,
        };
        Ok(())
    }

    /// Replaces the blocked patrons of one source (e.g. an imported file) in one commit.
    pub fn replace_blocked(&mut self, source: &str, entries: &[(String, String)]) -> Result<usize> {
        let now = utc_text(Utc::now());
        let tx = self.conn.transaction()?;
        tx.execute(
            "DELETE FROM blocked_patrons WHERE source = ?1",
            params![source],
        )?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO blocked_patrons (patron, reason, source, updated_utc) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (patron) DO UPDATE SET reason = ?2, source = ?3, updated_utc = ?4",
            )?;
            for (patron, reason) in entries {
                insert.execute(params![patron, reason, source, now])?;
            }
        }
        tx.commit()?;
        Ok(entries.len())
    }

    pub fn blocked_count(&self) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM blocked_patrons", [], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
            params![key, value],
        )?;
        Ok(())
    }
}
