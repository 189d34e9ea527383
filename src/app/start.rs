//! Start-up: the ILS adapter the configuration names, logged in, behind its worker thread, and
//! a session machine with the library's rules.

use super::clock::Clock;
use super::devices::DeviceHub;
use super::ils_worker::IlsWorker;
use crate::circ::Moment;
use crate::circ::{Link, Session};
use crate::config::secrets::{ILS_PASSWORD_ENV, Secrets};
use crate::config::{Config, IlsKind};
use crate::ils::folio::FolioIls;
use crate::ils::koha::{CheckinRoute, KohaIls};
use crate::ils::sim::SimIls;
use crate::ils::sim::seed::{Seed, SeedError};
use crate::ils::sip2::adapter::{Sip2Ils, Sip2Section};
use crate::ils::sip2::tls;
use crate::ils::{Ils, IlsError};
use crate::metrics::{BuildInfo, Metrics};
use crate::queue::backoffice::{BackOffice, BackOfficeSettings};
use crate::queue::journal::{Journal, JournalError, JournalSettings};
use crate::queue::replay::ReplaySettings;
use kiosk_hw::device::Device;
use kiosk_hw::selftest::Level;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StartError {
    #[error("cannot read the simulated ILS seed {path} (key `ils.sim.seed`): {source}")]
    SeedRead {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Seed { path: PathBuf, source: SeedError },
    #[error(
        "the ILS requires a login but no password is configured: set `ils_password` in the \
         secrets file or the environment variable {ILS_PASSWORD_ENV}"
    )]
    NoPassword,
    #[error("cannot log in to the ILS: {0}")]
    Login(IlsError),
    #[error("{0}")]
    QrKey(String),
    #[error("cannot start the ILS worker thread: {0}")]
    Thread(std::io::Error),
    #[error("key `suggestions.endpoint`: {0}")]
    SuggestionsEndpoint(IlsError),
    #[error("the journal (key `journal.path`): {0}")]
    Journal(JournalError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("key `ils.sip2`: a [ils.sip2] section is needed when ils.kind = \"sip2\"")]
    NoSip2Section,
    #[error("key `ils.{0}`: a [ils.{0}] section is needed when ils.kind = \"{0}\"")]
    NoHttpSection(&'static str),
    #[error("TLS to the ILS (key `ils.sip2.tls`): {0}")]
    Tls(tls::TlsError),
}

fn load_seed(config: &Config) -> Result<Seed, StartError> {
    read_seed(config.ils.sim.seed.as_deref())
}

/// The seed at `path`, or the built-in one.
pub fn read_seed(path: Option<&Path>) -> Result<Seed, StartError> {
    let Some(path) = path else {
        return Ok(Seed::builtin());
    };
    let text = std::fs::read_to_string(path).map_err(|source| StartError::SeedRead {
        path: path.to_owned(),
        source,
    })?;
    Seed::parse(&text).map_err(|source| StartError::Seed {
        path: path.to_owned(),
        source,
    })
}

/// What `kiosk config check` can verify about the ILS without connecting to it.
pub fn check_ils(config: &Config, secrets: &Secrets) -> Result<(), StartError> {
    match config.ils.kind {
        IlsKind::Sim => {
            let seed = load_seed(config)?;
            if !seed.library.terminals.is_empty() && secrets.ils_password.is_none() {
                return Err(StartError::NoPassword);
            }
            Ok(())
        }
        IlsKind::Sip2 => {
            let section = sip2_section(config)?;
            if section.login_user.is_some() && secrets.ils_password.is_none() {
                return Err(StartError::NoPassword);
            }
            check_tls(section)
        }
        IlsKind::Folio | IlsKind::Koha if secrets.ils_password.is_none() => {
            Err(StartError::NoPassword)
        }
        IlsKind::Folio => Ok(()),
        IlsKind::Koha => match config.ils.koha.as_ref().map(|k| k.checkin) {
            Some(CheckinRoute::Sip2) => check_tls(sip2_section(config)?),
            _ => Ok(()),
        },
    }
}

fn check_tls(section: &Sip2Section) -> Result<(), StartError> {
    if let Some(tls) = &section.tls {
        tls::client_config(tls).map_err(StartError::Tls)?;
        tls::server_name(tls, &section.host).map_err(StartError::Tls)?;
    }
    Ok(())
}

fn sip2_section(config: &Config) -> Result<&Sip2Section, StartError> {
    config.ils.sip2.as_ref().ok_or(StartError::NoSip2Section)
}

