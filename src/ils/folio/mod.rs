//! The ILS over FOLIO's Okapi HTTP API: circulation by barcode (with `loanDate` and
//! `checkInDate`, which suit offline replay), users, PINs, blocks, loans, requests and fees.
//!
//! Authentication logs in with the kiosk's FOLIO user and renews the token before it expires
//! and whenever FOLIO says 401; a request refused for its token is sent again once, since FOLIO
//! did not act on it.

pub mod api;
mod patron;
pub mod refusals;
pub mod server;

use super::http::{HttpLink, HttpSettings, Method, Response, Transport, encode};
use super::{Answer, Ils};
use crate::circ::IlsError;
use crate::circ::reason::{Reason, Refusal};
use crate::circ::types::{
    Account, Currency, Due, ItemCirculation, ItemId, ItemInfo, Loan, Money, PatronId, PatronStatus,
    Pin, RenewAllResult, Return, ReturnRoute,
};
use crate::config::secrets::Secret;
use chrono::{DateTime, NaiveDateTime, Utc};
use refusals::Doing;
use serde::Deserialize;
use std::time::Duration;

/// `[ils.folio]` in the configuration file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FolioSection {
    /// Okapi's base URL, e.g. `https://okapi.library.example.org`.
    pub url: String,
    pub tenant: String,
    /// The kiosk's FOLIO user; its password is the secret `ils_password`.
    pub username: String,
    /// UUID of the service point this kiosk stands at.
    pub service_point: String,
    /// Check readers' PINs with FOLIO's patron PIN (`/patron-pin/verify`).
    #[serde(default)]
    pub patron_pin: bool,
    /// Currency of fees and fines (FOLIO's amounts carry none).
    #[serde(default = "default_currency")]
    pub currency: String,
    #[serde(default)]
    pub http: HttpSettings,
}

fn default_currency() -> String {
    "CNY".into()
}

impl FolioSection {
    /// Mistakes `kiosk config check` reports before a reader meets them.
    pub fn problem(&self) -> Option<String> {
        if !(self.url.starts_with("https://") || self.url.starts_with("http://")) {
            return Some(format!(
                "ils.folio.url: expected an http(s) URL, found {:?}",
                self.url
            ));
        }
        let uuid = |s: &str| {
            s.len() == 36
                && s.chars().enumerate().all(|(i, c)| {
                    if [8, 13, 18, 23].contains(&i) {
                        c == '-'
                    } else {
                        c.is_ascii_hexdigit()
                    }
                })
        };
        if !uuid(&self.service_point) {
            return Some(format!(
                "ils.folio.service_point: expected the service point's UUID, found {:?}",
                self.service_point
            ));
        }
        if Currency::parse(&self.currency).is_none() {
            return Some(format!(
                "ils.folio.currency: expected an ISO 4217 code such as CNY, found {:?}",
                self.currency
            ));
        }
        None
    }
}

pub struct FolioIls {
    link: Box<dyn Transport>,
    section: FolioSection,
    password: Option<Secret>,
    token: Option<String>,
    /// When the token runs out, as FOLIO said at login, and when it was issued.
    expires: Option<DateTime<Utc>>,
    issued: DateTime<Utc>,
    currency: Currency,
}

/// Renew this long before FOLIO's stated expiry (or a tenth of the token's life, if shorter,
/// so a short-lived token is not renewed before every request).
const RENEW_MARGIN: Duration = Duration::from_secs(30);

impl FolioIls {
    pub fn new(section: FolioSection, password: Option<Secret>) -> Result<FolioIls, IlsError> {
        let link = HttpLink::new(&section.url, section.http.clone())?;
        Ok(FolioIls::over(Box::new(link), section, password))
    }

    /// The adapter over any transport (the fuzz targets feed it replies from a script).
    pub fn over(
        link: Box<dyn Transport>,
        section: FolioSection,
        password: Option<Secret>,
    ) -> FolioIls {
        let currency = Currency::parse(&section.currency).unwrap_or(Currency::CNY);
        FolioIls {
            link,
            section,
            password,
            token: None,
            expires: None,
            issued: Utc::now(),
            currency,
        }
    }

    /// Logs in now (at start-up, so a wrong password is found before a reader comes).
    pub fn connect(&mut self) -> Result<(), IlsError> {
        self.login()
    }

