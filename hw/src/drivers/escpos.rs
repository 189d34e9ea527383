//! ESC/POS thermal receipt printers on a serial or USB-serial port: status by DLE EOT, text in
//! GB18030 (the Chinese code page of printers sold in China) or ASCII, feed and cut.

use crate::device::{Device, DeviceError, Fault, PrintJob, PrinterStatus, ReceiptPrinter};
use embedded_hal::delay::DelayNs;
use embedded_hal_nb::nb;
use embedded_hal_nb::serial::{Read, Write};

const ESC_INIT: &[u8] = &[0x1B, 0x40];
/// FS & / FS . : Chinese character mode on and off.
const CHINESE_ON: &[u8] = &[0x1C, 0x26];
const CHINESE_OFF: &[u8] = &[0x1C, 0x2E];
/// ESC d 4: feed four lines so the text clears the cutter.
const FEED: &[u8] = &[0x1B, 0x64, 0x04];
/// GS V 66 0: feed to the cutter and cut partially.
const CUT: &[u8] = &[0x1D, 0x56, 0x42, 0x00];
/// DLE EOT n: real-time status. 2 = off-line cause (cover), 4 = paper roll sensor.
const STATUS_OFFLINE: &[u8] = &[0x10, 0x04, 0x02];
const STATUS_PAPER: &[u8] = &[0x10, 0x04, 0x04];
/// Milliseconds to wait for a status byte.
const STATUS_WAIT_MS: u32 = 200;

pub struct EscPosPrinter<P, D> {
    port: P,
    delay: D,
    /// The printer has a Chinese font (GB18030); otherwise non-ASCII prints as '?'.
    chinese: bool,
}

impl<P, D> EscPosPrinter<P, D>
where
    P: Read<u8> + Write<u8>,
    D: DelayNs,
{
    pub fn new(port: P, delay: D, chinese: bool) -> Self {
        EscPosPrinter {
            port,
            delay,
            chinese,
        }
    }

    pub fn release(self) -> P {
        self.port
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), DeviceError> {
        for &byte in bytes {
            nb::block!(self.port.write(byte)).map_err(|_| bus("write failed"))?;
        }
        Ok(())
    }

    fn ask(&mut self, query: &[u8]) -> Result<u8, DeviceError> {
        self.send(query)?;
        nb::block!(self.port.flush()).map_err(|_| bus("flush failed"))?;
        for _ in 0..STATUS_WAIT_MS {
            match self.port.read() {
                Ok(byte) if byte & 0x93 == 0x12 => return Ok(byte),
                Ok(byte) => {
                    return Err(DeviceError::new(
                        Device::Printer,
                        Fault::Garbled(format!("status byte {byte:#04x} is not ESC/POS")),
                    ));
                }
                Err(nb::Error::WouldBlock) => self.delay.delay_ms(1),
                Err(nb::Error::Other(_)) => return Err(bus("read failed")),
            }
        }
        let waited = std::time::Duration::from_millis(u64::from(STATUS_WAIT_MS));
        Err(DeviceError::new(Device::Printer, Fault::Timeout(waited)))
    }

    fn encode(&self, line: &str) -> Vec<u8> {
        if self.chinese {
            let (bytes, _, _) = encoding_rs::GB18030.encode(line);
            bytes.into_owned()
        } else {
            line.chars()
                .map(|c| {
                    if c.is_ascii() && !c.is_ascii_control() {
                        c as u8
                    } else {
                        b'?'
                    }
                })
                .collect()
        }
    }
}

fn bus(what: &str) -> DeviceError {
    DeviceError::new(Device::Printer, Fault::Bus(format!("serial port: {what}")))
}