/// The configured ILS, logged in when it answers.
pub fn open_ils(
    config: &Config,
    secrets: &Secrets,
    clock: &Clock,
) -> Result<Box<dyn Ils>, StartError> {
    open_ils_link(config, secrets, clock).map(|(ils, _)| ils)
}

/// The configured ILS, and how its link was found at start.
pub fn open_ils_link(
    config: &Config,
    secrets: &Secrets,
    clock: &Clock,
) -> Result<(Box<dyn Ils>, Link), StartError> {
    match config.ils.kind {
        IlsKind::Sim => {
            let seed = load_seed(config)?;
            let wall = clock.clone();
            let mut sim = SimIls::new(&seed, Arc::new(move || wall.wall()));
            if !seed.library.terminals.is_empty() {
                let user = config
                    .ils
                    .sim
                    .terminal_user
                    .clone()
                    .unwrap_or_else(|| config.kiosk.id.clone());
                let password = secrets
                    .ils_password
                    .as_ref()
                    .ok_or(StartError::NoPassword)?;
                sim.login(&user, password.expose())
                    .map_err(StartError::Login)?;
                tracing::info!(%user, "logged in to the simulated ILS");
            }
            Ok((Box::new(sim), Link::Online))
        }
        IlsKind::Sip2 => {
            check_ils(config, secrets)?;
            let mut ils = open_sip2(config, secrets)?;
            let reachable = connected(ils.connect())?;
            Ok((Box::new(ils), reachable))
        }
        IlsKind::Folio => {
            check_ils(config, secrets)?;
            let section = config
                .ils
                .folio
                .clone()
                .ok_or(StartError::NoHttpSection("folio"))?;
            let mut ils =
                FolioIls::new(section, secrets.ils_password.clone()).map_err(StartError::Login)?;
            let reachable = connected(ils.connect())?;
            Ok((Box::new(ils), reachable))
        }
        IlsKind::Koha => {
            check_ils(config, secrets)?;
            let section = config
                .ils
                .koha
                .clone()
                .ok_or(StartError::NoHttpSection("koha"))?;
            let returns: Option<Box<dyn Ils>> = match section.checkin {
                CheckinRoute::Sip2 => Some(Box::new(open_sip2(config, secrets)?)),
                CheckinRoute::None => {
                    tracing::warn!(
                        "returns are off at this kiosk: Koha's REST API has no check-in; set [ils.koha] checkin = \"sip2\" with an [ils.sip2] section to take returns"
                    );
                    None
                }
            };
            let mut ils = KohaIls::new(section, secrets.ils_password.clone(), returns)
                .map_err(StartError::Login)?;
            let reachable = connected(ils.connect())?;
            Ok((Box::new(ils), reachable))
        }
    }
}

fn open_sip2(config: &Config, secrets: &Secrets) -> Result<Sip2Ils, StartError> {
    Ok(Sip2Ils::new(
        sip2_section(config)?.clone(),
        secrets.ils_password.clone(),
        secrets.terminal_password.clone(),
    ))
}

/// Neither an unreachable ILS nor a refused login stops the start: under a supervisor that
/// would be a restart loop with a blank screen. The link is retried with backoff; an
/// unreachable ILS leaves readers served offline, a refused login leaves the machine out of
/// service (code `ILS`) until the credentials work.
fn connected(result: Result<(), IlsError>) -> Result<Link, StartError> {
    match result {
        Ok(()) => Ok(Link::Online),
        Err(error @ IlsError::LoginRefused(_)) => {
            tracing::error!(
                %error,
                "out of service (code ILS) until the ILS accepts the kiosk's login; the password \
                 is read again from the secrets file before each attempt (kiosk diag --device ils)"
            );
            Ok(Link::Refused)
        }
        Err(error @ IlsError::Misconfigured(_)) => {
            tracing::error!(
                %error,
                "out of service (code ILS) until the setting named is changed and the kiosk \
                 restarted (kiosk diag --device ils)"
            );
            Ok(Link::Refused)
        }
        Err(error) => {
            tracing::warn!(%error, "the ILS is not reachable at start");
            Ok(Link::Offline)
        }
    }
}

/// Opens the configured journal (`:memory:` keeps it in memory, as the demo does), and turns
/// transactions interrupted by a crash into "reconcile first".
pub fn open_journal(config: &Config) -> Result<Journal, StartError> {
    let settings = JournalSettings {
        kiosk: config.kiosk.id.clone(),
        patron_retention: Duration::from_secs(
            u64::from(config.journal.patron_retention_days) * 86_400,
        ),
    };
    let mut journal = open_journal_file(config, settings)?;
    journal.keep_statistics_for(config.journal.statistics_retention_days);
    if !config.also_borrowed.demo_pairs.is_empty() {
        journal
            .import_pairs(&config.also_borrowed.demo_pairs)
            .map_err(StartError::Journal)?;
    }
    Ok(journal)
}

