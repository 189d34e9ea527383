//! Library barcodes: cleaning what a scanner sends, the Codabar mod-10 check digit, and the
//! per-library rules that tell a patron card from an item.
//!
//! Pure functions only: the scanner drivers hand text in, the circulation core asks what it is.

use serde::Deserialize;
use thiserror::Error;

/// Longest barcode accepted from a scanner. Real library barcodes are 6–20 characters; anything
/// far longer is line noise or two codes run together.
pub const MAX_BARCODE_LEN: usize = 64;

/// Why a scanned string is not a usable barcode.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BarcodeError {
    #[error("the barcode is empty")]
    Empty,
    #[error("the barcode is {0} characters long; at most {1} are accepted")]
    TooLong(usize, usize),
    /// Control characters and `|` would break the SIP2 framing (and could inject fields).
    #[error("the barcode contains a character that is not allowed: {0:?}")]
    ForbiddenChar(char),
}

/// Cleans what a scanner sent: surrounding whitespace (CR/LF suffixes) removed; control
/// characters, `|` and non-ASCII rejected, because barcodes on library material are ASCII and the
/// value is sent to the ILS verbatim. `/` (`12345/2`, a volume) is kept; a space inside is
/// refused like other junk (a Wi-Fi QR code, two codes run together): the kiosk is told a
/// misread rather than asking the ILS about it. Item ids with spaces that come from the ILS
/// itself (a reader's loans) are sent back as they came.
pub fn clean(raw: &str) -> Result<String, BarcodeError> {
    clean_up_to(raw, MAX_BARCODE_LEN)
}

/// Longest text a scanner may hand over: a 2D scanner reads e-card QR codes (web addresses,
/// signed tokens), which the session tells from barcodes.
pub const MAX_SCAN_LEN: usize = crate::ecard::MAX_PAYLOAD_LEN;

/// Cleans what a scanner sent as [`clean`] does, but lets QR payloads up to [`MAX_SCAN_LEN`]
/// through: the session decides what they are.
pub fn clean_scan(raw: &str) -> Result<String, BarcodeError> {
    clean_up_to(raw, MAX_SCAN_LEN)
}

fn clean_up_to(raw: &str, max: usize) -> Result<String, BarcodeError> {
    let code = raw.trim();
    if code.is_empty() {
        return Err(BarcodeError::Empty);
    }
    if let Some(bad) = code.chars().find(|c| !c.is_ascii_graphic() || *c == '|') {
        return Err(BarcodeError::ForbiddenChar(bad));
    }
    let len = code.chars().count();
    if len > max {
        return Err(BarcodeError::TooLong(len, max));
    }
    Ok(code.to_owned())
}

/// The mod-10 check digit of 14-digit Codabar library barcodes, computed over the digits before
/// it: positions 1, 3, 5… (from the left) are doubled, 9 subtracted when the double exceeds 9,
/// the other positions added; the check digit brings the sum to a multiple of ten.
/// `None` when `body` holds anything but ASCII digits.
pub fn codabar_check_digit(body: &str) -> Option<u8> {
    let mut sum = 0u32;
    for (index, c) in body.chars().enumerate() {
        let digit = c.to_digit(10)?;
        sum += if index % 2 == 0 {
            let doubled = digit * 2;
            if doubled > 9 { doubled - 9 } else { doubled }
        } else {
            digit
        };
    }
    Some(((10 - sum % 10) % 10) as u8)
}

/// True when the last digit of `code` is the Codabar check digit of the digits before it.
pub fn codabar_check_ok(code: &str) -> bool {
    let Some((body, last)) = code.len().checked_sub(1).map(|n| code.split_at(n)) else {
        return false;
    };
    match (
        codabar_check_digit(body),
        last.chars().next().and_then(|c| c.to_digit(10)),
    ) {
        (Some(expected), Some(found)) => u32::from(expected) == found && !body.is_empty(),
        _ => false,
    }
}

/// Which check digit a library's barcodes carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckDigit {
    #[default]
    None,
    /// Luhn-style mod 10 of 14-digit Codabar library barcodes.
    CodabarMod10,
    /// The 18-character resident ID number (身份证号, GB 11643: ISO 7064 MOD 11-2, 'X'
    /// allowed, the birth date plausible), for libraries that use it as the card number.
    Gb11643,
}

/// What one kind of barcode (patron cards, or items) looks like at a library.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BarcodeRule {
    /// Shortest accepted length, in characters.
    #[serde(default = "BarcodeRule::default_min")]
    pub min_length: usize,
    /// Longest accepted length, in characters.
    #[serde(default = "BarcodeRule::default_max")]
    pub max_length: usize,
    /// The barcode must start with one of these; empty accepts any start.
    #[serde(default)]
    pub prefixes: Vec<String>,
    /// Codabar type digit in position 1 (2 = patron, 3 = item on most library labels).
    #[serde(default)]
    pub codabar_type_digit: Option<u8>,
    #[serde(default)]
    pub check_digit: CheckDigit,
}

