//! The library system (ILS): the [`Ils`] trait every adapter implements, and [`execute`], which
//! runs a session machine's request against one.
//!
//! Answers are two-layered: the outer `Result` says whether the ILS answered at all
//! ([`IlsError`]: link down, garbled reply); the inner one whether it agreed ([`Refusal`], with
//! the ILS's own message for the reader).

pub mod cert;
pub mod folio;
pub mod http;
pub mod koha;
pub mod scripted;
pub mod sim;
pub mod sip2;

use crate::circ::types::{
    Account, ItemId, ItemInfo, Loan, PatronId, PatronStatus, Pin, RenewAllResult, Return,
};
use crate::circ::{IlsAnswer, IlsReply, IlsRequest, Receipt, Refusal};
use chrono::NaiveDateTime;

pub use crate::circ::IlsError;

/// What a link check found: a summary, and anything a technician should know about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub summary: String,
    pub warnings: Vec<String>,
}

impl Probe {
    pub fn fine(summary: impl Into<String>) -> Probe {
        Probe {
            summary: summary.into(),
            warnings: Vec::new(),
        }
    }
}

/// An answer the ILS may refuse.
pub type Answer<T> = Result<Result<T, Refusal>, IlsError>;

pub trait Ils: Send {
    /// Who the card belongs to, whether the PIN (if given) is right, and what blocks them.
    fn patron_status(
        &mut self,
        patron: &PatronId,
        pin: Option<&Pin>,
    ) -> Result<PatronStatus, IlsError>;
    /// The patron's loans, holds and fines.
    fn account(&mut self, patron: &PatronId, pin: Option<&Pin>) -> Result<Account, IlsError>;
    fn checkout(&mut self, patron: &PatronId, item: &ItemId) -> Answer<Loan>;
    fn checkin(&mut self, item: &ItemId) -> Answer<Return>;
    fn renew(&mut self, patron: &PatronId, item: &ItemId) -> Answer<Loan>;
    fn renew_all(&mut self, patron: &PatronId) -> Answer<RenewAllResult>;
    fn item_info(&mut self, item: &ItemId) -> Answer<ItemInfo>;
    /// Tells the ILS the reader has left (SIP2 35); ILSes use it to drop cached state.
    fn end_session(&mut self, _patron: &PatronId) -> Result<(), IlsError> {
        Ok(())
    }
    /// Whether returns can be taken (Koha's REST API has none without a SIP2 route).
    fn takes_returns(&self) -> bool {
        true
    }
    /// Whether [`Ils::email_receipt`] works with this ILS.
    fn can_email_receipts(&self) -> bool {
        false
    }
    fn email_receipt(&mut self, _patron: &PatronId, _receipt: &Receipt) -> Answer<()> {
        Err(IlsError::Unsupported("e-mailed receipts"))
    }
    /// A checkout done offline, sent later: with its original date, the due date the reader was
    /// given, and "no block" when the ILS accepts store-and-forward. It must never become a
    /// renewal (SIP2: SC renewal policy N).
    fn replay_checkout(
        &mut self,
        patron: &PatronId,
        item: &ItemId,
        _at: NaiveDateTime,
        _due: Option<NaiveDateTime>,
    ) -> Answer<Loan> {
        self.checkout(patron, item)
    }
    /// A return done offline, sent later with its original return date.
    fn replay_checkin(&mut self, item: &ItemId, _at: NaiveDateTime) -> Answer<Return> {
        self.checkin(item)
    }
    /// The items on loan to a patron (to reconcile a checkout whose outcome is unknown).
    fn charged_items(&mut self, patron: &PatronId) -> Result<Vec<ItemId>, IlsError> {
        Ok(self
            .account(patron, None)?
            .loans
            .into_iter()
            .map(|l| l.item)
            .collect())
    }
    /// What this adapter's settings may have made the ILS refuse to answer for `action` (a
    /// field some ILSes reject), for the note staff read when it never answers one.
    fn rejection_hint(&self, _action: crate::circ::Action) -> Option<String> {
        None
    }
    /// Replies seem to be in another charset than the configured one (said once, to the log and
    /// to diagnostics).
    fn charset_warning(&self) -> Option<String> {
        None
    }
    /// A reader's purchase suggestion for the ILS's own list (Koha's suggestions). `key` goes
    /// with it, so that [`Ils::has_suggestion`] can tell whether one whose answer was lost
    /// arrived.
    fn suggest_purchase(&mut self, _suggestion: &PurchaseSuggestion) -> Result<(), IlsError> {
        Err(IlsError::Unsupported("purchase suggestions"))
    }
    /// Whether the ILS has the suggestion sent with this key.
    fn has_suggestion(&mut self, _key: &str) -> Result<bool, IlsError> {
        Err(IlsError::Unsupported("purchase suggestions"))
    }
    /// The kiosk's password for the next login, read again while the ILS refuses the old one.
    fn set_password(&mut self, _password: crate::config::secrets::Secret) {}
    /// A round trip now, connecting first if needed: whether the ILS answers at all (after a
    /// request went unanswered, to tell a lost link from a request the ILS will not take).
    fn check_link(&mut self) -> Result<(), IlsError> {
        self.keep_alive()
    }
    /// Keeps an idle link open (SIP2 99 heartbeat) and reconnects a dropped one.
    fn keep_alive(&mut self) -> Result<(), IlsError> {
        Ok(())
    }
    /// A round trip that proves the link and the kiosk's credentials (`kiosk diag`); says
    /// what the ILS told about itself.
    fn probe(&mut self) -> Result<Probe, IlsError> {
        self.keep_alive()?;
        Ok(Probe::fine("the ILS answered"))
    }
    /// How long until [`Ils::keep_alive`] has something to do; `None`: never.
    fn keep_alive_in(&self) -> Option<std::time::Duration> {
        None
    }
}

