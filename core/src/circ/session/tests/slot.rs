//! The return slot: unlocked once a book is returned, locked when the reader has gone.

use super::*;

fn slot_moves(fx: &[Effect]) -> Vec<bool> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::ReturnSlot { unlock } => Some(*unlock),
            _ => None,
        })
        .collect()
}

fn with_slot() -> Harness {
    let mut h = Harness::new(policy());
    h.session.start_with_return_slot();
    h
}

#[test]
fn the_slot_opens_for_a_returned_book_and_locks_when_the_reader_leaves() {
    let mut h = with_slot();
    assert!(h.screen().returns_to_slot, "every screen knows");
    h.sign_in();
    let mut fx = h.borrow(&item(1));
    h.press(Button::Back);
    fx.extend(h.press(Button::Return));
    assert_eq!(slot_moves(&fx), [false; 0], "nothing returned yet");

    // Refused: the book is not taken, the slot stays shut.
    h.scan(&item(4));
    let fx = h.answer(IlsAnswer::Checkin(Err(refusal(Reason::NotOnLoan))));
    assert!(slot_moves(&fx).is_empty());

    h.scan(&item(5));
    let fx = h.answer(IlsAnswer::Checkin(Ok(returned(&item(5)))));
    assert_eq!(slot_moves(&fx), [true]);
    let recorded = fx
        .iter()
        .position(|e| matches!(e, Effect::Recorded { .. }))
        .unwrap();
    let unlocked = fx
        .iter()
        .position(|e| matches!(e, Effect::ReturnSlot { .. }))
        .unwrap();
    assert!(recorded < unlocked, "recorded before the slot opens");

    let mut fx = h.scan(&item(6));
    fx.extend(h.answer(IlsAnswer::Checkin(Ok(returned(&item(6))))));
    fx.extend(h.press(Button::Done));
    fx.extend(h.press(Button::NoReceipt));
    assert_eq!(h.screen().page, Page::Goodbye);
    assert!(slot_moves(&fx).is_empty(), "open until the reader has gone");
    let fx = h.advance(Duration::from_secs(10));
    assert_eq!(h.screen().page, Page::Idle);
    assert_eq!(slot_moves(&fx), [false]);
}

#[test]
fn an_absent_readers_slot_is_locked_with_the_session() {
    let mut h = with_slot();
    h.sign_in();
    h.press(Button::Return);
    h.scan(&item(5));
    h.answer(IlsAnswer::Checkin(Ok(returned(&item(5)))));
    let fx = h.advance(Duration::from_secs(120));
    assert_eq!(h.screen().page, Page::Idle);
    assert_eq!(slot_moves(&fx), [false]);
}

#[test]
fn returns_without_a_card_and_offline_returns_go_through_the_slot() {
    let mut h = with_slot();
    h.scan(&item(5));
    let fx = h.answer(IlsAnswer::Checkin(Ok(returned(&item(5)))));
    assert_eq!(slot_moves(&fx), [true]);
    let fx = h.advance(Duration::from_secs(11));
    assert_eq!(slot_moves(&fx), [false], "locked when the returns end");

    h.send(Event::LinkChanged(Link::Offline));
    h.scan(&item(6));
    assert!(matches!(
        h.next_request(),
        WorkerRequest::Journal(JournalRequest::Queue { .. })
    ));
    let fx = h.answer(IlsAnswer::Queued { due: None });
    assert_eq!(slot_moves(&fx), [true]);
}

#[test]
fn without_a_working_slot_returned_books_follow_the_ils_route() {
    let mut h = Harness::new(policy());
    assert!(!h.screen().returns_to_slot);
    h.scan(&item(5));
    let fx = h.answer(IlsAnswer::Checkin(Ok(returned(&item(5)))));
    assert!(slot_moves(&fx).is_empty(), "no slot fitted");

    // A slot whose lock fails is given up: the reader is sent to the trolley instead.
    let mut h = with_slot();
    h.scan(&item(5));
    let fx = h.answer(IlsAnswer::Checkin(Ok(returned(&item(5)))));
    assert_eq!(slot_moves(&fx), [true]);
    let fx = h.send(Event::ReturnSlotFailed);
    assert!(!h.screen().returns_to_slot);
    assert!(slot_moves(&fx).is_empty());
    h.scan(&item(6));
    let mut fx = h.answer(IlsAnswer::Checkin(Ok(returned(&item(6)))));
    fx.extend(h.advance(Duration::from_secs(11)));
    assert!(slot_moves(&fx).is_empty());
}
