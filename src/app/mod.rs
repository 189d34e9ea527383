//! The imperative shell: configuration in, devices and the ILS at the edge, the session machine
//! in the middle, run by [`runtime`]. Front-ends: the touchscreen (`crate::ui`), the headless
//! JSON-lines driver ([`headless`]) and the demo's transcript.

pub mod cli;
pub mod clock;
pub mod demo;
pub mod devices;
pub mod diag;
mod feedback_cli;
pub mod headless;
pub mod ils_worker;
mod queue_cli;
pub mod render;
pub mod runtime;
mod sim_listing;
pub mod sim_pad;
mod sim_server;
pub mod start;
mod stats_cli;
pub mod supervision;
pub mod tech_shell;
pub mod tell;
pub mod transcript;
mod voice_cli;

use crate::config::secrets::Secrets;
use crate::config::{Config, ConfigError};
use clap::Parser;
use cli::{Cli, ClockKind, Commands, ConfigAction, RunArgs};
use clock::Clock;
use render::JsonLines;
use runtime::{Output, Runtime, RuntimeError};
use std::io::Write;
use std::process::ExitCode;
use thiserror::Error;
use transcript::Transcript;

#[derive(Debug, Error)]
pub enum AppError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Start(#[from] start::StartError),
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
    #[error("{0}")]
    Usage(String),
    /// `kiosk diag` found a warning (1) or a failure (2); the report says which.
    #[error("diagnosis: exit code {0}")]
    Diagnosed(u8),
}

/// The touchscreen front-end, handed in by the binary: the shell never opens a window itself
/// (`crate::ui` depends on the shell, not the other way round).
pub trait WindowFrontEnd {
    /// Opens the kiosk window (and with `demo`, the simulated-devices panel) and runs until it
    /// is closed.
    fn run_window(&self, config: &Config, secrets: &Secrets, demo: bool) -> Result<(), AppError>;
    /// `kiosk screenshot`: renders screens to PNG files.
    fn screenshot(&self, args: cli::ScreenshotArgs) -> Result<(), AppError>;
    /// `kiosk out-of-service`: the out-of-service screen alone, until stopped.
    fn out_of_service(&self, config: &Config, code: &str) -> Result<(), AppError>;
}