fn open_journal_file(config: &Config, settings: JournalSettings) -> Result<Journal, StartError> {
    let mut journal = if config.journal.path.as_os_str() == ":memory:" {
        Journal::in_memory(settings).map_err(StartError::Journal)?
    } else {
        let opened = Journal::open(&config.journal.path, settings).map_err(StartError::Journal)?;
        if let Some(aside) = &opened.moved_aside {
            eprintln!(
                "error: the journal {} was damaged; it was moved to {} (nothing was overwritten) and a new one \
                 started. Transactions waiting in it must be recovered by hand (kiosk queue status shows this).",
                config.journal.path.display(),
                aside.display()
            );
        }
        opened.journal
    };
    journal.lock_writer().map_err(StartError::Journal)?;
    journal.recover_interrupted().map_err(StartError::Journal)?;
    Ok(journal)
}

/// The e-card QR rule with its key from the secrets, or why it cannot be used.
pub fn qr_rule(
    config: &Config,
    secrets: &Secrets,
) -> Result<Option<kiosk_core::ecard::QrRule>, StartError> {
    let Some(mut rule) = config.barcodes.qr.clone() else {
        return Ok(None);
    };
    rule.hmac_key = secrets.qr_hmac_key.clone();
    if let Some(missing) = rule.missing_secret() {
        return Err(StartError::QrKey(format!(
            "{missing} (or the environment variable {})",
            crate::config::secrets::QR_HMAC_KEY_ENV
        )));
    }
    match rule.problem() {
        Some(problem) => Err(StartError::QrKey(format!("secrets file: {problem}"))),
        None => Ok(Some(rule)),
    }
}

/// The machine, started: the session, the worker on the ILS and the journal, the devices, and
/// the metrics when `[metrics] listen` serves them.
pub struct Started {
    pub session: Session,
    pub worker: IlsWorker,
    pub devices: DeviceHub,
    pub metrics: Option<Arc<Metrics>>,
}

pub fn start(config: &Config, secrets: &Secrets, clock: &Clock) -> Result<Started, StartError> {
    let journal = open_journal(config)?;
    let (ils, link) = open_ils_link(config, secrets, clock)?;
    let metrics = serve_metrics(config, secrets)?;
    if let Some(metrics) = &metrics {
        metrics.ils_up(link.is_online());
    }
    let mut policy = config.policy(ils.can_email_receipts(), ils.takes_returns());
    policy.barcodes.qr = qr_rule(config, secrets)?;
    let mut office = BackOffice::new(
        ils,
        journal,
        BackOfficeSettings {
            offline_loan_days: config.offline.loan_days,
            replay: ReplaySettings {
                retry_after: Duration::from_secs(config.offline.retry_secs),
                ..ReplaySettings::default()
            },
            suggestions: crate::queue::journal::Destinations {
                koha: config.ils.kind == IlsKind::Koha && config.suggestions.koha,
                endpoint: config.suggestions.endpoint.is_some(),
            },
        },
    )
    .with_password_source(password_source(config));
    if let Some(url) = &config.suggestions.endpoint {
        let endpoint =
            crate::queue::deliver::Endpoint::new(url, &config.suggestions, &config.kiosk.id)
                .map_err(StartError::SuggestionsEndpoint)?;
        office = office.with_endpoint(endpoint);
    }
    office.start_with_link(link);
    let mut devices = DeviceHub::new(kiosk_hw::machine::open(&config.hardware), &config.hardware);
    devices.set_library(&config.kiosk.library_name);
    let tested = self_test(&mut devices, clock.now());
    let worker = IlsWorker::spawn(office, metrics.clone()).map_err(StartError::Thread)?;
    let mut session = Session::new(policy, clock.now());
    // Known before the first reader comes (the worker reports changes as it retries).
    session.start_with_link(link);
    if !tested.printer_ready {
        session.start_without_printer();
    }
    if tested.card_reader_failed {
        session.start_without_card_reader();
    }
    if tested.scanner_failed {
        session.start_without_scanner();
    }
    if tested.return_slot {
        session.start_with_return_slot();
    }
    if let Some((code, detail)) = tested.critical {
        session.fail_self_test(code, &detail);
    }
    Ok(Started {
        session,
        worker,
        devices,
        metrics,
    })
}

