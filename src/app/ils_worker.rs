//! The ILS worker: a thread that owns the ILS adapter and runs requests one at a time, so the
//! reader-facing loop never blocks on the network.

use crate::circ::{IlsReply, IlsRequest, RequestId};
use crate::ils::{Ils, execute};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

pub struct IlsWorker {
    requests: Option<Sender<(RequestId, IlsRequest)>>,
    replies: Receiver<(RequestId, IlsReply)>,
    thread: Option<JoinHandle<()>>,
}

/// Why no reply came.
#[derive(Debug, PartialEq, Eq)]
pub enum NoReply {
    Timeout,
    /// The worker thread is gone (the adapter panicked).
    Stopped,
}

impl IlsWorker {
    pub fn spawn(mut ils: Box<dyn Ils>) -> std::io::Result<Self> {
        let (request_tx, request_rx) = mpsc::channel::<(RequestId, IlsRequest)>();
        let (reply_tx, reply_rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("ils-worker".into())
            .spawn(move || {
                loop {
                    let next = match ils.keep_alive_in() {
                        Some(wait) => request_rx.recv_timeout(wait),
                        None => request_rx
                            .recv()
                            .map_err(|_| RecvTimeoutError::Disconnected),
                    };
                    let (id, request) = match next {
                        Ok(next) => next,
                        Err(RecvTimeoutError::Timeout) => {
                            if let Err(error) = ils.keep_alive() {
                                tracing::warn!(%error, "ILS link check failed");
                            }
                            continue;
                        }
                        Err(RecvTimeoutError::Disconnected) => break,
                    };
                    let kind = request_kind(&request);
                    tracing::debug!(request = kind, id = id.0, "to the ILS");
                    let reply = execute(ils.as_mut(), &request);
                    match &reply {
                        Ok(_) => tracing::debug!(request = kind, id = id.0, "ILS answered"),
                        Err(error) => tracing::warn!(request = kind, %error, "ILS request failed"),
                    }
                    if reply_tx.send((id, reply)).is_err() {
                        break;
                    }
                }
            })?;
        Ok(IlsWorker {
            requests: Some(request_tx),
            replies: reply_rx,
            thread: Some(thread),
        })
    }

    pub fn send(&self, id: RequestId, request: IlsRequest) -> Result<(), NoReply> {
        let sender = self.requests.as_ref().ok_or(NoReply::Stopped)?;
        sender.send((id, request)).map_err(|_| NoReply::Stopped)
    }

    /// The next reply, waiting at most `timeout` (forever with `None`).
    pub fn recv(&self, timeout: Option<Duration>) -> Result<(RequestId, IlsReply), NoReply> {
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

/// The request's name, for logs: never its patron id or PIN.
pub fn request_kind(request: &IlsRequest) -> &'static str {
    match request {
        IlsRequest::PatronStatus { .. } => "patron_status",
        IlsRequest::Account { .. } => "account",
        IlsRequest::Checkout { .. } => "checkout",
        IlsRequest::Checkin { .. } => "checkin",
        IlsRequest::Renew { .. } => "renew",
        IlsRequest::RenewAll { .. } => "renew_all",
        IlsRequest::ItemInfo { .. } => "item_info",
        IlsRequest::EndSession { .. } => "end_session",
        IlsRequest::EmailReceipt { .. } => "email_receipt",
    }
}
