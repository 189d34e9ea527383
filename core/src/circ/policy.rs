//! The rules a library sets for its kiosk's sessions (built from the configuration file).

use super::screen::{Language, ReceiptChoice};
use crate::barcode::BarcodeRules;
use serde::Deserialize;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub pin_required: bool,
    /// Wrong PINs in a row before the card is locked at this kiosk.
    pub pin_attempts: u32,
    pub pin_lockout: Duration,
    /// A session with no reader action for this long is cleared.
    pub inactivity_timeout: Duration,
    /// The countdown overlay appears this long before the timeout.
    pub inactivity_warning: Duration,
    /// The same item presented again within this window is ignored (double scans, tags that
    /// stay on the pad).
    pub duplicate_window: Duration,
    /// Items a reader may borrow in one session at this kiosk.
    pub max_items_per_session: u32,
    /// Items may be returned without a library card.
    pub returns_without_card: bool,
    /// After returns without a card, back to the attract screen after this pause.
    pub return_idle_pause: Duration,
    /// How long the goodbye screen (and a message on the attract screen) stays.
    pub goodbye: Duration,
    /// Receipt choices offered, in order. E-mail is offered only when the patron has an address
    /// and `email_receipts` is true.
    pub receipt_choices: Vec<ReceiptChoice>,
    /// The ILS can e-mail receipts.
    pub email_receipts: bool,
    /// The kiosk takes returns at all (false with Koha's REST API and no SIP2 route).
    pub returns: bool,
    pub barcodes: BarcodeRules,
    pub card_uid_format: CardUidFormat,
    pub language: Language,
    pub offline: OfflinePolicy,
    pub satisfaction: super::satisfaction::SatisfactionPolicy,
    /// "Readers who borrowed this also borrowed …": `Some(k)`, the fewest visits a pair must
    /// have been seen in; `None`, off (nothing is counted).
    pub also_borrowed: Option<u32>,
}

/// What the kiosk does while the ILS is unreachable, as libraries set it on commercial machines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfflinePolicy {
    pub mode: OfflineMode,
    /// Items a reader may borrow per visit while offline.
    pub max_items: u32,
}

impl Default for OfflinePolicy {
    fn default() -> Self {
        OfflinePolicy {
            mode: OfflineMode::Full,
            max_items: 5,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OfflineMode {
    /// Out of service while the ILS is unreachable.
    Disabled,
    /// Returns only (with or without a card).
    CheckinOnly,
    /// Loans and returns, queued and sent when the ILS is back.
    Full,
}

impl OfflineMode {
    pub fn allows(self, action: super::effect::Action) -> bool {
        use super::effect::Action;
        !matches!(
            (self, action),
            (_, Action::Renew)
                | (OfflineMode::Disabled, _)
                | (OfflineMode::CheckinOnly, Action::Borrow)
        )
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            pin_required: true,
            pin_attempts: 3,
            pin_lockout: Duration::from_secs(15 * 60),
            inactivity_timeout: Duration::from_secs(60),
            inactivity_warning: Duration::from_secs(15),
            duplicate_window: Duration::from_secs(5),
            max_items_per_session: 20,
            returns_without_card: true,
            return_idle_pause: Duration::from_secs(10),
            goodbye: Duration::from_secs(5),
            receipt_choices: vec![
                ReceiptChoice::Print,
                ReceiptChoice::Email,
                ReceiptChoice::None,
            ],
            email_receipts: false,
            returns: true,
            barcodes: BarcodeRules::default(),
            card_uid_format: CardUidFormat::HexUpper,
            language: Language::ZhCn,
            offline: OfflinePolicy::default(),
            satisfaction: super::satisfaction::SatisfactionPolicy::default(),
            also_borrowed: None,
        }
    }
}

/// How an RFID patron card's UID becomes the patron id the ILS knows. Libraries enrol cards
/// with different readers, and readers report UIDs in different byte orders and bases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CardUidFormat {
    /// `04A1B2C3` as read.
    HexUpper,
    HexLower,
    /// Bytes reversed, then upper-case hex.
    HexUpperReversed,
    /// The bytes as one big-endian unsigned number, in decimal.
    Decimal,
    /// The bytes reversed (little-endian), as one unsigned number in decimal.
    DecimalReversed,
}

impl CardUidFormat {
    /// The patron id for a card UID; `None` for an empty UID or one longer than 16 bytes.
    pub fn patron_id(self, uid: &[u8]) -> Option<String> {
        if uid.is_empty() || uid.len() > 16 {
            return None;
        }
        let hex = |bytes: &mut dyn Iterator<Item = &u8>, upper: bool| {
            bytes
                .map(|b| {
                    if upper {
                        format!("{b:02X}")
                    } else {
                        format!("{b:02x}")
                    }
                })
                .collect::<String>()
        };
        let number = |bytes: &mut dyn Iterator<Item = &u8>| {
            bytes
                .fold(0u128, |acc, b| (acc << 8) | u128::from(*b))
                .to_string()
        };
        Some(match self {
            CardUidFormat::HexUpper => hex(&mut uid.iter(), true),
            CardUidFormat::HexLower => hex(&mut uid.iter(), false),
            CardUidFormat::HexUpperReversed => hex(&mut uid.iter().rev(), true),
            CardUidFormat::Decimal => number(&mut uid.iter()),
            CardUidFormat::DecimalReversed => number(&mut uid.iter().rev()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::CardUidFormat::*;

    #[test]
    fn card_uids_in_every_format() {
        let uid = [0x04, 0xA1, 0xB2, 0xC3];
        assert_eq!(HexUpper.patron_id(&uid).unwrap(), "04A1B2C3");
        assert_eq!(HexLower.patron_id(&uid).unwrap(), "04a1b2c3");
        assert_eq!(HexUpperReversed.patron_id(&uid).unwrap(), "C3B2A104");
        assert_eq!(Decimal.patron_id(&uid).unwrap(), "77705923");
        assert_eq!(DecimalReversed.patron_id(&uid).unwrap(), "3283263748");
        assert_eq!(HexUpper.patron_id(&[]), None);
        assert_eq!(Decimal.patron_id(&[0xFF; 17]), None);
        assert_eq!(
            Decimal.patron_id(&[0xFF; 16]).unwrap(),
            u128::MAX.to_string()
        );
    }
}
