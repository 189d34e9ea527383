//! Buttons, the account pages, the receipt choice and the end of a session.

use super::{Finishing, Phase, Session, Waiting};
use crate::circ::effect::{Action, Cue, Effect, ItemResult, Receipt, ReceiptLine};
use crate::circ::event::Button;
use crate::circ::ils_io::{IlsAnswer, IlsError, IlsReply, IlsRequest, RequestId};
use crate::circ::reason::Reason;
use crate::circ::satisfaction::VisitKind;
use crate::circ::screen::{ReceiptChoice, Summary};
use crate::circ::types::ReturnRoute;

impl Session {
    pub(super) fn pressed(&mut self, button: Button, fx: &mut Vec<Effect>) {
        let signed_in = self
            .visit
            .reader
            .as_ref()
            .is_some_and(|r| r.status.is_some());
        match (self.phase, button) {
            (Phase::Pin, Button::Cancel) => self.reset_to_idle(),
            (Phase::Idle | Phase::Menu, Button::Suggest) => self.open_suggestions(),
            (Phase::Suggest, Button::Confirm) => self.confirm_isbn(fx),
            (Phase::Suggest, Button::Back) => self.close_suggestions(),
            (Phase::Suggest, Button::Cancel) if !signed_in => self.reset_to_idle(),
            (Phase::Suggest, Button::Cancel) => {
                self.visit.finishing = Some(Finishing::NoReceipt);
            }
            (Phase::Menu, Button::Borrow) => self.phase = Phase::Items(Action::Borrow),
            (Phase::Menu, Button::Return) if !self.policy.returns => {
                self.tell(Reason::ReturnsNotHere, fx)
            }
            (Phase::Menu, Button::Return) => self.phase = Phase::Items(Action::Return),
            (Phase::Menu, Button::Renew) if !self.machine.online => {
                self.tell(Reason::RenewOffline, fx)
            }
            (Phase::Menu, Button::Account) if !self.machine.online => {
                self.tell(Reason::AccountOffline, fx)
            }
            (Phase::Menu, Button::Renew) => {
                self.phase = Phase::Items(Action::Renew);
                self.fetch_account(fx);
            }
            (Phase::Menu, Button::Account) => {
                self.phase = Phase::Account;
                self.fetch_account(fx);
            }
            (Phase::Items(_) | Phase::Account, Button::Back) if signed_in && !self.busy() => {
                self.phase = Phase::Menu;
            }
            (Phase::Items(Action::Renew), Button::RenewAll) if !self.busy() => self.renew_all(fx),
            (Phase::Items(_) | Phase::Menu | Phase::Account, Button::Done) => {
                self.visit.finishing = Some(Finishing::WithReceipt);
            }
            (Phase::Items(_), Button::Back | Button::Cancel) if !signed_in => {
                self.visit.finishing = Some(Finishing::NoReceipt);
            }
            (Phase::Items(_) | Phase::Menu | Phase::Account | Phase::Receipt, Button::Cancel) => {
                self.visit.finishing = Some(Finishing::NoReceipt);
            }
            (Phase::Receipt, Button::PrintReceipt | Button::EmailReceipt | Button::NoReceipt) => {
                self.receipt_chosen(button, fx)
            }
            (phase, button) => tracing::debug!(?phase, ?button, "button ignored on this page"),
        }
    }

    pub(super) fn ils_replied(&mut self, id: RequestId, reply: IlsReply, fx: &mut Vec<Effect>) {
        let waiting = match self.waiting.take() {
            Some((expected, waiting)) if expected == id => waiting,
            other => {
                // End-of-session notices are not waited for; nothing else arrives unasked.
                self.waiting = other;
                tracing::debug!(?id, "reply not waited for");
                return;
            }
        };
        // The reader gets the full inactivity time to read what the ILS said.
        self.timers.last_activity = self.now;
        match waiting {
            Waiting::Identify => self.identified(reply, fx),
            Waiting::Account => self.account_loaded(reply, fx),
            Waiting::Item(queued) => self.item_replied(queued, reply, fx),
            Waiting::Offline(queued) => self.offline_replied(queued, reply, fx),
            Waiting::RenewAll => self.renew_all_replied(reply, fx),
            Waiting::Email => self.email_replied(reply, fx),
            Waiting::Token(card) => self.token_checked(card, reply, fx),
            Waiting::AlsoBorrowed(finishing) => self.also_borrowed_replied(finishing, reply, fx),
        }
    }

