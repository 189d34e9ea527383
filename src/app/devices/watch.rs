//! Following the parts while the kiosk runs: the receipt printer's status every 30 s (a
//! printer plugged in or back is opened afresh), and readers that stop answering.

use super::{DeviceHub, Paper, note};
use crate::circ::Event;
use crate::circ::Moment;
use kiosk_hw::device::{Device, DeviceError};
use kiosk_hw::selftest::Level;
use std::time::Duration;

/// How long a reader may fail every poll before the session hears of it: longer than a glitch
/// on the bus, shorter than a reader waiting for a book or card to be seen.
pub(super) const READER_GRACE: Duration = Duration::from_secs(5);

/// How often the item reader's own check (its chip answers, its RF field is on) runs while it
/// works; while it fails, every `READER_GRACE`.
pub(super) const ITEM_READER_CHECK: Duration = Duration::from_secs(30);

/// How often the receipt printer's status is read: paper loaded by staff brings printed
/// receipts back within this, and paper running out is noticed before a reader asks to print.
pub(super) const PRINTER_CHECK: Duration = Duration::from_secs(30);

impl DeviceHub {
    /// Whether the printer can print, as the self-test at start found it (at `now`); a printer
    /// that is not fitted cannot.
    pub fn note_printer(&mut self, passed: bool, now: Moment) {
        self.watch.printer.ready = passed && self.machine.printer.is_some();
        self.watch.printer.next_check = Some(now + PRINTER_CHECK);
        if let Some(printer) = self.machine.printer.as_mut() {
            self.watch.printer.paper = Paper::of_status(&printer.status());
        }
        if !self.printer_expected() {
            tracing::info!("no receipt printer is fitted: receipts are not printed");
        }
    }

    /// A printer is fitted, or configured and waiting to be plugged in.
    pub(super) fn printer_expected(&self) -> bool {
        self.machine.printer.is_some() || self.awaited(Device::Printer)
    }

    /// A part that is configured but not open: it did not open at start, or it went away.
    pub(super) fn awaited(&self, device: Device) -> bool {
        self.open_failures.iter().any(|f| f.device == device)
    }

    /// A part went away: it joins those that did not open, so the technician's page says why
    /// and it is looked for again.
    fn went_away(&mut self, error: DeviceError) {
        self.open_failures.retain(|f| f.device != error.device);
        self.open_failures.push(error);
    }

    /// A part that went away (or never opened) is open again.
    fn came_back(&mut self, device: Device) {
        self.open_failures.retain(|f| f.device != device);
    }

    /// When the devices want to be polled next whatever the readers do: the printer's check,
    /// a failing reader's grace running out or its next reset, the next look for a scanner
    /// that went away.
    pub fn next_check(&self) -> Option<Moment> {
        let printer = self
            .watch
            .printer
            .next_check
            .filter(|_| self.printer_expected());
        let readers =
            [&self.watch.item_reader.polls, &self.watch.card_reader.polls].map(Streak::next_look);
        let scanner = self
            .watch
            .scanner
            .next_look
            .filter(|_| self.awaited(Device::Scanner));
        printer
            .into_iter()
            .chain(readers.into_iter().flatten())
            .chain(scanner)
            .chain(self.watch.slot.next_look())
            .min()
    }

    /// Whether the item reader passed its own check when last due: its field can be off while
    /// inventories still come back (empty).
    pub(super) fn item_reader_checks_out(&mut self, now: Moment) -> bool {
        let Some(reader) = self.machine.item_reader.as_mut() else {
            return false;
        };
        match self.watch.item_reader.next_check {
            // The self-test at start has just checked it.
            None => self.watch.item_reader.next_check = Some(now + ITEM_READER_CHECK),
            Some(at) if now >= at => {
                let result = reader.identify();
                self.watch.item_reader.check_failed = result.is_err();
                // Logged once until it changes or clears.
                note(&mut self.faults, "item_reader check", result);
                let pace = if self.watch.item_reader.check_failed {
                    READER_GRACE
                } else {
                    ITEM_READER_CHECK
                };
                self.watch.item_reader.next_check = Some(now + pace);
            }
            Some(_) => {}
        }
        !self.watch.item_reader.check_failed
    }

