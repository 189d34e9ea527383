//! What readers are told: one message per code, in English, with the places its numbers and
//! words go. This is the one catalogue every front-end uses — the touchscreen's `Strings` global
//! is generated from it when the kiosk is built (and translated there by `@tr` and the `.po`
//! files), and the text front-ends (headless output, transcript, journal notes, logs) render the
//! same entries through the same translations.
//!
//! A message's `{}` places are filled, in order, from its [`Slot`]s, which name the fields of a
//! [`Notice`] — the numbers and words the session machine hands the screen with a code.

use super::reason::Reason;
use super::types::{Block, ReturnRoute};

/// What fills a message's next `{}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// The number the notice names (tries left, minutes, a limit, the parts of a set).
    Number,
    /// The parts of a set that are present.
    Present,
    /// The notice's text as it is (a branch's name).
    Detail,
    /// The notice's text is a block's code: its message.
    Block,
}

/// One message: the code it answers to, its English text, what fills its places.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message {
    pub code: &'static str,
    pub text: &'static str,
    pub slots: &'static [Slot],
}

const fn m(code: &'static str, text: &'static str, slots: &'static [Slot]) -> Message {
    Message { code, text, slots }
}

/// Why something did not happen, by [`Reason`] code.
pub const REASONS: &[Message] = &[
    m(
        "unknown_patron",
        "This card is not recognised. Please ask staff.",
        &[],
    ),
    m(
        "wrong_pin",
        "Wrong PIN. {} tries left before this card is locked.",
        &[Slot::Number],
    ),
    m(
        "card_locked",
        "Too many wrong PINs: this card is locked here for {} more minutes. Please ask staff.",
        &[Slot::Number],
    ),
    m(
        "patron_blocked",
        "You cannot borrow at the moment ({}). You can still return books. Please ask staff.",
        &[Slot::Block],
    ),
    m(
        "item_not_card",
        "That is a book's barcode. Please scan your library card first.",
        &[],
    ),
    m(
        "card_not_item",
        "That is a library card. Please place or scan the books.",
        &[],
    ),
    m(
        "other_patron_card",
        "Another library card. Please finish this session first.",
        &[],
    ),
    m(
        "misread",
        "The barcode was not read correctly. Please scan it again.",
        &[],
    ),
    m(
        "bad_barcode",
        "That barcode cannot be used. Please ask staff.",
        &[],
    ),
    m(
        "ecard_unreadable",
        "This QR code is not a library card. Please show the e-card code from the library's app.",
        &[],
    ),
    m(
        "ecard_forged",
        "This e-card code is not valid here. Please open your e-card in the library's app again, or ask staff.",
        &[],
    ),
    m(
        "ecard_expired",
        "This e-card code has expired. Please refresh it in the library's app and show it again.",
        &[],
    ),
    m(
        "ecard_used",
        "This e-card code has already been used. Please refresh it in the library's app: each code signs in once.",
        &[],
    ),
    m(
        "returns_need_card",
        "Please scan your library card to return books.",
        &[],
    ),
    m(
        "returns_not_here",
        "This machine does not take returns. Please return books at the staff desk.",
        &[],
    ),
    m(
        "checkouts_closed",
        "Borrowing is not available at this machine just now. Please ask at the staff desk.",
        &[],
    ),
    m(
        "checkins_closed",
        "This machine cannot take returns just now. Please hand your books in at the staff desk.",
        &[],
    ),
    m(
        "unknown_item",
        "This item is not in the catalogue. Please hand it to staff.",
        &[],
    ),
    m(
        "on_hold_for_another",
        "Reserved for another reader. Please leave it with staff.",
        &[],
    ),
    m(
        "not_for_loan",
        "This item cannot be borrowed. Please use it in the library.",
        &[],
    ),
    m(
        "on_loan_to_another",
        "On loan to another reader. Please hand it to staff.",
        &[],
    ),
    m(
        "already_on_loan_to_you",
        "You already have this item. Choose Renew to keep it longer.",
        &[],
    ),
    m(
        "too_many_items",
        "You have reached your loan limit. Return some items first.",
        &[],
    ),
    m(
        "session_limit",
        "At most {} items per visit at this machine.",
        &[Slot::Number],
    ),
    m(
        "renewal_limit",
        "Cannot be renewed again. Please return it by its due date.",
        &[],
    ),
    m(
        "renewal_on_hold",
        "Another reader has reserved it, so it cannot be renewed.",
        &[],
    ),
    m(
        "not_on_loan_to_you",
        "This item is not on loan to you.",
        &[],
    ),
    m(
        "not_on_loan",
        "This item was not on loan. Please hand it to staff.",
        &[],
    ),
    m("see_staff", "Please take this item to the staff desk.", &[]),
    m(
        "missing_parts",
        "Part of this item is missing ({} of {} parts on the pad). Please place all parts together.",
        &[Slot::Present, Slot::Number],
    ),
    m(
        "parts_mismatch",
        "The parts of this item are labelled inconsistently. Please hand it to staff.",
        &[],
    ),
    m(
        "unreadable_tag",
        "The tag of one item cannot be read. Please hand that item to staff.",
        &[],
    ),
    m(
        "security_failed",
        "This item could not be released for loan, so it was not lent. Please take it to the staff desk.",
        &[],
    ),
    m(
        "ils_unavailable",
        "The library system is not answering. Please try again or ask staff.",
        &[],
    ),
    m(
        "ils_refused",
        "The library system refused this. Please ask staff.",
        &[],
    ),
    m(
        "email_failed",
        "The receipt could not be e-mailed. Choose print or no receipt.",
        &[],
    ),
    m(
        "receipt_not_printed",
        "The receipt could not be printed. Your loans and returns are recorded; staff can print a list.",
        &[],
    ),
    m(
        "renew_offline",
        "Renewing needs the library system, which is not available now. Please try later.",
        &[],
    ),
    m(
        "account_offline",
        "Your account cannot be shown while the library system is not available.",
        &[],
    ),
    m(
        "offline_limit",
        "While the library system is unavailable, at most {} items per visit.",
        &[Slot::Number],
    ),
    m(
        "not_for_offline_issue",
        "This item cannot be borrowed while the library system is unavailable.",
        &[],
    ),
    m(
        "not_for_offline_return",
        "This item cannot be returned here while the library system is unavailable. Please hand it to staff.",
        &[],
    ),
    m(
        "offline_returns_only",
        "The library system is not available: this machine takes returns only.",
        &[],
    ),
    m(
        "offline_card_not_valid",
        "This card cannot be checked while the library system is unavailable. Please ask staff.",
        &[],
    ),
    m(
        "not_an_isbn",
        "That is not a book's ISBN. Scan the barcode on the back cover (it starts with 978 or 979).",
        &[],
    ),
    m(
        "isbn_misread",
        "That ISBN does not add up: please scan it again, or check the number typed.",
        &[],
    ),
    m(
        "out_of_service",
        "This machine is out of service. Please ask staff.",
        &[],
    ),
];

