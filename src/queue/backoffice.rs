//! The back office: the ILS and the journal together, as the ILS worker thread runs them.
//!
//! Every checkout, return and renewal is written to the journal before the ILS is asked, and
//! its outcome after; offline transactions go to the queue; the link's state is watched; and
//! the queue is replayed when the link is back, giving way to readers.

use super::journal::{Finish, Journal, JournalError, NewTransaction, Stamp};
use super::replay::{self, ReplaySettings, Round};
use super::{Action, State};
use crate::circ::reason::{Reason, Refusal};
use crate::circ::types::{Block, Due, ItemId, PatronId, RenewAllResult, TagUid};
use crate::circ::{IlsAnswer, IlsError, IlsReply, IlsRequest, JournalRequest, Link, WorkerRequest};
use crate::config::secrets::Secret;
use crate::ils::{Ils, execute};
use chrono::{Days, NaiveTime, Utc};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct BackOfficeSettings {
    /// Loan period given while offline, in days.
    pub offline_loan_days: u32,
    pub replay: ReplaySettings,
    /// Where feedback and purchase suggestions are delivered.
    pub suggestions: super::journal::Destinations,
}

/// Reads the kiosk's ILS password again (the secrets file), while the ILS refuses the old one.
pub type PasswordSource = Box<dyn FnMut() -> Option<Secret> + Send>;

pub struct BackOffice {
    ils: Box<dyn Ils>,
    journal: Journal,
    settings: BackOfficeSettings,
    /// The link as last found; `None` before anything was tried.
    link: Option<Link>,
    /// A change of link state not yet reported to the session.
    link_change: Option<Link>,
    password: Option<PasswordSource>,
    /// A charset warning already noted in the journal.
    charset_noted: bool,
    /// The library's endpoint for suggestions, when it has one.
    endpoint: Option<super::deliver::Endpoint>,
    /// When to look again at a link the adapter does not watch itself.
    checks: link::LinkChecks,
}

fn storage(error: JournalError) -> IlsError {
    IlsError::Storage(error.to_string())
}

/// Blocks are kept by their stable names (`card_expired`…).
pub fn block_name(block: Block) -> String {
    serde_json::to_value(block)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "charge_privileges_denied".into())
}

pub fn parse_block(name: &str) -> Block {
    serde_json::from_value(serde_json::Value::String(name.into()))
        .unwrap_or(Block::ChargePrivilegesDenied)
}

impl BackOffice {
    pub fn new(ils: Box<dyn Ils>, journal: Journal, settings: BackOfficeSettings) -> Self {
        BackOffice {
            ils,
            journal,
            settings,
            link: None,
            link_change: None,
            password: None,
            charset_noted: false,
            endpoint: None,
            checks: link::LinkChecks::default(),
        }
    }

    /// Where suggestions are delivered besides the journal.
    pub fn with_endpoint(mut self, endpoint: super::deliver::Endpoint) -> Self {
        self.endpoint = Some(endpoint);
        self
    }

    /// Delivers the suggestions that are due: purchases to the ILS's own suggestions (Koha),
    /// everything to the library's endpoint.
    pub fn deliver_suggestions(&mut self) -> Result<super::deliver::Delivered, JournalError> {
        let mut delivered = super::deliver::Delivered::default();
        if self.settings.suggestions.koha && self.link.is_some_and(Link::is_online) {
            let kiosk = self.journal.settings().kiosk.clone();
            let retry = self.settings.replay.retry_after;
            let round = super::deliver::deliver_to_ils(
                &mut self.journal,
                self.ils.as_mut(),
                &kiosk,
                retry,
            )?;
            delivered.done += round.done;
            delivered.stopped |= round.stopped;
        }
        if let Some(endpoint) = &self.endpoint {
            let round = super::deliver::deliver_round(&mut self.journal, endpoint)?;
            delivered.done += round.done;
            delivered.stopped |= round.stopped;
        }
        Ok(delivered)
    }

    /// How long until a suggestion is due somewhere; `None`: nothing to deliver.
    pub fn suggestions_due_in(&self) -> Option<Duration> {
        let koha = self.settings.suggestions.koha && self.link.is_some_and(Link::is_online);
        if self.endpoint.is_none() && !koha {
            return None;
        }
        match self.journal.next_suggestion_in(Utc::now()) {
            Ok(due) => due,
            Err(error) => {
                tracing::error!(%error, "cannot read the suggestions");
                None
            }
        }
    }

