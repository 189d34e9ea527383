//! What the reader sees: one value describing the whole screen, derived from the session's
//! state. The touchscreen binds it to its properties; the headless driver prints it.

use super::effect::ItemOutcome;
use super::reason::Refusal;
use super::types::Account;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Screen {
    pub page: Page,
    pub language: Language,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patron_name: Option<String>,
    /// A message for the reader at the top of the page (wrong PIN, that is a card…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<Refusal>,
    /// The items of the current page, in the order they were presented.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<ItemOutcome>,
    /// Waiting for the library system.
    pub busy: bool,
    /// The library system is unreachable: the kiosk works offline (due dates estimated).
    pub offline: bool,
    /// The menu offers Return (false when the ILS cannot take returns from this kiosk).
    #[serde(skip_serializing_if = "is_true")]
    pub returns_offered: bool,
    /// What the machine cannot do today (a part failed its self-test).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub service_notices: Vec<ServiceNotice>,
    /// Seconds left before the session is cleared for inactivity; shown as an overlay.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_warning: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<Account>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub receipt_choices: Vec<ReceiptChoice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<Summary>,
    /// The goodbye screen asks how the visit was (on the share of visits the library chose).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rating: Option<super::satisfaction::RatingAsk>,
    /// The suggestions page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggest: Option<super::suggestion::SuggestView>,
    /// Returned books go through the return slot (unlocked once one is returned), not on the
    /// trolley or shelf the ILS's route names.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub returns_to_slot: bool,
    /// The goodbye screen's "readers who borrowed … also borrowed …".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub also_borrowed: Option<super::also_borrowed::AlsoBorrowed>,
}

impl Screen {
    /// A page with nothing on it yet: no reader, no items, no notices, not busy, online.
    pub fn blank(page: Page, language: Language) -> Screen {
        Screen {
            page,
            language,
            patron_name: None,
            notice: None,
            items: Vec::new(),
            busy: false,
            offline: false,
            returns_offered: true,
            service_notices: Vec::new(),
            timeout_warning: None,
            account: None,
            receipt_choices: Vec::new(),
            summary: None,
            rating: None,
            suggest: None,
            returns_to_slot: false,
            also_borrowed: None,
        }
    }
}

fn is_true(value: &bool) -> bool {
    *value
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Page {
    /// Attract screen: "place your card or scan it".
    Idle,
    /// On-screen keypad.
    Pin,
    /// Card read, asking the library system.
    Checking,
    /// Borrow / return / renew / my account.
    Menu,
    Borrow,
    Return,
    Renew,
    Account,
    /// Print, e-mail or no receipt.
    Receipt,
    Goodbye,
    /// Feedback and purchase suggestions.
    Suggest,
    /// The machine cannot serve; `notice` carries the code for the technician.
    OutOfService,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Language {
    #[serde(rename = "zh-CN", alias = "zh_CN")]
    ZhCn,
    #[default]
    #[serde(rename = "en")]
    En,
}

/// A part of the service the machine cannot give today, told to every reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceNotice {
    /// The printer cannot print (failed its self-test or a receipt): no printed receipts.
    NoPrintedReceipts,
    /// The RFID card reader does not answer: cards must be scanned by their barcode.
    NoCardReader,
    /// The barcode scanner does not read: cards go on the card reader, books on the pad.
    NoScanner,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptChoice {
    Print,
    Email,
    None,
}

/// What the goodbye screen sums up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Summary {
    pub borrowed: u32,
    pub returned: u32,
    pub renewed: u32,
    pub refused: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt: Option<ReceiptChoice>,
}
