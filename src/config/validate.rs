//! Checks a parsed configuration beyond its types: each rule names the key, what was expected
//! and what was found, so a technician can fix the file without reading code.

use super::{Config, ConfigError, IlsKind};
use std::path::Path;

impl Config {
    pub(super) fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        let invalid = |key: &str, expected: &str, found: String| {
            Err(ConfigError::Invalid {
                path: path.to_owned(),
                key: key.into(),
                expected: expected.into(),
                found,
            })
        };
        if let Some(logo) = &self.kiosk.logo
            && let Err(error) = std::fs::metadata(logo)
        {
            return invalid(
                "kiosk.logo",
                "a readable PNG or JPEG file",
                format!("{} ({error})", logo.display()),
            );
        }
        if let Some(problem) = self.hardware.problems().into_iter().next() {
            return Err(ConfigError::Hardware {
                path: path.to_owned(),
                problem,
            });
        }
        let id = &self.kiosk.id;
        let id_ok = !id.is_empty()
            && id.len() <= 32
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        if !id_ok {
            return invalid(
                "kiosk.id",
                "1 to 32 letters, digits, '-', '_' or '.'",
                format!("{id:?}"),
            );
        }
        if self.journal.statistics_retention_days == 0 {
            return invalid(
                "journal.statistics_retention_days",
                "at least 1 day (the default keeps three years)",
                "0".into(),
            );
        }
        if self.also_borrowed.min_sessions < crate::circ::also_borrowed::MIN_K {
            return invalid(
                "also_borrowed.min_sessions",
                "at least 3 visits (fewer could point at one reader)",
                self.also_borrowed.min_sessions.to_string(),
            );
        }
        let s = &self.session;
        if s.pin_attempts == 0 {
            return invalid("session.pin_attempts", "at least 1", "0".into());
        }
        if s.inactivity_timeout_secs < 10 {
            return invalid(
                "session.inactivity_timeout_secs",
                "at least 10 seconds",
                s.inactivity_timeout_secs.to_string(),
            );
        }
        if s.inactivity_warning_secs >= s.inactivity_timeout_secs {
            return invalid(
                "session.inactivity_warning_secs",
                &format!(
                    "less than session.inactivity_timeout_secs ({})",
                    s.inactivity_timeout_secs
                ),
                s.inactivity_warning_secs.to_string(),
            );
        }
        if s.max_items_per_session == 0 {
            return invalid("session.max_items_per_session", "at least 1", "0".into());
        }
        if s.receipt_choices.is_empty() {
            return invalid(
                "session.receipt_choices",
                "at least one of \"print\", \"email\", \"none\"",
                "an empty list".into(),
            );
        }
        for (index, choice) in s.receipt_choices.iter().enumerate() {
            if s.receipt_choices[..index].contains(choice) {
                return invalid(
                    "session.receipt_choices",
                    "each choice once",
                    format!("{choice:?} twice"),
                );
            }
        }
        for (key, rule) in [
            ("barcodes.patron", &self.barcodes.patron),
            ("barcodes.item", &self.barcodes.item),
        ] {
            if let Some(problem) = rule.as_ref().and_then(|r| r.problem()) {
                return invalid(key, "a consistent barcode rule", problem);
            }
        }
        if let Some(problem) = self.barcodes.qr.as_ref().and_then(|r| r.problem()) {
            return invalid("barcodes.qr", "a complete e-card QR rule", problem);
        }
        if let Some(url) = &self.suggestions.form_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return invalid(
                "suggestions.form_url",
                "a web address (https://…)",
                format!("{url:?}"),
            );
        }
        if let Some((key, expected, found)) = self.voice.problem() {
            return invalid(&key, expected, found);
        }
        if let Some((key, expected, found)) = self.promotion.problem() {
            return invalid(&key, expected, found);
        }
        if let Some(problem) = self.ils_http_problem() {
            return Err(ConfigError::Parse {
                path: path.to_owned(),
                message: problem,
            });
        }
        let sip2_needed = self.ils.kind == IlsKind::Sip2
            || self.ils.kind == IlsKind::Koha
                && self
                    .ils
                    .koha
                    .as_ref()
                    .is_some_and(|k| k.checkin == crate::ils::koha::CheckinRoute::Sip2);
        if sip2_needed {
            let Some(sip2) = &self.ils.sip2 else {
                return invalid(
                    "ils.sip2",
                    "a [ils.sip2] section when ils.kind = \"sip2\" (or Koha returns go through SIP2)",
                    "none".into(),
                );
            };
            if sip2.host.trim().is_empty() {
                return invalid(
                    "ils.sip2.host",
                    "the ACS's host name or address",
                    "\"\"".into(),
                );
            }
            if sip2.timeout_secs == 0 {
                return invalid("ils.sip2.timeout_secs", "at least 1", "0".into());
            }
            if sip2.heartbeat_secs < 10 {
                return invalid(
                    "ils.sip2.heartbeat_secs",
                    "at least 10",
                    sip2.heartbeat_secs.to_string(),
                );
            }
            if sip2.language.len() != 3 || !sip2.language.chars().all(|c| c.is_ascii_digit()) {
                return invalid(
                    "ils.sip2.language",
                    "three digits such as \"000\"",
                    format!("{:?}", sip2.language),
                );
            }
            let tls = sip2.tls.as_ref();
            if tls.is_some_and(|t| t.client_cert.is_some() != t.client_key.is_some()) {
                return invalid(
                    "ils.sip2.tls.client_key",
                    "client_cert and client_key both set, or neither",
                    "only one of them".into(),
                );
            }
        }
        if let Err(error) = tracing_subscriber::EnvFilter::try_new(&self.logging.level) {
            return invalid(
                "logging.level",
                "a level (error, warn, info, debug, trace) or a tracing filter",
                format!("{:?} ({error})", self.logging.level),
            );
        }
        Ok(())
    }

    /// A missing or inconsistent `[ils.folio]` / `[ils.koha]` section.
    fn ils_http_problem(&self) -> Option<String> {
        match self.ils.kind {
            IlsKind::Folio => match &self.ils.folio {
                None => Some("ils.kind = \"folio\" needs an [ils.folio] section".into()),
                Some(folio) => folio.problem(),
            },
            IlsKind::Koha => match &self.ils.koha {
                None => Some("ils.kind = \"koha\" needs an [ils.koha] section".into()),
                Some(koha) => koha.problem(),
            },
            IlsKind::Sim | IlsKind::Sip2 => None,
        }
    }
}
