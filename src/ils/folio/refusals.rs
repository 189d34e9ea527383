//! FOLIO's refusals (HTTP 422 with mod-circulation's error list) as reasons a reader can act
//! on. FOLIO gives English messages and, in newer releases, codes; both are read, and the
//! message is kept for the reader beside the kiosk's own words.

use super::api::Errors;
use crate::circ::reason::{Reason, Refusal, ils_words};
use crate::circ::types::Block;

/// What was being done: some messages mean different things for a loan and a renewal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doing {
    CheckOut,
    CheckIn,
    Renew,
}

pub fn refusal(status: u16, body: &str, doing: Doing) -> Refusal {
    let errors: Errors = serde_json::from_str(body).unwrap_or_default();
    let message = errors
        .errors
        .iter()
        .map(|e| e.message.trim())
        .filter(|m| !m.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    let codes: Vec<String> = errors
        .errors
        .iter()
        .filter_map(|e| e.code.clone())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let reason = reason_for(&message.to_lowercase(), &codes, doing, status);
    let message = if message.is_empty() { body } else { &message };
    Refusal {
        reason,
        screen_message: ils_words(message),
        title: None,
    }
}

fn reason_for(message: &str, codes: &[String], doing: Doing, status: u16) -> Reason {
    let has = |needle: &str| message.contains(needle);
    let code = |needle: &str| codes.iter().any(|c| c.contains(needle));
    if status == 404
        || has("no item with barcode")
        || has("item with barcode") && has("could not be found")
        || code("ITEM_BARCODE_NOT_FOUND")
        || code("ITEM_NOT_FOUND")
    {
        return Reason::UnknownItem;
    }
    if has("could not find user") || has("no user with barcode") || code("USER_BARCODE_NOT_FOUND") {
        return Reason::UnknownPatron;
    }
    if has("inactive") || code("USER_IS_INACTIVE") || has("expired") {
        return Reason::PatronBlocked {
            block: Block::CardExpired,
        };
    }
    if has("blocked") || code("BLOCK") {
        let block = if doing == Doing::Renew {
            Block::RenewalPrivilegesDenied
        } else {
            Block::ChargePrivilegesDenied
        };
        return Reason::PatronBlocked { block };
    }
    match doing {
        Doing::Renew => {
            if has("maximum number of renewals") || has("renewal limit") || code("RENEWAL_LIMIT") {
                Reason::RenewalLimit
            } else if has("recall") || has("hold") || has("request") {
                Reason::RenewalOnHold
            } else if has("no open loan")
                || has("not checked out")
                || has("loan") && has("not found")
            {
                Reason::NotOnLoanToYou
            } else if has("not loanable")
                || has("cannot be renewed")
                || has("would not change the due date")
            {
                Reason::RenewalLimit
            } else {
                Reason::IlsRefused
            }
        }
        Doing::CheckOut => {
            if has("requested by another patron")
                || has("awaiting pickup")
                || has("hold")
                || code("REQUESTED")
            {
                Reason::OnHoldForAnother
            } else if has("not loanable") || code("ITEM_NOT_LOANABLE") || code("NOT_LOANABLE") {
                Reason::NotForLoan
            } else if has("maximum limit") || has("maximum number of items") || code("ITEM_LIMIT") {
                Reason::TooManyItems
            } else if has("already checked out")
                || has("already has an open loan")
                || code("OPEN_LOAN")
            {
                Reason::OnLoanToAnother
            } else {
                Reason::IlsRefused
            }
        }
        Doing::CheckIn => Reason::SeeStaff,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(message: &str) -> String {
        serde_json::json!({"errors": [{"message": message, "parameters": []}]}).to_string()
    }

    #[test]
    fn each_checkout_refusal_has_its_reason_and_keeps_folio_s_words() {
        let cases = [
            (
                "No item with barcode 1234 could be found",
                Reason::UnknownItem,
            ),
            (
                "Could not find user with matching barcode",
                Reason::UnknownPatron,
            ),
            (
                "The Long Way (Book) (Barcode: 1) cannot be checked out to user Smith because it has been requested by another patron",
                Reason::OnHoldForAnother,
            ),
            ("Item is not loanable", Reason::NotForLoan),
            (
                "Patron has reached maximum limit of 10 items for loan type",
                Reason::TooManyItems,
            ),
            (
                "Cannot check out item that already has an open loan",
                Reason::OnLoanToAnother,
            ),
            (
                "Cannot check out to inactive user",
                Reason::PatronBlocked {
                    block: Block::CardExpired,
                },
            ),
            (
                "Patron blocked from borrowing",
                Reason::PatronBlocked {
                    block: Block::ChargePrivilegesDenied,
                },
            ),
            ("Something new", Reason::IlsRefused),
        ];
        for (message, reason) in cases {
            let refusal = refusal(422, &body(message), Doing::CheckOut);
            assert_eq!(refusal.reason, reason, "{message}");
            assert_eq!(refusal.screen_message.as_deref(), Some(message));
        }
    }

    #[test]
    fn renewal_refusals_have_their_reasons() {
        let cases = [
            ("loan at maximum number of renewals", Reason::RenewalLimit),
            (
                "items cannot be renewed when there is an active recall request",
                Reason::RenewalOnHold,
            ),
            ("No open loan for item 1234", Reason::NotOnLoanToYou),
            (
                "renewal would not change the due date",
                Reason::RenewalLimit,
            ),
            (
                "Patron blocked from renewing",
                Reason::PatronBlocked {
                    block: Block::RenewalPrivilegesDenied,
                },
            ),
        ];
        for (message, reason) in cases {
            assert_eq!(
                refusal(422, &body(message), Doing::Renew).reason,
                reason,
                "{message}"
            );
        }
    }

    #[test]
    fn codes_are_read_and_a_body_that_is_not_a_list_is_kept_as_text() {
        let coded = r#"{"errors":[{"message":"x","code":"ITEM_NOT_LOANABLE"}]}"#;
        assert_eq!(
            refusal(422, coded, Doing::CheckOut).reason,
            Reason::NotForLoan
        );
        let plain = refusal(422, "Item is not loanable, sorry", Doing::CheckOut);
        assert_eq!(plain.reason, Reason::IlsRefused);
        assert_eq!(
            plain.screen_message.as_deref(),
            Some("Item is not loanable, sorry")
        );
    }
}
