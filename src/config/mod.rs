//! The kiosk's configuration: one TOML file (documented key by key in `kiosk.example.toml`),
//! plus secrets kept elsewhere (see [`secrets`]).
//!
//! Unknown keys are errors, and every message names the key, what was expected and what was
//! found, so a technician can fix the file without reading code.

mod layout;
pub mod packaged;
pub mod secrets;
mod validate;

pub use layout::{MachineLayout, Side};

use crate::circ::policy::{OfflineMode, OfflinePolicy};
use crate::circ::{CardUidFormat, Language, Policy, ReceiptChoice};
use crate::ils::sip2::adapter::Sip2Section;
use kiosk_hw::barcode::BarcodeRules;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;
use thiserror::Error;

/// The example configuration, which is also what `kiosk demo` runs with.
pub const EXAMPLE: &str = include_str!("../../kiosk.example.toml");

/// The simulated library app's signing key for e-card QR codes, in the demo only: it is public,
/// so no real library may use it.
pub const DEMO_APP_KEY: &[u8; 32] = b"kiosk-demo-app-key-not-a-secret!";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub kiosk: KioskSection,
    #[serde(default)]
    pub session: SessionSection,
    #[serde(default)]
    pub barcodes: BarcodeRules,
    #[serde(default)]
    pub card_reader: CardReaderSection,
    pub ils: IlsSection,
    #[serde(default)]
    pub offline: OfflineSection,
    #[serde(default)]
    pub satisfaction: SatisfactionSection,
    #[serde(default)]
    pub also_borrowed: AlsoBorrowedSection,
    #[serde(default)]
    pub suggestions: SuggestionsSection,
    /// The attract screen's slides.
    #[serde(default)]
    pub promotion: crate::promotion::PromotionSection,
    /// Spoken prompts.
    #[serde(default)]
    pub voice: crate::voice::VoiceSection,
    #[serde(default)]
    pub journal: JournalSection,
    #[serde(default)]
    pub logging: LoggingSection,
    /// The Prometheus endpoint a library's monitoring scrapes.
    #[serde(default)]
    pub metrics: MetricsSection,
    #[serde(default)]
    pub secrets: SecretsSection,
    /// The devices fitted and their wiring (defined with the drivers, in `kiosk-hw`).
    #[serde(default)]
    pub hardware: kiosk_hw::config::HwConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KioskSection {
    /// Names this machine in the journal, the logs and at the ILS.
    pub id: String,
    #[serde(default = "default_library_name")]
    pub library_name: String,
    /// The language the attract screen starts in.
    #[serde(default = "default_language")]
    pub language: Language,
    /// The library's logo on the attract screen (PNG or JPEG).
    #[serde(default)]
    pub logo: Option<PathBuf>,
    /// A short announcement on the attract screen (opening hours, a closure).
    #[serde(default)]
    pub announcement: String,
    /// Where the parts readers use are, seen from the screen: the illustrations point there.
    #[serde(default)]
    pub layout: MachineLayout,
}

fn default_library_name() -> String {
    "Library".into()
}

