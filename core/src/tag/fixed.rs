//! ISO 28560-3 (the Danish data model): a fixed 32-byte block.
//!
//! | byte  | content                                                    |
//! |-------|------------------------------------------------------------|
//! | 0     | version (high nibble, 1) and type of usage (low nibble)    |
//! | 1     | number of parts in the set                                 |
//! | 2     | ordinal part number                                        |
//! | 3–18  | primary item id, NUL padded                                |
//! | 19–20 | CRC-16/CCITT, least significant byte first                 |
//! | 21–22 | country of the owner library                               |
//! | 23–31 | owner library (ISIL without the country), NUL padded       |
//!
//! The CRC covers the block without its own two bytes, zero padded back to 32 bytes. Bytes past
//! 32 (optional blocks of the Danish model) are left as they are: the kiosk neither needs nor
//! rewrites them. The layout has one nibble for type of usage, so the offline sub-codes of
//! ISO 28560-1 cannot be expressed here; such tags decode with sub-code 0.

use super::{ItemTagData, SetInfo, TagError, TypeOfUsage, crc16_ccitt};

/// Bytes of the mandatory block.
pub const BLOCK_LEN: usize = 32;
const VERSION: u8 = 1;
const ID: std::ops::Range<usize> = 3..19;
const CRC_AT: usize = 19;
const COUNTRY: std::ops::Range<usize> = 21..23;
const LIBRARY: std::ops::Range<usize> = 23..32;

/// The CRC of a block as the layout defines it.
pub fn block_crc(block: &[u8; BLOCK_LEN]) -> u16 {
    let mut covered = [0u8; BLOCK_LEN];
    covered[..CRC_AT].copy_from_slice(&block[..CRC_AT]);
    covered[CRC_AT..BLOCK_LEN - 2].copy_from_slice(&block[CRC_AT + 2..]);
    crc16_ccitt(&covered)
}

pub fn decode(memory: &[u8]) -> Result<ItemTagData, TagError> {
    let block: &[u8; BLOCK_LEN] = memory
        .get(..BLOCK_LEN)
        .and_then(|b| b.try_into().ok())
        .ok_or(TagError::TooShort {
            needed: BLOCK_LEN,
            found: memory.len(),
        })?;
    if block.iter().all(|&b| b == 0) || block.iter().all(|&b| b == 0xFF) {
        return Err(TagError::Blank);
    }
    let version = block[0] >> 4;
    if version != VERSION {
        return Err(TagError::UnknownVersion(version));
    }
    let stored = u16::from_le_bytes([block[CRC_AT], block[CRC_AT + 1]]);
    let computed = block_crc(block);
    if stored != computed {
        return Err(TagError::BadCrc { stored, computed });
    }
    let set = SetInfo {
        parts: block[1],
        ordinal: block[2],
    }
    .check()?;
    let primary_id = text(&block[ID], 1)?;
    if primary_id.is_empty() {
        return Err(TagError::NoPrimaryId);
    }
    let country = text(&block[COUNTRY], 21)?;
    let library = text(&block[LIBRARY], 23)?;
    let owner = match (country.is_empty(), library.is_empty()) {
        (_, true) => None,
        (true, false) => Some(library),
        (false, false) => Some(format!("{country}-{library}")),
    };
    Ok(ItemTagData {
        primary_id,
        usage: TypeOfUsage((block[0] & 0x0F) << 4),
        set,
        owner,
        shelf_location: None,
    })
}

pub fn encode(data: &ItemTagData) -> Result<Vec<u8>, TagError> {
    let mut block = [0u8; BLOCK_LEN];
    block[0] = (VERSION << 4) | data.usage.main();
    let set = data.set.check()?;
    block[1] = set.parts;
    block[2] = set.ordinal;
    put(&mut block[ID], &data.primary_id)
        .map_err(|_| TagError::IdTooLong(data.primary_id.clone()))?;
    if data.primary_id.is_empty() {
        return Err(TagError::NoPrimaryId);
    }
    if let Some(isil) = &data.owner {
        // An ISIL is country-library; an owner without a 2-letter country (a library with no
        // ISIL, as some tags carry it) goes in the library field alone, as it is read back.
        let (country, library) = isil
            .split_once('-')
            .filter(|(country, _)| country.len() == 2)
            .unwrap_or(("", isil.as_str()));
        put(&mut block[COUNTRY], country)
            .and_then(|()| put(&mut block[LIBRARY], library))
            .map_err(|why| TagError::Unencodable(isil.clone(), why))?;
    }
    let crc = block_crc(&block);
    block[CRC_AT..CRC_AT + 2].copy_from_slice(&crc.to_le_bytes());
    Ok(block.to_vec())
}

/// NUL-padded ASCII text; anything else in a text field means the block is not what it claims.
fn text(field: &[u8], offset: usize) -> Result<String, TagError> {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    if let Some(bad) = field[..end].iter().position(|b| !b.is_ascii_graphic()) {
        return Err(TagError::BadText {
            at: offset + bad,
            what: "not printable text",
        });
    }
    if field[end..].iter().any(|&b| b != 0) {
        return Err(TagError::BadText {
            at: offset + end,
            what: "text continues after its NUL padding",
        });
    }
    Ok(String::from_utf8_lossy(&field[..end]).into_owned())
}

fn put(field: &mut [u8], value: &str) -> Result<(), &'static str> {
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("only printable ASCII fits the fixed layout");
    }
    if value.len() > field.len() {
        return Err("too long for its field");
    }
    field[..value.len()].copy_from_slice(value.as_bytes());
    Ok(())
}