/// A purchase suggestion as an ILS takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseSuggestion {
    /// The suggestion's own key (also sent to the library's endpoint).
    pub key: String,
    pub isbn: String,
    /// Only when the reader asked to be answered.
    pub patron: Option<PatronId>,
    pub kiosk: String,
}

/// How long after a failed attempt to reach the ILS the next one is made: 1, 2, 4 … s, at
/// most `max`.
pub fn reconnect_backoff(failures: u32, max: std::time::Duration) -> std::time::Duration {
    std::time::Duration::from_secs(1 << failures.saturating_sub(1).min(8)).min(max)
}

/// Runs one request of the session machine and wraps the answer for it.
pub fn execute(ils: &mut dyn Ils, request: &IlsRequest) -> IlsReply {
    Ok(match request {
        IlsRequest::PatronStatus { patron, pin } => {
            IlsAnswer::Patron(ils.patron_status(patron, pin.as_ref())?)
        }
        IlsRequest::Account { patron, pin } => {
            IlsAnswer::Account(ils.account(patron, pin.as_ref())?)
        }
        IlsRequest::Checkout { patron, item, .. } => {
            IlsAnswer::Checkout(ils.checkout(patron, item)?)
        }
        IlsRequest::Checkin { item, .. } => IlsAnswer::Checkin(ils.checkin(item)?),
        IlsRequest::Renew { patron, item } => IlsAnswer::Renew(ils.renew(patron, item)?),
        IlsRequest::RenewAll { patron } => IlsAnswer::RenewAll(ils.renew_all(patron)?),
        IlsRequest::ItemInfo { item } => IlsAnswer::ItemInfo(ils.item_info(item)?),
        IlsRequest::EndSession { patron } => {
            ils.end_session(patron)?;
            IlsAnswer::SessionEnded
        }
        IlsRequest::EmailReceipt { patron, receipt } => {
            IlsAnswer::ReceiptEmailed(ils.email_receipt(patron, receipt)?)
        }
    })
}
