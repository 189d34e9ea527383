//! The resident ID number (公民身份号码, GB 11643-1999) as a library card: many Chinese
//! libraries enrol readers by it, and readers type it or an ID-card reader outputs it.
//!
//! 18 characters: a 6-digit area code, the birth date YYYYMMDD, a 3-digit sequence and a check
//! character over the first 17 — ISO 7064 MOD 11-2, weights 2^(18−i) mod 11, 'X' standing for 10.
//! The 15-digit form of before 1999 carries no check character and stopped being valid with the
//! first-generation cards (2013); it is not accepted.

use chrono::NaiveDate;

/// What is wrong with a number that has the shape of a resident ID number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResidentIdError {
    /// Not 17 digits and a digit or 'X'.
    NotShaped,
    /// The check character does not match: a slip of the finger or a misread.
    BadCheckCharacter,
    /// The birth date is not a date between 1850 and 2100 (the published example was born in 1880).
    ImpossibleBirthDate,
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

/// The check character of the first 17 digits; `None` unless they are 17 ASCII digits.
pub fn check_character(first17: &str) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, weight) in first17.chars().zip(WEIGHTS) {
        sum += c.to_digit(10)? * weight;
    }
    Some(char::from(CHECK[(sum % 11) as usize]))
}

/// Checks a resident ID number: its shape, its check character ('x' read as 'X') and its birth
/// date.
pub fn check(code: &str) -> Result<(), ResidentIdError> {
    if code.len() != 18 || !code.is_ascii() {
        return Err(ResidentIdError::NotShaped);
    }
    let (first17, last) = code.split_at(17);
    let last = last.chars().next().map(|c| c.to_ascii_uppercase());
    let shaped = first17.chars().all(|c| c.is_ascii_digit())
        && last.is_some_and(|c| c.is_ascii_digit() || c == 'X');
    if !shaped {
        return Err(ResidentIdError::NotShaped);
    }
    if check_character(first17) != last {
        return Err(ResidentIdError::BadCheckCharacter);
    }
    let born = NaiveDate::parse_from_str(&first17[6..14], "%Y%m%d")
        .map_err(|_| ResidentIdError::ImpossibleBirthDate)?;
    let year = chrono::Datelike::year(&born);
    if !(1850..=2100).contains(&year) {
        return Err(ResidentIdError::ImpossibleBirthDate);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_published_examples_check() {
        // The standard's worked example (check character X) and another common one.
        assert_eq!(check_character("11010519491231002"), Some('X'));
        assert_eq!(check("11010519491231002X"), Ok(()));
        assert_eq!(check("11010519491231002x"), Ok(()));
        assert_eq!(check("440524188001010014"), Ok(()));
    }

    #[test]
    fn a_wrong_check_character_a_wrong_date_and_other_shapes_are_refused() {
        assert_eq!(
            check("110105194912310021"),
            Err(ResidentIdError::BadCheckCharacter)
        );
        // 31 February, with its right check character.
        let body = "11010519490231002";
        let code = format!("{body}{}", check_character(body).unwrap());
        assert_eq!(check(&code), Err(ResidentIdError::ImpossibleBirthDate));
        // Born in 1800, with its right check character.
        let body = "11010518001231002";
        let code = format!("{body}{}", check_character(body).unwrap());
        assert_eq!(check(&code), Err(ResidentIdError::ImpossibleBirthDate));
        // The 15-digit form, a library barcode, letters.
        assert_eq!(check("110105491231002"), Err(ResidentIdError::NotShaped));
        assert_eq!(check("20234000000019"), Err(ResidentIdError::NotShaped));
        assert_eq!(check("11010519491231002Y"), Err(ResidentIdError::NotShaped));
        assert_eq!(
            check("１１０１０５19491231002X"),
            Err(ResidentIdError::NotShaped)
        );
    }

    proptest! {
        /// Any one digit changed is caught (MOD 11-2 detects every single substitution).
        #[test]
        fn one_changed_digit_is_caught(position in 0usize..17, delta in 1u32..10) {
            let code = "11010519491231002X";
            let mut chars: Vec<char> = code.chars().collect();
            let digit = chars[position].to_digit(10).unwrap();
            chars[position] = char::from_digit((digit + delta) % 10, 10).unwrap();
            let changed: String = chars.into_iter().collect();
            prop_assert!(check(&changed).is_err());
        }
    }
}
