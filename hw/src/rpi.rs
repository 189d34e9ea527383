//! The Raspberry Pi backend (feature `rpi`): builds the SPI buses, GPIO pins and serial ports
//! from the configuration with rppal and hands them to the drivers. Nothing else in the kiosk
//! knows it runs on a Pi.

use crate::config::{HwConfig, ScannerWiring};
use crate::device::{Device, DeviceError, Fault};
use crate::drivers::escpos::EscPosPrinter;
use crate::drivers::gpio::{GpioIndicators, GpioReturnSlot, Output};
use crate::drivers::mfrc522::Mfrc522Reader;
use crate::drivers::pn5180::Pn5180;
use crate::drivers::scanner::SerialScanner;
use crate::machine::Machine;
use rppal::gpio::Gpio;
use rppal::hal::Delay;
use rppal::spi::{Bus, Mode, SimpleHalSpiDevice, SlaveSelect, Spi};
use rppal::uart::{Parity, Uart};
use std::path::Path;
use std::time::Duration;

fn missing(device: Device, what: String) -> DeviceError {
    DeviceError::new(device, Fault::Missing(what))
}

fn spi(device: Device, bus: u8, cs: u8, hz: u32) -> Result<SimpleHalSpiDevice, DeviceError> {
    let bus_id = match bus {
        0 => Bus::Spi0,
        1 => Bus::Spi1,
        2 => Bus::Spi2,
        3 => Bus::Spi3,
        4 => Bus::Spi4,
        5 => Bus::Spi5,
        6 => Bus::Spi6,
        _ => return Err(missing(device, format!("there is no SPI bus {bus}"))),
    };
    let select = match cs {
        0 => SlaveSelect::Ss0,
        1 => SlaveSelect::Ss1,
        2 => SlaveSelect::Ss2,
        _ => return Err(missing(device, format!("there is no chip select {cs}"))),
    };
    let spi = Spi::new(bus_id, select, hz, Mode::Mode0).map_err(|e| {
        missing(
            device,
            format!("/dev/spidev{bus}.{cs}: {e} (is SPI enabled in config.txt?)"),
        )
    })?;
    Ok(SimpleHalSpiDevice::new(spi))
}

fn uart(device: Device, path: &Path, baud: u32) -> Result<Uart, DeviceError> {
    let mut port = Uart::with_path(path, baud, Parity::None, 8, 1)
        .map_err(|e| missing(device, format!("{}: {e}", path.display())))?;
    // Non-blocking reads: the kiosk polls.
    port.set_read_mode(0, Duration::ZERO)
        .map_err(|e| missing(device, format!("{}: {e}", path.display())))?;
    Ok(port)
}

/// An output pin, inactive at first: the pin's level is otherwise whatever it last was, and an
/// active-low relay left low would leave the return slot unlocked from the start.
fn pin_out(
    gpio: &Result<Gpio, String>,
    device: Device,
    pin: u8,
    active_low: bool,
) -> Result<rppal::gpio::OutputPin, DeviceError> {
    let gpio = gpio
        .as_ref()
        .map_err(|e| missing(device, format!("GPIO: {e}")))?;
    let pin = gpio
        .get(pin)
        .map_err(|e| missing(device, format!("GPIO {pin}: {e}")))?;
    Ok(if active_low {
        pin.into_output_high()
    } else {
        pin.into_output_low()
    })
}

/// The PN5180 item reader, if one is configured (also when it comes back after failing to
/// open at start).
pub fn open_item_reader(
    config: &HwConfig,
) -> Result<Option<Box<dyn crate::device::ItemReader + Send>>, DeviceError> {
    let Some(wiring) = &config.item_reader else {
        return Ok(None);
    };
    let gpio = Gpio::new().map_err(|e| e.to_string());
    let spi = spi(
        Device::ItemReader,
        wiring.spi_bus,
        wiring.spi_cs,
        wiring.spi_hz,
    )?;
    let busy = gpio
        .as_ref()
        .map_err(|e| missing(Device::ItemReader, format!("GPIO: {e}")))?
        .get(wiring.busy_pin)
        .map_err(|e| missing(Device::ItemReader, format!("GPIO {}: {e}", wiring.busy_pin)))?
        .into_input();
    // RESET is active low: the chip is not held in reset until `init` pulses it.
    let reset = pin_out(&gpio, Device::ItemReader, wiring.reset_pin, true)?;
    let mut reader = Pn5180::new(spi, busy, reset, Delay::new())
        .with_agc_range(wiring.agc_range.map(|[low, high]| (low, high)));
    let (major, minor) = reader.init()?;
    tracing::info!(major, minor, "PN5180 item reader ready");
    Ok(Some(Box::new(reader)))
}

/// The MFRC522 card reader, if one is configured (also when it comes back).
pub fn open_card_reader(
    config: &HwConfig,
) -> Result<Option<Box<dyn crate::device::CardReader + Send>>, DeviceError> {
    let Some(wiring) = &config.card_reader else {
        return Ok(None);
    };
    let reader = spi(
        Device::CardReader,
        wiring.spi_bus,
        wiring.spi_cs,
        wiring.spi_hz,
    )
    .and_then(Mfrc522Reader::open)?;
    tracing::info!(version = reader.version(), "MFRC522 card reader ready");
    Ok(Some(Box::new(reader)))
}

