//! The kiosk's [`Ils`] over SIP2: each operation as the SIP2 messages a self-check sends.

use super::client::{LinkError, Sip2Client};
use super::mapping;
use super::replies::{AcsStatus, Reply};
use super::requests::*;
pub use super::section::{IdentifyWith, NbDueDate, Sip2Section, TerminatorSetting};
use crate::circ::reason::{Reason, Refusal};
use crate::circ::types::*;
use crate::config::secrets::Secret;
use crate::ils::Probe;
use crate::ils::{Answer, Ils, IlsError};
use chrono::NaiveDateTime;
use std::time::Duration;

/// What the ACS's status (98) may close at a terminal.
#[derive(Debug, Clone, Copy)]
enum Circulation {
    Checkout,
    Checkin,
}

impl Circulation {
    fn allowed_by(self, status: &AcsStatus) -> bool {
        match self {
            Circulation::Checkout => status.checkout_ok,
            Circulation::Checkin => status.checkin_ok,
        }
    }

    /// What the reader is told while it is closed.
    fn closed(self) -> Refusal {
        Refusal::new(match self {
            Circulation::Checkout => Reason::CheckoutsClosed,
            Circulation::Checkin => Reason::CheckinsClosed,
        })
    }
}

pub struct Sip2Ils {
    client: Sip2Client,
    section: Sip2Section,
    terminal_password: Option<Secret>,
}

impl Sip2Ils {
    pub fn new(
        section: Sip2Section,
        password: Option<Secret>,
        terminal_password: Option<Secret>,
    ) -> Self {
        Sip2Ils {
            client: Sip2Client::new(section.link(password)),
            section,
            terminal_password,
        }
    }

    /// Connects, logs in and asks for the ACS's status now (start-up, diagnostics).
    pub fn connect(&mut self) -> Result<(), IlsError> {
        self.client.keep_alive().map_err(ils_error)
    }

    pub fn client(&self) -> &Sip2Client {
        &self.client
    }

    /// Whether the ACS lets this kiosk check items out (or in): its last status (98) said so,
    /// or, when it said not, a fresh status request says so now (the library may have opened
    /// circulation again since the last heartbeat). A 3M or Bibliotheca machine does not send a
    /// transaction the ACS has said it will not take; neither does this one, and the reader is
    /// told to go to the desk instead of hearing a refusal in the ACS's words.
    fn allows(&mut self, what: Circulation) -> Result<bool, IlsError> {
        if self.client.acs_status().is_none_or(|s| what.allowed_by(s)) {
            return Ok(true);
        }
        self.client.check().map_err(ils_error)?;
        Ok(self.client.acs_status().is_none_or(|s| what.allowed_by(s)))
    }

    /// A refusal may mean the library closed circulation at this terminal since the kiosk last
    /// asked: its status is asked again, and if it now says so the reader hears that (and the
    /// next readers are told without anything being sent).
    fn closed_since<T>(
        &mut self,
        answer: Result<T, Refusal>,
        what: Circulation,
    ) -> Result<T, Refusal> {
        let Err(refusal) = answer else {
            return answer;
        };
        let closed_now = self.client.check().is_ok()
            && self
                .client
                .acs_status()
                .is_some_and(|s| !what.allowed_by(s));
        Err(match closed_now {
            true => what.closed(),
            false => refusal,
        })
    }

    /// The ACS said (98) it accepts transactions done while it was off-line (no block = Y).
    fn accepts_offline(&self) -> bool {
        self.client.acs_status().is_some_and(|s| s.offline_ok)
    }

    fn terminal(&self) -> Terminal {
        let password = self.terminal_password.clone().or_else(|| {
            self.section
                .send_empty_terminal_password
                .then(|| Secret::new(""))
        });
        Terminal {
            institution: self.section.institution.clone(),
            terminal_password: password,
        }
    }

    /// AD on requests where the PIN is optional: empty when the ACS insists on the field.
    fn empty_pin(&self) -> Option<Pin> {
        self.section
            .send_empty_patron_password
            .then(|| Pin::new(""))
    }

    fn now() -> NaiveDateTime {
        chrono::Local::now().naive_local()
    }

    fn nb_due_date(&self, now: NaiveDateTime) -> Option<NaiveDateTime> {
        match self.section.nb_due_date {
            NbDueDate::Blank => None,
            NbDueDate::TransactionDate => Some(now),
        }
    }

    fn send(&mut self, request: Request) -> Result<Reply, IlsError> {
        self.client.request(&request).map_err(ils_error)
    }