/// The `kiosk` binary, with the touchscreen front-end it opens when asked.
pub fn main(window: &dyn WindowFrontEnd) -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli, window) {
        Ok(()) => ExitCode::SUCCESS,
        Err(AppError::Diagnosed(code)) => ExitCode::from(code),
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(cli: Cli, window: &dyn WindowFrontEnd) -> Result<(), AppError> {
    match cli.command {
        Commands::Demo {
            headless,
            transcript,
            sip2,
            folio,
        } => {
            let config = Config::demo();
            init_logging(&config.logging.level);
            let link = match (sip2, folio) {
                (true, _) => demo::Link::Sip2,
                (_, true) => demo::Link::Folio,
                _ => demo::Link::InProcess,
            };
            if !headless && !transcript {
                return demo::window(&config, link, window);
            }
            let stdout = std::io::stdout().lock();
            let mut out: Box<dyn Output> = if headless {
                Box::new(JsonLines::new(stdout))
            } else {
                Box::new(Transcript::new(stdout))
            };
            demo::run(&config, link, out.as_mut())
        }
        Commands::Run(args) => run(args, window),
        Commands::OutOfService { code, config } => {
            init_logging("info");
            // Whatever is wrong with the configuration, the screen must come up.
            let config = Config::load(&config).unwrap_or_else(|error| {
                tracing::warn!(%error, "configuration unreadable: the defaults name the library");
                Config::demo()
            });
            tracing::warn!(code, "out of service: the kiosk failed to start repeatedly");
            window.out_of_service(&config, &code)
        }
        Commands::Screenshot(args) => {
            init_logging("warn");
            window.screenshot(args)
        }
        Commands::Config {
            action: ConfigAction::Check { path },
        } => {
            let config = Config::load(&path)?;
            let secrets = Secrets::load(config.secrets.file.as_deref(), env_var)
                .map_err(ConfigError::from)?;
            start::check_ils(&config, &secrets)?;
            start::qr_rule(&config, &secrets)?;
            for warning in Secrets::warnings(config.secrets.file.as_deref()) {
                eprintln!("warning: {warning}");
            }
            match &secrets.staff_pin_hash {
                Some(hash) if argon2::PasswordHash::new(hash.expose()).is_err() => eprintln!(
                    "warning: staff_pin_hash is not an argon2 hash: the technician mode stays off (make one with kiosk config hash-pin)"
                ),
                None => eprintln!(
                    "warning: no staff_pin_hash: the technician mode cannot be entered (kiosk config hash-pin)"
                ),
                Some(_) => {}
            }
            if let Some(listen) = config.metrics.listen
                && !listen.ip().is_loopback()
                && secrets.metrics_token.is_none()
            {
                eprintln!(
                    "warning: [metrics] listen = \"{listen}\" serves the metrics to the network without a token: \
                     set metrics_token in the secrets file, or listen on the monitoring network only"
                );
            }
            if !config.kiosk.announcement.trim().is_empty() {
                eprintln!(
                    "note: [kiosk] announcement shows as a notice slide on the attract screen; \
                     for pictures, QR codes and dates, use slide files in [promotion] dir"
                );
            }
            println!(
                "{}: ok (kiosk {}, ILS {:?})",
                path.display(),
                config.kiosk.id,
                config.ils.kind
            );
            Ok(())
        }
        Commands::Config {
            action: ConfigAction::Example { packaged },
        } => {
            let text = if packaged {
                crate::config::packaged::packaged_example()
            } else {
                crate::config::EXAMPLE.to_owned()
            };
            std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes())?;
            Ok(())
        }
        Commands::Config {
            action: ConfigAction::HashPin,
        } => {
            use argon2::PasswordHasher;
            let mut pin = String::new();
            std::io::stdin().read_line(&mut pin)?;
            let pin = pin.trim();
            if pin.len() < 4 || !pin.chars().all(|c| c.is_ascii_digit()) {
                return Err(AppError::Usage(
                    "a staff PIN is 4 or more digits, given on standard input".into(),
                ));
            }
            let mut random = [0u8; 16];
            std::io::Read::read_exact(&mut std::fs::File::open("/dev/urandom")?, &mut random)?;
            let salt = argon2::password_hash::SaltString::encode_b64(&random)
                .map_err(|e| AppError::Usage(format!("cannot make a salt: {e}")))?;
            let hash = argon2::Argon2::default()
                .hash_password(pin.as_bytes(), &salt)
                .map_err(|e| AppError::Usage(format!("cannot hash the PIN: {e}")))?;
            println!("staff_pin_hash = \"{hash}\"");
            Ok(())
        }
        Commands::Voice { action } => {
            init_logging("warn");
            voice_cli::run(action)
        }
        Commands::Stats(args) => stats_cli::run(args),
        Commands::Queue(args) => queue_cli::run(args),
        Commands::Feedback(args) => feedback_cli::run(args),
        Commands::Diag(args) => {
            init_logging("warn");
            let config = Config::load(&args.config)?;
            let secrets = Secrets::load(config.secrets.file.as_deref(), env_var)
                .map_err(ConfigError::from)?;
            if let Some(cli::DiagAction::Bundle { out }) = &args.action {
                let files = diag::bundle::write(&args.config, &config, &secrets, out)?;
                println!("{}: {}", out.display(), files.join(", "));
                return Ok(());
            }
            let options = diag::Options {
                only: args.device.as_deref(),
                active: args.active,
            };
            let report = diag::report(&config, &secrets, options)?;
            let mut out = std::io::stdout().lock();
            if args.json {
                serde_json::to_writer_pretty(&mut out, &report).map_err(std::io::Error::other)?;
                writeln!(out)?;
            } else {
                diag::print(&report, &mut out)?;
            }
            match report.status.exit_code() {
                0 => Ok(()),
                code => Err(AppError::Diagnosed(code as u8)),
            }
        }
        Commands::SimIls(args) if args.sip2.is_some() => sim_server::serve(&args),
        Commands::SimIls(args) if args.folio.is_some() => sim_server::serve_folio(&args),
        Commands::SimIls(args) => sim_listing::print(args.seed.as_deref(), args.json),
    }
}

