//! The suggestions page: ISBNs checked and shown back, feedback topics, consent to a reply.

use super::*;
use crate::circ::suggestion::{FeedbackTopic, Suggested, Suggestion};

const SANTI_ISBN: &str = "9787536692930";

fn suggestions(h: &Harness) -> Vec<Suggestion> {
    h.sent
        .iter()
        .filter_map(|r| match r {
            WorkerRequest::Journal(JournalRequest::Suggestion { suggestion }) => {
                Some(suggestion.clone())
            }
            _ => None,
        })
        .collect()
}

#[test]
fn an_isbn_is_checked_shown_back_and_sent_once_confirmed() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.press(Button::Suggest);
    assert_eq!(h.screen().page, Page::Suggest);
    // A misread, a library book's barcode: told why, nothing kept.
    h.scan("9787536692931");
    assert_eq!(h.notice(), Some(Reason::IsbnMisread));
    h.scan(&item(1));
    assert_eq!(h.notice(), Some(Reason::NotAnIsbn));
    assert!(suggestions(&h).is_empty());
    // The right one is shown back and waits for the reader.
    h.scan(SANTI_ISBN);
    let view = h.screen().suggest.unwrap();
    assert_eq!(view.isbn.as_deref(), Some(SANTI_ISBN));
    assert_eq!(h.notice(), None);
    assert!(suggestions(&h).is_empty(), "not before it is confirmed");
    h.press(Button::Confirm);
    let sent = suggestions(&h);
    assert_eq!(sent.len(), 1);
    assert!(
        matches!(&sent[0].suggested, Suggested::Purchase { isbn } if isbn.as_str() == SANTI_ISBN)
    );
    assert_eq!(
        sent[0].patron, None,
        "anonymous unless the reader asks for a reply"
    );
    let view = h.screen().suggest.unwrap();
    assert_eq!((view.isbn, view.sent), (None, 1));
    h.press(Button::Confirm);
    assert_eq!(suggestions(&h).len(), 1, "nothing to confirm twice");
    // Typed on the keypad, as an ISBN-10.
    h.send(Event::IsbnTyped("7536692935".into()));
    assert_eq!(
        h.screen().suggest.unwrap().isbn.as_deref(),
        Some(SANTI_ISBN)
    );
}

#[test]
fn a_reply_attaches_the_readers_id_to_that_one_suggestion_only() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.press(Button::Suggest);
    assert!(h.screen().suggest.unwrap().reply_offered);
    h.send(Event::ReplyWanted(true));
    h.send(Event::Feedback(FeedbackTopic::BookMissing));
    h.send(Event::Feedback(FeedbackTopic::Praise));
    let sent = suggestions(&h);
    assert_eq!(sent[0].patron, Some(PatronId(CARD.into())));
    assert_eq!(sent[1].patron, None);
    h.press(Button::Back);
    assert_eq!(h.screen().page, Page::Menu);
}

#[test]
fn from_the_attract_screen_suggestions_are_anonymous_and_books_are_not_lent() {
    let mut h = Harness::new(policy());
    h.press(Button::Suggest);
    assert_eq!(h.screen().page, Page::Suggest);
    assert!(!h.screen().suggest.unwrap().reply_offered);
    h.send(Event::ReplyWanted(true));
    h.send(Event::Feedback(FeedbackTopic::MachineNotWorking));
    assert_eq!(
        suggestions(&h)[0].patron,
        None,
        "nobody signed in: nobody to answer"
    );
    // A tagged book laid on the pad is neither lent nor returned here.
    h.send(Event::ItemTag {
        tags: vec![TagUid("E004010000000001".into())],
        item: ItemId(item(3)),
        offline_use: OfflineUse::default(),
        set: SetCheck::Complete,
    });
    assert!(h.pending.is_empty(), "{:?}", h.pending);
    h.press(Button::Back);
    assert_eq!(h.screen().page, Page::Idle);
    // And it times out like any page.
    h.press(Button::Suggest);
    h.advance(Duration::from_secs(120));
    assert_eq!(h.screen().page, Page::Idle);
}
