//! What the session knows of the machine's parts and its link, and how it stops serving when
//! one it cannot do without fails (and starts again when it answers).

use super::{Phase, Session};
use crate::circ::effect::{Cue, Effect, ItemResult};
use crate::circ::event::Event;
use crate::circ::ils_io::Link;
use crate::circ::reason::{Reason, Refusal};

/// What the session knows of the machine and its link, whoever is at it (as the shell last
/// reported it).
pub(super) struct MachineStatus {
    /// The ILS answered last time (the kiosk works offline when it does not).
    pub(super) online: bool,
    /// The ILS refuses the kiosk's own login: out of service until it accepts it.
    pub(super) login_refused: bool,
    /// Why the machine is out of service.
    pub(super) fault: Option<String>,
    /// The receipt printer can print.
    pub(super) printer_ready: bool,
    /// The RFID item reader answers.
    pub(super) item_reader_ok: bool,
    /// The RFID card reader answers, or none is fitted: readers need not be asked for the
    /// barcode on their card.
    pub(super) card_reader_ok: bool,
    /// The barcode scanner reads, or none is fitted.
    pub(super) scanner_ok: bool,
}

impl Default for MachineStatus {
    fn default() -> Self {
        MachineStatus {
            online: true,
            login_refused: false,
            fault: None,
            printer_ready: true,
            item_reader_ok: true,
            card_reader_ok: true,
            scanner_ok: true,
        }
    }
}

/// The out-of-service code of the RFID item reader (the README's table): the self-test at
/// start and the session's own watch use the same, so either way it lifts when it answers.
pub const ITEM_READER_FAULT: &str = "RFID_READER";

/// The out-of-service code while the ILS refuses the kiosk's login; lifted when it accepts it.
pub const ILS_FAULT: &str = "ILS";

impl Session {
    /// The link as found at start, before the first screen is shown.
    pub fn start_with_link(&mut self, link: Link) {
        self.machine.online = link.is_online();
        self.machine.login_refused = link == Link::Refused;
        let mut fx = Vec::new();
        self.stop_without_ils(&mut fx);
    }

    /// The printer failed its self-test at start: no printed receipts until the shell finds it
    /// ready (`Event::PrinterReady`).
    pub fn start_without_printer(&mut self) {
        self.machine.printer_ready = false;
    }

    /// The card reader failed its self-test at start: readers are asked for the barcode on
    /// their card until it answers (`Event::CardReaderReady`).
    pub fn start_without_card_reader(&mut self) {
        self.machine.card_reader_ok = false;
    }

    /// The scanner failed its self-test at start: readers are asked to use the card reader
    /// and the pad until it reads (`Event::ScannerReady`).
    pub fn start_without_scanner(&mut self) {
        self.machine.scanner_ok = false;
    }

    /// What the shell found out about the link and the parts: kept for every reader to come,
    /// in or out of service. An item reader that answers again lifts its own fault.
    pub(super) fn machine_news(&mut self, event: &Event) {
        match *event {
            Event::LinkChanged(link) => {
                if link.is_online() != self.machine.online
                    || (link == Link::Refused) != self.machine.login_refused
                {
                    tracing::info!(link = link.as_str(), "link to the ILS changed");
                }
                self.machine.online = link.is_online();
                self.machine.login_refused = link == Link::Refused;
                if !self.machine.login_refused {
                    self.lift_fault(ILS_FAULT, "the ILS accepts the kiosk's login");
                }
            }
            Event::PrinterReady(ready) => self.machine.printer_ready = ready,
            Event::ReturnSlotFailed => self.return_slot_failed(),
            Event::CardReaderReady(ok) => self.machine.card_reader_ok = ok,
            Event::ScannerReady(ok) => self.machine.scanner_ok = ok,
            Event::ItemReaderReady(ok) => {
                self.machine.item_reader_ok = ok;
                if ok {
                    self.lift_fault(ITEM_READER_FAULT, "the RFID item reader answers again");
                }
            }
            _ => {}
        }
    }

    /// Back in service when it was out for this fault (and not for another one).
    fn lift_fault(&mut self, fault: &str, why: &str) {
        if self.phase == Phase::OutOfService && self.machine.fault.as_deref() == Some(fault) {
            tracing::info!("{why}: back in service");
            self.machine.fault = None;
            self.reset_to_idle();
        }
    }

    /// Without the item reader the machine stops serving, as when it fails at start; work in
    /// flight finishes first (a loan whose tag cannot be released is undone on its own path), so
    /// nothing the ILS did goes unrecorded.
    pub(super) fn stop_without_item_reader(&mut self, fx: &mut Vec<Effect>) {
        if !self.machine.item_reader_ok && self.phase != Phase::OutOfService && !self.busy() {
            self.out_of_service(
                ITEM_READER_FAULT,
                "the RFID item reader stopped answering",
                fx,
            );
        }
    }

    /// While the ILS refuses the kiosk's login no reader can be served, online or offline (a
    /// wrong password is a fault to fix, not an outage to ride out): out of service, once what
    /// is under way has finished.
    pub(super) fn stop_without_ils(&mut self, fx: &mut Vec<Effect>) {
        if self.machine.login_refused && self.phase != Phase::OutOfService && !self.busy() {
            self.out_of_service(
                ILS_FAULT,
                "the ILS does not accept the kiosk: its login, or its settings (the log says which)",
                fx,
            );
        }
    }

    /// A critical part failed the self-test at start: the machine does not serve, and the
    /// screen shows the code that names the part (`detail` goes to the log).
    pub fn fail_self_test(&mut self, fault: &str, detail: &str) {
        let mut fx = Vec::new();
        self.out_of_service(fault, detail, &mut fx);
    }

    /// The machine stops serving: what is under way is refused, the reader is told where to go,
    /// and a technician sees the code.
    pub(super) fn out_of_service(&mut self, fault: &str, detail: &str, fx: &mut Vec<Effect>) {
        tracing::error!(fault, detail, "out of service");
        for outcome in self
            .visit
            .outcomes
            .iter_mut()
            .filter(|o| o.result == ItemResult::Pending)
        {
            outcome.result = ItemResult::Refused {
                reason: Reason::OutOfService {
                    fault: fault.into(),
                },
            };
            fx.push(Effect::Outcome {
                outcome: outcome.clone(),
            });
        }
        self.visit.queue.clear();
        self.securing.clear();
        self.waiting = None;
        // The reader at the machine is told that what they did before it stopped stands.
        let done = self.summary_of_visit(None);
        self.notify_session_end(fx);
        self.reset_to_idle();
        if done.borrowed + done.returned + done.renewed > 0 {
            self.visit.summary = Some(done);
            self.timers.goodbye_until = Some(self.now + self.policy.goodbye);
        }
        self.phase = Phase::OutOfService;
        self.machine.fault = Some(fault.into());
        self.notice = Some(Refusal::new(Reason::OutOfService {
            fault: fault.into(),
        }));
        fx.push(Effect::Sound { cue: Cue::Problem });
    }
}
