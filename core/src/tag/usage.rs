//! ISO 28560-1 type of usage: the high nibble says what the object is, the low nibble refines it.
//! The refinements the kiosk acts on are the offline ones: some libraries mark items that must
//! not be lent, or taken back, while the machine cannot reach the ILS.

/// The type-of-usage byte, kept whole so a value the kiosk does not know survives a rewrite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TypeOfUsage(pub u8);

impl TypeOfUsage {
    pub const ACQUISITION: TypeOfUsage = TypeOfUsage(0x00);
    pub const CIRCULATING: TypeOfUsage = TypeOfUsage(0x10);
    pub const NOT_FOR_ISSUE_OFFLINE: TypeOfUsage = TypeOfUsage(0x13);
    pub const NOT_FOR_RETURN_OFFLINE: TypeOfUsage = TypeOfUsage(0x14);
    pub const NOT_FOR_ISSUE_OR_RETURN_OFFLINE: TypeOfUsage = TypeOfUsage(0x15);
    pub const NOT_FOR_CIRCULATION: TypeOfUsage = TypeOfUsage(0x20);
    pub const DISCARDED: TypeOfUsage = TypeOfUsage(0x70);
    pub const PATRON_CARD: TypeOfUsage = TypeOfUsage(0x80);

    /// The main category (high nibble): 0 acquisition, 1 circulating, 2 not for circulation,
    /// 3–4 local, 6 unknown, 7 discarded, 8 patron card, 9 equipment.
    pub fn main(self) -> u8 {
        self.0 >> 4
    }

    /// May the kiosk lend this item while the ILS is unreachable?
    pub fn offline_issue_allowed(self) -> bool {
        !matches!(self.0, 0x13 | 0x15)
    }

    /// May the kiosk take this item back while the ILS is unreachable?
    pub fn offline_return_allowed(self) -> bool {
        !matches!(self.0, 0x14 | 0x15)
    }

    /// Is this an item the library circulates at all (as opposed to a patron card, equipment or
    /// an item still in acquisition)? Such tags are still sent to the ILS, which has the last
    /// word; this only helps the kiosk tell a card from a book.
    pub fn is_item(self) -> bool {
        !matches!(self.main(), 0x8 | 0x9)
    }

    pub fn describe(self) -> &'static str {
        match self.main() {
            0x0 => "in acquisition",
            0x1 => "circulating item",
            0x2 => "not for circulation",
            0x3 | 0x4 => "local use",
            0x7 => "discarded",
            0x8 => "patron card",
            0x9 => "library equipment",
            _ => "unknown use",
        }
    }
}
