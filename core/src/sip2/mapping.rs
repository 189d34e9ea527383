//! What SIP2 replies mean for the kiosk: patron flags to blocks, screen messages to reasons,
//! due dates, money. Pure functions, tested on their own.
//!
//! SIP2 has no refusal codes: an ACS says "no" with `ok = 0` and a screen message. The kiosk
//! always shows that message; the keyword tables below add a reason it can translate and act on
//! (English phrases of Koha, Evergreen, FOLIO edge-sip2 and this project's simulated ILS).
//! What no table recognises is `IlsRefused`, with the ACS's words.

use super::date;
use super::replies::{
    CheckinReply, CirculationReply, Messages, PatronInformationReply, PatronStatusReply,
};
use crate::circ::reason::{Reason, Refusal};
use crate::circ::types::*;

/// Phrases (lower case) and what they mean, first match wins.
type Table = &'static [(&'static [&'static str], fn() -> Reason)];

const PATRON_PHRASES: Table = &[
    (&["expired"], || blocked(Block::CardExpired)),
    (
        &[
            "card lost",
            "lost card",
            "card reported lost",
            "reported lost",
        ],
        || blocked(Block::CardReportedLost),
    ),
    (&["fines", "fine ", "fees", "debt", "unpaid"], || {
        blocked(Block::ExcessiveOutstandingFines)
    }),
    (&["overdue"], || blocked(Block::TooManyItemsOverdue)),
    (
        &[
            "blocked",
            "barred",
            "debarred",
            "suspended",
            "restricted",
            "cannot borrow",
            "privileges denied",
        ],
        || blocked(Block::ChargePrivilegesDenied),
    ),
];

const CHECKOUT_PHRASES: Table = &[
    (
        &[
            "already have this item",
            "already checked out to you",
            "already charged to you",
        ],
        || Reason::AlreadyOnLoanToYou,
    ),
    (
        &[
            "reserved for another",
            "on hold for another",
            "hold for another",
            "waiting for another",
            "is on hold",
            "item on hold",
            "reserved",
        ],
        || Reason::OnHoldForAnother,
    ),
    (
        &[
            "on loan to another",
            "checked out to another",
            "charged to another",
            "already checked out",
            "already charged",
            "on loan",
        ],
        || Reason::OnLoanToAnother,
    ),
    (
        &[
            "cannot be borrowed",
            "not for loan",
            "not loanable",
            "not allowed to circulate",
            "not circulate",
            "reference",
        ],
        || Reason::NotForLoan,
    ),
    (
        &[
            "not in the catalogue",
            "not in the catalog",
            "item not found",
            "invalid item",
            "unknown item",
            "no such item",
            "barcode not found",
        ],
        || Reason::UnknownItem,
    ),
    (
        &[
            "loan limit",
            "too many items",
            "too many checked out",
            "maximum number",
            "limit reached",
        ],
        || Reason::TooManyItems,
    ),
    (
        &[
            "patron not found",
            "invalid patron",
            "unknown patron",
            "not recognised",
        ],
        || Reason::UnknownPatron,
    ),
];

const RENEW_PHRASES: Table = &[
    (&["reserved", "on hold", "hold for", "requested by"], || {
        Reason::RenewalOnHold
    }),
    (
        &[
            "renewed again",
            "renewal limit",
            "too many renewals",
            "no more renewals",
            "times already",
            "maximum renewals",
            "renewals exceeded",
        ],
        || Reason::RenewalLimit,
    ),
    (
        &[
            "not on loan to you",
            "not checked out to you",
            "not charged to you",
            "not checked out",
            "not on loan",
        ],
        || Reason::NotOnLoanToYou,
    ),
    (
        &[
            "not in the catalogue",
            "not in the catalog",
            "item not found",
            "invalid item",
            "unknown item",
        ],
        || Reason::UnknownItem,
    ),
];

const CHECKIN_PHRASES: Table = &[
    (
        &[
            "not on loan",
            "not checked out",
            "was not checked out",
            "not charged",
            "not issued",
        ],
        || Reason::NotOnLoan,
    ),
    (
        &[
            "not in the catalogue",
            "not in the catalog",
            "item not found",
            "invalid item",
            "unknown item",
            "no such item",
        ],
        || Reason::UnknownItem,
    ),
];

fn blocked(block: Block) -> Reason {
    Reason::PatronBlocked { block }
}

fn find(table: Table, text: &str) -> Option<Reason> {
    let text = text.to_lowercase();
    table
        .iter()
        .find(|(phrases, _)| phrases.iter().any(|p| text.contains(p)))
        .map(|(_, reason)| reason())
}

/// The reason behind a refusal, from the ACS's words: item phrases first, then patron ones.
fn refusal(messages: &Messages, table: Table, title: &str) -> Refusal {
    let text = messages.screen_text();
    let said = text.as_deref().unwrap_or("");
    let reason = find(PATRON_PHRASES, said)
        .filter(|_| !said.to_lowercase().contains("item"))
        .or_else(|| find(table, said))
        .or_else(|| find(PATRON_PHRASES, said))
        .unwrap_or(Reason::IlsRefused);
    Refusal {
        reason,
        screen_message: text,
        title: (!title.is_empty()).then(|| title.to_owned()),
    }
}

/// An amount as ACSes write it, in minor units: `3.50`, `-12`, `1,234.00`, a decimal comma
/// (`25,00`, `1.234,50`), a currency code or sign with it (`CNY 25.00`, `¥25`, `-25.00 EUR`).
/// The currency is the message's BH, else the code in the amount, else CNY.
pub fn money(amount: Option<&str>, currency: Option<&str>) -> Option<Money> {
    let text = amount?.trim();
    let negative = text.contains('-');
    let code: String = text.chars().filter(char::is_ascii_alphabetic).collect();
    let number: String = text
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, '.' | ','))
        .collect();
    // The last separator is the decimal one when one or two digits follow it, or when it is a
    // '.' (SIP2's own form); any other is a thousands separator.
    let decimal = number.rfind(['.', ',']).filter(|&at| {
        let after = number.len() - at - 1;
        (1..=2).contains(&after) || (number[at..].starts_with('.') && after != 3) || after == 0
    });
    let (whole, fraction) = match decimal {
        Some(at) => (&number[..at], &number[at + 1..]),
        None => (number.as_str(), ""),
    };
    let whole: String = whole.chars().filter(char::is_ascii_digit).collect();
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let fraction: i64 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<i64>().ok()? * 10,
        _ => fraction.get(..2)?.parse().ok()?,
    };
    let minor = whole.checked_mul(100)?.checked_add(fraction)?;
    let currency = currency
        .and_then(|c| Currency::parse(c.trim()))
        .or_else(|| Currency::parse(&code))
        .unwrap_or(Currency::CNY);
    Some(Money {
        minor: if negative { -minor } else { minor },
        currency,
    })
}

