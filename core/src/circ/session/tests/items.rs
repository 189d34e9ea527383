//! The item loop: order, duplicates, limits, refusals, returns and renewals.

use super::*;

fn tag(n: u32) -> Event {
    Event::ItemTag {
        tags: vec![TagUid(format!("E00401000000{n:04X}"))],
        item: ItemId(item(n)),
        offline_use: OfflineUse::default(),
        set: SetCheck::Complete,
    }
}

#[test]
fn a_stack_of_tagged_books_goes_to_the_ils_one_at_a_time_in_order() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.press(Button::Borrow);
    for n in 1..=3 {
        h.send(tag(n));
    }
    assert_eq!(h.pending.len(), 1, "one request in flight");
    let screen = h.screen();
    assert_eq!(screen.page, Page::Borrow);
    assert_eq!(screen.items.len(), 3);
    assert!(screen.items.iter().all(|o| o.result == ItemResult::Pending));
    for n in 1..=3 {
        let code = item(n);
        match h.next_request() {
            WorkerRequest::Ils(IlsRequest::Checkout { item, patron, .. }) => {
                assert_eq!(item.0, code);
                assert_eq!(patron.0, CARD);
            }
            other => panic!("unexpected {other:?}"),
        }
        let mut fx = h.answer(IlsAnswer::Checkout(Ok(loan(&code))));
        assert!(
            outcomes(&fx).is_empty(),
            "not told before the tag is released"
        );
        fx.extend(h.send(Event::SecurityDone {
            item: ItemId(code.clone()),
            tags: vec![TagUid(format!("E00401000000{n:04X}"))],
            state: Security::OnLoan,
            ok: true,
        }));
        // Reported recorded (the journal has it: see the runtime test) before the tag changes,
        // and both before the reader is told.
        let kinds: Vec<&str> = fx
            .iter()
            .map(|e| match e {
                Effect::Recorded { .. } => "record",
                Effect::SetSecurity { .. } => "security",
                Effect::Outcome { .. } => "outcome",
                Effect::Sound { .. } => "sound",
                Effect::Ils { .. } => "ils",
                Effect::Show { .. } => "show",
                Effect::Print { .. } => "print",
                Effect::ReturnSlot { .. } => "return_slot",
                Effect::Speak { .. } | Effect::Hush => "voice",
            })
            .filter(|kind| !matches!(*kind, "ils" | "show" | "voice"))
            .collect();
        let expected_start = ["record", "security", "outcome", "sound"];
        assert_eq!(&kinds[..4], &expected_start, "effects in order: {kinds:?}");
        assert!(fx.contains(&Effect::SetSecurity {
            item: ItemId(code.clone()),
            tags: vec![TagUid(format!("E00401000000{n:04X}"))],
            state: Security::OnLoan
        }));
    }
    let screen = h.screen();
    assert!(
        screen
            .items
            .iter()
            .all(|o| matches!(o.result, ItemResult::Borrowed { .. }))
    );
    assert_eq!(
        screen.items[0].title.as_deref(),
        Some(format!("Title of {}", item(1)).as_str())
    );
}

#[test]
fn every_refusal_reason_reaches_its_item_with_the_ils_message() {
    let reasons = [
        Reason::OnHoldForAnother,
        Reason::NotForLoan,
        Reason::UnknownItem,
        Reason::OnLoanToAnother,
        Reason::TooManyItems,
        Reason::PatronBlocked {
            block: Block::CardExpired,
        },
        Reason::AlreadyOnLoanToYou,
    ];
    let mut h = Harness::new(Policy {
        max_items_per_session: 50,
        ..policy()
    });
    h.sign_in();
    h.press(Button::Borrow);
    for (n, reason) in reasons.iter().enumerate() {
        let code = item(n as u32 + 10);
        h.scan(&code);
        let fx = h.answer(IlsAnswer::Checkout(Err(Refusal {
            title: Some("Refused title".into()),
            ..Refusal::with_message(reason.clone(), format!("ILS says no to {code}"))
        })));
        let outcome = outcomes(&fx).pop().expect("an outcome");
        assert_eq!(
            outcome.result,
            ItemResult::Refused {
                reason: reason.clone()
            }
        );
        assert_eq!(
            outcome.screen_message,
            Some(format!("ILS says no to {code}"))
        );
        assert_eq!(outcome.title.as_deref(), Some("Refused title"));
        assert_eq!(sounds(&fx), vec![Cue::Problem]);
        assert!(records(&fx).is_empty(), "nothing recorded for a refusal");
    }
    assert_eq!(h.screen().items.len(), reasons.len());
}

#[test]
fn the_same_item_twice_is_ignored_and_never_borrowed_twice() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.press(Button::Borrow);
    let code = item(1);
    h.scan(&code);
    assert!(
        h.scan(&code).is_empty(),
        "double scan while pending ignored"
    );
    h.answer(IlsAnswer::Checkout(Ok(loan(&code))));
    h.advance(Duration::from_secs(2));
    assert!(outcomes(&h.scan(&code)).is_empty(), "within the window");
    h.advance(Duration::from_secs(30));
    assert!(
        outcomes(&h.scan(&code)).is_empty(),
        "already borrowed in this session"
    );
    assert!(h.pending.is_empty());
    let checkouts = h
        .sent
        .iter()
        .filter(|r| matches!(r, WorkerRequest::Ils(IlsRequest::Checkout { .. })))
        .count();
    assert_eq!(checkouts, 1);
}