    fn information(
        &mut self,
        patron: &PatronId,
        pin: Option<&Pin>,
        summary: Summary,
    ) -> Result<super::replies::PatronInformationReply, IlsError> {
        let request = Request::PatronInformation(PatronInformationRequest {
            language: self.section.language.clone(),
            date: Self::now(),
            summary,
            terminal: self.terminal(),
            patron: patron.0.clone(),
            patron_password: pin.cloned().or_else(|| self.empty_pin()),
            start_item: (summary != Summary::None).then_some(1),
            end_item: (summary != Summary::None).then_some(50),
        });
        match self.send(request)? {
            Reply::PatronInformation(reply) => Ok(reply),
            other => Err(unexpected("64", &other)),
        }
    }
}

fn ils_error(error: LinkError) -> IlsError {
    match error {
        LinkError::Down {
            reason,
            sent: false,
        } => IlsError::LinkDown(reason),
        LinkError::Down { reason, sent: true } => IlsError::OutcomeUnknown(reason),
        LinkError::LoginRefused { user } => IlsError::LoginRefused(format!("user {user:?}")),
        LinkError::Misconfigured(why) => IlsError::Misconfigured(why),
        LinkError::BadReply(detail) => IlsError::BadReply(detail),
        LinkError::Encode(error) => IlsError::BadReply(error.to_string()),
    }
}

fn unexpected(wanted: &str, got: &Reply) -> IlsError {
    IlsError::BadReply(format!("expected a {wanted} reply, got {}", got.code()))
}

impl Ils for Sip2Ils {
    fn patron_status(
        &mut self,
        patron: &PatronId,
        pin: Option<&Pin>,
    ) -> Result<PatronStatus, IlsError> {
        match self.section.identify_with {
            IdentifyWith::PatronInformation => {
                let reply = self.information(patron, pin, Summary::None)?;
                Ok(mapping::patron_from_information(
                    &reply,
                    patron,
                    pin.is_some(),
                ))
            }
            IdentifyWith::PatronStatus => {
                let request = Request::PatronStatus(PatronStatusRequest {
                    language: self.section.language.clone(),
                    date: Self::now(),
                    terminal: self.terminal(),
                    patron: patron.0.clone(),
                    patron_password: Some(pin.cloned().unwrap_or_else(|| Pin::new(""))),
                });
                match self.send(request)? {
                    Reply::PatronStatus(reply) => {
                        Ok(mapping::patron_from_status(&reply, patron, pin.is_some()))
                    }
                    other => Err(unexpected("24", &other)),
                }
            }
        }
    }

    fn account(&mut self, patron: &PatronId, pin: Option<&Pin>) -> Result<Account, IlsError> {
        // One list per request, as ACSes expect; lists the counts say are empty are not asked.
        let charged = self.information(patron, pin, Summary::ChargedItems)?;
        let status = mapping::patron_from_information(&charged, patron, pin.is_some());
        let now = Self::now();
        let mut loans = Vec::new();
        for id in &charged.items.charged {
            let item = ItemId(id.clone());
            let (title, due) = match self.item_info(&item)? {
                Ok(info) => (info.title, info.due),
                Err(_) => (id.clone(), None),
            };
            let due = due.unwrap_or(Due {
                text: String::new(),
                at: None,
            });
            loans.push(LoanLine {
                item,
                overdue: due.at.is_some_and(|at| at < now),
                title,
                due,
            });
        }
        let [holds_count, _, _, fines_count, _, unavailable_count] = charged.counts;
        let mut holds = Vec::new();
        if holds_count.unwrap_or(1) > 0 {
            let reply = self.information(patron, pin, Summary::HoldItems)?;
            holds.extend(reply.items.hold.into_iter().map(|title| HoldLine {
                title,
                ready: true,
                pickup_by: None,
            }));
        }
        if unavailable_count.unwrap_or(1) > 0 {
            let reply = self.information(patron, pin, Summary::UnavailableHolds)?;
            holds.extend(
                reply
                    .items
                    .unavailable_hold
                    .into_iter()
                    .map(|title| HoldLine {
                        title,
                        ready: false,
                        pickup_by: None,
                    }),
            );
        }
        let mut fines = Vec::new();
        if fines_count.unwrap_or(1) > 0 {
            let reply = self.information(patron, pin, Summary::FineItems)?;
            fines.extend(reply.items.fine.into_iter().map(|description| FineLine {
                amount: None,
                description,
            }));
        }
        Ok(Account {
            status,
            loans,
            holds,
            fines,
        })
    }

