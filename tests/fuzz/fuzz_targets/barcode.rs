//! Whatever a scanner types: cleaning and classifying never panic, and the check-digit rules
//! agree with themselves (a code the Codabar rules accept carries the check digit they compute;
//! an ISBN that parses prints one that parses the same; a resident ID number the check accepts
//! ends in the check character of its first 17).
#![no_main]

use kiosk_core::barcode::{
    BarcodeKind, BarcodeRule, BarcodeRules, clean_scan, codabar_check_digit, codabar_check_ok,
};
use kiosk_core::isbn::Isbn;
use kiosk_core::resident_id;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let rules = BarcodeRules {
        patron: Some(BarcodeRule::codabar14(2)),
        item: Some(BarcodeRule::codabar14(3)),
        qr: None,
    };
    if let Ok(code) = clean_scan(raw) {
        if matches!(
            rules.classify(&code),
            BarcodeKind::Patron | BarcodeKind::Item
        ) {
            assert!(codabar_check_ok(&code));
            let (body, last) = code.split_at(code.len() - 1);
            assert_eq!(codabar_check_digit(body), last.parse::<u8>().ok());
        }
        let _ = BarcodeRules::default().classify(&code);
    }
    if let Ok(isbn) = Isbn::parse(raw) {
        let again = Isbn::parse(isbn.as_str()).expect("a printed ISBN parses");
        assert_eq!(again.as_str(), isbn.as_str());
    }
    if resident_id::check(raw).is_ok() {
        let first17: String = raw.chars().take(17).collect();
        let last = raw.chars().nth(17).map(|c| c.to_ascii_uppercase());
        assert_eq!(resident_id::check_character(&first17), last);
    }
});
