//! Recording how attempts and replays ended: batches marked in flight, many outcomes in one
//! transaction and one commit, and what a crash or a failed write left in flight.

use super::*;

impl Journal {
    /// After a crash, rows caught "sending" have an unknown outcome: queued ones go back to the
    /// queue to be reconciled first; online attempts are reconciled on their own (the reader was
    /// never told about them, so they must not simply be sent again).
    pub fn recover_interrupted(&mut self) -> Result<usize> {
        let now = utc_text(Utc::now());
        let tx = self.conn.transaction()?;
        let batches: Vec<String> = {
            let mut select = tx.prepare("SELECT seqs FROM inflight")?;
            let rows = select.query_map([], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut in_batches = 0;
        for seqs in batches {
            // Only integers were written; anything else is skipped rather than trusted.
            let list: Vec<String> = seqs
                .split(',')
                .filter_map(|s| s.trim().parse::<i64>().ok())
                .map(|n| n.to_string())
                .collect();
            if list.is_empty() {
                continue;
            }
            in_batches += tx.execute(
                &format!(
                    "UPDATE transactions SET reconcile = 1, updated_utc = ?1,
                         last_error = 'interrupted while sending'
                     WHERE state = 'pending' AND seq IN ({})",
                    list.join(",")
                ),
                params![now],
            )?;
        }
        tx.execute("DELETE FROM inflight", [])?;
        let offline = tx.execute(
            "UPDATE transactions SET state = 'pending', reconcile = 1, updated_utc = ?1,
                 last_error = 'interrupted while sending' WHERE state = 'sending' AND origin = 'offline'",
            params![now],
        )?;
        let online = tx.execute(
            "UPDATE transactions SET state = 'unknown', reconcile = 1, updated_utc = ?1,
                 last_error = 'interrupted while sending' WHERE state = 'sending' AND origin = 'online'",
            params![now],
        )?;
        tx.commit()?;
        self.unrecorded = false;
        self.maybe_unknown_online |= online > 0;
        let offline = offline + in_batches;
        if offline + online > 0 {
            tracing::warn!(
                offline,
                online,
                "transactions interrupted while sending will be reconciled with the ILS"
            );
        }
        Ok(offline + online)
    }

    /// Marks a batch of queued rows as being sent, durably, before any of them leaves: one row
    /// for the whole batch, so replay costs one small commit per batch rather than a write per
    /// transaction. After a crash, [`Journal::recover_interrupted`] reconciles what it lists.
    pub fn begin_batch(&mut self, seqs: &[i64]) -> Result<i64> {
        let list: Vec<String> = seqs.iter().map(i64::to_string).collect();
        self.conn.execute(
            "INSERT INTO inflight (seqs, started_utc) VALUES (?1, ?2)",
            params![list.join(","), utc_text(Utc::now())],
        )?;
        self.unrecorded = true;
        Ok(self.conn.last_insert_rowid())
    }

    /// Before anything more is sent: if outcomes this process should have recorded could not be
    /// written (disk full, I/O error), what is still marked in flight is treated as after a
    /// crash — reconciled with the ILS, never simply sent again (a loan sent twice becomes a
    /// renewal).
    pub fn recover_unrecorded(&mut self) -> Result<usize> {
        if !self.unrecorded {
            return Ok(0);
        }
        self.recover_interrupted()
    }

    /// Records the outcomes of a batch and closes it, in one commit that does not wait for the
    /// disk (WAL, `synchronous=NORMAL`: atomic, and durable at the next commit that waits, at
    /// the latest). Until it is on the disk, the batch's in-flight mark — which did wait — stands,
    /// so a power cut makes the next start reconcile these transactions with the ILS: none is
    /// lost, none sent twice. Every other write still waits for the disk.
    pub fn end_batch(&mut self, batch: i64, results: &[(&ReplayRow, Finish)]) -> Result<()> {
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        let recorded = self.finish_rows(results, Some(batch));
        let restored = self.conn.pragma_update(None, "synchronous", "FULL");
        if let Err(error) = &restored {
            tracing::error!(%error, "cannot make the journal wait for the disk again");
        }
        recorded.and(restored.map_err(JournalError::from))
    }

    /// Records how an online attempt ended.
    pub fn finish(&mut self, seq: i64, finish: Finish) -> Result<()> {
        let queued = queued_row(&self.conn, seq)?;
        self.finish_rows(&[(&queued, finish)], None)
    }

    /// Records online transactions the ILS has already answered, inserted and finished in one
    /// commit (renew all: one request to the ILS, whose reply names the items it renewed).
    pub fn record_answered(&mut self, answered: &[(NewTransaction, Finish)]) -> Result<()> {
        if answered.is_empty() {
            return Ok(());
        }
        let kiosk = self.settings.kiosk.clone();
        let mut writer = self.writer()?;
        for (new, finish) in answered {
            let seq = insert(
                &writer.tx,
                &kiosk,
                new,
                Origin::Online,
                State::Sending,
                None,
            )?;
            let row = queued_row(&writer.tx, seq)?;
            writer.write(&row, finish)?;
        }
        writer.commit(None)
    }

    /// Records how replays ended, all in one commit.
    pub fn finish_batch(&mut self, results: &[(&ReplayRow, Finish)]) -> Result<()> {
        self.finish_rows(results, None)
    }

    fn finish_rows(&mut self, results: &[(&ReplayRow, Finish)], batch: Option<i64>) -> Result<()> {
        if results.is_empty() && batch.is_none() {
            return Ok(());
        }
        match self.write_outcomes(results, batch) {
            Ok(()) => {
                if batch.is_some() {
                    self.unrecorded = false;
                }
                Ok(())
            }
            Err(error) => {
                self.unrecorded = true;
                Err(error)
            }
        }
    }

    /// The rows' kind, origin and local time come from what was read to send them: nothing is
    /// read again.
    fn write_outcomes(
        &mut self,
        results: &[(&ReplayRow, Finish)],
        batch: Option<i64>,
    ) -> Result<()> {
        let mut writer = self.writer()?;
        for (queued, finish) in results {
            writer.write(queued, finish)?;
        }
        writer.commit(batch)
    }

    /// Outcomes written one by one in one transaction, committed together.
    fn writer(&mut self) -> Result<BatchWriter<'_>> {
        let now = Utc::now();
        let erase_at_once = self.settings.patron_retention.is_zero();
        let Journal {
            conn,
            maybe_unknown_online,
            bench_without_counts,
            ..
        } = self;
        Ok(BatchWriter {
            tx: conn.transaction()?,
            maybe_unknown_online,
            without_counts: *bench_without_counts,
            erase_at_once,
            now,
            now_text: utc_text(now),
            hourly: BTreeMap::new(),
            unknown_online: false,
        })
    }
}

/// A transaction's row as the writer needs it.
fn queued_row(conn: &rusqlite::Connection, seq: i64) -> Result<ReplayRow> {
    conn.query_row(
        &format!("SELECT {QUEUED_COLUMNS} FROM transactions WHERE seq = ?1"),
        params![seq],
        ReplayRow::from_row,
    )
    .optional()?
    .ok_or_else(|| JournalError::NotFound(seq.to_string()))
}

/// Writes outcomes into one open transaction; nothing is durable until [`BatchWriter::commit`].
pub(super) struct BatchWriter<'a> {
    tx: rusqlite::Transaction<'a>,
    maybe_unknown_online: &'a mut bool,
    /// Only for the benchmark's floor: the outcome without its statistics.
    without_counts: bool,
    erase_at_once: bool,
    now: DateTime<Utc>,
    now_text: String,
    /// Anonymous counts by hour and refusal reason, added up here and written once at commit.
    hourly: BTreeMap<HourKey, i64>,
    unknown_online: bool,
}

