//! Secrets (the ILS password, the staff PIN hash) live outside the main configuration: in a
//! file only the kiosk user can read, or in environment variables (systemd `LoadCredential`,
//! `EnvironmentFile`). They never reach a log line: [`Secret`] prints as a mask.

use serde::Deserialize;
use std::path::{Path, PathBuf};
use thiserror::Error;

pub const ILS_PASSWORD_ENV: &str = "KIOSK_ILS_PASSWORD";
/// Where systemd puts the service's credentials (`LoadCredential=`).
pub const CREDENTIALS_ENV: &str = "CREDENTIALS_DIRECTORY";
pub const STAFF_PIN_HASH_ENV: &str = "KIOSK_STAFF_PIN_HASH";
pub const TERMINAL_PASSWORD_ENV: &str = "KIOSK_TERMINAL_PASSWORD";
pub const QR_HMAC_KEY_ENV: &str = "KIOSK_QR_HMAC_KEY";
pub const METRICS_TOKEN_ENV: &str = "KIOSK_METRICS_TOKEN";

pub use kiosk_core::secret::Secret;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Secrets {
    /// The kiosk's password at the ILS (SIP2 login CO, HTTP API password).
    pub ils_password: Option<Secret>,
    /// The staff PIN for the technician mode, as an argon2 PHC string.
    pub staff_pin_hash: Option<Secret>,
    /// The SIP2 terminal password (AC), for ACSes that use one.
    pub terminal_password: Option<Secret>,
    /// The key e-card QR tokens are signed with, for `[barcodes.qr] algorithm = "hmac-sha256"`
    /// (base64, at least 16 bytes).
    pub qr_hmac_key: Option<Secret>,
    /// The bearer token a Prometheus scrape of `[metrics] listen` must send.
    pub metrics_token: Option<Secret>,
}

#[derive(Debug, Error)]
pub enum SecretsError {
    #[error("cannot read the secrets file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The message never quotes the file's text: it would show the secret.
    #[error("the secrets file {path} is not valid at line {line}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

impl Secrets {
    /// Reads the secrets file (if any), then lets the environment override it.
    pub fn load(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Secrets, SecretsError> {
        let mut secrets = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| SecretsError::Read {
                    path: path.to_owned(),
                    source,
                })?;
                toml::from_str::<Secrets>(&text).map_err(|error| SecretsError::Parse {
                    path: path.to_owned(),
                    line: error
                        .span()
                        .map_or(0, |span| text[..span.start].matches('\n').count() + 1),
                    message: error.message().to_owned(),
                })?
            }
            None => Secrets::default(),
        };
        // systemd's credentials (`LoadCredential=ils_password:/etc/kiosk/ils_password`): a
        // file per secret, named as the secrets file's keys, readable by this service only.
        if let Some(dir) = env(CREDENTIALS_ENV).filter(|d| !d.is_empty()) {
            let dir = PathBuf::from(dir);
            let credential = |name: &str| -> Result<Option<Secret>, SecretsError> {
                let path = dir.join(name);
                match std::fs::read_to_string(&path) {
                    Ok(text) => Ok(Some(text.trim_end_matches(['\n', '\r']).to_owned())
                        .filter(|t| !t.is_empty())
                        .map(Secret::new)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(source) => Err(SecretsError::Read { path, source }),
                }
            };
            if let Some(secret) = credential("ils_password")? {
                secrets.ils_password = Some(secret);
            }
            if let Some(secret) = credential("staff_pin_hash")? {
                secrets.staff_pin_hash = Some(secret);
            }
            if let Some(secret) = credential("terminal_password")? {
                secrets.terminal_password = Some(secret);
            }
            if let Some(secret) = credential("qr_hmac_key")? {
                secrets.qr_hmac_key = Some(secret);
            }
            if let Some(secret) = credential("metrics_token")? {
                secrets.metrics_token = Some(secret);
            }
        }
        let from_env = |name: &str| env(name).filter(|v| !v.is_empty()).map(Secret::new);
        if let Some(password) = from_env(ILS_PASSWORD_ENV) {
            secrets.ils_password = Some(password);
        }
        if let Some(hash) = from_env(STAFF_PIN_HASH_ENV) {
            secrets.staff_pin_hash = Some(hash);
        }
        if let Some(password) = from_env(TERMINAL_PASSWORD_ENV) {
            secrets.terminal_password = Some(password);
        }
        if let Some(key) = from_env(QR_HMAC_KEY_ENV) {
            secrets.qr_hmac_key = Some(key);
        }
        if let Some(token) = from_env(METRICS_TOKEN_ENV) {
            secrets.metrics_token = Some(token);
        }
        Ok(secrets)
    }

    /// Problems worth a technician's attention that do not stop the kiosk.
    pub fn warnings(file: Option<&Path>) -> Vec<String> {
        let mut warnings = Vec::new();
        #[cfg(unix)]
        if let Some(path) = file {
            use std::os::unix::fs::PermissionsExt;
            if let Ok(meta) = std::fs::metadata(path) {
                let mode = meta.permissions().mode();
                if mode & 0o077 != 0 {
                    warnings.push(format!(
                        "the secrets file {} can be read by other users (mode {:o}); run: chmod 600 {}",
                        path.display(),
                        mode & 0o777,
                        path.display()
                    ));
                }
            }
        }
        warnings
    }
}
