//! Finishing, receipts, goodbye, inactivity and language.

use super::*;

#[test]
fn done_then_print_gives_a_receipt_and_says_goodbye() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.borrow(&item(1));
    h.press(Button::Done);
    let screen = h.screen();
    assert_eq!(screen.page, Page::Receipt);
    assert_eq!(
        screen.receipt_choices,
        vec![
            ReceiptChoice::Print,
            ReceiptChoice::Email,
            ReceiptChoice::None
        ]
    );
    let fx = h.press(Button::PrintReceipt);
    let receipt = fx
        .iter()
        .find_map(|e| match e {
            Effect::Print { receipt } => Some(receipt.clone()),
            _ => None,
        })
        .expect("printed");
    assert_eq!(receipt.patron_name, "Li Hua");
    assert_eq!(receipt.lines.len(), 1);
    assert_eq!(receipt.lines[0].due, Some(due()));
    assert!(matches!(
        h.sent.last(),
        Some(WorkerRequest::Ils(IlsRequest::EndSession { .. }))
    ));
    let screen = h.screen();
    assert_eq!(screen.page, Page::Goodbye);
    let summary = screen.summary.unwrap();
    assert_eq!(
        (summary.borrowed, summary.receipt),
        (1, Some(ReceiptChoice::Print))
    );
    assert_eq!(screen.patron_name, None, "the reader is forgotten at once");
    h.advance(Duration::from_secs(5));
    assert_eq!(h.screen().page, Page::Idle);
}

#[test]
fn email_is_offered_only_when_possible_and_a_failure_is_told() {
    let mut h = Harness::new(Policy {
        email_receipts: false,
        ..policy()
    });
    h.sign_in();
    h.borrow(&item(1));
    h.press(Button::Done);
    assert_eq!(
        h.screen().receipt_choices,
        vec![ReceiptChoice::Print, ReceiptChoice::None]
    );

    let mut h = Harness::new(policy());
    h.sign_in();
    h.borrow(&item(1));
    h.press(Button::Done);
    h.press(Button::EmailReceipt);
    assert!(matches!(
        h.next_request(),
        WorkerRequest::Ils(IlsRequest::EmailReceipt { .. })
    ));
    h.answer(IlsAnswer::ReceiptEmailed(Err(refusal(Reason::IlsRefused))));
    let screen = h.screen();
    assert_eq!(screen.page, Page::Receipt);
    assert_eq!(h.notice(), Some(Reason::EmailFailed));
    assert_eq!(
        screen.receipt_choices,
        vec![ReceiptChoice::Print, ReceiptChoice::None]
    );
    h.press(Button::NoReceipt);
    assert_eq!(h.screen().page, Page::Goodbye);
}

#[test]
fn done_while_items_are_pending_waits_for_them() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.scan(&item(1));
    h.scan(&item(2));
    h.press(Button::Done);
    assert_eq!(h.screen().page, Page::Borrow);
    h.answer(IlsAnswer::Checkout(Ok(loan(&item(1)))));
    assert_eq!(h.screen().page, Page::Borrow);
    h.answer(IlsAnswer::Checkout(Ok(loan(&item(2)))));
    assert_eq!(h.screen().page, Page::Receipt);
}

#[test]
fn done_with_nothing_done_skips_the_receipt() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.press(Button::Done);
    assert_eq!(h.screen().page, Page::Goodbye);
}

#[test]
fn a_borrow_takes_two_touches_after_the_card() {
    // card → books on the pad → "done" → receipt choice.
    let mut h = Harness::new(policy());
    h.sign_in();
    h.borrow(&item(1));
    h.press(Button::Done);
    h.press(Button::NoReceipt);
    assert_eq!(h.screen().page, Page::Goodbye);
}

#[test]
fn inactivity_warns_with_a_countdown_then_clears_the_session() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.borrow(&item(1));
    let fx = h.advance(Duration::from_secs(44));
    assert_eq!(h.screen().timeout_warning, None);
    assert!(sounds(&fx).is_empty());
    let fx = h.advance(Duration::from_secs(1));
    assert_eq!(h.screen().timeout_warning, Some(15));
    assert_eq!(sounds(&fx), vec![Cue::Warning]);
    let fx = h.advance(Duration::from_secs(5));
    let countdown: Vec<u32> = screens(&fx)
        .iter()
        .filter_map(|s| s.timeout_warning)
        .collect();
    assert_eq!(countdown, vec![14, 13, 12, 11, 10]);
    assert!(sounds(&fx).is_empty(), "the warning sound plays once");

    // The reader touches the screen: the warning goes, the session stays.
    h.send(Event::Touched);
    assert_eq!(h.screen().timeout_warning, None);
    assert_eq!(h.screen().page, Page::Borrow);

    h.advance(Duration::from_secs(60));
    let screen = h.screen();
    assert_eq!(screen.page, Page::Idle);
    assert_eq!(screen.patron_name, None);
    assert!(matches!(
        h.sent.last(),
        Some(WorkerRequest::Ils(IlsRequest::EndSession { .. }))
    ));
}

