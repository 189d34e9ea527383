//! The ILS over Koha's REST API (v1): patrons by card number, password validation, items by
//! barcode (`external_id`), checkout availability (blockers, confirmations and the
//! confirmation token), checkouts, renewals, holds and the account balance.
//!
//! Released Koha has no REST check-in: returns go through SIP2 to the same Koha when
//! `checkin = "sip2"`, and are switched off at start-up otherwise (the reader is never offered
//! what the kiosk cannot do).

pub mod api;
mod patron;
pub mod refusals;
mod section;

pub use section::{CheckinRoute, KohaAuth, KohaSection};

use super::http::{HttpLink, Method, Response, Transport, encode};
use super::{Answer, Ils};
use crate::circ::IlsError;
use crate::circ::reason::{Reason, Refusal};
use crate::circ::types::{
    Account, Currency, Due, ItemCirculation, ItemId, ItemInfo, Loan, Money, PatronId, PatronStatus,
    Pin, RenewAllResult, Return,
};
use crate::config::secrets::Secret;
use chrono::{DateTime, Local, NaiveDateTime};
use std::collections::HashMap;
use std::time::{Duration, Instant};

pub struct KohaIls {
    link: Box<dyn Transport>,
    section: KohaSection,
    secret: Option<Secret>,
    /// OAuth2 bearer token and when it runs out.
    token: Option<(String, Instant)>,
    /// Where returns go (SIP2 to the same Koha), if anywhere.
    returns: Option<Box<dyn Ils>>,
    /// Card number → patron id, and biblio id → title: neither changes while the kiosk runs.
    patron_ids: HashMap<String, u64>,
    titles: HashMap<u64, String>,
    currency: Currency,
    warned_backdating: bool,
}

const API: &str = "/api/v1";

impl KohaIls {
    pub fn new(
        section: KohaSection,
        secret: Option<Secret>,
        returns: Option<Box<dyn Ils>>,
    ) -> Result<KohaIls, IlsError> {
        let link = HttpLink::new(&section.url, section.http.clone())?;
        Ok(KohaIls::over(Box::new(link), section, secret, returns))
    }

    /// The adapter over any transport (the fuzz targets feed it replies from a script).
    pub fn over(
        link: Box<dyn Transport>,
        section: KohaSection,
        secret: Option<Secret>,
        returns: Option<Box<dyn Ils>>,
    ) -> KohaIls {
        let currency = Currency::parse(&section.currency).unwrap_or(Currency::CNY);
        KohaIls {
            link,
            section,
            secret,
            token: None,
            returns,
            patron_ids: HashMap::new(),
            titles: HashMap::new(),
            currency,
            warned_backdating: false,
        }
    }

    /// Authenticates now (at start-up, so wrong credentials are found before a reader comes).
    pub fn connect(&mut self) -> Result<(), IlsError> {
        match self.section.auth {
            KohaAuth::Oauth2 => self.fetch_token(),
            // Basic authentication has no login: ask for something small.
            KohaAuth::Basic => self
                .call(Method::Get, "/patrons?_per_page=1", &[], None)
                .map(|_| ()),
        }?;
        if let Some(returns) = self.returns.as_mut() {
            returns.keep_alive()?;
        }
        Ok(())
    }