/// For a code no entry answers to (none does: a test checks every reason).
pub const REASON_FALLBACK: &str = "Please ask staff.";

/// Why a reader may not borrow, by [`Block`] code (the `{}` of `patron_blocked`).
pub const BLOCKS: &[Message] = &[
    m(
        "charge_privileges_denied",
        "borrowing is suspended on your card",
        &[],
    ),
    m(
        "renewal_privileges_denied",
        "renewals are suspended on your card",
        &[],
    ),
    m(
        "recall_privileges_denied",
        "recalls are suspended on your card",
        &[],
    ),
    m(
        "hold_privileges_denied",
        "holds are suspended on your card",
        &[],
    ),
    m("card_reported_lost", "this card was reported lost", &[]),
    m(
        "too_many_items_charged",
        "you have reached your loan limit",
        &[],
    ),
    m("too_many_items_overdue", "you have overdue items", &[]),
    m("too_many_renewals", "too many renewals", &[]),
    m(
        "too_many_claims_of_items_returned",
        "too many claims of items returned",
        &[],
    ),
    m("too_many_items_lost", "too many lost items", &[]),
    m("excessive_outstanding_fines", "unpaid fines", &[]),
    m("excessive_outstanding_fees", "unpaid fees", &[]),
    m("recall_overdue", "a recalled item is overdue", &[]),
    m("too_many_items_billed", "too many billed items", &[]),
    m("card_expired", "your card has expired", &[]),
];