#[test]
fn no_timeout_while_the_ils_is_answering() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.scan(&item(1));
    h.advance(Duration::from_secs(120));
    assert_eq!(h.screen().page, Page::Borrow);
    h.answer(IlsAnswer::Checkout(Ok(loan(&item(1)))));
    assert_eq!(
        h.screen().page,
        Page::Borrow,
        "the reader gets time to read the answer"
    );
    assert!(h.session.next_deadline().is_some());
}

#[test]
fn the_pin_page_times_out_too() {
    let mut h = Harness::new(policy());
    h.scan(CARD);
    h.advance(Duration::from_secs(61));
    assert_eq!(h.screen().page, Page::Idle);
    assert!(h.sent.is_empty(), "no session at the ILS to end");
}

#[test]
fn switching_language_keeps_the_session() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.borrow(&item(1));
    h.send(Event::Language(Language::ZhCn));
    let screen = h.screen();
    assert_eq!(screen.language, Language::ZhCn);
    assert_eq!(screen.page, Page::Borrow);
    assert_eq!(screen.items.len(), 1);
}

#[test]
fn the_account_page_shows_loans_holds_and_fines() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.press(Button::Account);
    assert!(h.screen().busy);
    let account = Account {
        status: patron_ok(),
        loans: vec![LoanLine {
            item: ItemId(item(1)),
            title: "三体".into(),
            due: due(),
            overdue: true,
        }],
        holds: vec![HoldLine {
            title: "Dream of the Red Chamber".into(),
            ready: true,
            pickup_by: None,
        }],
        fines: vec![FineLine {
            amount: Some(Money {
                minor: 250,
                currency: Currency::CNY,
            }),
            description: "Overdue".into(),
        }],
    };
    h.answer(IlsAnswer::Account(account.clone()));
    let screen = h.screen();
    assert_eq!(screen.page, Page::Account);
    assert_eq!(screen.account, Some(account));
    h.press(Button::Back);
    assert_eq!(h.screen().page, Page::Menu);
}

#[test]
fn account_failure_goes_back_to_the_menu_with_a_message() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.press(Button::Account);
    h.reply(Err(IlsError::LinkDown("reset".into())));
    assert_eq!(h.screen().page, Page::Menu);
    assert_eq!(h.notice(), Some(Reason::AccountOffline));
    assert!(h.screen().offline);
}

#[test]
fn the_next_reader_can_start_during_goodbye() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.press(Button::Done);
    assert_eq!(h.screen().page, Page::Goodbye);
    h.scan(&codabar("2023400000004"));
    assert_eq!(h.screen().page, Page::Pin);
}

#[test]
fn cancel_ends_the_session_without_a_receipt() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.borrow(&item(1));
    let fx = h.press(Button::Cancel);
    assert!(!fx.iter().any(|e| matches!(e, Effect::Print { .. })));
    assert_eq!(h.screen().page, Page::Goodbye);
}

#[test]
fn print_is_offered_only_while_the_printer_can_print() {
    let mut h = Harness::new(policy());
    h.send(Event::PrinterReady(false));
    assert_eq!(
        h.screen().service_notices,
        [ServiceNotice::NoPrintedReceipts],
        "every reader is told at the attract screen"
    );
    h.sign_in();
    h.borrow(&item(1));
    h.press(Button::Done);
    assert_eq!(
        h.screen().receipt_choices,
        [ReceiptChoice::Email, ReceiptChoice::None]
    );
    // A stale press of Print (a screen drawn before) prints nothing.
    let fx = h.press(Button::PrintReceipt);
    assert!(!fx.iter().any(|e| matches!(e, Effect::Print { .. })));
    h.press(Button::NoReceipt);

    // Staff loaded paper: the next reader gets Print again, and the notice is gone.
    h.send(Event::PrinterReady(true));
    assert!(h.screen().service_notices.is_empty());
    h.advance(Duration::from_secs(5));
    h.sign_in();
    h.borrow(&item(2));
    h.press(Button::Done);
    assert_eq!(h.screen().receipt_choices[0], ReceiptChoice::Print);
}

#[test]
fn a_receipt_that_did_not_print_is_told_and_print_is_not_offered_again() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.borrow(&item(1));
    h.press(Button::Done);
    h.press(Button::PrintReceipt);
    assert_eq!(h.screen().page, Page::Goodbye);
    let fx = h.send(Event::Printed { ok: false });
    assert_eq!(h.notice(), Some(Reason::ReceiptNotPrinted));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Sound { cue: Cue::Problem })),
        "the problem sound"
    );
    let screen = h.screen();
    assert_eq!(screen.page, Page::Goodbye, "the loan stands");
    assert_eq!(screen.summary.map(|s| s.borrowed), Some(1));
    assert_eq!(screen.service_notices, [ServiceNotice::NoPrintedReceipts]);

    h.advance(Duration::from_secs(5));
    h.sign_in();
    h.borrow(&item(2));
    h.press(Button::Done);
    assert!(!h.screen().receipt_choices.contains(&ReceiptChoice::Print));
}

