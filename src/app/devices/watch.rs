//! Following the parts while the kiosk runs: the receipt printer's status every 30 s (a
//! printer plugged in or back is opened afresh), and an item reader that stops answering.

use super::{DeviceHub, note};
use crate::circ::Event;
use kiosk_hw::device::{Device, DeviceError};
use kiosk_hw::selftest::Level;
use std::time::{Duration, Instant};

/// How long the item reader may fail every poll before the machine stops serving: longer than
/// a glitch on the bus, shorter than a reader waiting for a book to be seen.
pub(super) const ITEM_READER_GRACE: Duration = Duration::from_secs(5);

/// How often the item reader's own check (its chip answers, its RF field is on) runs while it
/// works; while it fails, every `ITEM_READER_GRACE`.
pub(super) const ITEM_READER_CHECK: Duration = Duration::from_secs(30);

/// How often the receipt printer's status is read: paper loaded by staff brings printed
/// receipts back within this, and paper running out is noticed before a reader asks to print.
pub(super) const PRINTER_CHECK: Duration = Duration::from_secs(30);

impl DeviceHub {
    /// Whether the printer can print, as the self-test at start found it (at `now`); a printer
    /// that is not fitted cannot.
    pub fn note_printer(&mut self, passed: bool, now: Instant) {
        self.printer_ready = passed && self.machine.printer.is_some();
        self.next_printer_check = Some(now + PRINTER_CHECK);
        if !self.printer_expected() {
            tracing::info!("no receipt printer is fitted: receipts are not printed");
        }
    }

    /// A printer is fitted, or configured and waiting to be plugged in.
    pub(super) fn printer_expected(&self) -> bool {
        self.machine.printer.is_some()
            || self
                .open_failures
                .iter()
                .any(|f| f.device == Device::Printer)
    }

    /// When the devices want to be polled next whatever the readers do: the printer's check,
    /// and a failing item reader's grace running out or its next reset.
    pub fn next_check(&self) -> Option<Instant> {
        let printer = self.next_printer_check.filter(|_| self.printer_expected());
        let item_reader = match (self.item_reader_failing_since, self.item_reader_lost) {
            (Some(since), false) => Some(since + ITEM_READER_GRACE),
            (Some(_), true) => self.next_item_reader_reset,
            (None, _) => None,
        };
        printer.into_iter().chain(item_reader).min()
    }

    /// Whether the item reader passed its own check when last due: its field can be off while
    /// inventories still come back (empty).
    pub(super) fn item_reader_checks_out(&mut self, now: Instant) -> bool {
        let Some(reader) = self.machine.item_reader.as_mut() else {
            return false;
        };
        match self.next_item_reader_check {
            // The self-test at start has just checked it.
            None => self.next_item_reader_check = Some(now + ITEM_READER_CHECK),
            Some(at) if now >= at => {
                let result = reader.identify();
                self.item_reader_check_failed = result.is_err();
                // Logged once until it changes or clears.
                note(&mut self.faults, "item_reader check", result);
                let pace = if self.item_reader_check_failed {
                    ITEM_READER_GRACE
                } else {
                    ITEM_READER_CHECK
                };
                self.next_item_reader_check = Some(now + pace);
            }
            Some(_) => {}
        }
        !self.item_reader_check_failed
    }

    /// Tells the session when the item reader has failed for longer than a glitch, resets it
    /// now and then while it does, and tells the session when it answers again.
    pub(super) fn follow_item_reader(&mut self, answered: bool, now: Instant) -> Option<Event> {
        if answered {
            self.item_reader_failing_since = None;
            self.next_item_reader_reset = None;
            if self.item_reader_lost {
                self.item_reader_lost = false;
                tracing::info!("the RFID item reader answers again");
                return Some(Event::ItemReaderReady(true));
            }
            return None;
        }
        let since = *self.item_reader_failing_since.get_or_insert(now);
        if now.saturating_duration_since(since) < ITEM_READER_GRACE {
            return None;
        }
        if self.next_item_reader_reset.is_none_or(|at| now >= at) {
            self.next_item_reader_reset = Some(now + ITEM_READER_GRACE);
            if let Some(reader) = self.machine.item_reader.as_mut()
                && let Err(error) = reader.recover()
            {
                tracing::debug!(%error, "the RFID item reader did not come back after a reset");
            }
        }
        if self.item_reader_lost {
            return None;
        }
        self.item_reader_lost = true;
        tracing::error!(
            "the RFID item reader has not answered for {} s: out of service until it does",
            ITEM_READER_GRACE.as_secs()
        );
        Some(Event::ItemReaderReady(false))
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
                self.open_failures.retain(|f| f.device != Device::Printer);
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
            self.open_failures.retain(|f| f.device != Device::Printer);
            self.open_failures.push(error);
        }
    }

    /// Reads the printer's status when due; an event when it changed.
    pub(super) fn check_printer(&mut self, now: Instant) -> Option<Event> {
        if !self.printer_expected() || self.next_printer_check.is_some_and(|at| now < at) {
            return None;
        }
        self.next_printer_check = Some(now + PRINTER_CHECK);
        if !self.connect_printer() {
            // Not connected is not ready: the session was told when it was lost.
            return None;
        }
        let check = match self.machine.printer.as_mut()?.status() {
            Ok(status) => kiosk_hw::selftest::printer_check(status),
            Err(error) => {
                let check = kiosk_hw::selftest::failed_check(&error);
                self.printer_failed(error);
                check
            }
        };
        let ready = check.level != Level::Fail;
        if ready == self.printer_ready {
            return None;
        }
        self.printer_ready = ready;
        if ready {
            tracing::info!(message = %check.message, "the printer is ready again: printed receipts are back");
        } else {
            tracing::warn!(message = %check.message, "the printer cannot print: no printed receipts until it can");
        }
        Some(Event::PrinterReady(ready))
    }
}
