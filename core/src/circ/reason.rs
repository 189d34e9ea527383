//! Why something did not happen, in terms a reader can act on.
//!
//! Each reason is a stable code: the touchscreen translates it (`@tr`, zh-CN and English), the
//! headless driver prints it, and [`Reason::explain`] gives the English text for logs and scripts.

use super::types::Block;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "code")]
pub enum Reason {
    // --- identifying the reader
    /// The ILS does not know this card.
    UnknownPatron,
    WrongPin {
        tries_left: u32,
    },
    /// Too many wrong PINs: this card is locked at this kiosk for a while.
    CardLocked {
        minutes_left: u32,
    },
    /// The patron may not borrow; they can still return and look at their account.
    PatronBlocked {
        block: Block,
    },
    /// An item barcode where a library card was expected.
    ItemNotCard,
    /// A library card where an item was expected.
    CardNotItem,
    /// Another patron's card during this patron's session.
    OtherPatronCard,
    /// The barcode has the right shape but a wrong check digit: most likely a misread.
    Misread,
    /// The scanner sent something that is not a barcode.
    BadBarcode {
        detail: String,
    },
    /// Returns need a library card at this kiosk.
    ReturnsNeedCard,
    /// This kiosk takes no returns (its library system cannot take them from here).
    ReturnsNotHere,

    // --- an item
    UnknownItem,
    OnHoldForAnother,
    NotForLoan,
    OnLoanToAnother,
    /// The patron already has this item; renewing is the way to keep it longer.
    AlreadyOnLoanToYou,
    /// The ILS's own limit on items charged.
    TooManyItems,
    /// This kiosk's limit on items per session.
    SessionLimit {
        limit: u32,
    },
    RenewalLimit,
    /// Someone else has reserved it, so it cannot be renewed.
    RenewalOnHold,
    /// The item is not on loan to this patron, so there is nothing to renew.
    NotOnLoanToYou,
    /// Returned an item that was not on loan.
    NotOnLoan,
    /// An item that must be handled by staff (e.g. the ILS raised an alert).
    SeeStaff,

    // --- the RFID pad
    /// Part of a multi-part item (a book with its CD) is not on the pad.
    MissingParts {
        parts: u8,
        present: u8,
    },
    /// The tags of one item disagree about its parts: a tagging mistake for staff.
    PartsMismatch,
    /// A tag on the pad cannot be read.
    UnreadableTag,
    /// The item's security could not be set after the loan, so the loan was cancelled.
    SecurityFailed,

    // --- the link
    /// The ILS could not be reached or did not answer in time.
    IlsUnavailable,
    /// The ILS refused without a reason we recognise; its own message is shown.
    IlsRefused,
    /// The ILS could not e-mail the receipt.
    EmailFailed,
    /// The printer failed while printing the receipt (the transactions stand).
    ReceiptNotPrinted,

    // --- working offline
    /// Renewals need the library system.
    RenewOffline,
    /// The account (loans, holds, fines) needs the library system.
    AccountOffline,
    /// At most this many items per visit while offline.
    OfflineLimit {
        limit: u32,
    },
    /// The item's tag says it may not be lent while the kiosk is offline.
    NotForOfflineIssue,
    /// The item's tag says it may not be taken back while the kiosk is offline.
    NotForOfflineReturn,
    /// Offline, this kiosk only takes returns.
    OfflineReturnsOnly,
    /// Offline, only cards that match the library's card rules are accepted.
    OfflineCardNotValid,
    /// The machine cannot serve until a technician has looked (the code names the part).
    OutOfService {
        fault: String,
    },
}

