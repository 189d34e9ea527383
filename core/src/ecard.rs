//! Electronic library cards (电子读者证): the QR code a reader shows from the library's app or
//! WeChat account. A 2D scanner reads it as text; the library's `[barcodes.qr]` rule turns that
//! text into the card number:
//!
//! - `plain`: the card number itself (after an optional prefix);
//! - `url`: a web address with the number in a named query parameter;
//! - `signed`: a token `CARD.EXPIRY.SIGNATURE` — EXPIRY in Unix seconds, SIGNATURE the unpadded
//!   base64url of an Ed25519 signature (64 bytes) or an HMAC-SHA256 tag (32 bytes) over the bytes
//!   `CARD|EXPIRY` — which the kiosk verifies offline with the configured key.
//!
//! The signature is checked here, purely. Whether a token is still valid and not used before is
//! asked of the journal ([`judge`] is its rule): it has the wall clock and remembers the tokens
//! used until they expire, across restarts, so a screenshot shared between friends works once.

use crate::barcode;
use crate::secret::Secret;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// Longest QR payload accepted from a scanner (e-card URLs and tokens are well under this).
pub const MAX_PAYLOAD_LEN: usize = 1024;

/// How far the app's clock and the kiosk's may disagree, in seconds, before a token counts as
/// expired (or as valid for too long).
pub const CLOCK_SKEW_SECS: i64 = 30;

/// How the library's app puts the card number in its QR code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QrFormat {
    Plain,
    Url,
    Signed,
}

/// What signs the library's tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenAlgorithm {
    /// The app's server signs with its private key; the kiosk holds only the public key.
    Ed25519,
    /// A key shared by the app's server and the kiosks (kept in the kiosk's secrets file).
    HmacSha256,
}

/// The library's rule for e-card QR codes (`[barcodes.qr]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QrRule {
    pub format: QrFormat,
    /// Text the app puts before the card or token (e.g. `LIBCARD:`); empty: none. With a
    /// prefix, only payloads that start with it are taken for e-cards.
    #[serde(default)]
    pub prefix: String,
    /// `url`: the query parameter holding the card number.
    #[serde(default = "QrRule::default_parameter")]
    pub url_parameter: String,
    /// `signed`: how tokens are signed.
    #[serde(default)]
    pub algorithm: Option<TokenAlgorithm>,
    /// `signed` with Ed25519: the app's public key, 32 bytes in base64 or as 64 hex digits.
    #[serde(default)]
    pub public_key: Option<String>,
    /// `signed`: a token valid for longer than this is refused (apps refresh their code every
    /// minute or so; a token that never expires is a card anyone can copy).
    #[serde(default = "QrRule::default_lifetime")]
    pub max_lifetime_secs: u64,
    /// `signed` with HMAC-SHA256: the shared key (base64), from the secrets file, never from
    /// the configuration.
    #[serde(skip)]
    pub hmac_key: Option<Secret>,
}

/// What a scanned text is under the library's rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QrRead {
    /// Not an e-card: an ordinary barcode (a plastic card, a book).
    NotECard,
    /// The card number, from a plain or URL code.
    Card(String),
    /// A genuine token: the kiosk must still ask the journal whether it is current and unused.
    Token(SignedCard),
    Refused(QrRefusal),
}

/// A token whose signature is the library's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCard {
    pub card: String,
    /// Unix seconds.
    pub expires: i64,
    /// Identifies the token among those used (SHA-256 of what was signed, hex): neither the card
    /// number nor anything that leads back to it is kept.
    pub digest: String,
}

/// Why an e-card code was not accepted on sight (whether a genuine token is current and unused
/// is the journal's [`TokenUse`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QrRefusal {
    /// It is meant to be an e-card but cannot be read as one (the reason, for the log).
    Unreadable(String),
    /// The signature is not the library's.
    Forged,
}

/// The journal's verdict on a genuine token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenUse {
    /// Current and never used: the reader signs in, and the token is now used.
    Fresh,
    Used,
    Expired,
    TooLongLived,
}

impl QrRule {
    fn default_parameter() -> String {
        "card".into()
    }
    fn default_lifetime() -> u64 {
        300
    }

