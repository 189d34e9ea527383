//! What happens to the session machine: the reader's actions, the ILS's replies, time passing.

use super::effect::Security;
use super::ils_io::{IlsReply, Link, RequestId};
use super::screen::Language;
use super::types::{ItemId, OfflineUse, Pin, SetCheck, TagUid};
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The barcode scanner read something: a library card or an item, the rules decide.
    Barcode(String),
    /// The RFID card reader saw a patron card with this UID.
    CardUid(Vec<u8>),
    /// The RFID pad saw an item: all its tags (a book and its CD are one item), what its type
    /// of usage allows offline, and whether every part is there.
    ItemTag {
        tags: Vec<TagUid>,
        item: ItemId,
        offline_use: OfflineUse,
        set: SetCheck,
    },
    /// A tag on the pad that cannot be read (damaged, blank, foreign format).
    UnreadableTag(TagUid),
    /// The shell wrote (or failed to write) the security state asked for by
    /// `Effect::SetSecurity`.
    SecurityDone {
        item: ItemId,
        tags: Vec<TagUid>,
        state: Security,
        ok: bool,
    },
    PinEntered(Pin),
    Pressed(Button),
    /// Renew these of the patron's loans.
    RenewItems(Vec<ItemId>),
    Language(Language),
    /// A touch anywhere: the reader is still there.
    Touched,
    /// The reader tapped a face on the goodbye screen (1 unhappy … 5 happy).
    Rated(u8),
    /// After a low score, the reader said why.
    RatingReason(super::satisfaction::LowScoreReason),
    /// On the suggestions page, an ISBN typed on the keypad (a scanned one is a `Barcode`);
    /// empty puts aside the one shown back.
    IsbnTyped(String),
    /// On the suggestions page, a feedback topic tapped.
    Feedback(super::suggestion::FeedbackTopic),
    /// A signed-in reader asks the library to reply to their suggestions (or not).
    ReplyWanted(bool),
    IlsReplied(RequestId, IlsReply),
    /// The link to the ILS came back, was lost, or refuses the kiosk's login.
    LinkChanged(Link),
    /// The shell checked the receipt printer: it can print (true), or it cannot (paper out,
    /// cover open, not answering).
    PrinterReady(bool),
    /// How the receipt asked for by `Effect::Print` came out.
    Printed {
        ok: bool,
    },
    /// The return slot did not unlock or lock as asked: returned books go on the trolley.
    ReturnSlotFailed,
    /// The RFID item reader stopped answering (false) for longer than a glitch, or answers
    /// again (true). Without it books can be neither secured nor released.
    ItemReaderReady(bool),
    /// The RFID card reader stopped answering (false) or answers again (true): cards can still
    /// be scanned by their barcode.
    CardReaderReady(bool),
    /// The barcode scanner went away (false) or reads again (true): cards go on the card
    /// reader and books on the pad meanwhile.
    ScannerReady(bool),
    /// Time passed; sent by the shell at `next_deadline()`.
    Tick,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Button {
    Borrow,
    Return,
    Renew,
    Account,
    /// Back to the menu.
    Back,
    /// Finished with the items: on to the receipt choice.
    Done,
    /// Leave now (log out, or abandon PIN entry).
    Cancel,
    RenewAll,
    PrintReceipt,
    EmailReceipt,
    NoReceipt,
    /// Open the suggestions page (意见与荐购), from the menu or the attract screen.
    Suggest,
    /// Confirm the ISBN shown back on the suggestions page.
    Confirm,
}
