//! Messages from the self-check (SC) to the ACS, typed. Passwords are [`Secret`]s and PINs
//! [`Pin`]s, so a logged request never shows them.

use super::fields::{Read, Write};
use super::frame::{DecodeError, Frame};
use crate::circ::types::Pin;
use crate::secret::Secret;
use chrono::NaiveDateTime;

#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// 93
    Login(Login),
    /// 99
    ScStatus(ScStatus),
    /// 23
    PatronStatus(PatronStatusRequest),
    /// 63
    PatronInformation(PatronInformationRequest),
    /// 11
    Checkout(CheckoutRequest),
    /// 09
    Checkin(CheckinRequest),
    /// 29
    Renew(RenewRequest),
    /// 65
    RenewAll(PatronRequest),
    /// 35
    EndPatronSession(PatronRequest),
    /// 37
    FeePaid(FeePaidRequest),
    /// 17
    ItemInformation(ItemInformationRequest),
    /// 19
    ItemStatusUpdate(ItemStatusUpdateRequest),
    /// 97 ("Request ACS Resend"): the SC asks for the last reply again (it arrived corrupted).
    ResendLastReply,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Login {
    pub user: String,
    pub password: Secret,
    pub location: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScStatus {
    /// 0 ok, 1 out of paper, 2 shutting down.
    pub status: u8,
    pub max_print_width: u32,
    pub protocol_version: String,
}

/// Who is asking on which terminal: the fields most requests share.
#[derive(Debug, Clone, PartialEq)]
pub struct Terminal {
    pub institution: String,
    /// AC; `None` leaves the field out, `Some("")` sends it empty (some ACSes insist).
    pub terminal_password: Option<Secret>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PatronStatusRequest {
    pub language: String,
    pub date: NaiveDateTime,
    pub terminal: Terminal,
    pub patron: String,
    pub patron_password: Option<Pin>,
}

/// Which list a patron information request asks for (one at a time, as ACSes expect).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Summary {
    None,
    HoldItems,
    OverdueItems,
    ChargedItems,
    FineItems,
    RecallItems,
    UnavailableHolds,
}

impl Summary {
    const ORDER: [Summary; 6] = [
        Summary::HoldItems,
        Summary::OverdueItems,
        Summary::ChargedItems,
        Summary::FineItems,
        Summary::RecallItems,
        Summary::UnavailableHolds,
    ];

    fn encode(self) -> String {
        (0..10)
            .map(|i| {
                if Summary::ORDER.get(i) == Some(&self) {
                    'Y'
                } else {
                    ' '
                }
            })
            .collect()
    }

    fn decode(text: &str) -> Summary {
        let first_y = text.chars().position(|c| c == 'Y' || c == 'y');
        first_y
            .and_then(|i| Summary::ORDER.get(i).copied())
            .unwrap_or(Summary::None)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PatronInformationRequest {
    pub language: String,
    pub date: NaiveDateTime,
    pub summary: Summary,
    pub terminal: Terminal,
    pub patron: String,
    pub patron_password: Option<Pin>,
    /// BP/BQ: the range of list entries wanted (1-based).
    pub start_item: Option<u32>,
    pub end_item: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckoutRequest {
    /// Y lets the ACS renew an item already charged to this patron; replays send N.
    pub sc_renewal_policy: bool,
    /// Y: done while the ACS was offline, do not refuse.
    pub no_block: bool,
    pub date: NaiveDateTime,
    pub nb_due_date: Option<NaiveDateTime>,
    pub terminal: Terminal,
    pub patron: String,
    pub item: String,
    pub item_properties: Option<String>,
    pub patron_password: Option<Pin>,
    pub fee_acknowledged: Option<bool>,
    pub cancel: Option<bool>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckinRequest {
    pub no_block: bool,
    pub date: NaiveDateTime,
    pub return_date: NaiveDateTime,
    /// AP: where the item was returned.
    pub current_location: String,
    pub terminal: Terminal,
    pub item: String,
    pub item_properties: Option<String>,
    pub cancel: Option<bool>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RenewRequest {
    pub third_party_allowed: bool,
    pub no_block: bool,
    pub date: NaiveDateTime,
    pub nb_due_date: Option<NaiveDateTime>,
    pub terminal: Terminal,
    pub patron: String,
    pub patron_password: Option<Pin>,
    pub item: Option<String>,
    pub title: Option<String>,
    pub item_properties: Option<String>,
    pub fee_acknowledged: Option<bool>,
}

/// Renew all (65) and end patron session (35) carry the same fields.
#[derive(Debug, Clone, PartialEq)]
pub struct PatronRequest {
    pub date: NaiveDateTime,
    pub terminal: Terminal,
    pub patron: String,
    pub patron_password: Option<Pin>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FeePaidRequest {
    pub date: NaiveDateTime,
    pub fee_type: String,
    pub payment_type: String,
    pub currency: String,
    pub amount: String,
    pub terminal: Terminal,
    pub patron: String,
    pub patron_password: Option<Pin>,
    pub fee_id: Option<String>,
    pub transaction_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ItemInformationRequest {
    pub date: NaiveDateTime,
    pub terminal: Terminal,
    pub item: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ItemStatusUpdateRequest {
    pub date: NaiveDateTime,
    pub terminal: Terminal,
    pub item: String,
    pub item_properties: String,
}

fn pin(value: Option<&Pin>) -> Option<&str> {
    value.map(Pin::expose)
}

impl Write {
    fn terminal_password(self, terminal: &Terminal) -> Self {
        self.opt(
            "AC",
            terminal.terminal_password.as_ref().map(Secret::expose),
        )
    }
}

impl Read<'_> {
    fn terminal(&self) -> Terminal {
        Terminal {
            institution: self.s("AO"),
            terminal_password: self.opt("AC").map(Secret::new),
        }
    }

    fn pin(&self) -> Option<Pin> {
        self.opt("AD").map(Pin::new)
    }

    fn required_date(
        &self,
        index: usize,
        field: &'static str,
    ) -> Result<NaiveDateTime, DecodeError> {
        self.date(index).ok_or_else(|| DecodeError::BadFixedField {
            code: self.frame.code.clone(),
            field,
            found: self.frame.fixed.get(index).cloned().unwrap_or_default(),
        })
    }
}

impl Request {
    pub fn code(&self) -> &'static str {
        match self {
            Request::Login(_) => "93",
            Request::ScStatus(_) => "99",
            Request::PatronStatus(_) => "23",
            Request::PatronInformation(_) => "63",
            Request::Checkout(_) => "11",
            Request::Checkin(_) => "09",
            Request::Renew(_) => "29",
            Request::RenewAll(_) => "65",
            Request::EndPatronSession(_) => "35",
            Request::FeePaid(_) => "37",
            Request::ItemInformation(_) => "17",
            Request::ItemStatusUpdate(_) => "19",
            Request::ResendLastReply => "97",
        }
    }

    /// The code of the reply this request expects.
    pub fn reply_code(&self) -> &'static str {
        match self {
            Request::Login(_) => "94",
            Request::ScStatus(_) => "98",
            Request::PatronStatus(_) => "24",
            Request::PatronInformation(_) => "64",
            Request::Checkout(_) => "12",
            Request::Checkin(_) => "10",
            Request::Renew(_) => "30",
            Request::RenewAll(_) => "66",
            Request::EndPatronSession(_) => "36",
            Request::FeePaid(_) => "38",
            Request::ItemInformation(_) => "18",
            Request::ItemStatusUpdate(_) => "20",
            Request::ResendLastReply => "",
        }
    }

    /// Requests that change nothing at the ACS, and so may be sent again after a lost reply.
    pub fn is_idempotent(&self) -> bool {
        !matches!(
            self,
            Request::Checkout(_)
                | Request::Checkin(_)
                | Request::Renew(_)
                | Request::RenewAll(_)
                | Request::FeePaid(_)
                | Request::ItemStatusUpdate(_)
        )
    }

    pub fn to_frame(&self) -> Frame {
        let w = Write::new(self.code());
        match self {
            Request::Login(m) => w
                .fixed("0")
                .fixed("0")
                .field("CN", &m.user)
                .field("CO", m.password.expose())
                .opt("CP", m.location.as_deref()),
            Request::ScStatus(m) => w
                .number(Some(u32::from(m.status)), 1)
                .number(Some(m.max_print_width), 3)
                .fixed(format!("{:<4.4}", m.protocol_version)),
            Request::PatronStatus(m) => w
                .fixed(m.language.clone())
                .date(Some(m.date))
                .field("AO", &m.terminal.institution)
                .field("AA", &m.patron)
                .terminal_password(&m.terminal)
                .opt("AD", pin(m.patron_password.as_ref())),
            Request::PatronInformation(m) => w
                .fixed(m.language.clone())
                .date(Some(m.date))
                .fixed(m.summary.encode())
                .field("AO", &m.terminal.institution)
                .field("AA", &m.patron)
                .terminal_password(&m.terminal)
                .opt("AD", pin(m.patron_password.as_ref()))
                .num("BP", m.start_item)
                .num("BQ", m.end_item),
            Request::Checkout(m) => w
                .yn(m.sc_renewal_policy)
                .yn(m.no_block)
                .date(Some(m.date))
                .date(m.nb_due_date)
                .field("AO", &m.terminal.institution)
                .field("AA", &m.patron)
                .field("AB", &m.item)
                .terminal_password(&m.terminal)
                .opt("CH", m.item_properties.as_deref())
                .opt("AD", pin(m.patron_password.as_ref()))
                .flag("BO", m.fee_acknowledged)
                .flag("BI", m.cancel),
            Request::Checkin(m) => w
                .yn(m.no_block)
                .date(Some(m.date))
                .date(Some(m.return_date))
                .field("AP", &m.current_location)
                .field("AO", &m.terminal.institution)
                .field("AB", &m.item)
                .terminal_password(&m.terminal)
                .opt("CH", m.item_properties.as_deref())
                .flag("BI", m.cancel),
            Request::Renew(m) => w
                .yn(m.third_party_allowed)
                .yn(m.no_block)
                .date(Some(m.date))
                .date(m.nb_due_date)
                .field("AO", &m.terminal.institution)
                .field("AA", &m.patron)
                .opt("AD", pin(m.patron_password.as_ref()))
                .opt("AB", m.item.as_deref())
                .opt("AJ", m.title.as_deref())
                .terminal_password(&m.terminal)
                .opt("CH", m.item_properties.as_deref())
                .flag("BO", m.fee_acknowledged),
            Request::RenewAll(m) | Request::EndPatronSession(m) => w
                .date(Some(m.date))
                .field("AO", &m.terminal.institution)
                .field("AA", &m.patron)
                .terminal_password(&m.terminal)
                .opt("AD", pin(m.patron_password.as_ref())),
            Request::FeePaid(m) => w
                .date(Some(m.date))
                .fixed(format!("{:0>2.2}", m.fee_type))
                .fixed(format!("{:0>2.2}", m.payment_type))
                .fixed(format!("{:<3.3}", m.currency))
                .field("BV", &m.amount)
                .field("AO", &m.terminal.institution)
                .field("AA", &m.patron)
                .terminal_password(&m.terminal)
                .opt("AD", pin(m.patron_password.as_ref()))
                .opt("CG", m.fee_id.as_deref())
                .opt("BK", m.transaction_id.as_deref()),
            Request::ItemInformation(m) => w
                .date(Some(m.date))
                .field("AO", &m.terminal.institution)
                .field("AB", &m.item)
                .terminal_password(&m.terminal),
            Request::ItemStatusUpdate(m) => w
                .date(Some(m.date))
                .field("AO", &m.terminal.institution)
                .field("AB", &m.item)
                .terminal_password(&m.terminal)
                .field("CH", &m.item_properties),
            Request::ResendLastReply => w,
        }
        .done()
    }

    pub fn from_frame(frame: &Frame) -> Result<Request, DecodeError> {
        let r = Read { frame };
        Ok(match frame.code.as_str() {
            "93" => Request::Login(Login {
                user: r.s("CN"),
                password: Secret::new(r.s("CO")),
                location: r.opt("CP"),
            }),
            "99" => Request::ScStatus(ScStatus {
                status: r.number(0, "status code")?.unwrap_or(0).min(9) as u8,
                max_print_width: r.number(1, "max print width")?.unwrap_or(0),
                protocol_version: r.text(2),
            }),
            "23" => Request::PatronStatus(PatronStatusRequest {
                language: r.text(0),
                date: r.required_date(1, "transaction date")?,
                terminal: r.terminal(),
                patron: r.s("AA"),
                patron_password: r.pin(),
            }),
            "63" => Request::PatronInformation(PatronInformationRequest {
                language: r.text(0),
                date: r.required_date(1, "transaction date")?,
                summary: Summary::decode(&r.text(2)),
                terminal: r.terminal(),
                patron: r.s("AA"),
                patron_password: r.pin(),
                start_item: r.num("BP"),
                end_item: r.num("BQ"),
            }),
            "11" => Request::Checkout(CheckoutRequest {
                sc_renewal_policy: r.yn(0, "SC renewal policy")?,
                no_block: r.yn(1, "no block")?,
                date: r.required_date(2, "transaction date")?,
                nb_due_date: r.date(3),
                terminal: r.terminal(),
                patron: r.s("AA"),
                item: r.s("AB"),
                item_properties: r.opt("CH"),
                patron_password: r.pin(),
                fee_acknowledged: r.flag("BO"),
                cancel: r.flag("BI"),
            }),
            "09" => Request::Checkin(CheckinRequest {
                no_block: r.yn(0, "no block")?,
                date: r.required_date(1, "transaction date")?,
                return_date: r.required_date(2, "return date")?,
                current_location: r.s("AP"),
                terminal: r.terminal(),
                item: r.s("AB"),
                item_properties: r.opt("CH"),
                cancel: r.flag("BI"),
            }),
            "29" => Request::Renew(RenewRequest {
                third_party_allowed: r.yn(0, "third party allowed")?,
                no_block: r.yn(1, "no block")?,
                date: r.required_date(2, "transaction date")?,
                nb_due_date: r.date(3),
                terminal: r.terminal(),
                patron: r.s("AA"),
                patron_password: r.pin(),
                item: r.opt("AB"),
                title: r.opt("AJ"),
                item_properties: r.opt("CH"),
                fee_acknowledged: r.flag("BO"),
            }),
            "65" | "35" => {
                let m = PatronRequest {
                    date: r.required_date(0, "transaction date")?,
                    terminal: r.terminal(),
                    patron: r.s("AA"),
                    patron_password: r.pin(),
                };
                if frame.code == "65" {
                    Request::RenewAll(m)
                } else {
                    Request::EndPatronSession(m)
                }
            }
            "37" => Request::FeePaid(FeePaidRequest {
                date: r.required_date(0, "transaction date")?,
                fee_type: r.text(1),
                payment_type: r.text(2),
                currency: r.text(3),
                amount: r.s("BV"),
                terminal: r.terminal(),
                patron: r.s("AA"),
                patron_password: r.pin(),
                fee_id: r.opt("CG"),
                transaction_id: r.opt("BK"),
            }),
            "17" => Request::ItemInformation(ItemInformationRequest {
                date: r.required_date(0, "transaction date")?,
                terminal: r.terminal(),
                item: r.s("AB"),
            }),
            "19" => Request::ItemStatusUpdate(ItemStatusUpdateRequest {
                date: r.required_date(0, "transaction date")?,
                terminal: r.terminal(),
                item: r.s("AB"),
                item_properties: r.s("CH"),
            }),
            "97" => Request::ResendLastReply,
            other => return Err(DecodeError::UnknownCode(other.to_owned())),
        })
    }
}
