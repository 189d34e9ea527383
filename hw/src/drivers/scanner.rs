//! Barcode scanners that send each code as a line of bytes: over a serial port (UART or
//! USB-CDC) or typed as keystrokes (see `wedge`). The framing is pure: bytes in, codes or a
//! reason for discarding out; the serial driver feeds it from an embedded-hal-nb port.

use crate::barcode::{self, MAX_SCAN_LEN};
use crate::device::{BarcodeScanner, Device, DeviceError, Fault};
use embedded_hal_nb::nb;
use embedded_hal_nb::serial::{Error as _, ErrorKind, Read};
use serde::Deserialize;
use std::time::{Duration, Instant};

/// How a scanner frames its codes, as set in its configuration barcodes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Framing {
    /// Bytes the scanner puts before each code (often none, or STX "\u0002").
    pub prefix: String,
    /// Bytes that end each code: "\r" (the factory default of most scanners), "\r\n" or "\n".
    pub suffix: String,
    /// A code not finished within this time is a broken frame and is dropped.
    pub frame_timeout_ms: u64,
}

impl Default for Framing {
    fn default() -> Self {
        Framing {
            prefix: String::new(),
            suffix: "\r".into(),
            frame_timeout_ms: 500,
        }
    }
}

/// What one completed (or abandoned) frame was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Framed {
    Code(String),
    /// Not a code; `why` is for the log line.
    Discarded {
        why: String,
        bytes: usize,
    },
}

/// Splits a byte stream into codes.
#[derive(Debug)]
pub struct ScanFramer {
    prefix: Vec<u8>,
    suffix: Vec<u8>,
    buf: Vec<u8>,
    /// Dropping bytes until the next suffix, after an overlong line.
    overflowed: bool,
    /// Bytes dropped so far from the overlong line, for the log.
    dropped: usize,
}

impl ScanFramer {
    pub fn new(framing: &Framing) -> Self {
        let suffix = if framing.suffix.is_empty() {
            b"\r".to_vec()
        } else {
            framing.suffix.as_bytes().to_vec()
        };
        ScanFramer {
            prefix: framing.prefix.as_bytes().to_vec(),
            suffix,
            buf: Vec::new(),
            overflowed: false,
            dropped: 0,
        }
    }

    /// Longest frame kept before the line counts as overlong.
    fn limit(&self) -> usize {
        MAX_SCAN_LEN + self.prefix.len() + self.suffix.len()
    }

    pub fn has_partial(&self) -> bool {
        !self.buf.is_empty() || self.overflowed
    }

    pub fn push(&mut self, byte: u8) -> Option<Framed> {
        if self.overflowed {
            self.buf.push(byte);
            self.dropped += 1;
            if self.buf.ends_with(&self.suffix) {
                self.overflowed = false;
                self.buf.clear();
                let bytes = std::mem::take(&mut self.dropped);
                let why = format!("line longer than {MAX_SCAN_LEN} characters");
                return Some(Framed::Discarded { why, bytes });
            }
            // Only the tail is needed to spot the suffix.
            if self.buf.len() > self.suffix.len() {
                self.buf.drain(..self.buf.len() - self.suffix.len());
            }
            return None;
        }
        self.buf.push(byte);
        if self.buf.ends_with(&self.suffix) {
            let mut frame = std::mem::take(&mut self.buf);
            frame.truncate(frame.len() - self.suffix.len());
            return Some(self.frame(frame));
        }
        if self.buf.len() > self.limit() {
            self.overflowed = true;
            self.dropped = self.buf.len();
            self.buf.clear();
        }
        None
    }

    /// The line went quiet with half a frame in the buffer: drop it.
    pub fn expire(&mut self) -> Option<Framed> {
        if !self.has_partial() {
            return None;
        }
        let bytes = self.buf.len() + std::mem::take(&mut self.dropped);
        self.buf.clear();
        self.overflowed = false;
        let why = "incomplete frame (no suffix before the line went quiet)".to_owned();
        Some(Framed::Discarded { why, bytes })
    }