    fn login(&mut self) -> Result<(), IlsError> {
        let password = self
            .password
            .as_ref()
            .map(|p| p.expose().to_owned())
            .unwrap_or_default();
        let body = serde_json::json!({"username": self.section.username, "password": password});
        let tenant = [("x-okapi-tenant", self.section.tenant.as_str())];
        let response = self.link.send(
            Method::Post,
            "/authn/login-with-expiry",
            &tenant,
            Some(&body),
        )?;
        let response = if response.status == 404 {
            // Releases before Poppy: the token comes in a header.
            self.link
                .send(Method::Post, "/authn/login", &tenant, Some(&body))?
        } else {
            response
        };
        if !response.ok() {
            return Err(IlsError::LoginRefused(format!(
                "FOLIO login as {} (tenant {}): HTTP {}: {}",
                self.section.username,
                self.section.tenant,
                response.status,
                super::http::excerpt(&response.body)
            )));
        }
        let cookie = response
            .headers_named("set-cookie")
            .find_map(|c| c.strip_prefix("folioAccessToken="))
            .map(|c| c.split(';').next().unwrap_or("").to_owned());
        let token = cookie.or_else(|| response.header("x-okapi-token").map(str::to_owned));
        let Some(token) = token.filter(|t| !t.is_empty()) else {
            return Err(IlsError::BadReply("FOLIO's login gave no token".into()));
        };
        let expiry: Option<api::LoginExpiry> = serde_json::from_str(&response.body).ok();
        self.expires = expiry
            .and_then(|e| e.access_token_expiration)
            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
            .map(|t| t.with_timezone(&Utc));
        self.token = Some(token);
        self.issued = Utc::now();
        tracing::info!(user = %self.section.username, "logged in to FOLIO");
        Ok(())
    }

    fn token_fresh(&self) -> bool {
        match (&self.token, self.expires) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(_), Some(at)) => {
                let margin = chrono::Duration::from_std(RENEW_MARGIN)
                    .unwrap_or_default()
                    .min((at - self.issued) / 10);
                Utc::now() + margin < at
            }
        }
    }

    /// A request with the tenant and token; a 401 logs in again and sends it once more.
    fn call(
        &mut self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Response, IlsError> {
        if !self.token_fresh() {
            self.login()?;
        }
        for attempt in 0..2 {
            let token = self.token.clone().unwrap_or_default();
            let headers = [
                ("x-okapi-tenant", self.section.tenant.as_str()),
                ("x-okapi-token", token.as_str()),
            ];
            let response = self.link.send(method, path, &headers, body)?;
            if response.status == 401 && attempt == 0 {
                tracing::info!(path, "FOLIO token refused; logging in again");
                self.token = None;
                self.login()?;
                continue;
            }
            if response.status == 401 || response.status == 403 {
                return Err(IlsError::LoginRefused(format!(
                    "{path}: HTTP {}: {}",
                    response.status,
                    super::http::excerpt(&response.body)
                )));
            }
            return Ok(response);
        }
        Err(IlsError::LoginRefused(format!(
            "{path}: the token was refused twice"
        )))
    }

    fn get<T: serde::de::DeserializeOwned>(
        &mut self,
        path: &str,
        what: &str,
    ) -> Result<T, IlsError> {
        let response = self.call(Method::Get, path, None)?;
        if !response.ok() {
            return Err(IlsError::BadReply(format!(
                "{what}: HTTP {}: {}",
                response.status,
                super::http::excerpt(&response.body)
            )));
        }
        response.json(what)
    }

    fn user(&mut self, barcode: &str) -> Result<Option<api::User>, IlsError> {
        let query = encode(&format!("barcode==\"{}\"", cql(barcode)));
        let users: api::Users = self.get(&format!("/users?query={query}&limit=1"), "users")?;
        Ok(users.users.into_iter().next())
    }

    fn inventory_item(&mut self, barcode: &str) -> Result<Option<api::InventoryItem>, IlsError> {
        let query = encode(&format!("barcode==\"{}\"", cql(barcode)));
        let items: api::Items =
            self.get(&format!("/inventory/items?query={query}&limit=1"), "items")?;
        Ok(items.items.into_iter().next())
    }

    fn open_loans(&mut self, user_id: &str) -> Result<Vec<api::Loan>, IlsError> {
        let query = encode(&format!(
            "userId==\"{}\" and status.name==\"Open\"",
            cql(user_id)
        ));
        let loans: api::Loans = self.get(
            &format!("/circulation/loans?query={query}&limit=1000"),
            "loans",
        )?;
        Ok(loans.loans)
    }

    fn open_fees(&mut self, user_id: &str) -> Result<Vec<api::Account>, IlsError> {
        let query = encode(&format!(
            "userId==\"{}\" and status.name==\"Open\"",
            cql(user_id)
        ));
        let accounts: api::Accounts =
            self.get(&format!("/accounts?query={query}&limit=1000"), "accounts")?;
        Ok(accounts.accounts)
    }

    fn money(&self, amount: f64) -> Money {
        Money::from_major(amount, self.currency)
    }

    fn loan_of(&self, loan: api::Loan, item: &ItemId) -> Loan {
        let due = loan.due_date.as_deref().map_or_else(
            || Due {
                text: String::new(),
                at: None,
            },
            |text| Due {
                text: text.to_owned(),
                at: api::local(text),
            },
        );
        Loan {
            item: item.clone(),
            title: loan.item.title,
            due,
            screen_message: None,
            print_lines: Vec::new(),
        }
    }

    fn post_checkout(
        &mut self,
        patron: &PatronId,
        item: &ItemId,
        loan_date: Option<String>,
    ) -> Answer<Loan> {
        let body = api::CheckOut {
            item_barcode: &item.0,
            user_barcode: &patron.0,
            checkout_service_point_id: &self.section.service_point,
            loan_date,
        };
        let body = serde_json::to_value(&body).map_err(|e| IlsError::BadReply(e.to_string()))?;
        let response = self.call(
            Method::Post,
            "/circulation/check-out-by-barcode",
            Some(&body),
        )?;
        if response.ok() {
            let loan: api::Loan = response.json("check-out")?;
            return Ok(Ok(self.loan_of(loan, item)));
        }
        self.refused_with_title(&response, Doing::CheckOut, item)
    }

    /// A refusal, with the book's title looked up (FOLIO's errors do not carry it, and the
    /// reader should see which book was refused). The lookup is best effort.
    fn refused_with_title<T>(
        &mut self,
        response: &Response,
        doing: Doing,
        item: &ItemId,
    ) -> Answer<T> {
        let mut answer = refused(response, doing);
        if let Ok(Err(refusal)) = &mut answer
            && refusal.reason != Reason::UnknownItem
        {
            refusal.title = self
                .inventory_item(&item.0)
                .ok()
                .flatten()
                .and_then(|i| i.title)
                .filter(|t| !t.is_empty());
        }
        answer
    }

    fn post_checkin(&mut self, item: &ItemId, at: DateTime<Utc>) -> Answer<Return> {
        let body = api::CheckIn {
            item_barcode: &item.0,
            service_point_id: &self.section.service_point,
            check_in_date: api::instant(at),
        };
        let body = serde_json::to_value(&body).map_err(|e| IlsError::BadReply(e.to_string()))?;
        let response = self.call(
            Method::Post,
            "/circulation/check-in-by-barcode",
            Some(&body),
        )?;
        if !response.ok() {
            return refused(&response, Doing::CheckIn);
        }
        let answer: api::CheckInResponse = response.json("check-in")?;
        let checked = answer.item.unwrap_or_default();
        let Some(loan) = answer.loan else {
            // FOLIO checks in an item that was not on loan (it updates its status): for the
            // reader, the book was not on loan and goes to staff.
            let refusal = Refusal {
                reason: Reason::NotOnLoan,
                screen_message: None,
                title: Some(checked.title).filter(|t| !t.is_empty()),
            };
            return Ok(Err(refusal));
        };
        let status = checked.status.name.to_lowercase();
        let route = if status.contains("in transit") {
            let to = checked
                .in_transit_destination_service_point
                .map(|s| s.name)
                .unwrap_or_default();
            ReturnRoute::Transfer { to }
        } else if status.contains("awaiting pickup") {
            ReturnRoute::HoldShelf
        } else {
            ReturnRoute::Shelf
        };
        let title = if checked.title.is_empty() {
            loan.item.title
        } else {
            checked.title
        };
        Ok(Ok(Return {
            item: item.clone(),
            title,
            route,
            screen_message: None,
        }))
    }
}

