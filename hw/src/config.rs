//! The `[hardware]` section of the kiosk's configuration: which parts are fitted and where they
//! are wired. Everything has a default that matches the reference build in `hw/README.md`.

use crate::drivers::scanner::Framing;
use crate::rfid::SecuritySettings;
use crate::tag::TagFormat;
use serde::Deserialize;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HwConfig {
    /// `sim` (the simulated machine, as in the demo) or `rpi` (real parts on a Raspberry Pi).
    pub backend: Backend,
    /// How the library's item tags are encoded.
    pub tag_format: TagFormat,
    /// How often the readers are asked what they see, in milliseconds.
    pub poll_ms: u64,
    pub security: SecuritySettings,
    pub item_reader: Option<Pn5180Wiring>,
    pub card_reader: Option<Mfrc522Wiring>,
    pub scanner: Option<ScannerWiring>,
    pub indicators: Option<IndicatorWiring>,
    pub return_slot: Option<ReturnSlotWiring>,
    pub printer: Option<PrinterWiring>,
    /// The simulated machine's faults (backend `sim`): for technicians' training and tests.
    pub sim: SimSettings,
}

/// `[hardware.sim]`: faults the simulated machine shows, as a real one might.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SimSettings {
    /// Per part: `item_reader = "timeout"`, `printer = "paper-out"`…
    pub faults: std::collections::BTreeMap<SimPart, PartFault>,
    /// The machine's clock reads this (RFC 3339) instead of the real time, for diagnostics.
    pub clock: Option<String>,
    /// The disk holding the journal has this much free space (MB), for diagnostics.
    pub disk_free_mb: Option<u64>,
    /// How the simulated pad is read: directly (the demo: instant) or through the real PN5180
    /// driver on a simulated chip with the air interface's timings (as slow as the machine).
    pub item_reader: SimItemReader,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SimItemReader {
    #[default]
    Direct,
    Pn5180,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SimPart {
    ItemReader,
    CardReader,
    Scanner,
    Indicators,
    ReturnSlot,
    Printer,
}

impl SimPart {
    pub fn device(self) -> crate::device::Device {
        use crate::device::Device;
        match self {
            SimPart::ItemReader => Device::ItemReader,
            SimPart::CardReader => Device::CardReader,
            SimPart::Scanner => Device::Scanner,
            SimPart::Indicators => Device::Indicators,
            SimPart::ReturnSlot => Device::ReturnSlot,
            SimPart::Printer => Device::Printer,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PartFault {
    /// Not connected: the part does not open.
    Missing,
    /// Connected, but never answers.
    Timeout,
    /// A reader with a chip or firmware the driver does not know.
    WrongChip,
    PaperOut,
    PaperLow,
    CoverOpen,
}

impl Default for HwConfig {
    fn default() -> Self {
        HwConfig {
            backend: Backend::Sim,
            tag_format: TagFormat::Iso28560_3,
            poll_ms: 250,
            security: SecuritySettings::default(),
            item_reader: None,
            card_reader: None,
            scanner: None,
            indicators: None,
            return_slot: None,
            printer: None,
            sim: SimSettings::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Backend {
    #[default]
    Sim,
    Rpi,
}

/// NXP PN5180 on SPI plus its BUSY and RESET lines.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pn5180Wiring {
    pub spi_bus: u8,
    pub spi_cs: u8,
    #[serde(default = "default_pn5180_hz")]
    pub spi_hz: u32,
    pub busy_pin: u8,
    pub reset_pin: u8,
    /// The antenna's AGC values with an empty pad, measured at installation (`kiosk diag
    /// --device item_reader` shows the value): `[low, high]`. Outside it the reader's check
    /// warns that the antenna has changed (cable loose, metal near the pad).
    #[serde(default)]
    pub agc_range: Option<[u16; 2]>,
}

fn default_pn5180_hz() -> u32 {
    7_000_000
}

/// NXP MFRC522 on SPI.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mfrc522Wiring {
    pub spi_bus: u8,
    pub spi_cs: u8,
    #[serde(default = "default_mfrc522_hz")]
    pub spi_hz: u32,
}

fn default_mfrc522_hz() -> u32 {
    4_000_000
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", tag = "kind")]
pub enum ScannerWiring {
    /// On a UART or USB-serial port (`/dev/serial0`, `/dev/ttyACM0`).
    Serial {
        path: PathBuf,
        #[serde(default = "default_scanner_baud")]
        baud: u32,
        #[serde(flatten)]
        framing: Framing,
    },
    /// A USB scanner in keyboard mode, by its evdev node (`/dev/input/by-id/...-event-kbd`).
    Keyboard { path: PathBuf },
}

fn default_scanner_baud() -> u32 {
    9600
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorWiring {
    pub red_pin: u8,
    pub green_pin: u8,
    pub blue_pin: u8,
    pub buzzer_pin: u8,
    #[serde(default)]
    pub active_low: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnSlotWiring {
    pub lock_pin: u8,
    pub sensor_pin: u8,
    /// Most relay boards switch on a low input.
    #[serde(default = "yes")]
    pub lock_active_low: bool,
    /// A reed switch to ground with a pull-up reads low when the flap is open.
    #[serde(default = "yes")]
    pub sensor_active_low: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrinterWiring {
    pub path: PathBuf,
    #[serde(default = "default_printer_baud")]
    pub baud: u32,
    /// The printer has a GB18030 Chinese font.
    #[serde(default = "yes")]
    pub chinese: bool,
}

fn default_printer_baud() -> u32 {
    19200
}

/// The PN5180's AGC value is 10 bits.
const AGC_MAX: u16 = 0x3FF;

/// The Pi's header exposes BCM GPIO 0–27.
const MAX_GPIO: u8 = 27;

impl HwConfig {
    /// Wiring mistakes a technician would otherwise find with a multimeter: pins out of range
    /// or used twice, SPI chip selects shared, an AFI pair that cannot tell loaned from not.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut pins: Vec<(u8, &str)> = Vec::new();
        if let Some(r) = &self.item_reader {
            pins.extend([
                (r.busy_pin, "item_reader.busy_pin"),
                (r.reset_pin, "item_reader.reset_pin"),
            ]);
        }
        if let Some(i) = &self.indicators {
            pins.extend([
                (i.red_pin, "indicators.red_pin"),
                (i.green_pin, "indicators.green_pin"),
                (i.blue_pin, "indicators.blue_pin"),
                (i.buzzer_pin, "indicators.buzzer_pin"),
            ]);
        }
        if let Some(s) = &self.return_slot {
            pins.extend([
                (s.lock_pin, "return_slot.lock_pin"),
                (s.sensor_pin, "return_slot.sensor_pin"),
            ]);
        }
        // The buses' own pins are taken as soon as a device uses the bus.
        let mut buses: Vec<(u8, u8, &str)> = Vec::new();
        if let Some(r) = &self.item_reader {
            buses.push((r.spi_bus, r.spi_cs, "item_reader"));
        }
        if let Some(c) = &self.card_reader {
            buses.push((c.spi_bus, c.spi_cs, "card_reader"));
        }
        let mut bus_pins: Vec<(u8, String)> = Vec::new();
        for (bus, cs, device) in buses {
            let (data, selects): (&[u8], &[u8]) = match bus {
                0 => (&[9, 10, 11], &[8, 7]),
                1 => (&[19, 20, 21], &[18, 17, 16]),
                _ => (&[], &[]),
            };
            let select = selects.get(usize::from(cs)).copied();
            for pin in data.iter().copied().chain(select) {
                bus_pins.push((pin, format!("SPI{bus} of hardware.{device}")));
            }
        }
        if let Some(ScannerWiring::Serial { path, .. }) = &self.scanner
            && ["/dev/serial0", "/dev/ttyAMA0", "/dev/ttyS0"]
                .iter()
                .any(|p| path.as_os_str() == *p)
        {
            bus_pins.extend([
                (14, "the UART of hardware.scanner".into()),
                (15, "the UART of hardware.scanner".into()),
            ]);
        }
        for (pin, name) in &pins {
            if let Some((_, bus)) = bus_pins.iter().find(|(p, _)| p == pin) {
                problems.push(format!("hardware.{name}: GPIO {pin} is a pin of {bus}"));
            }
        }
        for (i, (pin, name)) in pins.iter().enumerate() {
            if *pin > MAX_GPIO {
                problems.push(format!(
                    "hardware.{name}: GPIO {pin} does not exist on the Pi header (0–{MAX_GPIO})"
                ));
            }
            if let Some((_, other)) = pins[..i].iter().find(|(p, _)| p == pin) {
                problems.push(format!(
                    "hardware.{name}: GPIO {pin} is already used by hardware.{other}"
                ));
            }
        }
        if let Some([low, high]) = self.item_reader.as_ref().and_then(|r| r.agc_range)
            && (low > high || high > AGC_MAX)
        {
            problems.push(format!(
                "hardware.item_reader.agc_range: expected [low, high] with low ≤ high ≤ {AGC_MAX}, found [{low}, {high}]"
            ));
        }
        if let (Some(item), Some(card)) = (&self.item_reader, &self.card_reader)
            && (item.spi_bus, item.spi_cs) == (card.spi_bus, card.spi_cs)
        {
            problems.push(format!(
                "hardware.card_reader: SPI bus {} chip select {} is already used by hardware.item_reader",
                card.spi_bus, card.spi_cs
            ));
        }
        let security = &self.security;
        if security.use_afi && security.afi_on_loan == security.afi_in_library {
            problems.push(format!(
                "hardware.security: afi_on_loan and afi_in_library are both {:#04x}; the gates could not tell a lent item",
                security.afi_on_loan
            ));
        }
        if !security.use_afi && !security.use_eas {
            problems.push("hardware.security: neither use_afi nor use_eas is set; items would leave unsecured".into());
        }
        if self.poll_ms < 50 || self.poll_ms > 2000 {
            problems.push(format!(
                "hardware.poll_ms: expected 50 to 2000 milliseconds, found {}",
                self.poll_ms
            ));
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_build_parses_and_is_consistent() {
        let text = include_str!("../reference/pi4-pn5180-mfrc522.toml");
        let table: toml::Table = toml::from_str(text).unwrap();
        let hardware = table["hardware"].clone();
        let config: HwConfig = hardware.try_into().unwrap();
        assert_eq!(config.backend, Backend::Rpi);
        assert!(config.item_reader.is_some() && config.printer.is_some());
        assert_eq!(config.problems(), Vec::<String>::new());
    }

    #[test]
    fn wiring_mistakes_are_named() {
        let config: HwConfig = toml::from_str(
            r#"
            [security]
            afi_on_loan = 0x07
            [item_reader]
            spi_bus = 0
            spi_cs = 0
            busy_pin = 25
            reset_pin = 24
            [card_reader]
            spi_bus = 0
            spi_cs = 0
            [return_slot]
            lock_pin = 24
            sensor_pin = 40
            "#,
        )
        .unwrap();
        let problems = config.problems();
        assert_eq!(problems.len(), 4, "{problems:#?}");
        assert!(problems[0].contains("GPIO 24 is already used by hardware.item_reader.reset_pin"));
        assert!(problems[1].contains("GPIO 40 does not exist"));
        assert!(problems[2].contains("chip select 0"));
        assert!(problems[3].contains("afi_on_loan and afi_in_library are both 0x07"));
    }

    #[test]
    fn pins_of_the_buses_in_use_are_not_free() {
        let config: HwConfig = toml::from_str(
            r#"
            [card_reader]
            spi_bus = 1
            spi_cs = 0
            [scanner]
            kind = "serial"
            path = "/dev/serial0"
            [indicators]
            red_pin = 17
            green_pin = 27
            blue_pin = 14
            buzzer_pin = 18
            "#,
        )
        .unwrap();
        assert_eq!(
            config.problems(),
            [
                "hardware.indicators.blue_pin: GPIO 14 is a pin of the UART of hardware.scanner",
                "hardware.indicators.buzzer_pin: GPIO 18 is a pin of SPI1 of hardware.card_reader",
            ]
        );
    }

    #[test]
    fn an_antenna_range_must_be_low_then_high_within_ten_bits() {
        let with_range = |range: &str| -> Vec<String> {
            let text = format!(
                "[item_reader]\nspi_bus = 0\nspi_cs = 0\nbusy_pin = 25\nreset_pin = 24\nagc_range = {range}\n"
            );
            toml::from_str::<HwConfig>(&text).unwrap().problems()
        };
        assert_eq!(with_range("[380, 450]"), Vec::<String>::new());
        assert_eq!(
            with_range("[450, 380]"),
            [
                "hardware.item_reader.agc_range: expected [low, high] with low ≤ high ≤ 1023, found [450, 380]"
            ]
        );
        assert_eq!(with_range("[100, 2000]").len(), 1);
    }

    #[test]
    fn unknown_keys_are_refused() {
        let err = toml::from_str::<HwConfig>(
            "[item_reader]\nspi_bus = 0\nspi_cs = 0\nbusy_pin = 1\nreset_pin = 2\nirq_pin = 3\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("irq_pin"), "{err}");
    }
}