impl BarcodeRule {
    fn default_min() -> usize {
        1
    }
    fn default_max() -> usize {
        MAX_BARCODE_LEN
    }

    /// The classic 14-digit Codabar library barcode with the given type digit.
    pub fn codabar14(type_digit: u8) -> Self {
        BarcodeRule {
            min_length: 14,
            max_length: 14,
            prefixes: Vec::new(),
            codabar_type_digit: Some(type_digit),
            check_digit: CheckDigit::CodabarMod10,
        }
    }

    /// A description of a problem in the rule itself, for configuration checks.
    pub fn problem(&self) -> Option<String> {
        if self.min_length == 0 || self.min_length > self.max_length {
            return Some(format!(
                "min_length must be at least 1 and not above max_length (found {} and {})",
                self.min_length, self.max_length
            ));
        }
        if self.max_length > MAX_BARCODE_LEN {
            return Some(format!("max_length must be at most {MAX_BARCODE_LEN}"));
        }
        if matches!(self.codabar_type_digit, Some(d) if d > 9) {
            return Some("codabar_type_digit must be a single digit 0-9".into());
        }
        None
    }

    /// How `code` (already cleaned) fits this rule.
    pub fn fit(&self, code: &str) -> Fit {
        let len = code.chars().count();
        if len < self.min_length || len > self.max_length {
            return Fit::No;
        }
        if !self.prefixes.is_empty() && !self.prefixes.iter().any(|p| code.starts_with(p.as_str()))
        {
            return Fit::No;
        }
        if let Some(type_digit) = self.codabar_type_digit {
            let first = code.chars().next().and_then(|c| c.to_digit(10));
            if first != Some(u32::from(type_digit)) || !code.chars().all(|c| c.is_ascii_digit()) {
                return Fit::No;
            }
        }
        match self.check_digit {
            CheckDigit::None => Fit::Yes,
            CheckDigit::CodabarMod10 if codabar_check_ok(code) => Fit::Yes,
            // Shape right, check digit wrong: almost always a misread, not another kind of code.
            CheckDigit::CodabarMod10 => Fit::BadCheckDigit,
            CheckDigit::Gb11643 => match crate::resident_id::check(code) {
                Ok(()) => Fit::Yes,
                Err(crate::resident_id::ResidentIdError::NotShaped) => Fit::No,
                // A wrong check character or a date no one was born on: mistyped or misread.
                Err(_) => Fit::BadCheckDigit,
            },
        }
    }
}

/// How a barcode fits one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    Yes,
    No,
    BadCheckDigit,
}

/// The library's rules for both kinds of barcode; a kind without a rule accepts anything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BarcodeRules {
    #[serde(default)]
    pub patron: Option<BarcodeRule>,
    #[serde(default)]
    pub item: Option<BarcodeRule>,
    /// E-card QR codes from the library's app (电子读者证).
    #[serde(default)]
    pub qr: Option<crate::ecard::QrRule>,
}

/// What a scanned barcode is, as far as the rules can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BarcodeKind {
    Patron,
    Item,
    /// Fits both rules (or there are no rules): the context decides.
    Either,
    /// Fits neither rule.
    Neither,
    /// Has the shape of a patron card or item barcode but a wrong check digit: rescan.
    Misread,
}