/// A value inside a CQL string: quotes and backslashes escaped, so a barcode cannot change the
/// query.
fn cql(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"")
}

fn refused<T>(response: &Response, doing: Doing) -> Answer<T> {
    match response.status {
        400 | 404 | 409 | 422 => {
            let refusal = refusals::refusal(response.status, &response.body, doing);
            // For staff: FOLIO's own words beside the reason the reader was given.
            tracing::info!(
                ?doing,
                status = response.status,
                reason = ?refusal.reason,
                folio = refusal.screen_message.as_deref().unwrap_or(""),
                "FOLIO refused"
            );
            Ok(Err(refusal))
        }
        status => Err(IlsError::BadReply(format!(
            "HTTP {status}: {}",
            super::http::excerpt(&response.body)
        ))),
    }
}

impl Ils for FolioIls {
    fn patron_status(
        &mut self,
        patron: &PatronId,
        pin: Option<&Pin>,
    ) -> Result<PatronStatus, IlsError> {
        self.status_of(patron, pin)
    }

    fn account(&mut self, patron: &PatronId, pin: Option<&Pin>) -> Result<Account, IlsError> {
        self.account_of(patron, pin)
    }

    fn checkout(&mut self, patron: &PatronId, item: &ItemId) -> Answer<Loan> {
        self.post_checkout(patron, item, None)
    }

    fn checkin(&mut self, item: &ItemId) -> Answer<Return> {
        self.post_checkin(item, Utc::now())
    }

