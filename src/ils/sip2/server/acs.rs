//! The ACS side for the simulated ILS: SIP2 requests answered from a [`SimIls`], written the
//! way real ACSes write them (refusals as screen messages, due dates in the SIP2 form).

use super::super::Tri;
use super::super::date;
use super::super::replies::*;
use super::super::requests::*;
use crate::circ::reason::Refusal;
use crate::circ::types::*;
use crate::ils::sim::SimIls;
use crate::ils::{Answer, Ils, IlsError};
use chrono::NaiveDateTime;

#[derive(Debug, Clone)]
pub struct AcsSettings {
    pub institution: String,
    pub library_name: String,
    /// Announce (in 98) that store-and-forward transactions with `no block = Y` are accepted.
    pub offline_ok: bool,
}

pub struct Acs {
    pub(super) sim: SimIls,
    pub(super) settings: AcsSettings,
    /// What its status (98) says this terminal may do; a library closes circulation at a
    /// terminal during a stocktake or after hours. Both on unless [`Acs::set_circulation`].
    checkouts: bool,
    checkins: bool,
}

fn messages(screen: Option<String>, print: Vec<String>) -> Messages {
    Messages {
        screen: screen.into_iter().collect(),
        print,
    }
}

/// What the reader should read about a refusal: the ILS's words, or the kiosk's own.
fn words(refusal: &Refusal) -> Option<String> {
    refusal
        .screen_message
        .clone()
        .or_else(|| Some(refusal.reason.explain()))
}

fn due_text(due: &Due) -> String {
    due.at.map_or_else(|| due.text.clone(), date::format)
}

impl Acs {
    pub fn new(sim: SimIls, settings: AcsSettings) -> Self {
        Acs {
            sim,
            settings,
            checkouts: true,
            checkins: true,
        }
    }

    /// Allows or forbids checkouts and checkins from now on: the status says so, and a request
    /// sent anyway is refused, as a real ACS does.
    pub fn set_circulation(&mut self, checkouts: bool, checkins: bool) {
        self.checkouts = checkouts;
        self.checkins = checkins;
    }

    fn closed(what: &str) -> Refusal {
        Refusal::with_message(
            crate::circ::Reason::IlsRefused,
            format!("{what} not allowed at this terminal"),
        )
    }

    fn now(&self) -> Option<NaiveDateTime> {
        Some(chrono::Local::now().naive_local())
    }

    /// The reply to a request; `None` when the ILS refuses to serve at all (not logged in).
    pub fn handle(&mut self, request: Request) -> Result<Reply, IlsError> {
        let institution = self.settings.institution.clone();
        Ok(match request {
            Request::Login(login) => Reply::Login {
                ok: self.sim.login(&login.user, login.password.expose()).is_ok(),
            },
            Request::ScStatus(_) => Reply::AcsStatus(AcsStatus {
                online: true,
                checkin_ok: self.checkins,
                checkout_ok: self.checkouts,
                renewal_policy: true,
                status_update_ok: false,
                offline_ok: self.settings.offline_ok,
                timeout_tenths: Some(100),
                retries: Some(3),
                date: self.now(),
                protocol_version: "2.00".into(),
                institution,
                library_name: Some(self.settings.library_name.clone()),
                supported_messages: "YYYYYYYYYYYNYNYN".into(),
                terminal_location: None,
                messages: Messages::default(),
            }),
            Request::PatronStatus(m) => {
                let pin = m.patron_password.filter(|p| !p.is_empty());
                let status = self
                    .sim
                    .patron_status(&PatronId(m.patron.clone()), pin.as_ref())?;
                Reply::PatronStatus(PatronStatusReply {
                    status: PatronFlags::from_blocks(&status.blocks),
                    language: m.language,
                    date: self.now(),
                    institution,
                    patron: m.patron,
                    personal_name: status.name.clone(),
                    valid_patron: Some(status.valid),
                    valid_password: status.pin_ok,
                    currency: status.fines.map(|f| f.currency.as_str().to_owned()),
                    fee_amount: status.fines.map(amount),
                    messages: messages(patron_words(&status), Vec::new()),
                })
            }
            Request::PatronInformation(m) => self.patron_information(m)?,
            Request::Checkout(m) => {
                let answer = match self.checkouts {
                    true => self
                        .sim
                        .checkout(&PatronId(m.patron.clone()), &ItemId(m.item.clone())),
                    false => Ok(Err(Self::closed("Checkout"))),
                };
                Reply::Checkout(self.circulation(answer, m.patron, m.item)?)
            }
            Request::Renew(m) => {
                let item = m.item.clone().unwrap_or_default();
                let answer = self
                    .sim
                    .renew(&PatronId(m.patron.clone()), &ItemId(item.clone()));
                Reply::Renew(self.circulation(answer, m.patron, item)?)
            }
            Request::Checkin(m) => self.checkin(m)?,
            Request::RenewAll(m) => {
                let answer = self.sim.renew_all(&PatronId(m.patron))?;
                let (renewed, unrenewed, screen) = match answer {
                    Ok(r) => (r.renewed, r.unrenewed, r.screen_message),
                    Err(refusal) => (Vec::new(), Vec::new(), words(&refusal)),
                };
                let list = |ids: Vec<ItemId>| ids.into_iter().map(|i| i.0).collect::<Vec<_>>();
                Reply::RenewAll(RenewAllReply {
                    ok: true,
                    renewed_count: Some(renewed.len() as u32),
                    unrenewed_count: Some(unrenewed.len() as u32),
                    date: self.now(),
                    institution,
                    renewed: list(renewed),
                    unrenewed: list(unrenewed),
                    messages: messages(screen, Vec::new()),
                })
            }
            Request::EndPatronSession(m) => {
                self.sim.end_session(&PatronId(m.patron.clone()))?;
                Reply::EndPatronSession(EndSessionReply {
                    end_session: true,
                    date: self.now(),
                    institution,
                    patron: m.patron,
                    messages: Messages::default(),
                })
            }
            Request::FeePaid(m) => Reply::FeePaid(FeePaidReply {
                accepted: false,
                date: self.now(),
                institution,
                patron: m.patron,
                transaction_id: m.transaction_id,
                messages: messages(
                    Some("Payments are not taken at this terminal".into()),
                    Vec::new(),
                ),
            }),
            Request::ItemInformation(m) => self.item_information(m.item)?,
            Request::ItemStatusUpdate(m) => Reply::ItemStatusUpdate(ItemStatusUpdateReply {
                ok: false,
                date: self.now(),
                item: m.item,
                title: None,
                item_properties: None,
                messages: messages(
                    Some("Item properties cannot be changed here".into()),
                    Vec::new(),
                ),
            }),
            // The server answers 97 with the last reply before it gets here.
            Request::ResendLastReply => Reply::ResendLastRequest,
        })
    }

