//! NXP PN5180 over SPI, for the ISO 15693 item tags under the pad.
//!
//! The host interface (datasheet §11.4): every instruction is one SPI frame — a command byte
//! and its parameters, 32-bit values least significant byte first; an instruction that answers
//! is followed by a second frame in which the host clocks out 0xFF and reads the answer. The
//! BUSY line is high while the chip works; the driver waits for it to be low before each frame.
//! Generic over embedded-hal 1.0, so it runs on the Pi (rppal) and against recorded bus
//! transactions in the tests.

mod iso15693;

use crate::device::{Device, DeviceError, Fault};
use embedded_hal::delay::DelayNs;
use embedded_hal::digital::{InputPin, OutputPin};
use embedded_hal::spi::SpiDevice;
use std::time::Duration;

/// Instruction codes (datasheet table "Host interface command list").
pub mod cmd {
    pub const WRITE_REGISTER: u8 = 0x00;
    pub const WRITE_REGISTER_OR_MASK: u8 = 0x01;
    pub const WRITE_REGISTER_AND_MASK: u8 = 0x02;
    pub const READ_REGISTER: u8 = 0x04;
    pub const READ_EEPROM: u8 = 0x07;
    pub const SEND_DATA: u8 = 0x09;
    pub const READ_DATA: u8 = 0x0A;
    pub const LOAD_RF_CONFIG: u8 = 0x11;
    pub const RF_ON: u8 = 0x16;
    pub const RF_OFF: u8 = 0x17;
}

/// ISO 15693 request flags and command codes, sent through the chip to the tags (the
/// simulated chip answers the same ones).
pub mod tag_cmd {
    /// The inventory flag of a request.
    pub const FLAG_INVENTORY: u8 = 0x04;
    /// Request flags: high data rate + inventory, 16 slots, no AFI.
    pub const FLAGS_INVENTORY_16: u8 = 0x06;
    /// Request flags: high data rate + addressed.
    pub const FLAGS_ADDRESSED: u8 = 0x22;
    pub const CMD_INVENTORY: u8 = 0x01;
    pub const CMD_READ_SINGLE: u8 = 0x20;
    pub const CMD_WRITE_SINGLE: u8 = 0x21;
    pub const CMD_READ_MULTIPLE: u8 = 0x23;
    pub const CMD_WRITE_AFI: u8 = 0x27;
    pub const CMD_SYSTEM_INFO: u8 = 0x2B;
    pub const CMD_NXP_SET_EAS: u8 = 0xA2;
    pub const CMD_NXP_RESET_EAS: u8 = 0xA3;
    pub const NXP_MANUFACTURER: u8 = 0x04;
}

/// Registers.
pub mod reg {
    pub const SYSTEM_CONFIG: u8 = 0x00;
    pub const IRQ_STATUS: u8 = 0x02;
    pub const IRQ_CLEAR: u8 = 0x03;
    pub const RX_STATUS: u8 = 0x13;
    pub const TX_CONFIG: u8 = 0x18;
    pub const RF_STATUS: u8 = 0x1D;
}

/// RF_STATUS bits: the receiver's automatic gain control value, which follows the antenna's
/// load (a detuned, disconnected or covered antenna moves it), and whether the field is on.
pub mod rf {
    pub const AGC_MASK: u32 = 0x3FF;
    pub const TX_RF_ON: u32 = 1 << 17;
}

/// IRQ_STATUS bits.
pub mod irq {
    pub const RX: u32 = 1 << 0;
    pub const TX_RFON: u32 = 1 << 9;
    pub const RX_SOF_DET: u32 = 1 << 14;
    pub const GENERAL_ERROR: u32 = 1 << 17;
    pub const ALL: u32 = 0x000F_FFFF;
}

/// RX_STATUS bits.
pub mod rx {
    pub const LEN_MASK: u32 = 0x1FF;
    pub const DATA_INTEGRITY_ERROR: u32 = 1 << 16;
    pub const PROTOCOL_ERROR: u32 = 1 << 17;
    pub const COLLISION: u32 = 1 << 18;
}

/// Firmware versions (major, minor) the driver's timings come from (NXP's releases).
pub const KNOWN_FIRMWARE: &[(u8, u8)] = &[(3, 5), (4, 0)];

/// EEPROM address of the firmware version (2 bytes: minor, major).
pub const EEPROM_FIRMWARE_VERSION: u8 = 0x12;
/// LOAD_RF_CONFIG values for ISO 15693, ASK 100 %, 26 kbit/s.
pub const RF_ISO15693_TX: u8 = 0x0D;
pub const RF_ISO15693_RX: u8 = 0x8D;
/// SYSTEM_CONFIG command field: clearing bits 0–2 selects Idle, 3 selects Transceive.
const SYSTEM_CONFIG_IDLE_MASK: u32 = 0xFFFF_FFF8;
const SYSTEM_CONFIG_TRANSCEIVE: u32 = 0x0000_0003;
/// TX_CONFIG with data and start-of-frame off: the next SEND_DATA sends only an EOF, which is how
/// an ISO 15693 reader moves to the next inventory slot.
pub const TX_CONFIG_EOF_ONLY_MASK: u32 = 0xFFFF_FB3F;
/// The reception buffer holds 508 bytes.
const RX_BUFFER: usize = 508;

