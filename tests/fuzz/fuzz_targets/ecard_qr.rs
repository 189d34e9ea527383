//! Whatever a phone shows the scanner as an e-card QR code: reading it never panics under any
//! rule a library can configure, and a payload is taken for a signed card only when it is
//! exactly what the key's holder signs for that card and expiry (no forgery gets through).
#![no_main]

use kiosk_core::ecard::{QrRead, QrRule, sign_hmac_sha256};
use kiosk_core::secret::Secret;
use libfuzzer_sys::fuzz_target;

/// Sixteen bytes, base64: the key of the HMAC rule.
const KEY: &[u8; 16] = b"fuzzing-hmac-key";
const KEY_BASE64: &str = "ZnV6emluZy1obWFjLWtleQ==";

const RULES: [&str; 4] = [
    r#"{"format": "plain", "prefix": "LIB:"}"#,
    r#"{"format": "url", "url_parameter": "card"}"#,
    r#"{"format": "signed", "prefix": "LIBCARD:", "algorithm": "hmac-sha256", "max_lifetime_secs": 300}"#,
    r#"{"format": "signed", "algorithm": "ed25519", "public_key": "O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik=", "max_lifetime_secs": 300}"#,
];

fuzz_target!(|data: &[u8]| {
    let Ok(payload) = std::str::from_utf8(data) else {
        return;
    };
    for text in RULES {
        let mut rule: QrRule = serde_json::from_str(text).expect("the target's rules parse");
        rule.hmac_key = Some(Secret::new(KEY_BASE64));
        let QrRead::Token(card) = rule.read(payload) else {
            continue;
        };
        if text.contains("hmac") {
            let body = payload.trim().strip_prefix("LIBCARD:").expect("the prefix");
            let (signed_card, _) = body.rsplit_once('.').expect("a token");
            let (card_text, _) = signed_card.rsplit_once('.').expect("a token");
            let honest = sign_hmac_sha256(KEY, card_text, card.expires).expect("a key");
            assert_eq!(body, honest, "a token that is not the key's own was taken");
        }
    }
});
