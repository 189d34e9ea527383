//! A PN5180 on a simulated SPI bus with the simulated pad's tags in its field. The project's
//! real driver ([`crate::drivers::pn5180`]) runs over it, so inventories, anti-collision rounds,
//! reads, AFI writes and read-backs go through the same code and take as long as on the
//! machine: SPI frames at the chip's clock, BUSY after each instruction, and ISO 15693's air
//! timings (ISO/IEC 15693-2/-3, high data rate, 1 out of 4, one subcarrier) for every frame
//! to and from a tag.

use super::SimDevices;
use crate::config::PartFault;
use crate::device::{Device, DeviceError, Fault, ItemReader, TagId};
use crate::drivers::pn5180::tag_cmd::{
    CMD_INVENTORY, CMD_NXP_RESET_EAS, CMD_NXP_SET_EAS, CMD_READ_MULTIPLE, CMD_READ_SINGLE,
    CMD_SYSTEM_INFO, CMD_WRITE_AFI, CMD_WRITE_SINGLE, FLAG_INVENTORY,
};
use crate::drivers::pn5180::{self, Pn5180, cmd, irq, reg, rf, rx};
use std::convert::Infallible;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// What the simulated chip and its tags take; [`Timings::default`] is a PN5180 at its fastest
/// SPI clock with ICODE SLIX tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timings {
    /// SPI clock: the PN5180 takes up to 7 MHz.
    pub spi_hz: u32,
    /// How long BUSY stays high after an instruction frame. NXP gives no figure for register
    /// access; this is an assumption (the chip is a Cortex-M0 answering from RAM).
    pub busy: Duration,
    /// How long a tag programs its EEPROM (a block, the AFI, the EAS bit) before it answers.
    /// ISO 15693-3 allows up to 20 ms; this is an assumption for an ICODE SLIX.
    pub programming: Duration,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            spi_hz: 7_000_000,
            busy: Duration::from_micros(10),
            programming: Duration::from_millis(5),
        }
    }
}

/// Carrier cycles (fc = 13.56 MHz) as time.
const fn carrier(cycles: u64) -> Duration {
    Duration::from_nanos(cycles * 1_000_000_000 / 13_560_000)
}

/// Reader to tag, 1 out of 4: two bits per 75.52 µs, a 75.52 µs start and a 37.76 µs end.
const READER_BIT: Duration = carrier(512);
const READER_SOF: Duration = carrier(1024);
const READER_EOF: Duration = carrier(512);
/// Tag to reader, high data rate, one subcarrier: 37.76 µs a bit, 151.04 µs start and end.
const TAG_BIT: Duration = carrier(512);
const TAG_SOF: Duration = carrier(2048);
const TAG_EOF: Duration = carrier(2048);
/// t1: from the end of the reader's frame to the start of the tag's answer.
const T1: Duration = carrier(4352);
/// Bytes of CRC the chip adds to each frame on the air and removes from each answer.
const CRC: u32 = 2;

/// What came back from the field for one transmission, and when.
struct Exchange {
    answer: Answer,
    /// When the tag's start of frame arrives, and when its end does.
    starts: Instant,
    ends: Instant,
}

enum Answer {
    Silence,
    Collision,
    Frame(Vec<u8>),
}

struct Chip {
    tags: SimDevices,
    timings: Timings,
    system_config: u32,
    tx_config: u32,
    rf_on: bool,
    /// TX_RFON raised by RF_ON and not yet cleared.
    rf_on_irq: bool,
    exchange: Option<Exchange>,
    /// The inventory under way: its mask length, mask and current slot.
    inventory: Option<(u8, u64, u64)>,
    /// The answer a GET instruction left for the next read frame.
    answer: Vec<u8>,
    busy_until: Instant,
    /// Time the bus and the field took, for the benchmark's parts.
    spent: Spent,
}