    fn checkout(&mut self, patron: &PatronId, item: &ItemId) -> Answer<Loan> {
        if !self.allows(Circulation::Checkout)? {
            return Ok(Err(Circulation::Checkout.closed()));
        }
        let now = Self::now();
        let request = Request::Checkout(CheckoutRequest {
            sc_renewal_policy: false,
            no_block: false,
            date: now,
            nb_due_date: self.nb_due_date(now),
            terminal: self.terminal(),
            patron: patron.0.clone(),
            item: item.0.clone(),
            item_properties: None,
            patron_password: self.empty_pin(),
            fee_acknowledged: None,
            cancel: None,
        });
        match self.send(request)? {
            Reply::Checkout(reply) => {
                if reply.ok && reply.renewal_ok {
                    tracing::warn!(%item, "the ACS treated a checkout as a renewal");
                }
                let loan = mapping::loan(&reply, item, false);
                Ok(self.closed_since(loan, Circulation::Checkout))
            }
            other => Err(unexpected("12", &other)),
        }
    }

    fn checkin(&mut self, item: &ItemId) -> Answer<Return> {
        if !self.allows(Circulation::Checkin)? {
            return Ok(Err(Circulation::Checkin.closed()));
        }
        let now = Self::now();
        let request = Request::Checkin(CheckinRequest {
            no_block: false,
            date: now,
            return_date: now,
            current_location: self.section.location.clone().unwrap_or_default(),
            terminal: self.terminal(),
            item: item.0.clone(),
            item_properties: None,
            cancel: None,
        });
        match self.send(request)? {
            Reply::Checkin(reply) => {
                let back = mapping::checkin(&reply, item);
                Ok(self.closed_since(back, Circulation::Checkin))
            }
            other => Err(unexpected("10", &other)),
        }
    }

    fn renew(&mut self, patron: &PatronId, item: &ItemId) -> Answer<Loan> {
        let now = Self::now();
        let request = Request::Renew(RenewRequest {
            third_party_allowed: false,
            no_block: false,
            date: now,
            nb_due_date: self.nb_due_date(now),
            terminal: self.terminal(),
            patron: patron.0.clone(),
            patron_password: self.empty_pin(),
            item: Some(item.0.clone()),
            title: None,
            item_properties: None,
            fee_acknowledged: None,
        });
        match self.send(request)? {
            Reply::Renew(reply) => Ok(mapping::loan(&reply, item, true)),
            other => Err(unexpected("30", &other)),
        }
    }

    fn renew_all(&mut self, patron: &PatronId) -> Answer<RenewAllResult> {
        let request = Request::RenewAll(PatronRequest {
            date: Self::now(),
            terminal: self.terminal(),
            patron: patron.0.clone(),
            patron_password: self.empty_pin(),
        });
        match self.send(request)? {
            Reply::RenewAll(reply) => {
                let ids = |list: &[String]| list.iter().map(|i| ItemId(i.clone())).collect();
                if !reply.ok && reply.renewed.is_empty() && reply.unrenewed.is_empty() {
                    let message = reply.messages.screen_text();
                    return Ok(Err(Refusal {
                        screen_message: message,
                        ..Refusal::new(Reason::IlsRefused)
                    }));
                }
                Ok(Ok(RenewAllResult {
                    renewed: ids(&reply.renewed),
                    unrenewed: ids(&reply.unrenewed),
                    screen_message: reply.messages.screen_text(),
                }))
            }
            other => Err(unexpected("66", &other)),
        }
    }

    fn item_info(&mut self, item: &ItemId) -> Answer<ItemInfo> {
        let request = Request::ItemInformation(ItemInformationRequest {
            date: Self::now(),
            terminal: self.terminal(),
            item: item.0.clone(),
        });
        match self.send(request)? {
            Reply::ItemInformation(reply) => {
                if reply.title.is_empty() && reply.circulation_status <= 1 {
                    let message = reply.messages.screen_text();
                    return Ok(Err(Refusal {
                        screen_message: message,
                        ..Refusal::new(Reason::UnknownItem)
                    }));
                }
                Ok(Ok(ItemInfo {
                    item: item.clone(),
                    title: reply.title.clone(),
                    status: mapping::circulation(reply.circulation_status),
                    due: reply.due_date.as_deref().map(super::date::parse_due),
                }))
            }
            other => Err(unexpected("18", &other)),
        }
    }