    pub(super) fn fetch_account(&mut self, fx: &mut Vec<Effect>) {
        let Some(reader) = self.visit.reader.as_ref() else {
            return;
        };
        let request = IlsRequest::Account {
            patron: reader.id.clone(),
            pin: reader.pin.clone(),
        };
        self.request(request, Some(Waiting::Account), fx);
    }

    fn account_loaded(&mut self, reply: IlsReply, fx: &mut Vec<Effect>) {
        match reply {
            Ok(IlsAnswer::Account(account)) => self.visit.account = Some(account),
            Err(IlsError::Storage(error)) => self.out_of_service("STORAGE", &error, fx),
            other => {
                let mut reason = Reason::IlsUnavailable;
                if let Err(error) = &other {
                    tracing::warn!(%error, "account request failed");
                    if error.is_link_failure() {
                        self.machine.online = false;
                        reason = Reason::AccountOffline;
                    }
                }
                self.tell(reason, fx);
                if self.visit.account.is_none() {
                    self.phase = Phase::Menu;
                }
            }
        }
    }

    /// "Done" once the items are through: the receipt choice when there is something to put on
    /// a receipt, otherwise goodbye.
    pub(super) fn complete_finish(&mut self, finishing: Finishing, fx: &mut Vec<Effect>) {
        if self.visit.reader.is_none() {
            return self.end_session(None, fx);
        }
        if self.ask_also_borrowed(finishing, fx) {
            return;
        }
        let choices = self.receipt_choices();
        let anything = self.visit.outcomes.iter().any(|o| o.succeeded());
        match (finishing, anything, choices.as_slice()) {
            (Finishing::WithReceipt, true, [_, _, ..]) => self.phase = Phase::Receipt,
            (Finishing::WithReceipt, true, [ReceiptChoice::Print]) => {
                fx.push(Effect::Print {
                    receipt: self.receipt(),
                });
                self.end_session(Some(ReceiptChoice::Print), fx);
            }
            _ => self.end_session(None, fx),
        }
    }

    /// The receipt choices this reader gets: e-mail only with an address and an ILS that can,
    /// print only while the printer can.
    pub(super) fn receipt_choices(&self) -> Vec<ReceiptChoice> {
        let has_email = self.patron_status().is_some_and(|s| s.email.is_some());
        let email_ok = self.policy.email_receipts
            && has_email
            && !self.visit.email_failed
            && self.machine.online;
        self.policy
            .receipt_choices
            .iter()
            .copied()
            .filter(|c| match c {
                ReceiptChoice::Email => email_ok,
                ReceiptChoice::Print => self.machine.printer_ready,
                ReceiptChoice::None => true,
            })
            .collect()
    }

    fn receipt_chosen(&mut self, button: Button, fx: &mut Vec<Effect>) {
        let choice = match button {
            Button::PrintReceipt => ReceiptChoice::Print,
            Button::EmailReceipt => ReceiptChoice::Email,
            _ => ReceiptChoice::None,
        };
        if !self.receipt_choices().contains(&choice) || self.busy() {
            return;
        }
        match choice {
            ReceiptChoice::Print => {
                fx.push(Effect::Print {
                    receipt: self.receipt(),
                });
                self.end_session(Some(choice), fx);
            }
            ReceiptChoice::Email => {
                if let Some(patron) = self.visit.reader.as_ref().map(|r| r.id.clone()) {
                    let receipt = self.receipt();
                    let request = IlsRequest::EmailReceipt { patron, receipt };
                    self.request(request, Some(Waiting::Email), fx);
                }
            }
            ReceiptChoice::None => self.end_session(Some(choice), fx),
        }
    }