/// Where the modelled time went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Spent {
    /// SPI frames on the bus.
    pub spi: Duration,
    /// Frames in the air both ways, the tags' t1 and their programming.
    pub air: Duration,
    pub frames_to_tags: u32,
}

/// The chip's SPI device, BUSY and RESET lines, and a delay that keeps time as rppal's does
/// (accurately, not to the scheduler's tick).
pub struct Bus {
    chip: Arc<Mutex<Chip>>,
}
pub struct Busy {
    chip: Arc<Mutex<Chip>>,
}
pub struct Reset;
pub struct Delay;

/// The real driver on the simulated chip, initialised as the kiosk does at start.
pub type SimPn5180 = Pn5180<Bus, Busy, Reset, Delay>;

/// A handle on what the simulated chip spent, for the benchmark.
#[derive(Clone)]
pub struct Meter {
    chip: Arc<Mutex<Chip>>,
}

impl Meter {
    pub fn spent(&self) -> Spent {
        lock(&self.chip).spent
    }
}

fn lock(chip: &Mutex<Chip>) -> MutexGuard<'_, Chip> {
    chip.lock().unwrap_or_else(|e| e.into_inner())
}

/// The driver on a simulated chip over `tags`' pad.
pub fn reader(tags: &SimDevices, timings: Timings) -> Result<(SimPn5180, Meter), DeviceError> {
    let chip = Arc::new(Mutex::new(Chip {
        tags: tags.clone(),
        timings,
        system_config: 0,
        tx_config: 0,
        rf_on: false,
        rf_on_irq: false,
        exchange: None,
        inventory: None,
        answer: Vec::new(),
        busy_until: Instant::now(),
        spent: Spent::default(),
    }));
    let mut driver = Pn5180::new(
        Bus {
            chip: Arc::clone(&chip),
        },
        Busy {
            chip: Arc::clone(&chip),
        },
        Reset,
        Delay,
    );
    driver.init()?;
    Ok((driver, Meter { chip }))
}

/// Waits `duration` accurately: sleeps most of it, spins the rest.
fn wait(duration: Duration) {
    let until = Instant::now() + duration;
    if let Some(sleep) = duration.checked_sub(Duration::from_micros(80)) {
        std::thread::sleep(sleep);
    }
    while Instant::now() < until {
        std::hint::spin_loop();
    }
}

impl Chip {
    /// How the simulated reader is set to misbehave (`[hardware.sim] faults`).
    fn fault(&self) -> Option<PartFault> {
        self.tags.device_fault(Device::ItemReader)
    }

    /// The bus carries `bytes`; the time it takes passes.
    fn clock_bytes(&mut self, bytes: usize) {
        let time = Duration::from_nanos(
            bytes as u64 * 8 * 1_000_000_000 / u64::from(self.timings.spi_hz.max(1)),
        );
        self.spent.spi += time;
        wait(time);
    }

    fn irq_status(&self, now: Instant) -> u32 {
        let mut status = if self.rf_on_irq { irq::TX_RFON } else { 0 };
        if let Some(exchange) = &self.exchange
            && !matches!(exchange.answer, Answer::Silence)
        {
            if now >= exchange.starts {
                status |= irq::RX_SOF_DET;
            }
            if now >= exchange.ends {
                status |= irq::RX;
            }
        }
        status
    }

    fn rx_status(&self, now: Instant) -> u32 {
        match &self.exchange {
            Some(exchange) if now >= exchange.ends => match &exchange.answer {
                Answer::Silence => 0,
                Answer::Collision => rx::COLLISION,
                Answer::Frame(bytes) => bytes.len() as u32 & rx::LEN_MASK,
            },
            _ => 0,
        }
    }

    fn register(&self, register: u8, now: Instant) -> u32 {
        match register {
            reg::SYSTEM_CONFIG => self.system_config,
            reg::TX_CONFIG => self.tx_config,
            reg::IRQ_STATUS => self.irq_status(now),
            reg::RX_STATUS => self.rx_status(now),
            reg::RF_STATUS => {
                let on = if self.rf_on { rf::TX_RF_ON } else { 0 };
                on | 400
            }
            _ => 0,
        }
    }

