//! The SIP2 wire format, below the typed messages: command code, fixed-length fields, `XXvalue|`
//! fields, then `AYn` and `AZxxxx` when error detection is on, then a terminator.
//!
//! Decoding is tolerant the way real ACSes need (CR, CRLF or a stray LF; fields in any order;
//! unknown fields kept but ignored by the typed layer; a missing final `|`; `&#124;` for `|`).
//! Encoding never lets CR, LF or a raw `|` from a value onto the wire.

use super::charset::Charset;
use serde::Deserialize;
use thiserror::Error;

/// How an installation frames its messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Framing {
    pub error_detection: bool,
    pub charset: Charset,
    pub terminator: Terminator,
}

impl Default for Framing {
    fn default() -> Self {
        Framing {
            error_detection: true,
            charset: Charset::Utf8,
            terminator: Terminator::Cr,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Terminator {
    #[default]
    Cr,
    Crlf,
    /// LF alone: what some ACSes behind Unix line-oriented gateways send and expect.
    Lf,
}

impl Terminator {
    fn bytes(self) -> &'static [u8] {
        match self {
            Terminator::Cr => b"\r",
            Terminator::Crlf => b"\r\n",
            Terminator::Lf => b"\n",
        }
    }
}

/// How a received checksum was verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChecksumCheck {
    /// The message carried no `AZ`.
    Absent,
    /// Sum of the encoded bytes, as the standard says.
    Bytes,
    /// Sum of the Unicode code points: what some ACSes compute for non-ASCII text.
    CodePoints,
}

/// The 16-bit SIP2 checksum: the two's complement of the byte sum.
pub fn checksum(bytes: &[u8]) -> u16 {
    let sum = bytes
        .iter()
        .fold(0u16, |acc, b| acc.wrapping_add(u16::from(*b)));
    sum.wrapping_neg()
}

fn checksum_of_code_points(text: &str) -> u16 {
    let sum = text
        .chars()
        .fold(0u16, |acc, c| acc.wrapping_add(u32::from(c) as u16));
    sum.wrapping_neg()
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    #[error("empty message")]
    Empty,
    #[error("checksum mismatch: the message says {found:04X}, its bytes sum to {expected:04X}")]
    BadChecksum { expected: u16, found: u16 },
    #[error("not a SIP2 message: it starts with {0:?}")]
    NotSip2(String),
    #[error("unknown message code {0}")]
    UnknownCode(String),
    #[error("message {code} is too short for its fixed fields")]
    Truncated { code: String },
    #[error("message {code}: fixed field {field} holds {found:?}")]
    BadFixedField {
        code: String,
        field: &'static str,
        found: String,
    },
    #[error("expected a reply to {expected}, got message {found}")]
    UnexpectedCode {
        expected: &'static str,
        found: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EncodeError {
    #[error("field {field} contains a line break or NUL, which SIP2 cannot carry")]
    ForbiddenChar { field: String },
    #[error("fixed field of message {code} has the wrong length: {found:?} (expected {expected})")]
    FixedLength {
        code: String,
        expected: usize,
        found: String,
    },
}

/// The lengths of each message's fixed fields, in order.
pub fn fixed_layout(code: &str) -> Option<&'static [usize]> {
    Some(match code {
        "93" => &[1, 1],
        "94" => &[1],
        "99" => &[1, 3, 4],
        "98" => &[1, 1, 1, 1, 1, 1, 3, 3, 18, 4],
        "63" => &[3, 18, 10],
        "64" => &[14, 3, 18, 4, 4, 4, 4, 4, 4],
        "23" => &[3, 18],
        "24" => &[14, 3, 18],
        "11" | "29" => &[1, 1, 18, 18],
        "12" | "30" => &[1, 1, 1, 1, 18],
        "09" => &[1, 18, 18],
        "10" => &[1, 1, 1, 1, 18],
        "65" | "35" | "17" | "19" => &[18],
        "66" => &[1, 4, 4, 18],
        "36" | "38" | "20" => &[1, 18],
        "37" => &[18, 2, 2, 3],
        "18" => &[2, 2, 2, 18],
        "97" | "96" => &[],
        _ => return None,
    })
}

/// A message split into its parts, before typing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub code: String,
    pub fixed: Vec<String>,
    /// Variable fields in the order received; repeated ids kept.
    pub fields: Vec<(String, String)>,
    pub sequence: Option<u8>,
    pub checksum: ChecksumCheck,
}

impl Frame {
    pub fn new(code: &str) -> Self {
        Frame {
            code: code.into(),
            fixed: Vec::new(),
            fields: Vec::new(),
            sequence: None,
            checksum: ChecksumCheck::Absent,
        }
    }

