//! Feedback and purchase suggestions, kept until they are delivered to each destination the
//! library set (its Koha's suggestions, its own endpoint), and for staff to read and export.
//! A suggestion carries a patron id only when the reader asked to be answered.

use super::*;
use crate::circ::suggestion::{Suggested, Suggestion};

/// Where a kept suggestion still has to go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Destinations {
    /// Koha's purchase suggestions (only purchases go there).
    pub koha: bool,
    /// The library's own endpoint (everything goes there).
    pub endpoint: bool,
}

/// One of the places a suggestion is delivered to (a column of the table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    Koha,
    Endpoint,
}

impl Destination {
    fn column(self) -> &'static str {
        match self {
            Destination::Koha => "koha",
            Destination::Endpoint => "endpoint",
        }
    }
}

/// One kept suggestion, as staff and the delivery read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeptSuggestion {
    pub id: i64,
    /// Sent with every delivery, so a destination can tell a repeat.
    pub key: String,
    pub created_utc: String,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub isbn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patron: Option<String>,
    pub language: String,
    /// Per destination: `none` (not sent there), `pending`, `sending`, `done`.
    pub koha: String,
    pub endpoint: String,
    pub attempts: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

const SUGGESTION_COLUMNS: &str = "id, key, created_utc, kind, isbn, topic, patron, language, koha,
    endpoint, attempts, last_error";

fn kept(r: &Row) -> rusqlite::Result<KeptSuggestion> {
    Ok(KeptSuggestion {
        id: r.get(0)?,
        key: r.get(1)?,
        created_utc: r.get(2)?,
        kind: r.get(3)?,
        isbn: r.get(4)?,
        topic: r.get(5)?,
        patron: r.get(6)?,
        language: r.get(7)?,
        koha: r.get(8)?,
        endpoint: r.get(9)?,
        attempts: r.get(10)?,
        last_error: r.get(11)?,
    })
}