    /// A reader that is fitted but failed the self-test at start counts as lost from the start,
    /// so the session hears when it works again.
    pub fn note_reader_failed_at_start(&mut self, device: Device, now: Moment) {
        match device {
            Device::ItemReader => {
                self.watch.item_reader.polls = Streak::failed_at(now);
                self.watch.item_reader.check_failed = true;
                self.watch.item_reader.next_check = Some(now);
            }
            Device::CardReader => self.watch.card_reader.polls = Streak::failed_at(now),
            Device::Scanner => self.watch.scanner.lost = true,
            _ => {}
        }
    }

    /// Tells the session when the item reader has failed for longer than a glitch (it cannot
    /// serve without it), resets it now and then while it does, and tells the session when it
    /// answers again.
    pub(super) fn follow_item_reader(&mut self, answered: bool, now: Moment) -> Option<Event> {
        let (change, reset) = self.watch.item_reader.polls.update(answered, now);
        if reset
            && let Some(reader) = self.machine.item_reader.as_mut()
            && let Err(error) = reader.recover()
        {
            tracing::debug!(%error, "the RFID item reader did not come back after a reset");
        }
        match change? {
            true => tracing::info!("the RFID item reader answers again"),
            false => tracing::error!(
                "the RFID item reader has not answered for {} s: out of service until it does",
                READER_GRACE.as_secs()
            ),
        }
        change.map(Event::ItemReaderReady)
    }

    /// The same for the card reader, which the machine can serve without: readers are asked
    /// to scan their card's barcode while it is down.
    pub(super) fn follow_card_reader(&mut self, answered: bool, now: Moment) -> Option<Event> {
        let (change, _) = self.watch.card_reader.polls.update(answered, now);
        match change? {
            true => tracing::info!("the RFID card reader answers again"),
            false => tracing::error!(
                "the RFID card reader has not answered for {} s: readers are asked for the barcode",
                READER_GRACE.as_secs()
            ),
        }
        change.map(Event::CardReaderReady)
    }

    /// What the scanner read. One whose port went away (unplugged) is closed and looked for
    /// again every `READER_GRACE`; the session hears when it is lost and once it reads again.
    pub(super) fn poll_scanner(&mut self, now: Moment) -> Vec<Event> {
        let Some(scanner) = self.machine.scanner.as_mut() else {
            self.reconnect_scanner(now);
            return Vec::new();
        };
        match scanner.poll() {
            Ok(codes) => {
                note(&mut self.faults, "scanner", Ok(()));
                let mut events: Vec<Event> = Vec::new();
                if std::mem::take(&mut self.watch.scanner.lost) {
                    tracing::info!("the barcode scanner reads again");
                    events.push(Event::ScannerReady(true));
                }
                events.extend(codes.into_iter().map(Event::Barcode));
                events
            }
            Err(error) => {
                note(&mut self.faults, "scanner", Err::<(), _>(error.clone()));
                if !error.lost_contact() {
                    return Vec::new();
                }
                self.machine.scanner = None;
                self.went_away(error);
                self.watch.scanner.next_look = Some(now + READER_GRACE);
                if std::mem::replace(&mut self.watch.scanner.lost, true) {
                    return Vec::new();
                }
                tracing::error!("the barcode scanner is gone: looking for it every few seconds");
                vec![Event::ScannerReady(false)]
            }
        }
    }

    /// A card or item reader that did not open at start (or went away) is opened again every
    /// `READER_GRACE`: one connected or powered since is used without a restart, and the
    /// session hears it is back at its first answer.
    pub(super) fn reconnect_readers(&mut self, now: Moment) {
        let (config, sim) = (&self.config, self.sim.as_ref());
        if self.machine.item_reader.is_none()
            && self.awaited(Device::ItemReader)
            && let Some(reader) = open_when_due(
                &mut self.watch.item_reader.polls,
                now,
                "the RFID item reader",
                || kiosk_hw::machine::reopen_item_reader(config, sim),
            )
        {
            self.machine.item_reader = Some(reader);
            self.came_back(Device::ItemReader);
            // Its own check runs at the next poll, not in 30 s.
            self.watch.item_reader.next_check = Some(now);
        }
        let (config, sim) = (&self.config, self.sim.as_ref());
        if self.machine.card_reader.is_none()
            && self.awaited(Device::CardReader)
            && let Some(reader) = open_when_due(
                &mut self.watch.card_reader.polls,
                now,
                "the RFID card reader",
                || kiosk_hw::machine::reopen_card_reader(config, sim),
            )
        {
            self.machine.card_reader = Some(reader);
            self.came_back(Device::CardReader);
        }
    }

