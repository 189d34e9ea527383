//! The set of devices one kiosk has, whichever backend built them.

use crate::config::{Backend, HwConfig, PartFault, SimItemReader};
use crate::device::{
    BarcodeScanner, CardReader, Device, DeviceError, Fault, Indicators, ItemReader, ReceiptPrinter,
    ReturnSlot,
};
use crate::sim::SimDevices;

/// Every part of the machine; a part that is not fitted (or failed to open) is `None`.
#[derive(Default)]
pub struct Machine {
    pub item_reader: Option<Box<dyn ItemReader + Send>>,
    pub card_reader: Option<Box<dyn CardReader + Send>>,
    pub scanner: Option<Box<dyn BarcodeScanner + Send>>,
    pub indicators: Option<Box<dyn Indicators + Send>>,
    pub return_slot: Option<Box<dyn ReturnSlot + Send>>,
    pub printer: Option<Box<dyn ReceiptPrinter + Send>>,
}

impl Machine {
    /// Takes a part out (it failed to open, or is not fitted).
    pub fn remove(&mut self, device: Device) {
        match device {
            Device::ItemReader => self.item_reader = None,
            Device::CardReader => self.card_reader = None,
            Device::Scanner => self.scanner = None,
            Device::Indicators => self.indicators = None,
            Device::ReturnSlot => self.return_slot = None,
            Device::Printer => self.printer = None,
        }
    }

    /// Every part simulated, all sharing `sim`.
    pub fn simulated(sim: &SimDevices) -> Machine {
        Machine {
            item_reader: Some(Box::new(sim.clone())),
            card_reader: Some(Box::new(sim.clone())),
            scanner: Some(Box::new(sim.clone())),
            indicators: Some(Box::new(sim.clone())),
            return_slot: Some(Box::new(sim.clone())),
            printer: Some(Box::new(sim.printer_port())),
        }
    }
}

/// What opening the configured hardware gave: the machine, and what could not be opened.
pub struct Opened {
    pub machine: Machine,
    /// Devices that are configured but did not open; the kiosk starts without them and the
    /// technician sees why.
    pub failures: Vec<DeviceError>,
    /// The simulator, when that is the backend (the demo and tests drive it).
    pub sim: Option<SimDevices>,
}

/// Opens the hardware the configuration describes.
pub fn open(config: &HwConfig) -> Opened {
    match config.backend {
        Backend::Sim => {
            let sim = SimDevices::new();
            let mut machine = Machine::simulated(&sim);
            let mut failures = Vec::new();
            if config.sim.item_reader == SimItemReader::Pn5180 {
                match sim_item_reader(config, &sim) {
                    Ok(reader) => machine.item_reader = Some(reader),
                    Err(error) => {
                        machine.remove(Device::ItemReader);
                        failures.push(error);
                    }
                }
            }
            for (part, fault) in &config.sim.faults {
                let device = part.device();
                if *fault == PartFault::Missing {
                    machine.remove(device);
                    failures.push(sim_missing(device));
                }
                // Kept on the simulator too: clearing it "plugs the part in" (see `reopen_printer`).
                sim.set_device_fault(device, Some(*fault));
            }
            Opened {
                machine,
                failures,
                sim: Some(sim),
            }
        }
        Backend::Rpi => open_rpi(config),
    }
}

/// The simulated pad's reader as configured: directly, or through the PN5180 driver on a
/// simulated chip.
fn sim_item_reader(
    config: &HwConfig,
    sim: &SimDevices,
) -> Result<Box<dyn ItemReader + Send>, DeviceError> {
    Ok(match config.sim.item_reader {
        SimItemReader::Direct => Box::new(sim.clone()),
        SimItemReader::Pn5180 => Box::new(crate::sim::pn5180::reader(sim, Default::default())?.0),
    })
}

fn sim_missing(device: Device) -> DeviceError {
    let why = "simulated: not connected ([hardware.sim] faults)";
    DeviceError::new(device, Fault::Missing(why.into()))
}

/// Opens the receipt printer again, for one that did not open at start (plugged in since, or
/// its port came back). `Ok(None)`: none is configured.
pub fn reopen_printer(
    config: &HwConfig,
    sim: Option<&SimDevices>,
) -> Result<Option<Box<dyn ReceiptPrinter + Send>>, DeviceError> {
    reopen(
        Device::Printer,
        sim,
        |sim| -> Result<Box<dyn ReceiptPrinter + Send>, DeviceError> {
            Ok(Box::new(sim.printer_port()))
        },
        || on_the_pi::open_printer(config),
    )
}

