//! How the session machine talks to the ILS: requests it asks the shell to send, and the replies
//! the shell hands back. The shell runs them against an [`crate::ils::Ils`].

use super::reason::Refusal;
use super::types::{
    Account, ItemId, ItemInfo, Loan, PatronId, PatronStatus, Pin, RenewAllResult, Return,
};
use serde::Serialize;
use thiserror::Error;

/// Numbers each request so a reply is matched to what was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct RequestId(pub u64);

/// A request to the ILS. PINs are carried but never serialized (the JSON lines of the headless
/// driver print requests).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "request")]
pub enum IlsRequest {
    PatronStatus {
        patron: PatronId,
        #[serde(skip)]
        pin: Option<Pin>,
    },
    Account {
        patron: PatronId,
        #[serde(skip)]
        pin: Option<Pin>,
    },
    Checkout {
        patron: PatronId,
        item: ItemId,
    },
    Checkin {
        item: ItemId,
    },
    Renew {
        patron: PatronId,
        item: ItemId,
    },
    RenewAll {
        patron: PatronId,
    },
    ItemInfo {
        item: ItemId,
    },
    EndSession {
        patron: PatronId,
    },
    EmailReceipt {
        patron: PatronId,
        receipt: super::effect::Receipt,
    },
}

/// What the ILS answered. Refusals are answers (the ILS worked and said no); an [`IlsError`]
/// means we do not know what the ILS did.
#[derive(Debug, Clone, PartialEq)]
pub enum IlsAnswer {
    Patron(PatronStatus),
    Account(Account),
    Checkout(Result<Loan, Refusal>),
    Checkin(Result<Return, Refusal>),
    Renew(Result<Loan, Refusal>),
    RenewAll(Result<RenewAllResult, Refusal>),
    ItemInfo(Result<ItemInfo, Refusal>),
    SessionEnded,
    ReceiptEmailed(Result<(), Refusal>),
}

pub type IlsReply = Result<IlsAnswer, IlsError>;

/// The ILS could not give an answer: nothing is known about whether a request took effect.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IlsError {
    /// Not connected, connection refused or dropped, or no reply in time.
    #[error("the ILS link is down: {0}")]
    LinkDown(String),
    /// The ILS answered something we cannot understand.
    #[error("the ILS sent a reply that cannot be understood: {0}")]
    BadReply(String),
    /// The ILS does not offer this operation (e.g. e-mailed receipts).
    #[error("the ILS does not support {0}")]
    Unsupported(&'static str),
    /// The kiosk's own credentials were refused (terminal login).
    #[error("the ILS refused the kiosk's login: {0}")]
    LoginRefused(String),
}
