//! The ILS worker: a thread that owns the back office (the ILS adapter and the journal), runs the
//! session's requests one at a time, keeps the link alive, and replays the offline queue when
//! the link is back, giving way to readers' requests.

use crate::circ::{IlsReply, IlsRequest, JournalRequest, Link, RequestId, WorkerRequest};
use crate::queue::backoffice::BackOffice;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// What the worker tells the shell.
#[derive(Debug)]
pub enum FromWorker {
    Reply(RequestId, Box<IlsReply>),
    /// The link to the ILS came back, was lost, or refuses the kiosk's login.
    Link(Link),
}

pub struct IlsWorker {
    requests: Option<Sender<(RequestId, WorkerRequest)>>,
    replies: Receiver<FromWorker>,
    thread: Option<JoinHandle<()>>,
    /// Transactions the ILS has still to receive, as the worker last counted them
    /// ([`UNCOUNTED`] before it did).
    waiting: Arc<AtomicU64>,
}

const UNCOUNTED: u64 = u64::MAX;

/// Why nothing came.
#[derive(Debug, PartialEq, Eq)]
pub enum NoReply {
    Timeout,
    /// The worker thread is gone (the adapter panicked).
    Stopped,
}

/// How long the queue rests after a replay round that could do nothing with what was due.
const REPLAY_REST: Duration = Duration::from_secs(5);

/// Patron ids are erased from settled transactions this often (when a retention is set).
const HOUSEKEEPING: Duration = Duration::from_secs(3600);

impl IlsWorker {
    /// With `metrics`, the ILS's answer times are observed.
    pub fn spawn(
        back_office: BackOffice,
        metrics: Option<Arc<crate::metrics::Metrics>>,
    ) -> std::io::Result<Self> {
        let (request_tx, request_rx) = mpsc::channel::<(RequestId, WorkerRequest)>();
        let (reply_tx, reply_rx) = mpsc::channel();
        let waiting = Arc::new(AtomicU64::new(UNCOUNTED));
        let counted = Arc::clone(&waiting);
        let thread = std::thread::Builder::new()
            .name("ils-worker".into())
            .spawn(move || {
                run(
                    back_office,
                    request_rx,
                    reply_tx,
                    &counted,
                    metrics.as_deref(),
                )
            })?;
        Ok(IlsWorker {
            requests: Some(request_tx),
            replies: reply_rx,
            thread: Some(thread),
            waiting,
        })
    }

    /// Transactions the ILS has still to receive, as last counted.
    pub fn waiting(&self) -> Option<u64> {
        Some(self.waiting.load(Ordering::Relaxed)).filter(|n| *n != UNCOUNTED)
    }

    pub fn send(&self, id: RequestId, request: WorkerRequest) -> Result<(), NoReply> {
        let sender = self.requests.as_ref().ok_or(NoReply::Stopped)?;
        sender.send((id, request)).map_err(|_| NoReply::Stopped)
    }

    /// The next message, waiting at most `timeout` (forever with `None`).
    pub fn recv(&self, timeout: Option<Duration>) -> Result<FromWorker, NoReply> {
        match timeout {
            None => self.replies.recv().map_err(|_| NoReply::Stopped),
            Some(timeout) => self.replies.recv_timeout(timeout).map_err(|e| match e {
                RecvTimeoutError::Timeout => NoReply::Timeout,
                RecvTimeoutError::Disconnected => NoReply::Stopped,
            }),
        }
    }
}