/// Opens the barcode scanner again, for one that did not open at start or whose port went away
/// (unplugged and plugged back). `Ok(None)`: none is configured.
pub fn reopen_scanner(
    config: &HwConfig,
    sim: Option<&SimDevices>,
) -> Result<Option<Box<dyn BarcodeScanner + Send>>, DeviceError> {
    reopen(
        Device::Scanner,
        sim,
        |sim| -> Result<Box<dyn BarcodeScanner + Send>, DeviceError> { Ok(Box::new(sim.clone())) },
        || on_the_pi::open_scanner(config),
    )
}

/// Opens the RFID item reader again, for one that did not open at start (connected or
/// powered since). `Ok(None)`: none is configured.
pub fn reopen_item_reader(
    config: &HwConfig,
    sim: Option<&SimDevices>,
) -> Result<Option<Box<dyn ItemReader + Send>>, DeviceError> {
    reopen(
        Device::ItemReader,
        sim,
        |sim| sim_item_reader(config, sim),
        || on_the_pi::open_item_reader(config),
    )
}

/// Opens the RFID card reader again, for one that did not open at start.
pub fn reopen_card_reader(
    config: &HwConfig,
    sim: Option<&SimDevices>,
) -> Result<Option<Box<dyn CardReader + Send>>, DeviceError> {
    reopen(
        Device::CardReader,
        sim,
        |sim| -> Result<Box<dyn CardReader + Send>, DeviceError> { Ok(Box::new(sim.clone())) },
        || on_the_pi::open_card_reader(config),
    )
}

/// One part opened again: from the simulator (unless it is set missing), or as at start.
fn reopen<T: ?Sized>(
    device: Device,
    sim: Option<&SimDevices>,
    from_sim: impl FnOnce(&SimDevices) -> Result<Box<T>, DeviceError>,
    as_at_start: impl FnOnce() -> Result<Option<Box<T>>, DeviceError>,
) -> Result<Option<Box<T>>, DeviceError> {
    match sim {
        Some(sim) if sim.device_fault(device) == Some(PartFault::Missing) => {
            Err(sim_missing(device))
        }
        Some(sim) => from_sim(sim).map(Some),
        None => as_at_start(),
    }
}

#[cfg(feature = "rpi")]
use crate::rpi as on_the_pi;

/// A build without the `rpi` feature opens no real part: a configured one is reported missing.
#[cfg(not(feature = "rpi"))]
mod on_the_pi {
    use super::*;

    fn not_built<T>(device: Device, configured: bool) -> Result<Option<T>, DeviceError> {
        match configured {
            false => Ok(None),
            true => Err(DeviceError::new(device, Fault::Missing(WITHOUT_RPI.into()))),
        }
    }

    pub fn open_printer(
        config: &HwConfig,
    ) -> Result<Option<Box<dyn ReceiptPrinter + Send>>, DeviceError> {
        not_built(Device::Printer, config.printer.is_some())
    }

    pub fn open_scanner(
        config: &HwConfig,
    ) -> Result<Option<Box<dyn BarcodeScanner + Send>>, DeviceError> {
        not_built(Device::Scanner, config.scanner.is_some())
    }

    pub fn open_item_reader(
        config: &HwConfig,
    ) -> Result<Option<Box<dyn ItemReader + Send>>, DeviceError> {
        not_built(Device::ItemReader, config.item_reader.is_some())
    }

    pub fn open_card_reader(
        config: &HwConfig,
    ) -> Result<Option<Box<dyn CardReader + Send>>, DeviceError> {
        not_built(Device::CardReader, config.card_reader.is_some())
    }
}

/// Why real hardware cannot open in this build.
#[cfg(not(feature = "rpi"))]
const WITHOUT_RPI: &str =
    "this kiosk was built without the `rpi` feature (cargo build --release --features rpi)";

#[cfg(feature = "rpi")]
fn open_rpi(config: &HwConfig) -> Opened {
    let (machine, failures) = crate::rpi::open(config);
    Opened {
        machine,
        failures,
        sim: None,
    }
}

#[cfg(not(feature = "rpi"))]
fn open_rpi(config: &HwConfig) -> Opened {
    let why = WITHOUT_RPI;
    let configured = [
        (config.item_reader.is_some(), Device::ItemReader),
        (config.card_reader.is_some(), Device::CardReader),
        (config.scanner.is_some(), Device::Scanner),
        (config.indicators.is_some(), Device::Indicators),
        (config.return_slot.is_some(), Device::ReturnSlot),
        (config.printer.is_some(), Device::Printer),
    ];
    let failures = configured
        .into_iter()
        .filter(|(fitted, _)| *fitted)
        .map(|(_, device)| DeviceError::new(device, Fault::Missing(why.into())))
        .collect();
    Opened {
        machine: Machine::default(),
        failures,
        sim: None,
    }
}