/// BUSY is sampled every 10 µs, up to 50 ms before the chip counts as hung: the chip is
/// usually ready again within tens of µs, and coarser steps added up to a millisecond a tag.
const BUSY_POLL_US: u32 = 10;
const BUSY_POLLS: u32 = 5_000;
/// IRQ_STATUS is sampled every 250 µs while a tag answers (an empty inventory slot is over in
/// about 1 ms; polling by the millisecond doubled that).
const IRQ_POLL_US: u32 = 250;
/// Longest a tag may take to finish its answer once it has begun, and the field to come on.
const ANSWER_LIMIT_US: u32 = 40_000;

/// What came back from the field for one transmission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reception {
    /// No tag answered.
    Silence,
    /// More than one tag answered at once.
    Collision,
    /// Something answered but the frame failed its CRC or framing check (RX_STATUS given);
    /// during an inventory this is usually two tags answering together.
    Damaged(u32),
    Frame(Vec<u8>),
}

pub struct Pn5180<SPI, BUSY, RST, D> {
    spi: SPI,
    busy: BUSY,
    reset: RST,
    delay: D,
    firmware: Option<(u8, u8)>,
    /// The AGC values this antenna showed with an empty pad when it was installed.
    agc_range: Option<(u16, u16)>,
}

/// The RF field as the chip reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub on: bool,
    pub agc: u16,
}

