//! Purchase suggestions into Koha's list, delivered once from the journal: a mock Koha that
//! takes the first, loses the answer to the second (a 500), and is asked before a resend.

use super::*;
use crate::circ::suggestion::{Suggested, Suggestion};
use crate::queue::deliver::deliver_to_ils;
use crate::queue::journal::{Destinations, Journal, JournalSettings, Stamp};
use kiosk_core::isbn::Isbn;
use std::time::Duration;

fn journal_with(isbns: &[&str]) -> (Journal, Vec<String>) {
    let mut journal = Journal::in_memory(JournalSettings {
        kiosk: "kiosk-3".into(),
        patron_retention: Duration::ZERO,
    })
    .unwrap();
    let keys = isbns
        .iter()
        .map(|isbn| {
            let suggestion = Suggestion {
                suggested: Suggested::Purchase {
                    isbn: Isbn::parse(isbn).unwrap(),
                },
                patron: None,
                language: crate::circ::Language::ZhCn,
            };
            let to = Destinations {
                koha: true,
                endpoint: false,
            };
            journal
                .keep_suggestion(&suggestion, Stamp::now(), to)
                .unwrap()
                .key
        })
        .collect();
    (journal, keys)
}

#[test]
fn a_purchase_suggestion_reaches_kohas_list_once_even_when_its_answer_is_lost() {
    let mut server = Server::new();
    let _token = token(&mut server, "t1");
    let (mut journal, keys) = journal_with(&["9787536692930", "9780804429573"]);
    let first = server
        .mock("POST", "/api/v1/suggestions")
        .match_header("authorization", bearer("t1"))
        .match_body(Matcher::PartialJson(json!({
            "isbn": "9787536692930",
            "title": "ISBN 9787536692930",
        })))
        .with_status(201)
        .with_body("{}")
        .expect(1)
        .create();
    // The second is taken by Koha, but its answer is a 500: the kiosk cannot know.
    let second = server
        .mock("POST", "/api/v1/suggestions")
        .match_body(Matcher::PartialJson(json!({"isbn": "9780804429573"})))
        .match_body(Matcher::Regex(keys[1].clone()))
        .with_status(500)
        .expect(1)
        .create();
    let mut koha = adapter(&server);
    let round = deliver_to_ils(&mut journal, &mut koha, "kiosk-3", Duration::ZERO).unwrap();
    assert_eq!((round.done, round.stopped), (1, true));
    first.assert();
    second.assert();
    let rows = journal.suggestions(None).unwrap();
    assert_eq!(
        (rows[0].koha.as_str(), rows[1].koha.as_str()),
        ("done", "sending"),
        "the second is in doubt"
    );

    // Next round: Koha is asked (by the key in the note), has it, and nothing is sent again.
    let found = server
        .mock("GET", "/api/v1/suggestions")
        .match_query(Matcher::Regex(keys[1].clone()))
        .with_body(
            json!([{"suggestion_id": 7, "note": format!("… (key {})", keys[1])}]).to_string(),
        )
        .expect(1)
        .create();
    let round = deliver_to_ils(&mut journal, &mut koha, "kiosk-3", Duration::ZERO).unwrap();
    assert_eq!(round.done, 1);
    found.assert();
    second.assert();
    let rows = journal.suggestions(None).unwrap();
    assert!(rows.iter().all(|r| r.koha == "done"), "{rows:?}");
}

#[test]
fn a_purchase_koha_never_received_is_sent_again_and_one_it_refuses_waits_for_staff() {
    let mut server = Server::new();
    let _token = token(&mut server, "t1");
    let (mut journal, keys) = journal_with(&["9787536692930"]);
    let mut koha = adapter(&server);
    // Lost answer, then Koha says it has no such suggestion: it is sent again, and refused.
    let lost = server
        .mock("POST", "/api/v1/suggestions")
        .with_status(502)
        .expect(1)
        .create();
    deliver_to_ils(&mut journal, &mut koha, "kiosk-3", Duration::ZERO).unwrap();
    lost.assert();
    lost.remove();
    let none = server
        .mock("GET", "/api/v1/suggestions")
        .match_query(Matcher::Regex(keys[0].clone()))
        .with_body("[]")
        .create();
    let refused = server
        .mock("POST", "/api/v1/suggestions")
        .with_status(400)
        .with_body(json!({"error": "title is too short"}).to_string())
        .expect(1)
        .create();
    deliver_to_ils(&mut journal, &mut koha, "kiosk-3", Duration::ZERO).unwrap();
    none.assert();
    refused.assert();
    let row = &journal.suggestions(None).unwrap()[0];
    assert_eq!(row.koha, "refused");
    assert!(
        row.last_error
            .as_deref()
            .is_some_and(|e| e.contains("HTTP 400")),
        "{row:?}"
    );
    // Refused: not sent there again.
    deliver_to_ils(&mut journal, &mut koha, "kiosk-3", Duration::ZERO).unwrap();
    refused.assert();
}
