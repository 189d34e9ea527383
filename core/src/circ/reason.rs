//! Why something did not happen, in terms a reader can act on.
//!
//! Each reason is a stable code with the numbers and words its message needs; the messages
//! themselves, in one catalogue for every front-end, are in [`super::messages`].

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
    /// A QR code meant as an e-card that cannot be read as one (another QR code, a broken one).
    EcardUnreadable,
    /// An e-card QR code whose signature is not the library's (or valid for far too long).
    EcardForged,
    /// An e-card QR code past its expiry: the app shows a fresh one.
    EcardExpired,
    /// An e-card QR code already used to sign in (a screenshot, a shared code).
    EcardUsed,
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
    /// The library system is up but takes no loans from this kiosk just now (SIP2: its status
    /// says checkout not allowed).
    CheckoutsClosed,
    /// The library system is up but takes no returns from this kiosk just now.
    CheckinsClosed,
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
    // --- suggestions
    /// Scanned or typed for a purchase suggestion, but not a book's ISBN.
    NotAnIsbn,
    /// An ISBN whose check digit is wrong: a misread, or a slip of the finger.
    IsbnMisread,

    /// The machine cannot serve until a technician has looked (the code names the part).
    OutOfService {
        fault: String,
    },
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

/// The most of the ILS's own words a reader is shown (a SIP2 screen message field holds 255).
pub const ILS_WORDS_MAX: usize = 240;

/// The ILS's own words as the reader is shown them: control characters (a stray CR, a tab, an
/// escape) become spaces, runs of white space one space, and at most [`ILS_WORDS_MAX`]
/// characters are kept (the last an ellipsis). None when nothing is left: a misbehaving ILS
/// cannot fill the screen, the receipt or the journal with a megabyte of error text.
pub fn ils_words(raw: &str) -> Option<String> {
    let words: Vec<&str> = raw
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect();
    let text = words.join(" ");
    if text.is_empty() {
        return None;
    }
    if text.chars().count() <= ILS_WORDS_MAX {
        return Some(text);
    }
    let mut kept: String = text.chars().take(ILS_WORDS_MAX - 1).collect();
    kept.truncate(kept.trim_end().len());
    kept.push('…');
    Some(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ils_words_are_one_line_of_bounded_length() {
        assert_eq!(
            ils_words("  Item\ris on hold\t for\u{1b}[31m another\n reader "),
            Some("Item is on hold for [31m another reader".to_owned())
        );
        assert_eq!(ils_words(" \r\n\t"), None);
        let long = "汉字 ".repeat(200);
        let kept = ils_words(&long).unwrap();
        assert_eq!(kept.chars().count(), ILS_WORDS_MAX);
        assert!(kept.ends_with("字…"), "{kept}");
    }

    proptest::proptest! {
        #[test]
        fn the_ils_words_never_carry_a_control_character_or_run_long(raw in ".*") {
            if let Some(words) = ils_words(&raw) {
                proptest::prop_assert!(words.chars().count() <= ILS_WORDS_MAX);
                proptest::prop_assert!(!words.chars().any(char::is_control));
                proptest::prop_assert!(!words.starts_with(' ') && !words.contains("  "));
            }
        }
    }

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
}
