//! Purchase suggestions into Koha's own list (`/api/v1/suggestions`), which its acquisitions
//! staff already work from. The suggestion's key goes in its note, so one whose answer was lost
//! can be found before anything is sent again.

use super::*;
use crate::ils::PurchaseSuggestion;

/// The note Koha keeps with the suggestion: where it came from, and its key.
fn note(suggestion: &PurchaseSuggestion) -> String {
    format!(
        "Suggested at self-service kiosk {} (key {})",
        suggestion.kiosk, suggestion.key
    )
}

impl KohaIls {
    pub(super) fn post_suggestion(
        &mut self,
        suggestion: &PurchaseSuggestion,
    ) -> Result<(), IlsError> {
        // Koha wants a title; the ISBN is all a reader gives, and acquisitions looks it up.
        let mut body = serde_json::json!({
            "title": format!("ISBN {}", suggestion.isbn),
            "isbn": suggestion.isbn,
            "note": note(suggestion),
        });
        if let Some(patron) = &suggestion.patron
            && let Some(id) = self.patron_id(&patron.0)?
        {
            body["suggested_by"] = serde_json::json!(id);
        }
        let response = self.call(Method::Post, "/suggestions", &[], Some(&body))?;
        match response.status {
            200..=299 => Ok(()),
            status => Err(IlsError::BadReply(format!(
                "Koha did not take the suggestion: HTTP {status}: {}",
                crate::ils::http::excerpt(&response.body)
            ))),
        }
    }

    pub(super) fn find_suggestion(&mut self, key: &str) -> Result<bool, IlsError> {
        let query = serde_json::json!({ "note": { "-like": format!("%key {key})%") } });
        let found: Vec<serde_json::Value> = self.get(
            &format!("/suggestions?q={}", encode(&query.to_string())),
            None,
            "suggestions",
        )?;
        Ok(!found.is_empty())
    }
}