impl<P, D> ReceiptPrinter for EscPosPrinter<P, D>
where
    P: Read<u8> + Write<u8>,
    D: DelayNs,
{
    fn status(&mut self) -> Result<PrinterStatus, DeviceError> {
        if self.ask(STATUS_OFFLINE)? & 0x04 != 0 {
            return Ok(PrinterStatus::CoverOpen);
        }
        let paper = self.ask(STATUS_PAPER)?;
        Ok(if paper & 0x60 != 0 {
            PrinterStatus::PaperOut
        } else if paper & 0x0C != 0 {
            PrinterStatus::PaperLow
        } else {
            PrinterStatus::Ready
        })
    }

    fn print(&mut self, job: &PrintJob) -> Result<(), DeviceError> {
        match self.status()? {
            PrinterStatus::PaperOut => {
                return Err(DeviceError::new(Device::Printer, Fault::PaperOut));
            }
            PrinterStatus::CoverOpen => {
                return Err(DeviceError::new(Device::Printer, Fault::CoverOpen));
            }
            PrinterStatus::PaperLow => tracing::warn!("receipt printer: paper low"),
            PrinterStatus::Ready => {}
        }
        let chinese = self.chinese && job.lines.iter().any(|l| !l.is_ascii());
        let mut out = ESC_INIT.to_vec();
        if chinese {
            out.extend_from_slice(CHINESE_ON);
        }
        for line in &job.lines {
            out.extend(self.encode(line));
            out.push(b'\n');
        }
        if chinese {
            out.extend_from_slice(CHINESE_OFF);
        }
        out.extend_from_slice(FEED);
        out.extend_from_slice(CUT);
        self.send(&out)?;
        nb::block!(self.port.flush()).map_err(|_| bus("flush failed"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_hal_mock::eh1::delay::NoopDelay;
    use embedded_hal_mock::eh1::serial::{Mock, Transaction as Tx};

    fn status_ok() -> Vec<Tx<u8>> {
        vec![
            Tx::write_many(STATUS_OFFLINE),
            Tx::flush(),
            Tx::read_error(nb::Error::WouldBlock),
            Tx::read(0x12),
            Tx::write_many(STATUS_PAPER),
            Tx::flush(),
            Tx::read(0x12),
        ]
    }

    #[test]
    fn a_chinese_receipt_is_sent_in_gb18030_and_cut() {
        let mut script = status_ok();
        let mut bytes = vec![0x1B, 0x40, 0x1C, 0x26];
        bytes.extend_from_slice(b"Due 2026-12-20\n");
        bytes.extend_from_slice(&[0xBB, 0xB9, 0xCA, 0xE9, 0xC8, 0xD5, 0xC6, 0xDA]); // 还书日期
        bytes.push(b'\n');
        bytes.extend_from_slice(&[0x1C, 0x2E, 0x1B, 0x64, 0x04, 0x1D, 0x56, 0x42, 0x00]);
        script.push(Tx::write_many(bytes));
        script.push(Tx::flush());
        let mut printer = EscPosPrinter::new(Mock::new(&script), NoopDelay::new(), true);
        let job = PrintJob {
            lines: vec!["Due 2026-12-20".into(), "还书日期".into()],
        };
        printer.print(&job).unwrap();
        printer.release().done();
    }

    #[test]
    fn without_a_chinese_font_other_characters_print_as_question_marks() {
        let mut script = status_ok();
        let mut bytes = vec![0x1B, 0x40];
        bytes.extend_from_slice(b"?? ok\n");
        bytes.extend_from_slice(&[0x1B, 0x64, 0x04, 0x1D, 0x56, 0x42, 0x00]);
        script.push(Tx::write_many(bytes));
        script.push(Tx::flush());
        let mut printer = EscPosPrinter::new(Mock::new(&script), NoopDelay::new(), false);
        printer
            .print(&PrintJob {
                lines: vec!["书名 ok".into()],
            })
            .unwrap();
        printer.release().done();
    }

    #[test]
    fn paper_out_stops_the_print_with_a_clear_error() {
        let script = [
            Tx::write_many(STATUS_OFFLINE),
            Tx::flush(),
            Tx::read(0x12),
            Tx::write_many(STATUS_PAPER),
            Tx::flush(),
            Tx::read(0x72), // paper end sensor
        ];
        let mut printer = EscPosPrinter::new(Mock::new(&script), NoopDelay::new(), true);
        let err = printer
            .print(&PrintJob {
                lines: vec!["x".into()],
            })
            .unwrap_err();
        assert_eq!(err.to_string(), "receipt printer: out of paper");
        printer.release().done();
    }

    #[test]
    fn a_printer_that_does_not_answer_times_out() {
        let mut script = vec![Tx::write_many(STATUS_OFFLINE), Tx::flush()];
        script.extend((0..STATUS_WAIT_MS).map(|_| Tx::read_error(nb::Error::WouldBlock)));
        let mut printer = EscPosPrinter::new(Mock::new(&script), NoopDelay::new(), true);
        let err = printer.status().unwrap_err();
        assert!(matches!(err.fault, Fault::Timeout(_)), "{err}");
        printer.release().done();
    }
}
