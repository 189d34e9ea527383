//! `[kiosk.layout]`: where the parts a reader uses are, seen from the screen, so that the
//! screens' pictures point the right way.

use serde::Deserialize;

/// `[kiosk.layout]`: which side of the screen each part is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MachineLayout {
    pub card_reader: Side,
    pub pad: Side,
    /// The return slot, where one is fitted (`[hardware] return_slot`).
    pub return_slot: Side,
}

impl Default for MachineLayout {
    fn default() -> Self {
        MachineLayout {
            card_reader: Side::Right,
            pad: Side::Below,
            return_slot: Side::Left,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Below,
    Left,
    Right,
    Above,
}
