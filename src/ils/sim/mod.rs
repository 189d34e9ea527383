//! The simulated ILS: an in-memory library seeded from a fixture, applying loan periods, loan
//! limits, blocks, holds and renewal limits the way a real ILS does. `kiosk demo` and the tests
//! run against it; it counts what it applied so tests can prove nothing happened twice.

pub mod seed;

use super::{Answer, Ils, IlsError};
use crate::circ::Receipt;
use crate::circ::reason::{Reason, Refusal};
use crate::circ::types::*;
use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime};
use seed::Seed;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The simulated ILS's idea of "now", in the library's local time.
pub type Clock = Arc<dyn Fn() -> NaiveDateTime + Send + Sync>;

/// The local wall clock.
pub fn system_clock() -> Clock {
    Arc::new(|| chrono::Local::now().naive_local())
}

struct Patron {
    name: String,
    pin: String,
    max_loans: u32,
    email: Option<String>,
    expires: Option<NaiveDate>,
    barred: bool,
    fines: Vec<FineLine>,
}

struct Item {
    title: String,
    loan_days: i64,
    max_renewals: u32,
    for_loan: bool,
    loan: Option<LoanState>,
    holds: Vec<Hold>,
}

struct LoanState {
    patron: PatronId,
    due: NaiveDateTime,
    renewals: u32,
}

struct Hold {
    patron: PatronId,
    ready: bool,
}

/// What the simulated ILS applied, for tests that must prove exactly-once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    pub checkouts: u32,
    pub checkins: u32,
    pub renewals: u32,
}

/// One transaction the simulated ILS applied, in order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AppliedEvent {
    pub kind: String,
    pub patron: Option<String>,
    pub item: String,
    /// The transaction's own date (the original one for replays).
    pub at: NaiveDateTime,
}

pub struct SimIls {
    currency: Currency,
    fines_limit: i64,
    terminals: Vec<seed::Terminal>,
    logged_in: bool,
    patrons: BTreeMap<PatronId, Patron>,
    items: BTreeMap<ItemId, Item>,
    clock: Clock,
    applied: Applied,
    /// Loans per patron, kept up to date (the limit check must not scan the whole library).
    loan_counts: std::collections::HashMap<PatronId, usize>,
    events: Vec<AppliedEvent>,
    /// Where applied transactions are appended as JSON lines (tests in other processes read it).
    event_log: Option<std::fs::File>,
    emails: Vec<(PatronId, Receipt)>,
}

impl SimIls {
    pub fn new(seed: &Seed, clock: Clock) -> Self {
        let now = clock();
        let days = |n: i64| shift(now.date(), n);
        let patrons = seed
            .patrons
            .iter()
            .map(|p| {
                let max_loans = seed.categories.get(&p.category).map_or(0, |c| c.max_loans);
                let fines = p
                    .fines
                    .iter()
                    .map(|f| FineLine {
                        amount: Some(Money {
                            minor: f.amount_minor,
                            currency: seed.library.currency,
                        }),
                        description: f.description.clone(),
                    })
                    .collect();
                let patron = Patron {
                    name: p.name.clone(),
                    pin: p.pin.clone(),
                    max_loans,
                    email: p.email.clone(),
                    expires: p.expires_in_days.map(days),
                    barred: p.barred,
                    fines,
                };
                (PatronId(p.card.clone()), patron)
            })
            .collect();
        let items: BTreeMap<ItemId, Item> = seed
            .items
            .iter()
            .map(|i| {
                let kind = seed.item_types.get(&i.item_type);
                let item = Item {
                    title: i.title.clone(),
                    loan_days: kind.map_or(0, |k| k.loan_days),
                    max_renewals: kind.map_or(0, |k| k.max_renewals),
                    for_loan: kind.is_some_and(|k| k.for_loan),
                    loan: i.loan.as_ref().map(|l| LoanState {
                        patron: PatronId(l.patron.clone()),
                        due: end_of_day(days(l.due_in_days)),
                        renewals: l.renewals,
                    }),
                    holds: i
                        .holds
                        .iter()
                        .map(|h| Hold {
                            patron: PatronId(h.patron.clone()),
                            ready: h.ready,
                        })
                        .collect(),
                };
                (ItemId(i.barcode.clone()), item)
            })
            .collect();
        let mut loan_counts = std::collections::HashMap::new();
        for item in items.values() {
            if let Some(loan) = &item.loan {
                *loan_counts.entry(loan.patron.clone()).or_insert(0) += 1;
            }
        }
        SimIls {
            loan_counts,
            currency: seed.library.currency,
            fines_limit: seed.library.fines_limit_minor,
            logged_in: seed.library.terminals.is_empty(),
            terminals: seed.library.terminals.clone(),
            patrons,
            items,
            clock,
            applied: Applied::default(),
            events: Vec::new(),
            event_log: None,
            emails: Vec::new(),
        }
    }

