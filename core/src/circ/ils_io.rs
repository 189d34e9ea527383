//! How the session machine talks to the ILS: requests it asks the shell to send, and the replies
//! the shell hands back. The shell runs them against an ILS adapter (the `kiosk` crate's `Ils`).

use super::reason::Refusal;
use super::types::{
    Account, ItemId, ItemInfo, Loan, PatronId, PatronStatus, Pin, RenewAllResult, Return, TagUid,
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
        #[serde(skip_serializing_if = "Option::is_none")]
        tag: Option<TagUid>,
    },
    Checkin {
        item: ItemId,
        /// The signed-in reader returning it, if any (for the journal, not sent to the ILS).
        #[serde(skip_serializing_if = "Option::is_none")]
        patron: Option<PatronId>,
        #[serde(skip_serializing_if = "Option::is_none")]
        tag: Option<TagUid>,
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

/// Work on the journal the ILS worker keeps beside the ILS, which no ILS adapter sees.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "request")]
pub enum JournalRequest {
    /// Offline: record this transaction in the queue, to be sent when the ILS is back.
    Queue {
        action: super::effect::Action,
        #[serde(skip_serializing_if = "Option::is_none")]
        patron: Option<PatronId>,
        item: ItemId,
        #[serde(skip_serializing_if = "Option::is_none")]
        tag: Option<TagUid>,
    },
    /// Offline: is this card on the blocked-patron list?
    OfflinePatron { patron: PatronId },
    /// A reader's answer to the satisfaction question, to keep anonymously.
    Rating { rating: super::satisfaction::Rating },
    /// Feedback or a purchase suggestion, to keep and deliver to the library.
    Suggestion {
        suggestion: super::suggestion::Suggestion,
    },
    /// A genuine e-card token: is it current, and not used before? If so it is used now.
    UseToken {
        /// What identifies the token (never the card number).
        digest: String,
        /// Unix seconds.
        expires: i64,
        max_lifetime_secs: u64,
    },
    /// A visit ended: add it to the anonymous statistics.
    Visit {
        record: super::visit_stats::VisitRecord,
    },
    /// A visit borrowed these titles: count each pair once (anonymously) and answer the
    /// "also borrowed" suggestion for them, from pairs seen in at least `min_sessions` visits.
    BorrowedTogether {
        titles: Vec<String>,
        min_sessions: u32,
    },
}

/// What the session (or the technician's screen) asks of the ILS worker: the ILS itself, the
/// journal it keeps, or a staff check. Printed as the inner request (`{"request": "queue", …}`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum WorkerRequest {
    Ils(IlsRequest),
    Journal(JournalRequest),
    /// The technician's screen: a link test, the queue's state, "replay now".
    Staff(StaffRequest),
}

impl From<IlsRequest> for WorkerRequest {
    fn from(request: IlsRequest) -> Self {
        WorkerRequest::Ils(request)
    }
}

impl From<JournalRequest> for WorkerRequest {
    fn from(request: JournalRequest) -> Self {
        WorkerRequest::Journal(request)
    }
}

impl From<StaffRequest> for WorkerRequest {
    fn from(request: StaffRequest) -> Self {
        WorkerRequest::Staff(request)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffRequest {
    /// A round trip proving the link and the kiosk's credentials.
    ProbeLink,
    /// Counts by state and the oldest transaction waiting.
    QueueStatus,
    /// Forget the backoff: send the queue at once.
    ReplayNow,
    /// The anonymous counts for the Statistics page.
    Statistics,
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
    /// The journal keeps it (a rating).
    Kept,
    ReceiptEmailed(Result<(), Refusal>),
    /// Recorded in the queue; for a loan, the due date the reader is given.
    Queued {
        due: Option<super::types::Due>,
    },
    /// The journal's verdict on an e-card token.
    Token(crate::ecard::TokenUse),
    /// From the blocked-patron list kept for offline use.
    OfflinePatron {
        blocked: Option<super::types::Block>,
    },
    /// For the technician: what was found, line by line, and whether all is well.
    Staff {
        ok: bool,
        lines: Vec<String>,
    },
    /// The "also borrowed" suggestion for a visit, if a pair qualifies.
    AlsoBorrowed(Option<super::also_borrowed::AlsoBorrowed>),
    /// The journal's counts for the technician's Statistics page.
    Statistics(Box<crate::stats::Statistics>),
}

pub type IlsReply = Result<IlsAnswer, IlsError>;

/// The kiosk's link to the ILS, as last found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Link {
    /// The ILS answers: readers are served online.
    Online,
    /// The ILS cannot be reached: readers are served offline, as the policy allows.
    Offline,
    /// The ILS answers but refuses the kiosk itself — its login, or its settings (a message
    /// terminator the ACS does not frame by): a configuration fault, which no reader can be
    /// served around. The machine is out of service (code `ILS`) until it works.
    Refused,
}

impl Link {
    /// Whether transactions can go to the ILS now.
    pub fn is_online(self) -> bool {
        self == Link::Online
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Link::Online => "online",
            Link::Offline => "offline",
            Link::Refused => "login_refused",
        }
    }
}

/// The ILS could not give an answer: nothing is known about whether a request took effect.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IlsError {
    /// Not connected, or the connection failed before the request left: nothing happened.
    #[error("the ILS link is down: {0}")]
    LinkDown(String),
    /// The request may have reached the ILS but no answer came: its outcome is unknown, and
    /// must be reconciled before it is sent again.
    #[error("no answer from the ILS (outcome unknown): {0}")]
    OutcomeUnknown(String),
    /// The ILS answered something we cannot understand.
    #[error("the ILS sent a reply that cannot be understood: {0}")]
    BadReply(String),
    /// The ILS does not offer this operation (e.g. e-mailed receipts).
    #[error("the ILS does not support {0}")]
    Unsupported(&'static str),
    /// The kiosk's own credentials were refused (terminal login).
    #[error("the ILS refused the kiosk's login: {0}")]
    LoginRefused(String),
    /// The ILS answers, but not to messages as this kiosk's settings make them (say which).
    #[error("the ILS does not work with the kiosk's settings: {0}")]
    Misconfigured(String),
    /// The journal could not record the transaction (disk full, I/O error): nothing was sent.
    #[error("the transaction could not be recorded: {0}")]
    Storage(String),
}

impl IlsError {
    /// The link is down or broke: the kiosk may work offline.
    pub fn is_link_failure(&self) -> bool {
        matches!(self, IlsError::LinkDown(_) | IlsError::OutcomeUnknown(_))
    }
}