#[test]
fn a_refused_item_can_be_tried_again_after_the_window() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.press(Button::Borrow);
    let code = item(2);
    h.scan(&code);
    h.reply(Err(IlsError::BadReply("garbled".into())));
    assert_eq!(
        h.screen().items[0].result,
        ItemResult::Refused {
            reason: Reason::IlsUnavailable
        }
    );
    h.scan(&code);
    assert!(h.pending.is_empty(), "within the duplicate window");
    h.advance(Duration::from_secs(6));
    h.scan(&code);
    h.answer(IlsAnswer::Checkout(Ok(loan(&code))));
    let screen = h.screen();
    assert_eq!(
        screen.items.len(),
        1,
        "the retried item replaces its refused line"
    );
    assert!(matches!(
        screen.items[0].result,
        ItemResult::Borrowed { .. }
    ));
}

#[test]
fn the_session_item_limit_refuses_without_asking_the_ils() {
    let mut h = Harness::new(Policy {
        max_items_per_session: 2,
        ..policy()
    });
    h.sign_in();
    h.borrow(&item(1));
    h.borrow(&item(2));
    let fx = h.scan(&item(3));
    assert!(h.pending.is_empty());
    let outcome = outcomes(&fx).pop().unwrap();
    assert_eq!(
        outcome.result,
        ItemResult::Refused {
            reason: Reason::SessionLimit { limit: 2 }
        }
    );
    assert_eq!(sounds(&fx), vec![Cue::Problem]);
}

#[test]
fn placing_a_book_on_the_menu_starts_borrowing() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.scan(&item(4));
    assert_eq!(h.screen().page, Page::Borrow);
    assert!(matches!(
        h.next_request(),
        WorkerRequest::Ils(IlsRequest::Checkout { .. })
    ));
}

#[test]
fn a_card_in_the_item_loop_is_answered_not_borrowed() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.press(Button::Borrow);
    h.scan(CARD);
    assert_eq!(h.notice(), Some(Reason::CardNotItem));
    h.scan(&codabar("2023400000003"));
    assert_eq!(h.notice(), Some(Reason::OtherPatronCard));
    assert!(h.pending.is_empty());
    assert_eq!(h.screen().page, Page::Borrow);
    // The reader's own RFID card lying on the card reader is not a mistake.
    let mut h = Harness::new(Policy {
        card_uid_format: CardUidFormat::HexUpper,
        ..policy()
    });
    h.send(Event::CardUid(vec![0x12, 0x34, 0x56, 0x78]));
    h.pin(PIN);
    h.answer(IlsAnswer::Patron(patron_ok()));
    h.press(Button::Borrow);
    let fx = h.send(Event::CardUid(vec![0x12, 0x34, 0x56, 0x78]));
    assert!(sounds(&fx).is_empty());
    assert_eq!(h.notice(), None);
}

#[test]
fn ambiguous_barcodes_follow_the_page() {
    let mut h = Harness::new(Policy {
        barcodes: BarcodeRules::default(),
        ..policy()
    });
    h.scan("A123");
    assert_eq!(
        h.screen().page,
        Page::Pin,
        "at the attract screen it is a card"
    );
    h.pin(PIN);
    h.answer(IlsAnswer::Patron(patron_ok()));
    h.press(Button::Borrow);
    h.scan("B456");
    assert!(
        matches!(h.next_request(), WorkerRequest::Ils(IlsRequest::Checkout { item, .. }) if item.0 == "B456")
    );
}

#[test]
fn returns_signed_in_reset_the_tag_and_route_held_items() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.press(Button::Return);
    h.send(tag(7));
    assert!(matches!(
        h.next_request(),
        WorkerRequest::Ils(IlsRequest::Checkin { .. })
    ));
    let fx = h.answer(IlsAnswer::Checkin(Ok(Return {
        route: ReturnRoute::HoldShelf,
        ..returned(&item(7))
    })));
    assert!(fx.contains(&Effect::SetSecurity {
        item: ItemId(item(7)),
        tags: vec![TagUid("E004010000000007".into())],
        state: Security::InLibrary
    }));
    let record = records(&fx).pop().unwrap();
    assert_eq!(record.action, Action::Return);
    assert_eq!(record.patron, Some(PatronId(CARD.into())));
    assert_eq!(
        h.screen().items[0].result,
        ItemResult::Returned {
            route: ReturnRoute::HoldShelf
        }
    );
}

