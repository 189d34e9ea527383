//! How each part is doing, as a library's monitoring reads it: one state per part fitted (or
//! configured and not found), and the receipt printer's paper. Read off what the hub already
//! follows; nothing here talks to a device, so reading it costs the session nothing.

use super::DeviceHub;
use kiosk_hw::device::{Device, DeviceError, Fault, PrinterStatus};

/// A part's state. `Failed` is what the session was told (a reader silent past its grace, a
/// printer that cannot print, a slot that would not move); a glitch of one poll is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartState {
    Ok,
    /// Works, but needs a technician soon (paper running low).
    Warning,
    Failed,
    /// Configured but not found (unplugged, or failed to open at start).
    Missing,
}

impl PartState {
    pub const ALL: [PartState; 4] = [
        PartState::Ok,
        PartState::Warning,
        PartState::Failed,
        PartState::Missing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PartState::Ok => "ok",
            PartState::Warning => "warning",
            PartState::Failed => "failed",
            PartState::Missing => "missing",
        }
    }
}

/// The receipt printer's paper, as its status last said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Paper {
    Ok,
    Low,
    Out,
    /// Not read yet, or the printer cannot say (cover open, not answering).
    #[default]
    Unknown,
}

impl Paper {
    pub const ALL: [Paper; 4] = [Paper::Ok, Paper::Low, Paper::Out, Paper::Unknown];

    pub fn as_str(self) -> &'static str {
        match self {
            Paper::Ok => "ok",
            Paper::Low => "low",
            Paper::Out => "out",
            Paper::Unknown => "unknown",
        }
    }

    pub(super) fn of_status(status: &Result<PrinterStatus, DeviceError>) -> Paper {
        match status {
            Ok(PrinterStatus::Ready) => Paper::Ok,
            Ok(PrinterStatus::PaperLow) => Paper::Low,
            Ok(PrinterStatus::PaperOut) => Paper::Out,
            Ok(PrinterStatus::CoverOpen) => Paper::Unknown,
            Err(error) => Paper::of_error(error),
        }
    }

    pub(super) fn of_error(error: &DeviceError) -> Paper {
        match error.fault {
            Fault::PaperOut => Paper::Out,
            _ => Paper::Unknown,
        }
    }
}

/// The parts in the order monitoring lists them.
pub const PARTS: [Device; 6] = [
    Device::ItemReader,
    Device::CardReader,
    Device::Scanner,
    Device::Printer,
    Device::ReturnSlot,
    Device::Indicators,
];

/// A part's name as a label value (a closed set: the parts a kiosk can have).
pub fn part_label(device: Device) -> &'static str {
    match device {
        Device::ItemReader => "item_reader",
        Device::CardReader => "card_reader",
        Device::Scanner => "scanner",
        Device::Printer => "printer",
        Device::ReturnSlot => "return_slot",
        Device::Indicators => "indicators",
    }
}

impl DeviceHub {
    /// Each part fitted or expected, with its state; parts the machine has not got are left
    /// out.
    pub fn part_states(&self) -> Vec<(Device, PartState)> {
        let watch = &self.watch;
        PARTS
            .into_iter()
            .filter_map(|device| {
                let fitted = match device {
                    Device::ItemReader => self.machine.item_reader.is_some(),
                    Device::CardReader => self.machine.card_reader.is_some(),
                    Device::Scanner => self.machine.scanner.is_some(),
                    Device::Printer => self.machine.printer.is_some(),
                    Device::ReturnSlot => self.machine.return_slot.is_some(),
                    Device::Indicators => self.machine.indicators.is_some(),
                };
                if self.awaited(device) {
                    return Some((device, PartState::Missing));
                }
                if !fitted {
                    return None;
                }
                let (failed, warning) = match device {
                    Device::ItemReader => (
                        watch.item_reader.polls.reported() || watch.item_reader.check_failed,
                        false,
                    ),
                    Device::CardReader => (watch.card_reader.polls.reported(), false),
                    Device::Scanner => (watch.scanner.lost, false),
                    Device::Printer => (!watch.printer.ready, watch.printer.paper == Paper::Low),
                    Device::ReturnSlot => {
                        (self.faults.contains_key("return_slot"), watch.slot.stuck())
                    }
                    Device::Indicators => (self.faults.contains_key("indicators"), false),
                };
                let state = match (failed, warning) {
                    (true, _) => PartState::Failed,
                    (false, true) => PartState::Warning,
                    (false, false) => PartState::Ok,
                };
                Some((device, state))
            })
            .collect()
    }

    /// The printer's paper; `None` when no printer is fitted or expected.
    pub fn paper(&self) -> Option<Paper> {
        self.printer_expected().then_some(self.watch.printer.paper)
    }
}