impl BatchWriter<'_> {
    pub(super) fn write(&mut self, queued: &ReplayRow, finish: &Finish) -> Result<()> {
        let (seq, origin) = (queued.seq, queued.origin);
        let (state, due, reply, error, next_attempt, reconcile) = match finish {
            // `reconcile`: Some(true) sets it, Some(false) clears it, None keeps it.
            Finish::Done { due, reply } => {
                (State::Done, due.clone(), reply.clone(), None, None, None)
            }
            Finish::Declined { reply, .. } => {
                (State::Declined, None, reply.clone(), None, None, None)
            }
            Finish::Refused { reply, .. } => {
                (State::Refused, None, reply.clone(), None, None, None)
            }
            Finish::Void { note } => (State::Void, None, None, Some(note.clone()), None, None),
            Finish::Review { note } => (
                State::Review,
                None,
                None,
                Some(note.clone()),
                None,
                Some(true),
            ),
            // The ILS's state includes it: nothing is left to reconcile.
            Finish::Untold { note } => (
                State::Review,
                None,
                None,
                Some(note.clone()),
                None,
                Some(false),
            ),
            Finish::Unknown { error } => {
                let state = if origin == Origin::Offline {
                    State::Pending
                } else {
                    State::Unknown
                };
                self.unknown_online |= state == State::Unknown;
                (state, None, None, Some(error.clone()), None, Some(true))
            }
            Finish::Retry { error, after } => {
                let at = self.now + chrono::Duration::from_std(*after).unwrap_or_default();
                let state = if origin == Origin::Offline {
                    State::Pending
                } else {
                    State::Void
                };
                (
                    state,
                    None,
                    None,
                    Some(error.clone()),
                    Some(utc_text(at)),
                    None,
                )
            }
        };
        let settled = matches!(state, State::Done | State::Declined | State::Void);
        // A replay attempt counts when made (online attempts are counted when begun).
        let sent = origin == Origin::Offline && !matches!(finish, Finish::Retry { .. });
        let changed = self
            .tx
            .prepare_cached(
                "UPDATE transactions SET state = ?2, due = COALESCE(?3, due), reply = COALESCE(?4, reply),
                     last_error = ?5, next_attempt_utc = ?6,
                     reconcile = CASE WHEN ?7 = 1 THEN 1 WHEN ?7 = 0 OR ?2 = 'done' THEN 0 ELSE reconcile END,
                     patron = CASE WHEN ?8 THEN NULL ELSE patron END, updated_utc = ?9,
                     attempts = attempts + ?10
                 WHERE seq = ?1",
            )?
            .execute(params![
                seq,
                state.as_str(),
                due,
                reply,
                error,
                next_attempt,
                reconcile,
                settled && self.erase_at_once,
                self.now_text,
                i64::from(sent)
            ])?;
        if changed == 0 {
            return Err(JournalError::NotFound(seq.to_string()));
        }
        // Offline service is counted when it is queued (the reader was served then); its
        // replay's outcome is the ILS's business and staff's, not a second count.
        let counted = matches!(state, State::Done | State::Declined | State::Refused)
            && origin == Origin::Online;
        if counted && !self.without_counts {
            let reason = match finish {
                Finish::Declined { reason, .. } | Finish::Refused { reason, .. } => {
                    reason.unwrap_or("")
                }
                _ => "",
            };
            let key = hour_key(&queued.local_time, queued.kind, origin, state, reason);
            *self.hourly.entry(key).or_default() += 1;
        }
        Ok(())
    }

    /// Makes everything written durable at once, closing the in-flight batch if given.
    pub(super) fn commit(self, batch: Option<i64>) -> Result<()> {
        for (key, n) in &self.hourly {
            add_count(&self.tx, key, *n)?;
        }
        if let Some(batch) = batch {
            self.tx
                .execute("DELETE FROM inflight WHERE id = ?1", params![batch])?;
        }
        self.tx.commit()?;
        *self.maybe_unknown_online |= self.unknown_online;
        Ok(())
    }
}