pub const BLOCK_FALLBACK: &str = "a block on your card";

/// Where a returned book goes, by route code.
pub const ROUTES: &[Message] = &[
    m(
        "hold_shelf",
        "Reserved by another reader: please put it on the hold shelf.",
        &[],
    ),
    m(
        "transfer",
        "Belongs to {}: please put it in the return bin.",
        &[Slot::Detail],
    ),
    m("return_bin", "Please put it in the return bin.", &[]),
    m("return_slot", "Please put it through the return slot.", &[]),
];

/// The route for a book back on the shelves (and any other).
pub const ROUTE_FALLBACK: &str = "Thank you. You can put it on the returns trolley.";

/// A code and the numbers and words its message needs, as the screen gets them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notice {
    pub code: String,
    /// The number it names (tries left, minutes, a limit, the parts of a set).
    pub number: i32,
    /// The parts of a set that are present.
    pub present: i32,
    /// A code or text: a block's code, a fault code, a branch's name.
    pub detail: String,
}

fn count(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl Reason {
    /// The code and what its message needs.
    pub fn notice(&self) -> Notice {
        let (number, present, detail) = match self {
            Reason::WrongPin { tries_left: n }
            | Reason::CardLocked { minutes_left: n }
            | Reason::SessionLimit { limit: n }
            | Reason::OfflineLimit { limit: n } => (count(*n), 0, String::new()),
            Reason::MissingParts { parts, present } => {
                (i32::from(*parts), i32::from(*present), String::new())
            }
            Reason::PatronBlocked { block } => (0, 0, block.code().to_owned()),
            Reason::BadBarcode { detail } => (0, 0, detail.clone()),
            Reason::OutOfService { fault } => (0, 0, fault.clone()),
            _ => (0, 0, String::new()),
        };
        Notice {
            code: self.code().to_owned(),
            number,
            present,
            detail,
        }
    }

    /// The stable code (as the headless protocol and the screen name it).
    pub fn code(&self) -> &'static str {
        match self {
            Reason::UnknownPatron => "unknown_patron",
            Reason::WrongPin { .. } => "wrong_pin",
            Reason::CardLocked { .. } => "card_locked",
            Reason::PatronBlocked { .. } => "patron_blocked",
            Reason::ItemNotCard => "item_not_card",
            Reason::CardNotItem => "card_not_item",
            Reason::OtherPatronCard => "other_patron_card",
            Reason::Misread => "misread",
            Reason::BadBarcode { .. } => "bad_barcode",
            Reason::EcardUnreadable => "ecard_unreadable",
            Reason::EcardForged => "ecard_forged",
            Reason::EcardExpired => "ecard_expired",
            Reason::EcardUsed => "ecard_used",
            Reason::ReturnsNeedCard => "returns_need_card",
            Reason::ReturnsNotHere => "returns_not_here",
            Reason::CheckoutsClosed => "checkouts_closed",
            Reason::CheckinsClosed => "checkins_closed",
            Reason::UnknownItem => "unknown_item",
            Reason::OnHoldForAnother => "on_hold_for_another",
            Reason::NotForLoan => "not_for_loan",
            Reason::OnLoanToAnother => "on_loan_to_another",
            Reason::AlreadyOnLoanToYou => "already_on_loan_to_you",
            Reason::TooManyItems => "too_many_items",
            Reason::SessionLimit { .. } => "session_limit",
            Reason::RenewalLimit => "renewal_limit",
            Reason::RenewalOnHold => "renewal_on_hold",
            Reason::NotOnLoanToYou => "not_on_loan_to_you",
            Reason::NotOnLoan => "not_on_loan",
            Reason::SeeStaff => "see_staff",
            Reason::MissingParts { .. } => "missing_parts",
            Reason::PartsMismatch => "parts_mismatch",
            Reason::UnreadableTag => "unreadable_tag",
            Reason::SecurityFailed => "security_failed",
            Reason::IlsUnavailable => "ils_unavailable",
            Reason::IlsRefused => "ils_refused",
            Reason::EmailFailed => "email_failed",
            Reason::ReceiptNotPrinted => "receipt_not_printed",
            Reason::RenewOffline => "renew_offline",
            Reason::AccountOffline => "account_offline",
            Reason::OfflineLimit { .. } => "offline_limit",
            Reason::NotForOfflineIssue => "not_for_offline_issue",
            Reason::NotForOfflineReturn => "not_for_offline_return",
            Reason::OfflineReturnsOnly => "offline_returns_only",
            Reason::OfflineCardNotValid => "offline_card_not_valid",
            Reason::NotAnIsbn => "not_an_isbn",
            Reason::IsbnMisread => "isbn_misread",
            Reason::OutOfService { .. } => "out_of_service",
        }
    }

    /// One reason of every kind, for the tests that check each has its message in every
    /// language and is shown alike everywhere. The match makes a new kind a compile error here
    /// until it is listed.
    pub fn one_of_each() -> Vec<Reason> {
        let all = vec![
            Reason::UnknownPatron,
            Reason::WrongPin { tries_left: 2 },
            Reason::CardLocked { minutes_left: 15 },
            Reason::PatronBlocked {
                block: Block::CardExpired,
            },
            Reason::ItemNotCard,
            Reason::CardNotItem,
            Reason::OtherPatronCard,
            Reason::Misread,
            Reason::BadBarcode {
                detail: "control characters".into(),
            },
            Reason::EcardUnreadable,
            Reason::EcardForged,
            Reason::EcardExpired,
            Reason::EcardUsed,
            Reason::ReturnsNeedCard,
            Reason::ReturnsNotHere,
            Reason::CheckoutsClosed,
            Reason::CheckinsClosed,
            Reason::UnknownItem,
            Reason::OnHoldForAnother,
            Reason::NotForLoan,
            Reason::OnLoanToAnother,
            Reason::AlreadyOnLoanToYou,
            Reason::TooManyItems,
            Reason::SessionLimit { limit: 20 },
            Reason::RenewalLimit,
            Reason::RenewalOnHold,
            Reason::NotOnLoanToYou,
            Reason::NotOnLoan,
            Reason::SeeStaff,
            Reason::MissingParts {
                parts: 2,
                present: 1,
            },
            Reason::PartsMismatch,
            Reason::UnreadableTag,
            Reason::SecurityFailed,
            Reason::IlsUnavailable,
            Reason::IlsRefused,
            Reason::EmailFailed,
            Reason::ReceiptNotPrinted,
            Reason::RenewOffline,
            Reason::AccountOffline,
            Reason::OfflineLimit { limit: 5 },
            Reason::NotForOfflineIssue,
            Reason::NotForOfflineReturn,
            Reason::OfflineReturnsOnly,
            Reason::OfflineCardNotValid,
            Reason::NotAnIsbn,
            Reason::IsbnMisread,
            Reason::OutOfService {
                fault: "RFID_READER".into(),
            },
        ];
        for reason in &all {
            // Exhaustive: a kind added to `Reason` and not above fails to compile here.
            match reason {
                Reason::UnknownPatron
                | Reason::WrongPin { .. }
                | Reason::CardLocked { .. }
                | Reason::PatronBlocked { .. }
                | Reason::ItemNotCard
                | Reason::CardNotItem
                | Reason::OtherPatronCard
                | Reason::Misread
                | Reason::BadBarcode { .. }
                | Reason::EcardUnreadable
                | Reason::EcardForged
                | Reason::EcardExpired
                | Reason::EcardUsed
                | Reason::ReturnsNeedCard
                | Reason::ReturnsNotHere
                | Reason::CheckoutsClosed
                | Reason::CheckinsClosed
                | Reason::UnknownItem
                | Reason::OnHoldForAnother
                | Reason::NotForLoan
                | Reason::OnLoanToAnother
                | Reason::AlreadyOnLoanToYou
                | Reason::TooManyItems
                | Reason::SessionLimit { .. }
                | Reason::RenewalLimit
                | Reason::RenewalOnHold
                | Reason::NotOnLoanToYou
                | Reason::NotOnLoan
                | Reason::SeeStaff
                | Reason::MissingParts { .. }
                | Reason::PartsMismatch
                | Reason::UnreadableTag
                | Reason::SecurityFailed
                | Reason::IlsUnavailable
                | Reason::IlsRefused
                | Reason::EmailFailed
                | Reason::ReceiptNotPrinted
                | Reason::RenewOffline
                | Reason::AccountOffline
                | Reason::OfflineLimit { .. }
                | Reason::NotForOfflineIssue
                | Reason::NotForOfflineReturn
                | Reason::OfflineReturnsOnly
                | Reason::OfflineCardNotValid
                | Reason::NotAnIsbn
                | Reason::IsbnMisread
                | Reason::OutOfService { .. } => {}
            }
        }
        all
    }

    /// What the reader is told, in English (logs, scripts, the journal's notes); the text
    /// front-ends translate the same entry ([`tell`]).
    pub fn explain(&self) -> String {
        tell(&self.notice(), &|text| text.to_owned())
    }
}