    /// Transactions the ILS has still to receive (queued, in flight, or to be asked about).
    pub fn waiting(&self) -> Option<u64> {
        self.journal.waiting_count().ok()
    }

    pub fn journal(&mut self) -> &mut Journal {
        &mut self.journal
    }

    /// Runs one request of the session machine (or the technician's screen).
    pub fn execute(&mut self, request: &WorkerRequest) -> IlsReply {
        match request {
            WorkerRequest::Ils(request) => self.ask_ils(request),
            WorkerRequest::Journal(JournalRequest::Queue {
                action,
                patron,
                item,
                tag,
            }) => self.queue(*action, patron.as_ref(), item, tag.as_ref()),
            WorkerRequest::Journal(JournalRequest::OfflinePatron { patron }) => {
                let blocked = self.journal.blocked(patron).map_err(storage)?;
                Ok(IlsAnswer::OfflinePatron {
                    blocked: blocked.as_deref().map(parse_block),
                })
            }
            WorkerRequest::Journal(JournalRequest::Rating { rating }) => {
                self.journal
                    .keep_rating(rating, Stamp::now())
                    .map_err(storage)?;
                Ok(IlsAnswer::Kept)
            }
            WorkerRequest::Journal(JournalRequest::Suggestion { suggestion }) => {
                let to = self.settings.suggestions;
                self.journal
                    .keep_suggestion(suggestion, Stamp::now(), to)
                    .map_err(storage)?;
                Ok(IlsAnswer::Kept)
            }
            WorkerRequest::Journal(JournalRequest::UseToken {
                digest,
                expires,
                max_lifetime_secs,
            }) => {
                let now = Utc::now().timestamp();
                let verdict = self
                    .journal
                    .use_token(digest, *expires, *max_lifetime_secs, now)
                    .map_err(storage)?;
                Ok(IlsAnswer::Token(verdict))
            }
            WorkerRequest::Journal(JournalRequest::Visit { record }) => {
                self.journal
                    .count_visit(record, Stamp::now())
                    .map_err(storage)?;
                Ok(IlsAnswer::Kept)
            }
            WorkerRequest::Journal(JournalRequest::BorrowedTogether {
                titles,
                min_sessions,
            }) => {
                let suggestion = self
                    .journal
                    .borrowed_together(titles, *min_sessions)
                    .map_err(storage)?;
                Ok(IlsAnswer::AlsoBorrowed(suggestion))
            }
            WorkerRequest::Staff(staff) => Ok(self.staff(*staff)),
        }
    }

    /// A request for the ILS: circulation journaled around it, the link watched.
    fn ask_ils(&mut self, request: &IlsRequest) -> IlsReply {
        match request {
            IlsRequest::Checkout { patron, item, tag } => {
                self.online_transaction(Action::Borrow, Some(patron), item, tag.as_ref(), |ils| {
                    ils.checkout(patron, item).map(|a| {
                        (
                            a.as_ref().ok().map(|l| l.due.text.clone()),
                            IlsAnswer::Checkout(a),
                        )
                    })
                })
            }
            IlsRequest::Checkin { item, patron, tag } => self.online_transaction(
                Action::Return,
                patron.as_ref(),
                item,
                tag.as_ref(),
                |ils| ils.checkin(item).map(|a| (None, IlsAnswer::Checkin(a))),
            ),
            IlsRequest::Renew { patron, item } => {
                self.online_transaction(Action::Renew, Some(patron), item, None, |ils| {
                    ils.renew(patron, item).map(|a| {
                        (
                            a.as_ref().ok().map(|l| l.due.text.clone()),
                            IlsAnswer::Renew(a),
                        )
                    })
                })
            }
            IlsRequest::RenewAll { patron } => {
                let reply = execute(self.ils.as_mut(), request);
                self.note_link(&reply);
                if let Ok(IlsAnswer::RenewAll(Ok(result))) = &reply {
                    self.record_renew_all(patron, result);
                }
                reply
            }
            IlsRequest::PatronStatus { patron, .. } => {
                let reply = execute(self.ils.as_mut(), request);
                self.note_link(&reply);
                if let Ok(IlsAnswer::Patron(status)) = &reply {
                    self.remember_block(
                        patron,
                        status.valid.then(|| status.borrow_block()).flatten(),
                    );
                }
                reply
            }
            _ => {
                let reply = execute(self.ils.as_mut(), request);
                self.note_link(&reply);
                reply
            }
        }
    }

