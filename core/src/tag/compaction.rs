//! ISO/IEC 15962 compaction, as ISO 28560-2 uses it for each element's data.
//!
//! The packed bit schemes pad the last byte with the leading bits of a filler character
//! (`100000` for 6-bit, all ones for 7-bit); a trailing group that lies wholly in that padding
//! and equals the filler is dropped on decode, and the encoder never chooses a scheme whose
//! last character would look like filler.

/// The 3-bit compaction code of a precursor byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compaction {
    Application = 0,
    Integer = 1,
    Numeric = 2,
    FiveBit = 3,
    SixBit = 4,
    SevenBit = 5,
    Octet = 6,
    Utf8 = 7,
}

impl Compaction {
    pub fn from_bits(bits: u8) -> Compaction {
        match bits & 0x07 {
            0 => Compaction::Application,
            1 => Compaction::Integer,
            2 => Compaction::Numeric,
            3 => Compaction::FiveBit,
            4 => Compaction::SixBit,
            5 => Compaction::SevenBit,
            6 => Compaction::Octet,
            _ => Compaction::Utf8,
        }
    }
}

/// Chooses the shortest scheme for `text` and compacts it.
pub fn compact(text: &str) -> (Compaction, Vec<u8>) {
    let digits = text.bytes().all(|b| b.is_ascii_digit());
    let plain_number = digits && !text.is_empty() && (!text.starts_with('0') || text == "0");
    if let Some(value) = plain_number.then(|| text.parse::<u128>().ok()).flatten() {
        let bytes = value.to_be_bytes();
        let first = bytes.iter().position(|&b| b != 0).unwrap_or(15);
        return (Compaction::Integer, bytes[first..].to_vec());
    }
    let six_bit_ok = text.bytes().all(|b| (0x20..=0x5F).contains(&b)) && !text.ends_with(' ');
    if six_bit_ok {
        return (
            Compaction::SixBit,
            pack(text.bytes().map(|b| b & 0x3F), 6, 0x20),
        );
    }
    if text.bytes().all(|b| b < 0x7F) {
        return (Compaction::SevenBit, pack(text.bytes(), 7, 0x7F));
    }
    if text.chars().all(|c| u32::from(c) <= 0xFF) {
        return (Compaction::Octet, text.chars().map(|c| c as u8).collect());
    }
    (Compaction::Utf8, text.as_bytes().to_vec())
}

/// The text an element's data stands for. Errors are short phrases for the element's message.
pub fn expand(compaction: Compaction, data: &[u8]) -> Result<String, &'static str> {
    match compaction {
        Compaction::Integer => integer(data),
        // Numeric: BCD digits with a 0xF filler when every nibble reads so, else the binary
        // integer form some encoders write under this code.
        Compaction::Numeric => bcd(data).map_or_else(|| integer(data), Ok),
        Compaction::FiveBit => Ok(unpack(data, 5, 0x10)
            .into_iter()
            .map(|v| char::from(0x40 | v))
            .collect()),
        Compaction::SixBit => Ok(unpack(data, 6, 0x20)
            .into_iter()
            .map(|v| char::from(if v < 0x20 { v | 0x40 } else { v }))
            .collect()),
        Compaction::SevenBit => Ok(unpack(data, 7, 0x7F).into_iter().map(char::from).collect()),
        Compaction::Octet => Ok(data.iter().map(|&b| char::from(b)).collect()),
        Compaction::Utf8 => String::from_utf8(data.to_vec()).map_err(|_| "invalid UTF-8"),
        Compaction::Application => Err("application-defined data is not text"),
    }
}

fn integer(data: &[u8]) -> Result<String, &'static str> {
    if data.is_empty() || data.len() > 16 {
        return Err("an integer must be 1 to 16 bytes");
    }
    let value = data
        .iter()
        .fold(0u128, |acc, &b| (acc << 8) | u128::from(b));
    Ok(value.to_string())
}

fn bcd(data: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(data.len() * 2);
    let nibbles = data.iter().flat_map(|b| [b >> 4, b & 0x0F]);
    let count = data.len() * 2;
    for (i, nibble) in nibbles.enumerate() {
        match nibble {
            0..=9 => out.push(char::from(b'0' + nibble)),
            0x0F if i == count - 1 && i > 0 => {}
            _ => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}

fn pack(values: impl Iterator<Item = u8>, width: u32, filler: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let mut acc: u32 = 0;
    let mut bits = 0;
    for value in values {
        acc = (acc << width) | u32::from(value);
        bits += width;
        while bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    if bits > 0 {
        let pad = 8 - bits;
        let filler_bits = u32::from(filler) >> (width - pad.min(width));
        out.push(((acc << pad) | filler_bits) as u8);
    }
    out
}

fn unpack(data: &[u8], width: usize, filler: u8) -> Vec<u8> {
    let total = data.len() * 8;
    let bit = |i: usize| (data[i / 8] >> (7 - i % 8)) & 1;
    let mut out = Vec::with_capacity(total / width);
    let mut at = 0;
    while at + width <= total {
        let value = (at..at + width).fold(0u8, |acc, i| (acc << 1) | bit(i));
        // A group that starts in the last byte and reads as the filler is padding.
        if at >= total - 8 && value == filler {
            break;
        }
        out.push(value);
        at += width;
    }
    out
}
