//! A visit's figures for the statistics: sent once, whichever way the visit ends.

use super::*;
use crate::circ::visit_stats::VisitRecord;

fn visits(h: &Harness) -> Vec<VisitRecord> {
    h.visits.clone()
}

#[test]
fn a_finished_visit_is_counted_once_with_its_items_taps_and_time() {
    let mut h = Harness::new(policy());
    h.sign_in();
    h.advance(Duration::from_secs(20));
    h.borrow(&item(1));
    h.scan(&item(2));
    h.advance(Duration::from_secs(2));
    h.answer(IlsAnswer::Checkout(Err(refusal(Reason::NotForLoan))));
    h.press(Button::Done);
    h.press(Button::NoReceipt);
    assert_eq!(h.screen().page, Page::Goodbye);
    // The goodbye screen's end is not a second visit.
    h.advance(Duration::from_secs(10));
    assert_eq!(h.screen().page, Page::Idle);
    let sent = visits(&h);
    assert_eq!(sent.len(), 1, "{sent:?}");
    let visit = &sent[0];
    assert_eq!((visit.kind, visit.items), ("borrow", 2));
    assert!(visit.duration_secs >= 22, "{visit:?}");
    // The second book waited 2 s for the library's answer.
    assert_eq!(visit.item_ms.len(), 2);
    assert!(visit.item_ms.contains(&2000), "{visit:?}");
    // Borrow, Done, No receipt (and the PIN's OK when signing in asks for one).
    assert!(visit.touches >= 3, "{visit:?}");
}

#[test]
fn a_visit_that_times_out_is_counted_too_and_an_idle_machine_counts_nothing() {
    let mut h = Harness::new(policy());
    h.advance(Duration::from_secs(600));
    assert!(visits(&h).is_empty(), "nobody came");
    h.sign_in();
    h.advance(Duration::from_secs(600));
    assert_eq!(h.screen().page, Page::Idle);
    let sent = visits(&h);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!((sent[0].kind, sent[0].items), ("account", 0));
}
