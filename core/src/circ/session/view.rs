//! The screen, derived from the session's state.

use super::{Phase, Session};
use crate::circ::effect::Action;
use crate::circ::screen::{Page, Screen, ServiceNotice};

impl Session {
    /// The machine cannot serve while the ILS is unreachable and the library allows no offline
    /// service: the attract screen says so (code ILS) until the link is back.
    pub(super) fn waiting_for_ils(&self) -> bool {
        self.phase == Phase::Idle
            && !self.machine.online
            && self.policy.offline.mode == crate::circ::policy::OfflineMode::Disabled
    }

    pub(super) fn view(&self) -> Screen {
        let page = match self.phase {
            Phase::Idle if self.waiting_for_ils() => Page::OutOfService,
            Phase::Idle => Page::Idle,
            Phase::Pin => Page::Pin,
            Phase::Checking => Page::Checking,
            Phase::Menu => Page::Menu,
            Phase::Items(Action::Borrow) => Page::Borrow,
            Phase::Items(Action::Return) => Page::Return,
            Phase::Items(Action::Renew) => Page::Renew,
            Phase::Account => Page::Account,
            Phase::Receipt => Page::Receipt,
            Phase::Goodbye => Page::Goodbye,
            Phase::Suggest => Page::Suggest,
            Phase::OutOfService => Page::OutOfService,
        };
        let items = match self.phase {
            Phase::Items(action) => self
                .visit
                .outcomes
                .iter()
                .filter(|o| o.action == action)
                .cloned()
                .collect(),
            Phase::Receipt => self.visit.outcomes.clone(),
            _ => Vec::new(),
        };
        let account = match self.phase {
            Phase::Account | Phase::Items(Action::Renew) => self.visit.account.clone(),
            _ => None,
        };
        Screen {
            page,
            language: self.language,
            patron_name: self
                .patron_status()
                .map(|s| s.name.clone())
                .filter(|name| !name.is_empty()),
            notice: if self.waiting_for_ils() {
                Some(crate::circ::reason::Refusal::new(
                    crate::circ::reason::Reason::OutOfService {
                        fault: super::ILS_FAULT.into(),
                    },
                ))
            } else {
                self.notice.clone()
            },
            items,
            busy: self.busy(),
            offline: !self.machine.online,
            returns_offered: self.policy.returns,
            service_notices: self.service_notices(),
            timeout_warning: self.timeout_warning(),
            account,
            receipt_choices: if self.phase == Phase::Receipt {
                self.receipt_choices()
            } else {
                Vec::new()
            },
            summary: self
                .visit
                .summary
                .filter(|_| matches!(self.phase, Phase::Goodbye | Phase::OutOfService)),
            rating: self
                .visit
                .asking
                .filter(|_| self.phase == Phase::Goodbye)
                .map(|asking| asking.ask()),
            suggest: self.suggest_view(),
            returns_to_slot: self.return_slot.usable,
            also_borrowed: self
                .visit
                .also_borrowed
                .clone()
                .filter(|_| self.phase == Phase::Goodbye),
        }
    }

    /// Whole seconds left (rounded up) once the inactivity warning is due.
    /// What the machine cannot do now, told to every reader.
    fn service_notices(&self) -> Vec<ServiceNotice> {
        let mut notices = Vec::new();
        if !self.machine.printer_ready {
            notices.push(ServiceNotice::NoPrintedReceipts);
        }
        if !self.machine.card_reader_ok {
            notices.push(ServiceNotice::NoCardReader);
        }
        if !self.machine.scanner_ok {
            notices.push(ServiceNotice::NoScanner);
        }
        notices
    }

    fn timeout_warning(&self) -> Option<u32> {
        if !self.times_out() || self.busy() {
            return None;
        }
        let left = self.timeout_at().checked_duration_since(self.now)?;
        if left > self.policy.inactivity_warning || left.is_zero() {
            return None;
        }
        let secs = left.as_millis().div_ceil(1000);
        Some(u32::try_from(secs).unwrap_or(u32::MAX))
    }
}
