//! The replay engine: sends queued transactions to the ILS exactly once, in order.
//!
//! A round takes the oldest replayable transactions (at most one per item, none behind an
//! unsettled earlier one for the same item), asks the ILS about those whose earlier send has an
//! unknown outcome (a loan that is already there is not sent again: it would become a renewal
//! or a second loan) and records each answer as it comes, marks the rest as sending in one
//! commit, sends them one by one, and records the outcomes in one commit (or each as it
//! comes, with a slow ILS). A crash anywhere leaves rows "sending", which the next start
//! turns back into "reconcile first".

use super::journal::{Finish, Journal, JournalError, ReplayRow};
use super::settle::{self, MAX_UNANSWERED_SENDS, Verdict};
use super::{Action, Origin, State};
use crate::circ::reason::Refusal;
use crate::circ::types::ItemId;
use crate::ils::{Ils, IlsError};
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// Outcomes of a batch are committed together (one commit, however many the ILS answered),
/// but at least this often: with a slow ILS each answer is then committed as it comes.
const RECORD_AT_LEAST_EVERY: Duration = Duration::from_millis(250);

#[derive(Debug, Clone)]
pub struct ReplaySettings {
    /// Transactions per round: one commit marks them sending, one records their outcomes.
    pub batch: usize,
    /// How long a transaction waits after the link failed before it is tried again.
    pub retry_after: Duration,
}

impl Default for ReplaySettings {
    fn default() -> Self {
        ReplaySettings {
            batch: 256,
            retry_after: Duration::from_secs(30),
        }
    }
}

/// What a round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    /// Transactions sent to the ILS.
    pub sent: usize,
    /// Transactions settled (done, refused, void or for review).
    pub settled: usize,
    /// The link failed; the rest waits.
    pub link_down: bool,
    /// Gave way to a reader's request.
    pub yielded: bool,
    /// Nothing was replayable.
    pub idle: bool,
}

/// What follows from a verdict; `None`: send it. `hint` is what the ILS adapter guesses it
/// would not take (a setting to change), for a transaction it never answered.
pub fn after_reconcile(record: &ReplayRow, verdict: Verdict, hint: Option<&str>) -> Option<Finish> {
    match (record.origin, verdict) {
        // Sent time and again, never answered, never applied, while the ILS answers the
        // questions about it: it will not take this transaction as sent. Staff look.
        (Origin::Offline, Verdict::NotApplied) if record.attempts >= MAX_UNANSWERED_SENDS => {
            Some(Finish::Review {
                note: unanswered_note(record.attempts, hint),
            })
        }
        (Origin::Offline, Verdict::Applied) => Some(Finish::Done {
            due: None,
            reply: Some("already at the ILS (found when reconciling)".into()),
        }),
        (Origin::Offline, Verdict::NotApplied) => None,
        // An online attempt interrupted before the reader was told: never send it again.
        (Origin::Online, Verdict::Applied) => Some(Finish::Untold {
            note: "the ILS applied it, but the kiosk was interrupted before the reader was told: check the item"
                .into(),
        }),
        (Origin::Online, Verdict::NotApplied) => Some(Finish::Void {
            note: "interrupted; the ILS confirms it never took effect".into(),
        }),
        (_, Verdict::Unsure(why)) => Some(Finish::Review {
            note: format!("outcome unknown and the ILS cannot settle it: {why}"),
        }),
    }
}

/// What an ILS answer to a replayed transaction means for it.
pub fn after_send(
    answer: Result<Result<Option<String>, Refusal>, IlsError>,
    retry_after: Duration,
) -> Finish {
    match answer {
        Ok(Ok(due)) => Finish::Done { due, reply: None },
        Ok(Err(refusal)) => Finish::Refused {
            reason: Some(refusal.reason.code()),
            reply: Some(
                refusal
                    .screen_message
                    .unwrap_or_else(|| refusal.reason.explain()),
            ),
        },
        Err(
            IlsError::LinkDown(error)
            | IlsError::LoginRefused(error)
            | IlsError::Misconfigured(error),
        ) => Finish::Retry {
            error,
            after: retry_after,
        },
        Err(error @ (IlsError::OutcomeUnknown(_) | IlsError::BadReply(_))) => Finish::Unknown {
            error: error.to_string(),
        },
        Err(error @ (IlsError::Unsupported(_) | IlsError::Storage(_))) => Finish::Review {
            note: error.to_string(),
        },
    }
}

fn reconcile(ils: &mut dyn Ils, record: &ReplayRow) -> Result<Verdict, IlsError> {
    settle::reconcile(
        ils,
        record.kind,
        record.patron_id().as_ref(),
        &record.item_id(),
    )
}

/// Why a transaction the ILS never answered waits for staff.
pub fn unanswered_note(sends: i64, hint: Option<&str>) -> String {
    let mut note = format!(
        "sent {sends} times; each time the ILS dropped the connection or did not answer, though \
         it answers other requests, and it confirms the transaction never took effect: it will \
         not take it as sent"
    );
    if let Some(hint) = hint {
        note.push_str(" (");
        note.push_str(hint);
        note.push(')');
    }
    note
}

