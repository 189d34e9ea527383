//! Replies on the wire: each message type encoded and decoded, field by field.

use super::*;

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
