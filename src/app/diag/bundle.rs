//! `kiosk diag bundle OUT.tar.gz`: what whoever comes next needs — the configuration, the
//! diagnosis, the journal's statistics and the recent log — and nothing they must not have:
//! no secret, no patron identifier.

use super::{Options, report};
use crate::app::AppError;
use crate::config::Config;
use crate::config::secrets::Secrets;
use crate::queue::State;
use crate::queue::journal::{Journal, JournalError, Opened};
use kiosk_hw::barcode::{BarcodeKind, BarcodeRules};
use serde_json::json;
use std::collections::HashSet;
use std::path::Path;

/// Lines of log taken, newest last.
const LOG_LINES: usize = 2000;

/// Writes the bundle; returns the names of the files in it.
pub fn write(
    config_path: &Path,
    config: &Config,
    secrets: &Secrets,
    out: &Path,
) -> Result<Vec<String>, AppError> {
    // Opened once: for the statistics and for the patron ids to scrub.
    let opened = super::existing_journal(config);
    let journal = match &opened {
        Some(Ok(opened)) => Some(&opened.journal),
        _ => None,
    };
    let scrubber = Scrubber::new(journal, config, secrets);
    let mut files: Vec<(&str, String)> = Vec::new();
    let text = std::fs::read_to_string(config_path).map_err(AppError::Output)?;
    files.push(("config.toml", redact_config(&text)));
    let diagnosis = report(config, secrets, Options::default())?;
    let diagnosis = serde_json::to_string_pretty(&diagnosis).map_err(std::io::Error::other)?;
    files.push(("diag.json", scrubber.scrub(&diagnosis)));
    files.push(("journal.json", journal_statistics(&opened)));
    files.push(("log.txt", scrubber.scrub(&recent_log(config))));
    files.push((
        "README.txt",
        format!(
            "Support bundle of kiosk {} ({}), made {} by kiosk {}.\n\n\
             config.toml   the configuration (the secrets file is not included)\n\
             diag.json     kiosk diag --json, passive checks\n\
             journal.json  counts of transactions by state and day (no identifiers)\n\
             log.txt       the last {LOG_LINES} log lines; patron identifiers and secrets replaced\n",
            config.kiosk.id,
            config.kiosk.library_name,
            chrono::Local::now().format("%Y-%m-%d %H:%M:%S %Z"),
            env!("CARGO_PKG_VERSION"),
        ),
    ));
    let file = std::fs::File::create(out).map_err(AppError::Output)?;
    let gzip = flate2::write::GzEncoder::new(file, flate2::Compression::default());
    let mut tar = tar::Builder::new(gzip);
    let folder = format!("kiosk-bundle-{}", config.kiosk.id);
    for (name, content) in &files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o600);
        header.set_mtime(chrono::Utc::now().timestamp().max(0) as u64);
        header.set_cksum();
        tar.append_data(&mut header, format!("{folder}/{name}"), content.as_bytes())
            .map_err(AppError::Output)?;
    }
    tar.into_inner()
        .and_then(|gzip| gzip.finish())
        .map_err(AppError::Output)?;
    Ok(files
        .iter()
        .map(|(name, _)| format!("{folder}/{name}"))
        .collect())
}

