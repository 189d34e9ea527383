//! Delivering kept suggestions to the library's own endpoint, exactly once: each is marked
//! `sending` durably before it leaves and `done` when the endpoint says it has it; every
//! attempt carries the suggestion's key (`Idempotency-Key`), so one sent again after a crash or
//! a lost answer is taken once. Unreachable or failing: tried again after a backoff, never lost.
//! Refused (a 4xx): kept for staff, not sent again.

use super::journal::{Journal, JournalError, KeptSuggestion};
use crate::circ::IlsError;
use crate::config::SuggestionsSection;
use crate::ils::http::{HttpLink, Method};
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
    for suggestion in journal.suggestions_to_deliver(chrono::Utc::now())? {
        journal.suggestion_sending(suggestion.id)?;
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
                journal.suggestion_delivered(suggestion.id)?;
                round.done += 1;
            }
            Ok(response) if response.status == 408 || response.status == 429 => {
                let why = format!("HTTP {}", response.status);
                journal.suggestion_retry(suggestion.id, &why, endpoint.retry_after)?;
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
                journal.suggestion_refused(suggestion.id, &why)?;
            }
            Err(error) => {
                // Unreachable, or the answer was lost: the same key goes again later.
                tracing::info!(key = %suggestion.key, %error, "suggestion not delivered now");
                journal.suggestion_retry(
                    suggestion.id,
                    &error.to_string(),
                    endpoint.retry_after,
                )?;
                round.stopped = true;
                break;
            }
        }
    }
    Ok(round)
}
