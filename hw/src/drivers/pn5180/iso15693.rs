//! ISO 15693 commands through the PN5180: inventory with 16-slot anti-collision, system
//! information, reading and writing blocks, AFI and NXP's EAS bit.

use super::{Pn5180, Reception, fault, reg};
use crate::device::{DeviceError, Fault, Identity, ItemReader, SystemInfo, TagId};
use embedded_hal::delay::DelayNs;
use embedded_hal::digital::{InputPin, OutputPin};
use embedded_hal::spi::SpiDevice;
use std::time::Duration;

use super::tag_cmd::{
    CMD_INVENTORY, CMD_NXP_RESET_EAS, CMD_NXP_SET_EAS, CMD_READ_MULTIPLE, CMD_READ_SINGLE,
    CMD_SYSTEM_INFO, CMD_WRITE_AFI, CMD_WRITE_SINGLE, FLAGS_ADDRESSED, FLAGS_INVENTORY_16,
    NXP_MANUFACTURER,
};
/// How long after a request has left the antenna a tag's start of frame must have been heard:
/// t1 is at most 323 µs (ISO/IEC 15693-3) and the start of frame itself 151 µs; the rest is room
/// for the chip. A write answers once the tag has programmed its memory (the standard allows
/// 20 ms; some tags take longer).
const READ_REACTION: Duration = Duration::from_micros(1_000);
const WRITE_REACTION: Duration = Duration::from_micros(25_000);
/// Mask rounds before an inventory gives up resolving collisions (a pad holds a few dozen tags).
const MAX_ROUNDS: usize = 64;
/// Blocks per read-multiple request, well inside the 508-byte reception buffer.
const BLOCKS_PER_READ: u8 = 32;

/// How long a request spends in the air (ISO/IEC 15693-2, 1 out of 4: 302 µs a byte, with its
/// CRC, 76 µs of start and 38 µs of end of frame; an empty frame is an end of frame alone).
/// SEND_DATA returns as the chip starts sending, so the answer window opens this much later: an
/// addressed request (12 bytes, 3.7 ms) would otherwise be given up on before the tag could
/// begin to answer.
fn air_time(frame: &[u8]) -> Duration {
    let micros = if frame.is_empty() {
        38
    } else {
        76 + (frame.len() as u64 + 2) * 302 + 38
    };
    Duration::from_micros(micros)
}

