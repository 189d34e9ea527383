//! The documented test vectors (README, "E-card QR codes") were computed with Python's
//! `cryptography` and `hmac` modules, not with this code, so these tests check it against an
//! independent implementation.

use super::*;

/// RFC 8032's first test key: its private half is public, so it is for tests only.
const RFC8032_SECRET: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const RFC8032_PUBLIC_BASE64: &str = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
/// Card 20234000000019, expiring 2030-01-01T00:00:00Z, signed with the RFC 8032 key.
const ED25519_VECTOR: &str = "20234000000019.1893456000.es1OyCR0c_OEoh5E_v3wTjATk4ERWz7U0YKkig16Ho9VBY5SiGrpJBEgmoK27JaHB5zeB2fsh6SkYmGcw3CeDw";
/// The same card and expiry under HMAC-SHA256 with the key 00 01 02 … 1f.
const HMAC_KEY_BASE64: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const HMAC_VECTOR: &str = "20234000000019.1893456000.rF3K4wiTMQtNreUjY-r1Pgpo3XWVLvBCggMHlbsgoIY";
/// SHA-256 of `20234000000019|1893456000`.
const VECTOR_DIGEST: &str = "24da749743c47b2b53a00fdeb67a9b308429c16f0c29cd6f9e622f7aec751a44";

fn rule(format: QrFormat) -> QrRule {
    QrRule {
        format,
        prefix: String::new(),
        url_parameter: "card".into(),
        algorithm: None,
        public_key: None,
        max_lifetime_secs: 300,
        hmac_key: None,
    }
}

fn ed25519_rule() -> QrRule {
    QrRule {
        algorithm: Some(TokenAlgorithm::Ed25519),
        public_key: Some(RFC8032_PUBLIC_BASE64.into()),
        ..rule(QrFormat::Signed)
    }
}

fn hmac_rule() -> QrRule {
    QrRule {
        algorithm: Some(TokenAlgorithm::HmacSha256),
        hmac_key: Some(Secret::new(HMAC_KEY_BASE64)),
        ..rule(QrFormat::Signed)
    }
}

fn secret() -> [u8; 32] {
    let bytes = key_bytes(RFC8032_SECRET).unwrap();
    bytes.try_into().unwrap()
}

fn vector_card() -> QrRead {
    QrRead::Token(SignedCard {
        card: "20234000000019".into(),
        expires: 1_893_456_000,
        digest: VECTOR_DIGEST.into(),
    })
}

#[test]
fn the_documented_ed25519_vector_verifies_and_signing_reproduces_it() {
    assert_eq!(ed25519_rule().problem(), None);
    assert_eq!(ed25519_rule().read(ED25519_VECTOR), vector_card());
    assert_eq!(
        sign_ed25519(&secret(), "20234000000019", 1_893_456_000),
        ED25519_VECTOR
    );
    assert_eq!(ed25519_public_key(&secret()), RFC8032_PUBLIC_BASE64);
    // The key may be given in hex as well.
    let hex_key = QrRule {
        public_key: Some("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a".into()),
        ..ed25519_rule()
    };
    assert_eq!(hex_key.read(ED25519_VECTOR), vector_card());
}

#[test]
fn the_documented_hmac_vector_verifies_and_signing_reproduces_it() {
    assert_eq!(hmac_rule().problem(), None);
    assert_eq!(hmac_rule().read(HMAC_VECTOR), vector_card());
    let key = key_bytes(HMAC_KEY_BASE64).unwrap();
    assert_eq!(
        sign_hmac_sha256(&key, "20234000000019", 1_893_456_000).as_deref(),
        Some(HMAC_VECTOR)
    );
}

#[test]
fn a_changed_card_expiry_or_signature_is_forged() {
    let forged = QrRead::Refused(QrRefusal::Forged);
    for rule in [ed25519_rule(), hmac_rule()] {
        let good = if rule.algorithm == Some(TokenAlgorithm::Ed25519) {
            ED25519_VECTOR
        } else {
            HMAC_VECTOR
        };
        // A friend's card number on the reader's token.
        assert_eq!(
            rule.read(&good.replacen("20234000000019", "20234000000027", 1)),
            forged
        );
        // The expiry pushed back a year.
        assert_eq!(
            rule.read(&good.replacen("1893456000", "1924992000", 1)),
            forged
        );
        // One character of the signature changed, or the signature cut short.
        let mut chars: Vec<char> = good.chars().collect();
        let last = chars.len() - 3;
        chars[last] = if chars[last] == 'A' { 'B' } else { 'A' };
        assert_eq!(rule.read(&chars.into_iter().collect::<String>()), forged);
        assert_eq!(rule.read(&good[..good.len() - 4]), forged);
    }
    // A token signed with the other algorithm's key is not the library's either.
    assert_eq!(ed25519_rule().read(HMAC_VECTOR), forged);
    assert_eq!(hmac_rule().read(ED25519_VECTOR), forged);
}

#[test]
fn url_codes_give_the_named_parameter() {
    let url = rule(QrFormat::Url);
    assert_eq!(
        url.read("https://lib.example.org/ecard?v=2&card=20234000000019#top"),
        QrRead::Card("20234000000019".into())
    );
    // Percent-encoded, and the parameter renamed.
    let named = QrRule {
        url_parameter: "rdid".into(),
        ..rule(QrFormat::Url)
    };
    assert_eq!(
        named.read("HTTP://lib.example.org/e?rdid=%32%30234000000019"),
        QrRead::Card("20234000000019".into())
    );
    assert!(matches!(
        url.read("https://lib.example.org/events?id=7"),
        QrRead::Refused(QrRefusal::Unreadable(_))
    ));
    // A card number with a character that would break the SIP2 framing is not taken.
    assert!(matches!(
        url.read("https://lib.example.org/e?card=2023%7CAO"),
        QrRead::Refused(QrRefusal::Unreadable(_))
    ));
    // Not a web address: an ordinary barcode for the usual rules.
    assert_eq!(url.read("20234000000019"), QrRead::NotECard);
}