    /// Looks at the return flap: counts the books that go in while it is unlocked, and tells
    /// staff (the log, the parts' state, the fleet's metrics) of a flap left open or jammed.
    pub(super) fn watch_flap(&mut self, now: Moment) {
        let Some(slot) = self.machine.return_slot.as_mut() else {
            return;
        };
        let Some(open) = note(&mut self.faults, "return_slot", slot.is_open()) else {
            return;
        };
        match self.watch.slot.update(open, now) {
            Some(super::flap::FlapChange::LeftOpen { locked: true }) => tracing::error!(
                "the return flap has been open for {} s while the slot is locked: jammed, \
                 forced or its sensor failed; check the flap",
                super::flap::FLAP_STUCK.as_secs()
            ),
            Some(super::flap::FlapChange::LeftOpen { locked: false }) => tracing::warn!(
                "the return flap has been held open for {} s: a book may be stuck in it",
                super::flap::FLAP_STUCK.as_secs()
            ),
            Some(super::flap::FlapChange::Closed) => {
                tracing::info!("the return flap is closed again")
            }
            None => {}
        }
    }

    /// The slot was unlocked or locked for a reader: when locked, says how many books went in.
    pub(super) fn slot_moved(&mut self, unlocked: bool) {
        let took = self.watch.slot.set_unlocked(unlocked);
        if !unlocked {
            tracing::info!(books = took, "the return slot is locked again");
        }
    }

    /// Books that went through the return flap since start (as its sensor saw them).
    pub fn books_through_slot(&self) -> u64 {
        self.watch.slot.total()
    }

    /// Opens the scanner again when due; it counts as back once it reads.
    fn reconnect_scanner(&mut self, now: Moment) {
        if !self.awaited(Device::Scanner) || self.watch.scanner.next_look.is_some_and(|at| now < at)
        {
            return;
        }
        self.watch.scanner.next_look = Some(now + READER_GRACE);
        match kiosk_hw::machine::reopen_scanner(&self.config, self.sim.as_ref()) {
            Ok(Some(scanner)) => {
                tracing::debug!("the barcode scanner's port is open");
                self.machine.scanner = Some(scanner);
                self.came_back(Device::Scanner);
            }
            Ok(None) => {}
            Err(error) => tracing::debug!(%error, "the barcode scanner is still not there"),
        }
    }

    /// Whether a printer is open, opening one that is not (not found at start, or its port
    /// was dropped when it stopped answering: perhaps it is plugged in again now).
    pub(super) fn connect_printer(&mut self) -> bool {
        if self.machine.printer.is_some() {
            return true;
        }
        if !self.printer_expected() {
            return false;
        }
        match kiosk_hw::machine::reopen_printer(&self.config, self.sim.as_ref()) {
            Ok(Some(printer)) => {
                tracing::debug!("the receipt printer's port is open");
                self.machine.printer = Some(printer);
                self.came_back(Device::Printer);
                true
            }
            Ok(None) => false,
            Err(error) => {
                tracing::debug!(%error, "the receipt printer is still not connected");
                false
            }
        }
    }

    /// A printer that stopped answering loses its port, which is opened afresh at the next
    /// check: a USB-serial printer unplugged and plugged back is a new port, and the old one
    /// never answers again.
    pub(super) fn printer_failed(&mut self, error: DeviceError) {
        if error.lost_contact() && self.machine.printer.take().is_some() {
            tracing::warn!(%error, "the receipt printer stopped answering; looking for it again");
            self.went_away(error);
        }
    }

    /// Reads the printer's status when due; an event when it changed.
    pub(super) fn check_printer(&mut self, now: Moment) -> Option<Event> {
        if !self.printer_expected() || self.watch.printer.next_check.is_some_and(|at| now < at) {
            return None;
        }
        self.watch.printer.next_check = Some(now + PRINTER_CHECK);
        if !self.connect_printer() {
            // Not connected is not ready: the session was told when it was lost.
            return None;
        }
        let status = self.machine.printer.as_mut()?.status();
        self.watch.printer.paper = Paper::of_status(&status);
        let check = match status {
            Ok(status) => kiosk_hw::selftest::printer_check(status),
            Err(error) => {
                let check = kiosk_hw::selftest::failed_check(&error);
                self.printer_failed(error);
                check
            }
        };
        let ready = check.level != Level::Fail;
        if ready == self.watch.printer.ready {
            return None;
        }
        self.watch.printer.ready = ready;
        if ready {
            tracing::info!(message = %check.message, "the printer is ready again: printed receipts are back");
        } else {
            tracing::warn!(message = %check.message, "the printer cannot print: no printed receipts until it can");
        }
        Some(Event::PrinterReady(ready))
    }
}

