//! Koha's refusals as reasons a reader can act on: the keys of `CanBookBeIssued` (blockers and
//! confirmations of `/checkouts/availability`) and the codes of `CanBookBeRenewed` (in
//! "Renewal not authorized (code)").

use super::api;
use crate::circ::reason::{Reason, Refusal, ils_words};
use crate::circ::types::Block;

/// Confirmations a kiosk may accept on its own: none of them changes who holds the book.
/// The others (held for someone else, on loan to someone else, already on loan to this
/// reader — which Koha would turn into a renewal) need a person.
pub const SELF_CONFIRMABLE: &[&str] = &[
    "DEBT",
    "ADDITIONAL_MATERIALS",
    "HIGHHOLDS",
    "BIBLIO_ALREADY_ISSUED",
    "PREVISSUE",
];

/// The reason for a `CanBookBeIssued` key.
pub fn issue_reason(key: &str) -> Reason {
    let blocked = |block| Reason::PatronBlocked { block };
    match key {
        "UNKNOWN_BARCODE" | "ITEM_NOT_FOUND" => Reason::UnknownItem,
        "PATRON_NOT_FOUND" => Reason::UnknownPatron,
        "EXPIRED" => blocked(Block::CardExpired),
        "GNA" | "CARD_LOST" => blocked(Block::CardReportedLost),
        "DEBT" | "DEBT_GUARANTEES" | "DEBT_GUARANTORS" => blocked(Block::ExcessiveOutstandingFines),
        "DEBARRED"
        | "RESTRICTED"
        | "USERBLOCKEDOVERDUE"
        | "USERBLOCKEDNOENDDATE"
        | "USERBLOCKEDWITHENDDATE"
        | "USERBLOCKEDREMOTE"
        | "PATRON_CANT" => blocked(Block::ChargePrivilegesDenied),
        "TOO_MANY" => Reason::TooManyItems,
        "NOT_FOR_LOAN"
        | "NOT_FOR_LOAN_FORCING"
        | "ITEM_LOST"
        | "WTHDRAWN"
        | "WITHDRAWN"
        | "AGE_RESTRICTION"
        | "NO_RENEWAL_FOR_ONSITE_CHECKOUTS"
        | "ITEMNOTSAMEBRANCH"
        | "NOTSAMEBRANCH" => Reason::NotForLoan,
        "RESERVED" | "RESERVE_WAITING" | "RESERVED_WAITING" | "TRANSFERRED" | "PROCESSING"
        | "RECALLED" | "BOOKED_TO_ANOTHER" => Reason::OnHoldForAnother,
        "ISSUED_TO_ANOTHER" => Reason::OnLoanToAnother,
        "RENEW_ISSUE" => Reason::AlreadyOnLoanToYou,
        _ => Reason::IlsRefused,
    }
}

/// The refusal for an availability answer, or `None` when the checkout may go ahead (with the
/// confirmations the library lets the kiosk accept).
pub fn availability_refusal(answer: &api::Availability, confirmable: &[String]) -> Option<Refusal> {
    let blocker = answer.blockers.keys().next();
    let unconfirmable = answer
        .confirms
        .keys()
        .find(|k| !confirmable.iter().any(|c| c == *k));
    let key = blocker.or(unconfirmable)?;
    Some(Refusal {
        reason: issue_reason(key),
        screen_message: ils_words(&format!("Koha: {key}")),
        title: None,
    })
}

/// A refused checkout (`POST /checkouts`): 403 names its blockers in the message, 409 says
/// which record is missing, 412 needs a confirmation the kiosk did not give.
pub fn checkout_refusal(status: u16, body: &str) -> Refusal {
    let error: api::Error = serde_json::from_str(body).unwrap_or_default();
    let reason = match (status, error.error_code.as_deref()) {
        (409, Some("PATRON_NOT_FOUND")) => Reason::UnknownPatron,
        (409, _) => Reason::UnknownItem,
        (403, _) => keys_in(&error.error)
            .first()
            .map_or(Reason::IlsRefused, |k| issue_reason(k)),
        _ => Reason::IlsRefused,
    };
    refusal(reason, &error, body)
}

/// A refused renewal: "Renewal not authorized (too_many)".
pub fn renewal_refusal(status: u16, body: &str) -> Refusal {
    let error: api::Error = serde_json::from_str(body).unwrap_or_default();
    let code = keys_in(&error.error).first().cloned().unwrap_or_default();
    let reason = match (status, code.as_str()) {
        (404, _) => Reason::NotOnLoanToYou,
        (
            _,
            "too_many"
            | "too_unseen"
            | "item_denied_renewal"
            | "onsite_checkout"
            | "auto_renew"
            | "auto_too_late"
            | "too_soon"
            | "auto_too_soon",
        ) => Reason::RenewalLimit,
        (_, "on_reserve" | "recalled" | "item_issued_to_other_patron") => Reason::RenewalOnHold,
        (
            _,
            "restriction"
            | "overdue"
            | "norenew_overdue"
            | "auto_account_expired"
            | "auto_too_much_oweing",
        ) => Reason::PatronBlocked {
            block: Block::RenewalPrivilegesDenied,
        },
        (_, "no_checkout") => Reason::NotOnLoanToYou,
        _ => Reason::IlsRefused,
    };
    refusal(reason, &error, body)
}

