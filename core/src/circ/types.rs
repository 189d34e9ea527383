//! The circulation vocabulary: who borrows, what is borrowed, and what the ILS says about them.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A patron as the ILS knows them: the card barcode, or the id derived from an RFID card's UID.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PatronId(pub String);

/// An item's barcode (the primary item id on its RFID tag).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ItemId(pub String);

/// The UID of an RFID item tag, upper-case hex. Needed to write the tag's security state.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TagUid(pub String);

impl fmt::Display for PatronId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A reader's PIN. It has no `Display` and no `Serialize`, and its `Debug` prints a mask, so it
/// cannot reach a log line, a JSON line or the journal by accident; only an ILS adapter asks for
/// the digits, with [`Pin::expose`].
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Pin(String);

impl Pin {
    pub fn new(digits: impl Into<String>) -> Self {
        Pin(digits.into())
    }
    /// The PIN itself, for the one place that must send it to the ILS.
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(****)")
    }
}

/// A due date as the ILS sent it: the text kept verbatim (ILSes format it freely), and the
/// moment when it could be understood, in the library's local time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<NaiveDateTime>,
}

impl Due {
    pub fn at(at: NaiveDateTime) -> Self {
        Due {
            text: at.format("%Y-%m-%d %H:%M").to_string(),
            at: Some(at),
        }
    }

    /// For people: the moment in one format when it was understood, else the ILS's text.
    pub fn display(&self) -> String {
        self.at.map_or_else(
            || self.text.clone(),
            |at| at.format("%Y-%m-%d %H:%M").to_string(),
        )
    }
}

/// What an item's RFID tag allows while the kiosk works offline (ISO 28560 type-of-usage
/// sub-codes: some items may not be lent, or taken back, without the ILS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflineUse {
    pub issue: bool,
    #[serde(rename = "return")]
    pub take_back: bool,
}

impl Default for OfflineUse {
    fn default() -> Self {
        OfflineUse {
            issue: true,
            take_back: true,
        }
    }
}

/// Whether every part of a multi-part item (a book with its CD) is on the pad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "set")]
pub enum SetCheck {
    #[default]
    Complete,
    /// `present` of the item's `parts` parts are on the pad.
    MissingParts { parts: u8, present: u8 },
    /// The tags of the item disagree on how many parts it has.
    Inconsistent,
}

/// An amount of money in minor units (fen, cents) with its ISO 4217 currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    /// From an amount in major units as JSON APIs give it (2.5 → 250 fen).
    pub fn from_major(amount: f64, currency: Currency) -> Money {
        Money {
            minor: (amount * 100.0).round() as i64,
            currency,
        }
    }
}

/// ISO 4217 currency code, three letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    pub const CNY: Currency = Currency(*b"CNY");

    pub fn parse(code: &str) -> Option<Self> {
        let bytes: [u8; 3] = code.as_bytes().try_into().ok()?;
        bytes
            .iter()
            .all(u8::is_ascii_uppercase)
            .then_some(Currency(bytes))
    }
    pub fn as_str(&self) -> &str {
        // Only ASCII upper-case letters get in (see `parse`).
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Currency::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "expected a three-letter ISO 4217 currency code such as \"CNY\", found {text:?}"
            ))
        })
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        write!(
            f,
            "{} {sign}{}.{:02}",
            self.currency.as_str(),
            abs / 100,
            abs % 100
        )
    }
}

/// Why the ILS restricts a patron (the SIP2 patron-status flags, and what ILSes say besides).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Block {
    ChargePrivilegesDenied,
    RenewalPrivilegesDenied,
    RecallPrivilegesDenied,
    HoldPrivilegesDenied,
    CardReportedLost,
    TooManyItemsCharged,
    TooManyItemsOverdue,
    TooManyRenewals,
    TooManyClaimsOfItemsReturned,
    TooManyItemsLost,
    ExcessiveOutstandingFines,
    ExcessiveOutstandingFees,
    RecallOverdue,
    TooManyItemsBilled,
    CardExpired,
}

/// The ILS's answer to "who is this card, and is this the right PIN?".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatronStatus {
    pub patron: PatronId,
    /// False when the ILS does not know the card.
    pub valid: bool,
    /// Whether the PIN matched; `None` when no PIN was checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin_ok: Option<bool>,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocks: Vec<Block>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fines: Option<Money>,
    /// Where the ILS can e-mail a receipt; `None` means no e-mail receipt can be offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen_message: Option<String>,
}

impl PatronStatus {
    /// A card as the ILS gave it, with nothing known against it yet (`valid` says whether the
    /// ILS knows the card at all).
    pub fn bare(patron: PatronId, valid: bool) -> PatronStatus {
        PatronStatus {
            patron,
            valid,
            pin_ok: None,
            name: String::new(),
            blocks: Vec::new(),
            fines: None,
            email: None,
            screen_message: None,
        }
    }

    /// The block that stops this patron borrowing, if any, most useful to the reader first.
    pub fn borrow_block(&self) -> Option<Block> {
        const ORDER: [Block; 9] = [
            Block::CardExpired,
            Block::CardReportedLost,
            Block::ExcessiveOutstandingFines,
            Block::ExcessiveOutstandingFees,
            Block::TooManyItemsOverdue,
            Block::TooManyItemsCharged,
            Block::TooManyItemsLost,
            Block::TooManyItemsBilled,
            Block::ChargePrivilegesDenied,
        ];
        ORDER.into_iter().find(|b| self.blocks.contains(b))
    }
}

/// One item the patron has on loan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoanLine {
    pub item: ItemId,
    pub title: String,
    pub due: Due,
    #[serde(default)]
    pub overdue: bool,
}

/// One hold (reservation) of the patron.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldLine {
    pub title: String,
    /// Waiting on the hold shelf for pickup.
    pub ready: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup_by: Option<Due>,
}

/// One fine or fee the patron owes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FineLine {
    /// Not every ILS gives the amount of each fine (SIP2 lists are free text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    pub description: String,
}

/// What the "my account" and "renew" screens show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub status: PatronStatus,
    pub loans: Vec<LoanLine>,
    pub holds: Vec<HoldLine>,
    pub fines: Vec<FineLine>,
}

/// A loan (or renewal) the ILS granted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Loan {
    pub item: ItemId,
    pub title: String,
    pub due: Due,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen_message: Option<String>,
    /// Lines the ILS wants on the receipt.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub print_lines: Vec<String>,
}

/// Where a returned item must go next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ReturnRoute {
    /// Back to the shelves.
    Shelf,
    /// Returned offline: the ILS will say later whether someone waits for it; into the return
    /// bin for staff to sort.
    ReturnBin,
    /// Someone is waiting for it: onto the hold shelf (or hand it to staff).
    HoldShelf,
    /// It belongs to another branch.
    Transfer { to: String },
}

/// A return the ILS accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Return {
    pub item: ItemId,
    pub title: String,
    pub route: ReturnRoute,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen_message: Option<String>,
}

/// The answer to renew all: which items were renewed and which not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenewAllResult {
    pub renewed: Vec<ItemId>,
    pub unrenewed: Vec<ItemId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen_message: Option<String>,
}

/// What the ILS knows about one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemInfo {
    pub item: ItemId,
    pub title: String,
    pub status: ItemCirculation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<Due>,
}

/// An item's circulation status, as far as a self-check cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemCirculation {
    Available,
    OnLoan,
    OnHoldShelf,
    NotForLoan,
    Other,
}
