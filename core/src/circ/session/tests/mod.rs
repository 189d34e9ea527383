//! Session rules, one test each: feed events, answer the ILS by hand, assert the effects.

mod ecard;
mod identify;
mod items;
mod koha_sco;
mod lifecycle;
mod offline;
mod rating;
mod rfid;
mod slot;
mod suggest;
mod tally;
mod voice;

use crate::barcode::{BarcodeRule, BarcodeRules, codabar_check_digit};
use crate::circ::policy::{OfflineMode, OfflinePolicy};
use crate::circ::types::*;
use crate::circ::*;
use crate::time::Moment;
use std::collections::VecDeque;
use std::time::Duration;

pub(super) const CARD: &str = "20234000517863";
pub(super) const PIN: &str = "4821";

/// A 14-digit Codabar barcode with the right check digit.
pub(super) fn codabar(body: &str) -> String {
    format!("{body}{}", codabar_check_digit(body).expect("digits"))
}

pub(super) fn item(n: u32) -> String {
    codabar(&format!("3023400{n:06}"))
}

pub(super) fn policy() -> Policy {
    Policy {
        barcodes: BarcodeRules {
            patron: Some(BarcodeRule::codabar14(2)),
            item: Some(BarcodeRule::codabar14(3)),
            qr: None,
        },
        email_receipts: true,
        language: Language::En,
        ..Policy::default()
    }
}

pub(super) struct Harness {
    pub session: Session,
    pub now: Moment,
    /// Requests sent and not yet answered, oldest first (end-of-session notices, ratings and
    /// suggestions, which are not waited for, excluded).
    pub pending: VecDeque<(RequestId, WorkerRequest)>,
    pub sent: Vec<WorkerRequest>,
    /// The visits' statistics the session sent (kept apart from `sent`).
    pub visits: Vec<crate::circ::visit_stats::VisitRecord>,
}

impl Harness {
    pub fn new(policy: Policy) -> Self {
        let now = Moment::ZERO;
        let mut session = Session::new(policy, now);
        let _ = session.start();
        Harness {
            session,
            now,
            pending: VecDeque::new(),
            sent: Vec::new(),
            visits: Vec::new(),
        }
    }

    pub fn send(&mut self, event: Event) -> Vec<Effect> {
        let fx = self.session.handle(event, self.now);
        for effect in &fx {
            if let Effect::Ils { id, request } = effect {
                // A visit's statistics go on their own: they are not part of a session's dialogue.
                if let WorkerRequest::Journal(JournalRequest::Visit { record }) = request {
                    self.visits.push(record.clone());
                    continue;
                }
                self.sent.push(request.clone());
                if !matches!(
                    request,
                    WorkerRequest::Ils(IlsRequest::EndSession { .. })
                        | WorkerRequest::Journal(
                            JournalRequest::Rating { .. } | JournalRequest::Suggestion { .. }
                        )
                ) {
                    self.pending.push_back((*id, request.clone()));
                }
            }
        }
        fx
    }

    pub fn scan(&mut self, code: &str) -> Vec<Effect> {
        self.send(Event::Barcode(code.into()))
    }

    pub fn press(&mut self, button: Button) -> Vec<Effect> {
        self.send(Event::Pressed(button))
    }

    pub fn pin(&mut self, pin: &str) -> Vec<Effect> {
        self.send(Event::PinEntered(Pin::new(pin)))
    }

    /// Answers the oldest request in flight.
    pub fn answer(&mut self, answer: IlsAnswer) -> Vec<Effect> {
        self.reply(Ok(answer))
    }

    pub fn reply(&mut self, reply: IlsReply) -> Vec<Effect> {
        let (id, _) = self.pending.pop_front().expect("a request in flight");
        self.send(Event::IlsReplied(id, reply))
    }

    pub fn next_request(&self) -> &WorkerRequest {
        &self.pending.front().expect("a request in flight").1
    }

    /// Lets time pass, ticking at every deadline the session asks for on the way.
    pub fn advance(&mut self, by: Duration) -> Vec<Effect> {
        let end = self.now + by;
        let mut fx = Vec::new();
        while let Some(at) = self.session.next_deadline().filter(|at| *at <= end) {
            self.now = at.max(self.now);
            fx.extend(self.send(Event::Tick));
        }
        self.now = end;
        fx.extend(self.send(Event::Tick));
        fx
    }

    pub fn screen(&self) -> Screen {
        self.session.screen()
    }

    pub fn notice(&self) -> Option<Reason> {
        self.screen().notice.map(|n| n.reason)
    }

    /// Card scanned, PIN entered and accepted by the ILS: the menu.
    pub fn sign_in(&mut self) {
        self.scan(CARD);
        self.pin(PIN);
        self.answer(IlsAnswer::Patron(patron_ok()));
        assert_eq!(self.screen().page, Page::Menu);
    }

    /// Scans an item and lets the ILS lend it.
    pub fn borrow(&mut self, code: &str) -> Vec<Effect> {
        self.scan(code);
        self.answer(IlsAnswer::Checkout(Ok(loan(code))))
    }
}

pub(super) fn patron_ok() -> PatronStatus {
    PatronStatus {
        patron: PatronId(CARD.into()),
        valid: true,
        pin_ok: Some(true),
        name: "Li Hua".into(),
        blocks: Vec::new(),
        fines: None,
        email: Some("li.hua@example.org".into()),
        screen_message: None,
    }
}

pub(super) fn due() -> Due {
    Due {
        text: "2026-12-27 23:59".into(),
        at: None,
    }
}

pub(super) fn loan(code: &str) -> Loan {
    Loan {
        item: ItemId(code.into()),
        title: format!("Title of {code}"),
        due: due(),
        screen_message: None,
        print_lines: Vec::new(),
    }
}

pub(super) fn returned(code: &str) -> Return {
    Return {
        item: ItemId(code.into()),
        title: format!("Title of {code}"),
        route: ReturnRoute::Shelf,
        screen_message: None,
    }
}

pub(super) fn refusal(reason: Reason) -> Refusal {
    Refusal::new(reason)
}

pub(super) fn outcomes(fx: &[Effect]) -> Vec<ItemOutcome> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Outcome { outcome } => Some(outcome.clone()),
            _ => None,
        })
        .collect()
}

pub(super) fn sounds(fx: &[Effect]) -> Vec<Cue> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Sound { cue } => Some(*cue),
            _ => None,
        })
        .collect()
}

pub(super) fn records(fx: &[Effect]) -> Vec<Transaction> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Recorded { transaction } => Some(transaction.clone()),
            _ => None,
        })
        .collect()
}

pub(super) fn screens(fx: &[Effect]) -> Vec<Screen> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Show { screen } => Some((**screen).clone()),
            _ => None,
        })
        .collect()
}