/// The metrics and their endpoint, when `[metrics] listen` asks for them.
fn serve_metrics(config: &Config, secrets: &Secrets) -> Result<Option<Arc<Metrics>>, StartError> {
    let Some(listen) = config.metrics.listen else {
        return Ok(None);
    };
    let ils_kind = match config.ils.kind {
        IlsKind::Sim => "sim",
        IlsKind::Sip2 => "sip2",
        IlsKind::Folio => "folio",
        IlsKind::Koha => "koha",
    };
    let metrics = Arc::new(Metrics::new(BuildInfo {
        version: env!("CARGO_PKG_VERSION"),
        ils_kind,
        journal: config.journal.path.clone(),
    }));
    crate::metrics::server::serve(listen, secrets.metrics_token.clone(), Arc::clone(&metrics))
        .map_err(|source| StartError::Bind {
            addr: format!("{listen} (key `metrics.listen`)"),
            source,
        })?;
    Ok(Some(metrics))
}

/// The attract screen's slides, as the configuration names them (problems are logged), and
/// the refreshes to come from the folder and the feeds.
pub fn promotion(config: &Config) -> crate::promotion::Live {
    let sources = crate::promotion::Sources::new(
        &config.promotion,
        &config.kiosk.announcement,
        &config.journal.path,
    );
    let now = sources.saved();
    for problem in &now.problems {
        tracing::warn!(%problem, "a promotion slide cannot be shown");
    }
    let updates = sources.spawn_refresh(now.clone());
    crate::promotion::Live { now, updates }
}

/// The ILS password as the secrets file (or the environment) has it now.
fn password_source(config: &Config) -> crate::queue::backoffice::PasswordSource {
    let file = config.secrets.file.clone();
    Box::new(
        move || match Secrets::load(file.as_deref(), |name| std::env::var(name).ok()) {
            Ok(secrets) => secrets.ils_password,
            Err(error) => {
                tracing::warn!(%error, "cannot read the secrets again");
                None
            }
        },
    )
}

/// The code on the out-of-service screen for a part that failed (technicians look it up in
/// the README).
pub fn fault_code(device: Device) -> &'static str {
    match device {
        Device::ItemReader => crate::circ::session::ITEM_READER_FAULT,
        Device::CardReader => "CARD_READER",
        Device::Scanner => "SCANNER",
        Device::Indicators => "INDICATORS",
        Device::ReturnSlot => "RETURN_SLOT",
        Device::Printer => "PRINTER",
    }
}

/// What the parts' self-test at start leaves the machine able to do.
struct SelfTest {
    /// A part the machine cannot serve without: its out-of-service code and what failed.
    critical: Option<(&'static str, String)>,
    printer_ready: bool,
    /// The card reader is fitted and failed: readers are asked for their card's barcode.
    card_reader_failed: bool,
    /// The scanner is configured and failed: readers are asked for the card reader and pad.
    scanner_failed: bool,
    /// A return slot is fitted and answers: returned books go through it.
    return_slot: bool,
}

/// The parts' self-test at start decides what the machine can do: without its RFID reader it
/// cannot secure or release books, so it does not serve (the code names the part); without its
/// printer it serves without printed receipts and says so (until the printer is found ready
/// again); a return slot that answers takes the returned books; the rest is logged for a
/// technician.
fn self_test(devices: &mut DeviceHub, now: Moment) -> SelfTest {
    let mut result = SelfTest {
        critical: None,
        printer_ready: true,
        card_reader_failed: false,
        scanner_failed: false,
        return_slot: false,
    };
    for check in devices.self_test() {
        let part = check.device.to_string();
        match check.level {
            Level::Ok => tracing::debug!(%part, message = %check.message, "self-test ok"),
            Level::Warn => {
                tracing::warn!(%part, message = %check.message, action = ?check.action, "self-test warning")
            }
            Level::Fail => {
                tracing::error!(%part, message = %check.message, action = ?check.action, "self-test failed")
            }
        }
        if check.level != Level::Fail {
            result.return_slot |= check.device == Device::ReturnSlot;
            continue;
        }
        // A reader that is there but failed is watched, so the machine hears when it works.
        devices.note_reader_failed_at_start(check.device, now);
        match check.device {
            Device::ItemReader if result.critical.is_none() => {
                result.critical = Some((
                    fault_code(check.device),
                    format!("{part}: {}", check.message),
                ));
            }
            Device::Printer => result.printer_ready = false,
            Device::CardReader => result.card_reader_failed = true,
            Device::Scanner => result.scanner_failed = true,
            _ => {}
        }
    }
    devices.note_printer(result.printer_ready, now);
    result
}