    /// Appends every applied transaction to this file as a JSON line, flushed at once.
    pub fn log_applied_to(&mut self, path: &std::path::Path) -> std::io::Result<()> {
        self.event_log = Some(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)?,
        );
        Ok(())
    }

    /// Every transaction applied so far, in order.
    pub fn events(&self) -> &[AppliedEvent] {
        &self.events
    }

    fn applied_event(
        &mut self,
        kind: &str,
        patron: Option<&PatronId>,
        item: &ItemId,
        at: NaiveDateTime,
    ) {
        let event = AppliedEvent {
            kind: kind.into(),
            patron: patron.map(|p| p.0.clone()),
            item: item.0.clone(),
            at,
        };
        if let Some(file) = self.event_log.as_mut() {
            use std::io::Write;
            let line = serde_json::to_string(&event).unwrap_or_default();
            if let Err(error) = writeln!(file, "{line}").and_then(|()| file.sync_data()) {
                tracing::error!(%error, "cannot write the simulated ILS's event log");
            }
        }
        self.events.push(event);
    }

    /// The terminal login a SIP2 ACS asks for; needed only when the seed lists terminals.
    pub fn login(&mut self, user: &str, password: &str) -> Result<(), IlsError> {
        if self.terminals.is_empty() {
            self.logged_in = true;
            return Ok(());
        }
        self.logged_in = self
            .terminals
            .iter()
            .any(|t| t.user == user && t.password == password);
        if self.logged_in {
            Ok(())
        } else {
            Err(IlsError::LoginRefused(format!(
                "user {user:?} or its password is wrong"
            )))
        }
    }

    /// Whether kiosks must log in (the seed lists terminals).
    pub fn requires_login(&self) -> bool {
        !self.terminals.is_empty()
    }

    pub fn applied(&self) -> Applied {
        self.applied
    }

    /// Receipts e-mailed so far.
    pub fn emails(&self) -> &[(PatronId, Receipt)] {
        &self.emails
    }

    /// Who has this item on loan, if anyone.
    pub fn borrower(&self, item: &ItemId) -> Option<&PatronId> {
        self.items.get(item)?.loan.as_ref().map(|l| &l.patron)
    }

    fn ensure_logged_in(&self) -> Result<(), IlsError> {
        if self.logged_in {
            Ok(())
        } else {
            Err(IlsError::LoginRefused("the kiosk has not logged in".into()))
        }
    }

    fn loans_of(&self, patron: &PatronId) -> impl Iterator<Item = (&ItemId, &Item, &LoanState)> {
        self.items.iter().filter_map(move |(id, item)| {
            let loan = item.loan.as_ref().filter(|l| &l.patron == patron)?;
            Some((id, item, loan))
        })
    }

    fn blocks(&self, id: &PatronId, patron: &Patron) -> Vec<Block> {
        let now = (self.clock)();
        let mut blocks = Vec::new();
        if patron.barred {
            blocks.extend([
                Block::ChargePrivilegesDenied,
                Block::RenewalPrivilegesDenied,
            ]);
        }
        if patron.expires.is_some_and(|d| d < now.date()) {
            blocks.push(Block::CardExpired);
        }
        if total_minor(&patron.fines) > self.fines_limit {
            blocks.push(Block::ExcessiveOutstandingFines);
        }
        if self.loan_counts.get(id).copied().unwrap_or(0) >= patron.max_loans as usize {
            blocks.push(Block::TooManyItemsCharged);
        }
        blocks
    }

    fn status(&self, id: &PatronId, pin: Option<&Pin>) -> PatronStatus {
        let Some(patron) = self.patrons.get(id) else {
            return PatronStatus {
                patron: id.clone(),
                valid: false,
                pin_ok: pin.map(|_| false),
                name: String::new(),
                blocks: Vec::new(),
                fines: None,
                email: None,
                screen_message: Some("Patron not found".into()),
            };
        };
        let total = total_minor(&patron.fines);
        PatronStatus {
            patron: id.clone(),
            valid: true,
            pin_ok: pin.map(|p| p.expose() == patron.pin),
            name: patron.name.clone(),
            blocks: self.blocks(id, patron),
            fines: (total != 0).then_some(Money {
                minor: total,
                currency: self.currency,
            }),
            email: patron.email.clone(),
            screen_message: None,
        }
    }

    /// Why this patron may not borrow or renew now, if they may not.
    fn refusal_for_patron(&self, id: &PatronId, renewing: bool) -> Option<Reason> {
        let Some(patron) = self.patrons.get(id) else {
            return Some(Reason::UnknownPatron);
        };
        let blocks = self.blocks(id, patron);
        let stopping = [
            Block::CardExpired,
            Block::ChargePrivilegesDenied,
            Block::ExcessiveOutstandingFines,
        ];
        if let Some(block) = stopping.into_iter().find(|b| blocks.contains(b)) {
            return Some(Reason::PatronBlocked { block });
        }
        if !renewing && blocks.contains(&Block::TooManyItemsCharged) {
            return Some(Reason::TooManyItems);
        }
        None
    }

    /// A checkout as of `at` (the original time of a replayed one): its due date counts from then.
    pub fn checkout_at(
        &mut self,
        patron: &PatronId,
        item_id: &ItemId,
        at: NaiveDateTime,
    ) -> Answer<Loan> {
        self.ensure_logged_in()?;
        if let Some(reason) = self.refusal_for_patron(patron, false) {
            return Ok(Err(Refusal::new(reason)));
        }
        let now = at;
        let Some(item) = self.items.get_mut(item_id) else {
            return Ok(Err(Refusal::new(Reason::UnknownItem)));
        };
        let refusal = match &item.loan {
            _ if !item.for_loan => Some(Refusal::new(Reason::NotForLoan)),
            Some(loan) if &loan.patron == patron => Some(Refusal::new(Reason::AlreadyOnLoanToYou)),
            Some(_) => Some(Refusal::new(Reason::OnLoanToAnother)),
            None if item.holds.first().is_some_and(|h| &h.patron != patron) => Some(
                Refusal::with_message(Reason::OnHoldForAnother, "Item reserved for another patron"),
            ),
            None => None,
        };
        if let Some(refusal) = refusal {
            return Ok(Err(titled(refusal, item)));
        }
        item.holds.retain(|h| &h.patron != patron);
        let due = end_of_day(shift(now.date(), item.loan_days));
        item.loan = Some(LoanState {
            patron: patron.clone(),
            due,
            renewals: 0,
        });
        self.applied.checkouts += 1;
        *self.loan_counts.entry(patron.clone()).or_insert(0) += 1;
        let (title, patron) = (item.title.clone(), patron.clone());
        self.applied_event("checkout", Some(&patron), item_id, at);
        Ok(Ok(Loan {
            item: item_id.clone(),
            title,
            due: Due::at(due),
            screen_message: None,
            print_lines: Vec::new(),
        }))
    }

    /// A return as of `at`.
    pub fn checkin_at(&mut self, item_id: &ItemId, at: NaiveDateTime) -> Answer<Return> {
        self.ensure_logged_in()?;
        let Some(item) = self.items.get_mut(item_id) else {
            return Ok(Err(Refusal::new(Reason::UnknownItem)));
        };
        let Some(loan) = item.loan.take() else {
            let refusal = Refusal::with_message(Reason::NotOnLoan, "Item was not checked out");
            return Ok(Err(titled(refusal, item)));
        };
        self.applied.checkins += 1;
        if let Some(count) = self.loan_counts.get_mut(&loan.patron) {
            *count = count.saturating_sub(1);
        }
        let route = match item.holds.first_mut() {
            Some(hold) => {
                hold.ready = true;
                ReturnRoute::HoldShelf
            }
            None => ReturnRoute::Shelf,
        };
        let title = item.title.clone();
        self.applied_event("checkin", Some(&loan.patron), item_id, at);
        Ok(Ok(Return {
            item: item_id.clone(),
            title,
            route,
            screen_message: None,
        }))
    }

    fn renew_one(&mut self, patron: &PatronId, item_id: &ItemId) -> Result<Loan, Refusal> {
        if let Some(reason) = self.refusal_for_patron(patron, true) {
            return Err(Refusal::new(reason));
        }
        let now = (self.clock)();
        let item = self
            .items
            .get_mut(item_id)
            .ok_or(Refusal::new(Reason::UnknownItem))?;
        let loan = match item.loan.as_mut() {
            Some(loan) if &loan.patron == patron => loan,
            _ => return Err(titled(Refusal::new(Reason::NotOnLoanToYou), item)),
        };
        if item.holds.iter().any(|h| &h.patron != patron) {
            return Err(titled(Refusal::new(Reason::RenewalOnHold), item));
        }
        if loan.renewals >= item.max_renewals {
            let message = format!("Renewed {} times already", loan.renewals);
            return Err(titled(
                Refusal::with_message(Reason::RenewalLimit, message),
                item,
            ));
        }
        let from = loan.due.max(now).date();
        loan.due = end_of_day(shift(from, item.loan_days));
        loan.renewals += 1;
        self.applied.renewals += 1;
        let (due, title) = (loan.due, item.title.clone());
        self.applied_event("renew", Some(patron), item_id, now);
        Ok(Loan {
            item: item_id.clone(),
            title,
            due: Due::at(due),
            screen_message: None,
            print_lines: Vec::new(),
        })
    }
}

fn total_minor(fines: &[FineLine]) -> i64 {
    fines.iter().filter_map(|f| f.amount).map(|m| m.minor).sum()
}

fn titled(refusal: Refusal, item: &Item) -> Refusal {
    Refusal {
        title: Some(item.title.clone()),
        ..refusal
    }
}

fn shift(date: NaiveDate, days: i64) -> NaiveDate {
    let magnitude = Days::new(days.unsigned_abs());
    let shifted = if days >= 0 {
        date.checked_add_days(magnitude)
    } else {
        date.checked_sub_days(magnitude)
    };
    shifted.unwrap_or(date)
}

/// Loans fall due at the end of the day, as libraries set them.
fn end_of_day(date: NaiveDate) -> NaiveDateTime {
    date.and_time(NaiveTime::from_hms_opt(23, 59, 0).unwrap_or(NaiveTime::MIN))
}

mod answers;
#[cfg(test)]
mod tests;