    fn set_register(&mut self, register: u8, value: impl Fn(u32) -> u32) {
        match register {
            reg::SYSTEM_CONFIG => self.system_config = value(self.system_config),
            reg::TX_CONFIG => self.tx_config = value(self.tx_config),
            reg::IRQ_CLEAR => {
                let cleared = value(0);
                if cleared & irq::TX_RFON != 0 {
                    self.rf_on_irq = false;
                }
                if cleared & (irq::RX | irq::RX_SOF_DET) != 0 {
                    self.exchange = None;
                }
            }
            _ => {}
        }
    }

    /// One instruction frame from the host.
    fn instruction(&mut self, frame: &[u8]) {
        let now = Instant::now();
        let word = |at: usize| {
            let mut bytes = [0u8; 4];
            for (i, b) in frame.iter().skip(at).take(4).enumerate() {
                bytes[i] = *b;
            }
            u32::from_le_bytes(bytes)
        };
        match frame {
            [cmd::WRITE_REGISTER, register, ..] => self.set_register(*register, |_| word(2)),
            [cmd::WRITE_REGISTER_OR_MASK, register, ..] => {
                self.set_register(*register, |v| v | word(2))
            }
            [cmd::WRITE_REGISTER_AND_MASK, register, ..] => {
                self.set_register(*register, |v| v & word(2))
            }
            [cmd::READ_REGISTER, register] => {
                self.answer = self.register(*register, now).to_le_bytes().to_vec()
            }
            [cmd::READ_EEPROM, address, len] => {
                let mut eeprom = vec![0u8; usize::from(*address) + usize::from(*len)];
                // Firmware 4.0 (a wrong chip: 2.1), as minor then major.
                let firmware = match self.fault() {
                    Some(PartFault::WrongChip) => [0x01, 0x02],
                    _ => [0x00, 0x04],
                };
                if let Some(version) =
                    eeprom.get_mut(usize::from(pn5180::EEPROM_FIRMWARE_VERSION)..)
                    && version.len() >= 2
                {
                    version[..2].copy_from_slice(&firmware);
                }
                self.answer = eeprom[usize::from(*address)..].to_vec();
            }
            [cmd::SEND_DATA, _, data @ ..] => self.send(data, now),
            [cmd::READ_DATA, ..] => {
                self.answer = match &self.exchange {
                    Some(Exchange {
                        answer: Answer::Frame(bytes),
                        ..
                    }) => bytes.clone(),
                    _ => Vec::new(),
                }
            }
            // ISO 15693's configuration leaves full frames on (the driver's default too).
            [cmd::LOAD_RF_CONFIG, ..] => self.tx_config = 0x0000_07C0,
            [cmd::RF_ON, ..] => {
                self.rf_on = true;
                self.rf_on_irq = true;
            }
            [cmd::RF_OFF, ..] => self.rf_on = false,
            _ => {}
        }
        self.busy_until = Instant::now() + self.timings.busy;
    }