impl Reason {
    /// English explanation with what to do next, for logs, the headless driver and staff.
    pub fn explain(&self) -> String {
        match self {
            Reason::UnknownPatron => "This card is not recognised. Please ask staff.".into(),
            Reason::WrongPin { tries_left } => {
                format!("Wrong PIN. {tries_left} tries left before this card is locked.")
            }
            Reason::CardLocked { minutes_left } => format!(
                "Too many wrong PINs: this card is locked here for {minutes_left} more minutes. Please ask staff."
            ),
            Reason::PatronBlocked { block } => format!(
                "You cannot borrow at the moment ({}). You can still return books. Please ask staff.",
                block_text(*block)
            ),
            Reason::ItemNotCard => {
                "That is a book's barcode. Please scan your library card first.".into()
            }
            Reason::CardNotItem => "That is a library card. Please place or scan the books.".into(),
            Reason::OtherPatronCard => {
                "Another library card. Please finish this session first.".into()
            }
            Reason::Misread => "The barcode was not read correctly. Please scan it again.".into(),
            Reason::BadBarcode { detail } => {
                format!("That barcode cannot be used ({detail}). Please ask staff.")
            }
            Reason::ReturnsNeedCard => "Please scan your library card to return books.".into(),
            Reason::ReturnsNotHere => {
                "This machine does not take returns. Please return books at the staff desk.".into()
            }
            Reason::UnknownItem => {
                "This item is not in the catalogue. Please hand it to staff.".into()
            }
            Reason::OnHoldForAnother => {
                "This item is reserved for another reader. Please leave it with staff.".into()
            }
            Reason::NotForLoan => {
                "This item cannot be borrowed. Please use it in the library.".into()
            }
            Reason::OnLoanToAnother => {
                "This item is on loan to another reader. Please hand it to staff.".into()
            }
            Reason::AlreadyOnLoanToYou => {
                "You already have this item. Choose Renew to keep it longer.".into()
            }
            Reason::TooManyItems => {
                "You have reached your loan limit. Return some items first.".into()
            }
            Reason::SessionLimit { limit } => format!(
                "At most {limit} items per visit at this machine. Please finish and start again."
            ),
            Reason::RenewalLimit => {
                "This item cannot be renewed again. Please return it by its due date.".into()
            }
            Reason::RenewalOnHold => {
                "Another reader has reserved this item, so it cannot be renewed.".into()
            }
            Reason::NotOnLoanToYou => "This item is not on loan to you.".into(),
            Reason::NotOnLoan => "This item was not on loan. Please hand it to staff.".into(),
            Reason::SeeStaff => "Please take this item to the staff desk.".into(),
            Reason::MissingParts { parts, present } => format!(
                "Part of this item is missing ({present} of {parts} parts on the pad). Please place all parts together."
            ),
            Reason::PartsMismatch => {
                "The parts of this item are labelled inconsistently. Please hand it to staff.".into()
            }
            Reason::UnreadableTag => {
                "The tag of one item cannot be read. Please hand that item to staff.".into()
            }
            Reason::SecurityFailed => {
                "This item could not be released for loan, so it was not lent. Please take it to the staff desk.".into()
            }
            Reason::IlsUnavailable => {
                "The library system is not answering. Please try again or ask staff.".into()
            }
            Reason::IlsRefused => "The library system refused this. Please ask staff.".into(),
            Reason::EmailFailed => {
                "The receipt could not be e-mailed. Choose print or no receipt.".into()
            }
            Reason::ReceiptNotPrinted => {
                "The receipt could not be printed. Your loans and returns are recorded; staff can print a list.".into()
            }
            Reason::RenewOffline => {
                "Renewing needs the library system, which is not available now. Please try later.".into()
            }
            Reason::AccountOffline => {
                "Your account cannot be shown while the library system is not available.".into()
            }
            Reason::OfflineLimit { limit } => format!(
                "While the library system is unavailable, at most {limit} items per visit."
            ),
            Reason::NotForOfflineIssue => {
                "This item cannot be borrowed while the library system is unavailable.".into()
            }
            Reason::NotForOfflineReturn => {
                "This item cannot be returned here while the library system is unavailable. Please hand it to staff.".into()
            }
            Reason::OfflineReturnsOnly => {
                "The library system is not available: this machine takes returns only.".into()
            }
            Reason::OfflineCardNotValid => {
                "This card cannot be checked while the library system is unavailable. Please ask staff.".into()
            }
            Reason::OutOfService { fault } => {
                format!("This machine is out of service (code {fault}). Please ask staff.")
            }
        }
    }
}

fn block_text(block: Block) -> &'static str {
    match block {
        Block::ChargePrivilegesDenied => "borrowing is suspended on your card",
        Block::RenewalPrivilegesDenied => "renewals are suspended on your card",
        Block::RecallPrivilegesDenied => "recalls are suspended on your card",
        Block::HoldPrivilegesDenied => "holds are suspended on your card",
        Block::CardReportedLost => "this card was reported lost",
        Block::TooManyItemsCharged => "you have reached your loan limit",
        Block::TooManyItemsOverdue => "you have overdue items",
        Block::TooManyRenewals => "too many renewals",
        Block::TooManyClaimsOfItemsReturned => "too many claims of items returned",
        Block::TooManyItemsLost => "too many lost items",
        Block::ExcessiveOutstandingFines => "unpaid fines",
        Block::ExcessiveOutstandingFees => "unpaid fees",
        Block::RecallOverdue => "a recalled item is overdue",
        Block::TooManyItemsBilled => "too many billed items",
        Block::CardExpired => "your card has expired",
    }
}

/// A refusal from the ILS: the reason, and the ILS's own words for the reader when it gave any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    #[serde(flatten)]
    pub reason: Reason,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen_message: Option<String>,
    /// The item's title, when the ILS named it (so a refused book is recognisable on screen).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

impl Refusal {
    pub fn new(reason: Reason) -> Self {
        Refusal {
            reason,
            screen_message: None,
            title: None,
        }
    }

    pub fn with_message(reason: Reason, message: impl Into<String>) -> Self {
        Refusal {
            screen_message: Some(message.into()),
            ..Refusal::new(reason)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_serialize_as_stable_codes() {
        let json = serde_json::to_value(Reason::WrongPin { tries_left: 2 }).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "wrong_pin", "tries_left": 2})
        );
        let refusal = Refusal::with_message(Reason::OnHoldForAnother, "Reserved");
        let json = serde_json::to_value(&refusal).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "on_hold_for_another", "screen_message": "Reserved"})
        );
    }

    #[test]
    fn explanations_say_what_to_do() {
        assert!(
            Reason::WrongPin { tries_left: 1 }
                .explain()
                .contains("1 tries left")
        );
        assert!(
            Reason::PatronBlocked {
                block: Block::CardExpired
            }
            .explain()
            .contains("expired")
        );
    }
}
