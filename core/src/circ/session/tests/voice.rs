//! Spoken prompts: which clip each step says, refusals over prompts, silence as the reader
//! moves on to a page with nothing to say.

use super::*;

fn spoken(fx: &[Effect]) -> Vec<String> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Speak { clip, language } => Some(format!("{language:?}:{clip}")),
            Effect::Hush => Some("hush".into()),
            _ => None,
        })
        .collect()
}

#[test]
fn each_step_says_its_prompt_in_the_readers_language_and_a_refusal_says_why() {
    let mut h = Harness::new(policy());
    assert_eq!(
        spoken(&h.send(Event::Language(Language::ZhCn))),
        ["ZhCn:show_card"]
    );
    assert_eq!(spoken(&h.scan(CARD)), ["ZhCn:enter_pin"]);
    // Waiting for the ILS says nothing and cuts the PIN prompt short.
    assert_eq!(spoken(&h.pin(PIN)), ["hush"]);
    assert_eq!(
        spoken(&h.answer(IlsAnswer::Patron(patron_ok()))),
        ["ZhCn:choose_service"]
    );
    assert_eq!(
        spoken(&h.send(Event::Language(Language::En))),
        ["En:choose_service"]
    );
    assert_eq!(spoken(&h.press(Button::Borrow)), ["En:place_books"]);
    // A lent book has its sound; the voice does not repeat the page.
    assert!(spoken(&h.borrow(&item(1))).is_empty());
    h.scan(&item(2));
    let fx = h.answer(IlsAnswer::Checkout(Err(refusal(Reason::OnHoldForAnother))));
    assert_eq!(spoken(&fx), ["En:on_hold_for_another"]);
    assert_eq!(spoken(&h.press(Button::Done)), ["En:choose_receipt"]);
    let fx = h.press(Button::NoReceipt);
    assert!(
        spoken(&fx).ends_with(&["En:goodbye".to_owned()]),
        "{:?}",
        spoken(&fx)
    );
}

#[test]
fn a_wrong_pin_and_the_inactivity_warning_are_said() {
    let mut h = Harness::new(policy());
    h.scan(CARD);
    h.pin("0000");
    let wrong = PatronStatus {
        pin_ok: Some(false),
        ..patron_ok()
    };
    assert_eq!(
        spoken(&h.answer(IlsAnswer::Patron(wrong))),
        ["En:wrong_pin"]
    );
    h.pin(PIN);
    h.answer(IlsAnswer::Patron(patron_ok()));
    let timeout = h.session.policy.inactivity_timeout;
    let warning = h.session.policy.inactivity_warning;
    let fx = h.advance(timeout - warning + Duration::from_secs(1));
    assert!(
        spoken(&fx).contains(&"En:still_there".to_owned()),
        "{:?}",
        spoken(&fx)
    );
}