/// Opens every configured part; a part that fails is left out and reported.
pub fn open(config: &HwConfig) -> (Machine, Vec<DeviceError>) {
    let mut machine = Machine::default();
    let mut failures = Vec::new();
    let gpio = Gpio::new().map_err(|e| e.to_string());
    let pin_out =
        |device: Device, pin: u8, active_low: bool| pin_out(&gpio, device, pin, active_low);

    match open_item_reader(config) {
        Ok(reader) => machine.item_reader = reader,
        Err(error) => failures.push(error),
    }
    match open_card_reader(config) {
        Ok(reader) => machine.card_reader = reader,
        Err(error) => failures.push(error),
    }
    match open_scanner(config) {
        Ok(scanner) => machine.scanner = scanner,
        Err(error) => failures.push(error),
    }
    if let Some(wiring) = &config.indicators {
        let lights = (|| {
            let out = |pin| {
                pin_out(Device::Indicators, pin, wiring.active_low)
                    .map(|p| Output::new(p, wiring.active_low))
            };
            Ok::<_, DeviceError>(GpioIndicators::new(
                out(wiring.red_pin)?,
                out(wiring.green_pin)?,
                out(wiring.blue_pin)?,
                out(wiring.buzzer_pin)?,
                Delay::new(),
            ))
        })();
        match lights {
            Ok(lights) => machine.indicators = Some(Box::new(lights)),
            Err(error) => failures.push(error),
        }
    }
    if let Some(wiring) = &config.return_slot {
        let slot = (|| {
            let lock = pin_out(Device::ReturnSlot, wiring.lock_pin, wiring.lock_active_low)?;
            let gpio = gpio
                .as_ref()
                .map_err(|e| missing(Device::ReturnSlot, format!("GPIO: {e}")))?;
            let sensor = gpio
                .get(wiring.sensor_pin)
                .map_err(|e| {
                    missing(
                        Device::ReturnSlot,
                        format!("GPIO {}: {e}", wiring.sensor_pin),
                    )
                })?
                .into_input_pullup();
            Ok::<_, DeviceError>(GpioReturnSlot::new(
                Output::new(lock, wiring.lock_active_low),
                sensor,
                wiring.sensor_active_low,
            ))
        })();
        match slot {
            Ok(slot) => machine.return_slot = Some(Box::new(slot)),
            Err(error) => failures.push(error),
        }
    }
    match open_printer(config) {
        Ok(printer) => machine.printer = printer,
        Err(error) => failures.push(error),
    }
    (machine, failures)
}

/// The barcode scanner, if one is configured (also when it is plugged in again after start).
pub fn open_scanner(
    config: &HwConfig,
) -> Result<Option<Box<dyn crate::device::BarcodeScanner + Send>>, DeviceError> {
    Ok(match &config.scanner {
        Some(ScannerWiring::Serial {
            path,
            baud,
            framing,
        }) => {
            let port = WatchedUart {
                uart: uart(Device::Scanner, path, *baud)?,
                path: path.clone(),
            };
            Some(Box::new(SerialScanner::new(port, framing)))
        }
        Some(ScannerWiring::Keyboard { path }) => {
            Some(Box::new(crate::drivers::wedge::WedgeScanner::open(path)?))
        }
        None => None,
    })
}

/// A serial port that tells when its device node is gone: a USB-serial adapter pulled out
/// otherwise reads as a quiet line for ever.
struct WatchedUart {
    uart: Uart,
    path: std::path::PathBuf,
}

enum WatchedError {
    Uart(rppal::uart::Error),
    Gone,
}

/// What the scanner's fault says (`embedded-hal-nb` errors are shown by `Debug`).
impl std::fmt::Debug for WatchedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WatchedError::Uart(error) => write!(f, "{error}"),
            WatchedError::Gone => f.write_str("the device is gone (unplugged?)"),
        }
    }
}

impl embedded_hal_nb::serial::Error for WatchedError {
    fn kind(&self) -> embedded_hal_nb::serial::ErrorKind {
        embedded_hal_nb::serial::ErrorKind::Other
    }
}

impl embedded_hal_nb::serial::ErrorType for WatchedUart {
    type Error = WatchedError;
}

impl embedded_hal_nb::serial::Read<u8> for WatchedUart {
    fn read(&mut self) -> embedded_hal_nb::nb::Result<u8, WatchedError> {
        use embedded_hal_nb::nb::Error;
        match embedded_hal_nb::serial::Read::read(&mut self.uart) {
            // Checked only when the line is quiet: once per poll at the most.
            Err(Error::WouldBlock) if !self.path.exists() => Err(Error::Other(WatchedError::Gone)),
            Err(Error::WouldBlock) => Err(Error::WouldBlock),
            Err(Error::Other(error)) => Err(Error::Other(WatchedError::Uart(error))),
            Ok(byte) => Ok(byte),
        }
    }
}

/// The receipt printer on its serial line, if one is configured (also when it is plugged in
/// after start).
pub fn open_printer(
    config: &HwConfig,
) -> Result<Option<Box<dyn crate::device::ReceiptPrinter + Send>>, DeviceError> {
    let Some(wiring) = &config.printer else {
        return Ok(None);
    };
    let port = uart(Device::Printer, &wiring.path, wiring.baud)?;
    Ok(Some(Box::new(EscPosPrinter::new(
        port,
        Delay::new(),
        wiring.chinese,
    ))))
}
