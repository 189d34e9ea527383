//! The PN5180 driver against recorded bus transactions. Every byte below comes from the
//! datasheet's host-interface command list and ISO 15693; the `Script` helpers only spell out
//! how one instruction looks on the wire (one frame, and a read-back frame when it answers).

use super::*;
use crate::device::{ItemReader, TagId};
use embedded_hal_mock::eh1::delay::NoopDelay;
use embedded_hal_mock::eh1::digital::{Mock as PinMock, State, Transaction as PinTx};
use embedded_hal_mock::eh1::spi::{Mock as SpiMock, Transaction as SpiTx};

#[derive(Default)]
struct Script {
    spi: Vec<SpiTx<u8>>,
    busy: Vec<PinTx>,
}

enum Rx<'a> {
    /// No tag: IRQ_STATUS shows nothing for the whole answer window.
    Silence(u32),
    Frame(&'a [u8]),
    Collision,
}

impl Script {
    fn frame(&mut self, bytes: &[u8]) {
        self.busy.push(PinTx::get(State::Low));
        self.spi.extend([
            SpiTx::transaction_start(),
            SpiTx::write_vec(bytes.to_vec()),
            SpiTx::transaction_end(),
        ]);
    }

    fn answer(&mut self, bytes: &[u8]) {
        self.busy.push(PinTx::get(State::Low));
        self.spi.extend([
            SpiTx::transaction_start(),
            SpiTx::transfer_in_place(vec![0xFF; bytes.len()], bytes.to_vec()),
            SpiTx::transaction_end(),
        ]);
    }

    fn write_reg(&mut self, code: u8, register: u8, value: u32) {
        let v = value.to_le_bytes();
        self.frame(&[code, register, v[0], v[1], v[2], v[3]]);
    }

    fn read_reg(&mut self, register: u8, value: u32) {
        self.frame(&[0x04, register]);
        self.answer(&value.to_le_bytes());
    }

    fn transceive(&mut self, request: &[u8], rx: Rx) {
        self.write_reg(0x00, 0x03, 0x000F_FFFF); // IRQ_CLEAR all
        self.write_reg(0x02, 0x00, 0xFFFF_FFF8); // SYSTEM_CONFIG: Idle
        self.write_reg(0x01, 0x00, 0x0000_0003); // SYSTEM_CONFIG: Transceive
        let mut send = vec![0x09, 0x00];
        send.extend_from_slice(request);
        self.frame(&send);
        match rx {
            Rx::Silence(polls) => (0..polls).for_each(|_| self.read_reg(0x02, 0)),
            Rx::Frame(bytes) => {
                self.read_reg(0x02, (1 << 14) | 1); // SOF detected, RX done
                self.read_reg(0x13, bytes.len() as u32);
                self.frame(&[0x0A, 0x00]);
                self.answer(bytes);
            }
            Rx::Collision => {
                self.read_reg(0x02, (1 << 14) | 1);
                self.read_reg(0x13, (1 << 18) | 10);
            }
        }
    }

    fn driver(&self, reset: &[PinTx]) -> Pn5180<SpiMock<u8>, PinMock, PinMock, NoopDelay> {
        Pn5180::new(
            SpiMock::new(&self.spi),
            PinMock::new(&self.busy),
            PinMock::new(reset),
            NoopDelay::new(),
        )
    }
}

fn finish(driver: Pn5180<SpiMock<u8>, PinMock, PinMock, NoopDelay>) {
    let (mut spi, mut busy, mut reset, _) = driver.release();
    spi.done();
    busy.done();
    reset.done();
}

const UID_A: [u8; 8] = [0x03, 0x11, 0x22, 0x33, 0x50, 0x01, 0x04, 0xE0];
const UID_B: [u8; 8] = [0x09, 0x44, 0x55, 0x66, 0x50, 0x01, 0x04, 0xE0];

fn inventory_answer(uid: [u8; 8]) -> Vec<u8> {
    let mut answer = vec![0x00, 0x00]; // response flags, DSFID
    answer.extend_from_slice(&uid);
    answer
}