    /// Renew all is one request whose reply names what the ILS renewed and what it would not:
    /// each item is journaled as answered, so the statistics count renewals like any other
    /// outcome. The reader is told what the ILS did even if the journal cannot keep it.
    fn record_renew_all(&mut self, patron: &PatronId, result: &RenewAllResult) {
        let at = Stamp::now();
        let refused = Finish::Declined {
            reason: Some(Reason::IlsRefused.code()),
            reply: result.screen_message.clone(),
        };
        let renewed = Finish::Done {
            due: None,
            reply: None,
        };
        let answered: Vec<(NewTransaction, Finish)> = (result.renewed.iter())
            .map(|item| (item, renewed.clone()))
            .chain(result.unrenewed.iter().map(|item| (item, refused.clone())))
            .map(|(item, finish)| {
                (
                    NewTransaction::new(Action::Renew, item, at).by(patron),
                    finish,
                )
            })
            .collect();
        if let Err(error) = self.journal.record_answered(&answered) {
            tracing::error!(%error, "the renewals were done but the journal could not record them");
        }
    }

    /// The technician's requests, answered from the adapter and the journal this worker owns.
    fn staff(&mut self, request: crate::circ::ils_io::StaffRequest) -> IlsAnswer {
        use crate::circ::ils_io::StaffRequest;
        match request {
            StaffRequest::ProbeLink => {
                let started = std::time::Instant::now();
                let probe = self.ils.probe();
                self.note_link(
                    &probe
                        .as_ref()
                        .map(|_| IlsAnswer::SessionEnded)
                        .map_err(Clone::clone),
                );
                let ms = started.elapsed().as_millis();
                match probe {
                    Ok(probe) => {
                        let mut lines = vec![format!("{} ({ms} ms)", probe.summary)];
                        lines.extend(probe.warnings);
                        IlsAnswer::Staff {
                            ok: lines.len() == 1,
                            lines,
                        }
                    }
                    Err(error) => IlsAnswer::Staff {
                        ok: false,
                        lines: vec![format!(
                            "the ILS did not answer as it should: {error} ({ms} ms)"
                        )],
                    },
                }
            }
            StaffRequest::QueueStatus => {
                let counts = self.journal.counts().unwrap_or_default();
                let staff = State::total(&counts, &State::NEEDS_STAFF);
                let mut lines = vec![format!(
                    "waiting for the ILS: {}; needing staff: {staff}",
                    State::total(&counts, &State::WAITING)
                )];
                lines.extend(
                    counts
                        .iter()
                        .map(|(state, n)| format!("{}: {n}", state.as_str())),
                );
                if let Ok(Some(oldest)) = self.journal.oldest_waiting() {
                    lines.push(format!("oldest waiting: {}", oldest.local_time));
                }
                IlsAnswer::Staff {
                    ok: staff == 0,
                    lines,
                }
            }
            StaffRequest::Statistics => match self.journal.hourly_counts() {
                Ok(rows) => {
                    let today = chrono::Local::now().date_naive();
                    IlsAnswer::Statistics(Box::new(crate::stats::summary(&rows, today)))
                }
                Err(error) => IlsAnswer::Staff {
                    ok: false,
                    lines: vec![format!("the journal: {error}")],
                },
            },
            StaffRequest::ReplayNow => match self.journal.clear_backoff() {
                Ok(n) => IlsAnswer::Staff {
                    ok: true,
                    lines: vec![format!("{n} transaction(s) to be sent now")],
                },
                Err(error) => IlsAnswer::Staff {
                    ok: false,
                    lines: vec![format!("the journal: {error}")],
                },
            },
        }
    }

    /// Keeps the blocked-patron list for offline use in step with what the ILS says.
    fn remember_block(&mut self, patron: &PatronId, block: Option<Block>) {
        let name = block.map(block_name);
        if let Err(error) = self.journal.set_blocked(patron, name.as_deref(), "ils") {
            tracing::warn!(%error, "cannot update the blocked-patron list");
        }
    }

