//! `[ils.sip2]`: what a library's configuration says of its ACS, and the link and framing
//! settings the client is built with.

use super::charset::Charset;
use super::client::{LinkSettings, LoginSettings};
use super::frame::{Framing, Terminator};
use super::tls::TlsSettings;
use crate::config::secrets::Secret;
use serde::Deserialize;
use std::time::Duration;

/// `[ils.sip2]` in the configuration file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sip2Section {
    pub host: String,
    pub port: u16,
    /// Present: connect with TLS.
    #[serde(default)]
    pub tls: Option<TlsSettings>,
    /// AO, the institution id the ACS expects.
    pub institution: String,
    /// CP at login and AP on returns: where this kiosk stands.
    #[serde(default)]
    pub location: Option<String>,
    /// CN of the login (93); the password is the secret `ils_password`. No user: no login.
    #[serde(default)]
    pub login_user: Option<String>,
    #[serde(default)]
    pub charset: Charset,
    #[serde(default)]
    pub terminator: TerminatorSetting,
    #[serde(default = "yes")]
    pub error_detection: bool,
    #[serde(default = "five")]
    pub connect_timeout_secs: u64,
    #[serde(default = "ten")]
    pub timeout_secs: u64,
    #[serde(default = "two")]
    pub retries: u32,
    #[serde(default = "yes")]
    pub use_acs_timeouts: bool,
    #[serde(default = "heartbeat")]
    pub heartbeat_secs: u64,
    #[serde(default)]
    pub identify_with: IdentifyWith,
    /// Send AC even when there is no terminal password (some ACSes insist on the field).
    #[serde(default = "yes")]
    pub send_empty_terminal_password: bool,
    /// Send AD (empty) on checkout, renew and end session (some ACSes insist on the field).
    #[serde(default)]
    pub send_empty_patron_password: bool,
    /// The three-digit SIP2 language code sent with patron requests (000 = unknown).
    #[serde(default = "language")]
    pub language: String,
    /// The "no block due date" of online checkouts and renewals: the transaction date (every
    /// ACS takes a date, and ignores it when no block = N); or blanks, as 3M kiosks send, which
    /// strict ACSes reject.
    #[serde(default)]
    pub nb_due_date: NbDueDate,
    /// Longest wait between reconnection attempts while the ACS is unreachable, in seconds.
    #[serde(default = "sixty")]
    pub reconnect_max_secs: u64,
}

/// An idle connection is looked at this often: a lost ACS is noticed within this time.
const LIVENESS: Duration = Duration::from_secs(5);

fn sixty() -> u64 {
    60
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NbDueDate {
    Blank,
    #[default]
    TransactionDate,
}

fn yes() -> bool {
    true
}
fn two() -> u32 {
    2
}
fn five() -> u64 {
    5
}
fn ten() -> u64 {
    10
}
fn heartbeat() -> u64 {
    240
}
fn language() -> String {
    "000".into()
}

/// How a card is identified: 63 also gives the e-mail address and lists; 23 is lighter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdentifyWith {
    #[default]
    PatronInformation,
    PatronStatus,
}

impl Sip2Section {
    pub fn framing(&self) -> Framing {
        Framing {
            error_detection: self.error_detection,
            charset: self.charset,
            terminator: match self.terminator {
                TerminatorSetting::Cr | TerminatorSetting::Auto => Terminator::Cr,
                TerminatorSetting::Crlf => Terminator::Crlf,
                TerminatorSetting::Lf => Terminator::Lf,
            },
        }
    }

    pub fn link(&self, password: Option<Secret>) -> LinkSettings {
        LinkSettings {
            host: self.host.clone(),
            port: self.port,
            tls: self.tls.clone(),
            framing: self.framing(),
            connect_timeout: Duration::from_secs(self.connect_timeout_secs),
            timeout: Duration::from_secs(self.timeout_secs),
            retries: self.retries,
            use_acs_timeouts: self.use_acs_timeouts,
            heartbeat: Duration::from_secs(self.heartbeat_secs),
            max_resends: 5,
            max_backoff: Duration::from_secs(self.reconnect_max_secs.max(1)),
            liveness: LIVENESS,
            login: self.login_user.as_ref().map(|user| LoginSettings {
                user: user.clone(),
                password: password.unwrap_or_else(|| Secret::new("")),
                location: self.location.clone(),
            }),
            detect_terminator: self.terminator == TerminatorSetting::Auto,
        }
    }
}

/// `terminator` in `[ils.sip2]`: what ends the kiosk's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TerminatorSetting {
    /// CR, the standard's (and what 3M and Bibliotheca machines send).
    #[default]
    Cr,
    Crlf,
    Lf,
    /// Start with CR and end messages as the ACS ends its replies; an ACS that never answers a
    /// CR is tried with CR LF on the next connection.
    Auto,
}