/// `(day, hour, kind, origin, outcome, reason)` of the hourly statistics.
pub(super) type HourKey = (String, i64, &'static str, &'static str, State, &'static str);

/// Where an outcome of a transaction done at `local` (the journal's local time) is counted.
pub(super) fn hour_key(
    local: &str,
    kind: Action,
    origin: Origin,
    state: State,
    reason: &'static str,
) -> HourKey {
    let day = local[..local.len().min(10)].to_owned();
    (
        day,
        hour_of(local),
        kind_str(kind),
        origin.as_str(),
        state,
        reason,
    )
}

/// Adds `n` to the anonymous count of `key` (`hourly_counts`). Inside the caller's
/// transaction, so a count is written with the outcome it counts or not at all.
pub(super) fn add_count(conn: &rusqlite::Connection, key: &HourKey, n: i64) -> Result<()> {
    let (day, hour, kind, origin, state, reason) = key;
    conn.prepare_cached(
        "INSERT INTO hourly_counts (day, hour, kind, origin, outcome, reason, count)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (day, hour, kind, origin, outcome, reason) DO UPDATE SET count = count + ?7",
    )?
    .execute(params![day, hour, kind, origin, state.as_str(), reason, n])?;
    Ok(())
}

/// The hour (0–23) of a local time written `YYYY-MM-DD?HH…`; -1 when it has none.
fn hour_of(local: &str) -> i64 {
    local
        .get(11..13)
        .and_then(|h| h.parse::<i64>().ok())
        .filter(|h| (0..24).contains(h))
        .unwrap_or(-1)
}