    fn circulation(
        &self,
        answer: Answer<Loan>,
        patron: String,
        item: String,
    ) -> Result<CirculationReply, IlsError> {
        let (ok, title, due, screen, print) = match answer? {
            Ok(loan) => (
                true,
                loan.title,
                Some(due_text(&loan.due)),
                loan.screen_message,
                loan.print_lines,
            ),
            Err(refusal) => (
                false,
                refusal.title.clone().unwrap_or_default(),
                None,
                words(&refusal),
                Vec::new(),
            ),
        };
        Ok(CirculationReply {
            ok,
            renewal_ok: false,
            magnetic_media: Tri::No,
            desensitize: if ok { Tri::Yes } else { Tri::No },
            date: self.now(),
            institution: self.settings.institution.clone(),
            patron,
            item,
            title,
            due_date: due,
            fee_type: None,
            security_inhibit: None,
            currency: None,
            fee_amount: None,
            media_type: None,
            item_properties: None,
            transaction_id: None,
            messages: messages(screen, print),
        })
    }

    fn checkin(&mut self, m: CheckinRequest) -> Result<Reply, IlsError> {
        let answer = match self.checkins {
            true => self
                .sim
                .checkin_at(&ItemId(m.item.clone()), m.return_date)?,
            false => Err(Self::closed("Checkin")),
        };
        let (ok, title, route, screen) = match answer {
            Ok(back) => (true, Some(back.title), back.route, back.screen_message),
            Err(refusal) => (
                false,
                refusal.title.clone(),
                ReturnRoute::Shelf,
                words(&refusal),
            ),
        };
        let (alert_type, destination, screen) = match &route {
            ReturnRoute::Shelf | ReturnRoute::ReturnBin => (None, None, screen),
            ReturnRoute::HoldShelf => (
                Some("01"),
                None,
                screen.or(Some(
                    "Item on hold for another patron: to the hold shelf".into(),
                )),
            ),
            ReturnRoute::Transfer { to } => (Some("04"), Some(to.clone()), screen),
        };
        Ok(Reply::Checkin(CheckinReply {
            ok,
            resensitize: ok,
            magnetic_media: Tri::No,
            alert: alert_type.is_some(),
            date: self.now(),
            institution: self.settings.institution.clone(),
            item: m.item,
            permanent_location: "Stacks".into(),
            title,
            sort_bin: None,
            patron: None,
            media_type: None,
            item_properties: None,
            alert_type: alert_type.map(str::to_owned),
            destination,
            messages: messages(screen, Vec::new()),
        }))
    }

