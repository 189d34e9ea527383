//! FOLIO's JSON, as far as the kiosk uses it: request bodies (shaped by mod-circulation's
//! schemas, checked in the tests) and the parts of responses the adapter reads. Unknown fields
//! are ignored: FOLIO adds fields between releases.

use chrono::{DateTime, Local, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckOut<'a> {
    pub item_barcode: &'a str,
    pub user_barcode: &'a str,
    pub checkout_service_point_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loan_date: Option<String>,
}

/// Check-in allows no other properties.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckIn<'a> {
    pub item_barcode: &'a str,
    pub service_point_id: &'a str,
    pub check_in_date: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Renew<'a> {
    pub item_barcode: &'a str,
    pub user_barcode: &'a str,
}

/// An instant as FOLIO writes it: UTC, milliseconds, `Z`.
pub fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A local wall-clock time (what the journal keeps) in UTC; a time the clock skipped (a DST
/// gap) is taken as UTC.
pub fn utc_from_local(at: NaiveDateTime) -> DateTime<Utc> {
    Local
        .from_local_datetime(&at)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&at))
}

/// A local wall-clock time as a FOLIO instant.
pub fn instant_from_local(at: NaiveDateTime) -> String {
    instant(utc_from_local(at))
}

/// A FOLIO instant in the library's local time.
pub fn local(text: &str) -> Option<NaiveDateTime> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Local).naive_local())
}

#[derive(Debug, Clone, Deserialize)]
pub struct Users {
    #[serde(default)]
    pub users: Vec<User>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    #[serde(default)]
    pub barcode: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
    #[serde(default)]
    pub expiration_date: Option<String>,
    #[serde(default)]
    pub personal: Personal,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Personal {
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub preferred_first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

impl User {
    pub fn name(&self) -> String {
        let p = &self.personal;
        let first = p.preferred_first_name.as_ref().or(p.first_name.as_ref());
        [first, p.last_name.as_ref()]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutomatedBlocks {
    #[serde(default)]
    pub automated_patron_blocks: Vec<AutomatedBlock>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutomatedBlock {
    #[serde(default)]
    pub block_borrowing: bool,
    #[serde(default)]
    pub block_renewals: bool,
    #[serde(default)]
    pub message: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ManualBlocks {
    #[serde(default)]
    pub manualblocks: Vec<ManualBlock>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManualBlock {
    #[serde(default)]
    pub borrowing: bool,
    #[serde(default)]
    pub renewals: bool,
    #[serde(default)]
    pub patron_message: String,
    #[serde(default)]
    pub expiration_date: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Loans {
    #[serde(default)]
    pub loans: Vec<Loan>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Loan {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub item: LoanItem,
    #[serde(default)]
    pub due_date: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoanItem {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub barcode: String,
    #[serde(default)]
    pub status: Named,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Named {
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckInResponse {
    #[serde(default)]
    pub loan: Option<Loan>,
    #[serde(default)]
    pub item: Option<CheckedInItem>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckedInItem {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub barcode: String,
    #[serde(default)]
    pub status: Named,
    #[serde(default)]
    pub in_transit_destination_service_point: Option<Named>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Requests {
    #[serde(default)]
    pub requests: Vec<Request>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub item: Option<LoanItem>,
    #[serde(default)]
    pub instance: Option<RequestInstance>,
    #[serde(default)]
    pub hold_shelf_expiration_date: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RequestInstance {
    #[serde(default)]
    pub title: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Accounts {
    #[serde(default)]
    pub accounts: Vec<Account>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    #[serde(default)]
    pub remaining: f64,
    #[serde(default)]
    pub fee_fine_type: String,
    #[serde(default)]
    pub title: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Items {
    #[serde(default)]
    pub items: Vec<InventoryItem>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InventoryItem {
    pub id: String,
    #[serde(default)]
    pub barcode: String,
    #[serde(default)]
    pub status: Named,
    #[serde(default)]
    pub title: Option<String>,
}

/// mod-circulation's validation errors (HTTP 422).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Errors {
    #[serde(default)]
    pub errors: Vec<Error>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Error {
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub code: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginExpiry {
    #[serde(default)]
    pub access_token_expiration: Option<String>,
}