fn addressed(command: &[u8], uid: [u8; 8], params: &[u8]) -> Vec<u8> {
    let mut frame = vec![0x22];
    frame.extend_from_slice(command);
    frame.extend_from_slice(&uid);
    frame.extend_from_slice(params);
    frame
}

#[test]
fn init_resets_checks_the_chip_and_switches_the_field_on() {
    let mut s = Script::default();
    s.frame(&[0x07, 0x12, 0x02]); // READ_EEPROM firmware version, 2 bytes
    s.answer(&[0x01, 0x04]); // 4.1
    s.frame(&[0x11, 0x0D, 0x8D]); // LOAD_RF_CONFIG ISO 15693 26 kbit/s
    s.frame(&[0x16, 0x00]); // RF_ON
    s.read_reg(0x02, 0);
    s.read_reg(0x02, 1 << 9); // TX_RFON_IRQ
    s.write_reg(0x00, 0x03, 1 << 9); // clear it
    let reset = [PinTx::set(State::Low), PinTx::set(State::High)];
    let mut reader = s.driver(&reset);
    assert_eq!(reader.init().unwrap(), (4, 1));
    finish(reader);
}

#[test]
fn a_missing_chip_is_reported_as_missing() {
    let mut s = Script::default();
    s.frame(&[0x07, 0x12, 0x02]);
    s.answer(&[0xFF, 0xFF]); // MISO floating high: nothing there
    let reset = [PinTx::set(State::Low), PinTx::set(State::High)];
    let mut reader = s.driver(&reset);
    let err = reader.init().unwrap_err();
    assert!(matches!(err.fault, Fault::Missing(_)), "{err}");
    assert!(
        err.to_string()
            .starts_with("RFID item reader: not found (no PN5180 answers")
    );
    finish(reader);
}

#[test]
fn a_chip_stuck_busy_times_out() {
    let s = Script {
        busy: vec![PinTx::get(State::High); BUSY_POLLS as usize],
        ..Script::default()
    };
    let mut reader = s.driver(&[]);
    let err = reader.read_register(reg::RX_STATUS).unwrap_err();
    assert!(matches!(err.fault, Fault::Timeout(_)), "{err}");
    finish(reader);
}

const TX_CONFIG_DEFAULT: u32 = 0x0000_07C0;

/// One inventory round: the request in slot 0, then EOF-only slots.
fn round(s: &mut Script, request: &[u8], slots: &[(u64, Rx)]) {
    s.write_reg(0x00, 0x18, TX_CONFIG_DEFAULT); // TX_CONFIG: full frames
    for slot in 0..16u64 {
        let frame: &[u8] = if slot == 0 { request } else { &[] };
        let rx = slots
            .iter()
            .position(|(n, _)| *n == slot)
            // Polls every 250 µs until the frame's time in the air (302 µs a byte with the CRC,
            // start and end of frame) and a millisecond for the tag have passed: an end of frame
            // alone (38 µs) 5 polls, a request without a mask (1.6 ms) 11, with one byte of it 12.
            .map_or(
                Rx::Silence(match frame.len() {
                    0 => 5,
                    3 => 11,
                    _ => 12,
                }),
                |i| match &slots[i].1 {
                    Rx::Frame(bytes) => Rx::Frame(bytes),
                    Rx::Collision => Rx::Collision,
                    Rx::Silence(n) => Rx::Silence(*n),
                },
            );
        s.transceive(frame, rx);
        if slot == 0 {
            s.write_reg(0x02, 0x18, 0xFFFF_FB3F); // TX_CONFIG: EOF only from now on
        }
    }
}

#[test]
fn inventory_finds_every_tag_in_16_slots() {
    let (a, b) = (inventory_answer(UID_A), inventory_answer(UID_B));
    let mut s = Script::default();
    s.read_reg(0x18, TX_CONFIG_DEFAULT);
    round(
        &mut s,
        &[0x06, 0x01, 0x00],
        &[(3, Rx::Frame(&a)), (9, Rx::Frame(&b))],
    );
    s.write_reg(0x00, 0x18, TX_CONFIG_DEFAULT); // restored
    let mut reader = s.driver(&[]);
    assert_eq!(reader.inventory().unwrap(), [TagId(UID_A), TagId(UID_B)]);
    finish(reader);
}