impl<SPI, BUSY, RST, D> Pn5180<SPI, BUSY, RST, D>
where
    SPI: SpiDevice,
    BUSY: InputPin,
    RST: OutputPin,
    D: DelayNs,
{
    /// One 16-slot round per mask; a slot with a collision becomes a longer mask to try again.
    fn inventory_rounds(&mut self, tx_config: u32) -> Result<Vec<TagId>, DeviceError> {
        let mut found = Vec::new();
        let mut masks = vec![(0u8, 0u64)];
        let mut rounds = 0;
        while let Some((mask_len, mask)) = masks.pop() {
            rounds += 1;
            if rounds > MAX_ROUNDS {
                tracing::warn!(
                    found = found.len(),
                    "inventory stopped: too many collisions"
                );
                break;
            }
            self.write_register(reg::TX_CONFIG, tx_config)?;
            let mut request = vec![FLAGS_INVENTORY_16, CMD_INVENTORY, mask_len];
            let mask_bytes = usize::from(mask_len).div_ceil(8);
            request.extend_from_slice(&mask.to_le_bytes()[..mask_bytes]);
            for slot in 0..16u64 {
                let frame: &[u8] = if slot == 0 { &request } else { &[] };
                let reception = self.transceive(frame, air_time(frame) + READ_REACTION)?;
                if slot == 0 {
                    self.write_register_and_mask(reg::TX_CONFIG, super::TX_CONFIG_EOF_ONLY_MASK)?;
                }
                match reception {
                    Reception::Silence => {}
                    Reception::Frame(answer) if answer.len() >= 10 && answer[0] & 1 == 0 => {
                        let mut uid = [0u8; 8];
                        uid.copy_from_slice(&answer[2..10]);
                        if !found.contains(&TagId(uid)) {
                            found.push(TagId(uid));
                        }
                    }
                    Reception::Collision | Reception::Damaged(_) | Reception::Frame(_) => {
                        if mask_len <= 60 {
                            masks.push((mask_len + 4, mask | (slot << mask_len)));
                        }
                    }
                }
            }
        }
        Ok(found)
    }

    /// An addressed command; the answer without its response flags.
    fn addressed(
        &mut self,
        command: &[u8],
        tag: TagId,
        params: &[u8],
        reaction: Duration,
    ) -> Result<Vec<u8>, DeviceError> {
        let mut frame = vec![FLAGS_ADDRESSED];
        frame.extend_from_slice(command);
        frame.extend_from_slice(&tag.0);
        frame.extend_from_slice(params);
        match self.transceive(&frame, air_time(&frame) + reaction)? {
            Reception::Frame(answer) => match answer.split_first() {
                Some((flags, rest)) if flags & 1 == 0 => Ok(rest.to_vec()),
                Some((_, rest)) => {
                    let code = rest.first().copied().unwrap_or(0x0F);
                    Err(fault(Fault::TagRefused { tag, code }))
                }
                None => Err(fault(Fault::Garbled("empty answer".into()))),
            },
            Reception::Silence => Err(fault(Fault::TagSilent(tag))),
            Reception::Collision | Reception::Damaged(_) => Err(fault(Fault::Garbled(format!(
                "answer from tag {tag} was damaged"
            )))),
        }
    }
}