impl<SPI, BUSY, RST, D> Pn5180<SPI, BUSY, RST, D>
where
    SPI: SpiDevice,
    BUSY: InputPin,
    RST: OutputPin,
    D: DelayNs,
{
    pub fn new(spi: SPI, busy: BUSY, reset: RST, delay: D) -> Self {
        Pn5180 {
            spi,
            busy,
            reset,
            delay,
            firmware: None,
            agc_range: None,
        }
    }

    /// The AGC range measured at installation (`kiosk diag` shows the value): outside it, the
    /// reader's check warns that the antenna has changed.
    pub fn with_agc_range(mut self, range: Option<(u16, u16)>) -> Self {
        self.agc_range = range;
        self
    }

    /// Whether the field is on, and the antenna's AGC value.
    pub fn field(&mut self) -> Result<Field, DeviceError> {
        let status = self.read_register(reg::RF_STATUS)?;
        Ok(Field {
            on: status & rf::TX_RF_ON != 0,
            agc: u16::try_from(status & rf::AGC_MASK).unwrap_or(u16::MAX),
        })
    }

    /// Gives the buses back (tests check their recorded transactions are all used).
    pub fn release(self) -> (SPI, BUSY, RST, D) {
        (self.spi, self.busy, self.reset, self.delay)
    }

    /// Firmware version (major, minor) read at `init`.
    pub fn firmware(&self) -> Option<(u8, u8)> {
        self.firmware
    }

    /// Resets the chip, checks that a PN5180 answers, loads the ISO 15693 RF configuration and
    /// switches the field on.
    pub fn init(&mut self) -> Result<(u8, u8), DeviceError> {
        self.reset.set_low().map_err(|_| pin_fault("RESET"))?;
        self.delay.delay_us(50);
        self.reset.set_high().map_err(|_| pin_fault("RESET"))?;
        self.delay.delay_ms(3);
        let mut version = [0u8; 2];
        self.read_eeprom(EEPROM_FIRMWARE_VERSION, &mut version)?;
        if version == [0xFF, 0xFF] || version == [0x00, 0x00] {
            let what = format!(
                "no PN5180 answers on SPI (firmware version reads {:02x}{:02x}); check wiring and power",
                version[0], version[1]
            );
            return Err(fault(Fault::Missing(what)));
        }
        let firmware = (version[1], version[0]);
        self.firmware = Some(firmware);
        self.command(&[cmd::LOAD_RF_CONFIG, RF_ISO15693_TX, RF_ISO15693_RX])?;
        self.command(&[cmd::RF_ON, 0x00])?;
        self.wait_irq(irq::TX_RFON, "the RF field did not come on")?;
        self.write_register(reg::IRQ_CLEAR, irq::TX_RFON)?;
        Ok(firmware)
    }

    pub fn rf_off(&mut self) -> Result<(), DeviceError> {
        self.command(&[cmd::RF_OFF, 0x00])
    }

    pub fn write_register(&mut self, register: u8, value: u32) -> Result<(), DeviceError> {
        self.register_op(cmd::WRITE_REGISTER, register, value)
    }

    pub fn write_register_or_mask(&mut self, register: u8, mask: u32) -> Result<(), DeviceError> {
        self.register_op(cmd::WRITE_REGISTER_OR_MASK, register, mask)
    }

    pub fn write_register_and_mask(&mut self, register: u8, mask: u32) -> Result<(), DeviceError> {
        self.register_op(cmd::WRITE_REGISTER_AND_MASK, register, mask)
    }

    fn register_op(&mut self, code: u8, register: u8, value: u32) -> Result<(), DeviceError> {
        let v = value.to_le_bytes();
        self.command(&[code, register, v[0], v[1], v[2], v[3]])
    }

    pub fn read_register(&mut self, register: u8) -> Result<u32, DeviceError> {
        let mut value = [0u8; 4];
        self.query(&[cmd::READ_REGISTER, register], &mut value)?;
        Ok(u32::from_le_bytes(value))
    }

    pub fn read_eeprom(&mut self, address: u8, out: &mut [u8]) -> Result<(), DeviceError> {
        let len = u8::try_from(out.len())
            .map_err(|_| fault(Fault::Bus("EEPROM read too long".into())))?;
        self.query(&[cmd::READ_EEPROM, address, len], out)
    }

    /// Sends one frame to the field and collects the answer. `answer_window` is how long after
    /// the frame is handed to the chip a tag's start of frame must have been heard: the frame's
    /// own time in the air and the tag's reaction (writes take longer than reads).
    pub fn transceive(
        &mut self,
        frame: &[u8],
        answer_window: Duration,
    ) -> Result<Reception, DeviceError> {
        let window_us = u32::try_from(answer_window.as_micros()).unwrap_or(u32::MAX);
        self.write_register(reg::IRQ_CLEAR, irq::ALL)?;
        self.write_register_and_mask(reg::SYSTEM_CONFIG, SYSTEM_CONFIG_IDLE_MASK)?;
        self.write_register_or_mask(reg::SYSTEM_CONFIG, SYSTEM_CONFIG_TRANSCEIVE)?;
        let mut send = Vec::with_capacity(frame.len() + 2);
        send.extend_from_slice(&[cmd::SEND_DATA, 0x00]);
        send.extend_from_slice(frame);
        self.command(&send)?;
        let mut waited_us: u32 = 0;
        loop {
            self.delay.delay_us(IRQ_POLL_US);
            waited_us = waited_us.saturating_add(IRQ_POLL_US);
            let status = self.read_register(reg::IRQ_STATUS)?;
            if status & irq::GENERAL_ERROR != 0 {
                return Err(fault(Fault::Chip("general error during transceive".into())));
            }
            if status & irq::RX != 0 {
                break;
            }
            if status & irq::RX_SOF_DET == 0 && waited_us >= window_us {
                return Ok(Reception::Silence);
            }
            if waited_us >= window_us.saturating_add(ANSWER_LIMIT_US) {
                return Err(fault(Fault::Timeout(Duration::from_micros(u64::from(
                    waited_us,
                )))));
            }
        }
        let status = self.read_register(reg::RX_STATUS)?;
        if status & rx::COLLISION != 0 {
            return Ok(Reception::Collision);
        }
        if status & (rx::DATA_INTEGRITY_ERROR | rx::PROTOCOL_ERROR) != 0 {
            return Ok(Reception::Damaged(status));
        }
        let len = (status & rx::LEN_MASK) as usize;
        if len == 0 {
            return Ok(Reception::Silence);
        }
        if len > RX_BUFFER {
            return Err(fault(Fault::Garbled(format!("{len} bytes announced"))));
        }
        let mut data = vec![0u8; len];
        self.query(&[cmd::READ_DATA, 0x00], &mut data)?;
        Ok(Reception::Frame(data))
    }

    fn wait_irq(&mut self, bit: u32, what: &str) -> Result<(), DeviceError> {
        for _ in 0..ANSWER_LIMIT_US / IRQ_POLL_US {
            if self.read_register(reg::IRQ_STATUS)? & bit != 0 {
                return Ok(());
            }
            self.delay.delay_us(IRQ_POLL_US);
        }
        Err(fault(Fault::Chip(what.into())))
    }

    /// One instruction frame.
    fn command(&mut self, bytes: &[u8]) -> Result<(), DeviceError> {
        self.wait_ready()?;
        self.spi.write(bytes).map_err(spi_fault)
    }

    /// An instruction frame and the frame that reads its answer.
    fn query(&mut self, bytes: &[u8], answer: &mut [u8]) -> Result<(), DeviceError> {
        self.command(bytes)?;
        self.wait_ready()?;
        answer.fill(0xFF);
        self.spi.transfer_in_place(answer).map_err(spi_fault)
    }

    fn wait_ready(&mut self) -> Result<(), DeviceError> {
        for _ in 0..BUSY_POLLS {
            if self.busy.is_low().map_err(|_| pin_fault("BUSY"))? {
                return Ok(());
            }
            self.delay.delay_us(BUSY_POLL_US);
        }
        Err(fault(Fault::Timeout(Duration::from_micros(u64::from(
            BUSY_POLLS * BUSY_POLL_US,
        )))))
    }
}

fn fault(fault: Fault) -> DeviceError {
    DeviceError::new(Device::ItemReader, fault)
}

fn spi_fault<E: embedded_hal::spi::Error>(error: E) -> DeviceError {
    fault(Fault::Bus(format!("SPI: {:?}", error.kind())))
}

fn pin_fault(pin: &str) -> DeviceError {
    fault(Fault::Bus(format!("cannot use the {pin} pin")))
}

#[cfg(test)]
mod tests;
