//! `kiosk diag`: one check per subsystem, each `ok` / `warn` / `fail` with a message and what
//! to do about it; the exit code is 0 when all are ok, 1 with a warning, 2 with a failure.
//!
//! The parts (readers, scanner, lights, return slot, printer), the ILS link (SIP2 login and
//! status, FOLIO or Koha authentication, with the round-trip time), the clock, the storage (free
//! space, the journal's integrity and depth), the CPU (temperature, throttling on a Pi) and the
//! attract screen's slides (their folder, the feeds).

use super::AppError;
use super::clock::Clock;
use super::start::{self, StartError};
use crate::config::Config;
use crate::config::secrets::Secrets;
use crate::ils::IlsError;
use crate::queue::State;
use crate::queue::journal::{Journal, JournalError, JournalSettings, Opened};
use kiosk_hw::selftest::{self, Level, PARTS, part_name};
use serde::Serialize;
use std::io::Write;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

impl Status {
    pub fn exit_code(self) -> i32 {
        match self {
            Status::Ok => 0,
            Status::Warn => 1,
            Status::Fail => 2,
        }
    }

    fn word(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "WARN",
            Status::Fail => "FAIL",
        }
    }
}

/// One check's result. The JSON field names are a stable interface for scripts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// One of [`CHECKS`].
    pub name: &'static str,
    pub status: Status,
    pub message: String,
    /// What to do about a warning or failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// How long the check took (for the ILS: login and a status round trip).
    pub elapsed_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The worst status of the checks.
    pub status: Status,
    pub checks: Vec<Check>,
}

/// Every check, in the order a technician reads them; `--device` takes these names.
pub const CHECKS: &[&str] = &[
    "item_reader",
    "card_reader",
    "scanner",
    "indicators",
    "return_slot",
    "printer",
    "ils",
    "clock",
    "storage",
    "cpu",
    "promotion",
];

/// What the checks need to know besides the configuration.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    /// Only this check.
    pub only: Option<&'a str>,
    /// Move things and read the RFID field (a technician is at the machine).
    pub active: bool,
}

/// Runs the checks.
pub fn report(config: &Config, secrets: &Secrets, options: Options) -> Result<Report, AppError> {
    if let Some(name) = options.only
        && !CHECKS.contains(&name)
    {
        return Err(AppError::Usage(format!(
            "no check named {name:?}; the checks are {}",
            CHECKS.join(", ")
        )));
    }
    let wanted = |name: &str| options.only.is_none_or(|o| o == name);
    let mut checks = Vec::new();
    let mut timed = |name: &'static str, run: &mut dyn FnMut() -> Outcome| {
        let started = Instant::now();
        let (status, message, action) = run();
        checks.push(Check {
            name,
            status,
            message,
            action,
            elapsed_ms: started.elapsed().as_millis() as u64,
        });
    };
    // The parts: opened only when one of them is asked for (they may be in use by the kiosk).
    if PARTS.iter().any(|p| wanted(part_name(*p))) {
        let mut opened = kiosk_hw::machine::open(&config.hardware);
        for device in PARTS.iter().filter(|p| wanted(part_name(**p))) {
            let name = part_name(*device);
            timed(name, &mut || match selftest::check_part(
                &mut opened.machine,
                &opened.failures,
                *device,
                options.active,
            ) {
                Some(part) => (level(part.level), part.message, part.action),
                None => (Status::Ok, "not fitted".into(), None),
            });
        }
    }
    let sim =
        (config.hardware.backend == kiosk_hw::config::Backend::Sim).then_some(&config.hardware.sim);
    if wanted("ils") {
        timed("ils", &mut || ils(config, secrets));
    }
    if wanted("clock") {
        timed("clock", &mut || {
            let faked = sim
                .and_then(|s| s.clock.as_deref())
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
            match faked {
                Some(at) => checks::clock(at.with_timezone(&chrono::Utc), Some(true)),
                None => checks::clock(chrono::Utc::now(), checks::clock_synchronised()),
            }
        });
    }
    if wanted("storage") {
        timed("storage", &mut || {
            storage(config, sim.and_then(|s| s.disk_free_mb))
        });
    }
    if wanted("cpu") {
        timed("cpu", &mut || {
            checks::cpu(checks::cpu_temperature(), checks::throttled())
        });
    }
    if wanted("promotion") {
        timed("promotion", &mut || promotion::check(config));
    }
    let status = checks.iter().map(|c| c.status).max().unwrap_or(Status::Ok);
    Ok(Report { status, checks })
}

fn level(level: Level) -> Status {
    match level {
        Level::Ok => Status::Ok,
        Level::Warn => Status::Warn,
        Level::Fail => Status::Fail,
    }
}

