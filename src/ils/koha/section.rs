//! `[ils.koha]`: where the library's Koha is, how the kiosk signs in, and what it may confirm
//! by itself; checked before a reader meets a mistake.

use super::refusals;
use crate::circ::types::Currency;
use crate::ils::http::HttpSettings;
use serde::Deserialize;

/// `[ils.koha]` in the configuration file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KohaSection {
    /// Koha's staff interface URL, e.g. `https://koha-staff.library.example.org`; the API is
    /// under `/api/v1`.
    pub url: String,
    #[serde(default)]
    pub auth: KohaAuth,
    /// The API client's id (`auth = "oauth2"`); its secret is the secret `ils_password`.
    #[serde(default)]
    pub client_id: Option<String>,
    /// The kiosk's staff user (`auth = "basic"`, with RESTBasicAuth on); its password is the
    /// secret `ils_password`.
    #[serde(default)]
    pub username: Option<String>,
    /// How returns reach Koha.
    #[serde(default)]
    pub checkin: CheckinRoute,
    /// Confirmations (`CanBookBeIssued` keys) the kiosk accepts by itself, e.g. `["DEBT"]`.
    #[serde(default = "default_confirm")]
    pub confirm: Vec<String>,
    #[serde(default = "default_currency")]
    pub currency: String,
    #[serde(default)]
    pub http: HttpSettings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KohaAuth {
    /// OAuth2 client credentials (RESTOAuth2ClientCredentials on).
    #[default]
    Oauth2,
    /// HTTP basic authentication (RESTBasicAuth on).
    Basic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckinRoute {
    /// Returns go to the same Koha over SIP2 (the `[ils.sip2]` section).
    Sip2,
    /// No returns at this kiosk.
    #[default]
    None,
}

fn default_confirm() -> Vec<String> {
    vec!["DEBT".into()]
}

fn default_currency() -> String {
    "CNY".into()
}

impl KohaSection {
    /// Mistakes `kiosk config check` reports before a reader meets them.
    pub fn problem(&self) -> Option<String> {
        if !(self.url.starts_with("https://") || self.url.starts_with("http://")) {
            return Some(format!(
                "ils.koha.url: expected an http(s) URL, found {:?}",
                self.url
            ));
        }
        match self.auth {
            KohaAuth::Oauth2 if self.client_id.as_deref().is_none_or(str::is_empty) => {
                return Some(
                    "ils.koha.client_id: auth = \"oauth2\" needs the API client's id".into(),
                );
            }
            KohaAuth::Basic if self.username.as_deref().is_none_or(str::is_empty) => {
                return Some(
                    "ils.koha.username: auth = \"basic\" needs the kiosk's Koha user".into(),
                );
            }
            _ => {}
        }
        if let Some(key) = self
            .confirm
            .iter()
            .find(|k| !refusals::SELF_CONFIRMABLE.contains(&k.as_str()))
        {
            return Some(format!(
                "ils.koha.confirm: {key:?} needs a person (it changes who holds the book); a kiosk may confirm only {}",
                refusals::SELF_CONFIRMABLE.join(", ")
            ));
        }
        if Currency::parse(&self.currency).is_none() {
            return Some(format!(
                "ils.koha.currency: expected an ISO 4217 code such as CNY, found {:?}",
                self.currency
            ));
        }
        None
    }
}
