//! Headless commands that act on the simulated machine: books laid on and taken off the RFID
//! pad, tags that misbehave, the printer's paper. They let a script (or a test) show what real
//! hardware does.

use super::devices::DeviceHub;
use kiosk_hw::device::TagId;
use kiosk_hw::sim::{SimTag, TagFault};
use kiosk_hw::tag::{self, ItemTagData, SetInfo, TypeOfUsage};
use serde::Deserialize;

/// `{"place": {"uid": "E004015000000001", "item": "30234000001031"}}`, with optional `parts`
/// and `part` (a multi-part set), `usage` (type-of-usage byte, default 16 = 0x10 circulating),
/// `afi` (default: in the library), `fault` (`afi_locked`, `afi_ignored`), or `raw` (the tag
/// memory as hex, for damaged or foreign tags) instead of `item`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaceTag {
    pub uid: String,
    #[serde(default)]
    pub item: Option<String>,
    #[serde(default)]
    pub parts: Option<u8>,
    #[serde(default)]
    pub part: Option<u8>,
    #[serde(default)]
    pub usage: Option<u8>,
    #[serde(default)]
    pub afi: Option<u8>,
    #[serde(default)]
    pub fault: Option<PlacedTagFault>,
    #[serde(default)]
    pub raw: Option<String>,
}

/// One tag, or several laid on the pad together (a stack of books).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Placement {
    One(PlaceTag),
    Stack(Vec<PlaceTag>),
}

impl Placement {
    pub fn tags(&self) -> &[PlaceTag] {
        match self {
            Placement::One(tag) => std::slice::from_ref(tag),
            Placement::Stack(tags) => tags,
        }
    }
}

/// Lays every tag on the pad; nothing is laid if one of them is malformed.
pub fn place_all(hub: &DeviceHub, placement: &Placement) -> Result<(), String> {
    let tags = placement.tags();
    let built: Vec<SimTag> = tags
        .iter()
        .map(|tag| build(hub, tag))
        .collect::<Result<_, _>>()?;
    let sim = hub.sim().ok_or_else(sim_needed)?;
    built.into_iter().for_each(|tag| sim.place(tag));
    Ok(())
}

impl PlaceTag {
    /// A single-part circulating item.
    pub fn item(uid: &str, item: &str) -> PlaceTag {
        PlaceTag {
            uid: uid.into(),
            item: Some(item.into()),
            parts: None,
            part: None,
            usage: None,
            afi: None,
            fault: None,
            raw: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlacedTagFault {
    None,
    AfiLocked,
    AfiIgnored,
}

fn sim_needed() -> String {
    "this command needs the simulated hardware (hardware.backend = \"sim\", as in the demo)".into()
}

fn tag_id(uid: &str) -> Result<TagId, String> {
    TagId::from_hex(uid).ok_or_else(|| format!("`uid` takes 16 hex digits, found {uid:?}"))
}

pub fn place(hub: &DeviceHub, place: &PlaceTag) -> Result<(), String> {
    let tag = build(hub, place)?;
    hub.sim().ok_or_else(sim_needed)?.place(tag);
    Ok(())
}

fn build(hub: &DeviceHub, place: &PlaceTag) -> Result<SimTag, String> {
    hub.sim().ok_or_else(sim_needed)?;
    let id = tag_id(&place.uid)?;
    let memory = match (&place.raw, &place.item) {
        (Some(hex), None) => {
            parse_hex(hex).ok_or_else(|| "`raw` takes the tag memory as hex bytes".to_owned())?
        }
        (None, Some(item)) => {
            let data = ItemTagData {
                usage: TypeOfUsage(place.usage.unwrap_or(TypeOfUsage::CIRCULATING.0)),
                set: SetInfo {
                    parts: place.parts.unwrap_or(1),
                    ordinal: place.part.unwrap_or(1),
                },
                ..ItemTagData::circulating(item)
            };
            tag::encode(hub.tag_format(), &data)
                .map_err(|e| format!("cannot encode the tag: {e}"))?
        }
        _ => return Err("`place` takes either `item` or `raw`".into()),
    };
    let afi = place.afi.unwrap_or(0x07);
    let mut tag = SimTag::new(id, &memory, afi);
    tag.fault = match place.fault.unwrap_or(PlacedTagFault::None) {
        PlacedTagFault::None => TagFault::None,
        PlacedTagFault::AfiLocked => TagFault::AfiLocked,
        PlacedTagFault::AfiIgnored => TagFault::AfiSilentlyIgnored,
    };
    Ok(tag)
}

pub fn remove(hub: &DeviceHub, uid: &str) -> Result<(), String> {
    let sim = hub.sim().ok_or_else(sim_needed)?;
    sim.remove(tag_id(uid)?);
    Ok(())
}

pub fn clear(hub: &DeviceHub) -> Result<(), String> {
    hub.sim().ok_or_else(sim_needed)?.clear_pad();
    Ok(())
}

/// `{"printer": "paper_out"}`: what staff find at the simulated printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrinterState {
    Ready,
    PaperLow,
    PaperOut,
    CoverOpen,
    /// Its cable pulled out; `ready` plugs it back in.
    Unplugged,
}

pub fn printer(hub: &DeviceHub, state: PrinterState) -> Result<(), String> {
    use kiosk_hw::config::PartFault;
    let fault = match state {
        PrinterState::Ready => None,
        PrinterState::PaperLow => Some(PartFault::PaperLow),
        PrinterState::PaperOut => Some(PartFault::PaperOut),
        PrinterState::CoverOpen => Some(PartFault::CoverOpen),
        PrinterState::Unplugged => Some(PartFault::Missing),
    };
    hub.sim()
        .ok_or_else(sim_needed)?
        .set_device_fault(kiosk_hw::device::Device::Printer, fault);
    Ok(())
}

/// `{"fault": {"item_reader": "timeout"}}`: parts misbehave from now on (`null` mends them).
pub fn faults(
    hub: &DeviceHub,
    faults: &std::collections::BTreeMap<
        kiosk_hw::config::SimPart,
        Option<kiosk_hw::config::PartFault>,
    >,
) -> Result<(), String> {
    let sim = hub.sim().ok_or_else(sim_needed)?;
    for (part, fault) in faults {
        sim.set_device_fault(part.device(), *fault);
    }
    Ok(())
}

/// Hex bytes as a person types them (`04a1B2c3`): a card UID, a tag's raw memory.
pub fn parse_hex(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if text.is_empty() || !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}