    fn renew(&mut self, patron: &PatronId, item: &ItemId) -> Answer<Loan> {
        let body = api::Renew {
            item_barcode: &item.0,
            user_barcode: &patron.0,
        };
        let body = serde_json::to_value(&body).map_err(|e| IlsError::BadReply(e.to_string()))?;
        let response = self.call(Method::Post, "/circulation/renew-by-barcode", Some(&body))?;
        if response.ok() {
            let loan: api::Loan = response.json("renewal")?;
            return Ok(Ok(self.loan_of(loan, item)));
        }
        self.refused_with_title(&response, Doing::Renew, item)
    }

    fn renew_all(&mut self, patron: &PatronId) -> Answer<RenewAllResult> {
        let Some(user) = self.user(&patron.0)? else {
            return Ok(Err(Refusal::new(Reason::UnknownPatron)));
        };
        let mut result = RenewAllResult {
            renewed: Vec::new(),
            unrenewed: Vec::new(),
            screen_message: None,
        };
        for loan in self.open_loans(&user.id)? {
            let item = ItemId(loan.item.barcode);
            match self.renew(patron, &item)? {
                Ok(_) => result.renewed.push(item),
                Err(refusal) => {
                    result.screen_message = refusal.screen_message.or(result.screen_message);
                    result.unrenewed.push(item);
                }
            }
        }
        Ok(Ok(result))
    }

    fn item_info(&mut self, item: &ItemId) -> Answer<ItemInfo> {
        let Some(found) = self.inventory_item(&item.0)? else {
            return Ok(Err(Refusal::new(Reason::UnknownItem)));
        };
        let status = match found.status.name.to_lowercase().as_str() {
            "available" => ItemCirculation::Available,
            "checked out" => ItemCirculation::OnLoan,
            "awaiting pickup" => ItemCirculation::OnHoldShelf,
            "withdrawn" | "lost and paid" | "unavailable" => ItemCirculation::NotForLoan,
            _ => ItemCirculation::Other,
        };
        let query = encode(&format!(
            "itemId==\"{}\" and status.name==\"Open\"",
            cql(&found.id)
        ));
        let loans: api::Loans = self.get(
            &format!("/circulation/loans?query={query}&limit=1"),
            "loans",
        )?;
        let loan = loans.loans.into_iter().next();
        let due = loan
            .as_ref()
            .and_then(|l| l.due_date.as_deref())
            .map(|t| Due {
                text: t.to_owned(),
                at: api::local(t),
            });
        let title = loan
            .map(|l| l.item.title)
            .filter(|t| !t.is_empty())
            .or(found.title)
            .unwrap_or_default();
        Ok(Ok(ItemInfo {
            item: item.clone(),
            title,
            status,
            due,
        }))
    }

    fn replay_checkout(
        &mut self,
        patron: &PatronId,
        item: &ItemId,
        at: NaiveDateTime,
        _due: Option<NaiveDateTime>,
    ) -> Answer<Loan> {
        // FOLIO computes the due date from the loan date and its own policy.
        self.post_checkout(patron, item, Some(api::instant_from_local(at)))
    }

    fn replay_checkin(&mut self, item: &ItemId, at: NaiveDateTime) -> Answer<Return> {
        self.post_checkin(item, api::utc_from_local(at))
    }

    fn set_password(&mut self, password: Secret) {
        self.password = Some(password);
    }

    /// A fresh login: the only request that proves both the link and the credentials.
    fn check_link(&mut self) -> Result<(), IlsError> {
        self.login()
    }

    fn probe(&mut self) -> Result<super::Probe, IlsError> {
        self.login()?;
        let path = format!("/service-points/{}", encode(&self.section.service_point));
        let response = self.call(Method::Get, &path, None)?;
        let point = match response.status {
            200 => response.json::<api::Named>("service point")?.name,
            404 => {
                return Err(IlsError::BadReply(format!(
                    "FOLIO has no service point {} (ils.folio.service_point)",
                    self.section.service_point
                )));
            }
            status => {
                return Err(IlsError::BadReply(format!(
                    "service point: HTTP {status}: {}",
                    super::http::excerpt(&response.body)
                )));
            }
        };
        let (tls, warning) = super::http::certificate_note(&response);
        Ok(super::Probe {
            summary: format!(
                "FOLIO at {} (tenant {}): logged in as {}; service point \"{point}\"{tls}",
                self.section.url, self.section.tenant, self.section.username
            ),
            warnings: warning.into_iter().collect(),
        })
    }

    fn charged_items(&mut self, patron: &PatronId) -> Result<Vec<ItemId>, IlsError> {
        let Some(user) = self.user(&patron.0)? else {
            return Ok(Vec::new());
        };
        Ok(self
            .open_loans(&user.id)?
            .into_iter()
            .map(|l| ItemId(l.item.barcode))
            .collect())
    }
}

#[cfg(test)]
mod tests;
