//! The RFID pad in the item loop: multi-part sets, unreadable tags, and loans undone when the
//! tag's security cannot be set.

use super::*;

fn uid(n: u32, part: u32) -> TagUid {
    TagUid(format!("E0040100{n:04X}{part:04X}"))
}

fn placed(n: u32, set: SetCheck, tags: u32) -> Event {
    Event::ItemTag {
        tags: (1..=tags).map(|p| uid(n, p)).collect(),
        item: ItemId(item(n)),
        offline_use: OfflineUse::default(),
        set,
    }
}

fn security(n: u32, tags: u32, state: Security, ok: bool) -> Event {
    Event::SecurityDone {
        item: ItemId(item(n)),
        tags: (1..=tags).map(|p| uid(n, p)).collect(),
        state,
        ok,
    }
}

#[test]
fn a_set_with_a_missing_part_is_refused_until_the_part_arrives() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.press(Button::Borrow);
    let fx = h.send(placed(
        1,
        SetCheck::MissingParts {
            parts: 2,
            present: 1,
        },
        1,
    ));
    assert!(h.pending.is_empty(), "nothing goes to the ILS");
    assert_eq!(sounds(&fx), [Cue::Problem]);
    assert_eq!(
        h.screen().items[0].result,
        ItemResult::Refused {
            reason: Reason::MissingParts {
                parts: 2,
                present: 1
            }
        }
    );
    // The CD is laid beside the book at once: not a duplicate scan, it is lent now.
    h.send(placed(1, SetCheck::Complete, 2));
    let fx = h.answer(IlsAnswer::Checkout(Ok(loan(&item(1)))));
    assert!(fx.contains(&Effect::SetSecurity {
        item: ItemId(item(1)),
        tags: vec![uid(1, 1), uid(1, 2)],
        state: Security::OnLoan
    }));
    h.send(security(1, 2, Security::OnLoan, true));
    let screen = h.screen();
    assert_eq!(screen.items.len(), 1, "the refusal was replaced");
    assert!(matches!(
        screen.items[0].result,
        ItemResult::Borrowed { .. }
    ));
}

#[test]
fn parts_that_disagree_go_to_staff() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.press(Button::Return);
    h.send(placed(2, SetCheck::Inconsistent, 2));
    assert!(h.pending.is_empty());
    assert_eq!(
        h.screen().items[0].result,
        ItemResult::Refused {
            reason: Reason::PartsMismatch
        }
    );
}

#[test]
fn an_unreadable_tag_is_explained() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.press(Button::Borrow);
    h.send(Event::UnreadableTag(uid(9, 1)));
    assert_eq!(h.notice(), Some(Reason::UnreadableTag));
}

#[test]
fn a_failed_security_write_undoes_the_loan_before_anything_else() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.press(Button::Borrow);
    h.send(placed(1, SetCheck::Complete, 2));
    h.send(placed(2, SetCheck::Complete, 1));
    h.answer(IlsAnswer::Checkout(Ok(loan(&item(1)))));
    // Book 2 is in flight when the shell reports book 1's tag could not be released.
    let second = item(2);
    assert!(
        matches!(h.next_request(), WorkerRequest::Ils(IlsRequest::Checkout { item, .. }) if item.0 == second)
    );
    let fx = h.send(security(1, 2, Security::OnLoan, false));
    assert_eq!(sounds(&fx), [Cue::Problem]);
    assert_eq!(
        h.screen().items[0].result,
        ItemResult::Refused {
            reason: Reason::SecurityFailed
        }
    );
    h.answer(IlsAnswer::Checkout(Ok(loan(&item(2)))));
    h.send(security(2, 1, Security::OnLoan, true));
    // Next in line: the cancellation of book 1.
    let first = item(1);
    match h.next_request() {
        WorkerRequest::Ils(IlsRequest::Checkin { item, patron, .. }) => {
            assert_eq!(item.0, first);
            assert_eq!(patron.as_ref().map(|p| p.0.as_str()), Some(CARD));
        }
        other => panic!("expected the undo checkin, got {other:?}"),
    }
    let fx = h.answer(IlsAnswer::Checkin(Ok(returned(&item(1)))));
    let record = records(&fx).pop().unwrap();
    assert_eq!(
        (record.action, record.item.0.as_str()),
        (Action::Return, item(1).as_str())
    );
    // Both tags are put back to alarming (one of them may have been released).
    assert!(fx.contains(&Effect::SetSecurity {
        item: ItemId(item(1)),
        tags: vec![uid(1, 1), uid(1, 2)],
        state: Security::InLibrary
    }));
    // The outcome still sends the reader to staff; book 2 stays lent.
    let screen = h.screen();
    assert!(matches!(
        screen.items[0].result,
        ItemResult::Refused {
            reason: Reason::SecurityFailed
        }
    ));
    assert!(matches!(
        screen.items[1].result,
        ItemResult::Borrowed { .. }
    ));
}

#[test]
fn offline_a_failed_security_write_queues_the_return_whatever_the_offline_rules() {
    let mut h = Harness::new(Policy {
        offline: OfflinePolicy {
            mode: OfflineMode::Full,
            max_items: 5,
        },
        ..policy()
    });
    h.sign_in();
    h.send(Event::LinkChanged(Link::Offline));
    h.press(Button::Borrow);
    h.send(Event::ItemTag {
        tags: vec![uid(3, 1)],
        item: ItemId(item(3)),
        // Its tag forbids offline returns; the cancellation goes through all the same.
        offline_use: OfflineUse {
            issue: true,
            take_back: false,
        },
        set: SetCheck::Complete,
    });
    assert!(matches!(
        h.next_request(),
        WorkerRequest::Journal(JournalRequest::Queue {
            action: Action::Borrow,
            ..
        })
    ));
    h.answer(IlsAnswer::Queued { due: Some(due()) });
    h.send(security(3, 1, Security::OnLoan, false));
    assert!(matches!(
        h.next_request(),
        WorkerRequest::Journal(JournalRequest::Queue {
            action: Action::Return,
            ..
        })
    ));
    let fx = h.answer(IlsAnswer::Queued { due: None });
    let record = records(&fx).pop().unwrap();
    assert!(record.offline && record.action == Action::Return);
}

#[test]
fn a_return_whose_tag_cannot_be_rearmed_stays_returned_and_asks_for_staff() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.press(Button::Return);
    h.send(placed(4, SetCheck::Complete, 1));
    h.answer(IlsAnswer::Checkin(Ok(returned(&item(4)))));
    let fx = h.send(security(4, 1, Security::InLibrary, false));
    assert_eq!(sounds(&fx), [Cue::Problem]);
    assert!(h.pending.is_empty(), "nothing is undone");
    assert!(matches!(
        h.screen().items[0].result,
        ItemResult::Returned { .. }
    ));
    assert_eq!(h.notice(), Some(Reason::SeeStaff));
}

#[test]
fn the_reader_is_told_of_a_loan_once_its_tag_is_released() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.press(Button::Borrow);
    h.send(placed(5, SetCheck::Complete, 1));
    h.answer(IlsAnswer::Checkout(Ok(loan(&item(5)))));
    assert_eq!(h.screen().items[0].result, ItemResult::Pending);
    assert!(h.session.busy(), "done waits while a tag is being written");
    let fx = h.send(security(5, 1, Security::OnLoan, true));
    assert!(h.pending.is_empty(), "nothing to undo");
    assert_eq!(sounds(&fx), [Cue::Success]);
    assert!(matches!(
        outcomes(&fx)[0].result,
        ItemResult::Borrowed { .. }
    ));
    assert!(!h.session.busy());
}
