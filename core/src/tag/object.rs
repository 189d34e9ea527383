//! ISO 28560-2: the tag memory is a list of data elements, each
//! `precursor [offset] length data [filler]`, ended by a zero byte or the end of memory.
//!
//! The precursor holds an offset flag (bit 7: a filler count byte follows), the compaction
//! (bits 6–4) and the relative OID (bits 3–0; 15 means "15 + the next byte"). The primary item
//! id must be the first element. Elements the kiosk does not use are skipped, not rejected.

use super::compaction::{Compaction, compact, expand};
use super::{ItemTagData, SetInfo, TagError, TypeOfUsage};

/// The DSFID an ISO 28560-2 tag carries (access method 0, data format 6).
pub const DSFID: u8 = 0x06;

pub const OID_PRIMARY_ID: u16 = 1;
pub const OID_OWNER: u16 = 3;
pub const OID_SET: u16 = 4;
pub const OID_USAGE: u16 = 5;
pub const OID_SHELF: u16 = 6;

/// One element as it sits on the tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub oid: u16,
    pub compaction: Compaction,
    pub data: Vec<u8>,
}

/// Splits tag memory into its elements.
pub fn elements(memory: &[u8]) -> Result<Vec<Element>, TagError> {
    let mut found = Vec::new();
    let mut at = 0;
    let take = |at: &mut usize| -> Result<u8, TagError> {
        let byte = *memory.get(*at).ok_or(TagError::Truncated(*at))?;
        *at += 1;
        Ok(byte)
    };
    while at < memory.len() && memory[at] != 0 {
        let precursor = take(&mut at)?;
        let mut oid = u16::from(precursor & 0x0F);
        if oid == 15 {
            oid += u16::from(take(&mut at)?);
        }
        let filler = if precursor & 0x80 != 0 {
            usize::from(take(&mut at)?)
        } else {
            0
        };
        let len = usize::from(take(&mut at)?);
        let data = memory
            .get(at..at + len)
            .ok_or(TagError::Truncated(memory.len()))?;
        at += len + filler;
        found.push(Element {
            oid,
            compaction: Compaction::from_bits(precursor >> 4),
            data: data.to_vec(),
        });
    }
    Ok(found)
}

pub fn decode(memory: &[u8]) -> Result<ItemTagData, TagError> {
    if memory.iter().all(|&b| b == 0) || memory.iter().all(|&b| b == 0xFF) {
        return Err(TagError::Blank);
    }
    let list = elements(memory)?;
    let first = list.first().ok_or(TagError::NoPrimaryId)?;
    if first.oid != OID_PRIMARY_ID {
        return Err(TagError::PrimaryIdNotFirst(first.oid));
    }
    let mut data = ItemTagData::circulating(&text(first)?);
    if data.primary_id.is_empty() {
        return Err(TagError::NoPrimaryId);
    }
    for element in &list[1..] {
        match element.oid {
            OID_OWNER => data.owner = Some(descriptive(element)),
            OID_SET => data.set = set_info(element)?,
            OID_USAGE => data.usage = usage(element)?,
            OID_SHELF => data.shelf_location = Some(descriptive(element)),
            _ => {}
        }
    }
    Ok(data)
}

pub fn encode(data: &ItemTagData) -> Result<Vec<u8>, TagError> {
    if data.primary_id.is_empty() {
        return Err(TagError::NoPrimaryId);
    }
    let mut out = Vec::new();
    put_text(&mut out, OID_PRIMARY_ID, &data.primary_id)?;
    if let Some(owner) = &data.owner {
        put_text(&mut out, OID_OWNER, owner)?;
    }
    let set = data.set.check()?;
    if set != SetInfo::SINGLE {
        let width = set.parts.to_string().len();
        let digits = format!("{:0width$}{:0width$}", set.parts, set.ordinal);
        put_text(&mut out, OID_SET, &digits)?;
    }
    if data.usage != TypeOfUsage::CIRCULATING {
        put(
            &mut out,
            OID_USAGE,
            Compaction::Application,
            &[data.usage.0],
        )?;
    }
    if let Some(shelf) = &data.shelf_location {
        put_text(&mut out, OID_SHELF, shelf)?;
    }
    out.push(0);
    // Tags are written in 4-byte blocks.
    out.resize(out.len().next_multiple_of(4), 0);
    Ok(out)
}

fn put_text(out: &mut Vec<u8>, oid: u16, text: &str) -> Result<(), TagError> {
    let (compaction, bytes) = compact(text);
    put(out, oid, compaction, &bytes)
}

fn put(out: &mut Vec<u8>, oid: u16, compaction: Compaction, bytes: &[u8]) -> Result<(), TagError> {
    let len = u8::try_from(bytes.len()).map_err(|_| TagError::BadElement {
        oid,
        what: format!("{} bytes do not fit one element", bytes.len()),
    })?;
    let code = (compaction as u8) << 4;
    if oid < 15 {
        out.push(code | oid as u8);
    } else {
        out.push(code | 0x0F);
        out.push(u8::try_from(oid - 15).map_err(|_| TagError::BadElement {
            oid,
            what: "relative OID out of range".into(),
        })?);
    }
    out.push(len);
    out.extend_from_slice(bytes);
    Ok(())
}

fn text(element: &Element) -> Result<String, TagError> {
    expand(element.compaction, &element.data).map_err(|what| TagError::BadElement {
        oid: element.oid,
        what: what.into(),
    })
}

/// The owner and the shelf location only describe the item: one this kiosk cannot read (an
/// application-defined compaction, such as the ISIL scheme some encoders use for the owner)
/// must not make the book unreadable; the technician sees its bytes. The elements the kiosk
/// acts on (primary id, set, type of usage) stay strict.
fn descriptive(element: &Element) -> String {
    text(element).unwrap_or_else(|_| {
        let hex: String = element.data.iter().map(|b| format!("{b:02x}")).collect();
        format!("not decoded ({:?} compaction: {hex})", element.compaction)
    })
}

/// Set information is a digit string: the number of parts, then this part's number, both of
/// the same width ("21" is part 1 of 2, "1203" part 3 of 12).
fn set_info(element: &Element) -> Result<SetInfo, TagError> {
    let bad = |what: &str| TagError::BadElement {
        oid: element.oid,
        what: what.into(),
    };
    let digits = text(element)?;
    // Digits only: a split of other text by bytes could fall inside a character.
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("set information is not a number"));
    }
    if digits.len() % 2 != 0 || digits.is_empty() {
        return Err(bad("set information needs an even number of digits"));
    }
    let (parts, ordinal) = digits.split_at(digits.len() / 2);
    let number = |s: &str| {
        s.parse::<u8>()
            .map_err(|_| bad("set information is not a number"))
    };
    SetInfo {
        parts: number(parts)?,
        ordinal: number(ordinal)?,
    }
    .check()
}

fn usage(element: &Element) -> Result<TypeOfUsage, TagError> {
    match (element.compaction, element.data.as_slice()) {
        (Compaction::Application, [byte]) => Ok(TypeOfUsage(*byte)),
        _ => {
            let hex = text(element)?;
            u8::from_str_radix(&hex, 16)
                .map(TypeOfUsage)
                .map_err(|_| TagError::BadElement {
                    oid: element.oid,
                    what: format!("type of usage {hex:?} is not one byte"),
                })
        }
    }
}
