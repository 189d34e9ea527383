//! One check per fitted part — for `kiosk diag`, the self-test at start and the technician's
//! screen: whether it answers, what it is, and what to do when it does not.
//!
//! Passive checks change nothing a reader would notice; `active` ones move things (lights,
//! buzzer, the return slot's lock) and read the RFID field, for a technician standing there.

use crate::device::{Beep, Device, DeviceError, Fault, Light, PrinterStatus};
use crate::machine::Machine;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Ok,
    Warn,
    Fail,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartCheck {
    pub device: Device,
    pub level: Level,
    pub message: String,
    /// What to do about a warning or failure.
    pub action: Option<String>,
}

/// The parts in the order a technician reads them.
pub const PARTS: [Device; 6] = [
    Device::ItemReader,
    Device::CardReader,
    Device::Scanner,
    Device::Indicators,
    Device::ReturnSlot,
    Device::Printer,
];

/// The name of a part in configuration keys and on the command line (`item_reader`…).
pub fn part_name(device: Device) -> &'static str {
    match device {
        Device::ItemReader => "item_reader",
        Device::CardReader => "card_reader",
        Device::Scanner => "scanner",
        Device::Indicators => "indicators",
        Device::ReturnSlot => "return_slot",
        Device::Printer => "printer",
    }
}

/// What to look at when a part does not answer.
fn wiring_hint(device: Device) -> &'static str {
    match device {
        Device::ItemReader => {
            "check the PN5180's SPI wiring, its BUSY and RESET pins and its 5 V supply (hw/README.md, [hardware.item_reader])"
        }
        Device::CardReader => {
            "check the MFRC522's SPI wiring and its 3.3 V supply (hw/README.md, [hardware.card_reader])"
        }
        Device::Scanner => "check the scanner's cable and the port named in [hardware.scanner]",
        Device::Indicators => {
            "check the light and buzzer wiring and the pins in [hardware.indicators]"
        }
        Device::ReturnSlot => {
            "check the lock relay and the flap sensor, and the pins in [hardware.return_slot]"
        }
        Device::Printer => {
            "check the printer's cable and power, and the port in [hardware.printer]"
        }
    }
}

fn failed(device: Device, error: &DeviceError) -> PartCheck {
    let action = match &error.fault {
        Fault::PaperOut => "load a new paper roll".to_owned(),
        Fault::CoverOpen => "close the printer's cover".to_owned(),
        _ => wiring_hint(device).to_owned(),
    };
    PartCheck {
        device,
        level: Level::Fail,
        message: error.fault.to_string(),
        action: Some(action),
    }
}

fn ok(device: Device, message: impl Into<String>) -> PartCheck {
    PartCheck {
        device,
        level: Level::Ok,
        message: message.into(),
        action: None,
    }
}

/// Checks every part that is fitted or failed to open (`failures`, from opening the machine).
pub fn check(machine: &mut Machine, failures: &[DeviceError], active: bool) -> Vec<PartCheck> {
    PARTS
        .iter()
        .filter_map(|device| check_part(machine, failures, *device, active))
        .collect()
}

/// One part; `None` when it is not fitted.
pub fn check_part(
    machine: &mut Machine,
    failures: &[DeviceError],
    device: Device,
    active: bool,
) -> Option<PartCheck> {
    if let Some(error) = failures.iter().find(|f| f.device == device) {
        return Some(failed(device, error));
    }
    let result = match device {
        Device::ItemReader => machine.item_reader.as_mut().map(|reader| {
            let identity = reader.identify()?;
            let mut message = identity.model;
            if active {
                let tags = reader.inventory()?;
                message.push_str(&format!("; {} tag(s) in the field", tags.len()));
                for tag in tags.iter().take(8) {
                    message.push_str(&format!(" {tag}"));
                }
            }
            Ok(identified(
                device,
                message,
                identity.warning,
                identity.action,
            ))
        }),
        Device::CardReader => machine.card_reader.as_mut().map(|reader| {
            let identity = reader.identify()?;
            Ok(identified(
                device,
                identity.model,
                identity.warning,
                identity.action,
            ))
        }),
        Device::Scanner => machine.scanner.as_mut().map(|scanner| {
            // A scanner says nothing until something is scanned: an open port that polls
            // cleanly is all that can be known without a person.
            scanner.poll()?;
            Ok(ok(
                device,
                "listening (scan a barcode to see it in the technician's monitor)",
            ))
        }),
        Device::Indicators => machine.indicators.as_mut().map(|lights| {
            if !active {
                return Ok(ok(device, "fitted (--active cycles the lights and beeps)"));
            }
            for light in [Light::Ready, Light::Busy, Light::Problem, Light::Off] {
                lights.light(light)?;
                std::thread::sleep(Duration::from_millis(300));
            }
            lights.light(Light::Ready)?;
            lights.beep(Beep::Ok)?;
            Ok(ok(
                device,
                "green, blue and red shown, one beep: check them by eye and ear",
            ))
        }),
        Device::ReturnSlot => machine.return_slot.as_mut().map(|slot| {
            let open = slot.is_open()?;
            if active {
                slot.unlock()?;
                std::thread::sleep(Duration::from_millis(500));
                slot.lock()?;
            }
            let pulsed = if active {
                "; the lock was released and locked again"
            } else {
                ""
            };
            Ok(if open {
                PartCheck {
                    device,
                    level: Level::Warn,
                    message: format!("the flap is open{pulsed}"),
                    action: Some("close the return flap; if it is closed, check the sensor".into()),
                }
            } else {
                ok(device, format!("the flap is closed{pulsed}"))
            })
        }),
        Device::Printer => machine
            .printer
            .as_mut()
            .map(|printer| printer.status().map(printer_check)),
    }?;
    Some(result.unwrap_or_else(|error: DeviceError| failed(device, &error)))
}

