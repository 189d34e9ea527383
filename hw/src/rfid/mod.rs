//! What the kiosk does with the item reader, over any [`ItemReader`]: read every tag on the
//! pad and decode it, write the security state and verify it, and tell which items are new.

use crate::device::{Device, DeviceError, Fault, ItemReader, TagId};
use crate::tag::{self, ItemTagData, SetStatus, StackItem, TagFormat, TypeOfUsage, group_stack};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// Most tag memory the kiosk reads: enough for any library data model, quick to read.
const MAX_READ_BYTES: usize = 256;

/// A tag on the pad and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldTag {
    pub id: TagId,
    pub afi: Option<u8>,
    /// The decoded data, or why it could not be read (for the log and the reader's message).
    pub data: Result<ItemTagData, String>,
    /// The bytes read from the tag (empty when it could not be read), for the technician.
    pub memory: Vec<u8>,
}

/// Reads and decodes every tag in the field. A tag that leaves while it is being read is left
/// out (it is read again on the next pass); a tag that answers with rubbish is reported.
pub fn read_field<R: ItemReader + ?Sized>(
    reader: &mut R,
    format: TagFormat,
) -> Result<Vec<FieldTag>, DeviceError> {
    read_field_again(reader, format, &[])
}

/// Reads the field as [`read_field`] does, except that a tag found in `known` (the previous
/// pass) with its data decoded, and still in the field, is taken from there instead of being
/// read again: its memory does not change while it lies on the pad, and reading it costs 15 to
/// 25 ms of air time (a stack of 20 on the pad took 0.7 s a pass). A tag that left the field
/// for one pass is read afresh when it comes back, and one that could not be read is tried again.
pub fn read_field_again<R: ItemReader + ?Sized>(
    reader: &mut R,
    format: TagFormat,
    known: &[FieldTag],
) -> Result<Vec<FieldTag>, DeviceError> {
    let mut field = Vec::new();
    for id in reader.inventory()? {
        if let Some(tag) = known.iter().find(|t| t.id == id && t.data.is_ok()) {
            field.push(tag.clone());
            continue;
        }
        match read_tag(reader, id, format) {
            Ok(tag) => field.push(tag),
            Err(DeviceError {
                fault: Fault::TagSilent(_),
                ..
            }) => continue,
            Err(error) => field.push(FieldTag {
                id,
                afi: None,
                data: Err(error.to_string()),
                memory: Vec::new(),
            }),
        }
    }
    Ok(field)
}

fn read_tag<R: ItemReader + ?Sized>(
    reader: &mut R,
    id: TagId,
    format: TagFormat,
) -> Result<FieldTag, DeviceError> {
    let info = reader.system_info(id)?;
    let block_size = usize::from(info.block_size.max(1));
    let wanted = match format {
        TagFormat::Iso28560_3 => tag::fixed::BLOCK_LEN,
        TagFormat::Iso28560_2 | TagFormat::Auto => MAX_READ_BYTES,
    };
    let blocks = wanted
        .div_ceil(block_size)
        .min(usize::from(info.blocks))
        .min(usize::from(u8::MAX));
    let memory = reader.read_blocks(id, 0, blocks as u8)?;
    Ok(FieldTag {
        id,
        afi: info.afi,
        data: tag::decode(format, &memory).map_err(|e| e.to_string()),
        memory,
    })
}

/// How the installation's security gates tell a lent item from one that must alarm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecuritySettings {
    /// AFI of an item in the library (the gate alarms); ISO 28560-1: 0x07.
    pub afi_in_library: u8,
    /// AFI of an item on loan; ISO 28560-1: 0xC2.
    pub afi_on_loan: u8,
    /// Write the AFI (most installations).
    pub use_afi: bool,
    /// Also set NXP's EAS bit (gates that use EAS).
    pub use_eas: bool,
    /// Write attempts per tag before the write counts as failed.
    pub attempts: u8,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        SecuritySettings {
            afi_in_library: 0x07,
            afi_on_loan: 0xC2,
            use_afi: true,
            use_eas: false,
            attempts: 2,
        }
    }
}

/// Sets and verifies the security state of every tag of an item. Stops at the first tag that
/// cannot be set: the caller undoes the loan, so the rest need not be tried.
pub fn set_security<R: ItemReader + ?Sized>(
    reader: &mut R,
    tags: &[TagId],
    on_loan: bool,
    settings: &SecuritySettings,
) -> Result<(), DeviceError> {
    let afi = if on_loan {
        settings.afi_on_loan
    } else {
        settings.afi_in_library
    };
    for &tag in tags {
        let mut last = None;
        for _ in 0..settings.attempts.max(1) {
            match secure_one(reader, tag, afi, !on_loan, settings) {
                Ok(()) => {
                    last = None;
                    break;
                }
                Err(error) => last = Some(error),
            }
        }
        if let Some(error) = last {
            return Err(error);
        }
    }
    Ok(())
}

fn secure_one<R: ItemReader + ?Sized>(
    reader: &mut R,
    tag: TagId,
    afi: u8,
    armed: bool,
    settings: &SecuritySettings,
) -> Result<(), DeviceError> {
    if settings.use_afi {
        reader.write_afi(tag, afi)?;
        // The write is confirmed by reading the AFI back: some tags acknowledge and keep the
        // old value (a locked AFI), and an unverified loan would alarm at the gate.
        let read = reader.system_info(tag)?.afi;
        if read != Some(afi) {
            let read = read.map_or("nothing".into(), |a| format!("{a:#04x}"));
            let fault = Fault::NotVerified {
                tag,
                wrote: afi,
                read,
            };
            return Err(DeviceError::new(Device::ItemReader, fault));
        }
    }
    if settings.use_eas {
        reader.set_eas(tag, armed)?;
    }
    Ok(())
}

/// Something on the pad the session should hear about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PadEvent {
    /// An item arrived, or its set changed (the missing CD was added).
    Item(StackItem<TagId>),
    /// A tag that cannot be read arrived.
    Unreadable { tag: TagId, problem: String },
    /// A patron card with an ISO 28560 tag was laid on the pad.
    PatronCard { id: String },
}

/// Remembers what is on the pad, so each book is reported once while it lies there and again
/// when it comes back.
#[derive(Debug, Default)]
pub struct PadTracker {
    items: BTreeMap<String, (Vec<TagId>, SetStatus)>,
    unreadable: BTreeSet<TagId>,
}

impl PadTracker {
    pub fn update(&mut self, field: &[FieldTag]) -> Vec<PadEvent> {
        let mut events = Vec::new();
        let mut readable = Vec::new();
        let mut bad_now = BTreeSet::new();
        for tag in field {
            match &tag.data {
                Ok(data) => readable.push((tag.id, data.clone())),
                Err(problem) => {
                    bad_now.insert(tag.id);
                    if !self.unreadable.contains(&tag.id) {
                        events.push(PadEvent::Unreadable {
                            tag: tag.id,
                            problem: problem.clone(),
                        });
                    }
                }
            }
        }
        self.unreadable = bad_now;
        let stack = group_stack(&readable);
        let mut present = BTreeMap::new();
        for item in stack {
            let state = (item.tags.clone(), item.status.clone());
            let changed = self.items.get(&item.primary_id) != Some(&state);
            present.insert(item.primary_id.clone(), state);
            if !changed {
                continue;
            }
            if item.usage.main() == TypeOfUsage::PATRON_CARD.main() {
                events.push(PadEvent::PatronCard {
                    id: item.primary_id,
                });
            } else {
                events.push(PadEvent::Item(item));
            }
        }
        self.items = present;
        events
    }
}

#[cfg(test)]
mod tests;
