//! `kiosk diag`: one check per subsystem, each `ok` / `warn` / `fail` with a message and what
//! to do about it; the exit code is 0 when all are ok, 1 with a warning, 2 with a failure.
//!
//! So far it checks the ILS link (SIP2 login and status, FOLIO or Koha authentication, with
//! the round-trip time) and the journal; the device checks of the technicians' issue join the
//! same report.

use super::AppError;
use super::clock::Clock;
use super::start::{self, StartError};
use crate::config::Config;
use crate::config::secrets::Secrets;
use crate::ils::IlsError;
use crate::queue::State;
use crate::queue::journal::{Journal, JournalSettings};
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
    /// `ils`, `journal`.
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

pub const CHECKS: &[&str] = &["ils", "journal"];

/// Runs the checks (only `only`, when given).
pub fn report(config: &Config, secrets: &Secrets, only: Option<&str>) -> Result<Report, AppError> {
    if let Some(name) = only
        && !CHECKS.contains(&name)
    {
        return Err(AppError::Usage(format!(
            "no check named {name:?}; the checks are {}",
            CHECKS.join(", ")
        )));
    }
    let mut checks = Vec::new();
    for name in CHECKS.iter().filter(|n| only.is_none_or(|o| o == **n)) {
        let started = Instant::now();
        let (status, message, action) = match *name {
            "ils" => ils(config, secrets),
            _ => journal(config),
        };
        checks.push(Check {
            name,
            status,
            message,
            action,
            elapsed_ms: started.elapsed().as_millis() as u64,
        });
    }
    let status = checks.iter().map(|c| c.status).max().unwrap_or(Status::Ok);
    Ok(Report { status, checks })
}

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
    match ils.probe() {
        Ok(probe) if probe.warnings.is_empty() => (Status::Ok, probe.summary, None),
        Ok(probe) => (
            Status::Warn,
            format!("{}; {}", probe.summary, probe.warnings.join("; ")),
            Some("ask the library system's administrators to look at the kiosk's account".into()),
        ),
        Err(IlsError::LoginRefused(detail)) => (
            Status::Fail,
            format!("the {kind} ILS refused the kiosk's login: {detail}"),
            Some(format!("check {settings} and the ils_password secret")),
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

/// Transactions waiting this long mean the queue is stuck.
const STALE: Duration = Duration::from_secs(24 * 3600);

fn journal(config: &Config) -> Outcome {
    if config.journal.path.as_os_str() == ":memory:" {
        return (Status::Ok, "kept in memory (demo)".into(), None);
    }
    if !config.journal.path.exists() {
        // Not created here: diag changes nothing on the machine.
        return (
            Status::Warn,
            format!("no journal yet at {}", config.journal.path.display()),
            Some(
                "the kiosk creates it at its first start; if it has started, check journal.path"
                    .into(),
            ),
        );
    }
    let settings = JournalSettings {
        kiosk: config.kiosk.id.clone(),
        patron_retention: Duration::ZERO,
    };
    let opened = match Journal::open(&config.journal.path, settings) {
        Ok(opened) => opened,
        Err(error) => {
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
    let count = |states: &[State]| -> u64 { states.iter().filter_map(|s| counts.get(s)).sum() };
    let waiting = count(&[State::Pending, State::Sending, State::Unknown]);
    let staff = count(&[State::Refused, State::Review]);
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
        "{} at {}: {waiting} waiting for the ILS{}, {staff} needing staff",
        "journal",
        config.journal.path.display(),
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
