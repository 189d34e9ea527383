//! The circulation domain and the reader's session machine.
//!
//! Pure: no I/O, no clock, no threads. The shell feeds [`Event`]s with the current time into
//! [`Session::handle`] and carries out the [`Effect`]s it returns; every rule of circulation
//! lives here and is tested here.

pub mod also_borrowed;
pub mod effect;
pub mod event;
pub mod ils_io;
pub mod messages;
pub mod policy;
pub mod reason;
pub mod satisfaction;
pub mod screen;
pub mod session;
pub mod suggestion;
pub mod types;
pub mod visit_stats;
pub mod voice;

pub use crate::time::Moment;
pub use effect::{Action, Cue, Effect, ItemOutcome, ItemResult, Receipt, Security, Transaction};
pub use event::{Button, Event};
pub use ils_io::{
    IlsAnswer, IlsError, IlsReply, IlsRequest, JournalRequest, Link, RequestId, StaffRequest,
    WorkerRequest,
};
pub use policy::{CardUidFormat, Policy};
pub use reason::{Reason, Refusal};
pub use screen::{Language, Page, ReceiptChoice, Screen, ServiceNotice, Summary};
pub use session::Session;
