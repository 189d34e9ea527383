//! ISBNs as a reader scans or types them for a purchase suggestion: the EAN-13 barcode on the
//! back cover (prefix 978 or 979, with the price add-on some scanners append), or an ISBN-10,
//! with hyphens or spaces. Check digits are verified; the result is always the ISBN-13.

use serde::Serialize;
use std::fmt;
use thiserror::Error;

/// A valid ISBN, kept as its 13 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Isbn(String);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IsbnError {
    /// Not shaped like an ISBN at all (a library barcode, a card, junk).
    #[error("not an ISBN: an ISBN has 13 digits starting with 978 or 979, or 10 characters")]
    NotAnIsbn,
    /// Shaped like one, but the check digit is wrong: a misread or a typing slip.
    #[error("the ISBN's check digit is wrong")]
    BadCheckDigit,
}

/// The EAN-13 check digit of the first 12 digits (weights 1, 3, 1, 3 …).
fn ean13_check(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .take(12)
        .enumerate()
        .map(|(i, d)| u32::from(*d) * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// Σ (10 − i) × dᵢ over the first nine digits, and the check that makes the whole ≡ 0 mod 11
/// (10 is written X).
fn isbn10_check(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .take(9)
        .enumerate()
        .map(|(i, d)| u32::from(*d) * (10 - i as u32))
        .sum();
    ((11 - sum % 11) % 11) as u8
}

fn digits(text: &str) -> Option<Vec<u8>> {
    text.bytes()
        .map(|b| b.is_ascii_digit().then(|| b - b'0'))
        .collect()
}

impl Isbn {
    /// Reads an ISBN as scanned or typed.
    pub fn parse(input: &str) -> Result<Isbn, IsbnError> {
        let text: String = input
            .trim()
            .chars()
            .filter(|c| *c != '-' && *c != ' ')
            .collect();
        if !text.is_ascii() {
            // Before any slicing by position: only digits and X make an ISBN.
            return Err(IsbnError::NotAnIsbn);
        }
        match text.len() {
            // With the 2- or 5-digit add-on (a periodical's issue, the price) appended.
            13 | 15 | 18 => {
                let all = digits(&text).ok_or(IsbnError::NotAnIsbn)?;
                let ean = &all[..13];
                if !(text.starts_with("978") || text.starts_with("979")) {
                    return Err(IsbnError::NotAnIsbn);
                }
                if ean13_check(ean) != ean[12] {
                    return Err(IsbnError::BadCheckDigit);
                }
                Ok(Isbn(text[..13].to_owned()))
            }
            10 => {
                let (body, last) = text.split_at(9);
                let body = digits(body).ok_or(IsbnError::NotAnIsbn)?;
                let check = match last {
                    "X" | "x" => 10,
                    d => *digits(d)
                        .ok_or(IsbnError::NotAnIsbn)?
                        .first()
                        .unwrap_or(&11),
                };
                if isbn10_check(&body) != check {
                    return Err(IsbnError::BadCheckDigit);
                }
                let mut ean: Vec<u8> = vec![9, 7, 8];
                ean.extend_from_slice(&body);
                let check13 = ean13_check(&ean);
                ean.push(check13);
                Ok(Isbn(ean.iter().map(|d| char::from(b'0' + d)).collect()))
            }
            _ => Err(IsbnError::NotAnIsbn),
        }
    }

    /// The 13 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Isbn {
    /// As printed on books: 978-7-5366-9293-0 would need the registration groups; the digits
    /// are grouped 3-10 so a reader can compare them with the back cover.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", &self.0[..3], &self.0[3..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_reference_examples_read_as_they_should() {
        // 三体 (重庆出版社), check digit 0.
        assert_eq!(
            Isbn::parse("9787536692930").unwrap().as_str(),
            "9787536692930"
        );
        assert_eq!(
            Isbn::parse("978-7-5366-9293-0").unwrap().as_str(),
            "9787536692930"
        );
        // The same book's ISBN-10, and one whose check is X.
        assert_eq!(Isbn::parse("7536692935").unwrap().as_str(), "9787536692930");
        assert_eq!(
            Isbn::parse("0-8044-2957-X").unwrap().as_str(),
            "9780804429573"
        );
        // The price add-on some scanners append.
        assert_eq!(
            Isbn::parse("978753669293051200").unwrap().as_str(),
            "9787536692930"
        );
        assert_eq!(
            Isbn::parse("9787536692930").unwrap().to_string(),
            "978-7536692930"
        );
    }

    #[test]
    fn misreads_and_other_barcodes_are_told_apart() {
        assert_eq!(Isbn::parse("9787536692931"), Err(IsbnError::BadCheckDigit));
        assert_eq!(Isbn::parse("7536692936"), Err(IsbnError::BadCheckDigit));
        // A library item and a library card (14 digits), an EAN-13 that is not a book, junk.
        assert_eq!(Isbn::parse("30234000001015"), Err(IsbnError::NotAnIsbn));
        assert_eq!(Isbn::parse("20234000000019"), Err(IsbnError::NotAnIsbn));
        assert_eq!(Isbn::parse("6901234567892"), Err(IsbnError::NotAnIsbn));
        assert_eq!(Isbn::parse("97875366929a0"), Err(IsbnError::NotAnIsbn));
        assert_eq!(Isbn::parse(""), Err(IsbnError::NotAnIsbn));
        assert_eq!(Isbn::parse("吗"), Err(IsbnError::NotAnIsbn));
        // Ten bytes, not ten characters (found by the property test: it used to panic).
        assert_eq!(Isbn::parse(": 🕴\u{c87d0}"), Err(IsbnError::NotAnIsbn));
    }

    proptest! {
        #[test]
        fn every_isbn10_is_the_isbn13_of_the_same_book(body in "[0-9]{9}") {
            let digits: Vec<u8> = body.bytes().map(|b| b - b'0').collect();
            let check = isbn10_check(&digits);
            let isbn10 = format!("{body}{}", if check == 10 { "X".to_owned() } else { check.to_string() });
            let isbn13 = Isbn::parse(&isbn10).unwrap();
            let prefix = format!("978{}", body);
            prop_assert!(isbn13.as_str().starts_with(&prefix));
            prop_assert_eq!(Isbn::parse(isbn13.as_str()).unwrap(), isbn13.clone());
            // Any other last character is a bad check digit, never accepted.
            for wrong in (0..=10).filter(|c| *c != check) {
                let text = format!("{body}{}", if wrong == 10 { "X".to_owned() } else { wrong.to_string() });
                prop_assert_eq!(Isbn::parse(&text), Err(IsbnError::BadCheckDigit));
            }
        }

        #[test]
        fn no_input_panics(text in ".{0,30}") {
            let _ = Isbn::parse(&text);
        }
    }
}