fn refusal(reason: Reason, error: &api::Error, body: &str) -> Refusal {
    let message = if error.error.is_empty() {
        body
    } else {
        &error.error
    };
    Refusal {
        reason,
        screen_message: ils_words(message),
        title: None,
    }
}

/// The words in the parentheses of "Checkout not authorized (A B)".
fn keys_in(message: &str) -> Vec<String> {
    message
        .split_once('(')
        .and_then(|(_, rest)| rest.rsplit_once(')'))
        .map(|(inside, _)| inside.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_issue_key_has_a_reason() {
        let cases = [
            ("UNKNOWN_BARCODE", Reason::UnknownItem),
            (
                "EXPIRED",
                Reason::PatronBlocked {
                    block: Block::CardExpired,
                },
            ),
            (
                "GNA",
                Reason::PatronBlocked {
                    block: Block::CardReportedLost,
                },
            ),
            (
                "DEBT",
                Reason::PatronBlocked {
                    block: Block::ExcessiveOutstandingFines,
                },
            ),
            (
                "DEBARRED",
                Reason::PatronBlocked {
                    block: Block::ChargePrivilegesDenied,
                },
            ),
            ("TOO_MANY", Reason::TooManyItems),
            ("NOT_FOR_LOAN", Reason::NotForLoan),
            ("WTHDRAWN", Reason::NotForLoan),
            ("RESERVED", Reason::OnHoldForAnother),
            ("RESERVE_WAITING", Reason::OnHoldForAnother),
            ("ISSUED_TO_ANOTHER", Reason::OnLoanToAnother),
            ("RENEW_ISSUE", Reason::AlreadyOnLoanToYou),
            ("SOMETHING_NEW", Reason::IlsRefused),
        ];
        for (key, reason) in cases {
            assert_eq!(issue_reason(key), reason, "{key}");
        }
    }

    #[test]
    fn a_confirmation_the_library_allows_lets_the_loan_go_ahead_and_others_do_not() {
        let answer: api::Availability = serde_json::from_value(json!({
            "blockers": {}, "confirms": {"DEBT": 2.5}, "warnings": {}, "confirmation_token": "t"
        }))
        .unwrap();
        assert_eq!(availability_refusal(&answer, &["DEBT".into()]), None);
        let refused = availability_refusal(&answer, &[]).unwrap();
        assert_eq!(
            refused.reason,
            Reason::PatronBlocked {
                block: Block::ExcessiveOutstandingFines
            }
        );
        let renewal: api::Availability = serde_json::from_value(json!({
            "blockers": {}, "confirms": {"RENEW_ISSUE": 1}, "confirmation_token": "t"
        }))
        .unwrap();
        let refused = availability_refusal(&renewal, &["DEBT".into()]).unwrap();
        assert_eq!(
            refused.reason,
            Reason::AlreadyOnLoanToYou,
            "never a silent renewal"
        );
    }

    #[test]
    fn refused_checkouts_and_renewals_read_the_code_in_koha_s_message() {
        let body = json!({"error": "Checkout not authorized (TOO_MANY)"}).to_string();
        assert_eq!(checkout_refusal(403, &body).reason, Reason::TooManyItems);
        let body =
            json!({"error": "Patron not found", "error_code": "PATRON_NOT_FOUND"}).to_string();
        assert_eq!(checkout_refusal(409, &body).reason, Reason::UnknownPatron);
        let cases = [
            ("too_many", Reason::RenewalLimit),
            ("on_reserve", Reason::RenewalOnHold),
            (
                "restriction",
                Reason::PatronBlocked {
                    block: Block::RenewalPrivilegesDenied,
                },
            ),
            ("mystery", Reason::IlsRefused),
        ];
        for (code, reason) in cases {
            let body = json!({"error": format!("Renewal not authorized ({code})")}).to_string();
            let refusal = renewal_refusal(403, &body);
            assert_eq!(refusal.reason, reason, "{code}");
            assert!(refusal.screen_message.unwrap().contains(code));
        }
        assert_eq!(
            renewal_refusal(404, "{\"error\":\"Checkout doesn't exist\"}").reason,
            Reason::NotOnLoanToYou
        );
    }
}
