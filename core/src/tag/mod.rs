//! What library RFID tags carry and how it is laid out in their memory: ISO 28560-3 (the fixed
//! 32-byte layout of the Danish data model) and ISO 28560-2 (object-based, compacted elements).
//!
//! Pure codecs: block bytes in, [`ItemTagData`] out, and back. The reader drivers move bytes; the
//! kiosk decides what a tag means through these functions only.

mod compaction;
mod crc;
pub mod fixed;
pub mod object;
mod set;
mod usage;

pub use crc::crc16_ccitt;
pub use set::{SetStatus, StackItem, group_stack};
pub use usage::TypeOfUsage;

use serde::Deserialize;
use thiserror::Error;

/// The data model of an item's tag, whatever its encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemTagData {
    /// The item's barcode number, as the ILS knows it.
    pub primary_id: String,
    pub usage: TypeOfUsage,
    pub set: SetInfo,
    /// Owner library as an ISIL (`DK-710100`, `CN-110000-T`), when the tag says.
    pub owner: Option<String>,
    /// Free-text shelf location (ISO 28560-2 element 6), when present.
    pub shelf_location: Option<String>,
}

impl ItemTagData {
    /// A single-part circulating item with no owner recorded.
    pub fn circulating(primary_id: &str) -> Self {
        ItemTagData {
            primary_id: primary_id.to_owned(),
            usage: TypeOfUsage::CIRCULATING,
            set: SetInfo::SINGLE,
            owner: None,
            shelf_location: None,
        }
    }
}

/// Which part of a multi-part item (a book with its CD) a tag belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetInfo {
    /// Parts in the whole set; 1 for an ordinary item.
    pub parts: u8,
    /// This tag's part, 1-based.
    pub ordinal: u8,
}

impl SetInfo {
    pub const SINGLE: SetInfo = SetInfo {
        parts: 1,
        ordinal: 1,
    };

    /// Tags written carelessly say 0 of 0; libraries treat that as a single item.
    pub fn normalised(self) -> SetInfo {
        if self.parts == 0 {
            SetInfo::SINGLE
        } else {
            self
        }
    }

    fn check(self) -> Result<SetInfo, TagError> {
        let set = self.normalised();
        if set.ordinal == 0 || set.ordinal > set.parts {
            return Err(TagError::BadSet {
                parts: set.parts,
                ordinal: set.ordinal,
            });
        }
        Ok(set)
    }
}

/// Which encoding an installation's item tags use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TagFormat {
    /// ISO 28560-3 / Danish data model: fixed layout with a CRC.
    #[default]
    Iso28560_3,
    /// ISO 28560-2: object-based, DSFID 0x06.
    Iso28560_2,
    /// Decide per tag: a valid -3 block (version 1, good CRC) first, else -2.
    Auto,
}

/// Why the bytes read from a tag are not a usable item record. Each says what was wrong, so a
/// technician can tell a blank tag from a damaged one from a foreign format.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TagError {
    #[error("the tag memory holds {found} bytes; at least {needed} are needed")]
    TooShort { needed: usize, found: usize },
    #[error("the tag is blank (no data written)")]
    Blank,
    #[error("unsupported ISO 28560-3 data model version {0} (only version 1 is known)")]
    UnknownVersion(u8),
    #[error("tag CRC mismatch: the tag says {stored:#06x}, its data gives {computed:#06x}")]
    BadCrc { stored: u16, computed: u16 },
    #[error("part {ordinal} of a set of {parts} is impossible")]
    BadSet { parts: u8, ordinal: u8 },
    #[error("the primary item id is missing")]
    NoPrimaryId,
    #[error("the primary item id must come first on an ISO 28560-2 tag, found element {0}")]
    PrimaryIdNotFirst(u16),
    #[error("the primary item id {0:?} does not fit the tag layout")]
    IdTooLong(String),
    #[error("byte {at}: {what}")]
    BadText { at: usize, what: &'static str },
    #[error("element {oid}: {what}")]
    BadElement { oid: u16, what: String },
    #[error("the data runs past the end of the tag memory at byte {0}")]
    Truncated(usize),
    #[error("{0:?} cannot be written: {1}")]
    Unencodable(String, &'static str),
}

/// Decodes an item tag's user memory in the installation's format.
pub fn decode(format: TagFormat, memory: &[u8]) -> Result<ItemTagData, TagError> {
    match format {
        TagFormat::Iso28560_3 => fixed::decode(memory),
        TagFormat::Iso28560_2 => object::decode(memory),
        TagFormat::Auto => match fixed::decode(memory) {
            Ok(data) => Ok(data),
            Err(fixed_err) => object::decode(memory).map_err(|_| fixed_err),
        },
    }
}

/// Encodes item data for writing in the installation's format (`Auto` writes -3).
pub fn encode(format: TagFormat, data: &ItemTagData) -> Result<Vec<u8>, TagError> {
    match format {
        TagFormat::Iso28560_3 | TagFormat::Auto => fixed::encode(data),
        TagFormat::Iso28560_2 => object::encode(data),
    }
}

#[cfg(test)]
mod tests;
