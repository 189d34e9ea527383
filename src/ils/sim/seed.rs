//! The simulated ILS's fixture file: patrons, items and rules (see `seed.toml`).

use crate::circ::types::Currency;
use serde::Deserialize;
use std::collections::BTreeMap;
use thiserror::Error;

/// The seed that ships with the project.
pub const BUILTIN: &str = include_str!("seed.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    pub library: Library,
    pub categories: BTreeMap<String, Category>,
    pub item_types: BTreeMap<String, ItemType>,
    #[serde(default)]
    pub patrons: Vec<SeedPatron>,
    #[serde(default)]
    pub items: Vec<SeedItem>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Library {
    pub name: String,
    pub currency: Currency,
    pub fines_limit_minor: i64,
    /// Terminal logins the ILS accepts; none means no login is needed.
    #[serde(default)]
    pub terminals: Vec<Terminal>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Terminal {
    pub user: String,
    pub password: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub max_loans: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemType {
    pub loan_days: i64,
    pub max_renewals: u32,
    #[serde(default = "yes")]
    pub for_loan: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedPatron {
    pub card: String,
    pub name: String,
    pub pin: String,
    pub category: String,
    #[serde(default)]
    pub email: Option<String>,
    /// Days from now until the card expires (negative: already expired).
    #[serde(default)]
    pub expires_in_days: Option<i64>,
    #[serde(default)]
    pub barred: bool,
    #[serde(default)]
    pub fines: Vec<SeedFine>,
    /// What this patron is for, shown by `kiosk sim-ils`.
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedFine {
    pub amount_minor: i64,
    pub description: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedItem {
    pub barcode: String,
    pub title: String,
    pub author: String,
    #[serde(rename = "type")]
    pub item_type: String,
    #[serde(default)]
    pub loan: Option<SeedLoan>,
    #[serde(default)]
    pub holds: Vec<SeedHold>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedLoan {
    pub patron: String,
    pub due_in_days: i64,
    #[serde(default)]
    pub renewals: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedHold {
    pub patron: String,
    /// On the hold shelf waiting for pickup.
    #[serde(default)]
    pub ready: bool,
}

#[derive(Debug, Error)]
pub enum SeedError {
    #[error("the simulated ILS seed is not valid TOML: {0}")]
    Parse(#[from] toml::de::Error),
    #[error("the simulated ILS seed is inconsistent: {0}")]
    Inconsistent(String),
}

impl Seed {
    pub fn parse(text: &str) -> Result<Seed, SeedError> {
        let seed: Seed = toml::from_str(text)?;
        seed.check()?;
        Ok(seed)
    }

    pub fn builtin_text() -> &'static str {
        BUILTIN
    }

    pub fn builtin() -> Seed {
        // The built-in seed is checked by a unit test; failing here is a build defect.
        Seed::parse(BUILTIN).expect("the built-in seed is valid")
    }

    /// Every reference points at something that exists.
    fn check(&self) -> Result<(), SeedError> {
        let bad = |msg: String| Err(SeedError::Inconsistent(msg));
        let cards: Vec<&str> = self.patrons.iter().map(|p| p.card.as_str()).collect();
        for patron in &self.patrons {
            if !self.categories.contains_key(&patron.category) {
                return bad(format!(
                    "patron {} has unknown category {:?}",
                    patron.card, patron.category
                ));
            }
            if cards.iter().filter(|c| **c == patron.card).count() > 1 {
                return bad(format!("patron card {} appears twice", patron.card));
            }
        }
        let mut barcodes = std::collections::HashSet::new();
        for item in &self.items {
            if !barcodes.insert(item.barcode.as_str()) {
                return bad(format!("item {} appears twice", item.barcode));
            }
            if !self.item_types.contains_key(&item.item_type) {
                return bad(format!(
                    "item {} has unknown type {:?}",
                    item.barcode, item.item_type
                ));
            }
            let patrons = item
                .loan
                .iter()
                .map(|l| &l.patron)
                .chain(item.holds.iter().map(|h| &h.patron));
            for patron in patrons {
                if !cards.contains(&patron.as_str()) {
                    return bad(format!(
                        "item {} refers to unknown patron {patron}",
                        item.barcode
                    ));
                }
            }
        }
        Ok(())
    }
}