fn run(args: RunArgs, window: &dyn WindowFrontEnd) -> Result<(), AppError> {
    let config = match &args.config {
        Some(path) => Config::load(path)?,
        None => Config::demo(),
    };
    init_logging_to(&config.logging.level, config.logging.file.as_deref());
    let secrets =
        Secrets::load(config.secrets.file.as_deref(), env_var).map_err(ConfigError::from)?;
    tracing::debug!(?config, ?secrets, "configuration loaded");
    if !args.headless {
        if args.clock == ClockKind::Virtual {
            return Err(AppError::Usage(
                "--clock virtual is for --headless scripts".into(),
            ));
        }
        return window.run_window(&config, &secrets, false);
    }
    let clock = match args.clock {
        ClockKind::Real => Clock::real(),
        ClockKind::Virtual => Clock::virtual_from_now(),
    };
    let start::Started {
        session,
        worker,
        devices,
        metrics,
    } = start::start(&config, &secrets, &clock)?;
    if devices.sim().is_some() {
        tracing::warn!("hardware.backend is \"sim\": the simulated machine runs, no real readers");
    }
    tracing::info!(kiosk = %config.kiosk.id, "kiosk started, headless");
    let (tx, rx) = std::sync::mpsc::channel();
    supervision::on_termination(tx.clone(), || {})?;
    headless::spawn_reader(std::io::BufReader::new(std::io::stdin()), tx)?;
    let mut out = JsonLines::new(std::io::stdout().lock());
    // Headless the voice shows as `speak` effects; the sound card is the window's.
    let voice = crate::voice::Voice::new(config.voice.clone(), Box::new(crate::voice::NullSink));
    Runtime::new(session, worker, devices, clock, &mut out)
        .with_metrics(metrics)
        .with_tech(tech_shell::TechShell::new(&config, &secrets))
        .with_voice(voice)
        .with_promotion(start::promotion(&config))
        .run(rx)?;
    Ok(())
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Logs go to stderr (stdout carries the headless protocol). `RUST_LOG` overrides the level.
fn init_logging(level: &str) {
    init_logging_to(level, None);
}

/// Logs to standard error (the system journal under systemd) and, when configured, to a file
/// a day.
fn init_logging_to(level: &str, file: Option<&std::path::Path>) {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(level))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let stderr = tracing_subscriber::fmt::layer()
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    let appender = file.and_then(|path| {
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty())?;
        let name = path.file_name()?.to_string_lossy().into_owned();
        let built = tracing_appender::rolling::Builder::new()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix(name)
            .max_log_files(LOG_FILES_KEPT)
            .build(dir);
        match built {
            Ok(appender) => Some(appender),
            Err(error) => {
                eprintln!(
                    "warning: cannot write the log file {}: {error}",
                    path.display()
                );
                None
            }
        }
    });
    let to_file = appender.map(|appender| {
        tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(appender)
    });
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(stderr)
        .with(to_file)
        .try_init();
}

/// The daily log files `[logging] file` names, oldest first (their names carry the date).
pub fn log_files(file: &std::path::Path) -> Vec<std::path::PathBuf> {
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let prefix = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with(&prefix))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Days of log files kept.
const LOG_FILES_KEPT: usize = 14;