    fn email_replied(&mut self, reply: IlsReply, fx: &mut Vec<Effect>) {
        match reply {
            Ok(IlsAnswer::ReceiptEmailed(Ok(()))) => {
                self.end_session(Some(ReceiptChoice::Email), fx)
            }
            other => {
                tracing::warn!(?other, "e-mail receipt failed");
                self.visit.email_failed = true;
                self.tell(Reason::EmailFailed, fx);
            }
        }
    }

    fn receipt(&self) -> Receipt {
        let lines = self
            .visit
            .outcomes
            .iter()
            .filter(|o| o.succeeded())
            .map(|o| ReceiptLine {
                action: o.action,
                item: o.item.clone(),
                title: o.title.clone().unwrap_or_default(),
                due: match &o.result {
                    ItemResult::Borrowed { due, .. } => Some(due.clone()),
                    ItemResult::Renewed { due } => due.clone(),
                    _ => None,
                },
            })
            .collect();
        let offline = self.visit.outcomes.iter().any(|o| {
            matches!(
                o.result,
                ItemResult::Borrowed { offline: true, .. }
                    | ItemResult::Returned {
                        route: ReturnRoute::ReturnBin
                    }
            )
        });
        Receipt {
            offline,
            patron_name: self
                .patron_status()
                .map(|s| s.name.clone())
                .unwrap_or_default(),
            lines,
            ils_lines: self.visit.print_lines.clone(),
            also_borrowed: self.visit.also_borrowed.clone(),
        }
    }

    /// Tells the ILS a signed-in reader's session is over; the reply is not waited for.
    pub(super) fn notify_session_end(&mut self, fx: &mut Vec<Effect>) {
        if let Some(reader) = self.visit.reader.as_ref().filter(|r| r.status.is_some()) {
            let request = IlsRequest::EndSession {
                patron: reader.id.clone(),
            };
            self.request(request, None, fx);
        }
    }

    /// Tells the ILS the session is over, forgets the reader, and says goodbye.
    pub(super) fn end_session(&mut self, receipt: Option<ReceiptChoice>, fx: &mut Vec<Effect>) {
        self.notify_session_end(fx);
        let summary = self.summary_of_visit(receipt);
        let kind = self.visit_kind();
        let also_borrowed = self.visit.also_borrowed.take();
        self.reset_to_idle();
        self.phase = Phase::Goodbye;
        self.visit.summary = Some(summary);
        self.visit.also_borrowed = also_borrowed;
        self.maybe_ask(kind, summary);
        self.timers.goodbye_until = Some(self.now + self.policy.goodbye);
        fx.push(Effect::Sound { cue: Cue::Success });
    }

    /// The first thing the reader did with books; the account when they did nothing else.
    fn visit_kind(&self) -> VisitKind {
        match self.visit.outcomes.first().map(|o| o.action) {
            Some(Action::Borrow) => VisitKind::Borrow,
            Some(Action::Return) => VisitKind::Return,
            Some(Action::Renew) => VisitKind::Renew,
            None => VisitKind::Account,
        }
    }

    /// What the reader's visit came to, item by item.
    pub(super) fn summary_of_visit(&self, receipt: Option<ReceiptChoice>) -> Summary {
        let count = |f: &dyn Fn(&ItemResult) -> bool| {
            u32::try_from(self.visit.outcomes.iter().filter(|o| f(&o.result)).count())
                .unwrap_or(u32::MAX)
        };
        Summary {
            borrowed: count(&|r| matches!(r, ItemResult::Borrowed { .. })),
            returned: count(&|r| matches!(r, ItemResult::Returned { .. })),
            renewed: count(&|r| matches!(r, ItemResult::Renewed { .. })),
            refused: count(&|r| matches!(r, ItemResult::Refused { .. })),
            receipt,
        }
    }
}
