//! E-card QR codes at the scanner: the token is spent with the journal before the reader signs in.

use super::*;
use crate::ecard::{QrFormat, QrRule, TokenAlgorithm, TokenUse, sign_ed25519};

const SECRET: [u8; 32] = [7; 32];

fn ecard_policy() -> Policy {
    let mut policy = policy();
    policy.barcodes.qr = Some(QrRule {
        format: QrFormat::Signed,
        prefix: String::new(),
        url_parameter: "card".into(),
        algorithm: Some(TokenAlgorithm::Ed25519),
        public_key: Some(crate::ecard::ed25519_public_key(&SECRET)),
        max_lifetime_secs: 300,
        hmac_key: None,
    });
    policy
}

fn token() -> String {
    sign_ed25519(&SECRET, CARD, 1_900_000_000)
}

#[test]
fn a_fresh_token_is_spent_then_the_reader_signs_in_as_with_the_card() {
    let mut h = Harness::new(ecard_policy());
    h.scan(&token());
    match h.next_request() {
        WorkerRequest::Journal(JournalRequest::UseToken {
            expires,
            max_lifetime_secs,
            digest,
        }) => {
            assert_eq!((*expires, *max_lifetime_secs), (1_900_000_000, 300));
            assert!(
                !digest.contains(CARD),
                "the card number is not what is kept"
            );
        }
        other => panic!("expected the token to be checked first, got {other:?}"),
    }
    assert_eq!(h.screen().page, Page::Idle);
    h.answer(IlsAnswer::Token(TokenUse::Fresh));
    assert_eq!(h.screen().page, Page::Pin);
    h.pin(PIN);
    assert!(matches!(
        h.next_request(),
        WorkerRequest::Ils(IlsRequest::PatronStatus { patron, .. }) if patron.0 == CARD
    ));
    h.answer(IlsAnswer::Patron(patron_ok()));
    assert_eq!(h.screen().page, Page::Menu);
}

#[test]
fn the_journal_verdicts_are_told_and_nobody_signs_in() {
    for (verdict, reason) in [
        (TokenUse::Used, Reason::EcardUsed),
        (TokenUse::Expired, Reason::EcardExpired),
        (TokenUse::TooLongLived, Reason::EcardForged),
    ] {
        let mut h = Harness::new(ecard_policy());
        h.scan(&token());
        let fx = h.answer(IlsAnswer::Token(verdict));
        assert_eq!(h.notice(), Some(reason));
        assert_eq!(sounds(&fx), vec![Cue::Problem]);
        assert_eq!(h.screen().page, Page::Idle);
        assert!(h.pending.is_empty());
    }
}

#[test]
fn a_forged_token_never_reaches_the_journal() {
    let mut h = Harness::new(ecard_policy());
    let forged = sign_ed25519(&[8; 32], CARD, 1_900_000_000);
    h.scan(&forged);
    assert_eq!(h.notice(), Some(Reason::EcardForged));
    assert!(h.sent.is_empty());
}

#[test]
fn a_token_shown_during_the_same_readers_session_is_not_spent() {
    let mut h = Harness::new(ecard_policy());
    h.sign_in();
    h.press(Button::Borrow);
    h.scan(&token());
    assert_eq!(h.notice(), Some(Reason::CardNotItem));
    assert!(h.pending.is_empty());
}

#[test]
fn offline_a_verified_token_is_a_card_that_looks_right() {
    let mut policy = ecard_policy();
    // A card rule the token's card number does not match: only the signature vouches for it.
    policy.barcodes.patron = Some(BarcodeRule {
        prefixes: vec!["9".into()],
        ..BarcodeRule::codabar14(2)
    });
    let mut h = Harness::new(policy);
    h.send(Event::LinkChanged(Link::Offline));
    h.scan(&token());
    h.answer(IlsAnswer::Token(TokenUse::Fresh));
    assert_eq!(h.screen().page, Page::Pin);
}
