//! Koha's REST JSON (API v1), as far as the kiosk reads it. Unknown fields are ignored: Koha
//! adds fields between releases.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct Token {
    pub access_token: String,
    #[serde(default)]
    pub expires_in: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Patron {
    pub patron_id: u64,
    #[serde(default)]
    pub cardnumber: Option<String>,
    #[serde(default)]
    pub firstname: Option<String>,
    #[serde(default)]
    pub preferred_name: Option<String>,
    #[serde(default)]
    pub surname: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub expiry_date: Option<String>,
    /// A restriction (debarment) is in force.
    #[serde(default)]
    pub restricted: bool,
}

impl Patron {
    pub fn name(&self) -> String {
        let first = self.preferred_name.as_ref().or(self.firstname.as_ref());
        [first, self.surname.as_ref()]
            .into_iter()
            .flatten()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Item {
    pub item_id: u64,
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub biblio_id: Option<u64>,
    /// Set while the item is on loan.
    #[serde(default)]
    pub checked_out_date: Option<String>,
    #[serde(default)]
    pub lost_status: u32,
    #[serde(default)]
    pub withdrawn: u32,
    #[serde(default)]
    pub not_for_loan_status: i32,
    /// Present when asked for with `x-koha-embed: biblio`.
    #[serde(default)]
    pub biblio: Option<Biblio>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Biblio {
    #[serde(default)]
    pub title: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Availability {
    #[serde(default)]
    pub blockers: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub confirms: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub confirmation_token: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Checkout {
    pub checkout_id: u64,
    #[serde(default)]
    pub item_id: Option<u64>,
    #[serde(default)]
    pub due_date: Option<String>,
    /// Present when asked for with `x-koha-embed: item`.
    #[serde(default)]
    pub item: Option<Item>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Hold {
    #[serde(default)]
    pub biblio_id: Option<u64>,
    /// `W`: waiting on the hold shelf; `T`: in transit; none: not yet filled.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub expiration_date: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Account {
    #[serde(default)]
    pub balance: f64,
    #[serde(default)]
    pub outstanding_debits: Debits,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Debits {
    #[serde(default)]
    pub lines: Vec<Debit>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Debit {
    #[serde(default)]
    pub amount_outstanding: f64,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub debit_type: Option<String>,
}

/// Koha's error body: `{"error": "...", "error_code": "..."}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Error {
    #[serde(default)]
    pub error: String,
    #[serde(default)]
    pub error_code: Option<String>,
}
