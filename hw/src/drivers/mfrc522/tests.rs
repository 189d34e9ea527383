//! The card reader against recorded SPI transactions. Register addresses and values are the
//! MFRC522 datasheet's (§9 register set, §10 commands); `Script` spells out the SPI address
//! byte: (register << 1), with bit 7 set for a read.

use super::*;
use embedded_hal_mock::eh1::spi::{Mock, Transaction as Tx};

const COMMAND: u8 = 0x01;
const COM_IRQ: u8 = 0x04;
const DIV_IRQ: u8 = 0x05;
const ERROR: u8 = 0x06;
const FIFO_DATA: u8 = 0x09;
const FIFO_LEVEL: u8 = 0x0A;
const CONTROL: u8 = 0x0C;
const BIT_FRAMING: u8 = 0x0D;
const COLL: u8 = 0x0E;
const CRC_HIGH: u8 = 0x21;
const CRC_LOW: u8 = 0x22;

const IDLE: u8 = 0x00;
const CALC_CRC: u8 = 0x03;
const TRANSCEIVE: u8 = 0x0C;
const SOFT_RESET: u8 = 0x0F;
/// ComIrqReg with RxIRq and IdleIRq: a frame arrived.
const RX_DONE: u8 = 0x30;
/// ComIrqReg with TimerIRq only: nothing answered.
const TIMED_OUT: u8 = 0x01;

#[derive(Default)]
struct Script(Vec<Tx<u8>>);

impl Script {
    fn write(&mut self, reg: u8, value: u8) {
        self.0.extend([
            Tx::transaction_start(),
            Tx::write_vec(vec![reg << 1, value]),
            Tx::transaction_end(),
        ]);
    }

    fn read(&mut self, reg: u8, value: u8) {
        let address = (reg << 1) | 0x80;
        self.0.extend([
            Tx::transaction_start(),
            Tx::transfer_in_place(vec![address, 0], vec![0, value]),
            Tx::transaction_end(),
        ]);
    }

    fn write_fifo(&mut self, bytes: &[u8]) {
        self.0.extend([
            Tx::transaction_start(),
            Tx::write_vec(vec![FIFO_DATA << 1]),
            Tx::write_vec(bytes.to_vec()),
            Tx::transaction_end(),
        ]);
    }

    fn read_fifo(&mut self, bytes: &[u8]) {
        let address = (FIFO_DATA << 1) | 0x80;
        let mut sent = vec![address; bytes.len()];
        if let Some(last) = sent.last_mut() {
            *last = 0;
        }
        self.0.extend([
            Tx::transaction_start(),
            Tx::write_vec(vec![address]),
            Tx::transfer_in_place(sent, bytes.to_vec()),
            Tx::transaction_end(),
        ]);
    }

    /// Send a frame to the card; `answer` is what lands in the FIFO, `None` for a timeout.
    fn transceive(&mut self, frame: &[u8], bit_framing: u8, answer: Option<&[u8]>) {
        self.write(COMMAND, IDLE);
        self.write(COM_IRQ, 0x7F);
        self.write(FIFO_LEVEL, 0x80);
        self.write_fifo(frame);
        self.write(COMMAND, TRANSCEIVE);
        self.write(BIT_FRAMING, bit_framing);
        match answer {
            None => self.read(COM_IRQ, TIMED_OUT),
            Some(bytes) => {
                self.read(COM_IRQ, RX_DONE);
                self.read(ERROR, 0x00);
                if !bytes.is_empty() {
                    self.read(FIFO_LEVEL, bytes.len() as u8);
                    self.read_fifo(bytes);
                    self.read(CONTROL, 0x00);
                }
            }
        }
    }

    /// The chip's CRC coprocessor computing `crc` over `data`.
    fn crc(&mut self, data: &[u8], crc: [u8; 2]) {
        self.write(COMMAND, IDLE);
        self.write(DIV_IRQ, 0x04);
        self.write(FIFO_LEVEL, 0x80);
        self.write_fifo(data);
        self.write(COMMAND, CALC_CRC);
        self.read(DIV_IRQ, 0x04);
        self.write(COMMAND, IDLE);
        self.read(CRC_LOW, crc[0]);
        self.read(CRC_HIGH, crc[1]);
    }

