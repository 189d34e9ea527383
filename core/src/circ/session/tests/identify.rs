//! Identifying the reader: card, PIN, lockout, and cards confused with items.

use super::*;

#[test]
fn card_then_pin_asks_the_ils_with_the_pin() {
    let mut h = Harness::new(policy());
    let fx = h.scan(CARD);
    assert_eq!(h.screen().page, Page::Pin);
    assert!(h.pending.is_empty(), "no ILS request before the PIN");
    assert_eq!(screens(&fx).len(), 1);
    h.pin(PIN);
    assert_eq!(h.screen().page, Page::Checking);
    assert!(h.screen().busy);
    match h.next_request() {
        WorkerRequest::Ils(IlsRequest::PatronStatus { patron, pin }) => {
            assert_eq!(patron.0, CARD);
            assert_eq!(pin.as_ref().map(Pin::expose), Some(PIN));
        }
        other => panic!("unexpected {other:?}"),
    }
    let fx = h.answer(IlsAnswer::Patron(patron_ok()));
    assert_eq!(sounds(&fx), vec![Cue::Success]);
    let screen = h.screen();
    assert_eq!(screen.page, Page::Menu);
    assert_eq!(screen.patron_name.as_deref(), Some("Li Hua"));
}

#[test]
fn the_pin_never_appears_in_what_the_session_emits() {
    let mut h = Harness::new(policy());
    let mut all = h.scan(CARD);
    all.extend(h.pin(PIN));
    all.extend(h.answer(IlsAnswer::Patron(patron_ok())));
    all.extend(h.press(Button::Account));
    let json = serde_json::to_string(&all).unwrap();
    assert!(
        json.contains("patron_status"),
        "requests are printed: {json}"
    );
    assert!(!json.contains(PIN), "PIN leaked: {json}");
    assert!(!format!("{all:?}").contains(PIN), "PIN leaked into Debug");
}

#[test]
fn without_a_pin_policy_the_card_goes_straight_to_the_ils() {
    let mut h = Harness::new(Policy {
        pin_required: false,
        ..policy()
    });
    h.scan(CARD);
    assert_eq!(h.screen().page, Page::Checking);
    assert!(matches!(
        h.next_request(),
        WorkerRequest::Ils(IlsRequest::PatronStatus { pin: None, .. })
    ));
    h.answer(IlsAnswer::Patron(PatronStatus {
        pin_ok: None,
        ..patron_ok()
    }));
    assert_eq!(h.screen().page, Page::Menu);
}

#[test]
fn unknown_card_is_told_on_the_attract_screen_and_fades() {
    let mut h = Harness::new(policy());
    h.scan(CARD);
    h.pin(PIN);
    let fx = h.answer(IlsAnswer::Patron(PatronStatus {
        valid: false,
        screen_message: Some("Patron not found".into()),
        ..patron_ok()
    }));
    assert_eq!(sounds(&fx), vec![Cue::Problem]);
    let screen = h.screen();
    assert_eq!(screen.page, Page::Idle);
    let notice = screen.notice.expect("a notice");
    assert_eq!(notice.reason, Reason::UnknownPatron);
    assert_eq!(notice.screen_message.as_deref(), Some("Patron not found"));
    h.advance(Duration::from_secs(6));
    assert_eq!(
        h.notice(),
        None,
        "the message fades after the goodbye pause"
    );
}

#[test]
fn three_wrong_pins_lock_the_card_for_the_configured_time() {
    let mut h = Harness::new(Policy {
        pin_lockout: Duration::from_secs(10 * 60),
        ..policy()
    });
    let wrong = || {
        IlsAnswer::Patron(PatronStatus {
            pin_ok: Some(false),
            ..patron_ok()
        })
    };
    h.scan(CARD);
    h.pin("0000");
    h.answer(wrong());
    assert_eq!(h.screen().page, Page::Pin);
    assert_eq!(h.notice(), Some(Reason::WrongPin { tries_left: 2 }));
    h.pin("1111");
    h.answer(wrong());
    assert_eq!(h.notice(), Some(Reason::WrongPin { tries_left: 1 }));
    h.pin("2222");
    h.answer(wrong());
    assert_eq!(h.screen().page, Page::Idle);
    assert_eq!(h.notice(), Some(Reason::CardLocked { minutes_left: 10 }));

    // Presented again while locked: refused here, without asking the ILS.
    h.advance(Duration::from_secs(4 * 60));
    h.scan(CARD);
    assert_eq!(h.screen().page, Page::Idle);
    assert_eq!(h.notice(), Some(Reason::CardLocked { minutes_left: 6 }));
    assert!(h.pending.is_empty());

    // Another card is not affected.
    h.scan(&codabar("2023400000001"));
    assert_eq!(h.screen().page, Page::Pin);
    h.press(Button::Cancel);

    // After the lock: a fresh set of tries.
    h.advance(Duration::from_secs(6 * 60));
    h.scan(CARD);
    assert_eq!(h.screen().page, Page::Pin);
    h.pin("3333");
    h.answer(wrong());
    assert_eq!(h.notice(), Some(Reason::WrongPin { tries_left: 2 }));
}

