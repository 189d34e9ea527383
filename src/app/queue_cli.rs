//! `kiosk queue …`: the staff tools around the journal and the offline queue.

use super::AppError;
use super::cli::{ExportFormat, JournalSource, QueueAction, QueueArgs};
use super::clock::Clock;
use super::start::{self, StartError};
use crate::circ::types::Block;
use crate::config::secrets::Secrets;
use crate::config::{Config, ConfigError};
use crate::queue::backoffice::block_name;
use crate::queue::journal::{Journal, JournalError, JournalSettings, Record};
use crate::queue::replay::{ReplaySettings, replay_round};
use crate::queue::{State, export, kind_str};
use chrono::Utc;
use serde_json::json;
use std::io::Write;
use std::time::Duration;

pub(super) fn journal_error(error: JournalError) -> AppError {
    AppError::Start(StartError::Journal(error))
}

/// The configuration a staff tool works with: the kiosk's, or, with `--journal`, the demo's
/// naming that journal.
pub(super) fn config_of(source: &JournalSource) -> Result<Config, AppError> {
    Ok(match &source.journal {
        Some(path) => {
            let mut config = Config::demo();
            config.journal.path = path.clone();
            config
        }
        None => Config::load(&source.config)?,
    })
}

pub(super) fn open(config: &Config) -> Result<Journal, AppError> {
    let settings = JournalSettings {
        kiosk: config.kiosk.id.clone(),
        patron_retention: Duration::from_secs(
            u64::from(config.journal.patron_retention_days) * 86_400,
        ),
    };
    let opened = Journal::open(&config.journal.path, settings).map_err(journal_error)?;
    if let Some(aside) = opened.moved_aside {
        eprintln!(
            "error: the journal was damaged; it was moved to {} and a new one started",
            aside.display()
        );
    }
    Ok(opened.journal)
}

fn state_arg(state: Option<&str>) -> Result<Option<State>, AppError> {
    state
        .map(|s| {
            State::parse(s).ok_or_else(|| {
                let known: Vec<&str> = State::ALL.iter().map(|s| s.as_str()).collect();
                AppError::Usage(format!(
                    "unknown state {s:?}; the states are {}",
                    known.join(", ")
                ))
            })
        })
        .transpose()
}

pub fn run(args: QueueArgs) -> Result<(), AppError> {
    let config = config_of(&args.source)?;
    super::init_logging("warn");
    let mut journal = open(&config)?;
    let mut out = std::io::stdout().lock();
    match args.action {
        QueueAction::Status { json } => status(&journal, json, &mut out),
        QueueAction::Waiting => {
            let counts = journal.counts().map_err(journal_error)?;
            let waiting: u64 = [State::Pending, State::Sending, State::Unknown]
                .iter()
                .filter_map(|s| counts.get(s))
                .sum();
            writeln!(out, "{waiting}")?;
            Ok(())
        }
        QueueAction::List { state, json } => {
            let records = journal
                .list(state_arg(state.as_deref())?, None)
                .map_err(journal_error)?;
            if json {
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&records).unwrap_or_default()
                )?;
            } else {
                table(&records, &mut out)?;
            }
            Ok(())
        }
        QueueAction::Replay { dry_run, json } => {
            replay(&config, &mut journal, dry_run, json, &mut out)
        }
        QueueAction::Retry { id } => {
            let record = journal.retry(&id).map_err(journal_error)?;
            writeln!(
                out,
                "{}: back in the queue{}",
                record.id,
                if record.reconcile {
                    " (the ILS is asked first)"
                } else {
                    ""
                }
            )?;
            Ok(())
        }
        QueueAction::Discard { id, reason } => {
            if reason.trim().is_empty() {
                return Err(AppError::Usage(
                    "--reason must say why (it stays in the journal)".into(),
                ));
            }
            let record = journal.discard(&id, &reason).map_err(journal_error)?;
            writeln!(out, "{}: discarded ({reason})", record.id)?;
            Ok(())
        }
        QueueAction::Export {
            format,
            since,
            state,
            output,
        } => {
            let state = state_arg(state.as_deref())?;
            let mut records = journal
                .list(state, since.as_deref())
                .map_err(journal_error)?;
            if state.is_none() {
                records.retain(|r| r.state.is_open());
            }
            let text = match format {
                ExportFormat::Koc => {
                    let (text, skipped) = export::koc(&records);
                    if skipped.renewals > 0 {
                        eprintln!(
                            "warning: {} renewal(s) left out: .koc has no renewals",
                            skipped.renewals
                        );
                    }
                    if skipped.without_patron > 0 {
                        eprintln!(
                            "warning: {} loan(s) left out: their card number was erased",
                            skipped.without_patron
                        );
                    }
                    text
                }
                ExportFormat::Jsonl => export::jsonl(&records),
                ExportFormat::Csv => export::csv(&records),
            };
            match output {
                Some(path) => std::fs::write(&path, text).map_err(|e| {
                    AppError::Usage(format!("cannot write {}: {e}", path.display()))
                })?,
                None => out.write_all(text.as_bytes())?,
            }
            Ok(())
        }
        QueueAction::BlockedImport { file } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| AppError::Usage(format!("cannot read {}: {e}", file.display())))?;
            let entries = parse_blocked(&text).map_err(AppError::Usage)?;
            let n = journal
                .replace_blocked("file", &entries)
                .map_err(journal_error)?;
            writeln!(out, "{n} blocked card(s) loaded from {}", file.display())?;
            Ok(())
        }
    }
}