    /// A frame to the field (or, with start of frame and data switched off, an end of frame
    /// alone: the next inventory slot), and the tags' answer.
    fn send(&mut self, data: &[u8], now: Instant) {
        let eof_only = self.tx_config & !pn5180::TX_CONFIG_EOF_ONLY_MASK == 0;
        let (to_tags, answer, programming) = if data.is_empty() && eof_only {
            let answer = match &mut self.inventory {
                Some((mask_len, mask, slot)) => {
                    *slot += 1;
                    inventory_slot(&self.tags, *mask_len, *mask, *slot)
                }
                None => Answer::Silence,
            };
            (READER_EOF, answer, Duration::ZERO)
        } else {
            let air = READER_SOF + READER_BIT * 8 * (data.len() as u32 + CRC) + READER_EOF;
            let (answer, writes) = self.request(data);
            let programming = if writes {
                self.timings.programming
            } else {
                Duration::ZERO
            };
            (air, answer, programming)
        };
        let from_tags = match &answer {
            Answer::Silence => Duration::ZERO,
            Answer::Collision => TAG_SOF + TAG_BIT * 8 * (10 + CRC) + TAG_EOF,
            Answer::Frame(bytes) => TAG_SOF + TAG_BIT * 8 * (bytes.len() as u32 + CRC) + TAG_EOF,
        };
        let starts = now + to_tags + T1 + programming;
        self.spent.air += to_tags + T1 + programming + from_tags;
        self.spent.frames_to_tags += 1;
        self.exchange = Some(Exchange {
            answer,
            starts,
            ends: starts + from_tags,
        });
    }

    /// What the tags answer a request frame; and whether it made a tag program its memory.
    fn request(&mut self, frame: &[u8]) -> (Answer, bool) {
        let Some((&flags, rest)) = frame.split_first() else {
            return (Answer::Silence, false);
        };
        if flags & FLAG_INVENTORY != 0 {
            self.inventory = None;
            let [CMD_INVENTORY, mask_len, mask_bytes @ ..] = rest else {
                return (Answer::Silence, false);
            };
            let mut mask = [0u8; 8];
            let len = usize::from(*mask_len).div_ceil(8).min(8);
            for (i, b) in mask_bytes.iter().take(len).enumerate() {
                mask[i] = *b;
            }
            let mask = u64::from_le_bytes(mask);
            self.inventory = Some((*mask_len, mask, 0));
            return (inventory_slot(&self.tags, *mask_len, mask, 0), false);
        }
        self.inventory = None;
        // Addressed: command, (NXP's manufacturer code,) UID, parameters.
        let Some((&command, rest)) = rest.split_first() else {
            return (Answer::Silence, false);
        };
        let rest = match command {
            CMD_NXP_SET_EAS | CMD_NXP_RESET_EAS => rest.get(1..).unwrap_or_default(),
            _ => rest,
        };
        let Some((uid, params)) = rest.split_first_chunk::<8>() else {
            return (Answer::Silence, false);
        };
        let tag = TagId(*uid);
        let mut tags = self.tags.clone();
        let (result, writes) = match (command, params) {
            (CMD_SYSTEM_INFO, _) => (
                tags.system_info(tag).map(|info| {
                    let mut bytes = vec![0x0F];
                    bytes.extend_from_slice(uid);
                    bytes.extend_from_slice(&[
                        info.dsfid.unwrap_or(0),
                        info.afi.unwrap_or(0),
                        u8::try_from(info.blocks.saturating_sub(1)).unwrap_or(u8::MAX),
                        info.block_size.saturating_sub(1) & 0x1F,
                        info.ic_reference.unwrap_or(0),
                    ]);
                    bytes
                }),
                false,
            ),
            (CMD_READ_MULTIPLE, [first, count, ..]) => (
                tags.read_blocks(tag, *first, count.saturating_add(1)),
                false,
            ),
            (CMD_READ_SINGLE, [block, ..]) => (tags.read_blocks(tag, *block, 1), false),
            (CMD_WRITE_SINGLE, [block, data @ ..]) => (
                tags.write_block(tag, *block, data).map(|()| Vec::new()),
                true,
            ),
            (CMD_WRITE_AFI, [afi, ..]) => (tags.write_afi(tag, *afi).map(|()| Vec::new()), true),
            (CMD_NXP_SET_EAS | CMD_NXP_RESET_EAS, _) => (
                tags.set_eas(tag, command == CMD_NXP_SET_EAS)
                    .map(|()| Vec::new()),
                true,
            ),
            // ISO 15693 error 0x01: command not supported.
            _ => return (Answer::Frame(vec![0x01, 0x01]), false),
        };
        let answer = match result {
            Ok(data) => {
                let mut bytes = vec![0x00];
                bytes.extend(data);
                Answer::Frame(bytes)
            }
            Err(DeviceError {
                fault: Fault::TagRefused { code, .. },
                ..
            }) => Answer::Frame(vec![0x01, code]),
            // Not on the pad (or the simulated reader set to fail): nothing answers.
            Err(_) => Answer::Silence,
        };
        let programmed = writes && matches!(answer, Answer::Frame(_));
        (answer, programmed)
    }
}

