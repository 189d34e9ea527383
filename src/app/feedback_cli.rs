//! `kiosk feedback …`: the suggestions readers left, for staff — listed, or exported for a
//! spreadsheet or a script.

use super::AppError;
use super::cli::{FeedbackAction, FeedbackArgs, FeedbackFormat};
use super::start::StartError;
use crate::config::Config;
use crate::queue::journal::{Journal, JournalSettings, KeptSuggestion};
use std::io::Write;
use std::time::Duration;

/// `YYYY-MM-DD` is the start of that day (UTC, as the journal stamps them); a full time is
/// taken as given.
fn since_utc(since: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(text) = since else {
        return Ok(None);
    };
    if let Ok(day) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(Some(format!("{day}T00:00:00")));
    }
    if chrono::DateTime::parse_from_rfc3339(text).is_ok() {
        return Ok(Some(text.to_owned()));
    }
    Err(AppError::Usage(format!(
        "--since: expected YYYY-MM-DD or an RFC 3339 time, found {text:?}"
    )))
}

pub fn run(args: FeedbackArgs) -> Result<(), AppError> {
    let config = Config::load(&args.config)?;
    super::init_logging("warn");
    let settings = JournalSettings {
        kiosk: config.kiosk.id.clone(),
        patron_retention: Duration::ZERO,
    };
    let journal = Journal::open(&config.journal.path, settings)
        .map_err(|e| AppError::Start(StartError::Journal(e)))?
        .journal;
    let (since, json, format, output) = match args.action {
        FeedbackAction::List { since, json } => (since, json, None, None),
        FeedbackAction::Export {
            format,
            since,
            output,
        } => (since, false, Some(format), output),
    };
    let rows = journal
        .suggestions(since_utc(since.as_deref())?.as_deref())
        .map_err(|e| AppError::Start(StartError::Journal(e)))?;
    let text = match format {
        Some(FeedbackFormat::Csv) => csv(&rows),
        Some(FeedbackFormat::Jsonl) => jsonl(&rows),
        None if json => serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n",
        None => table(&rows),
    };
    match output {
        Some(path) => std::fs::write(&path, text)
            .map_err(|e| AppError::Usage(format!("cannot write {}: {e}", path.display()))),
        None => Ok(std::io::stdout().lock().write_all(text.as_bytes())?),
    }
}

fn what(row: &KeptSuggestion) -> String {
    match (&row.isbn, &row.topic) {
        (Some(isbn), _) => format!("buy ISBN {isbn}"),
        (None, Some(topic)) => topic.replace('_', " "),
        (None, None) => String::new(),
    }
}

fn table(rows: &[KeptSuggestion]) -> String {
    if rows.is_empty() {
        return "(none)\n".into();
    }
    rows.iter()
        .map(|r| {
            format!(
                "{:<32} {:<26} {:<28} {:<6} koha {:<8} endpoint {:<8} {}\n",
                r.key,
                r.created_utc,
                what(r),
                r.language,
                r.koha,
                r.endpoint,
                r.patron
                    .as_deref()
                    .map_or("anonymous".into(), |p| format!("reply to {p}"))
            )
        })
        .collect()
}

fn jsonl(rows: &[KeptSuggestion]) -> String {
    rows.iter()
        .filter_map(|r| serde_json::to_string(r).ok())
        .map(|line| line + "\n")
        .collect()
}

/// UTF-8 with a byte-order mark, so Excel and WPS open the Chinese correctly.
fn csv(rows: &[KeptSuggestion]) -> String {
    let field = |text: &str| {
        if text.contains([',', '"', '\n']) {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text.to_owned()
        }
    };
    let mut out =
        String::from("\u{feff}key,created_utc,kind,isbn,topic,language,reply_to,koha,endpoint\n");
    for r in rows {
        let line = [
            r.key.as_str(),
            &r.created_utc,
            &r.kind,
            r.isbn.as_deref().unwrap_or(""),
            r.topic.as_deref().unwrap_or(""),
            &r.language,
            r.patron.as_deref().unwrap_or(""),
            &r.koha,
            &r.endpoint,
        ]
        .map(field)
        .join(",");
        out.push_str(&line);
        out.push('\n');
    }
    out
}
