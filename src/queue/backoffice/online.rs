//! A transaction with the ILS answering: journaled before it is sent and after it returns; one
//! the ILS did not answer is settled at once by asking it, while the reader waits.

use super::*;
use crate::queue::settle::{self, Answered, Settled};

/// Sends of one online transaction the ILS left unanswered, confirming each time that nothing
/// happened, before the reader is told it cannot be done here.
const ONLINE_SENDS: u32 = 2;

/// What one attempt came to, for the session and for the journal.
type Outcome = (Result<(Option<String>, IlsAnswer), IlsError>, Finish);

impl BackOffice {
    /// Earlier queued transactions for the same item go first, so each item's stay in order.
    /// A send the ILS did not answer (a timeout, a dropped connection) is never repeated
    /// blindly: the ILS is asked whether it took effect (the reader's loans, the item's status
    /// or due date), and the reader is told what it says. Only when it confirms nothing
    /// happened is the request sent again, once; a second silence means the ILS will not take
    /// it — the reader is told, staff can read why, and the kiosk stays online.
    pub(super) fn online_transaction(
        &mut self,
        kind: Action,
        patron: Option<&PatronId>,
        item: &ItemId,
        tag: Option<&TagUid>,
        mut call: impl FnMut(&mut dyn Ils) -> Result<(Option<String>, IlsAnswer), IlsError>,
    ) -> IlsReply {
        self.flush_item(item)?;
        let seq = self
            .journal
            .begin_online(&NewTransaction {
                patron,
                tag,
                ..NewTransaction::new(kind, item, Stamp::now())
            })
            .map_err(storage)?;
        // A renewal's effect is read back from the due date: the one before is needed.
        let due_before = (kind == Action::Renew)
            .then(|| settle::due_now(self.ils.as_mut(), item))
            .flatten();
        let mut sends = 0;
        let (result, finish) = loop {
            sends += 1;
            let result = call(self.ils.as_mut());
            // No answer, or one that cannot be read: either way the ILS may have done it.
            let why = match &result {
                Err(IlsError::OutcomeUnknown(why)) => why.clone(),
                Err(error @ IlsError::BadReply(_)) => error.to_string(),
                _ => break finished(result),
            };
            tracing::warn!(kind = super::super::kind_str(kind), %item, %why, "no answer from the ILS; asking it what happened");
            match settle::settle_online(self.ils.as_mut(), kind, patron, item, due_before) {
                Ok(Settled::Applied(answered)) => {
                    tracing::info!(%item, "the ILS had carried it out");
                    break applied(kind, answered, &why);
                }
                Ok(Settled::NotApplied) if sends < ONLINE_SENDS => {
                    tracing::warn!(%item, "the ILS confirms it did not happen; sending it once more");
                }
                Ok(Settled::NotApplied) => break self.not_taken(kind, sends, &why),
                Ok(Settled::Unsure(unsure)) => {
                    tracing::warn!(%item, %unsure, "the ILS's answer does not settle it");
                    break (
                        result,
                        Finish::Unknown {
                            error: format!("{why}; asked, the ILS could not settle it: {unsure}"),
                        },
                    );
                }
                // The questions went unanswered too: the link is down. The queue settles it.
                Err(error) => break (Err(error), Finish::Unknown { error: why }),
            }
        };
        self.note_link(&result);
        self.journal.finish(seq, finish).map_err(storage)?;
        result.map(|(_, answer)| answer)
    }

    /// The ILS answers questions but never this request, and confirms it did not happen.
    fn not_taken(&mut self, kind: Action, sends: u32, why: &str) -> Outcome {
        let hint = self.ils.rejection_hint(kind);
        let note = replay::unanswered_note(i64::from(sends), hint.as_deref());
        tracing::warn!(%why, "the last send went unanswered too");
        settle::note_rejected(&mut self.journal, kind, &note);
        let refusal = Refusal::new(crate::circ::reason::Reason::SeeStaff);
        let answer = match kind {
            Action::Borrow => IlsAnswer::Checkout(Err(refusal)),
            Action::Return => IlsAnswer::Checkin(Err(refusal)),
            Action::Renew => IlsAnswer::Renew(Err(refusal)),
        };
        let finish = Finish::Declined {
            reply: Some(note),
            reason: Some(crate::circ::reason::Reason::SeeStaff.code()),
        };
        (Ok((None, answer)), finish)
    }
}

/// The ILS answered: done, or refused with its words.
fn finished(result: Result<(Option<String>, IlsAnswer), IlsError>) -> Outcome {
    let finish = match &result {
        Ok((due, answer)) => match refusal_of(answer) {
            None => Finish::Done {
                due: due.clone(),
                reply: None,
            },
            Some(refusal) => Finish::Declined {
                reason: Some(refusal.reason.code()),
                reply: Some(
                    refusal
                        .screen_message
                        .clone()
                        .unwrap_or_else(|| refusal.reason.explain()),
                ),
            },
        },
        Err(error @ (IlsError::OutcomeUnknown(_) | IlsError::BadReply(_))) => Finish::Unknown {
            error: error.to_string(),
        },
        Err(error) => Finish::Void {
            note: error.to_string(),
        },
    };
    (result, finish)
}

/// No answer came, but the ILS shows it took effect: the reader is told so, and the journal
/// says how it was learned.
fn applied(kind: Action, answered: Answered, why: &str) -> Outcome {
    let reply = Some(format!(
        "no answer came ({why}); asked about {}, the ILS showed it had taken effect",
        settle::asked(kind)
    ));
    let (due, answer) = match (kind, answered) {
        (Action::Borrow, Answered::Loan(loan)) => {
            (Some(loan.due.text.clone()), IlsAnswer::Checkout(Ok(loan)))
        }
        (Action::Renew, Answered::Loan(loan)) => {
            (Some(loan.due.text.clone()), IlsAnswer::Renew(Ok(loan)))
        }
        (_, Answered::Return(back)) => (None, IlsAnswer::Checkin(Ok(back))),
        (_, Answered::Loan(loan)) => (None, IlsAnswer::Checkout(Ok(loan))),
    };
    let due_text = due.clone().filter(|d| !d.is_empty());
    (
        Ok((due, answer)),
        Finish::Done {
            due: due_text,
            reply,
        },
    )
}