    /// A problem with the rule itself, for `kiosk config check`.
    pub fn problem(&self) -> Option<String> {
        if self.format != QrFormat::Signed {
            return (self.format == QrFormat::Url && self.url_parameter.is_empty())
                .then(|| "url_parameter must name the query parameter holding the card".into());
        }
        if !(10..=86_400).contains(&self.max_lifetime_secs) {
            return Some("max_lifetime_secs must be between 10 and 86400".into());
        }
        match self.algorithm {
            None => Some("signed QR codes need algorithm = \"ed25519\" or \"hmac-sha256\"".into()),
            Some(TokenAlgorithm::Ed25519) => match self.public_key.as_deref() {
                None => Some("algorithm ed25519 needs public_key (32 bytes, base64 or hex)".into()),
                Some(text) => verifying_key(text).err(),
            },
            // The key itself comes with the secrets, later: see `missing_secret`.
            Some(TokenAlgorithm::HmacSha256) => {
                self.hmac_key.as_ref().and_then(|k| hmac_key(k).err())
            }
        }
    }

    /// What the secrets file must add for this rule (checked once the secrets are loaded).
    pub fn missing_secret(&self) -> Option<&'static str> {
        let needs_key = self.format == QrFormat::Signed
            && self.algorithm == Some(TokenAlgorithm::HmacSha256)
            && self.hmac_key.is_none();
        needs_key.then_some(
            "[barcodes.qr] algorithm hmac-sha256 needs qr_hmac_key (base64) in the secrets file",
        )
    }

    /// Reads a scanned text (trimmed) under this rule.
    pub fn read(&self, payload: &str) -> QrRead {
        let payload = payload.trim();
        let body = if self.prefix.is_empty() {
            payload
        } else {
            match payload.strip_prefix(self.prefix.as_str()) {
                Some(body) => body,
                None => return QrRead::NotECard,
            }
        };
        let prefixed = !self.prefix.is_empty();
        match self.format {
            // Without a prefix a plain code is just a barcode: the usual rules take it.
            QrFormat::Plain if !prefixed => QrRead::NotECard,
            QrFormat::Plain => card(body),
            QrFormat::Url => match query_of(body) {
                Some(query) => form_urlencoded::parse(query.as_bytes())
                    .find(|(name, _)| *name == self.url_parameter)
                    .map_or_else(
                        || unreadable(format!("no {:?} parameter", self.url_parameter)),
                        |(_, value)| card(&value),
                    ),
                None if prefixed => unreadable("not a web address".into()),
                None => QrRead::NotECard,
            },
            QrFormat::Signed => match token_parts(body) {
                Some((card_text, expiry, signature)) => self.verify(card_text, expiry, signature),
                None if prefixed => unreadable("not a CARD.EXPIRY.SIGNATURE token".into()),
                None => QrRead::NotECard,
            },
        }
    }

    fn verify(&self, card_text: &str, expiry: &str, signature: &str) -> QrRead {
        let Ok(expires) = expiry.parse::<i64>() else {
            return unreadable("the expiry is not a number".into());
        };
        let message = signed_message(card_text, expires);
        let Ok(signature) = URL_SAFE_NO_PAD.decode(signature) else {
            return QrRead::Refused(QrRefusal::Forged);
        };
        let genuine = match self.algorithm {
            Some(TokenAlgorithm::Ed25519) => {
                let key = self.public_key.as_deref().map(verifying_key);
                match (key, <[u8; 64]>::try_from(signature.as_slice())) {
                    (Some(Ok(key)), Ok(bytes)) => key
                        .verify_strict(message.as_bytes(), &Signature::from_bytes(&bytes))
                        .is_ok(),
                    _ => false,
                }
            }
            Some(TokenAlgorithm::HmacSha256) => match self.hmac_key.as_ref().map(hmac_key) {
                Some(Ok(key)) => match Hmac::<Sha256>::new_from_slice(&key) {
                    Ok(mut mac) => {
                        mac.update(message.as_bytes());
                        mac.verify_slice(&signature).is_ok()
                    }
                    Err(_) => false,
                },
                _ => false,
            },
            None => false,
        };
        if !genuine {
            return QrRead::Refused(QrRefusal::Forged);
        }
        match card(card_text) {
            QrRead::Card(card) => QrRead::Token(SignedCard {
                card,
                expires,
                digest: hex(&Sha256::digest(message.as_bytes())),
            }),
            other => other,
        }
    }
}