/// Free space where the journal lives, then the journal itself.
fn storage(config: &Config, simulated_free_mb: Option<u64>) -> Outcome {
    let path = &config.journal.path;
    if path.as_os_str() == ":memory:" {
        return (
            Status::Ok,
            "the journal is kept in memory (demo)".into(),
            None,
        );
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let free = match simulated_free_mb {
        Some(mb) => Ok(mb),
        None => checks::free_mb(dir),
    };
    let space = match free {
        Ok(mb) => checks::free_space(mb, dir),
        Err(error) => (
            Status::Fail,
            format!("cannot read the free space of {}: {error}", dir.display()),
            Some("check that journal.path's folder exists and is on a mounted disk".into()),
        ),
    };
    let journal = journal(config);
    let status = space.0.max(journal.0);
    let action = match (space.2, journal.2) {
        (Some(a), Some(b)) => Some(format!("{a}; {b}")),
        (a, b) => a.or(b),
    };
    (status, format!("{}; {}", space.1, journal.1), action)
}

pub mod bundle;
pub mod checks;
mod promotion;

type Outcome = (Status, String, Option<String>);

fn ils(config: &Config, secrets: &Secrets) -> Outcome {
    let kind = format!("{:?}", config.ils.kind).to_lowercase();
    let settings = match config.ils.kind {
        crate::config::IlsKind::Folio => "[ils.folio] url, tenant and username",
        crate::config::IlsKind::Koha => "[ils.koha] url and client_id or username",
        crate::config::IlsKind::Sip2 => "[ils.sip2] host, port and login_user",
        crate::config::IlsKind::Sim => "[ils.sim]",
    };
    let offline = match config.offline.mode {
        crate::circ::policy::OfflineMode::Disabled => "readers cannot be served until it answers",
        _ => "the kiosk serves readers offline meanwhile",
    };
    let mut ils = match start::open_ils(config, secrets, &Clock::real()) {
        Ok(ils) => ils,
        Err(StartError::Login(error)) => {
            return (
                Status::Fail,
                format!("the {kind} ILS refused the kiosk's login: {error}"),
                Some(format!("check {settings} and the ils_password secret")),
            );
        }
        Err(error) => {
            return (
                Status::Fail,
                format!("the {kind} ILS cannot be set up: {error}"),
                Some("fix the configuration (kiosk config check shows it)".into()),
            );
        }
    };
    let seen = seen_by_the_kiosk(config);
    match ils.probe() {
        Ok(probe) if probe.warnings.is_empty() && seen.is_empty() => {
            (Status::Ok, probe.summary, None)
        }
        Ok(probe) if probe.warnings.is_empty() => (
            Status::Warn,
            format!("{}; but {}", probe.summary, seen.join("; ")),
            Some(
                "change the setting named, or ask the library system's administrators what the \
                 ACS's log says about the kiosk's request"
                    .into(),
            ),
        ),
        Ok(probe) => (
            Status::Warn,
            format!(
                "{}; {}",
                probe.summary,
                probe
                    .warnings
                    .into_iter()
                    .chain(seen)
                    .fold(Vec::<String>::new(), |mut all, w| {
                        // The probe may have seen what the running kiosk noted.
                        if !all.contains(&w) {
                            all.push(w);
                        }
                        all
                    })
                    .join("; ")
            ),
            Some("ask the library system's administrators to look at the kiosk's account".into()),
        ),
        Err(IlsError::LoginRefused(detail)) => (
            Status::Fail,
            format!("the {kind} ILS refused the kiosk's login: {detail}"),
            Some(format!("check {settings} and the ils_password secret")),
        ),
        Err(IlsError::Misconfigured(detail)) => (
            Status::Fail,
            format!("the {kind} ILS answers, but not to the kiosk as set up: {detail}"),
            Some(format!("change the setting named in [ils.{kind}]")),
        ),
        Err(error @ (IlsError::LinkDown(_) | IlsError::OutcomeUnknown(_))) => (
            Status::Fail,
            format!("the {kind} ILS cannot be reached: {error}"),
            Some(format!(
                "check the network, the ILS's address ({settings}) and its certificate; {offline}"
            )),
        ),
        Err(error) => (
            Status::Fail,
            format!("the {kind} ILS answered, but not as expected: {error}"),
            Some(format!("check {settings}; the log has the whole answer")),
        ),
    }
}

/// How long what the running kiosk noted about the ILS (a request it would not take, replies
/// in another charset) stays worth a warning.
const SEEN_RECENTLY: chrono::TimeDelta = chrono::TimeDelta::days(1);

/// What the running kiosk found about the ILS that one probe cannot show: a request the ILS
/// would not take as sent, replies in another charset than the configured one (from the
/// journal's notes, within the last day).
fn seen_by_the_kiosk(config: &Config) -> Vec<String> {
    let Some(Ok(opened)) = existing_journal(config) else {
        return Vec::new();
    };
    let note = |key: &str| -> Option<serde_json::Value> {
        let text = opened.journal.meta(key).ok()??;
        let value: serde_json::Value = serde_json::from_str(&text).ok()?;
        let at = value["at"].as_str().or(value["since"].as_str())?;
        let at = chrono::DateTime::parse_from_rfc3339(at).ok()?;
        (chrono::Utc::now() - at.with_timezone(&chrono::Utc) < SEEN_RECENTLY).then_some(value)
    };
    let mut seen = Vec::new();
    if let Some(rejected) = note(crate::queue::settle::REJECTED_NOTE) {
        seen.push(format!(
            "the ILS would not take a {} the kiosk sent at {}: {}",
            rejected["request"].as_str().unwrap_or("request"),
            rejected["at"].as_str().unwrap_or("?"),
            rejected["note"].as_str().unwrap_or("?")
        ));
    }
    if let Some(charset) = note("ils_charset") {
        seen.push(charset["warning"].as_str().unwrap_or("?").to_owned());
    }
    seen
}

/// Transactions waiting this long mean the queue is stuck.
const STALE: Duration = Duration::from_secs(24 * 3600);

/// The journal this machine has, opened without creating one (diagnostics change nothing on
/// the machine): `None` when it is kept in memory or does not exist yet.
fn existing_journal(config: &Config) -> Option<Result<Opened, JournalError>> {
    let path = &config.journal.path;
    if path.as_os_str() == ":memory:" || !path.exists() {
        return None;
    }
    let settings = JournalSettings {
        kiosk: config.kiosk.id.clone(),
        patron_retention: Duration::ZERO,
    };
    Some(Journal::open(path, settings))
}

fn journal(config: &Config) -> Outcome {
    let opened = match existing_journal(config) {
        Some(Ok(opened)) => opened,
        None => {
            return (
                Status::Warn,
                format!("no journal yet at {}", config.journal.path.display()),
                Some(
                    "the kiosk creates it at its first start; if it has started, check journal.path"
                        .into(),
                ),
            );
        }
        Some(Err(error)) => {
            return (
                Status::Fail,
                format!(
                    "the journal {} cannot be opened: {error}",
                    config.journal.path.display()
                ),
                Some(
                    "check the disk and the path (journal.path); nothing is lent without it".into(),
                ),
            );
        }
    };
    if let Some(aside) = opened.moved_aside {
        return (
            Status::Fail,
            format!(
                "the journal was damaged and was moved to {}",
                aside.display()
            ),
            Some(
                "keep the damaged file for support; export what it holds before deleting it".into(),
            ),
        );
    }
    let journal = opened.journal;
    let counts = match journal.counts() {
        Ok(counts) => counts,
        Err(error) => {
            return (
                Status::Fail,
                format!("the journal cannot be read: {error}"),
                None,
            );
        }
    };
    let waiting = State::total(&counts, &State::WAITING);
    let staff = State::total(&counts, &State::NEEDS_STAFF);
    let oldest = journal.oldest_waiting().ok().flatten();
    let stale = oldest
        .as_ref()
        .and_then(|r| chrono::DateTime::parse_from_rfc3339(&r.utc_time).ok())
        .is_some_and(|t| {
            (chrono::Utc::now() - t.with_timezone(&chrono::Utc))
                .to_std()
                .unwrap_or_default()
                > STALE
        });
    let message = format!(
        "journal intact: {waiting} waiting for the ILS{}, {staff} needing staff",
        oldest
            .map(|r| format!(" (oldest from {})", r.local_time))
            .unwrap_or_default(),
    );
    if stale {
        (Status::Warn, message, Some("the queue has not reached the ILS for a day: check the ILS link, then kiosk queue replay".into()))
    } else if staff > 0 {
        (
            Status::Warn,
            message,
            Some("kiosk queue list --state refused (and review) shows what needs a person".into()),
        )
    } else {
        (Status::Ok, message, None)
    }
}

/// Prints the report for a person.
pub fn print(report: &Report, out: &mut impl Write) -> std::io::Result<()> {
    for check in &report.checks {
        writeln!(
            out,
            "{:<8} {:<4}  {} ({} ms)",
            check.name,
            check.status.word(),
            check.message,
            check.elapsed_ms
        )?;
        if let Some(action) = &check.action {
            writeln!(out, "{:<14}→ {action}", "")?;
        }
    }
    Ok(())
}
