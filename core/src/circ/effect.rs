//! What the session machine asks the shell to do.

use super::ils_io::{RequestId, WorkerRequest};
use super::reason::Reason;
use super::screen::Screen;
use super::types::{Due, ItemId, PatronId, ReturnRoute, TagUid};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "effect")]
pub enum Effect {
    /// Send this to the ILS worker (the ILS, or its journal) and hand the reply back as
    /// `Event::IlsReplied(id, ..)`.
    Ils {
        id: RequestId,
        request: WorkerRequest,
    },
    /// The screen changed: show this.
    Show {
        screen: Box<Screen>,
    },
    /// One item's outcome is known (or changed).
    Outcome {
        outcome: ItemOutcome,
    },
    /// A circulation transaction took place, and is in the journal: the ILS worker wrote it
    /// durably before the ILS was asked (or queued it, offline) and its outcome before the
    /// answer reached the session, so it is there before the tag changes or the reader is told.
    /// A report for the front-ends (scripts, the transcript), not an instruction: the guarantee
    /// lives in the back office and is tested there, on the journal's rows and the tag writes.
    Recorded {
        transaction: Transaction,
    },
    /// Write the security state (AFI/EAS) of every tag of the item, verify it, and report back
    /// with `Event::SecurityDone`.
    SetSecurity {
        item: ItemId,
        tags: Vec<TagUid>,
        state: Security,
    },
    Sound {
        cue: Cue,
    },
    /// Say this clip aloud ([`super::voice`]), cutting whatever is being said.
    Speak {
        clip: &'static str,
        language: super::screen::Language,
    },
    /// Stop talking: the reader moved on.
    Hush,
    Print {
        receipt: Receipt,
    },
    /// Unlock the return slot for the books just returned, or lock it again when the reader
    /// has gone; a failure comes back as `Event::ReturnSlotFailed`.
    ReturnSlot {
        unlock: bool,
    },
}

/// What happened to one item the reader presented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemOutcome {
    pub item: ItemId,
    pub action: Action,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(flatten)]
    pub result: ItemResult,
    /// The ILS's own words about this item, shown beside the result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screen_message: Option<String>,
}

impl ItemOutcome {
    pub fn succeeded(&self) -> bool {
        matches!(
            self.result,
            ItemResult::Borrowed { .. } | ItemResult::Returned { .. } | ItemResult::Renewed { .. }
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Borrow,
    Return,
    Renew,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum ItemResult {
    /// Waiting for the ILS.
    Pending,
    Borrowed {
        due: Due,
        /// Lent while offline: the due date is the kiosk's estimate.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        offline: bool,
    },
    Returned {
        route: ReturnRoute,
    },
    Renewed {
        #[serde(skip_serializing_if = "Option::is_none")]
        due: Option<Due>,
    },
    Refused {
        reason: Reason,
    },
}

/// A circulation transaction that took effect at the ILS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transaction {
    pub action: Action,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patron: Option<PatronId>,
    pub item: ItemId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<Due>,
    /// Recorded in the offline queue, to be sent when the ILS is back.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub offline: bool,
}

/// An item tag's theft-detection state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Security {
    /// In the library: the gate alarms.
    InLibrary,
    /// On loan: the gate lets it pass.
    OnLoan,
}

/// Sounds, played through the indicator device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cue {
    Success,
    /// Something needs the reader's attention or staff.
    Problem,
    /// The session is about to time out.
    Warning,
}

/// The receipt for a session, printed or e-mailed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receipt {
    pub patron_name: String,
    pub lines: Vec<ReceiptLine>,
    /// Lines the ILS asked to print.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ils_lines: Vec<String>,
    /// Some of it happened offline: the receipt says due dates are estimates.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub offline: bool,
    /// "Readers who borrowed … also borrowed …", when the library has it on and a pair qualifies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub also_borrowed: Option<super::also_borrowed::AlsoBorrowed>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptLine {
    pub action: Action,
    pub item: ItemId,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<Due>,
}