fn default_language() -> Language {
    Language::ZhCn
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionSection {
    pub pin_required: bool,
    pub pin_attempts: u32,
    pub pin_lockout_secs: u64,
    pub inactivity_timeout_secs: u64,
    pub inactivity_warning_secs: u64,
    pub duplicate_window_secs: u64,
    pub max_items_per_session: u32,
    pub returns_without_card: bool,
    pub return_idle_secs: u64,
    pub goodbye_secs: u64,
    pub receipt_choices: Vec<ReceiptChoice>,
}

impl Default for SessionSection {
    fn default() -> Self {
        let p = Policy::default();
        SessionSection {
            pin_required: p.pin_required,
            pin_attempts: p.pin_attempts,
            pin_lockout_secs: p.pin_lockout.as_secs(),
            inactivity_timeout_secs: p.inactivity_timeout.as_secs(),
            inactivity_warning_secs: p.inactivity_warning.as_secs(),
            duplicate_window_secs: p.duplicate_window.as_secs(),
            max_items_per_session: p.max_items_per_session,
            returns_without_card: p.returns_without_card,
            return_idle_secs: p.return_idle_pause.as_secs(),
            goodbye_secs: p.goodbye.as_secs(),
            receipt_choices: p.receipt_choices,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardReaderSection {
    pub uid_format: CardUidFormat,
}

impl Default for CardReaderSection {
    fn default() -> Self {
        CardReaderSection {
            uid_format: CardUidFormat::HexUpper,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IlsSection {
    pub kind: IlsKind,
    #[serde(default)]
    pub sim: SimSection,
    /// Required when `kind = "sip2"`, and for Koha's returns when `[ils.koha] checkin = "sip2"`.
    #[serde(default)]
    pub sip2: Option<Sip2Section>,
    /// Required when `kind = "folio"`.
    #[serde(default)]
    pub folio: Option<crate::ils::folio::FolioSection>,
    /// Required when `kind = "koha"`.
    #[serde(default)]
    pub koha: Option<crate::ils::koha::KohaSection>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IlsKind {
    /// The simulated ILS, in process.
    Sim,
    /// An ILS over SIP2 (Koha, Evergreen, FOLIO edge-sip2, Alma, Symphony, Sierra, Polaris…).
    Sip2,
    /// FOLIO over Okapi's HTTP API.
    Folio,
    /// Koha's REST API (returns through SIP2 to the same Koha, see `[ils.koha]`).
    Koha,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimSection {
    /// A seed file instead of the built-in one.
    pub seed: Option<PathBuf>,
    /// The terminal user to log in as, when the seed requires a login.
    pub terminal_user: Option<String>,
}

/// What the kiosk does while the ILS is unreachable.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OfflineSection {
    pub mode: OfflineMode,
    pub max_items_per_session: u32,
    /// Loan period given to readers while offline, in days (due at the end of that day).
    pub loan_days: u32,
    /// How often the queue is tried again after the link failed, in seconds.
    pub retry_secs: u64,
}

impl Default for OfflineSection {
    fn default() -> Self {
        OfflineSection {
            mode: OfflineMode::Full,
            max_items_per_session: 5,
            loan_days: 14,
            retry_secs: 30,
        }
    }
}

/// The one-tap satisfaction question on the goodbye screen (满意度).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SatisfactionSection {
    pub enabled: bool,
    /// Asked on one visit in this many (1: every visit).
    pub ask_one_in: u32,
    /// The library's own wording of the question; empty: the kiosk's ("How was it?").
    pub question_en: String,
    pub question_zh: String,
}

impl Default for SatisfactionSection {
    fn default() -> Self {
        SatisfactionSection {
            enabled: true,
            ask_one_in: 1,
            question_en: String::new(),
            question_zh: String::new(),
        }
    }
}

/// `[suggestions]`: where suggestions go besides the journal.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SuggestionsSection {
    /// The library's endpoint (its CMS, a form service) that takes each suggestion as a JSON
    /// POST, e.g. `https://www.library.example.org/api/kiosk-suggestions`.
    pub endpoint: Option<String>,
    /// The library's own feedback form (a web page readers open on their phone, for anything
    /// longer than a tap): shown as a QR code on the suggestions page.
    pub form_url: Option<String>,
    /// With `ils.kind = "koha"`: purchase suggestions also go into Koha's own suggestions.
    pub koha: bool,
    /// After a failed delivery, wait this long before the next, in seconds.
    pub retry_secs: u64,
    pub http: crate::ils::http::HttpSettings,
}

impl Default for SuggestionsSection {
    fn default() -> Self {
        SuggestionsSection {
            endpoint: None,
            form_url: None,
            koha: true,
            retry_secs: 60,
            http: crate::ils::http::HttpSettings::default(),
        }
    }
}

/// "Readers who borrowed this also borrowed …" on the goodbye screen and the receipt.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlsoBorrowedSection {
    /// Off by default: nothing is counted.
    pub enabled: bool,
    /// The fewest visits a pair must have been seen in (here and imported) to be shown.
    pub min_sessions: u32,
    /// Pairs imported when the journal opens: the demo's made-up library's (not a key of the
    /// file; a real kiosk imports with `kiosk stats import-pairs`).
    #[serde(skip)]
    pub demo_pairs: Vec<crate::queue::journal::PairCount>,
}

impl Default for AlsoBorrowedSection {
    fn default() -> Self {
        AlsoBorrowedSection {
            enabled: false,
            min_sessions: 5,
            demo_pairs: Vec::new(),
        }
    }
}

/// Where transactions are recorded, and how long patron ids stay.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JournalSection {
    pub path: PathBuf,
    /// Days a patron id stays on a transaction the ILS has; 0 erases it at once.
    pub patron_retention_days: u32,
    /// Days the anonymous statistics are kept (hourly counts, satisfaction answers).
    pub statistics_retention_days: u32,
}

impl Default for JournalSection {
    fn default() -> Self {
        JournalSection {
            path: PathBuf::from("/var/lib/kiosk/journal.db"),
            patron_retention_days: 0,
            statistics_retention_days: crate::queue::journal::STATISTICS_RETENTION_DAYS,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LoggingSection {
    /// A tracing filter: `info`, `debug`, or per module (`info,kiosk::ils=debug`).
    pub level: String,
    /// Also write the log here, a file a day (`kiosk.log.2026-11-29`), the last 14 kept; the
    /// technician's screen and `kiosk diag bundle` read it.
    pub file: Option<PathBuf>,
}

impl Default for LoggingSection {
    fn default() -> Self {
        LoggingSection {
            level: "info".into(),
            file: None,
        }
    }
}

/// `[metrics]`: off unless an address is given. The optional bearer token is a secret
/// (`metrics_token` in the secrets file).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSection {
    /// Where `/metrics` is served, e.g. `0.0.0.0:9464` (Prometheus's port for this kind of
    /// exporter); none: no endpoint.
    pub listen: Option<std::net::SocketAddr>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsSection {
    /// A TOML file with `ils_password` and `staff_pin_hash`, readable only by the kiosk user.
    pub file: Option<PathBuf>,
}

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{path}: key `{key}`: expected {expected}, found {found}")]
    Invalid {
        path: PathBuf,
        key: String,
        expected: String,
        found: String,
    },
    #[error(
        "{path}: key `{key}` holds a secret; secrets do not belong in the main file. Put it in the \
         secrets file (`[secrets] file`) as `{secret}`, or set {env}"
    )]
    SecretInMainFile {
        path: PathBuf,
        key: String,
        secret: &'static str,
        env: &'static str,
    },
    #[error(transparent)]
    Secrets(#[from] secrets::SecretsError),
    /// A wiring mistake; the problem names the key.
    #[error("{path}: {problem}")]
    Hardware { path: PathBuf, problem: String },
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Config::parse(&text, path)
    }

    /// The configuration `kiosk demo` runs with: the example file as shipped.
    pub fn demo() -> Config {
        // A unit test proves the example parses; failing here is a build defect.
        let mut config = Config::parse(EXAMPLE, Path::new("kiosk.example.toml"))
            .expect("the example config is valid");
        // The demo leaves nothing on disk and runs the simulated machine.
        config.journal.path = PathBuf::from(":memory:");
        config.hardware.backend = kiosk_hw::config::Backend::Sim;
        // "Also borrowed", with pairs as if the library had computed them from its loans.
        config.also_borrowed.enabled = true;
        config.also_borrowed.demo_pairs = [
            ("三体", "球状闪电", 12),
            ("活着", "许三观卖血记", 8),
            ("The Left Hand of Darkness", "The Dispossessed", 6),
        ]
        .into_iter()
        .map(|(a, b, sessions)| crate::queue::journal::PairCount {
            a: a.into(),
            b: b.into(),
            sessions,
        })
        .collect();
        // The simulated library's feedback form, so the demo shows where it goes.
        config.suggestions.form_url = Some("https://www.library.example.org/feedback".into());
        // The simulated library's app signs e-card QR codes (the devices panel shows one).
        config.barcodes.qr = Some(kiosk_core::ecard::QrRule {
            format: kiosk_core::ecard::QrFormat::Signed,
            prefix: String::new(),
            url_parameter: "card".into(),
            algorithm: Some(kiosk_core::ecard::TokenAlgorithm::Ed25519),
            public_key: Some(kiosk_core::ecard::ed25519_public_key(DEMO_APP_KEY)),
            max_lifetime_secs: 300,
            hmac_key: None,
        });
        config
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let parse_error = |message: String| ConfigError::Parse {
            path: path.to_owned(),
            message,
        };
        let value: toml::Table = toml::from_str(text).map_err(|e| parse_error(e.to_string()))?;
        refuse_secrets(&value, "", path)?;
        let config: Config = toml::from_str(text).map_err(|e| parse_error(e.to_string()))?;
        config.validate(path)?;
        Ok(config)
    }

    /// The session rules; `email_receipts` says whether the configured ILS can e-mail.
    pub fn policy(&self, email_receipts: bool, returns: bool) -> Policy {
        let s = &self.session;
        Policy {
            pin_required: s.pin_required,
            pin_attempts: s.pin_attempts,
            pin_lockout: Duration::from_secs(s.pin_lockout_secs),
            inactivity_timeout: Duration::from_secs(s.inactivity_timeout_secs),
            inactivity_warning: Duration::from_secs(s.inactivity_warning_secs),
            duplicate_window: Duration::from_secs(s.duplicate_window_secs),
            max_items_per_session: s.max_items_per_session,
            returns_without_card: s.returns_without_card && returns,
            return_idle_pause: Duration::from_secs(s.return_idle_secs),
            goodbye: Duration::from_secs(s.goodbye_secs),
            receipt_choices: s.receipt_choices.clone(),
            email_receipts,
            returns,
            barcodes: self.barcodes.clone(),
            card_uid_format: self.card_reader.uid_format,
            language: self.kiosk.language,
            offline: OfflinePolicy {
                mode: self.offline.mode,
                max_items: self.offline.max_items_per_session,
            },
            satisfaction: crate::circ::satisfaction::SatisfactionPolicy {
                enabled: self.satisfaction.enabled,
                every: self.satisfaction.ask_one_in.max(1),
            },
            also_borrowed: self
                .also_borrowed
                .enabled
                .then_some(self.also_borrowed.min_sessions),
        }
    }
}

/// Keys that hold secrets, wherever they appear, and where the secret belongs instead.
const SECRET_KEYS: [(&str, &str, &str); 7] = [
    ("hmac_key", "qr_hmac_key", secrets::QR_HMAC_KEY_ENV),
    ("qr_hmac_key", "qr_hmac_key", secrets::QR_HMAC_KEY_ENV),
    (
        "terminal_password",
        "terminal_password",
        secrets::TERMINAL_PASSWORD_ENV,
    ),
    ("password", "ils_password", secrets::ILS_PASSWORD_ENV),
    ("ils_password", "ils_password", secrets::ILS_PASSWORD_ENV),
    ("staff_pin", "staff_pin_hash", secrets::STAFF_PIN_HASH_ENV),
    (
        "staff_pin_hash",
        "staff_pin_hash",
        secrets::STAFF_PIN_HASH_ENV,
    ),
];

fn refuse_secrets(table: &toml::Table, prefix: &str, path: &Path) -> Result<(), ConfigError> {
    for (key, value) in table {
        let full = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        if let Some((_, secret, env)) = SECRET_KEYS.iter().find(|(k, _, _)| k == key) {
            return Err(ConfigError::SecretInMainFile {
                path: path.to_owned(),
                key: full,
                secret,
                env,
            });
        }
        if let toml::Value::Table(inner) = value {
            refuse_secrets(inner, &full, path)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