fn send(ils: &mut dyn Ils, record: &ReplayRow, retry_after: Duration) -> Finish {
    let item = record.item_id();
    let at = record
        .local()
        .unwrap_or_else(|| chrono::Local::now().naive_local());
    let answer = match (record.kind, record.patron_id()) {
        (Action::Borrow, Some(patron)) => ils
            .replay_checkout(&patron, &item, at, record.due_at())
            .map(|a| a.map(|loan| Some(loan.due.text))),
        (Action::Renew, Some(patron)) => ils
            .renew(&patron, &item)
            .map(|a| a.map(|loan| Some(loan.due.text))),
        (Action::Return, _) => ils.replay_checkin(&item, at).map(|a| a.map(|_| None)),
        (_, None) => {
            return Finish::Review {
                note: "no patron id on the transaction".into(),
            };
        }
    };
    after_send(answer, retry_after)
}

/// One round of replay (of one item's transactions with `only`). `should_yield` is asked
/// between sends: true when a reader's request is waiting, which then goes first.
pub fn replay_round(
    journal: &mut Journal,
    ils: &mut dyn Ils,
    now: DateTime<Utc>,
    settings: &ReplaySettings,
    only: Option<&ItemId>,
    should_yield: &mut dyn FnMut() -> bool,
) -> Result<Round, JournalError> {
    journal.recover_unrecorded()?;
    let rows = journal.to_send(settings.batch, now, only)?;
    let mut round = Round {
        idle: rows.is_empty(),
        ..Round::default()
    };
    let mut to_send: Vec<&ReplayRow> = Vec::new();
    // Items whose earlier transaction in this round did not go through: their later ones wait.
    let mut held: HashSet<&str> = HashSet::new();
    // Items with a transaction to send this round: a later one that needs reconciling must wait
    // for the next round, since the ILS's answer about it would not count the earlier one yet.
    let mut sending_items: HashSet<&str> = HashSet::new();
    let mut deferred: HashSet<&str> = HashSet::new();
    for record in &rows {
        let item = record.item.as_str();
        if held.contains(item) || deferred.contains(item) {
            continue;
        }
        let needs_reconcile = record.reconcile || record.state == State::Unknown;
        if needs_reconcile && sending_items.contains(item) {
            deferred.insert(item);
            continue;
        }
        if !needs_reconcile {
            sending_items.insert(item);
            to_send.push(record);
            continue;
        }
        match reconcile(ils, record) {
            // Each answer is recorded as soon as it is learned: a kiosk restarted again and
            // again against a slow ILS still makes progress with every start.
            Ok(verdict) => {
                let rejected = verdict == Verdict::NotApplied;
                match after_reconcile(record, verdict, ils.rejection_hint(record.kind).as_deref()) {
                    Some(finish) => {
                        if !matches!(finish, Finish::Done { .. } | Finish::Untold { .. }) {
                            held.insert(item);
                        }
                        if let Finish::Review { note } = &finish
                            && rejected
                        {
                            settle::note_rejected(journal, record.kind, note);
                        }
                        journal.finish_batch(&[(record, finish)])?;
                        round.settled += 1;
                    }
                    None => {
                        journal.reconciled_not_applied(record.seq)?;
                        sending_items.insert(item);
                        to_send.push(record);
                    }
                }
            }
            Err(error) => {
                tracing::info!(%error, "cannot reconcile now; the queue waits");
                round.link_down = true;
                break;
            }
        }
    }
    if round.link_down || to_send.is_empty() {
        return Ok(round);
    }
    let seqs: Vec<i64> = to_send.iter().map(|r| r.seq).collect();
    let batch = journal.begin_batch(&seqs)?;
    let mut results = Vec::with_capacity(to_send.len());
    let mut in_doubt: HashSet<&str> = HashSet::new();
    let mut stopped: Option<Finish> = None;
    let mut last_recorded = Instant::now();
    for record in to_send {
        if let Some(finish) = &stopped {
            // Marked in flight but never sent: back to the queue as it was.
            results.push((record, finish.clone()));
            continue;
        }
        if held.contains(record.item.as_str()) {
            // An earlier transaction of this item did not go through: this one waits for it.
            let finish = Finish::Retry {
                error: "an earlier transaction of this item did not go through".into(),
                after: Duration::ZERO,
            };
            results.push((record, finish));
            continue;
        }
        if round.sent > 0 && should_yield() {
            round.yielded = true;
            let finish = Finish::Retry {
                error: "gave way to a reader".into(),
                after: Duration::ZERO,
            };
            results.push((record, finish.clone()));
            stopped = Some(finish);
            continue;
        }
        if in_doubt.contains(record.item.as_str()) {
            // At most one sent-but-unrecorded transaction per item: after a crash, the ILS's
            // state can then say which one took effect (two would be ambiguous: a loan and its
            // return leave the item as if neither happened).
            journal.finish_batch(&results)?;
            results.clear();
            in_doubt.clear();
        }
        let finish = send(ils, record, settings.retry_after);
        in_doubt.insert(&record.item);
        round.sent += 1;
        if !matches!(finish, Finish::Done { .. }) {
            held.insert(&record.item);
        }
        if matches!(finish, Finish::Retry { .. } | Finish::Unknown { .. }) {
            round.link_down = true;
            stopped = Some(Finish::Retry {
                error: "the link failed during replay".into(),
                after: settings.retry_after,
            });
        } else {
            round.settled += 1;
        }
        results.push((record, finish));
        if stopped.is_none() && last_recorded.elapsed() >= RECORD_AT_LEAST_EVERY {
            // A slow ILS: what it answered is not left to the end of the batch, where a crash
            // would send all of it back to be reconciled.
            journal.finish_batch(&results)?;
            results.clear();
            in_doubt.clear();
            last_recorded = Instant::now();
        }
    }
    journal.end_batch(batch, &results)?;
    Ok(round)
}

#[cfg(test)]
mod tests;