impl Block {
    pub fn code(self) -> &'static str {
        match self {
            Block::ChargePrivilegesDenied => "charge_privileges_denied",
            Block::RenewalPrivilegesDenied => "renewal_privileges_denied",
            Block::RecallPrivilegesDenied => "recall_privileges_denied",
            Block::HoldPrivilegesDenied => "hold_privileges_denied",
            Block::CardReportedLost => "card_reported_lost",
            Block::TooManyItemsCharged => "too_many_items_charged",
            Block::TooManyItemsOverdue => "too_many_items_overdue",
            Block::TooManyRenewals => "too_many_renewals",
            Block::TooManyClaimsOfItemsReturned => "too_many_claims_of_items_returned",
            Block::TooManyItemsLost => "too_many_items_lost",
            Block::ExcessiveOutstandingFines => "excessive_outstanding_fines",
            Block::ExcessiveOutstandingFees => "excessive_outstanding_fees",
            Block::RecallOverdue => "recall_overdue",
            Block::TooManyItemsBilled => "too_many_items_billed",
            Block::CardExpired => "card_expired",
        }
    }
}

impl ReturnRoute {
    /// The route's code and its detail (the branch it goes to), as the screen gets them.
    pub fn notice(&self) -> Notice {
        let (code, detail) = match self {
            ReturnRoute::Shelf => ("shelf", ""),
            ReturnRoute::ReturnBin => ("return_bin", ""),
            ReturnRoute::HoldShelf => ("hold_shelf", ""),
            ReturnRoute::Transfer { to } => ("transfer", to.as_str()),
        };
        Notice {
            code: code.into(),
            detail: detail.into(),
            ..Notice::default()
        }
    }
}

