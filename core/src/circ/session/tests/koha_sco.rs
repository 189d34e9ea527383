//! What Koha's web self-checkout is known to get wrong about a reader walking away, checked
//! here: its inactivity timeout did not end the session while the receipt choice was open, and
//! leaving some pages left the reader's name, items or account for the next person to see.

use super::items::account_with_loans;
use super::*;

/// Nothing of the reader is left on the screen.
fn nothing_of_the_reader(screen: &Screen) {
    assert_eq!(screen.patron_name, None, "{:?}", screen.page);
    assert!(
        screen.items.is_empty(),
        "{:?}: {:?}",
        screen.page,
        screen.items
    );
    assert_eq!(screen.account, None, "{:?}", screen.page);
    assert!(screen.receipt_choices.is_empty(), "{:?}", screen.page);
    assert_eq!(screen.suggest, None, "{:?}", screen.page);
    assert_eq!(screen.notice, None, "{:?}", screen.page);
}

fn printed(fx: &[Effect]) -> bool {
    fx.iter().any(|e| matches!(e, Effect::Print { .. }))
}

fn ended_at_the_ils(h: &Harness) -> bool {
    h.sent.iter().any(
        |r| matches!(r, WorkerRequest::Ils(IlsRequest::EndSession { patron }) if patron.0 == CARD),
    )
}

#[test]
fn the_inactivity_timeout_ends_the_session_while_the_receipt_choice_is_open() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.borrow(&item(1));
    h.press(Button::Done);
    assert_eq!(h.screen().page, Page::Receipt);
    // The reader walks off without choosing: warned, then cleared; no receipt is printed for
    // someone who is not there, and the ILS hears the session ended.
    let fx = h.advance(Duration::from_secs(46));
    assert!(h.screen().timeout_warning.is_some());
    let mut fx_all = fx;
    fx_all.extend(h.advance(Duration::from_secs(30)));
    assert!(!printed(&fx_all), "no receipt for nobody");
    let screen = h.screen();
    assert!(
        matches!(screen.page, Page::Idle | Page::Goodbye),
        "{:?}",
        screen.page
    );
    nothing_of_the_reader(&screen);
    assert!(ended_at_the_ils(&h));
    h.advance(Duration::from_secs(10));
    assert_eq!(h.screen().page, Page::Idle);
    // The loan stands: it was told and recorded; only the receipt was not chosen.
    assert!(
        h.sent
            .iter()
            .any(|r| matches!(r, WorkerRequest::Ils(IlsRequest::Checkout { .. })))
    );
}

/// How a signed-in reader reaches a page.
type GoTo = fn(&mut Harness);

#[test]
fn leaving_any_page_by_cancel_or_by_walking_away_leaves_nothing_of_the_reader() {
    // Each page a signed-in reader can be on, and how they got there.
    let pages: [(&str, GoTo); 5] = [
        ("menu", |_| {}),
        ("borrow, with a book", |h| {
            h.press(Button::Borrow);
            h.borrow(&item(1));
        }),
        ("account", |h| {
            h.press(Button::Account);
            h.answer(IlsAnswer::Account(account_with_loans(&[item(1), item(2)])));
        }),
        ("renew", |h| {
            h.press(Button::Renew);
            h.answer(IlsAnswer::Account(account_with_loans(&[item(1)])));
        }),
        ("suggestions", |h| {
            h.press(Button::Suggest);
        }),
    ];
    for (name, go) in pages {
        for walk_away in [false, true] {
            let mut h = Harness::new(policy());
            h.sign_in();
            go(&mut h);
            let on = h.screen();
            assert!(on.patron_name.is_some(), "{name}: signed in");
            if walk_away {
                h.advance(Duration::from_secs(120));
            } else {
                h.press(Button::Cancel);
                h.advance(Duration::from_secs(10));
            }
            let screen = h.screen();
            assert_eq!(screen.page, Page::Idle, "{name}, walked away: {walk_away}");
            nothing_of_the_reader(&screen);
            assert!(ended_at_the_ils(&h), "{name}: the session ended at the ILS");

            // The next reader starts with nothing of the last one.
            h.sign_in();
            let next = h.screen();
            assert!(next.items.is_empty() && next.account.is_none(), "{name}");
            h.press(Button::Borrow);
            assert!(
                h.screen().items.is_empty(),
                "{name}: the borrow list is fresh"
            );
        }
    }
}
