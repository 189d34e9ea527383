//! A transport that answers from a script instead of a server: the fuzz target `ils_http` feeds
//! the HTTP adapters (FOLIO, Koha) every reply they decode this way, and its seeds are replies
//! of the simulated FOLIO server recorded with [`Recording`].
//!
//! A script is replies one after another, each ended by [`SEPARATOR`] (a byte no UTF-8 text
//! holds): the reply's first byte picks its status from [`STATUSES`], the rest is its body.
//! Requests take the replies in order; when they run out the link is down.

use super::http::{Method, Response, Transport, server_failed};
use super::{Answer, Ils};
use crate::circ::IlsError;
use crate::circ::types::{
    Account, ItemId, ItemInfo, Loan, PatronId, PatronStatus, Pin, RenewAllResult, Return,
};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// The statuses a scripted reply may have, by its first byte (modulo their number).
pub const STATUSES: [u16; 12] = [200, 201, 204, 400, 401, 403, 404, 409, 412, 422, 500, 503];

/// Ends each reply of a script.
pub const SEPARATOR: u8 = 0xFF;

/// Every scripted reply carries a FOLIO token, so a login always gets one.
const TOKEN_HEADER: (&str, &str) = ("x-okapi-token", "scripted");

pub struct Scripted {
    replies: Mutex<VecDeque<Response>>,
}

impl Scripted {
    pub fn parse(script: &[u8]) -> Scripted {
        let replies = script
            .split(|b| *b == SEPARATOR)
            .filter_map(|reply| reply.split_first())
            .map(|(status, body)| Response {
                status: STATUSES[usize::from(*status) % STATUSES.len()],
                body: String::from_utf8_lossy(body).into_owned(),
                headers: vec![(TOKEN_HEADER.0.to_owned(), TOKEN_HEADER.1.to_owned())],
                peer_certificate: None,
            })
            .collect();
        Scripted {
            replies: Mutex::new(replies),
        }
    }

    /// The script of these replies; a status not in [`STATUSES`] is written as 200.
    pub fn write(replies: &[(u16, String)]) -> Vec<u8> {
        let mut script = Vec::new();
        for (status, body) in replies {
            let index = STATUSES.iter().position(|s| s == status).unwrap_or(0);
            script.push(index as u8);
            script.extend_from_slice(body.as_bytes());
            script.push(SEPARATOR);
        }
        script
    }

    fn next(&self, method: Method, path: &str) -> Result<Response, IlsError> {
        let reply = self
            .replies
            .lock()
            .map_err(|_| IlsError::LinkDown("the script was poisoned".into()))?
            .pop_front()
            .ok_or_else(|| IlsError::LinkDown(format!("{path}: the script has ended")))?;
        match server_failed(method, path, &reply) {
            Some(error) => Err(error),
            None => Ok(reply),
        }
    }
}

impl Transport for Scripted {
    fn send(
        &self,
        method: Method,
        path: &str,
        _headers: &[(&str, &str)],
        _body: Option<&serde_json::Value>,
    ) -> Result<Response, IlsError> {
        self.next(method, path)
    }

    fn post_form(&self, path: &str, _fields: &[(&str, &str)]) -> Result<Response, IlsError> {
        self.next(Method::Post, path)
    }
}

/// The replies a [`Recording`] noted: status and body, in order.
pub type Noted = Arc<Mutex<Vec<(u16, String)>>>;

/// Another transport, with every reply it gets noted (status and body) for a script.
pub struct Recording<T> {
    inner: T,
    replies: Noted,
}

impl<T: Transport> Recording<T> {
    /// The transport, and where its replies are noted.
    pub fn new(inner: T) -> (Recording<T>, Noted) {
        let replies = Arc::new(Mutex::new(Vec::new()));
        let recording = Recording {
            inner,
            replies: Arc::clone(&replies),
        };
        (recording, replies)
    }

    fn note(&self, reply: &Result<Response, IlsError>) {
        if let (Ok(reply), Ok(mut replies)) = (reply, self.replies.lock()) {
            replies.push((reply.status, reply.body.clone()));
        }
    }
}

impl<T: Transport> Transport for Recording<T> {
    fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&serde_json::Value>,
    ) -> Result<Response, IlsError> {
        let reply = self.inner.send(method, path, headers, body);
        self.note(&reply);
        reply
    }

    fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Result<Response, IlsError> {
        let reply = self.inner.post_form(path, fields);
        self.note(&reply);
        reply
    }
}

/// What each request of a scripted [`visit`] came to.
pub struct Visit {
    pub status: Result<PatronStatus, IlsError>,
    pub account: Result<Account, IlsError>,
    pub checkout: Answer<Loan>,
    pub checkin: Answer<Return>,
    pub renew: Answer<Loan>,
    pub renew_all: Answer<RenewAllResult>,
    pub item_info: Answer<ItemInfo>,
}

/// A reader's visit as the fuzz target `ils_http` and its seeds make it: Li Hua signs in with
/// her PIN, looks at her account, borrows `item`, returns it, renews it, renews all and asks
/// about it — one request after another, each taking the script's next replies.
pub fn visit(ils: &mut dyn Ils, item: &str) -> Visit {
    let patron = PatronId("20234000000019".into());
    let item = ItemId(item.into());
    let pin = Pin::new("1234");
    Visit {
        status: ils.patron_status(&patron, Some(&pin)),
        account: ils.account(&patron, Some(&pin)),
        checkout: ils.checkout(&patron, &item),
        checkin: ils.checkin(&item),
        renew: ils.renew(&patron, &item),
        renew_all: ils.renew_all(&patron),
        item_info: ils.item_info(&item),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_answers_in_order_with_its_statuses_then_the_link_is_down() {
        let script = Scripted::write(&[
            (200, r#"{"users": []}"#.into()),
            (422, r#"{"errors": []}"#.into()),
            (500, "oops".into()),
        ]);
        let link = Scripted::parse(&script);
        let first = link.send(Method::Get, "/users", &[], None).unwrap();
        assert_eq!(
            (first.status, first.body.as_str()),
            (200, r#"{"users": []}"#)
        );
        assert_eq!(first.header("x-okapi-token"), Some("scripted"));
        assert_eq!(
            link.send(Method::Post, "/x", &[], None).unwrap().status,
            422
        );
        // A server error on a write: the ILS may have done it.
        assert!(matches!(
            link.send(Method::Post, "/x", &[], None),
            Err(IlsError::OutcomeUnknown(_))
        ));
        assert!(matches!(
            link.send(Method::Get, "/users", &[], None),
            Err(IlsError::LinkDown(_))
        ));
    }
}
