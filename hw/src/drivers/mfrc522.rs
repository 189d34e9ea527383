//! NXP MFRC522 over SPI, for patron cards (ISO 14443A UIDs), through the `mfrc522` crate.
//!
//! The crate does the chip work; this wrapper adds what a kiosk needs around it: a presence
//! check before initialisation (the crate's soft-reset loop would wait forever on a missing
//! chip), each card reported once while it lies on the reader (it is halted after being read),
//! and errors that name the device.

use crate::device::{CardReader, Device, DeviceError, Fault, Identity};
use embedded_hal::spi::SpiDevice;
use mfrc522::comm::blocking::spi::{DummyDelay, SpiInterface};
use mfrc522::{Initialized, Mfrc522};

/// VersionReg (0x37) read address: (register << 1) | 0x80.
const VERSION_READ: u8 = (0x37 << 1) | 0x80;

pub struct Mfrc522Reader<SPI: SpiDevice> {
    chip: Mfrc522<SpiInterface<SPI, DummyDelay>, Initialized>,
    version: u8,
}

impl<SPI: SpiDevice> Mfrc522Reader<SPI> {
    /// Checks that an MFRC522 answers, then initialises it (timer, CRC preset, antenna on).
    pub fn open(mut spi: SPI) -> Result<Self, DeviceError> {
        let mut probe = [VERSION_READ, 0x00];
        spi.transfer_in_place(&mut probe).map_err(|e| {
            fault(Fault::Bus(format!(
                "SPI: {:?}",
                embedded_hal::spi::Error::kind(&e)
            )))
        })?;
        let version = probe[1];
        if version == 0x00 || version == 0xFF {
            return Err(fault(Fault::Missing(format!(
                "no MFRC522 answers on SPI (version register reads {version:#04x}); check wiring and power"
            ))));
        }
        let chip = Mfrc522::new(SpiInterface::new(spi))
            .init()
            .map_err(chip_fault)?;
        Ok(Mfrc522Reader { chip, version })
    }

    /// The chip's version register: 0x91 (v1.0), 0x92 (v2.0); clones report other values.
    pub fn version(&self) -> u8 {
        self.version
    }

    pub fn release(self) -> SPI {
        self.chip.release().release()
    }
}

/// What the MFRC522's version register says about the chip.
pub fn chip_of(version: u8) -> (String, Option<String>) {
    match version {
        0x91 => ("MFRC522 v1.0".into(), None),
        0x92 => ("MFRC522 v2.0".into(), None),
        0x88 => (
            "FM17522 (an MFRC522 clone)".into(),
            Some("a clone chip: it usually works, but reads cards at a shorter range".into()),
        ),
        other => (
            format!("unknown chip (version {other:#04x})"),
            Some(format!(
                "version {other:#04x} is not an NXP MFRC522 (0x91 or 0x92): replace the reader board if cards are missed"
            )),
        ),
    }
}

impl<SPI: SpiDevice> CardReader for Mfrc522Reader<SPI> {
    fn identify(&mut self) -> Result<Identity, DeviceError> {
        let version = self.chip.version().map_err(chip_fault)?;
        self.version = version;
        let (model, warning) = chip_of(version);
        Ok(Identity {
            model,
            warning,
            action: None,
        })
    }

    fn poll(&mut self) -> Result<Option<Vec<u8>>, DeviceError> {
        let atqa = match self.chip.new_card_present() {
            Ok(atqa) => atqa,
            // No card answered the request.
            Err(mfrc522::Error::Timeout) => return Ok(None),
            Err(mfrc522::Error::Comm(e)) => return Err(chip_fault(mfrc522::Error::Comm(e))),
            Err(other) => {
                // Two cards at once, or a card pulled away mid-frame: try again next poll.
                tracing::debug!(?other, "card reader: no clean answer");
                return Ok(None);
            }
        };
        let uid = match self.chip.select(&atqa) {
            Ok(uid) => uid.as_bytes().to_vec(),
            Err(mfrc522::Error::Comm(e)) => return Err(chip_fault(mfrc522::Error::Comm(e))),
            Err(other) => {
                tracing::debug!(?other, "card reader: selection failed");
                return Ok(None);
            }
        };
        // Halted, the card stays silent until it is taken away and presented again.
        if let Err(error) = self.chip.hlta() {
            tracing::debug!(?error, "card reader: halt not confirmed");
        }
        Ok(Some(uid))
    }
}

fn fault(fault: Fault) -> DeviceError {
    DeviceError::new(Device::CardReader, fault)
}

fn chip_fault<E: embedded_hal::spi::Error>(error: mfrc522::Error<E>) -> DeviceError {
    match error {
        mfrc522::Error::Comm(e) => fault(Fault::Bus(format!("SPI: {:?}", e.kind()))),
        mfrc522::Error::Timeout => fault(Fault::Timeout(std::time::Duration::from_millis(25))),
        other => fault(Fault::Chip(format!("{other:?}"))),
    }
}

#[cfg(test)]
mod tests;