impl Drop for IlsWorker {
    fn drop(&mut self) {
        self.requests = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(
    mut office: BackOffice,
    requests: Receiver<(RequestId, WorkerRequest)>,
    replies: Sender<FromWorker>,
    waiting: &AtomicU64,
    metrics: Option<&crate::metrics::Metrics>,
) {
    let count = |office: &BackOffice| {
        waiting.store(office.waiting().unwrap_or(UNCOUNTED), Ordering::Relaxed);
    };
    let report_link = |office: &mut BackOffice| {
        office
            .take_link_change()
            .is_none_or(|link| replies.send(FromWorker::Link(link)).is_ok())
    };
    office.keep_alive();
    if !report_link(&mut office) {
        return;
    }
    let mut stashed: Option<(RequestId, WorkerRequest)> = None;
    let mut last_housekeeping = Instant::now();
    // After a replay that could do nothing with what was due, the queue rests a while: an ILS
    // that keeps failing one question must not turn the worker into a loop.
    let mut replay_rests_until: Option<Instant> = None;
    loop {
        count(&office);
        let next = match stashed.take() {
            Some(request) => Ok(request),
            None => {
                let mut wait = office.keep_alive_in();
                let resting = replay_rests_until.is_some_and(|until| until > Instant::now());
                if let Some(until) = replay_rests_until.filter(|_| resting) {
                    let rest = until.saturating_duration_since(Instant::now());
                    wait = Some(wait.map_or(rest, |w| w.min(rest)));
                }
                if office.is_online() == Some(true)
                    && !resting
                    && let Some(due) = office.replay_due_in()
                {
                    wait = Some(wait.map_or(due, |w| w.min(due)));
                }
                if let Some(due) = office.suggestions_due_in() {
                    wait = Some(wait.map_or(due, |w| w.min(due)));
                }
                match wait {
                    Some(wait) => requests.recv_timeout(wait),
                    None => requests.recv_timeout(HOUSEKEEPING),
                }
            }
        };
        match next {
            Ok((id, request)) => {
                let kind = request_kind(&request);
                tracing::debug!(request = kind, id = id.0, "to the ILS");
                let asked = Instant::now();
                let reply = office.execute(&request);
                if let (Some(metrics), WorkerRequest::Ils(_)) = (metrics, &request) {
                    metrics.ils_request(kind, asked.elapsed());
                }
                if let Err(error) = &reply {
                    tracing::warn!(request = kind, %error, "ILS request failed");
                }
                if !report_link(&mut office)
                    || replies
                        .send(FromWorker::Reply(id, Box::new(reply)))
                        .is_err()
                {
                    return;
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                office.keep_alive();
                if !report_link(&mut office) {
                    return;
                }
                if last_housekeeping.elapsed() >= HOUSEKEEPING {
                    last_housekeeping = Instant::now();
                    if let Err(error) = office.journal().purge_patrons(chrono::Utc::now()) {
                        tracing::warn!(%error, "cannot erase patron ids from the journal");
                    }
                    let today = chrono::Local::now().date_naive();
                    if let Err(error) = office.journal().prune_statistics(today) {
                        tracing::warn!(%error, "cannot delete old statistics from the journal");
                    }
                }
                // Suggestions go to the library's endpoint, whatever the ILS link does.
                if office.suggestions_due_in().is_some_and(|due| due.is_zero())
                    && let Err(error) = office.deliver_suggestions()
                {
                    tracing::error!(%error, "the suggestions cannot be delivered: the journal");
                }
                if replay_rests_until.is_none_or(|until| until <= Instant::now()) {
                    let stalled = replay_while_idle(&mut office, &requests, &mut stashed);
                    replay_rests_until = stalled.then(|| Instant::now() + REPLAY_REST);
                }
                if !report_link(&mut office) {
                    return;
                }
            }
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// Replays rounds until the queue is empty, the link fails, or a reader's request arrives.
/// True when a round found work due but could do none of it (the queue should rest).
fn replay_while_idle(
    office: &mut BackOffice,
    requests: &Receiver<(RequestId, WorkerRequest)>,
    stashed: &mut Option<(RequestId, WorkerRequest)>,
) -> bool {
    while stashed.is_none() && office.is_online() == Some(true) {
        let mut should_yield = || match requests.try_recv() {
            Ok(request) => {
                *stashed = Some(request);
                true
            }
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => false,
        };
        match office.replay(&mut should_yield) {
            Ok(round) => {
                if round.sent > 0 || round.settled > 0 {
                    tracing::info!(
                        sent = round.sent,
                        settled = round.settled,
                        "replayed queued transactions"
                    );
                }
                if round.settled > 0 {
                    // When a replay last got through: the fleet's monitoring reads it.
                    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                    let key = crate::queue::journal::LAST_REPLAY_KEY;
                    if let Err(error) = office.journal().set_meta(key, &now) {
                        tracing::warn!(%error, "cannot note the replay's time in the journal");
                    }
                }
                let stalled = !round.idle
                    && !round.yielded
                    && !round.link_down
                    && round.sent == 0
                    && round.settled == 0;
                if round.idle || round.link_down || round.yielded || stalled {
                    return stalled;
                }
            }
            Err(error) => {
                tracing::error!(%error, "the replay stopped: the journal cannot be written");
                return true;
            }
        }
    }
    false
}

/// The request's name, for logs: never its patron id or PIN.
pub fn request_kind(request: &WorkerRequest) -> &'static str {
    match request {
        WorkerRequest::Ils(request) => match request {
            IlsRequest::PatronStatus { .. } => "patron_status",
            IlsRequest::Account { .. } => "account",
            IlsRequest::Checkout { .. } => "checkout",
            IlsRequest::Checkin { .. } => "checkin",
            IlsRequest::Renew { .. } => "renew",
            IlsRequest::RenewAll { .. } => "renew_all",
            IlsRequest::ItemInfo { .. } => "item_info",
            IlsRequest::EndSession { .. } => "end_session",
            IlsRequest::EmailReceipt { .. } => "email_receipt",
        },
        WorkerRequest::Journal(JournalRequest::Queue { .. }) => "queue",
        WorkerRequest::Journal(JournalRequest::OfflinePatron { .. }) => "offline_patron",
        WorkerRequest::Journal(JournalRequest::Rating { .. }) => "rating",
        WorkerRequest::Journal(JournalRequest::Suggestion { .. }) => "suggestion",
        WorkerRequest::Journal(JournalRequest::UseToken { .. }) => "use_token",
        WorkerRequest::Journal(JournalRequest::BorrowedTogether { .. }) => "borrowed_together",
        WorkerRequest::Journal(JournalRequest::Visit { .. }) => "visit",
        WorkerRequest::Staff(_) => "staff",
    }
}
