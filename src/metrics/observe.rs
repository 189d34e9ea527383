//! The session loop's side of the metrics: what its effects and its devices say, turned into
//! counts and states. Only the effects' kinds, actions, reasons' codes and the machine's state
//! are read here — never an item, a patron or a title.

use super::{Metrics, Outcome};
use crate::app::devices::{DeviceHub, Paper, PartState};
use crate::circ::effect::ItemResult;
use crate::circ::screen::{Page, Screen};
use crate::circ::{Effect, JournalRequest, Link, Reason, WorkerRequest};
use kiosk_hw::device::Device;
use std::sync::Arc;

/// Held by the session loop: the metrics, and what it last told them.
pub struct Tap {
    metrics: Arc<Metrics>,
    /// The reader is served offline (as the last screen said): refusals count under it.
    offline: bool,
    parts: Vec<(Device, PartState)>,
    paper: Option<Paper>,
    /// Books through the return slot already counted.
    slot_books: u64,
}

impl Tap {
    pub fn new(metrics: Arc<Metrics>) -> Tap {
        Tap {
            metrics,
            offline: false,
            parts: Vec::new(),
            paper: None,
            slot_books: 0,
        }
    }

    pub fn effect(&mut self, effect: &Effect) {
        match effect {
            Effect::Recorded { transaction } => {
                let outcome = if transaction.offline {
                    Outcome::Queued
                } else {
                    Outcome::Done
                };
                self.metrics
                    .transaction(transaction.action, outcome, transaction.offline);
            }
            Effect::Outcome { outcome } => {
                if let ItemResult::Refused { reason } = &outcome.result {
                    self.metrics.refused(outcome.action, reason, self.offline);
                }
            }
            Effect::Show { screen } => self.screen(screen),
            Effect::Ils {
                request: WorkerRequest::Journal(JournalRequest::Visit { record }),
                ..
            } => self.metrics.visit(record),
            _ => {}
        }
    }

    /// The ILS link changed, as the worker found it.
    pub fn link(&self, link: Link) {
        self.metrics.ils_up(link.is_online());
    }

    fn screen(&mut self, screen: &Screen) {
        self.offline = screen.offline;
        let fault = match (&screen.page, screen.notice.as_ref().map(|n| &n.reason)) {
            (Page::OutOfService, Some(Reason::OutOfService { fault })) => Some(fault.as_str()),
            (Page::OutOfService, _) => Some("OTHER"),
            _ => None,
        };
        self.metrics.service(fault);
    }

    /// The parts and the paper, told again only when they changed, and the books that went
    /// through the return slot since the last look.
    pub fn machine(&mut self, devices: &DeviceHub) {
        let books = devices.books_through_slot();
        if books > self.slot_books {
            self.metrics.slot_books(books - self.slot_books);
            self.slot_books = books;
        }
        let parts = devices.part_states();
        let paper = devices.paper();
        if parts != self.parts || paper != self.paper {
            self.metrics.parts(&parts, paper);
            self.parts = parts;
            self.paper = paper;
        }
    }
}