fn blocks_from(flags: Vec<Block>, messages: &Messages) -> Vec<Block> {
    let mut blocks = flags;
    // No flag says "expired"; ACSes say it in words.
    let said = messages.screen_text().unwrap_or_default().to_lowercase();
    if said.contains("expired") && !blocks.contains(&Block::CardExpired) {
        blocks.push(Block::CardExpired);
    }
    blocks
}

/// Identification from a patron information reply (64): it also gives the e-mail address.
pub fn patron_from_information(
    reply: &PatronInformationReply,
    patron: &PatronId,
    pin_given: bool,
) -> PatronStatus {
    PatronStatus {
        patron: patron.clone(),
        valid: reply
            .valid_patron
            .unwrap_or(!reply.personal_name.is_empty()),
        // No CQ when a PIN was given means the ACS did not check it: not good enough.
        pin_ok: pin_given.then_some(reply.valid_password == Some(true)),
        name: reply.personal_name.clone(),
        blocks: blocks_from(reply.status.blocks(), &reply.messages),
        fines: money(reply.fee_amount.as_deref(), reply.currency.as_deref())
            .filter(|m| m.minor != 0),
        email: reply.email.clone(),
        screen_message: reply.messages.screen_text(),
    }
}

/// Identification from a patron status reply (24).
pub fn patron_from_status(
    reply: &PatronStatusReply,
    patron: &PatronId,
    pin_given: bool,
) -> PatronStatus {
    PatronStatus {
        patron: patron.clone(),
        valid: reply
            .valid_patron
            .unwrap_or(!reply.personal_name.is_empty()),
        pin_ok: pin_given.then_some(reply.valid_password == Some(true)),
        name: reply.personal_name.clone(),
        blocks: blocks_from(reply.status.blocks(), &reply.messages),
        fines: money(reply.fee_amount.as_deref(), reply.currency.as_deref())
            .filter(|m| m.minor != 0),
        email: None,
        screen_message: reply.messages.screen_text(),
    }
}

/// A checkout (12) or renew (30) reply as a loan or a refusal.
pub fn loan(reply: &CirculationReply, item: &ItemId, renewing: bool) -> Result<Loan, Refusal> {
    if !reply.ok {
        let table = if renewing {
            RENEW_PHRASES
        } else {
            CHECKOUT_PHRASES
        };
        return Err(refusal(&reply.messages, table, &reply.title));
    }
    let title = if reply.title.is_empty() {
        item.0.clone()
    } else {
        reply.title.clone()
    };
    Ok(Loan {
        item: item.clone(),
        title,
        due: reply
            .due_date
            .as_deref()
            .map(date::parse_due)
            .unwrap_or_else(|| Due {
                text: String::new(),
                at: None,
            }),
        screen_message: reply.messages.screen_text(),
        print_lines: reply.messages.print.clone(),
    })
}