/// What a printer's status means for receipts (the check's verdict on an answer).
pub fn printer_check(status: PrinterStatus) -> PartCheck {
    let device = Device::Printer;
    match status {
        PrinterStatus::Ready => ok(device, "online, paper loaded"),
        PrinterStatus::PaperLow => PartCheck {
            device,
            level: Level::Warn,
            message: "paper is running low".into(),
            action: Some("put a new roll in soon".into()),
        },
        PrinterStatus::PaperOut => failed(device, &DeviceError::new(device, Fault::PaperOut)),
        PrinterStatus::CoverOpen => failed(device, &DeviceError::new(device, Fault::CoverOpen)),
    }
}

/// The check of a part that answered with an error.
pub fn failed_check(error: &DeviceError) -> PartCheck {
    failed(error.device, error)
}

fn identified(
    device: Device,
    message: String,
    warning: Option<String>,
    action: Option<String>,
) -> PartCheck {
    match warning {
        None => ok(device, message),
        Some(warning) => PartCheck {
            device,
            level: Level::Warn,
            message: format!("{message}: {warning}"),
            action: Some(action.unwrap_or_else(|| {
                "fit a reader with a supported chip, or watch for missed reads".into()
            })),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{HwConfig, PartFault, SimPart};

    fn opened(faults: &[(SimPart, PartFault)]) -> crate::machine::Opened {
        let mut config = HwConfig::default();
        config.sim.faults = faults.iter().copied().collect();
        crate::machine::open(&config)
    }

    fn level_of(checks: &[PartCheck], device: Device) -> (Level, String) {
        let check = checks.iter().find(|c| c.device == device).expect("checked");
        (check.level, check.message.clone())
    }

    #[test]
    fn a_healthy_simulated_machine_is_all_ok() {
        let mut opened = opened(&[]);
        let checks = check(&mut opened.machine, &opened.failures, false);
        assert_eq!(checks.len(), 6);
        assert!(checks.iter().all(|c| c.level == Level::Ok), "{checks:?}");
    }

    #[test]
    fn each_injected_fault_has_its_level_message_and_action() {
        let mut opened = opened(&[
            (SimPart::ItemReader, PartFault::Missing),
            (SimPart::CardReader, PartFault::WrongChip),
            (SimPart::Scanner, PartFault::Timeout),
            (SimPart::Printer, PartFault::PaperOut),
        ]);
        let checks = check(&mut opened.machine, &opened.failures, false);
        let (level, message) = level_of(&checks, Device::ItemReader);
        assert_eq!(level, Level::Fail);
        assert!(message.contains("not found"), "{message}");
        let (level, message) = level_of(&checks, Device::CardReader);
        assert_eq!(level, Level::Warn);
        assert!(message.contains("0x12"), "{message}");
        let (level, message) = level_of(&checks, Device::Scanner);
        assert_eq!(level, Level::Fail);
        assert!(message.contains("no answer"), "{message}");
        let printer = checks.iter().find(|c| c.device == Device::Printer).unwrap();
        assert_eq!(printer.level, Level::Fail);
        assert_eq!(printer.action.as_deref(), Some("load a new paper roll"));
    }

    #[test]
    fn active_checks_read_the_field_and_move_the_lock_and_lights() {
        let mut opened = opened(&[]);
        let sim = opened.sim.clone().unwrap();
        sim.place(crate::sim::SimTag::new(
            crate::device::TagId([1, 2, 3, 4, 5, 6, 7, 0xE0]),
            &[0; 32],
            0x07,
        ));
        let checks = check(&mut opened.machine, &opened.failures, true);
        let (_, message) = level_of(&checks, Device::ItemReader);
        assert!(message.contains("1 tag(s) in the field"), "{message}");
        assert_eq!(sim.beeps(), vec![Beep::Ok]);
        assert_eq!(sim.light(), Some(Light::Ready));
        assert!(!sim.slot_unlocked(), "locked again after the pulse");
    }
}