    fn end_session(&mut self, patron: &PatronId) -> Result<(), IlsError> {
        let request = Request::EndPatronSession(PatronRequest {
            date: Self::now(),
            terminal: self.terminal(),
            patron: patron.0.clone(),
            patron_password: self.empty_pin(),
        });
        match self.send(request)? {
            Reply::EndPatronSession(_) => Ok(()),
            other => Err(unexpected("36", &other)),
        }
    }

    fn replay_checkout(
        &mut self,
        patron: &PatronId,
        item: &ItemId,
        at: NaiveDateTime,
        due: Option<NaiveDateTime>,
    ) -> Answer<Loan> {
        // No block only where the ACS says it takes store-and-forward (98 "off-line ok");
        // otherwise a normal checkout with its original date, which the ACS may refuse.
        let no_block = self.accepts_offline();
        let request = Request::Checkout(CheckoutRequest {
            sc_renewal_policy: false,
            no_block,
            date: at,
            nb_due_date: if no_block { due } else { self.nb_due_date(at) },
            terminal: self.terminal(),
            patron: patron.0.clone(),
            item: item.0.clone(),
            item_properties: None,
            patron_password: self.empty_pin(),
            fee_acknowledged: None,
            cancel: None,
        });
        match self.send(request)? {
            Reply::Checkout(reply) => Ok(mapping::loan(&reply, item, false)),
            other => Err(unexpected("12", &other)),
        }
    }

    fn replay_checkin(&mut self, item: &ItemId, at: NaiveDateTime) -> Answer<Return> {
        let request = Request::Checkin(CheckinRequest {
            no_block: self.accepts_offline(),
            date: at,
            return_date: at,
            current_location: self.section.location.clone().unwrap_or_default(),
            terminal: self.terminal(),
            item: item.0.clone(),
            item_properties: None,
            cancel: None,
        });
        match self.send(request)? {
            Reply::Checkin(reply) => Ok(mapping::checkin(&reply, item)),
            other => Err(unexpected("10", &other)),
        }
    }

    fn charged_items(&mut self, patron: &PatronId) -> Result<Vec<ItemId>, IlsError> {
        let reply = self.information(patron, None, Summary::ChargedItems)?;
        Ok(reply.items.charged.into_iter().map(ItemId).collect())
    }

    fn keep_alive(&mut self) -> Result<(), IlsError> {
        self.client.keep_alive().map_err(ils_error)
    }

    fn check_link(&mut self) -> Result<(), IlsError> {
        self.client.check().map_err(ils_error)
    }

    fn set_password(&mut self, password: Secret) {
        self.client.set_password(password);
    }

    fn rejection_hint(&self, action: crate::circ::Action) -> Option<String> {
        use crate::circ::Action;
        Some(
            if action != Action::Return && self.section.nb_due_date == NbDueDate::Blank {
                "strict ACSes reject the blank no-block due date: set [ils.sip2] nb_due_date = \"transaction-date\""
            } else {
                "the ACS's own log names the field it would not take"
            }
            .into(),
        )
    }

    fn charset_warning(&self) -> Option<String> {
        self.client.charset_warning().map(str::to_owned)
    }

    fn probe(&mut self) -> Result<Probe, IlsError> {
        self.client.check().map_err(ils_error)?;
        let at = format!("SIP2 at {}:{}", self.section.host, self.section.port);
        let Some(acs) = self.client.acs_status() else {
            return Ok(Probe::fine(format!("{at} answered")));
        };
        let mut warnings: Vec<String> = self
            .client
            .charset_warning()
            .map(str::to_owned)
            .into_iter()
            .collect();
        if !acs.online {
            warnings.push("the ACS says it is off-line".to_owned());
        }
        if !acs.checkout_ok {
            warnings.push("the ACS does not allow checkouts from this kiosk".to_owned());
        }
        if !acs.checkin_ok {
            warnings.push("the ACS does not allow checkins from this kiosk".to_owned());
        }
        let name = acs
            .library_name
            .as_deref()
            .map(|n| format!(", {n}"))
            .unwrap_or_default();
        let tls = match self.client.peer_certificate() {
            Some(der) => {
                let (summary, warning) = crate::ils::cert::describe(&der, chrono::Utc::now());
                warnings.extend(warning);
                format!("; TLS, {summary}")
            }
            None => String::new(),
        };
        Ok(Probe {
            summary: format!(
                "{at}: protocol {}, institution {}{name}; offline transactions {}{tls}",
                acs.protocol_version,
                acs.institution,
                if acs.offline_ok {
                    "accepted"
                } else {
                    "not accepted"
                },
            ),
            warnings,
        })
    }

    fn keep_alive_in(&self) -> Option<Duration> {
        Some(self.client.next_heartbeat())
    }
}