#[test]
fn plain_codes_need_their_prefix_to_be_told_from_barcodes() {
    assert_eq!(
        rule(QrFormat::Plain).read("20234000000019"),
        QrRead::NotECard
    );
    let prefixed = QrRule {
        prefix: "LIBCARD:".into(),
        ..rule(QrFormat::Plain)
    };
    assert_eq!(
        prefixed.read("LIBCARD:20234000000019\r\n"),
        QrRead::Card("20234000000019".into())
    );
    assert_eq!(prefixed.read("30234000517861"), QrRead::NotECard);
    assert!(matches!(
        prefixed.read("LIBCARD:"),
        QrRead::Refused(QrRefusal::Unreadable(_))
    ));
}

#[test]
fn a_prefixed_signed_rule_refuses_junk_and_an_unprefixed_one_passes_barcodes_on() {
    let prefixed = QrRule {
        prefix: "LIB1:".into(),
        ..ed25519_rule()
    };
    assert_eq!(
        prefixed.read(&format!("LIB1:{ED25519_VECTOR}")),
        vector_card()
    );
    assert!(matches!(
        prefixed.read("LIB1:hello"),
        QrRead::Refused(QrRefusal::Unreadable(_))
    ));
    assert_eq!(ed25519_rule().read("30234000517861"), QrRead::NotECard);
    assert_eq!(ed25519_rule().read("hello.world"), QrRead::NotECard);
}

#[test]
fn the_journal_rule_for_time() {
    let expires = 1_000_000;
    assert_eq!(judge(expires, expires - 60, 300), Ok(()));
    assert_eq!(judge(expires, expires + CLOCK_SKEW_SECS, 300), Ok(()));
    assert_eq!(
        judge(expires, expires + CLOCK_SKEW_SECS + 1, 300),
        Err(TokenUse::Expired)
    );
    // A token valid for a year is a copyable card, not a one-minute code.
    assert_eq!(
        judge(expires, expires - 365 * 86_400, 300),
        Err(TokenUse::TooLongLived)
    );
    assert_eq!(judge(i64::MAX, 0, u64::MAX), Ok(()));
    assert_eq!(judge(i64::MIN, 0, 300), Err(TokenUse::Expired));
}

#[test]
fn rule_problems_name_what_is_missing() {
    assert!(
        rule(QrFormat::Signed)
            .problem()
            .unwrap()
            .contains("algorithm")
    );
    let no_key = QrRule {
        public_key: None,
        ..ed25519_rule()
    };
    assert!(no_key.problem().unwrap().contains("public_key"));
    let short_key = QrRule {
        public_key: Some("AAEC".into()),
        ..ed25519_rule()
    };
    assert!(short_key.problem().unwrap().contains("3 bytes"));
    let weak = QrRule {
        hmac_key: Some(Secret::new("AAECAw==")),
        ..hmac_rule()
    };
    assert!(weak.problem().unwrap().contains("at least 16"));
    let long = QrRule {
        max_lifetime_secs: 7 * 86_400,
        ..ed25519_rule()
    };
    assert!(long.problem().unwrap().contains("max_lifetime_secs"));
    let parsed: QrRule = toml::from_str(
        "format = \"signed\"\nalgorithm = \"ed25519\"\npublic_key = \"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"\n",
    )
    .unwrap();
    assert_eq!(parsed.problem(), None);
    assert_eq!(parsed.max_lifetime_secs, 300);
}

proptest::proptest! {
    #[test]
    fn reading_any_text_never_panics(text in "\\PC{0,200}") {
        for rule in [ed25519_rule(), hmac_rule(), rule(QrFormat::Url), rule(QrFormat::Plain)] {
            let _ = rule.read(&text);
        }
    }

    #[test]
    fn every_signed_card_reads_back(card in "[0-9A-Za-z]{1,20}", expires in 0i64..4_000_000_000) {
        let token = sign_ed25519(&secret(), &card, expires);
        match ed25519_rule().read(&token) {
            QrRead::Token(signed) => {
                proptest::prop_assert_eq!(signed.card, card);
                proptest::prop_assert_eq!(signed.expires, expires);
            }
            other => proptest::prop_assert!(false, "{:?}", other),
        }
    }
}

/// Found by the `ecard_qr` fuzzer: a genuine token with a 0 put before its expiry
/// (`…019.01796000000.…`) still verified (the signature covers the number, not its spelling),
/// so one token had many spellings. Only the one the signer writes is taken now.
#[test]
fn a_token_is_taken_only_as_its_signer_spelt_it() {
    let key = key_bytes(HMAC_KEY_BASE64).unwrap();
    let token = sign_hmac_sha256(&key, "20234000000019", 1_796_000_000).unwrap();
    assert!(matches!(hmac_rule().read(&token), QrRead::Token(_)));
    let respelt = token.replace(".1796000000.", ".01796000000.");
    assert!(
        !matches!(hmac_rule().read(&respelt), QrRead::Token(_)),
        "{respelt}"
    );
}
