//! Messages from the ACS to the self-check, typed.

use super::fields::{Read, Tri, Write};
use super::frame::{DecodeError, Frame};
use crate::circ::types::Block;
use chrono::NaiveDateTime;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// 94
    Login { ok: bool },
    /// 98
    AcsStatus(AcsStatus),
    /// 24
    PatronStatus(PatronStatusReply),
    /// 64
    PatronInformation(PatronInformationReply),
    /// 12
    Checkout(CirculationReply),
    /// 10
    Checkin(CheckinReply),
    /// 30
    Renew(CirculationReply),
    /// 66
    RenewAll(RenewAllReply),
    /// 36
    EndPatronSession(EndSessionReply),
    /// 38
    FeePaid(FeePaidReply),
    /// 18
    ItemInformation(ItemInformationReply),
    /// 20
    ItemStatusUpdate(ItemStatusUpdateReply),
    /// 96 ("Request SC Resend"): the ACS asks for the last request again.
    ResendLastRequest,
}

/// What the ACS says to show and print, on every reply that has them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Messages {
    /// AF, possibly repeated.
    pub screen: Vec<String>,
    /// AG, possibly repeated.
    pub print: Vec<String>,
}

impl Messages {
    /// The screen message lines joined as the reader is shown them
    /// ([`crate::circ::reason::ils_words`]), or `None` when there are none.
    pub fn screen_text(&self) -> Option<String> {
        crate::circ::reason::ils_words(&self.screen.join(" "))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcsStatus {
    pub online: bool,
    pub checkin_ok: bool,
    pub checkout_ok: bool,
    pub renewal_policy: bool,
    pub status_update_ok: bool,
    /// The ACS accepts store-and-forward transactions (`no block = Y`).
    pub offline_ok: bool,
    /// Tenths of a second; `None` when blank or 999 ("unknown").
    pub timeout_tenths: Option<u32>,
    /// `None` when blank or 999 ("unknown").
    pub retries: Option<u32>,
    pub date: Option<NaiveDateTime>,
    pub protocol_version: String,
    pub institution: String,
    pub library_name: Option<String>,
    /// BX: 16 Y/N flags, one per message type.
    pub supported_messages: String,
    pub terminal_location: Option<String>,
    pub messages: Messages,
}

/// The 14 patron-status flags (Y = restricted), in the standard's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PatronFlags(pub [bool; 14]);

impl PatronFlags {
    const BLOCKS: [Block; 14] = [
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
    ];

    pub fn blocks(&self) -> Vec<Block> {
        Self::BLOCKS
            .iter()
            .zip(self.0)
            .filter(|(_, set)| *set)
            .map(|(b, _)| *b)
            .collect()
    }

    /// Flags for these blocks; blocks without a flag of their own (an expired card) are left out.
    pub fn from_blocks(blocks: &[Block]) -> Self {
        let mut flags = [false; 14];
        for (flag, block) in flags.iter_mut().zip(Self::BLOCKS) {
            *flag = blocks.contains(&block);
        }
        PatronFlags(flags)
    }

    fn encode(&self) -> String {
        self.0
            .iter()
            .map(|set| if *set { 'Y' } else { ' ' })
            .collect()
    }

    fn decode(text: &str) -> Self {
        let mut flags = [false; 14];
        for (flag, c) in flags.iter_mut().zip(text.chars()) {
            *flag = c == 'Y' || c == 'y';
        }
        PatronFlags(flags)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatronStatusReply {
    pub status: PatronFlags,
    pub language: String,
    pub date: Option<NaiveDateTime>,
    pub institution: String,
    pub patron: String,
    pub personal_name: String,
    pub valid_patron: Option<bool>,
    pub valid_password: Option<bool>,
    pub currency: Option<String>,
    pub fee_amount: Option<String>,
    pub messages: Messages,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ItemLists {
    /// AS
    pub hold: Vec<String>,
    /// AT
    pub overdue: Vec<String>,
    /// AU
    pub charged: Vec<String>,
    /// AV
    pub fine: Vec<String>,
    /// BU
    pub recall: Vec<String>,
    /// CD
    pub unavailable_hold: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatronInformationReply {
    pub status: PatronFlags,
    pub language: String,
    pub date: Option<NaiveDateTime>,
    /// Holds, overdue, charged, fine, recall and unavailable-hold counts.
    pub counts: [Option<u32>; 6],
    pub institution: String,
    pub patron: String,
    pub personal_name: String,
    pub hold_items_limit: Option<u32>,
    pub overdue_items_limit: Option<u32>,
    pub charged_items_limit: Option<u32>,
    pub valid_patron: Option<bool>,
    pub valid_password: Option<bool>,
    pub currency: Option<String>,
    pub fee_amount: Option<String>,
    pub fee_limit: Option<String>,
    pub items: ItemLists,
    pub home_address: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub messages: Messages,
}

/// Checkout (12) and renew (30) replies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CirculationReply {
    pub ok: bool,
    pub renewal_ok: bool,
    pub magnetic_media: Tri,
    pub desensitize: Tri,
    pub date: Option<NaiveDateTime>,
    pub institution: String,
    pub patron: String,
    pub item: String,
    pub title: String,
    /// AH, as the ACS wrote it.
    pub due_date: Option<String>,
    pub fee_type: Option<String>,
    pub security_inhibit: Option<bool>,
    pub currency: Option<String>,
    pub fee_amount: Option<String>,
    pub media_type: Option<String>,
    pub item_properties: Option<String>,
    pub transaction_id: Option<String>,
    pub messages: Messages,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckinReply {
    pub ok: bool,
    pub resensitize: bool,
    pub magnetic_media: Tri,
    pub alert: bool,
    pub date: Option<NaiveDateTime>,
    pub institution: String,
    pub item: String,
    pub permanent_location: String,
    pub title: Option<String>,
    pub sort_bin: Option<String>,
    pub patron: Option<String>,
    pub media_type: Option<String>,
    pub item_properties: Option<String>,
    /// CV (a widely used extension): 01 hold here, 02 hold elsewhere, 04 send to another branch…
    pub alert_type: Option<String>,
    /// CT (extension): where the item must go.
    pub destination: Option<String>,
    pub messages: Messages,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenewAllReply {
    pub ok: bool,
    pub renewed_count: Option<u32>,
    pub unrenewed_count: Option<u32>,
    pub date: Option<NaiveDateTime>,
    pub institution: String,
    pub renewed: Vec<String>,
    pub unrenewed: Vec<String>,
    pub messages: Messages,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndSessionReply {
    pub end_session: bool,
    pub date: Option<NaiveDateTime>,
    pub institution: String,
    pub patron: String,
    pub messages: Messages,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeePaidReply {
    pub accepted: bool,
    pub date: Option<NaiveDateTime>,
    pub institution: String,
    pub patron: String,
    pub transaction_id: Option<String>,
    pub messages: Messages,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemInformationReply {
    /// 01 other, 02 on order, 03 available, 04 charged, 05 charged (no recall), 06 in process,
    /// 07 recalled, 08 on the hold shelf, 09 to be re-shelved, 10 in transit, 11 claimed
    /// returned, 12 lost, 13 missing.
    pub circulation_status: u32,
    pub security_marker: String,
    pub fee_type: String,
    pub date: Option<NaiveDateTime>,
    pub hold_queue_length: Option<u32>,
    pub due_date: Option<String>,
    pub recall_date: Option<String>,
    pub hold_pickup_date: Option<String>,
    pub item: String,
    pub title: String,
    pub owner: Option<String>,
    pub currency: Option<String>,
    pub fee_amount: Option<String>,
    pub media_type: Option<String>,
    pub permanent_location: Option<String>,
    pub current_location: Option<String>,
    pub item_properties: Option<String>,
    pub messages: Messages,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemStatusUpdateReply {
    pub ok: bool,
    pub date: Option<NaiveDateTime>,
    pub item: String,
    pub title: Option<String>,
    pub item_properties: Option<String>,
    pub messages: Messages,
}

mod wire;