    fn probe_and_init(&mut self, version: u8) {
        self.0.extend([
            Tx::transaction_start(),
            Tx::transfer_in_place(vec![0xEE, 0x00], vec![0x00, version]),
            Tx::transaction_end(),
        ]);
        self.write(COMMAND, SOFT_RESET);
        self.read(COMMAND, 0x00); // power-down bit clear: reset done
        self.write(0x12, 0x00); // TxModeReg
        self.write(0x13, 0x00); // RxModeReg
        self.write(0x24, 0x26); // ModWidthReg
        self.write(0x2A, 0x80); // TModeReg: timer starts after transmission
        self.write(0x2B, 0xA9); // TPrescalerReg: 40 kHz
        self.write(0x2C, 0x03); // TReloadReg: 1000 ticks = 25 ms
        self.write(0x2D, 0xE8);
        self.write(0x15, 0x40); // TxASKReg: 100 % ASK
        self.write(0x11, 0x3D); // ModeReg: CRC preset 0x6363
        self.read(0x14, 0x80); // TxControlReg
        self.write(0x14, 0x83); // antenna on
    }

    fn request(&mut self, answer: Option<&[u8]>) {
        self.write(0x12, 0x00);
        self.write(0x13, 0x00);
        self.write(0x24, 0x26);
        self.transceive(&[0x26], 0x87, answer); // REQA, 7-bit short frame
    }
}

const UID: [u8; 4] = [0xDE, 0xAD, 0xBE, 0xEF];

#[test]
fn a_card_is_read_once_and_then_halted() {
    let bcc = UID.iter().fold(0, |acc, b| acc ^ b);
    let mut s = Script::default();
    s.probe_and_init(0x92);
    s.request(Some(&[0x04, 0x00])); // ATQA: single-size UID
    s.read(COLL, 0x80);
    s.write(COLL, 0x00);
    s.transceive(
        &[0x93, 0x20],
        0x80,
        Some(&[UID[0], UID[1], UID[2], UID[3], bcc]),
    );
    let select = [0x93, 0x70, UID[0], UID[1], UID[2], UID[3], bcc];
    s.crc(&select, [0x11, 0x22]);
    let mut frame = select.to_vec();
    frame.extend([0x11, 0x22]);
    s.transceive(&frame, 0x80, Some(&[0x08, 0xB6, 0xDD])); // SAK 0x08 + CRC
    s.crc(&[0x08], [0xB6, 0xDD]);
    s.crc(&[0x50, 0x00], [0x57, 0xCD]); // HLTA
    s.transceive(&[0x50, 0x00, 0x57, 0xCD], 0x80, None);
    // Next poll: the halted card is silent.
    s.request(None);

    let mut reader = Mfrc522Reader::open(Mock::new(&s.0)).unwrap();
    assert_eq!(reader.version(), 0x92);
    assert_eq!(reader.poll().unwrap(), Some(UID.to_vec()));
    assert_eq!(reader.poll().unwrap(), None);
    reader.release().done();
}

#[test]
fn a_missing_chip_is_reported_before_the_crate_would_wait_forever() {
    for version in [0x00, 0xFF] {
        let script = [
            Tx::transaction_start(),
            Tx::transfer_in_place(vec![0xEE, 0x00], vec![0x00, version]),
            Tx::transaction_end(),
        ];
        let mut spi = Mock::new(&script);
        let err = match Mfrc522Reader::open(spi.clone()) {
            Err(err) => err,
            Ok(_) => panic!("a reader without a chip opened"),
        };
        assert!(matches!(err.fault, Fault::Missing(_)), "{err}");
        assert!(
            err.to_string().starts_with("RFID card reader: not found"),
            "{err}"
        );
        spi.done();
    }
}

#[test]
fn a_card_error_is_not_a_card() {
    let mut s = Script::default();
    s.probe_and_init(0x91);
    // ATQA with a parity error.
    s.write(0x12, 0x00);
    s.write(0x13, 0x00);
    s.write(0x24, 0x26);
    s.write(COMMAND, IDLE);
    s.write(COM_IRQ, 0x7F);
    s.write(FIFO_LEVEL, 0x80);
    s.write_fifo(&[0x26]);
    s.write(COMMAND, TRANSCEIVE);
    s.write(BIT_FRAMING, 0x87);
    s.read(COM_IRQ, RX_DONE);
    s.read(ERROR, 0x02); // ParityErr
    let mut reader = Mfrc522Reader::open(Mock::new(&s.0)).unwrap();
    assert_eq!(reader.poll().unwrap(), None);
    reader.release().done();
}
