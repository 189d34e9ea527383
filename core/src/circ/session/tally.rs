//! A visit's figures for the business statistics: when it began, its button presses and its
//! items' times, sent to the journal once when it ends (however it ends: goodbye, timeout,
//! the card-less return's pause, out of service).

use super::{Phase, Session};
use crate::circ::effect::{Action, Effect};
use crate::circ::event::Event;
use crate::circ::ils_io::JournalRequest;
use crate::circ::visit_stats::VisitRecord;

impl Session {
    /// Counts what the reader tapped (a button, the PIN's OK, the language, a feedback topic…)
    /// towards the visit under way.
    pub(super) fn note_touch(&mut self, event: &Event) {
        let tap = matches!(
            event,
            Event::Pressed(_)
                | Event::PinEntered(_)
                | Event::Language(_)
                | Event::RenewItems(_)
                | Event::IsbnTyped(_)
                | Event::Feedback(_)
                | Event::ReplyWanted(_)
        );
        if tap && self.visit.started.is_some() {
            self.visit.touches = self.visit.touches.saturating_add(1);
        }
    }

    /// Called as the visit is forgotten: keeps its figures to send with the next effects.
    pub(super) fn close_visit(&mut self) {
        let Some(started) = self.visit.started.take() else {
            return;
        };
        let signed_in = self
            .visit
            .reader
            .as_ref()
            .is_some_and(|r| r.status.is_some());
        let kind = match self.visit.outcomes.first().map(|o| o.action) {
            Some(Action::Borrow) => "borrow",
            Some(Action::Return) => "return",
            Some(Action::Renew) => "renew",
            None if signed_in => "account",
            None => "none",
        };
        self.finished_visit = Some(VisitRecord {
            kind,
            items: u32::try_from(self.visit.outcomes.len()).unwrap_or(u32::MAX),
            duration_secs: self.now.saturating_duration_since(started).as_secs(),
            touches: self.visit.touches,
            language: self.language,
            item_ms: std::mem::take(&mut self.visit.item_ms),
        });
    }

    /// Marks the start of a visit, and sends the figures of one that ended.
    pub(super) fn account_visit(&mut self, fx: &mut Vec<Effect>) {
        let at_the_machine = !matches!(
            self.phase,
            Phase::Idle | Phase::Goodbye | Phase::OutOfService
        );
        if at_the_machine && self.visit.started.is_none() {
            self.visit.started = Some(self.now);
        }
        if let Some(record) = self.finished_visit.take() {
            self.request(JournalRequest::Visit { record }, None, fx);
        }
    }
}
