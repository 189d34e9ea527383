//! The satisfaction question on the goodbye screen.

use super::*;
use crate::circ::satisfaction::{LowScoreReason, Rating, SatisfactionPolicy, VisitKind};

fn asking_every(every: u32) -> Harness {
    Harness::new(Policy {
        satisfaction: SatisfactionPolicy {
            enabled: true,
            every,
        },
        ..policy()
    })
}

/// A reader borrows one book (and one is refused) and leaves without a receipt.
fn visit(h: &mut Harness) {
    h.sign_in();
    h.borrow(&item(1));
    h.scan(&item(2));
    h.answer(IlsAnswer::Checkout(Err(refusal(Reason::NotForLoan))));
    h.press(Button::Done);
    h.press(Button::NoReceipt);
    assert_eq!(h.screen().page, Page::Goodbye);
}

fn ratings(h: &Harness) -> Vec<Rating> {
    h.sent
        .iter()
        .filter_map(|r| match r {
            WorkerRequest::Journal(JournalRequest::Rating { rating }) => Some(*rating),
            _ => None,
        })
        .collect()
}

#[test]
fn the_question_is_asked_on_the_configured_share_of_visits_only() {
    let mut h = asking_every(3);
    let mut asked = Vec::new();
    for _ in 0..6 {
        visit(&mut h);
        asked.push(h.screen().rating.is_some());
        h.advance(Duration::from_secs(10));
        assert_eq!(h.screen().page, Page::Idle);
    }
    assert_eq!(asked, [false, false, true, false, false, true]);

    let mut never = Harness::new(policy());
    visit(&mut never);
    assert_eq!(
        never.screen().rating,
        None,
        "off unless the library turns it on"
    );
}

#[test]
fn a_tap_records_one_anonymous_record_with_exactly_these_fields() {
    let mut h = asking_every(1);
    visit(&mut h);
    h.send(Event::Rated(4));
    let recorded = ratings(&h);
    assert_eq!(
        recorded,
        [Rating {
            kind: VisitKind::Borrow,
            borrowed: 1,
            returned: 0,
            renewed: 0,
            refused: 1,
            language: Language::En,
            score: 4,
            reason: None,
        }]
    );
    // Nothing that names the reader, the card, a book or the time.
    let json = serde_json::to_value(recorded[0]).unwrap();
    let mut keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "borrowed", "kind", "language", "refused", "renewed", "returned", "score"
        ]
    );
    assert!(h.screen().rating.is_some_and(|r| r.thanked));
    // A second tap changes nothing.
    h.send(Event::Rated(1));
    h.send(Event::RatingReason(LowScoreReason::Other));
    h.advance(Duration::from_secs(10));
    assert_eq!(ratings(&h).len(), 1);
}

#[test]
fn a_low_score_may_say_why_and_is_recorded_once_either_way() {
    let mut h = asking_every(1);
    visit(&mut h);
    h.send(Event::Rated(1));
    assert!(ratings(&h).is_empty(), "waiting for a reason");
    let ask = h.screen().rating.unwrap();
    assert!(ask.reasons_offered && ask.score == Some(1));
    h.send(Event::RatingReason(LowScoreReason::NotRead));
    let recorded = ratings(&h);
    assert_eq!(recorded.len(), 1);
    assert_eq!(
        (recorded[0].score, recorded[0].reason),
        (1, Some(LowScoreReason::NotRead))
    );

    // No reason given: recorded when the goodbye screen ends.
    h.advance(Duration::from_secs(30));
    visit(&mut h);
    h.send(Event::Rated(2));
    h.advance(Duration::from_secs(30));
    assert_eq!(h.screen().page, Page::Idle);
    let recorded = ratings(&h);
    assert_eq!(recorded.len(), 2);
    assert_eq!((recorded[1].score, recorded[1].reason), (2, None));

    // Or when the next reader starts a visit at once.
    h.advance(Duration::from_secs(30));
    visit(&mut h);
    h.send(Event::Rated(1));
    h.scan(CARD);
    assert_eq!(ratings(&h).len(), 3);
}

#[test]
fn no_tap_records_nothing_and_costs_the_reader_nothing() {
    let mut h = asking_every(1);
    visit(&mut h);
    assert!(h.screen().rating.is_some());
    h.advance(Duration::from_secs(5));
    assert_eq!(
        h.screen().page,
        Page::Idle,
        "the goodbye screen ends as before"
    );
    assert!(ratings(&h).is_empty());
    // Off the scale, or with no question asked: nothing.
    h.send(Event::Rated(3));
    visit(&mut h);
    h.send(Event::Rated(9));
    h.send(Event::Rated(0));
    assert!(ratings(&h).is_empty());
}

#[test]
fn a_visit_with_only_the_account_is_rated_as_such() {
    let mut h = asking_every(1);
    h.sign_in();
    h.press(Button::Cancel);
    assert_eq!(h.screen().page, Page::Goodbye, "logging out says goodbye");
    h.send(Event::Rated(5));
    assert_eq!(ratings(&h)[0].kind, VisitKind::Account);
}