#[test]
fn a_right_pin_clears_the_wrong_ones() {
    let mut h = Harness::new(policy());
    h.scan(CARD);
    h.pin("0000");
    h.answer(IlsAnswer::Patron(PatronStatus {
        pin_ok: Some(false),
        ..patron_ok()
    }));
    h.pin(PIN);
    h.answer(IlsAnswer::Patron(patron_ok()));
    h.press(Button::Cancel);
    h.advance(Duration::from_secs(10));
    for attempt in 0..2 {
        h.scan(CARD);
        h.pin("9999");
        h.answer(IlsAnswer::Patron(PatronStatus {
            pin_ok: Some(false),
            ..patron_ok()
        }));
        assert_eq!(
            h.notice(),
            Some(Reason::WrongPin {
                tries_left: 2 - attempt
            })
        );
        h.press(Button::Cancel);
    }
}

#[test]
fn an_item_at_card_login_is_answered_with_a_message() {
    let mut h = Harness::new(Policy {
        returns_without_card: false,
        ..policy()
    });
    let fx = h.scan(&item(1));
    assert_eq!(h.screen().page, Page::Idle);
    assert_eq!(h.notice(), Some(Reason::ItemNotCard));
    assert_eq!(sounds(&fx), vec![Cue::Problem]);
    h.scan(CARD);
    h.scan(&item(1));
    assert_eq!(h.screen().page, Page::Pin);
    assert_eq!(h.notice(), Some(Reason::ItemNotCard));
    assert!(h.pending.is_empty());
}

#[test]
fn a_misread_card_and_junk_change_nothing() {
    let mut h = Harness::new(policy());
    h.scan("20234000517864");
    assert_eq!(h.notice(), Some(Reason::Misread));
    h.scan("2023|AOfake");
    assert!(matches!(h.notice(), Some(Reason::BadBarcode { .. })));
    h.scan("\r\n");
    assert!(matches!(h.notice(), Some(Reason::BadBarcode { .. })));
    assert_eq!(h.screen().page, Page::Idle);
    assert!(h.sent.is_empty());
}

#[test]
fn an_rfid_card_uid_becomes_the_patron_id() {
    let mut h = Harness::new(Policy {
        card_uid_format: CardUidFormat::HexUpperReversed,
        ..policy()
    });
    h.send(Event::CardUid(vec![0x04, 0xA1, 0xB2, 0xC3]));
    h.pin(PIN);
    match h.next_request() {
        WorkerRequest::Ils(IlsRequest::PatronStatus { patron, .. }) => {
            assert_eq!(patron.0, "C3B2A104")
        }
        other => panic!("unexpected {other:?}"),
    }
    h.send(Event::IlsReplied(
        RequestId(99),
        Ok(IlsAnswer::SessionEnded),
    ));
    assert_eq!(
        h.screen().page,
        Page::Checking,
        "a stray reply changes nothing"
    );
}

#[test]
fn a_blocked_patron_signs_in_and_is_told_why_borrowing_is_refused() {
    let mut h = Harness::new(policy());
    h.scan(CARD);
    h.pin(PIN);
    h.answer(IlsAnswer::Patron(PatronStatus {
        blocks: vec![Block::TooManyItemsOverdue, Block::ExcessiveOutstandingFines],
        ..patron_ok()
    }));
    assert_eq!(h.screen().page, Page::Menu);
    assert_eq!(
        h.notice(),
        Some(Reason::PatronBlocked {
            block: Block::ExcessiveOutstandingFines
        })
    );
}

#[test]
fn ils_down_at_sign_in_says_so_when_offline_lending_is_off() {
    let mut h = Harness::new(Policy {
        offline: OfflinePolicy {
            mode: OfflineMode::Disabled,
            max_items: 5,
        },
        ..policy()
    });
    h.scan(CARD);
    h.pin(PIN);
    h.reply(Err(IlsError::LinkDown("connection refused".into())));
    // Back at the start, which says the machine cannot serve until the ILS answers.
    assert_eq!(h.screen().page, Page::OutOfService);
    assert_eq!(
        h.notice(),
        Some(Reason::OutOfService {
            fault: "ILS".into()
        })
    );
}

#[test]
fn another_card_at_the_pin_page_starts_over_with_that_card() {
    let mut h = Harness::new(policy());
    h.scan(CARD);
    let other = codabar("2023400000002");
    h.scan(&other);
    h.pin(PIN);
    match h.next_request() {
        WorkerRequest::Ils(IlsRequest::PatronStatus { patron, .. }) => assert_eq!(patron.0, other),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_kiosk_that_takes_no_returns_never_offers_them() {
    // Koha's REST API with no SIP2 route for returns: the menu has no Return, a book at the
    // attract screen asks for a card, and a Return press (a stale screen) explains.
    let mut h = Harness::new(Policy {
        returns: false,
        returns_without_card: false,
        ..policy()
    });
    h.scan(&item(1));
    assert_eq!(h.notice(), Some(Reason::ItemNotCard));
    h.sign_in();
    assert_eq!(h.screen().page, Page::Menu);
    assert!(!h.screen().returns_offered);
    h.press(Button::Return);
    assert_eq!(h.screen().page, Page::Menu);
    assert_eq!(h.notice(), Some(Reason::ReturnsNotHere));
    h.press(Button::Borrow);
    assert_eq!(h.screen().page, Page::Borrow);
}