    fn fetch_token(&mut self) -> Result<(), IlsError> {
        let client_id = self.section.client_id.clone().unwrap_or_default();
        let secret = self
            .secret
            .as_ref()
            .map(|s| s.expose().to_owned())
            .unwrap_or_default();
        let response = self.link.post_form(
            &format!("{API}/oauth/token"),
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &client_id),
                ("client_secret", &secret),
            ],
        )?;
        if !response.ok() {
            return Err(IlsError::LoginRefused(format!(
                "Koha OAuth2 token for client {client_id}: HTTP {}: {}",
                response.status,
                super::http::excerpt(&response.body)
            )));
        }
        let token: api::Token = response.json("OAuth2 token")?;
        // Renew a little before Koha's stated lifetime (default one hour).
        let life = Duration::from_secs(token.expires_in.unwrap_or(3600));
        let until = Instant::now() + life - (life / 10).min(Duration::from_secs(60));
        self.token = Some((token.access_token, until));
        tracing::info!(client = %client_id, "authenticated to Koha");
        Ok(())
    }

    fn authorization(&mut self) -> Result<String, IlsError> {
        match self.section.auth {
            KohaAuth::Basic => {
                use base64::Engine;
                let user = self.section.username.clone().unwrap_or_default();
                let password = self.secret.as_ref().map(|s| s.expose()).unwrap_or("");
                let pair =
                    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
                Ok(format!("Basic {pair}"))
            }
            KohaAuth::Oauth2 => {
                if self
                    .token
                    .as_ref()
                    .is_none_or(|(_, until)| Instant::now() >= *until)
                {
                    self.fetch_token()?;
                }
                let token = self.token.as_ref().map(|(t, _)| t.as_str()).unwrap_or("");
                Ok(format!("Bearer {token}"))
            }
        }
    }

    /// A request to `/api/v1{path}`; a 401 with OAuth2 fetches a new token and sends it once
    /// more (Koha did not act on it).
    fn call(
        &mut self,
        method: Method,
        path: &str,
        extra: &[(&str, &str)],
        body: Option<&serde_json::Value>,
    ) -> Result<Response, IlsError> {
        let path = format!("{API}{path}");
        for attempt in 0..2 {
            let authorization = self.authorization()?;
            let mut headers = vec![("authorization", authorization.as_str())];
            headers.extend_from_slice(extra);
            let response = self.link.send(method, &path, &headers, body)?;
            if response.status == 401 && attempt == 0 && self.section.auth == KohaAuth::Oauth2 {
                tracing::info!(path, "Koha refused the token; fetching a new one");
                self.token = None;
                continue;
            }
            if response.status == 401 {
                return Err(IlsError::LoginRefused(format!(
                    "{path}: HTTP 401: {}",
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
        embed: Option<&str>,
        what: &str,
    ) -> Result<T, IlsError> {
        let extra: Vec<(&str, &str)> = embed.map(|e| ("x-koha-embed", e)).into_iter().collect();
        let response = self.call(Method::Get, path, &extra, None)?;
        if !response.ok() {
            return Err(IlsError::BadReply(format!(
                "{what}: HTTP {}: {}",
                response.status,
                super::http::excerpt(&response.body)
            )));
        }
        response.json(what)
    }

    fn item(&mut self, barcode: &str) -> Result<Option<api::Item>, IlsError> {
        let items: Vec<api::Item> = self.get(
            &format!("/items?external_id={}", encode(barcode)),
            Some("biblio"),
            "items",
        )?;
        // Matched here too: an ignored filter must not make another book this one.
        Ok(items
            .into_iter()
            .find(|i| i.external_id.as_deref() == Some(barcode)))
    }

    fn checkouts_of(&mut self, patron_id: u64) -> Result<Vec<api::Checkout>, IlsError> {
        let checkouts: Vec<api::Checkout> = self.get(
            &format!("/checkouts?patron_id={patron_id}&_per_page=-1"),
            Some("item"),
            "checkouts",
        )?;
        Ok(checkouts)
    }

    fn checkout_of_item(&mut self, item_id: u64) -> Result<Option<api::Checkout>, IlsError> {
        let query = encode(&format!("{{\"item_id\":{item_id}}}"));
        let checkouts: Vec<api::Checkout> =
            self.get(&format!("/checkouts?q={query}"), None, "checkouts")?;
        Ok(checkouts.into_iter().find(|c| c.item_id == Some(item_id)))
    }

    fn title(&mut self, item: &api::Item) -> Result<String, IlsError> {
        if let Some(title) = item.biblio.as_ref().and_then(|b| b.title.clone()) {
            return Ok(title);
        }
        let Some(biblio) = item.biblio_id else {
            return Ok(String::new());
        };
        self.biblio_title(biblio)
    }

    fn biblio_title(&mut self, biblio: u64) -> Result<String, IlsError> {
        if let Some(title) = self.titles.get(&biblio) {
            return Ok(title.clone());
        }
        let found: api::Biblio = self.get(&format!("/biblios/{biblio}"), None, "biblio")?;
        let title = found.title.unwrap_or_default();
        self.titles.insert(biblio, title.clone());
        Ok(title)
    }

    fn money(&self, amount: f64) -> Money {
        Money::from_major(amount, self.currency)
    }

    fn due(text: Option<&str>) -> Due {
        let text = text.unwrap_or_default();
        Due {
            text: text.to_owned(),
            at: DateTime::parse_from_rfc3339(text)
                .ok()
                .map(|t| t.with_timezone(&Local).naive_local()),
        }
    }

    fn lend(&mut self, patron: &PatronId, item: &ItemId) -> Answer<Loan> {
        let Some(patron_id) = self.patron_id(&patron.0)? else {
            return Ok(Err(Refusal::new(Reason::UnknownPatron)));
        };
        let Some(found) = self.item(&item.0)? else {
            return Ok(Err(Refusal::new(Reason::UnknownItem)));
        };
        let title = self.title(&found)?;
        let availability: api::Availability = self.get(
            &format!(
                "/checkouts/availability?patron_id={patron_id}&item_id={}",
                found.item_id
            ),
            None,
            "checkout availability",
        )?;
        if let Some(mut refusal) =
            refusals::availability_refusal(&availability, &self.section.confirm)
        {
            tracing::info!(%item, reason = ?refusal.reason, koha = ?refusal.screen_message, "Koha refused the checkout");
            refusal.title = Some(title).filter(|t| !t.is_empty());
            return Ok(Err(refusal));
        }
        let path = match (
            &availability.confirmation_token,
            availability.confirms.is_empty(),
        ) {
            (Some(token), false) => format!("/checkouts?confirmation={}", encode(token)),
            _ => "/checkouts".to_owned(),
        };
        let body = serde_json::json!({"patron_id": patron_id, "item_id": found.item_id});
        let response = self.call(Method::Post, &path, &[], Some(&body))?;
        if !response.ok() {
            let mut refusal = refusals::checkout_refusal(response.status, &response.body);
            tracing::info!(%item, reason = ?refusal.reason, koha = ?refusal.screen_message, "Koha refused the checkout");
            refusal.title = Some(title).filter(|t| !t.is_empty());
            return Ok(Err(refusal));
        }
        let checkout: api::Checkout = response.json("checkout")?;
        Ok(Ok(Loan {
            item: item.clone(),
            title,
            due: Self::due(checkout.due_date.as_deref()),
            screen_message: None,
            print_lines: Vec::new(),
        }))
    }

    fn returns(&mut self) -> Result<&mut Box<dyn Ils>, IlsError> {
        self.returns.as_mut().ok_or(IlsError::Unsupported(
            "returns: Koha's REST API has no check-in and [ils.koha] checkin is not \"sip2\"",
        ))
    }
}

impl Ils for KohaIls {
    fn takes_returns(&self) -> bool {
        self.returns.is_some()
    }

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
        self.lend(patron, item)
    }

    fn checkin(&mut self, item: &ItemId) -> Answer<Return> {
        self.returns()?.checkin(item)
    }

    fn renew(&mut self, patron: &PatronId, item: &ItemId) -> Answer<Loan> {
        let Some(patron_id) = self.patron_id(&patron.0)? else {
            return Ok(Err(Refusal::new(Reason::UnknownPatron)));
        };
        let checkouts = self.checkouts_of(patron_id)?;
        let Some(checkout) = checkouts.into_iter().find(|c| {
            c.item.as_ref().and_then(|i| i.external_id.as_deref()) == Some(item.0.as_str())
        }) else {
            return Ok(Err(Refusal::new(Reason::NotOnLoanToYou)));
        };
        let title = match &checkout.item {
            Some(found) => self.title(&found.clone())?,
            None => String::new(),
        };
        let path = format!("/checkouts/{}/renewal", checkout.checkout_id);
        let response = self.call(Method::Post, &path, &[], None)?;
        if !response.ok() {
            let mut refusal = refusals::renewal_refusal(response.status, &response.body);
            tracing::info!(%item, reason = ?refusal.reason, koha = ?refusal.screen_message, "Koha refused the renewal");
            refusal.title = Some(title).filter(|t| !t.is_empty());
            return Ok(Err(refusal));
        }
        let renewed: api::Checkout = response.json("renewal")?;
        Ok(Ok(Loan {
            item: item.clone(),
            title,
            due: Self::due(renewed.due_date.as_deref()),
            screen_message: None,
            print_lines: Vec::new(),
        }))
    }

    fn renew_all(&mut self, patron: &PatronId) -> Answer<RenewAllResult> {
        let Some(patron_id) = self.patron_id(&patron.0)? else {
            return Ok(Err(Refusal::new(Reason::UnknownPatron)));
        };
        let mut result = RenewAllResult {
            renewed: Vec::new(),
            unrenewed: Vec::new(),
            screen_message: None,
        };
        let items: Vec<ItemId> = self
            .checkouts_of(patron_id)?
            .into_iter()
            .filter_map(|c| c.item.and_then(|i| i.external_id))
            .map(ItemId)
            .collect();
        for item in items {
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
        let Some(found) = self.item(&item.0)? else {
            return Ok(Err(Refusal::new(Reason::UnknownItem)));
        };
        let title = self.title(&found)?;
        let on_loan = found.checked_out_date.is_some();
        let status = if on_loan {
            ItemCirculation::OnLoan
        } else if found.lost_status != 0 || found.withdrawn != 0 || found.not_for_loan_status != 0 {
            ItemCirculation::NotForLoan
        } else {
            ItemCirculation::Available
        };
        let due = if on_loan {
            self.checkout_of_item(found.item_id)?
                .map(|c| Self::due(c.due_date.as_deref()))
        } else {
            None
        };
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
        // Koha's REST checkout cannot be backdated: the loan starts when it is replayed (the
        // availability check refuses RENEW_ISSUE, so it never becomes a renewal).
        if !self.warned_backdating {
            tracing::warn!(%at, "Koha's REST API cannot backdate a checkout; replayed loans start now");
            self.warned_backdating = true;
        }
        self.lend(patron, item)
    }

    fn replay_checkin(&mut self, item: &ItemId, at: NaiveDateTime) -> Answer<Return> {
        self.returns()?.replay_checkin(item, at)
    }

    fn charged_items(&mut self, patron: &PatronId) -> Result<Vec<ItemId>, IlsError> {
        let Some(patron_id) = self.patron_id(&patron.0)? else {
            return Ok(Vec::new());
        };
        Ok(self
            .checkouts_of(patron_id)?
            .into_iter()
            .filter_map(|c| c.item.and_then(|i| i.external_id))
            .map(ItemId)
            .collect())
    }

    fn keep_alive(&mut self) -> Result<(), IlsError> {
        match self.returns.as_mut() {
            Some(returns) => returns.keep_alive(),
            None => Ok(()),
        }
    }

    fn suggest_purchase(&mut self, suggestion: &super::PurchaseSuggestion) -> Result<(), IlsError> {
        self.post_suggestion(suggestion)
    }

    fn has_suggestion(&mut self, key: &str) -> Result<bool, IlsError> {
        self.find_suggestion(key)
    }

    fn set_password(&mut self, password: crate::config::secrets::Secret) {
        self.secret = Some(password);
        self.token = None;
    }

    /// Connecting again proves the link and the credentials (a token, or a small request).
    fn check_link(&mut self) -> Result<(), IlsError> {
        self.token = None;
        self.connect()
    }

    fn probe(&mut self) -> Result<super::Probe, IlsError> {
        self.token = None;
        self.connect()?;
        let response = self.call(Method::Get, "/patrons?_per_page=1", &[], None)?;
        if !response.ok() {
            return Err(IlsError::BadReply(format!(
                "patrons: HTTP {}: {}",
                response.status,
                super::http::excerpt(&response.body)
            )));
        }
        let (tls, certificate_warning) = super::http::certificate_note(&response);
        let how = match self.section.auth {
            KohaAuth::Oauth2 => format!(
                "OAuth2 client {}",
                self.section.client_id.as_deref().unwrap_or("")
            ),
            KohaAuth::Basic => format!("user {}", self.section.username.as_deref().unwrap_or("")),
        };
        let mut warnings: Vec<String> = certificate_warning.into_iter().collect();
        let returns = match self.returns.as_mut() {
            Some(returns) => {
                let probe = returns.probe()?;
                warnings.extend(probe.warnings);
                format!("returns through {}", probe.summary)
            }
            None => {
                warnings.push(
                    "returns are off: Koha's REST API has no check-in; set [ils.koha] checkin = \"sip2\" to take them"
                        .into(),
                );
                "no returns at this kiosk".into()
            }
        };
        Ok(super::Probe {
            summary: format!("Koha REST at {} as {how}{tls}; {returns}", self.section.url),
            warnings,
        })
    }

    fn keep_alive_in(&self) -> Option<Duration> {
        self.returns.as_ref().and_then(|r| r.keep_alive_in())
    }
}

mod suggestions;
#[cfg(test)]
mod tests;