/// Whether a genuine token may be used at `now` (Unix seconds): the rule the journal applies
/// before it records the token as used.
pub fn judge(expires: i64, now: i64, max_lifetime_secs: u64) -> Result<(), TokenUse> {
    if expires.saturating_add(CLOCK_SKEW_SECS) < now {
        return Err(TokenUse::Expired);
    }
    let lifetime = i64::try_from(max_lifetime_secs).unwrap_or(i64::MAX);
    if expires > now.saturating_add(lifetime).saturating_add(CLOCK_SKEW_SECS) {
        return Err(TokenUse::TooLongLived);
    }
    Ok(())
}

/// The bytes a token's signature covers.
pub fn signed_message(card: &str, expires: i64) -> String {
    format!("{card}|{expires}")
}

/// A token signed with an Ed25519 private key (32 bytes): for the library's app developers'
/// tests and the demo; kiosks never hold the private key.
pub fn sign_ed25519(secret_key: &[u8; 32], card: &str, expires: i64) -> String {
    let key = SigningKey::from_bytes(secret_key);
    let signature = key.sign(signed_message(card, expires).as_bytes());
    format!(
        "{card}.{expires}.{}",
        URL_SAFE_NO_PAD.encode(signature.to_bytes())
    )
}

/// The public key (base64) that verifies tokens of [`sign_ed25519`] with this private key.
pub fn ed25519_public_key(secret_key: &[u8; 32]) -> String {
    STANDARD.encode(
        SigningKey::from_bytes(secret_key)
            .verifying_key()
            .to_bytes(),
    )
}

/// A token with an HMAC-SHA256 tag under `key`.
pub fn sign_hmac_sha256(key: &[u8], card: &str, expires: i64) -> Option<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).ok()?;
    mac.update(signed_message(card, expires).as_bytes());
    let tag = mac.finalize().into_bytes();
    Some(format!("{card}.{expires}.{}", URL_SAFE_NO_PAD.encode(tag)))
}

fn card(text: &str) -> QrRead {
    match barcode::clean(text) {
        Ok(card) => QrRead::Card(card),
        Err(error) => unreadable(format!("the card number in it: {error}")),
    }
}

fn unreadable(why: String) -> QrRead {
    QrRead::Refused(QrRefusal::Unreadable(why))
}

/// The query of an http(s) address, if `text` is one.
fn query_of(text: &str) -> Option<&str> {
    let scheme_end = text.find("://")?;
    if !matches!(
        text[..scheme_end].to_ascii_lowercase().as_str(),
        "http" | "https"
    ) {
        return None;
    }
    let rest = &text[scheme_end + 3..];
    let rest = rest.split('#').next().unwrap_or("");
    Some(rest.split_once('?').map_or("", |(_, query)| query))
}

/// `CARD.EXPIRY.SIGNATURE`, split from the right so a card number may hold dots.
fn token_parts(text: &str) -> Option<(&str, &str, &str)> {
    let mut parts = text.rsplitn(3, '.');
    let signature = parts.next()?;
    let expiry = parts.next()?;
    let card = parts.next()?;
    let base64url = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let shaped = !card.is_empty()
        && (1..=12).contains(&expiry.len())
        && expiry.chars().all(|c| c.is_ascii_digit())
        // One spelling per token: `0179…` would pass as another code for the same signature.
        && !(expiry.len() > 1 && expiry.starts_with('0'))
        && signature.len() >= 16
        && signature.chars().all(base64url);
    shaped.then_some((card, expiry, signature))
}

fn key_bytes(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    // 64 hex digits is a 32-byte key in hex (base64 of 32 bytes is 43 or 44 characters).
    if text.len() == 64 && text.chars().all(|c| c.is_ascii_hexdigit()) {
        return (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
            .collect();
    }
    STANDARD
        .decode(text)
        .or_else(|_| URL_SAFE_NO_PAD.decode(text))
        .ok()
}

fn verifying_key(text: &str) -> Result<VerifyingKey, String> {
    let bytes = key_bytes(text).ok_or("public_key is neither base64 nor hex")?;
    let bytes = <[u8; 32]>::try_from(bytes.as_slice())
        .map_err(|_| format!("public_key is {} bytes; Ed25519 keys are 32", bytes.len()))?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| "public_key is not an Ed25519 key".into())
}

fn hmac_key(secret: &Secret) -> Result<Vec<u8>, String> {
    let key = key_bytes(secret.expose()).ok_or("qr_hmac_key is neither base64 nor hex")?;
    if key.len() < 16 {
        return Err(format!(
            "qr_hmac_key is {} bytes; use at least 16 (32 random bytes is usual)",
            key.len()
        ));
    }
    Ok(key)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests;
