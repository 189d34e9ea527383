//! Settling a transaction whose outcome is unknown — sent, but no answer came (a timeout, a
//! dropped connection) — by asking the ILS what it now knows, never by sending it again
//! blindly: a checkout sent twice is a renewal, a return sent twice can undo a loan in between.
//! The same questions serve an online attempt (settled at once, while the reader waits) and a
//! queued one (settled by the replay before it is sent again).

use super::Action;
use super::journal::Journal;
use crate::circ::types::{
    Due, ItemCirculation, ItemId, ItemInfo, Loan, PatronId, Return, ReturnRoute,
};
use crate::ils::{Ils, IlsError};
use chrono::NaiveDateTime;

/// Sends of one transaction the ILS answered neither way (it confirmed each time that nothing
/// happened) before the kiosk stops trying: the ILS will not take it as sent.
pub const MAX_UNANSWERED_SENDS: i64 = 3;

/// What the ILS says about a transaction whose outcome was in doubt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// It took effect: do not send it again.
    Applied,
    /// It did not take effect.
    NotApplied,
    /// The ILS's answer does not settle it.
    Unsure(String),
}

/// For a checkout: whether the item is among the patron's loans.
pub fn checkout_verdict(charged: &[ItemId], item: &ItemId) -> Verdict {
    if charged.contains(item) {
        Verdict::Applied
    } else {
        Verdict::NotApplied
    }
}

/// For a return: whether the item is still on loan.
pub fn checkin_verdict(status: ItemCirculation) -> Verdict {
    match status {
        ItemCirculation::OnLoan => Verdict::NotApplied,
        ItemCirculation::Available | ItemCirculation::OnHoldShelf => Verdict::Applied,
        other => Verdict::Unsure(format!("the item's status is {other:?}")),
    }
}

/// For a renewal: whether the due date moved on from what it was before the renewal was sent.
pub fn renew_verdict(before: Option<NaiveDateTime>, after: Option<NaiveDateTime>) -> Verdict {
    match (before, after) {
        (Some(before), Some(after)) if after > before => Verdict::Applied,
        (Some(before), Some(after)) if after == before => Verdict::NotApplied,
        (Some(_), Some(_)) => Verdict::Unsure("the due date moved back".into()),
        _ => Verdict::Unsure("the ILS does not say when the loan is due".into()),
    }
}

/// Asks the ILS whether a queued transaction took effect. A renewal's cannot be read back
/// without its due date from before, which a queued one does not have.
pub fn reconcile(
    ils: &mut dyn Ils,
    kind: Action,
    patron: Option<&PatronId>,
    item: &ItemId,
) -> Result<Verdict, IlsError> {
    Ok(match kind {
        Action::Borrow => match patron {
            Some(patron) => checkout_verdict(&ils.charged_items(patron)?, item),
            None => Verdict::Unsure("no patron id on the transaction".into()),
        },
        Action::Return => match ils.item_info(item)? {
            Ok(info) => checkin_verdict(info.status),
            Err(refusal) => Verdict::Unsure(refusal.reason.explain()),
        },
        Action::Renew => Verdict::Unsure("a renewal's outcome cannot be read back".into()),
    })
}

/// The item's due date now, if it is on loan and the ILS says (taken before a renewal, so an
/// unanswered one can be settled).
pub fn due_now(ils: &mut dyn Ils, item: &ItemId) -> Option<NaiveDateTime> {
    match ils.item_info(item) {
        Ok(Ok(info)) => info.due.and_then(|due| due.at),
        _ => None,
    }
}

/// An online attempt's outcome, as the ILS tells it.
#[derive(Debug)]
pub enum Settled {
    /// It took effect: the reader is told so, with what the ILS says about the item now.
    Applied(Answered),
    NotApplied,
    Unsure(String),
}

/// What an attempt found to have taken effect looks like to the reader.
#[derive(Debug)]
pub enum Answered {
    Loan(Loan),
    Return(Return),
}