    fn patron_information(&mut self, m: PatronInformationRequest) -> Result<Reply, IlsError> {
        let patron = PatronId(m.patron.clone());
        let pin = m.patron_password.filter(|p| !p.is_empty());
        let account = self.sim.account(&patron, pin.as_ref())?;
        let status = &account.status;
        let (ready, waiting): (Vec<_>, Vec<_>) = account.holds.iter().partition(|h| h.ready);
        let overdue: Vec<String> = account
            .loans
            .iter()
            .filter(|l| l.overdue)
            .map(|l| l.item.0.clone())
            .collect();
        let count = |n: usize| Some(n as u32);
        let counts = [
            count(ready.len()),
            count(overdue.len()),
            count(account.loans.len()),
            count(account.fines.len()),
            Some(0),
            count(waiting.len()),
        ];
        let mut items = ItemLists::default();
        match m.summary {
            Summary::HoldItems => items.hold = ready.iter().map(|h| h.title.clone()).collect(),
            Summary::OverdueItems => items.overdue = overdue,
            Summary::ChargedItems => {
                items.charged = account.loans.iter().map(|l| l.item.0.clone()).collect()
            }
            Summary::FineItems => {
                items.fine = account
                    .fines
                    .iter()
                    .map(|f| match f.amount {
                        Some(money) => format!("{} {}", amount(money), f.description),
                        None => f.description.clone(),
                    })
                    .collect();
            }
            Summary::UnavailableHolds => {
                items.unavailable_hold = waiting.iter().map(|h| h.title.clone()).collect()
            }
            Summary::RecallItems | Summary::None => {}
        }
        let window = |list: &mut Vec<String>| {
            let start = m.start_item.unwrap_or(1).max(1) as usize - 1;
            let end = m
                .end_item
                .map_or(list.len(), |e| e as usize)
                .min(list.len());
            *list = list
                .get(start..end.max(start))
                .map(<[String]>::to_vec)
                .unwrap_or_default();
        };
        for list in [
            &mut items.hold,
            &mut items.overdue,
            &mut items.charged,
            &mut items.fine,
            &mut items.unavailable_hold,
        ] {
            window(list);
        }
        Ok(Reply::PatronInformation(PatronInformationReply {
            status: PatronFlags::from_blocks(&status.blocks),
            language: m.language,
            date: self.now(),
            counts,
            institution: self.settings.institution.clone(),
            patron: m.patron,
            personal_name: status.name.clone(),
            hold_items_limit: None,
            overdue_items_limit: None,
            charged_items_limit: None,
            valid_patron: Some(status.valid),
            valid_password: status.pin_ok,
            currency: status.fines.map(|f| f.currency.as_str().to_owned()),
            fee_amount: status.fines.map(amount),
            fee_limit: None,
            items,
            home_address: None,
            email: status.email.clone(),
            phone: None,
            messages: messages(patron_words(status), Vec::new()),
        }))
    }

    fn item_information(&mut self, item: String) -> Result<Reply, IlsError> {
        let answer = self.sim.item_info(&ItemId(item.clone()))?;
        let (status, title, due, screen) = match answer {
            Ok(info) => {
                let code = match info.status {
                    ItemCirculation::Available => 3,
                    ItemCirculation::OnLoan => 4,
                    ItemCirculation::OnHoldShelf => 8,
                    ItemCirculation::NotForLoan | ItemCirculation::Other => 1,
                };
                (code, info.title, info.due.as_ref().map(due_text), None)
            }
            Err(refusal) => (1, String::new(), None, words(&refusal)),
        };
        Ok(Reply::ItemInformation(ItemInformationReply {
            circulation_status: status,
            security_marker: "02".into(),
            fee_type: "01".into(),
            date: self.now(),
            hold_queue_length: None,
            due_date: due,
            recall_date: None,
            hold_pickup_date: None,
            item,
            title,
            owner: Some(self.settings.institution.clone()),
            currency: None,
            fee_amount: None,
            media_type: None,
            permanent_location: None,
            current_location: None,
            item_properties: None,
            messages: messages(screen, Vec::new()),
        }))
    }
}

fn amount(money: Money) -> String {
    let sign = if money.minor < 0 { "-" } else { "" };
    let abs = money.minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Words about a patron that no SIP2 flag carries.
fn patron_words(status: &PatronStatus) -> Option<String> {
    if !status.valid {
        return Some("Patron not found".into());
    }
    status
        .blocks
        .contains(&Block::CardExpired)
        .then(|| "Your library card has expired".into())
}
