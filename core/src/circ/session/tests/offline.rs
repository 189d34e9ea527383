//! Working while the ILS is unreachable: each offline-policy rule.

use super::*;

fn offline_policy(mode: OfflineMode, max_items: u32) -> Policy {
    Policy {
        offline: OfflinePolicy { mode, max_items },
        ..policy()
    }
}

fn tagged(n: u32, issue: bool, take_back: bool) -> Event {
    Event::ItemTag {
        tags: vec![TagUid(format!("E0040100000000{n:02X}"))],
        item: ItemId(item(n)),
        offline_use: OfflineUse { issue, take_back },
        set: SetCheck::Complete,
    }
}

fn queued_due() -> IlsAnswer {
    IlsAnswer::Queued {
        due: Some(Due {
            text: "2026-12-13 23:59".into(),
            at: None,
        }),
    }
}

/// Card and PIN while the link is known to be down, not on the blocked list.
fn sign_in_offline(h: &mut Harness) {
    h.send(Event::LinkChanged(Link::Offline));
    h.scan(CARD);
    h.pin(PIN);
    assert!(matches!(
        h.next_request(),
        WorkerRequest::Journal(JournalRequest::OfflinePatron { .. })
    ));
    h.answer(IlsAnswer::OfflinePatron { blocked: None });
    assert_eq!(h.screen().page, Page::Menu);
}

#[test]
fn when_the_ils_goes_away_at_sign_in_the_blocked_list_decides() {
    let mut h = Harness::new(policy());
    h.scan(CARD);
    h.pin(PIN);
    h.reply(Err(IlsError::LinkDown("connection refused".into())));
    assert!(
        h.screen().offline,
        "the reader sees the machine works offline"
    );
    match h.next_request() {
        WorkerRequest::Journal(JournalRequest::OfflinePatron { patron }) => {
            assert_eq!(patron.0, CARD)
        }
        other => panic!("unexpected {other:?}"),
    }
    h.answer(IlsAnswer::OfflinePatron {
        blocked: Some(Block::CardReportedLost),
    });
    assert_eq!(h.screen().page, Page::Idle);
    assert_eq!(
        h.notice(),
        Some(Reason::PatronBlocked {
            block: Block::CardReportedLost
        })
    );
}