/// Evergreen's offline blocked list: `CARD TAG`, L lost, E expired, B barred, D penalized.
pub fn parse_blocked(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut entries = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split_whitespace();
        let (Some(card), Some(tag), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!(
                "line {}: expected `CARD TAG`, found {line:?}",
                index + 1
            ));
        };
        let block = match tag {
            "L" => Block::CardReportedLost,
            "E" => Block::CardExpired,
            "B" => Block::ChargePrivilegesDenied,
            "D" => Block::ExcessiveOutstandingFines,
            other => {
                return Err(format!(
                    "line {}: unknown tag {other:?}; expected L, E, B or D",
                    index + 1
                ));
            }
        };
        entries.push((card.to_owned(), block_name(block)));
    }
    Ok(entries)
}

fn status(journal: &Journal, json: bool, out: &mut impl Write) -> Result<(), AppError> {
    let counts = journal.counts().map_err(journal_error)?;
    let oldest = journal.oldest_waiting().map_err(journal_error)?;
    let link: Option<serde_json::Value> = journal
        .meta("link")
        .map_err(journal_error)?
        .and_then(|t| serde_json::from_str(&t).ok());
    let note = |key: &str| -> Result<Option<serde_json::Value>, AppError> {
        Ok(journal
            .meta(key)
            .map_err(journal_error)?
            .and_then(|t| serde_json::from_str(&t).ok()))
    };
    let rejected = note(crate::queue::settle::REJECTED_NOTE)?;
    let charset = note("ils_charset")?;
    let last_replay = journal.meta("last_replay_utc").map_err(journal_error)?;
    let corrupt = journal.meta("corrupt_previous").map_err(journal_error)?;
    let blocked = journal.blocked_count().map_err(journal_error)?;
    if json {
        let counts: serde_json::Map<String, serde_json::Value> = State::ALL
            .iter()
            .map(|s| {
                (
                    s.as_str().to_owned(),
                    json!(counts.get(s).copied().unwrap_or(0)),
                )
            })
            .collect();
        let doc = json!({
            "journal": journal.path().map(|p| p.display().to_string()),
            "kiosk": journal.settings().kiosk,
            "counts": counts,
            "oldest_waiting": oldest.as_ref().map(|r| json!({"id": r.id, "local_time": r.local_time, "kind": kind_str(r.kind)})),
            "link": link,
            "ils_rejected": rejected,
            "ils_charset": charset,
            "last_replay_utc": last_replay,
            "blocked_patrons": blocked,
            "corrupt_previous": corrupt,
        });
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        )?;
        return Ok(());
    }
    let path = journal
        .path()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    writeln!(out, "Journal {path} (kiosk {})", journal.settings().kiosk)?;
    for state in State::ALL {
        let n = counts.get(&state).copied().unwrap_or(0);
        let note = match state {
            State::Refused | State::Review if n > 0 => {
                "  <- needs staff: kiosk queue list --state ".to_owned() + state.as_str()
            }
            State::Pending | State::Unknown if n > 0 => "  (sent when the ILS answers)".into(),
            _ => String::new(),
        };
        writeln!(out, "  {:<10} {n:>6}{note}", state.as_str())?;
    }
    match oldest {
        Some(r) => writeln!(
            out,
            "Oldest waiting: {} ({} {}, at {})",
            r.id,
            kind_str(r.kind),
            r.item,
            r.local_time
        )?,
        None => writeln!(out, "Oldest waiting: none — the ILS has everything")?,
    }
    match link {
        Some(link) => writeln!(
            out,
            "Link (as the kiosk last saw it): {} since {}",
            match link["state"].as_str() {
                Some("login_refused") =>
                    "REFUSED (the ILS does not accept the kiosk's login or settings)",
                _ if link["online"] == true => "online",
                _ => "OFFLINE",
            },
            link["since"].as_str().unwrap_or("?")
        )?,
        None => writeln!(out, "Link: not seen yet")?,
    }
    if let Some(rejected) = rejected {
        writeln!(
            out,
            "The ILS would not take a {} at {}: {}",
            rejected["request"].as_str().unwrap_or("request"),
            rejected["at"].as_str().unwrap_or("?"),
            rejected["note"].as_str().unwrap_or("?")
        )?;
    }
    if let Some(charset) = charset {
        writeln!(
            out,
            "Character set: {}",
            charset["warning"].as_str().unwrap_or("?")
        )?;
    }
    writeln!(
        out,
        "Last replay: {}",
        last_replay.as_deref().unwrap_or("never")
    )?;
    writeln!(out, "Blocked-patron list: {blocked} card(s)")?;
    if let Some(aside) = corrupt {
        writeln!(
            out,
            "WARNING: an earlier journal was damaged and moved to {aside}; transactions waiting in it must be recovered by hand."
        )?;
    }
    Ok(())
}