    /// Splits received bytes (with or without their terminator) into a frame.
    pub fn parse(bytes: &[u8], charset: Charset) -> Result<Frame, DecodeError> {
        let start = bytes
            .iter()
            .position(|b| !matches!(b, b'\r' | b'\n' | 0))
            .unwrap_or(bytes.len());
        let end = bytes
            .iter()
            .rposition(|b| !matches!(b, b'\r' | b'\n' | 0))
            .map_or(start, |i| i + 1);
        let mut body = &bytes[start..end];
        if body.is_empty() {
            return Err(DecodeError::Empty);
        }
        let mut check = ChecksumCheck::Absent;
        if let Some((content, found)) = split_checksum(body) {
            // The checksum covers everything up to and including "AZ".
            let covered = &body[..content.len() + 2];
            if checksum(covered) == found {
                check = ChecksumCheck::Bytes;
            } else if checksum_of_code_points(&charset.decode(covered)) == found {
                check = ChecksumCheck::CodePoints;
            } else {
                return Err(DecodeError::BadChecksum {
                    expected: checksum(covered),
                    found,
                });
            }
            body = content;
        }
        let mut text = charset.decode(body);
        let code: String = text.chars().take(2).collect();
        if code.len() != 2 || !code.chars().all(|c| c.is_ascii_digit()) {
            return Err(DecodeError::NotSip2(text.chars().take(8).collect()));
        }
        let layout = fixed_layout(&code).ok_or_else(|| DecodeError::UnknownCode(code.clone()))?;
        let mut sequence = None;
        if let Some(digit) = sequence_suffix(&text) {
            // An "AY" and a digit inside the fixed fields is data, not a sequence number
            // (found by fuzzing: a message of fixed fields only, sent without error detection).
            let fixed_len = 2 + layout.iter().sum::<usize>();
            if text.chars().count() - 3 >= fixed_len {
                sequence = Some(digit);
                text.truncate(text.len() - 3);
            }
        }
        let mut rest = text.chars().skip(2);
        let mut fixed = Vec::with_capacity(layout.len());
        for &len in layout {
            let field: String = rest.by_ref().take(len).collect();
            if field.chars().count() != len {
                return Err(DecodeError::Truncated { code });
            }
            fixed.push(field);
        }
        let variable: String = rest.collect();
        let fields = variable
            .split('|')
            .filter(|segment| segment.chars().count() >= 2)
            .map(|segment| {
                let id: String = segment.chars().take(2).collect();
                let value = segment[id.len()..].replace("&#124;", "|");
                (id, value)
            })
            .collect();
        Ok(Frame {
            code,
            fixed,
            fields,
            sequence,
            checksum: check,
        })
    }

    /// The bytes on the wire: with `AY`/`AZ` when error detection is on, and the terminator.
    pub fn encode(&self, framing: &Framing) -> Result<Vec<u8>, EncodeError> {
        let layout = fixed_layout(&self.code).unwrap_or(&[]);
        let mut text = self.code.clone();
        for (index, value) in self.fixed.iter().enumerate() {
            let expected = layout.get(index).copied().unwrap_or(value.chars().count());
            if value.chars().count() != expected || value.contains(['|', '\r', '\n', '\0']) {
                return Err(EncodeError::FixedLength {
                    code: self.code.clone(),
                    expected,
                    found: value.clone(),
                });
            }
            text.push_str(value);
        }
        for (id, value) in &self.fields {
            if value.contains(['\r', '\n', '\0']) || id.contains(['\r', '\n', '\0', '|']) {
                return Err(EncodeError::ForbiddenChar { field: id.clone() });
            }
            text.push_str(id);
            text.push_str(&value.replace('|', "&#124;"));
            text.push('|');
        }
        let mut bytes;
        if framing.error_detection {
            // The resend requests carry a checksum but no sequence number.
            if !matches!(self.code.as_str(), "96" | "97") {
                text.push_str(&format!("AY{}", self.sequence.unwrap_or(0) % 10));
            }
            text.push_str("AZ");
            bytes = framing.charset.encode(&text);
            let sum = checksum(&bytes);
            bytes.extend_from_slice(format!("{sum:04X}").as_bytes());
        } else {
            bytes = framing.charset.encode(&text);
        }
        bytes.extend_from_slice(framing.terminator.bytes());
        Ok(bytes)
    }

    /// The first value of a field.
    pub fn field(&self, id: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(i, _)| i == id)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeated field, in order.
    pub fn all(&self, id: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(i, _)| i == id)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// `(content before "AZ", checksum)` when the message ends in `AZ` and four hex digits.
fn split_checksum(body: &[u8]) -> Option<(&[u8], u16)> {
    let n = body.len();
    if n < 6 || &body[n - 6..n - 4] != b"AZ" {
        return None;
    }
    let hex = std::str::from_utf8(&body[n - 4..]).ok()?;
    let value = u16::from_str_radix(hex, 16).ok()?;
    Some((&body[..n - 6], value))
}

/// The digit of a trailing `AYn`.
fn sequence_suffix(text: &str) -> Option<u8> {
    let tail = text.get(text.len().checked_sub(3)?..)?;
    let digit = tail.strip_prefix("AY")?.chars().next()?.to_digit(10)?;
    u8::try_from(digit).ok()
}