#[test]
fn an_offline_loan_is_queued_before_the_reader_is_told() {
    let mut h = Harness::new(policy());
    sign_in_offline(&mut h);
    h.send(tagged(1, true, true));
    match h.next_request() {
        WorkerRequest::Journal(JournalRequest::Queue {
            action,
            patron,
            item,
            tag,
        }) => {
            assert_eq!(*action, Action::Borrow);
            assert_eq!(patron.as_ref().map(|p| p.0.as_str()), Some(CARD));
            assert_eq!(item.0, item_code(1));
            assert!(tag.is_some());
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        h.screen().items[0].result,
        ItemResult::Pending,
        "not told before it is recorded"
    );
    let fx = h.answer(queued_due());
    let record = records(&fx).pop().unwrap();
    assert!(record.offline);
    assert!(fx.iter().any(|e| matches!(
        e,
        Effect::SetSecurity {
            state: Security::OnLoan,
            ..
        }
    )));
    h.send(Event::SecurityDone {
        item: ItemId(item(1)),
        tags: vec![TagUid("E004010000000001".into())],
        state: Security::OnLoan,
        ok: true,
    });
    match &h.screen().items[0].result {
        ItemResult::Borrowed { due, offline: true } => assert_eq!(due.text, "2026-12-13 23:59"),
        other => panic!("unexpected {other:?}"),
    }
    h.press(Button::Done);
    let fx = h.press(Button::PrintReceipt);
    let receipt = fx.iter().find_map(|e| match e {
        Effect::Print { receipt } => Some(receipt.clone()),
        _ => None,
    });
    assert!(
        receipt.unwrap().offline,
        "the receipt says due dates are estimates"
    );
}

fn item_code(n: u32) -> String {
    item(n)
}

#[test]
fn offline_there_is_a_smaller_item_limit() {
    let mut h = Harness::new(offline_policy(OfflineMode::Full, 2));
    sign_in_offline(&mut h);
    for n in 1..=2 {
        h.scan(&item(n));
        h.answer(queued_due());
    }
    let fx = h.scan(&item(3));
    let outcome = outcomes(&fx).pop().unwrap();
    assert_eq!(
        outcome.result,
        ItemResult::Refused {
            reason: Reason::OfflineLimit { limit: 2 }
        }
    );
    assert!(h.pending.is_empty(), "nothing queued");
}

#[test]
fn the_tag_can_forbid_offline_loans_and_returns() {
    let mut h = Harness::new(policy());
    sign_in_offline(&mut h);
    let fx = h.send(tagged(4, false, true));
    assert_eq!(
        outcomes(&fx).pop().unwrap().result,
        ItemResult::Refused {
            reason: Reason::NotForOfflineIssue
        }
    );
    h.press(Button::Back);
    h.press(Button::Return);
    let fx = h.send(tagged(5, true, false));
    assert_eq!(
        outcomes(&fx).pop().unwrap().result,
        ItemResult::Refused {
            reason: Reason::NotForOfflineReturn
        }
    );
    assert!(h.pending.is_empty());
}

#[test]
fn renewals_and_the_account_need_the_ils() {
    let mut h = Harness::new(policy());
    sign_in_offline(&mut h);
    h.press(Button::Renew);
    assert_eq!(h.notice(), Some(Reason::RenewOffline));
    h.press(Button::Account);
    assert_eq!(h.notice(), Some(Reason::AccountOffline));
    assert_eq!(h.screen().page, Page::Menu);
    assert!(h.pending.is_empty());
}

#[test]
fn checkin_only_takes_returns_and_refuses_cards() {
    let mut h = Harness::new(offline_policy(OfflineMode::CheckinOnly, 5));
    h.send(Event::LinkChanged(Link::Offline));
    h.scan(CARD);
    assert_eq!(h.notice(), Some(Reason::OfflineReturnsOnly));
    assert_eq!(h.screen().page, Page::Idle);
    h.scan(&item(6));
    match h.next_request() {
        WorkerRequest::Journal(JournalRequest::Queue { action, patron, .. }) => {
            assert_eq!(*action, Action::Return);
            assert_eq!(*patron, None);
        }
        other => panic!("unexpected {other:?}"),
    }
    h.answer(IlsAnswer::Queued { due: None });
    assert_eq!(
        h.screen().items[0].result,
        ItemResult::Returned {
            route: ReturnRoute::ReturnBin
        }
    );
}

#[test]
fn disabled_means_out_of_service_until_the_ils_is_back() {
    let mut h = Harness::new(offline_policy(OfflineMode::Disabled, 5));
    h.send(Event::LinkChanged(Link::Offline));
    let fault = Some(Reason::OutOfService {
        fault: "ILS".into(),
    });
    assert_eq!(h.screen().page, Page::OutOfService);
    assert_eq!(h.notice(), fault);
    h.scan(CARD);
    h.scan(&item(7));
    assert_eq!(h.screen().page, Page::OutOfService, "readers cannot start");
    assert!(h.sent.is_empty());
    h.send(Event::LinkChanged(Link::Online));
    assert_eq!(h.screen().page, Page::Idle);
    assert_eq!(h.notice(), None);
}

#[test]
fn disabled_refuses_what_a_signed_in_reader_brings_when_the_link_drops() {
    let mut h = Harness::new(offline_policy(OfflineMode::Disabled, 5));
    h.sign_in();
    h.send(Event::LinkChanged(Link::Offline));
    h.press(Button::Borrow);
    let fx = h.scan(&item(7));
    assert_eq!(
        outcomes(&fx).pop().unwrap().result,
        ItemResult::Refused {
            reason: Reason::IlsUnavailable
        }
    );
    assert!(
        !h.sent.iter().any(|r| matches!(
            r,
            WorkerRequest::Ils(IlsRequest::Checkout { .. })
                | WorkerRequest::Journal(JournalRequest::Queue { .. })
        )),
        "nothing lent, nothing queued"
    );
    // When the reader leaves, the machine says it cannot serve.
    h.press(Button::Cancel);
    h.advance(std::time::Duration::from_secs(30));
    assert_eq!(h.screen().page, Page::OutOfService);
}

#[test]
fn offline_only_cards_that_match_the_card_rules_are_accepted() {
    let mut h = Harness::new(policy());
    h.send(Event::LinkChanged(Link::Offline));
    h.scan("99999");
    assert_eq!(h.notice(), Some(Reason::OfflineCardNotValid));
    assert!(h.sent.is_empty());
    // An RFID card cannot be checked against barcode rules: accepted.
    h.send(Event::CardUid(vec![1, 2, 3, 4]));
    assert_eq!(h.screen().page, Page::Pin);
}

#[test]
fn a_checkout_that_meets_a_dead_link_goes_to_the_queue() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.scan(&item(8));
    h.reply(Err(IlsError::OutcomeUnknown("connection reset".into())));
    assert!(h.screen().offline);
    assert!(
        matches!(
            h.next_request(),
            WorkerRequest::Journal(JournalRequest::Queue {
                action: Action::Borrow,
                ..
            })
        ),
        "the same loan, queued (the journal reconciles it with the unknown attempt)"
    );
    h.answer(queued_due());
    assert!(matches!(
        h.screen().items[0].result,
        ItemResult::Borrowed { offline: true, .. }
    ));
    // The link comes back: the next item goes to the ILS again.
    h.send(Event::LinkChanged(Link::Online));
    h.scan(&item(9));
    assert!(matches!(
        h.next_request(),
        WorkerRequest::Ils(IlsRequest::Checkout { .. })
    ));
    assert!(!h.screen().offline);
}

#[test]
fn a_journal_that_cannot_record_takes_the_machine_out_of_service() {
    let mut h = Harness::new(policy());
    sign_in_offline(&mut h);
    h.scan(&item(1));
    h.scan(&item(2));
    let fx = h.reply(Err(IlsError::Storage("the disk is full".into())));
    let screen = h.screen();
    assert_eq!(screen.page, Page::OutOfService);
    assert_eq!(
        screen.notice.map(|n| n.reason),
        Some(Reason::OutOfService {
            fault: "STORAGE".into()
        })
    );
    let refused: Vec<_> = outcomes(&fx).into_iter().map(|o| o.result).collect();
    assert_eq!(
        refused.len(),
        2,
        "both items told they were not taken: {refused:?}"
    );
    assert!(
        h.scan(CARD)
            .iter()
            .all(|e| !matches!(e, Effect::Ils { .. }))
    );
    assert_eq!(h.screen().page, Page::OutOfService);
}