/// The configuration as written, with any value whose key names a secret replaced (the main
/// file refuses secrets, but a hand-edited one is not trusted).
fn redact_config(text: &str) -> String {
    text.lines()
        .map(|line| {
            let key = line.split('=').next().unwrap_or("").trim().to_lowercase();
            let secret = ["password", "secret", "token", "pin_hash"]
                .iter()
                .any(|word| key.contains(word));
            if secret && line.contains('=') && !line.trim_start().starts_with('#') {
                format!(
                    "{} = \"[redacted]\"",
                    line.split('=').next().unwrap_or("").trim_end()
                )
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn journal_statistics(opened: &Option<std::result::Result<Opened, JournalError>>) -> String {
    let journal = match opened {
        None => return json!({"journal": "none on this machine"}).to_string(),
        Some(Err(error)) => return json!({"error": error.to_string()}).to_string(),
        Some(Ok(opened)) => &opened.journal,
    };
    let counts = journal.counts().unwrap_or_default();
    let waiting = State::total(&counts, &State::WAITING);
    let counts: serde_json::Map<String, serde_json::Value> = counts
        .into_iter()
        .map(|(state, n)| (state.as_str().to_owned(), json!(n)))
        .collect();
    let hourly: Vec<serde_json::Value> = journal
        .hourly_counts()
        .unwrap_or_default()
        .into_iter()
        .map(|h| serde_json::to_value(h).unwrap_or_default())
        .collect();
    let visits =
        serde_json::to_value(journal.visit_counts().unwrap_or_default()).unwrap_or_default();
    let oldest = journal
        .oldest_waiting()
        .ok()
        .flatten()
        .map(|r| r.local_time);
    let doc = json!({
        "counts_by_state": counts,
        "waiting": waiting,
        "oldest_waiting_local_time": oldest,
        "hourly_counts": hourly,
        "visit_counts": visits,
        "blocked_patrons_cached": journal.blocked_count().unwrap_or(0),
        "last_replay_utc": journal.meta("last_replay_utc").ok().flatten(),
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// The last lines of the configured log files (oldest file first).
fn recent_log(config: &Config) -> String {
    let Some(file) = &config.logging.file else {
        return "No log file is configured ([logging] file); the log went to the system journal: \
                journalctl -u kiosk"
            .into();
    };
    let logs = crate::app::log_files(file);
    let mut lines: Vec<String> = Vec::new();
    for path in logs {
        if let Ok(text) = std::fs::read_to_string(&path) {
            lines.extend(text.lines().map(str::to_owned));
        }
    }
    let start = lines.len().saturating_sub(LOG_LINES);
    lines[start..].join("\n")
}

/// Replaces patron identifiers and secrets in text.
struct Scrubber {
    patrons: HashSet<String>,
    secrets: Vec<String>,
    rules: BarcodeRules,
}

/// Log fields whose value is a person's identifier whatever it looks like.
const PERSONAL_KEYS: [&str; 4] = ["patron=", "card=", "uid=", "patron\":\""];

impl Scrubber {
    fn new(journal: Option<&Journal>, config: &Config, secrets: &Secrets) -> Scrubber {
        let patrons: HashSet<String> = journal
            .and_then(|j| j.list(None, None).ok())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|record| record.patron)
            .collect();
        let secrets = [
            &secrets.ils_password,
            &secrets.terminal_password,
            &secrets.staff_pin_hash,
        ]
        .into_iter()
        .flatten()
        .map(|s| s.expose().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
        Scrubber {
            patrons,
            secrets,
            rules: config.policy(false, true).barcodes,
        }
    }

    fn scrub(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for secret in &self.secrets {
            text = text.replace(secret.as_str(), "[secret]");
        }
        let mut out = String::with_capacity(text.len());
        let mut token = String::new();
        for c in text.chars().chain(std::iter::once('\n')) {
            if c.is_ascii_alphanumeric() {
                token.push(c);
                continue;
            }
            if !token.is_empty() {
                let after_key = PERSONAL_KEYS.iter().any(|k| out.ends_with(k));
                let personal = after_key
                    || self.patrons.contains(&token)
                    || (token.len() >= 6 && self.rules.classify(&token) == BarcodeKind::Patron);
                out.push_str(if personal { "[patron]" } else { &token });
                token.clear();
            }
            out.push(c);
        }
        out.pop();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys_are_redacted_and_comments_kept() {
        let text = "[ils]\nkind = \"sip2\"\n# password = \"example\"\nils_password = \"hunter2\"\n";
        let redacted = redact_config(text);
        assert!(!redacted.contains("hunter2"));
        assert!(redacted.contains("ils_password = \"[redacted]\""));
        assert!(redacted.contains("# password = \"example\""));
    }
}