#[test]
fn a_collision_is_resolved_with_a_longer_mask() {
    // Two tags whose UIDs both end in nibble 5 collide in slot 5; the second round masks on
    // that nibble (mask length 4, value 5) and they answer in slots 2 and 12.
    let uid_c = [0x25, 1, 2, 3, 0x50, 0x01, 0x04, 0xE0];
    let uid_d = [0xC5, 4, 5, 6, 0x50, 0x01, 0x04, 0xE0];
    let (c, d) = (inventory_answer(uid_c), inventory_answer(uid_d));
    let mut s = Script::default();
    s.read_reg(0x18, TX_CONFIG_DEFAULT);
    round(&mut s, &[0x06, 0x01, 0x00], &[(5, Rx::Collision)]);
    round(
        &mut s,
        &[0x06, 0x01, 0x04, 0x05],
        &[(2, Rx::Frame(&c)), (12, Rx::Frame(&d))],
    );
    s.write_reg(0x00, 0x18, TX_CONFIG_DEFAULT);
    let mut reader = s.driver(&[]);
    assert_eq!(reader.inventory().unwrap(), [TagId(uid_c), TagId(uid_d)]);
    finish(reader);
}

#[test]
fn system_information_gives_afi_and_memory_size() {
    let mut answer = vec![0x00, 0x0F]; // flags; DSFID, AFI, memory size and IC reference present
    answer.extend_from_slice(&UID_A);
    answer.extend_from_slice(&[0x00, 0x07, 0x1B, 0x03, 0x01]); // DSFID, AFI, 28 blocks of 4, IC
    let mut s = Script::default();
    s.transceive(&addressed(&[0x2B], UID_A, &[]), Rx::Frame(&answer));
    let mut reader = s.driver(&[]);
    let info = reader.system_info(TagId(UID_A)).unwrap();
    assert_eq!(info.afi, Some(0x07));
    assert_eq!((info.blocks, info.block_size), (28, 4));
    assert_eq!(info.ic_reference, Some(0x01));
    finish(reader);
}

#[test]
fn blocks_are_read_in_one_request_or_one_by_one_when_the_tag_cannot() {
    let mut data = vec![0x00];
    data.extend(0u8..32);
    let mut s = Script::default();
    s.transceive(&addressed(&[0x23], UID_A, &[0, 7]), Rx::Frame(&data));
    let mut reader = s.driver(&[]);
    assert_eq!(
        reader.read_blocks(TagId(UID_A), 0, 8).unwrap(),
        (0u8..32).collect::<Vec<_>>()
    );
    finish(reader);

    let mut s = Script::default();
    s.transceive(
        &addressed(&[0x23], UID_B, &[4, 1]),
        Rx::Frame(&[0x01, 0x01]),
    );
    s.transceive(
        &addressed(&[0x20], UID_B, &[4]),
        Rx::Frame(&[0x00, 1, 2, 3, 4]),
    );
    s.transceive(
        &addressed(&[0x20], UID_B, &[5]),
        Rx::Frame(&[0x00, 5, 6, 7, 8]),
    );
    let mut reader = s.driver(&[]);
    assert_eq!(
        reader.read_blocks(TagId(UID_B), 4, 2).unwrap(),
        [1, 2, 3, 4, 5, 6, 7, 8]
    );
    finish(reader);
}

#[test]
fn writes_a_block_and_the_afi() {
    let mut s = Script::default();
    s.transceive(
        &addressed(&[0x21], UID_A, &[2, 0xDE, 0xAD, 0xBE, 0xEF]),
        Rx::Frame(&[0x00]),
    );
    s.transceive(&addressed(&[0x27], UID_A, &[0xC2]), Rx::Frame(&[0x00]));
    s.transceive(&addressed(&[0xA3, 0x04], UID_A, &[]), Rx::Frame(&[0x00]));
    let mut reader = s.driver(&[]);
    reader
        .write_block(TagId(UID_A), 2, &[0xDE, 0xAD, 0xBE, 0xEF])
        .unwrap();
    reader.write_afi(TagId(UID_A), 0xC2).unwrap();
    reader.set_eas(TagId(UID_A), false).unwrap();
    finish(reader);
}