    /// A receive error spoilt whatever is in the buffer.
    pub fn spoil(&mut self, cause: &str) -> Option<Framed> {
        let bytes = self.buf.len() + std::mem::take(&mut self.dropped);
        self.buf.clear();
        (bytes > 0).then(|| {
            self.overflowed = false;
            let why = format!("receive error in the middle of a frame ({cause})");
            Framed::Discarded { why, bytes }
        })
    }

    fn frame(&self, frame: Vec<u8>) -> Framed {
        let total = frame.len();
        let body = if self.prefix.is_empty() {
            &frame[..]
        } else {
            // Noise before the prefix (a half frame from power-up) is cut off at the last prefix.
            match frame
                .windows(self.prefix.len())
                .rposition(|w| w == self.prefix)
            {
                Some(at) => &frame[at + self.prefix.len()..],
                None => {
                    let why = "frame without the configured prefix".to_owned();
                    return Framed::Discarded { why, bytes: total };
                }
            }
        };
        let text = match std::str::from_utf8(body) {
            Ok(text) => text,
            Err(_) => {
                let why = "bytes that are not text".to_owned();
                return Framed::Discarded { why, bytes: total };
            }
        };
        match barcode::clean_scan(text) {
            Ok(code) => Framed::Code(code),
            Err(error) => Framed::Discarded {
                why: error.to_string(),
                bytes: total,
            },
        }
    }
}

/// A scanner on a serial port.
pub struct SerialScanner<P> {
    port: P,
    framer: ScanFramer,
    frame_timeout: Duration,
    last_byte: Option<Instant>,
}

impl<P: Read<u8>> SerialScanner<P> {
    pub fn new(port: P, framing: &Framing) -> Self {
        SerialScanner {
            port,
            framer: ScanFramer::new(framing),
            frame_timeout: Duration::from_millis(framing.frame_timeout_ms),
            last_byte: None,
        }
    }

    pub fn release(self) -> P {
        self.port
    }
}

/// Logs a dropped frame: technicians look for these when a scanner "reads nothing".
fn note(framed: Framed, codes: &mut Vec<String>) {
    match framed {
        Framed::Code(code) => codes.push(code),
        Framed::Discarded { why, bytes } => {
            tracing::warn!(bytes, %why, "barcode scanner: frame discarded");
        }
    }
}

impl<P: Read<u8>> BarcodeScanner for SerialScanner<P> {
    fn poll(&mut self) -> Result<Vec<String>, DeviceError> {
        let mut codes = Vec::new();
        let now = Instant::now();
        if let Some(last) = self.last_byte
            && now.duration_since(last) >= self.frame_timeout
            && let Some(framed) = self.framer.expire()
        {
            note(framed, &mut codes);
        }
        // Bounded, so a port spewing noise cannot hold the kiosk's loop.
        for _ in 0..4096 {
            match self.port.read() {
                Ok(byte) => {
                    self.last_byte = Some(now);
                    if let Some(framed) = self.framer.push(byte) {
                        note(framed, &mut codes);
                    }
                }
                Err(nb::Error::WouldBlock) => break,
                // The port itself failed (its USB adapter pulled out): nothing more will come.
                Err(nb::Error::Other(error)) if error.kind() == ErrorKind::Other => {
                    return Err(DeviceError::new(
                        Device::Scanner,
                        Fault::Bus(format!("serial port: {error:?}")),
                    ));
                }
                // Noise on the line: the frame it hit is lost, the line goes on.
                Err(nb::Error::Other(error)) => {
                    let cause = format!("{:?}", error.kind());
                    if let Some(framed) = self.framer.spoil(&cause) {
                        note(framed, &mut codes);
                    }
                }
            }
        }
        Ok(codes)
    }
}

#[cfg(test)]
mod tests;
