//! The devices of the kiosk as the application sees them. Every backend — the embedded-hal
//! drivers on the Pi, the simulator — implements these, and the app holds nothing else.

use std::fmt;
use std::time::Duration;
use thiserror::Error;

/// The UID of an ISO 15693 item tag, as transmitted (least significant byte first).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TagId(pub [u8; 8]);

impl TagId {
    /// From the usual written form, most significant byte first (`E004015012345678`).
    pub fn from_hex(text: &str) -> Option<TagId> {
        let text = text.trim();
        if text.len() != 16 {
            return None;
        }
        let mut bytes = [0u8; 8];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(text.get(i * 2..i * 2 + 2)?, 16).ok()?;
        }
        bytes.reverse();
        Some(TagId(bytes))
    }
}

impl fmt::Display for TagId {
    /// Most significant byte first, as printed on readers' screens and in tag vendors' lists.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().rev().try_for_each(|b| write!(f, "{b:02X}"))
    }
}

impl fmt::Debug for TagId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TagId({self})")
    }
}

/// Which device a fault is about, in the words a technician uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Device {
    Scanner,
    ItemReader,
    CardReader,
    Indicators,
    ReturnSlot,
    Printer,
}

impl fmt::Display for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Device::Scanner => "barcode scanner",
            Device::ItemReader => "RFID item reader",
            Device::CardReader => "RFID card reader",
            Device::Indicators => "indicator lights",
            Device::ReturnSlot => "return slot",
            Device::Printer => "receipt printer",
        })
    }
}

/// What went wrong with a device.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Fault {
    #[error("not found ({0})")]
    Missing(String),
    #[error("bus error: {0}")]
    Bus(String),
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("the reader chip reported: {0}")]
    Chip(String),
    #[error("tag {0} did not answer")]
    TagSilent(TagId),
    #[error("tag {tag} answered error {code:#04x} ({})", tag_error_meaning(*code))]
    TagRefused { tag: TagId, code: u8 },
    #[error("garbled answer: {0}")]
    Garbled(String),
    #[error("tag {tag}: wrote AFI {wrote:#04x} but it reads back {read}")]
    NotVerified { tag: TagId, wrote: u8, read: String },
    #[error("out of paper")]
    PaperOut,
    #[error("the cover is open")]
    CoverOpen,
    #[error("not supported by this device")]
    Unsupported,
}

/// A device and what went wrong with it: "RFID item reader: no answer within 50ms".
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{device}: {fault}")]
pub struct DeviceError {
    pub device: Device,
    pub fault: Fault,
}

impl DeviceError {
    pub fn new(device: Device, fault: Fault) -> Self {
        DeviceError { device, fault }
    }

    /// The part stopped answering on its port (unplugged, powered off, its USB-serial adapter
    /// gone): the open port is no use any more, and opening it afresh may find the part again.
    /// A part that answers with bad news (no paper) is still connected.
    pub fn lost_contact(&self) -> bool {
        matches!(
            self.fault,
            Fault::Missing(_) | Fault::Bus(_) | Fault::Timeout(_)
        )
    }
}

/// ISO 15693 error codes, for messages.
pub fn tag_error_meaning(code: u8) -> &'static str {
    match code {
        0x01 => "command not supported",
        0x02 => "command not recognised",
        0x03 => "option not supported",
        0x0F => "unknown error",
        0x10 => "block not available",
        0x11 => "block already locked",
        0x12 => "block locked, cannot be changed",
        0x13 => "block not programmed",
        0x14 => "block not locked",
        0xA0..=0xDF => "custom command error",
        _ => "undefined error",
    }
}

/// What `get system information` tells about a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SystemInfo {
    pub dsfid: Option<u8>,
    pub afi: Option<u8>,
    pub block_size: u8,
    pub blocks: u16,
    pub ic_reference: Option<u8>,
}

/// What a reader says about itself, for diagnostics: its model and firmware, and a warning when
/// that is not what the driver was tested with (a clone chip, an unknown firmware).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub model: String,
    pub warning: Option<String>,
    /// What to do about the warning, when it is not the chip itself (fit a supported one).
    pub action: Option<String>,
}

/// The barcode scanner. Codes arrive whenever a reader scans; `poll` returns those completed
/// since the last call, without waiting.
pub trait BarcodeScanner {
    fn poll(&mut self) -> Result<Vec<String>, DeviceError>;
}

/// The RFID reader under the pad, for ISO 15693 item tags.
pub trait ItemReader {
    /// Every tag in the field, with anti-collision.
    fn inventory(&mut self) -> Result<Vec<TagId>, DeviceError>;
    fn system_info(&mut self, tag: TagId) -> Result<SystemInfo, DeviceError>;
    fn read_blocks(&mut self, tag: TagId, first: u8, count: u8) -> Result<Vec<u8>, DeviceError>;
    fn write_block(&mut self, tag: TagId, block: u8, data: &[u8]) -> Result<(), DeviceError>;
    fn write_afi(&mut self, tag: TagId, afi: u8) -> Result<(), DeviceError>;
    /// Model and firmware (diagnostics); by default, proof that the reader answers.
    fn identify(&mut self) -> Result<Identity, DeviceError> {
        self.inventory()?;
        Ok(Identity {
            model: "ISO 15693 reader".into(),
            warning: None,
            action: None,
        })
    }
    /// Puts a reader that stopped answering back in a known state (reset, field on again).
    fn recover(&mut self) -> Result<(), DeviceError> {
        self.identify().map(|_| ())
    }
    /// NXP's EAS bit, for installations whose gates use it.
    fn set_eas(&mut self, _tag: TagId, _armed: bool) -> Result<(), DeviceError> {
        Err(DeviceError::new(Device::ItemReader, Fault::Unsupported))
    }
}

/// The patron card reader (ISO 14443A UIDs).
pub trait CardReader {
    /// The UID of a card newly presented, if any. A card left on the reader is reported once.
    fn poll(&mut self) -> Result<Option<Vec<u8>>, DeviceError>;
    /// Model and version (diagnostics).
    fn identify(&mut self) -> Result<Identity, DeviceError> {
        Ok(Identity {
            model: "ISO 14443A reader".into(),
            warning: None,
            action: None,
        })
    }
}

/// The status light's colours, as staff are told to read them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Light {
    Off,
    /// Green: ready for the next reader.
    Ready,
    /// Blue: working, please wait.
    Busy,
    /// Red: something needs attention.
    Problem,
    /// Red and blue: out of service.
    OutOfService,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Beep {
    /// One short beep.
    Ok,
    /// Three short beeps.
    Problem,
}

pub trait Indicators {
    fn light(&mut self, light: Light) -> Result<(), DeviceError>;
    fn beep(&mut self, beep: Beep) -> Result<(), DeviceError>;
}

/// The return slot's lock and the sensor that says its flap is open.
pub trait ReturnSlot {
    fn unlock(&mut self) -> Result<(), DeviceError>;
    fn lock(&mut self) -> Result<(), DeviceError>;
    fn is_open(&mut self) -> Result<bool, DeviceError>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrinterStatus {
    Ready,
    PaperLow,
    PaperOut,
    CoverOpen,
}

/// A receipt as lines of text; the printer driver chooses the encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintJob {
    pub lines: Vec<String>,
}

pub trait ReceiptPrinter {
    fn status(&mut self) -> Result<PrinterStatus, DeviceError>;
    fn print(&mut self, job: &PrintJob) -> Result<(), DeviceError>;
}