/// The parts followed while the kiosk runs, one watcher each.
#[derive(Debug, Default)]
pub(super) struct Watchers {
    pub(super) slot: super::flap::FlapWatch,
    pub(super) item_reader: ItemReaderWatch,
    pub(super) card_reader: CardReaderWatch,
    pub(super) scanner: ScannerWatch,
    pub(super) printer: PrinterWatch,
}

/// The RFID item reader: its failed polls, and its own check (chip, RF field), which runs
/// apart because a reader whose field went off still reads an empty pad without an error.
#[derive(Debug, Default)]
pub(super) struct ItemReaderWatch {
    pub(super) polls: Streak,
    /// When the own check runs next.
    pub(super) next_check: Option<Moment>,
    /// It failed last time.
    pub(super) check_failed: bool,
}

/// The RFID card reader: its failed polls.
#[derive(Debug, Default)]
pub(super) struct CardReaderWatch {
    pub(super) polls: Streak,
}

/// The barcode scanner: whether the session was told it is lost, and when a lost one is looked
/// for next.
#[derive(Debug, Default)]
pub(super) struct ScannerWatch {
    pub(super) lost: bool,
    pub(super) next_look: Option<Moment>,
}

/// The receipt printer: whether it can print, as the session was last told, and when its
/// status is read next (`None`: at the next poll).
#[derive(Debug)]
pub(super) struct PrinterWatch {
    pub(super) ready: bool,
    pub(super) next_check: Option<Moment>,
    /// Its paper, as its status last said.
    pub(super) paper: Paper,
}

impl Default for PrinterWatch {
    fn default() -> Self {
        PrinterWatch {
            ready: true,
            next_check: None,
            paper: Paper::Unknown,
        }
    }
}

/// A reader that is not open, looked for when its run of failed polls makes a reset due: the
/// reader opened, or `None` (not yet there; not configured).
fn open_when_due<T: ?Sized>(
    polls: &mut Streak,
    now: Moment,
    what: &str,
    open: impl FnOnce() -> Result<Option<Box<T>>, DeviceError>,
) -> Option<Box<T>> {
    let (_, due) = polls.update(false, now);
    if !due {
        return None;
    }
    match open() {
        Ok(Some(reader)) => {
            tracing::info!("{what} is connected");
            Some(reader)
        }
        Ok(None) => None,
        Err(error) => {
            tracing::debug!(%error, "{what} is still not there");
            None
        }
    }
}

/// A reader's run of failed polls: the session hears once it lasts `READER_GRACE`, and again
/// when the reader answers; while it lasts, a reset is due every `READER_GRACE`.
#[derive(Debug, Default)]
pub(super) struct Streak {
    failing_since: Option<Moment>,
    reported: bool,
    next_reset: Option<Moment>,
}

impl Streak {
    /// A reader already reported as failing (by the self-test at start).
    fn failed_at(now: Moment) -> Streak {
        Streak {
            failing_since: Some(now),
            reported: true,
            next_reset: Some(now + READER_GRACE),
        }
    }

    /// One poll's outcome: the change to report (`Some(false)` lost, `Some(true)` back), and
    /// whether a reset is due now.
    fn update(&mut self, answered: bool, now: Moment) -> (Option<bool>, bool) {
        if answered {
            let back = std::mem::take(self).reported;
            return (back.then_some(true), false);
        }
        let since = *self.failing_since.get_or_insert(now);
        if now.saturating_duration_since(since) < READER_GRACE {
            return (None, false);
        }
        let reset = self.next_reset.is_none_or(|at| now >= at);
        if reset {
            self.next_reset = Some(now + READER_GRACE);
        }
        let lost = !std::mem::replace(&mut self.reported, true);
        (lost.then_some(false), reset)
    }

    /// The session was told the reader is lost (and not yet that it is back).
    pub(super) fn reported(&self) -> bool {
        self.reported
    }

    /// When the reader must be polled again whatever happens at the machine.
    fn next_look(&self) -> Option<Moment> {
        match (self.failing_since, self.reported) {
            (Some(since), false) => Some(since + READER_GRACE),
            (Some(_), true) => self.next_reset,
            (None, _) => None,
        }
    }
}