fn find(catalogue: &[Message], code: &str) -> Option<Message> {
    catalogue.iter().copied().find(|m| m.code == code)
}

/// Fills `message`'s places from `notice`, each text put through `translate` first.
fn fill(message: &Message, notice: &Notice, translate: &dyn Fn(&str) -> String) -> String {
    let mut values = message.slots.iter().map(|slot| match slot {
        Slot::Number => notice.number.to_string(),
        Slot::Present => notice.present.to_string(),
        Slot::Detail => notice.detail.clone(),
        Slot::Block => translate(find(BLOCKS, &notice.detail).map_or(BLOCK_FALLBACK, |b| b.text)),
    });
    let template = translate(message.text);
    let mut out = String::with_capacity(template.len() + 16);
    let mut parts = template.split("{}");
    out.push_str(parts.next().unwrap_or_default());
    for part in parts {
        out.push_str(&values.next().unwrap_or_default());
        out.push_str(part);
    }
    out
}

/// A reason's message, through `translate` (the identity for English).
pub fn tell(notice: &Notice, translate: &dyn Fn(&str) -> String) -> String {
    match find(REASONS, &notice.code) {
        Some(message) => fill(&message, notice, translate),
        None => translate(REASON_FALLBACK),
    }
}

/// Where a returned book goes, through `translate`; `to_slot`: the kiosk has a return slot.
pub fn tell_route(
    route: &ReturnRoute,
    to_slot: bool,
    translate: &dyn Fn(&str) -> String,
) -> String {
    let notice = route.notice();
    let code = if to_slot { "return_slot" } else { &notice.code };
    match find(ROUTES, code) {
        Some(message) => fill(&message, &notice, translate),
        None => translate(ROUTE_FALLBACK),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_has_its_own_message_with_as_many_places_as_slots() {
        for reason in Reason::one_of_each() {
            let code = reason.code();
            let message = find(REASONS, code).unwrap_or_else(|| panic!("no message for {code}"));
            assert_eq!(
                message.text.matches("{}").count(),
                message.slots.len(),
                "{code}"
            );
            // The code is the one the protocol prints.
            let json = serde_json::to_value(&reason).unwrap();
            assert_eq!(json["code"], code);
        }
        let mut codes: Vec<&str> = REASONS.iter().map(|m| m.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), REASONS.len(), "one message per code");
        assert_eq!(
            REASONS.len(),
            Reason::one_of_each().len(),
            "no message without a reason"
        );
    }

    #[test]
    fn messages_are_filled_from_the_notice() {
        assert_eq!(
            Reason::WrongPin { tries_left: 1 }.explain(),
            "Wrong PIN. 1 tries left before this card is locked."
        );
        assert_eq!(
            Reason::MissingParts {
                parts: 3,
                present: 2
            }
            .explain(),
            "Part of this item is missing (2 of 3 parts on the pad). Please place all parts together."
        );
        assert!(
            Reason::PatronBlocked {
                block: Block::CardExpired
            }
            .explain()
            .contains("(your card has expired)")
        );
        let to = ReturnRoute::Transfer {
            to: "East Branch".into(),
        };
        assert_eq!(
            tell_route(&to, false, &|t| t.to_owned()),
            "Belongs to East Branch: please put it in the return bin."
        );
        assert_eq!(
            tell_route(&to, true, &|t| t.to_owned()),
            "Please put it through the return slot."
        );
    }

    #[test]
    fn every_block_has_a_message() {
        for block in [
            Block::ChargePrivilegesDenied,
            Block::RenewalPrivilegesDenied,
            Block::RecallPrivilegesDenied,
            Block::HoldPrivilegesDenied,
            Block::CardReportedLost,
            Block::TooManyItemsCharged,
            Block::TooManyItemsOverdue,
            Block::TooManyRenewals,
            Block::TooManyClaimsOfItemsReturned,
            Block::TooManyItemsLost,
            Block::ExcessiveOutstandingFines,
            Block::ExcessiveOutstandingFees,
            Block::RecallOverdue,
            Block::TooManyItemsBilled,
            Block::CardExpired,
        ] {
            assert!(find(BLOCKS, block.code()).is_some(), "{block:?}");
            let json = serde_json::to_value(block).unwrap();
            assert_eq!(
                json,
                block.code(),
                "the code is the one the protocol prints"
            );
        }
    }
}