#[test]
fn the_printers_checks_are_not_taken_for_the_reader() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.scan("not a barcode");
    let told = h.notice();
    assert!(told.is_some());
    h.advance(Duration::from_secs(40));
    // The kiosk's look at the printer finds the paper gone while the reader stands there.
    h.send(Event::PrinterReady(false));
    assert_eq!(h.notice(), told, "the reader's message stays");
    h.advance(Duration::from_secs(20));
    assert_eq!(
        h.screen().page,
        Page::Idle,
        "an absent reader's session is cleared on time"
    );

    // While the ILS is down and the library serves nobody offline, the printer is still
    // followed: the attract screen is right when the ILS is back.
    let mut h = Harness::new(Policy {
        offline: OfflinePolicy {
            mode: OfflineMode::Disabled,
            ..OfflinePolicy::default()
        },
        ..policy()
    });
    h.send(Event::LinkChanged(Link::Offline));
    assert_eq!(h.screen().page, Page::OutOfService);
    h.send(Event::PrinterReady(false));
    h.send(Event::LinkChanged(Link::Online));
    assert_eq!(
        h.screen().service_notices,
        [ServiceNotice::NoPrintedReceipts]
    );
}

#[test]
fn an_item_reader_lost_while_running_stops_the_machine_once_work_in_flight_is_done() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.scan(&item(1));
    // The reader stops answering while the ILS is lending the book: the loan finishes first.
    h.send(Event::ItemReaderReady(false));
    assert_eq!(h.screen().page, Page::Borrow);
    let fx = h.answer(IlsAnswer::Checkout(Ok(loan(&item(1)))));
    assert_eq!(records(&fx).len(), 1, "the loan the ILS made is recorded");
    let screen = h.screen();
    assert_eq!(screen.page, Page::OutOfService);
    assert_eq!(
        screen.notice.map(|n| n.reason),
        Some(Reason::OutOfService {
            fault: "RFID_READER".into()
        })
    );
    // The reader is told their loan stands, and the ILS that the session is over.
    assert_eq!(screen.summary.map(|s| s.borrowed), Some(1));
    assert!(matches!(
        h.sent.last(),
        Some(WorkerRequest::Ils(IlsRequest::EndSession { .. }))
    ));
    h.advance(Duration::from_secs(10));
    assert_eq!(h.screen().summary, None, "gone when they have had time");
    h.scan(CARD);
    assert_eq!(h.screen().page, Page::OutOfService, "nobody is served");

    // It answers again: back to the attract screen by itself.
    h.send(Event::ItemReaderReady(true));
    assert_eq!(h.screen().page, Page::Idle);
    assert_eq!(h.notice(), None);
    h.scan(CARD);
    assert_eq!(h.screen().page, Page::Pin);
}

#[test]
fn a_reader_coming_back_does_not_lift_another_fault() {
    let mut h = Harness::new(policy());
    h.session.fail_self_test("STORAGE", "disk full");
    h.send(Event::ItemReaderReady(false));
    h.send(Event::ItemReaderReady(true));
    assert_eq!(h.screen().page, Page::OutOfService);
    assert_eq!(
        h.notice(),
        Some(Reason::OutOfService {
            fault: "STORAGE".into()
        })
    );
}

#[test]
fn without_the_card_reader_readers_are_asked_for_their_cards_barcode() {
    let mut h = Harness::new(policy());
    h.send(Event::CardReaderReady(false));
    assert_eq!(h.screen().service_notices, [ServiceNotice::NoCardReader]);
    h.sign_in();
    h.press(Button::Cancel);
    h.send(Event::CardReaderReady(true));
    h.advance(Duration::from_secs(10));
    assert!(h.screen().service_notices.is_empty());

    let mut h = Harness::new(policy());
    h.session.start_without_card_reader();
    assert_eq!(h.session.start()[..].len(), 1, "shown at once");
    assert_eq!(h.screen().service_notices, [ServiceNotice::NoCardReader]);
}

#[test]
fn without_the_scanner_readers_are_sent_to_the_card_reader_and_the_pad() {
    let mut h = Harness::new(policy());
    h.send(Event::ScannerReady(false));
    assert_eq!(h.screen().service_notices, [ServiceNotice::NoScanner]);
    h.send(Event::ScannerReady(true));
    assert!(h.screen().service_notices.is_empty());
    h.session.start_without_scanner();
    h.send(Event::Tick);
    assert_eq!(h.screen().service_notices, [ServiceNotice::NoScanner]);
}

#[test]
fn while_out_of_service_the_link_and_the_printer_are_still_followed() {
    let mut h = Harness::new(policy());
    h.send(Event::ItemReaderReady(false));
    assert_eq!(h.screen().page, Page::OutOfService);
    h.send(Event::LinkChanged(Link::Offline));
    h.send(Event::PrinterReady(false));
    h.send(Event::ItemReaderReady(true));
    let screen = h.screen();
    assert_eq!(screen.page, Page::Idle);
    assert!(screen.offline, "the link went down meanwhile");
    assert_eq!(screen.service_notices, [ServiceNotice::NoPrintedReceipts]);
}