/// Settles an online attempt at once: the ILS answers questions (the link is up, the request
/// itself went unanswered), or the error says it does not.
pub fn settle_online(
    ils: &mut dyn Ils,
    kind: Action,
    patron: Option<&PatronId>,
    item: &ItemId,
    due_before: Option<NaiveDateTime>,
) -> Result<Settled, IlsError> {
    let info =
        |ils: &mut dyn Ils| -> Result<Option<ItemInfo>, IlsError> { Ok(ils.item_info(item)?.ok()) };
    let verdict;
    let now;
    match kind {
        Action::Borrow | Action::Return => {
            verdict = reconcile(ils, kind, patron, item)?;
            now = if verdict == Verdict::Applied {
                info(ils)?
            } else {
                None
            };
        }
        Action::Renew => {
            now = info(ils)?;
            let after = now.as_ref().and_then(|i| i.due.as_ref()).and_then(|d| d.at);
            verdict = renew_verdict(due_before, after);
        }
    }
    Ok(match verdict {
        Verdict::NotApplied => Settled::NotApplied,
        Verdict::Unsure(why) => Settled::Unsure(why),
        Verdict::Applied => {
            let title = now
                .as_ref()
                .map_or_else(|| item.0.clone(), |i| i.title.clone());
            Settled::Applied(match kind {
                Action::Borrow | Action::Renew => Answered::Loan(Loan {
                    item: item.clone(),
                    title,
                    due: now.and_then(|i| i.due).unwrap_or(Due {
                        text: String::new(),
                        at: None,
                    }),
                    screen_message: None,
                    print_lines: Vec::new(),
                }),
                Action::Return => Answered::Return(Return {
                    item: item.clone(),
                    title,
                    // Whether someone waits for it is not known here: staff sort it.
                    route: match now.map(|i| i.status) {
                        Some(ItemCirculation::OnHoldShelf) => ReturnRoute::HoldShelf,
                        _ => ReturnRoute::ReturnBin,
                    },
                    screen_message: None,
                }),
            })
        }
    })
}

/// The journal's note of the last transaction the ILS would not take as sent, which `kiosk diag
/// --device ils` and `kiosk queue status` show (the log has it too).
pub const REJECTED_NOTE: &str = "ils_rejected";

/// Notes that the ILS will not take a transaction of this kind as sent, and why.
pub fn note_rejected(journal: &mut Journal, kind: Action, note: &str) {
    tracing::error!(kind = super::kind_str(kind), %note, "the ILS will not take this request");
    let value = serde_json::json!({
        "request": super::kind_str(kind),
        "note": note,
        "at": chrono::Utc::now().to_rfc3339(),
    });
    if let Err(error) = journal.set_meta(REJECTED_NOTE, &value.to_string()) {
        tracing::warn!(%error, "cannot note the rejected request in the journal");
    }
}

/// How the journal words the question that settled a transaction.
pub fn asked(kind: Action) -> &'static str {
    match kind {
        Action::Borrow => "the reader's loans",
        Action::Return | Action::Renew => "the item's status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(day: u32) -> Option<NaiveDateTime> {
        NaiveDate::from_ymd_opt(2026, 12, day).and_then(|d| d.and_hms_opt(23, 59, 0))
    }

    #[test]
    fn verdicts_follow_what_the_ils_says() {
        let item = ItemId("3023".into());
        assert_eq!(
            checkout_verdict(std::slice::from_ref(&item), &item),
            Verdict::Applied
        );
        assert_eq!(checkout_verdict(&[], &item), Verdict::NotApplied);
        assert_eq!(
            checkin_verdict(ItemCirculation::OnLoan),
            Verdict::NotApplied
        );
        assert_eq!(
            checkin_verdict(ItemCirculation::OnHoldShelf),
            Verdict::Applied
        );
        assert!(matches!(
            checkin_verdict(ItemCirculation::Other),
            Verdict::Unsure(_)
        ));
    }

    #[test]
    fn a_renewal_took_effect_when_the_due_date_moved_on() {
        assert_eq!(renew_verdict(at(10), at(24)), Verdict::Applied);
        assert_eq!(renew_verdict(at(10), at(10)), Verdict::NotApplied);
        assert!(matches!(renew_verdict(at(10), at(3)), Verdict::Unsure(_)));
        assert!(matches!(renew_verdict(None, at(24)), Verdict::Unsure(_)));
        assert!(matches!(renew_verdict(at(10), None), Verdict::Unsure(_)));
    }
}