#[test]
fn a_tag_error_and_a_silent_tag_are_told_apart() {
    let mut s = Script::default();
    s.transceive(
        &addressed(&[0x27], UID_A, &[0xC2]),
        Rx::Frame(&[0x01, 0x12]),
    );
    // 12 bytes with the CRC take 3.7 ms to send, and the tag has a millisecond more: 19 polls
    // of 250 µs before it counts as silent.
    s.transceive(&addressed(&[0x2B], UID_B, &[]), Rx::Silence(19));
    let mut reader = s.driver(&[]);
    let err = reader.write_afi(TagId(UID_A), 0xC2).unwrap_err();
    assert_eq!(
        err.fault,
        Fault::TagRefused {
            tag: TagId(UID_A),
            code: 0x12
        }
    );
    assert!(err.to_string().contains("locked"), "{err}");
    let err = reader.system_info(TagId(UID_B)).unwrap_err();
    assert_eq!(err.fault, Fault::TagSilent(TagId(UID_B)));
    finish(reader);
}

#[test]
fn a_chip_error_during_transceive_is_reported() {
    let mut s = Script::default();
    s.write_reg(0x00, 0x03, 0x000F_FFFF);
    s.write_reg(0x02, 0x00, 0xFFFF_FFF8);
    s.write_reg(0x01, 0x00, 0x0000_0003);
    s.frame(&[0x09, 0x00, 0x22, 0x2B]);
    s.read_reg(0x02, 1 << 17); // GENERAL_ERROR_IRQ
    let mut reader = s.driver(&[]);
    let err = reader
        .transceive(&[0x22, 0x2B], Duration::from_millis(2))
        .unwrap_err();
    assert!(matches!(err.fault, Fault::Chip(_)), "{err}");
    finish(reader);
}

/// identify: the firmware version read afresh, then RF_STATUS.
fn identify_script(rf_status: u32) -> Script {
    let mut s = Script::default();
    s.frame(&[0x07, 0x12, 0x02]); // READ_EEPROM firmware version
    s.answer(&[0x00, 0x04]); // 4.0
    s.read_reg(0x1D, rf_status);
    s
}

#[test]
fn identify_reports_the_field_and_the_antennas_agc() {
    let s = identify_script((1 << 17) | 412);
    let mut reader = s.driver(&[]).with_agc_range(Some((380, 450)));
    let identity = reader.identify().unwrap();
    assert_eq!(
        identity.model,
        "PN5180 firmware 4.0, RF field on, antenna AGC 412"
    );
    assert_eq!(identity.warning, None);
    finish(reader);
}

#[test]
fn an_agc_outside_the_installed_range_warns_about_the_antenna() {
    // A loose antenna cable: the AGC is far from what it was with an empty pad.
    let s = identify_script((1 << 17) | 1023);
    let mut reader = s.driver(&[]).with_agc_range(Some((380, 450)));
    let identity = reader.identify().unwrap();
    assert_eq!(
        identity.warning.as_deref(),
        Some("antenna AGC 1023 is outside 380–450, the range measured at installation")
    );
    assert!(identity.action.unwrap().contains("antenna cable"));
    finish(reader);

    // Without a range measured at installation, the value is only shown.
    let s = identify_script((1 << 17) | 1023);
    let mut reader = s.driver(&[]);
    assert_eq!(reader.identify().unwrap().warning, None);
    finish(reader);
}

#[test]
fn a_field_that_is_off_fails_the_check() {
    let s = identify_script(412);
    let mut reader = s.driver(&[]);
    let error = reader.identify().unwrap_err();
    assert!(matches!(error.fault, Fault::Chip(_)), "{error}");
    assert!(error.to_string().contains("RF field is off"), "{error}");
    finish(reader);
}
