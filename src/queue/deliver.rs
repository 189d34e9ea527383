//! Delivering kept suggestions, exactly once per destination. Each is marked `sending` durably
//! before it leaves and `done` when the destination has it.
//!
//! - The library's endpoint: every attempt carries the suggestion's key (`Idempotency-Key`), so
//!   one sent again after a crash or a lost answer is taken once.
//! - Koha's suggestions (purchases only): Koha has no such key, so one whose answer was lost is
//!   looked for (its key is in its note) before anything is sent again.
//!
//! Unreachable or failing: tried again after a backoff, never lost. Refused: kept for staff, not
//! sent there again.

use super::journal::{Destination, Journal, JournalError, KeptSuggestion};
use crate::circ::IlsError;
use crate::config::SuggestionsSection;
use crate::ils::http::{HttpLink, Method, Transport};
use crate::ils::{Ils, PurchaseSuggestion};
use serde_json::json;
use std::time::Duration;

/// The library's endpoint, ready to post to.
pub struct Endpoint {
    link: HttpLink,
    kiosk: String,
    retry_after: Duration,
}

impl Endpoint {
    pub fn new(url: &str, section: &SuggestionsSection, kiosk: &str) -> Result<Endpoint, IlsError> {
        Ok(Endpoint {
            link: HttpLink::new(url, section.http.clone())?,
            kiosk: kiosk.to_owned(),
            retry_after: Duration::from_secs(section.retry_secs),
        })
    }
}

/// What one suggestion looks like to the endpoint.
pub fn body(kiosk: &str, s: &KeptSuggestion) -> serde_json::Value {
    json!({
        "key": s.key,
        "kiosk": kiosk,
        "created": s.created_utc,
        "kind": s.kind,
        "isbn": s.isbn,
        "topic": s.topic,
        "language": s.language,
        // Only when the reader asked the library to reply.
        "reply_to_card": s.patron,
    })
}

/// What a delivery round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivered {
    pub done: usize,
    /// The endpoint could not be reached or failed: the rest waits for the backoff.
    pub stopped: bool,
}

/// Delivers what is due, oldest first, until one fails.
pub fn deliver_round(
    journal: &mut Journal,
    endpoint: &Endpoint,
) -> Result<Delivered, JournalError> {
    let mut round = Delivered::default();
    let to = Destination::Endpoint;
    for suggestion in journal.suggestions_to_deliver(to, chrono::Utc::now())? {
        journal.suggestion_sending(suggestion.id, to)?;
        let headers = [("idempotency-key", suggestion.key.as_str())];
        let sent = endpoint.link.send(
            Method::Post,
            "",
            &headers,
            Some(&body(&endpoint.kiosk, &suggestion)),
        );
        match sent {
            // 409: it has one with this key already.
            Ok(response) if response.ok() || response.status == 409 => {
                journal.suggestion_delivered(suggestion.id, to)?;
                round.done += 1;
            }
            Ok(response) if response.status == 408 || response.status == 429 => {
                let why = format!("HTTP {}", response.status);
                journal.suggestion_retry(suggestion.id, to, &why, endpoint.retry_after, true)?;
                round.stopped = true;
                break;
            }
            Ok(response) => {
                let why = format!(
                    "the endpoint refused it: HTTP {}: {}",
                    response.status,
                    crate::ils::http::excerpt(&response.body)
                );
                tracing::warn!(key = %suggestion.key, %why, "suggestion not delivered");
                journal.suggestion_refused(suggestion.id, to, &why)?;
            }
            Err(error) => {
                // Unreachable, or the answer was lost: the same key goes again later.
                tracing::info!(key = %suggestion.key, %error, "suggestion not delivered now");
                let why = error.to_string();
                journal.suggestion_retry(suggestion.id, to, &why, endpoint.retry_after, true)?;
                round.stopped = true;
                break;
            }
        }
    }
    Ok(round)
}

/// Delivers the purchases that are due to the ILS's own suggestions (Koha), until one fails.
pub fn deliver_to_ils(
    journal: &mut Journal,
    ils: &mut dyn Ils,
    kiosk: &str,
    retry_after: Duration,
) -> Result<Delivered, JournalError> {
    let mut round = Delivered::default();
    let to = Destination::Koha;
    for suggestion in journal.suggestions_to_deliver(to, chrono::Utc::now())? {
        let Some(isbn) = suggestion.isbn.clone() else {
            journal.suggestion_refused(suggestion.id, to, "not a purchase")?;
            continue;
        };
        if suggestion.koha == "sending" {
            // Sent before without an answer: Koha is asked before anything goes again.
            match ils.has_suggestion(&suggestion.key) {
                Ok(true) => {
                    journal.suggestion_delivered(suggestion.id, to)?;
                    round.done += 1;
                    continue;
                }
                Ok(false) => {}
                Err(error) => {
                    let why = error.to_string();
                    journal.suggestion_retry(suggestion.id, to, &why, retry_after, true)?;
                    round.stopped = true;
                    break;
                }
            }
        }
        journal.suggestion_sending(suggestion.id, to)?;
        let purchase = PurchaseSuggestion {
            key: suggestion.key.clone(),
            isbn,
            patron: suggestion.patron.clone().map(crate::circ::types::PatronId),
            kiosk: kiosk.to_owned(),
        };
        match ils.suggest_purchase(&purchase) {
            Ok(()) => {
                journal.suggestion_delivered(suggestion.id, to)?;
                round.done += 1;
            }
            Err(error @ IlsError::LinkDown(_)) => {
                let why = error.to_string();
                journal.suggestion_retry(suggestion.id, to, &why, retry_after, false)?;
                round.stopped = true;
                break;
            }
            Err(error @ (IlsError::OutcomeUnknown(_) | IlsError::LoginRefused(_))) => {
                let why = error.to_string();
                journal.suggestion_retry(suggestion.id, to, &why, retry_after, true)?;
                round.stopped = true;
                break;
            }
            Err(error) => {
                tracing::warn!(key = %suggestion.key, %error, "the ILS did not take the suggestion");
                journal.suggestion_refused(suggestion.id, to, &error.to_string())?;
            }
        }
    }
    Ok(round)
}
