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
    /// The screen message lines joined, or `None` when there are none.
    pub fn screen_text(&self) -> Option<String> {
        let text = self.screen.join(" ");
        (!text.trim().is_empty()).then(|| text.trim().to_owned())
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

impl Write {
    fn messages(self, messages: &Messages) -> Self {
        self.all("AF", &messages.screen).all("AG", &messages.print)
    }

    /// A three-digit count where 999 means unknown.
    fn count999(self, value: Option<u32>) -> Self {
        self.number(Some(value.unwrap_or(999)), 3)
    }
}

impl Read<'_> {
    fn messages(&self) -> Messages {
        Messages {
            screen: self.all("AF"),
            print: self.all("AG"),
        }
    }

    fn count999(&self, index: usize, field: &'static str) -> Result<Option<u32>, DecodeError> {
        Ok(self.number(index, field)?.filter(|n| *n != 999))
    }
}

impl Reply {
    pub fn code(&self) -> &'static str {
        match self {
            Reply::Login { .. } => "94",
            Reply::AcsStatus(_) => "98",
            Reply::PatronStatus(_) => "24",
            Reply::PatronInformation(_) => "64",
            Reply::Checkout(_) => "12",
            Reply::Checkin(_) => "10",
            Reply::Renew(_) => "30",
            Reply::RenewAll(_) => "66",
            Reply::EndPatronSession(_) => "36",
            Reply::FeePaid(_) => "38",
            Reply::ItemInformation(_) => "18",
            Reply::ItemStatusUpdate(_) => "20",
            Reply::ResendLastRequest => "96",
        }
    }

    pub fn to_frame(&self) -> Frame {
        let w = Write::new(self.code());
        match self {
            Reply::Login { ok } => w.ok(*ok),
            Reply::AcsStatus(m) => w
                .yn(m.online)
                .yn(m.checkin_ok)
                .yn(m.checkout_ok)
                .yn(m.renewal_policy)
                .yn(m.status_update_ok)
                .yn(m.offline_ok)
                .count999(m.timeout_tenths)
                .count999(m.retries)
                .date(m.date)
                .fixed(format!("{:<4.4}", m.protocol_version))
                .field("AO", &m.institution)
                .opt("AM", m.library_name.as_deref())
                .field("BX", &m.supported_messages)
                .opt("AN", m.terminal_location.as_deref())
                .messages(&m.messages),
            Reply::PatronStatus(m) => w
                .fixed(m.status.encode())
                .fixed(m.language.clone())
                .date(m.date)
                .field("AO", &m.institution)
                .field("AA", &m.patron)
                .field("AE", &m.personal_name)
                .flag("BL", m.valid_patron)
                .flag("CQ", m.valid_password)
                .opt("BH", m.currency.as_deref())
                .opt("BV", m.fee_amount.as_deref())
                .messages(&m.messages),
            Reply::PatronInformation(m) => {
                let mut w = w
                    .fixed(m.status.encode())
                    .fixed(m.language.clone())
                    .date(m.date);
                for count in m.counts {
                    w = w.number(count, 4);
                }
                w.field("AO", &m.institution)
                    .field("AA", &m.patron)
                    .field("AE", &m.personal_name)
                    .num("BZ", m.hold_items_limit)
                    .num("CA", m.overdue_items_limit)
                    .num("CB", m.charged_items_limit)
                    .flag("BL", m.valid_patron)
                    .flag("CQ", m.valid_password)
                    .opt("BH", m.currency.as_deref())
                    .opt("BV", m.fee_amount.as_deref())
                    .opt("CC", m.fee_limit.as_deref())
                    .all("AS", &m.items.hold)
                    .all("AT", &m.items.overdue)
                    .all("AU", &m.items.charged)
                    .all("AV", &m.items.fine)
                    .all("BU", &m.items.recall)
                    .all("CD", &m.items.unavailable_hold)
                    .opt("BD", m.home_address.as_deref())
                    .opt("BE", m.email.as_deref())
                    .opt("BF", m.phone.as_deref())
                    .messages(&m.messages)
            }
            Reply::Checkout(m) | Reply::Renew(m) => w
                .ok(m.ok)
                .yn(m.renewal_ok)
                .tri(m.magnetic_media)
                .tri(m.desensitize)
                .date(m.date)
                .field("AO", &m.institution)
                .field("AA", &m.patron)
                .field("AB", &m.item)
                .field("AJ", &m.title)
                .field("AH", m.due_date.as_deref().unwrap_or(""))
                .opt("BT", m.fee_type.as_deref())
                .flag("CI", m.security_inhibit)
                .opt("BH", m.currency.as_deref())
                .opt("BV", m.fee_amount.as_deref())
                .opt("CK", m.media_type.as_deref())
                .opt("CH", m.item_properties.as_deref())
                .opt("BK", m.transaction_id.as_deref())
                .messages(&m.messages),
            Reply::Checkin(m) => w
                .ok(m.ok)
                .yn(m.resensitize)
                .tri(m.magnetic_media)
                .yn(m.alert)
                .date(m.date)
                .field("AO", &m.institution)
                .field("AB", &m.item)
                .field("AQ", &m.permanent_location)
                .opt("AJ", m.title.as_deref())
                .opt("CL", m.sort_bin.as_deref())
                .opt("AA", m.patron.as_deref())
                .opt("CK", m.media_type.as_deref())
                .opt("CH", m.item_properties.as_deref())
                .opt("CV", m.alert_type.as_deref())
                .opt("CT", m.destination.as_deref())
                .messages(&m.messages),
            Reply::RenewAll(m) => w
                .ok(m.ok)
                .number(m.renewed_count, 4)
                .number(m.unrenewed_count, 4)
                .date(m.date)
                .field("AO", &m.institution)
                .all("BM", &m.renewed)
                .all("BN", &m.unrenewed)
                .messages(&m.messages),
            Reply::EndPatronSession(m) => w
                .yn(m.end_session)
                .date(m.date)
                .field("AO", &m.institution)
                .field("AA", &m.patron)
                .messages(&m.messages),
            Reply::FeePaid(m) => w
                .yn(m.accepted)
                .date(m.date)
                .field("AO", &m.institution)
                .field("AA", &m.patron)
                .opt("BK", m.transaction_id.as_deref())
                .messages(&m.messages),
            Reply::ItemInformation(m) => w
                .number(Some(m.circulation_status), 2)
                .fixed(format!("{:0>2.2}", m.security_marker))
                .fixed(format!("{:0>2.2}", m.fee_type))
                .date(m.date)
                .num("CF", m.hold_queue_length)
                .opt("AH", m.due_date.as_deref())
                .opt("CJ", m.recall_date.as_deref())
                .opt("CM", m.hold_pickup_date.as_deref())
                .field("AB", &m.item)
                .field("AJ", &m.title)
                .opt("BG", m.owner.as_deref())
                .opt("BH", m.currency.as_deref())
                .opt("BV", m.fee_amount.as_deref())
                .opt("CK", m.media_type.as_deref())
                .opt("AQ", m.permanent_location.as_deref())
                .opt("AP", m.current_location.as_deref())
                .opt("CH", m.item_properties.as_deref())
                .messages(&m.messages),
            Reply::ItemStatusUpdate(m) => w
                .ok(m.ok)
                .date(m.date)
                .field("AB", &m.item)
                .opt("AJ", m.title.as_deref())
                .opt("CH", m.item_properties.as_deref())
                .messages(&m.messages),
            Reply::ResendLastRequest => w,
        }
        .done()
    }

    pub fn from_frame(frame: &Frame) -> Result<Reply, DecodeError> {
        let r = Read { frame };
        let circulation = |r: &Read| -> Result<CirculationReply, DecodeError> {
            Ok(CirculationReply {
                ok: r.ok(0, "ok")?,
                renewal_ok: r.yn(1, "renewal ok")?,
                magnetic_media: r.tri(2),
                desensitize: r.tri(3),
                date: r.date(4),
                institution: r.s("AO"),
                patron: r.s("AA"),
                item: r.s("AB"),
                title: r.s("AJ"),
                due_date: r.opt("AH").filter(|d| !d.trim().is_empty()),
                fee_type: r.opt("BT"),
                security_inhibit: r.flag("CI"),
                currency: r.opt("BH"),
                fee_amount: r.opt("BV"),
                media_type: r.opt("CK"),
                item_properties: r.opt("CH"),
                transaction_id: r.opt("BK"),
                messages: r.messages(),
            })
        };
        Ok(match frame.code.as_str() {
            "94" => Reply::Login { ok: r.ok(0, "ok")? },
            "98" => Reply::AcsStatus(AcsStatus {
                online: r.yn(0, "on-line status")?,
                checkin_ok: r.yn(1, "checkin ok")?,
                checkout_ok: r.yn(2, "checkout ok")?,
                renewal_policy: r.yn(3, "ACS renewal policy")?,
                status_update_ok: r.yn(4, "status update ok")?,
                offline_ok: r.yn(5, "off-line ok")?,
                timeout_tenths: r.count999(6, "timeout period")?,
                retries: r.count999(7, "retries allowed")?,
                date: r.date(8),
                protocol_version: r.text(9),
                institution: r.s("AO"),
                library_name: r.opt("AM"),
                supported_messages: r.s("BX"),
                terminal_location: r.opt("AN"),
                messages: r.messages(),
            }),
            "24" => Reply::PatronStatus(PatronStatusReply {
                status: PatronFlags::decode(&r.text(0)),
                language: r.text(1),
                date: r.date(2),
                institution: r.s("AO"),
                patron: r.s("AA"),
                personal_name: r.s("AE"),
                valid_patron: r.flag("BL"),
                valid_password: r.flag("CQ"),
                currency: r.opt("BH"),
                fee_amount: r.opt("BV"),
                messages: r.messages(),
            }),
            "64" => {
                let mut counts = [None; 6];
                for (index, count) in counts.iter_mut().enumerate() {
                    *count = r.number(3 + index, "item count")?;
                }
                Reply::PatronInformation(PatronInformationReply {
                    status: PatronFlags::decode(&r.text(0)),
                    language: r.text(1),
                    date: r.date(2),
                    counts,
                    institution: r.s("AO"),
                    patron: r.s("AA"),
                    personal_name: r.s("AE"),
                    hold_items_limit: r.num("BZ"),
                    overdue_items_limit: r.num("CA"),
                    charged_items_limit: r.num("CB"),
                    valid_patron: r.flag("BL"),
                    valid_password: r.flag("CQ"),
                    currency: r.opt("BH"),
                    fee_amount: r.opt("BV"),
                    fee_limit: r.opt("CC"),
                    items: ItemLists {
                        hold: r.all("AS"),
                        overdue: r.all("AT"),
                        charged: r.all("AU"),
                        fine: r.all("AV"),
                        recall: r.all("BU"),
                        unavailable_hold: r.all("CD"),
                    },
                    home_address: r.opt("BD"),
                    email: r.opt("BE").filter(|e| !e.trim().is_empty()),
                    phone: r.opt("BF"),
                    messages: r.messages(),
                })
            }
            "12" => Reply::Checkout(circulation(&r)?),
            "30" => Reply::Renew(circulation(&r)?),
            "10" => Reply::Checkin(CheckinReply {
                ok: r.ok(0, "ok")?,
                resensitize: r.yn(1, "resensitize")?,
                magnetic_media: r.tri(2),
                alert: r.yn(3, "alert")?,
                date: r.date(4),
                institution: r.s("AO"),
                item: r.s("AB"),
                permanent_location: r.s("AQ"),
                title: r.opt("AJ"),
                sort_bin: r.opt("CL"),
                patron: r.opt("AA"),
                media_type: r.opt("CK"),
                item_properties: r.opt("CH"),
                alert_type: r.opt("CV"),
                destination: r.opt("CT"),
                messages: r.messages(),
            }),
            "66" => Reply::RenewAll(RenewAllReply {
                ok: r.ok(0, "ok")?,
                renewed_count: r.number(1, "renewed count")?,
                unrenewed_count: r.number(2, "unrenewed count")?,
                date: r.date(3),
                institution: r.s("AO"),
                renewed: r.all("BM"),
                unrenewed: r.all("BN"),
                messages: r.messages(),
            }),
            "36" => Reply::EndPatronSession(EndSessionReply {
                end_session: r.yn(0, "end session")?,
                date: r.date(1),
                institution: r.s("AO"),
                patron: r.s("AA"),
                messages: r.messages(),
            }),
            "38" => Reply::FeePaid(FeePaidReply {
                accepted: r.yn(0, "payment accepted")?,
                date: r.date(1),
                institution: r.s("AO"),
                patron: r.s("AA"),
                transaction_id: r.opt("BK"),
                messages: r.messages(),
            }),
            "18" => Reply::ItemInformation(ItemInformationReply {
                circulation_status: r.number(0, "circulation status")?.unwrap_or(1),
                security_marker: r.text(1),
                fee_type: r.text(2),
                date: r.date(3),
                hold_queue_length: r.num("CF"),
                due_date: r.opt("AH").filter(|d| !d.trim().is_empty()),
                recall_date: r.opt("CJ"),
                hold_pickup_date: r.opt("CM"),
                item: r.s("AB"),
                title: r.s("AJ"),
                owner: r.opt("BG"),
                currency: r.opt("BH"),
                fee_amount: r.opt("BV"),
                media_type: r.opt("CK"),
                permanent_location: r.opt("AQ"),
                current_location: r.opt("AP"),
                item_properties: r.opt("CH"),
                messages: r.messages(),
            }),
            "20" => Reply::ItemStatusUpdate(ItemStatusUpdateReply {
                ok: r.ok(0, "item properties ok")?,
                date: r.date(1),
                item: r.s("AB"),
                title: r.opt("AJ"),
                item_properties: r.opt("CH"),
                messages: r.messages(),
            }),
            "96" => Reply::ResendLastRequest,
            other => return Err(DecodeError::UnknownCode(other.to_owned())),
        })
    }
}