impl<SPI, BUSY, RST, D> ItemReader for Pn5180<SPI, BUSY, RST, D>
where
    SPI: SpiDevice,
    BUSY: InputPin,
    RST: OutputPin,
    D: DelayNs,
{
    fn inventory(&mut self) -> Result<Vec<TagId>, DeviceError> {
        // Slots after the first send only an EOF; the saved TX_CONFIG is put back afterwards
        // whatever happened, so the next command has its start of frame again.
        let saved = self.read_register(reg::TX_CONFIG)?;
        let found = self.inventory_rounds(saved);
        let restored = self.write_register(reg::TX_CONFIG, saved);
        let found = found?;
        restored?;
        Ok(found)
    }

    fn recover(&mut self) -> Result<(), DeviceError> {
        // A hung chip (BUSY stuck) or a transmitter that shut down comes back with a reset.
        self.init().map(|_| ())
    }

    fn identify(&mut self) -> Result<Identity, DeviceError> {
        // Read afresh: this also proves the SPI link and the BUSY handshake still work.
        let mut version = [0u8; 2];
        self.read_eeprom(super::EEPROM_FIRMWARE_VERSION, &mut version)?;
        let (major, minor) = (version[1], version[0]);
        if version == [0xFF, 0xFF] || version == [0x00, 0x00] {
            return Err(fault(Fault::Missing(format!(
                "the PN5180 stopped answering (firmware version reads {:02x}{:02x})",
                version[0], version[1]
            ))));
        }
        let known = super::KNOWN_FIRMWARE.contains(&(major, minor));
        let firmware_warning = (!known).then(|| {
            format!(
                "firmware {major}.{minor} is not one this driver knows ({}); ISO 15693 timing may differ",
                super::KNOWN_FIRMWARE
                    .iter()
                    .map(|(a, b)| format!("{a}.{b}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        });
        let field = self.field()?;
        if !field.on {
            return Err(fault(Fault::Chip(
                "the RF field is off (the transmitter shut down): the antenna may be disconnected or shorted".into(),
            )));
        }
        let antenna_warning = self.agc_range.and_then(|(low, high)| {
            (field.agc < low || field.agc > high).then(|| {
                format!(
                    "antenna AGC {} is outside {low}–{high}, the range measured at installation",
                    field.agc
                )
            })
        });
        let action = antenna_warning.as_ref().map(|_| {
            "check the antenna cable, and that nothing metal lies on or under the pad; after fitting another antenna, measure its range again ([hardware.item_reader] agc_range)".to_owned()
        });
        let warning = match (firmware_warning, antenna_warning) {
            (Some(a), Some(b)) => Some(format!("{a}; {b}")),
            (a, b) => a.or(b),
        };
        Ok(Identity {
            model: format!(
                "PN5180 firmware {major}.{minor}, RF field on, antenna AGC {}",
                field.agc
            ),
            warning,
            action,
        })
    }

    fn system_info(&mut self, tag: TagId) -> Result<SystemInfo, DeviceError> {
        let answer = self.addressed(&[CMD_SYSTEM_INFO], tag, &[], READ_REACTION)?;
        let garbled = || fault(Fault::Garbled("short system information".into()));
        let (&info_flags, rest) = answer.split_first().ok_or_else(garbled)?;
        let mut fields = rest.get(8..).ok_or_else(garbled)?.iter().copied();
        let mut next = |present: bool| -> Result<Option<u8>, DeviceError> {
            if present {
                fields.next().map(Some).ok_or_else(garbled)
            } else {
                Ok(None)
            }
        };
        let dsfid = next(info_flags & 0x01 != 0)?;
        let afi = next(info_flags & 0x02 != 0)?;
        let (blocks, block_size) = if info_flags & 0x04 != 0 {
            let blocks = next(true)?.unwrap_or(0);
            let size = next(true)?.unwrap_or(0);
            (u16::from(blocks) + 1, (size & 0x1F) + 1)
        } else {
            // Without a memory size the common ICODE SLIX layout is assumed.
            (28, 4)
        };
        let ic_reference = next(info_flags & 0x08 != 0)?;
        Ok(SystemInfo {
            dsfid,
            afi,
            block_size,
            blocks,
            ic_reference,
        })
    }

    fn read_blocks(&mut self, tag: TagId, first: u8, count: u8) -> Result<Vec<u8>, DeviceError> {
        let mut memory = Vec::new();
        let mut block = first;
        let end = u16::from(first) + u16::from(count);
        while u16::from(block) < end {
            let n = (end - u16::from(block)).min(u16::from(BLOCKS_PER_READ)) as u8;
            match self.addressed(&[CMD_READ_MULTIPLE], tag, &[block, n - 1], READ_REACTION) {
                Ok(data) => memory.extend_from_slice(&data),
                // Tags without read-multiple are read block by block.
                Err(DeviceError {
                    fault:
                        Fault::TagRefused {
                            code: 0x01 | 0x02, ..
                        },
                    ..
                }) => {
                    for b in block..block + n {
                        let data = self.addressed(&[CMD_READ_SINGLE], tag, &[b], READ_REACTION)?;
                        memory.extend_from_slice(&data);
                    }
                }
                Err(error) => return Err(error),
            }
            block += n;
        }
        Ok(memory)
    }

    fn write_block(&mut self, tag: TagId, block: u8, data: &[u8]) -> Result<(), DeviceError> {
        let mut params = vec![block];
        params.extend_from_slice(data);
        self.addressed(&[CMD_WRITE_SINGLE], tag, &params, WRITE_REACTION)
            .map(drop)
    }

    fn write_afi(&mut self, tag: TagId, afi: u8) -> Result<(), DeviceError> {
        self.addressed(&[CMD_WRITE_AFI], tag, &[afi], WRITE_REACTION)
            .map(drop)
    }

    fn set_eas(&mut self, tag: TagId, armed: bool) -> Result<(), DeviceError> {
        let command = if armed {
            CMD_NXP_SET_EAS
        } else {
            CMD_NXP_RESET_EAS
        };
        self.addressed(&[command, NXP_MANUFACTURER], tag, &[], WRITE_REACTION)
            .map(drop)
    }
}