/// Who answers in `slot` of an inventory with `mask`: the tags whose UID ends in the mask and
/// whose next four bits are the slot's number.
fn inventory_slot(tags: &SimDevices, mask_len: u8, mask: u64, slot: u64) -> Answer {
    let mask_bits = if mask_len >= 64 {
        u64::MAX
    } else {
        (1u64 << mask_len) - 1
    };
    let answering: Vec<TagId> = tags
        .state()
        .pad
        .iter()
        .map(|t| t.id)
        .filter(|id| {
            let uid = u64::from_le_bytes(id.0);
            uid & mask_bits == mask & mask_bits && mask_len < 64 && (uid >> mask_len) & 0xF == slot
        })
        .collect();
    match answering.as_slice() {
        [] => Answer::Silence,
        [one] => {
            let mut bytes = vec![0x00, 0x00];
            bytes.extend_from_slice(&one.0);
            Answer::Frame(bytes)
        }
        _ => Answer::Collision,
    }
}

impl embedded_hal::spi::ErrorType for Bus {
    type Error = Infallible;
}

impl embedded_hal::spi::SpiDevice for Bus {
    fn transaction(
        &mut self,
        operations: &mut [embedded_hal::spi::Operation<'_, u8>],
    ) -> Result<(), Infallible> {
        use embedded_hal::spi::Operation;
        for operation in operations {
            let mut chip = lock(&self.chip);
            match operation {
                Operation::Write(bytes) => {
                    chip.clock_bytes(bytes.len());
                    chip.instruction(bytes);
                }
                Operation::TransferInPlace(buffer) | Operation::Read(buffer) => {
                    chip.clock_bytes(buffer.len());
                    let mut answer = std::mem::take(&mut chip.answer);
                    // Unplugged: MISO floats high.
                    if chip.fault() == Some(PartFault::Missing) {
                        answer.clear();
                    }
                    for (i, b) in buffer.iter_mut().enumerate() {
                        *b = answer.get(i).copied().unwrap_or(0xFF);
                    }
                    chip.busy_until = Instant::now() + chip.timings.busy;
                }
                Operation::Transfer(read, write) => {
                    chip.clock_bytes(read.len().max(write.len()));
                    chip.instruction(write);
                    read.fill(0xFF);
                }
                Operation::DelayNs(ns) => {
                    drop(chip);
                    wait(Duration::from_nanos(u64::from(*ns)));
                }
            }
        }
        Ok(())
    }
}

impl embedded_hal::digital::ErrorType for Busy {
    type Error = Infallible;
}

impl embedded_hal::digital::InputPin for Busy {
    fn is_high(&mut self) -> Result<bool, Infallible> {
        let chip = lock(&self.chip);
        // A reader set to time out is a chip that hangs: BUSY never falls.
        Ok(chip.fault() == Some(PartFault::Timeout) || Instant::now() < chip.busy_until)
    }
    fn is_low(&mut self) -> Result<bool, Infallible> {
        self.is_high().map(|high| !high)
    }
}

impl embedded_hal::digital::ErrorType for Reset {
    type Error = Infallible;
}

impl embedded_hal::digital::OutputPin for Reset {
    fn set_low(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
    fn set_high(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

impl embedded_hal::delay::DelayNs for Delay {
    fn delay_ns(&mut self, ns: u32) {
        wait(Duration::from_nanos(u64::from(ns)));
    }
}

#[cfg(test)]
mod tests;