    /// Sends this item's queued transactions before a new one for it. If some cannot be sent
    /// now, the new one must not overtake them: it fails as if the link were down, and the
    /// session queues it behind them.
    fn flush_item(&mut self, item: &ItemId) -> Result<(), IlsError> {
        let unsent = |journal: &Journal| -> Result<usize, IlsError> {
            Ok(journal
                .open_for_item(item)
                .map_err(storage)?
                .iter()
                .filter(|r| matches!(r.state, State::Pending | State::Unknown | State::Sending))
                .count())
        };
        let waiting = unsent(&self.journal)?;
        if waiting == 0 {
            return Ok(());
        }
        tracing::info!(%item, waiting, "sending this item's queued transactions first");
        for _ in 0..waiting {
            let round = replay::replay_round(
                &mut self.journal,
                self.ils.as_mut(),
                Utc::now(),
                &ReplaySettings {
                    batch: 1,
                    ..self.settings.replay.clone()
                },
                Some(item),
                &mut || false,
            )
            .map_err(storage)?;
            if round.idle || round.link_down {
                break;
            }
        }
        if unsent(&self.journal)? > 0 {
            return Err(IlsError::LinkDown(format!(
                "earlier transactions for item {item} are still waiting to be sent"
            )));
        }
        Ok(())
    }

    /// Records an offline transaction; a loan gets the offline loan period.
    fn queue(
        &mut self,
        kind: Action,
        patron: Option<&PatronId>,
        item: &ItemId,
        tag: Option<&TagUid>,
    ) -> IlsReply {
        let at = Stamp::now();
        let due = (kind == Action::Borrow).then(|| {
            let date = at
                .local
                .date()
                .checked_add_days(Days::new(u64::from(self.settings.offline_loan_days)))
                .unwrap_or(at.local.date());
            date.and_time(NaiveTime::from_hms_opt(23, 59, 0).unwrap_or(NaiveTime::MIN))
        });
        self.journal
            .queue_offline(
                &NewTransaction {
                    patron,
                    tag,
                    ..NewTransaction::new(kind, item, at)
                },
                due,
            )
            .map_err(storage)?;
        tracing::info!(kind = super::kind_str(kind), %item, "recorded offline");
        Ok(IlsAnswer::Queued {
            due: due.map(Due::at),
        })
    }

    /// One replay round, when the link is up.
    pub fn replay(
        &mut self,
        should_yield: &mut dyn FnMut() -> bool,
    ) -> Result<Round, JournalError> {
        if self.link.is_some_and(|link| !link.is_online()) {
            return Ok(Round {
                link_down: true,
                ..Round::default()
            });
        }
        let round = replay::replay_round(
            &mut self.journal,
            self.ils.as_mut(),
            Utc::now(),
            &self.settings.replay,
            None,
            should_yield,
        )?;
        if round.link_down {
            // A transaction went unanswered: the link is down, or the ILS will not take that
            // one. Asking something that changes nothing tells which; in the second case the
            // rest of the queue goes on (the one transaction is settled next round, and staff
            // see it once it has gone unanswered too often).
            let check = self.ils.check_link();
            self.note_link(&check);
            if check.is_ok() {
                tracing::warn!("a queued transaction went unanswered while the ILS answers others");
                self.journal.clear_backoff()?;
                return Ok(Round {
                    link_down: false,
                    ..round
                });
            }
        } else if round.sent > 0 || round.settled > 0 {
            self.note_link::<()>(&Ok(()));
            self.journal
                .set_meta("last_replay_utc", &Utc::now().to_rfc3339())?;
        }
        Ok(round)
    }

    /// How long until a queued transaction is due to be tried (zero: now); `None`: nothing waits.
    pub fn replay_due_in(&self) -> Option<Duration> {
        match self.journal.replayable(1, Utc::now(), None) {
            Ok(rows) if !rows.is_empty() => Some(Duration::ZERO),
            Ok(_) => self.journal.next_attempt_in().ok().flatten(),
            Err(error) => {
                tracing::error!(%error, "cannot read the queue");
                None
            }
        }
    }
}

fn refusal_of(answer: &IlsAnswer) -> Option<&Refusal> {
    match answer {
        IlsAnswer::Checkout(Err(r)) | IlsAnswer::Checkin(Err(r)) | IlsAnswer::Renew(Err(r)) => {
            Some(r)
        }
        _ => None,
    }
}

mod link;
mod online;
#[cfg(test)]
mod tests;