impl Journal {
    /// Keeps a suggestion, durably, before anything is sent anywhere.
    pub fn keep_suggestion(
        &mut self,
        suggestion: &Suggestion,
        at: Stamp,
        to: Destinations,
    ) -> Result<KeptSuggestion> {
        let (kind, isbn, topic) = match &suggestion.suggested {
            Suggested::Purchase { isbn } => ("purchase", Some(isbn.as_str().to_owned()), None),
            Suggested::Feedback { topic } => ("feedback", None, Some(topic.code())),
        };
        let state = |on: bool| if on { "pending" } else { "none" };
        let language = match suggestion.language {
            crate::circ::Language::En => "en",
            crate::circ::Language::ZhCn => "zh-CN",
        };
        let tx = self.conn.transaction()?;
        let next: i64 = tx.query_row(
            "SELECT COALESCE(MAX(id), 0) + 1 FROM suggestions",
            [],
            |r| r.get(0),
        )?;
        // Unique beyond this journal: a journal started afresh numbers from 1 again.
        let key = format!(
            "{}-{}-{next}",
            self.settings.kiosk,
            at.utc.format("%Y%m%dT%H%M%S%6f")
        );
        tx.execute(
            "INSERT INTO suggestions (id, key, created_utc, kind, isbn, topic, patron, language,
                 koha, endpoint) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                next,
                key,
                utc_text(at.utc),
                kind,
                isbn,
                topic,
                suggestion.patron.as_ref().map(|p| &p.0),
                language,
                state(to.koha && kind == "purchase"),
                state(to.endpoint),
            ],
        )?;
        let row = tx.query_row(
            &format!("SELECT {SUGGESTION_COLUMNS} FROM suggestions WHERE id = ?1"),
            params![next],
            kept,
        )?;
        // The statistics count suggestions by kind (and feedback by topic), never by reader.
        let counted = match topic {
            Some(topic) => format!("feedback:{topic}"),
            None => kind.to_owned(),
        };
        super::visits::add_to_counter(&tx, &at, "suggestions", &counted)?;
        tx.commit()?;
        Ok(row)
    }

    /// Suggestions a destination has not taken yet and whose backoff is over, oldest first.
    /// One caught `sending` is among them: its answer was lost (a crash, a timeout), and the
    /// delivery resends it with the same key (the endpoint) or asks first (Koha).
    pub fn suggestions_to_deliver(
        &self,
        to: Destination,
        now: DateTime<Utc>,
    ) -> Result<Vec<KeptSuggestion>> {
        let column = to.column();
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT {SUGGESTION_COLUMNS} FROM suggestions WHERE {column} IN ('pending', 'sending')
                 AND (next_attempt_utc IS NULL OR next_attempt_utc <= ?1) ORDER BY id LIMIT 64"
        ))?;
        let rows = statement.query_map(params![utc_text(now)], kept)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How long until a suggestion is due somewhere (zero: now); `None`: nothing waits.
    pub fn next_suggestion_in(&self, now: DateTime<Utc>) -> Result<Option<Duration>> {
        let next: Option<Option<String>> = self
            .conn
            .query_row(
                "SELECT next_attempt_utc FROM suggestions
                     WHERE koha IN ('pending', 'sending') OR endpoint IN ('pending', 'sending')
                     ORDER BY next_attempt_utc IS NOT NULL, next_attempt_utc LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(next.map(|at| {
            at.and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
                .map_or(Duration::ZERO, |t| {
                    (t.with_timezone(&Utc) - now)
                        .to_std()
                        .unwrap_or(Duration::ZERO)
                })
        }))
    }

    /// Marked durably before it leaves for `to`.
    pub fn suggestion_sending(&mut self, id: i64, to: Destination) -> Result<()> {
        let column = to.column();
        self.conn.execute(
            &format!(
                "UPDATE suggestions SET {column} = 'sending', attempts = attempts + 1 WHERE id = ?1"
            ),
            params![id],
        )?;
        Ok(())
    }

    /// `to` took it (or already had it).
    pub fn suggestion_delivered(&mut self, id: i64, to: Destination) -> Result<()> {
        let column = to.column();
        self.conn.execute(
            &format!(
                "UPDATE suggestions SET {column} = 'done', last_error = NULL, next_attempt_utc = NULL
                     WHERE id = ?1"
            ),
            params![id],
        )?;
        Ok(())
    }

    /// Not taken now: tried again after `after` — as never sent (`in_doubt` false: the request
    /// did not leave), or still `sending` when it may have arrived (asked about first).
    pub fn suggestion_retry(
        &mut self,
        id: i64,
        to: Destination,
        error: &str,
        after: Duration,
        in_doubt: bool,
    ) -> Result<()> {
        let column = to.column();
        let state = if in_doubt { "sending" } else { "pending" };
        let at = Utc::now() + chrono::Duration::from_std(after).unwrap_or_default();
        self.conn.execute(
            &format!(
                "UPDATE suggestions SET {column} = ?2, last_error = ?3, next_attempt_utc = ?4
                     WHERE id = ?1"
            ),
            params![id, state, error, utc_text(at)],
        )?;
        Ok(())
    }

    /// `to` will not take it as sent: kept for staff, not sent there again.
    pub fn suggestion_refused(&mut self, id: i64, to: Destination, error: &str) -> Result<()> {
        let column = to.column();
        self.conn.execute(
            &format!("UPDATE suggestions SET {column} = 'refused', last_error = ?2 WHERE id = ?1"),
            params![id, error],
        )?;
        Ok(())
    }

    /// The suggestions kept, oldest first; `since` an RFC 3339 time.
    pub fn suggestions(&self, since: Option<&str>) -> Result<Vec<KeptSuggestion>> {
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT {SUGGESTION_COLUMNS} FROM suggestions WHERE (?1 IS NULL OR created_utc >= ?1)
                 ORDER BY id"
        ))?;
        let rows = statement.query_map(params![since], kept)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::circ::suggestion::FeedbackTopic;
    use crate::circ::types::PatronId;
    use kiosk_core::isbn::Isbn;

    fn journal() -> Journal {
        Journal::in_memory(JournalSettings {
            kiosk: "kiosk-01".into(),
            patron_retention: Duration::ZERO,
        })
        .unwrap()
    }

    #[test]
    fn suggestions_are_kept_with_a_key_of_their_own_and_a_reader_only_by_consent() {
        let mut journal = journal();
        let purchase = Suggestion {
            suggested: Suggested::Purchase {
                isbn: Isbn::parse("9787536692930").unwrap(),
            },
            patron: Some(PatronId("20234000000019".into())),
            language: crate::circ::Language::ZhCn,
        };
        let feedback = Suggestion {
            suggested: Suggested::Feedback {
                topic: FeedbackTopic::Praise,
            },
            patron: None,
            language: crate::circ::Language::En,
        };
        let to = Destinations {
            koha: true,
            endpoint: true,
        };
        let a = journal
            .keep_suggestion(&purchase, Stamp::now(), to)
            .unwrap();
        let b = journal
            .keep_suggestion(&feedback, Stamp::now(), to)
            .unwrap();
        assert_ne!(a.key, b.key);
        assert!(a.key.starts_with("kiosk-01-"), "{}", a.key);
        assert_eq!(
            (a.koha.as_str(), a.endpoint.as_str()),
            ("pending", "pending")
        );
        assert_eq!(
            (b.koha.as_str(), b.endpoint.as_str()),
            ("none", "pending"),
            "feedback is not a purchase: Koha's suggestions do not take it"
        );
        assert_eq!(a.patron.as_deref(), Some("20234000000019"));
        assert_eq!(b.patron, None);
        // The statistics count them by kind and topic, with no reader and no ISBN.
        let counted: Vec<(String, String, i64)> = journal
            .visit_counts()
            .unwrap()
            .into_iter()
            .map(|c| (c.measure, c.value, c.count))
            .collect();
        assert_eq!(
            counted,
            [
                ("suggestions".into(), "feedback:praise".into(), 1),
                ("suggestions".into(), "purchase".into(), 1),
            ]
        );
        assert_eq!(journal.suggestions(None).unwrap(), [a.clone(), b]);

        // The card number stays while the suggestion waits to be delivered…
        let later = Utc::now() + chrono::Duration::days(400);
        journal.purge_patrons(later).unwrap();
        assert!(journal.suggestions(None).unwrap()[0].patron.is_some());
        // …and goes once every destination has it.
        journal
            .suggestion_delivered(a.id, Destination::Koha)
            .unwrap();
        journal
            .suggestion_delivered(a.id, Destination::Endpoint)
            .unwrap();
        journal.purge_patrons(later).unwrap();
        assert_eq!(journal.suggestions(None).unwrap()[0].patron, None);
    }

    #[test]
    fn with_no_destination_a_reply_card_number_stays_a_month_for_staff() {
        let mut journal = journal();
        let suggestion = Suggestion {
            suggested: Suggested::Feedback {
                topic: FeedbackTopic::BookMissing,
            },
            patron: Some(PatronId("20234000000019".into())),
            language: crate::circ::Language::En,
        };
        journal
            .keep_suggestion(&suggestion, Stamp::now(), Destinations::default())
            .unwrap();
        journal
            .purge_patrons(Utc::now() + chrono::Duration::days(29))
            .unwrap();
        assert!(journal.suggestions(None).unwrap()[0].patron.is_some());
        journal
            .purge_patrons(Utc::now() + chrono::Duration::days(31))
            .unwrap();
        assert_eq!(journal.suggestions(None).unwrap()[0].patron, None);
    }
}