fn table(records: &[Record], out: &mut impl Write) -> Result<(), AppError> {
    if records.is_empty() {
        writeln!(out, "(none)")?;
    }
    for r in records {
        writeln!(
            out,
            "{:<16} {:<8} {:<7} {:<9} {:<19} {:<16} {:<16}{}",
            r.id,
            kind_str(r.kind),
            r.origin.as_str(),
            r.state.as_str(),
            r.local_time,
            r.item,
            r.patron.as_deref().unwrap_or("-"),
            r.reply
                .as_deref()
                .or(r.last_error.as_deref())
                .or(r.discard_reason.as_deref())
                .map(|t| format!("  {t}"))
                .unwrap_or_default()
        )?;
    }
    Ok(())
}

fn replay(
    config: &Config,
    journal: &mut Journal,
    dry_run: bool,
    json: bool,
    out: &mut impl Write,
) -> Result<(), AppError> {
    if dry_run {
        let rows = journal
            .replayable(10_000, Utc::now(), None)
            .map_err(journal_error)?;
        if json {
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&rows).unwrap_or_default()
            )?;
        } else {
            writeln!(
                out,
                "Would send, in this order ({} now; later ones for the same items follow):",
                rows.len()
            )?;
            table(&rows, out)?;
        }
        return Ok(());
    }
    journal.lock_writer().map_err(journal_error)?;
    journal.recover_interrupted().map_err(journal_error)?;
    journal.clear_backoff().map_err(journal_error)?;
    let secrets = Secrets::load(config.secrets.file.as_deref(), |name| {
        std::env::var(name).ok()
    })
    .map_err(ConfigError::from)?;
    let mut ils = start::open_ils(config, &secrets, &Clock::real())?;
    let settings = ReplaySettings {
        retry_after: Duration::from_secs(config.offline.retry_secs),
        ..ReplaySettings::default()
    };
    let (mut sent, mut settled, mut link_down) = (0, 0, false);
    loop {
        let round = replay_round(
            journal,
            ils.as_mut(),
            Utc::now(),
            &settings,
            None,
            &mut || false,
        )
        .map_err(journal_error)?;
        sent += round.sent;
        settled += round.settled;
        if round.link_down {
            link_down = true;
            break;
        }
        if round.idle || (round.sent == 0 && round.settled == 0) {
            break;
        }
    }
    let counts = journal.counts().map_err(journal_error)?;
    let waiting = State::total(&counts, &State::WAITING);
    let staff = State::total(&counts, &State::NEEDS_STAFF);
    if json {
        let doc = json!({"sent": sent, "settled": settled, "link_down": link_down, "waiting": waiting, "needs_staff": staff});
        writeln!(out, "{doc}")?;
    } else {
        writeln!(
            out,
            "Sent {sent}, settled {settled}; still waiting {waiting}; needing staff {staff}."
        )?;
        if link_down {
            writeln!(
                out,
                "The ILS stopped answering; what is left is sent when it answers again."
            )?;
        }
    }
    if link_down {
        return Err(AppError::Usage("the ILS is not answering".into()));
    }
    Ok(())
}
