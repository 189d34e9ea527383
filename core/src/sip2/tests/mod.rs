//! The codec against the reference's vectors, the quirks of real ACSes, and round trips.

mod decode;
mod roundtrip;
mod vectors;

use super::*;
use chrono::{NaiveDate, NaiveDateTime};

pub(super) fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, mo, d)
        .and_then(|date| date.and_hms_opt(h, mi, s))
        .unwrap()
}

pub(super) fn ed(charset: Charset) -> Framing {
    Framing {
        error_detection: true,
        charset,
        terminator: Terminator::Cr,
    }
}

/// Appends the checksum a message needs (for hand-written replies in tests).
pub(super) fn with_checksum(text: &str, charset: Charset) -> Vec<u8> {
    let mut bytes = charset.encode(text);
    let sum = checksum(&bytes);
    bytes.extend_from_slice(format!("{sum:04X}\r").as_bytes());
    bytes
}
