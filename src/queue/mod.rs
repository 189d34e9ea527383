//! The durable transaction journal and the offline queue.
//!
//! Every circulation transaction is written to SQLite (WAL, `synchronous=FULL`) before the reader
//! is told about it and before the tag changes: online ones as an attempt before the ILS is
//! asked, offline ones as a queued transaction. The replay engine sends what is queued exactly
//! once when the link returns; what the ILS refuses waits for staff on the review list.
//!
//! - [`journal`]: the database, its states and staff operations.
//! - [`replay`]: sending the queue, reconciling unknown outcomes first.
//! - [`settle`]: asking the ILS what became of a transaction it did not answer.
//! - [`backoffice`]: the ILS and the journal together, as the ILS worker runs them.
//! - [`export`]: .koc for Koha, JSON lines, CSV.
//! - [`deliver`]: feedback and purchase suggestions to the library's endpoint, exactly once.

pub mod backoffice;
pub mod deliver;
pub mod export;
pub mod journal;
pub mod replay;
mod schema;
pub mod settle;

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a transaction does is the session's own [`Action`] (borrow = checkout, return = checkin).
pub use crate::circ::Action;

/// Whether the reader was served with the ILS answering (online) or from the queue (offline).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Online,
    Offline,
}

/// Where a transaction is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Done offline; the reader was told; waits to be sent to the ILS.
    Pending,
    /// Marked durably just before being sent to the ILS ("in flight").
    Sending,
    /// Sent, but no answer came: the ILS must be asked before anything is sent again.
    Unknown,
    /// The ILS has it.
    Done,
    /// The ILS refused a queued transaction: staff must look (review list).
    Refused,
    /// Needs a person: an outcome the ILS could not settle, or an attempt found applied after a
    /// crash although the reader was never told.
    Review,
    /// An online attempt the ILS refused; the reader was told on the spot.
    Declined,
    /// An online attempt that never took effect (the link failed before it left, or the ILS
    /// confirmed it did not happen).
    Void,
    /// Staff discarded it, with a reason; kept for the record.
    Discarded,
}

impl State {
    pub const ALL: [State; 9] = [
        State::Pending,
        State::Sending,
        State::Unknown,
        State::Done,
        State::Refused,
        State::Review,
        State::Declined,
        State::Void,
        State::Discarded,
    ];

    /// Not at the ILS yet: queued, in flight, or sent with an unknown outcome.
    pub const WAITING: [State; 3] = [State::Pending, State::Sending, State::Unknown];
    /// Refused by the ILS or for review: a person must look.
    pub const NEEDS_STAFF: [State; 2] = [State::Refused, State::Review];

    /// How many of the journal's `counts` are in one of `states`.
    pub fn total(counts: &std::collections::BTreeMap<State, u64>, states: &[State]) -> u64 {
        states.iter().filter_map(|s| counts.get(s)).sum()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Sending => "sending",
            State::Unknown => "unknown",
            State::Done => "done",
            State::Refused => "refused",
            State::Review => "review",
            State::Declined => "declined",
            State::Void => "void",
            State::Discarded => "discarded",
        }
    }

    pub fn parse(text: &str) -> Option<State> {
        State::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Waiting for the ILS or for staff: what the machine still owes the library.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            State::Pending | State::Sending | State::Unknown | State::Refused | State::Review
        )
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The journal's names for the kinds, as Koha and SIP2 call them.
pub fn kind_str(kind: Action) -> &'static str {
    match kind {
        Action::Borrow => "checkout",
        Action::Return => "checkin",
        Action::Renew => "renew",
    }
}

pub fn parse_kind(text: &str) -> Option<Action> {
    [Action::Borrow, Action::Return, Action::Renew]
        .into_iter()
        .find(|k| kind_str(*k) == text)
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Online => "online",
            Origin::Offline => "offline",
        }
    }

    pub fn parse(text: &str) -> Option<Origin> {
        [Origin::Online, Origin::Offline]
            .into_iter()
            .find(|o| o.as_str() == text)
    }
}
