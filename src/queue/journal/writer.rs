//! Recording how attempts and replays ended: many rows in one transaction, one commit.

use super::*;

/// Writes outcomes into one open transaction; nothing is durable until [`BatchWriter::commit`].
pub(super) struct BatchWriter<'a> {
    pub(super) tx: rusqlite::Transaction<'a>,
    pub(super) maybe_unknown_online: &'a mut bool,
    pub(super) erase_at_once: bool,
    pub(super) now: DateTime<Utc>,
    pub(super) now_text: String,
    /// Anonymous counts, added up here and written once at commit.
    pub(super) counts: BTreeMap<(String, String, &'static str, State), i64>,
    pub(super) unknown_online: bool,
}

impl BatchWriter<'_> {
    pub(super) fn write(
        &mut self,
        seq: i64,
        origin: Origin,
        kind: &str,
        local: &str,
        finish: &Finish,
    ) -> Result<()> {
        let (state, due, reply, error, next_attempt, reconcile) = match finish {
            // `reconcile`: Some(true) sets it, Some(false) clears it, None keeps it.
            Finish::Done { due, reply } => {
                (State::Done, due.clone(), reply.clone(), None, None, None)
            }
            Finish::Declined { reply } => (State::Declined, None, reply.clone(), None, None, None),
            Finish::Refused { reply } => (State::Refused, None, reply.clone(), None, None, None),
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
        self.tx
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
        if matches!(state, State::Done | State::Declined | State::Refused) {
            let day = local[..local.len().min(10)].to_owned();
            *self
                .counts
                .entry((day, kind.to_owned(), origin.as_str(), state))
                .or_default() += 1;
        }
        Ok(())
    }

    /// Makes everything written durable at once, closing the in-flight batch if given.
    pub(super) fn commit(self, batch: Option<i64>) -> Result<()> {
        for ((day, kind, origin, state), n) in &self.counts {
            self.tx.execute(
                "INSERT INTO daily_counts (day, kind, origin, outcome, count) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (day, kind, origin, outcome) DO UPDATE SET count = count + ?5",
                params![day, kind, origin, state.as_str(), n],
            )?;
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