impl BarcodeRules {
    pub fn classify(&self, code: &str) -> BarcodeKind {
        let fit = |rule: &Option<BarcodeRule>| rule.as_ref().map_or(Fit::Yes, |r| r.fit(code));
        match (fit(&self.patron), fit(&self.item)) {
            (Fit::Yes, Fit::Yes) => BarcodeKind::Either,
            (Fit::Yes, _) => BarcodeKind::Patron,
            (_, Fit::Yes) => BarcodeKind::Item,
            (Fit::BadCheckDigit, _) | (_, Fit::BadCheckDigit) => BarcodeKind::Misread,
            (Fit::No, Fit::No) => BarcodeKind::Neither,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn check_digit_vectors_from_the_reference() {
        assert_eq!(codabar_check_digit("3023400051786"), Some(1));
        assert_eq!(codabar_check_digit("3319100010586"), Some(4));
        assert!(codabar_check_ok("30234000517861"));
        assert!(codabar_check_ok("33191000105864"));
        assert!(!codabar_check_ok("30234000517862"));
        assert!(!codabar_check_ok("3023400051786X"));
        assert!(!codabar_check_ok(""));
        assert!(!codabar_check_ok("7"));
    }

    #[test]
    fn a_library_that_uses_resident_id_numbers_as_cards() {
        let rules = BarcodeRules {
            patron: Some(BarcodeRule {
                min_length: 18,
                max_length: 18,
                prefixes: Vec::new(),
                codabar_type_digit: None,
                check_digit: CheckDigit::Gb11643,
            }),
            item: Some(BarcodeRule::codabar14(3)),
            qr: None,
        };
        assert_eq!(rules.classify("11010519491231002X"), BarcodeKind::Patron);
        assert_eq!(rules.classify("440524188001010014"), BarcodeKind::Patron);
        assert_eq!(rules.classify("440524188001010015"), BarcodeKind::Misread);
        assert_eq!(rules.classify("30234000517861"), BarcodeKind::Item);
        assert_eq!(rules.classify("hello"), BarcodeKind::Neither);
        let parsed: BarcodeRule =
            toml::from_str("min_length = 18\nmax_length = 18\ncheck_digit = \"gb11643\"\n")
                .unwrap();
        assert_eq!(parsed.check_digit, CheckDigit::Gb11643);
    }

    #[test]
    fn clean_strips_line_endings_and_rejects_framing_characters() {
        assert_eq!(
            clean(" 31234567890123\r\n").as_deref(),
            Ok("31234567890123")
        );
        assert_eq!(clean("\r\n"), Err(BarcodeError::Empty));
        assert_eq!(clean("3123|AOfake"), Err(BarcodeError::ForbiddenChar('|')));
        assert_eq!(clean("31\r23"), Err(BarcodeError::ForbiddenChar('\r')));
        assert_eq!(clean("书123"), Err(BarcodeError::ForbiddenChar('书')));
        assert_eq!(clean("31\t23"), Err(BarcodeError::ForbiddenChar('\t')));
        // '/' is kept as the label has it; a space inside is junk.
        assert_eq!(clean(" 12345/2\r").as_deref(), Ok("12345/2"));
        assert_eq!(clean("B 12345"), Err(BarcodeError::ForbiddenChar(' ')));
        assert_eq!(clean(&"9".repeat(65)), Err(BarcodeError::TooLong(65, 64)));
        // A QR code's text may be longer; the session tells it from a barcode.
        assert_eq!(clean_scan(&"9".repeat(65)), Ok("9".repeat(65)));
        assert_eq!(
            clean_scan(&"9".repeat(1025)),
            Err(BarcodeError::TooLong(1025, 1024))
        );
    }

    fn codabar_rules() -> BarcodeRules {
        BarcodeRules {
            patron: Some(BarcodeRule::codabar14(2)),
            item: Some(BarcodeRule::codabar14(3)),
            qr: None,
        }
    }

    #[test]
    fn codabar_rules_tell_cards_from_items() {
        let rules = codabar_rules();
        assert_eq!(rules.classify("30234000517861"), BarcodeKind::Item);
        assert_eq!(rules.classify("30234000517862"), BarcodeKind::Misread);
        let body = "2023400051786";
        let card = format!("{body}{}", codabar_check_digit(body).unwrap());
        assert_eq!(rules.classify(&card), BarcodeKind::Patron);
        assert_eq!(rules.classify("978030640615"), BarcodeKind::Neither);
        assert_eq!(
            BarcodeRules::default().classify("anything"),
            BarcodeKind::Either
        );
    }

    #[test]
    fn prefixes_and_lengths() {
        let rules = BarcodeRules {
            patron: Some(BarcodeRule {
                min_length: 8,
                max_length: 10,
                prefixes: vec!["P".into(), "LIB".into()],
                codabar_type_digit: None,
                check_digit: CheckDigit::None,
            }),
            item: None,
            qr: None,
        };
        assert_eq!(rules.classify("P1234567"), BarcodeKind::Either);
        assert_eq!(rules.classify("X1234567"), BarcodeKind::Item);
        assert_eq!(rules.classify("P12"), BarcodeKind::Item);
    }

    #[test]
    fn rule_problems_are_described() {
        let mut rule = BarcodeRule::codabar14(3);
        assert_eq!(rule.problem(), None);
        rule.min_length = 20;
        assert!(rule.problem().unwrap().contains("min_length"));
        rule.min_length = 1;
        rule.codabar_type_digit = Some(12);
        assert!(rule.problem().unwrap().contains("codabar_type_digit"));
    }

    proptest! {
        #[test]
        fn every_digit_string_gets_a_check_digit_that_verifies(body in "[0-9]{1,20}") {
            let digit = codabar_check_digit(&body).unwrap();
            let good = format!("{body}{digit}");
            prop_assert!(codabar_check_ok(&good));
            let bad = format!("{body}{}", (digit + 1) % 10);
            prop_assert!(!codabar_check_ok(&bad));
        }

        #[test]
        fn clean_never_lets_framing_characters_through(raw in any::<String>()) {
            if let Ok(code) = clean(&raw) {
                prop_assert!(!code.contains(['|', '\r', '\n']));
                prop_assert!(!code.is_empty() && code.len() <= MAX_BARCODE_LEN);
            }
        }
    }
}