#[test]
fn returns_without_a_card_need_no_touch_and_end_by_themselves() {
    let mut h = Harness::new(policy());
    h.scan(&item(5));
    h.scan(&item(6));
    assert_eq!(h.screen().page, Page::Return);
    h.answer(IlsAnswer::Checkin(Ok(returned(&item(5)))));
    h.answer(IlsAnswer::Checkin(Err(refusal(Reason::NotOnLoan))));
    let screen = h.screen();
    assert!(matches!(
        screen.items[0].result,
        ItemResult::Returned { .. }
    ));
    assert_eq!(
        screen.items[1].result,
        ItemResult::Refused {
            reason: Reason::NotOnLoan
        }
    );
    assert_eq!(screen.timeout_warning, None);
    let fx = h.advance(Duration::from_secs(11));
    assert_eq!(h.screen().page, Page::Idle);
    assert!(
        h.screen().items.is_empty(),
        "nothing of the last reader stays on screen"
    );
    assert!(records(&fx).is_empty());
    assert!(
        !h.sent
            .iter()
            .any(|r| matches!(r, WorkerRequest::Ils(IlsRequest::EndSession { .. })))
    );
}

#[test]
fn a_card_after_cardless_returns_signs_in_once_they_are_done() {
    let mut h = Harness::new(policy());
    h.scan(&item(5));
    h.scan(CARD);
    assert_eq!(h.screen().page, Page::Return, "the return finishes first");
    h.answer(IlsAnswer::Checkin(Ok(returned(&item(5)))));
    assert_eq!(h.screen().page, Page::Pin);
}

#[test]
fn returns_can_be_switched_off() {
    let mut h = Harness::new(Policy {
        returns_without_card: false,
        ..policy()
    });
    h.scan(&item(5));
    assert_eq!(h.screen().page, Page::Idle);
    assert!(h.sent.is_empty());
}

pub(super) fn account_with_loans(codes: &[String]) -> Account {
    Account {
        status: patron_ok(),
        loans: codes
            .iter()
            .map(|c| LoanLine {
                item: ItemId(c.clone()),
                title: format!("Title of {c}"),
                due: due(),
                overdue: false,
            })
            .collect(),
        holds: Vec::new(),
        fines: Vec::new(),
    }
}

#[test]
fn renew_selected_loans_with_reasons_and_a_fresh_list() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.press(Button::Renew);
    assert!(matches!(
        h.next_request(),
        WorkerRequest::Ils(IlsRequest::Account { .. })
    ));
    let codes = [item(1), item(2)];
    h.answer(IlsAnswer::Account(account_with_loans(&codes)));
    let screen = h.screen();
    assert_eq!(screen.page, Page::Renew);
    assert_eq!(screen.account.as_ref().map(|a| a.loans.len()), Some(2));

    h.send(Event::RenewItems(vec![
        ItemId(codes[0].clone()),
        ItemId(codes[1].clone()),
    ]));
    assert!(
        matches!(h.next_request(), WorkerRequest::Ils(IlsRequest::Renew { item, .. }) if item.0 == codes[0])
    );
    let fx = h.answer(IlsAnswer::Renew(Ok(loan(&codes[0]))));
    assert_eq!(records(&fx)[0].action, Action::Renew);
    h.answer(IlsAnswer::Renew(Err(refusal(Reason::RenewalOnHold))));
    // Due dates changed: the loan list is asked for again.
    assert!(matches!(
        h.next_request(),
        WorkerRequest::Ils(IlsRequest::Account { .. })
    ));
    h.answer(IlsAnswer::Account(account_with_loans(&codes)));
    let screen = h.screen();
    assert!(matches!(
        screen.items[0].result,
        ItemResult::Renewed { due: Some(_) }
    ));
    assert_eq!(
        screen.items[1].result,
        ItemResult::Refused {
            reason: Reason::RenewalOnHold
        }
    );
}

#[test]
fn renew_all_reports_each_item() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.press(Button::Renew);
    let codes = [item(1), item(2)];
    h.answer(IlsAnswer::Account(account_with_loans(&codes)));
    h.press(Button::RenewAll);
    assert!(matches!(
        h.next_request(),
        WorkerRequest::Ils(IlsRequest::RenewAll { .. })
    ));
    let fx = h.answer(IlsAnswer::RenewAll(Ok(RenewAllResult {
        renewed: vec![ItemId(codes[0].clone())],
        unrenewed: vec![ItemId(codes[1].clone())],
        screen_message: Some("1 item could not be renewed".into()),
    })));
    assert_eq!(records(&fx).len(), 1);
    let screen = h.screen();
    assert_eq!(screen.items.len(), 2);
    assert_eq!(
        screen.items[1].title.as_deref(),
        Some(format!("Title of {}", codes[1]).as_str())
    );
    assert_eq!(
        screen.notice.and_then(|n| n.screen_message).as_deref(),
        Some("1 item could not be renewed")
    );
}

#[test]
fn a_tag_with_an_unusable_item_id_is_refused_before_the_ils() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.press(Button::Borrow);
    h.send(Event::ItemTag {
        tags: vec![TagUid("E004010000000001".into())],
        item: ItemId("3023|AZ0000".into()),
        offline_use: OfflineUse::default(),
        set: SetCheck::Complete,
    });
    assert!(matches!(h.notice(), Some(Reason::BadBarcode { .. })));
    assert!(h.pending.is_empty());
}