/// A checkin reply (10) as a return (with where the item goes next) or a refusal.
pub fn checkin(reply: &CheckinReply, item: &ItemId) -> Result<Return, Refusal> {
    let title = reply.title.clone().unwrap_or_default();
    if !reply.ok {
        return Err(refusal(&reply.messages, CHECKIN_PHRASES, &title));
    }
    let said = reply
        .messages
        .screen_text()
        .unwrap_or_default()
        .to_lowercase();
    let route = match reply.alert_type.as_deref() {
        Some("01" | "02") => ReturnRoute::HoldShelf,
        Some("04") => ReturnRoute::Transfer {
            to: reply.destination.clone().unwrap_or_default(),
        },
        _ if reply.alert && (said.contains("hold") || said.contains("reserv")) => {
            ReturnRoute::HoldShelf
        }
        _ => ReturnRoute::Shelf,
    };
    Ok(Return {
        item: item.clone(),
        title: if title.is_empty() {
            item.0.clone()
        } else {
            title
        },
        route,
        screen_message: reply.messages.screen_text(),
    })
}

/// Item circulation status codes of the 18 reply.
pub fn circulation(status: u32) -> ItemCirculation {
    match status {
        3 | 9 => ItemCirculation::Available,
        4 | 5 | 7 => ItemCirculation::OnLoan,
        8 => ItemCirculation::OnHoldShelf,
        _ => ItemCirculation::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(text: &str) -> Messages {
        Messages {
            screen: vec![text.into()],
            print: Vec::new(),
        }
    }

    #[test]
    fn money_in_the_forms_acses_write() {
        let m = |a: &str| money(Some(a), Some("CNY")).map(|m| m.minor);
        assert_eq!(m("3.50"), Some(350));
        assert_eq!(m("3.5"), Some(350));
        assert_eq!(m("-12"), Some(-1200));
        assert_eq!(m("1,234.00"), Some(123_400));
        assert_eq!(m(".75"), Some(75));
        assert_eq!(m("abc"), None);
        assert_eq!(m(""), None);
        // As servers send them: a decimal comma, a currency code or sign, a sign anywhere.
        assert_eq!(m("25,00"), Some(2_500));
        assert_eq!(m("25,5"), Some(2_550));
        assert_eq!(m("1.234,50"), Some(123_450));
        assert_eq!(m("1,234"), Some(123_400));
        assert_eq!(m("CNY 25.00"), Some(2_500));
        assert_eq!(m("¥25"), Some(2_500));
        assert_eq!(m("-25.00"), Some(-2_500));
        assert_eq!(m("CNY -25.00"), Some(-2_500));
        assert_eq!(m("25.00-"), Some(-2_500));
        assert_eq!(m("CNY"), None);
        // The code in the amount, when the message has no BH.
        assert_eq!(
            money(Some("-25.00 EUR"), None).map(|m| (m.minor, m.currency.as_str().to_owned())),
            Some((-2_500, "EUR".to_owned()))
        );
        assert_eq!(
            money(Some("1.00"), Some("usd")).map(|m| m.currency),
            Some(Currency::CNY)
        );
    }

    #[test]
    fn every_item_reason_the_kiosk_explains_is_recognised_again() {
        // The simulated ACS sends Reason::explain() as its screen message.
        let checkout = [
            Reason::OnHoldForAnother,
            Reason::NotForLoan,
            Reason::UnknownItem,
            Reason::OnLoanToAnother,
            Reason::AlreadyOnLoanToYou,
            Reason::TooManyItems,
            blocked(Block::CardExpired),
            blocked(Block::ChargePrivilegesDenied),
            blocked(Block::ExcessiveOutstandingFines),
        ];
        for reason in checkout {
            let got = refusal(&said(&reason.explain()), CHECKOUT_PHRASES, "");
            assert_eq!(got.reason, reason, "{}", reason.explain());
        }
        for reason in [
            Reason::RenewalLimit,
            Reason::RenewalOnHold,
            Reason::NotOnLoanToYou,
        ] {
            let got = refusal(&said(&reason.explain()), RENEW_PHRASES, "");
            assert_eq!(got.reason, reason, "{}", reason.explain());
        }
        for reason in [Reason::NotOnLoan, Reason::UnknownItem] {
            let got = refusal(&said(&reason.explain()), CHECKIN_PHRASES, "");
            assert_eq!(got.reason, reason, "{}", reason.explain());
        }
    }

    #[test]
    fn phrases_of_real_acses() {
        let checkout = |text: &str| refusal(&said(text), CHECKOUT_PHRASES, "").reason;
        assert_eq!(
            checkout("Item is on hold shelf for another patron."),
            Reason::OnHoldForAnother
        );
        assert_eq!(
            checkout("Patron's card has expired"),
            blocked(Block::CardExpired)
        );
        assert_eq!(checkout("Item not found"), Reason::UnknownItem);
        assert_eq!(checkout("Something odd happened"), Reason::IlsRefused);
        let none = refusal(&Messages::default(), CHECKOUT_PHRASES, "Title");
        assert_eq!(
            (none.reason, none.screen_message, none.title.as_deref()),
            (Reason::IlsRefused, None, Some("Title"))
        );
    }
}
