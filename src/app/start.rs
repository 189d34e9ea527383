//! Start-up: the ILS adapter the configuration names, logged in, behind its worker thread, and
//! a session machine with the library's rules.

use super::clock::Clock;
use super::ils_worker::IlsWorker;
use crate::circ::Session;
use crate::config::secrets::{ILS_PASSWORD_ENV, Secrets};
use crate::config::{Config, IlsKind};
use crate::ils::sim::SimIls;
use crate::ils::sim::seed::{Seed, SeedError};
use crate::ils::{Ils, IlsError};
use std::path::{Path, PathBuf};
use std::sync::Arc;
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
    #[error("cannot start the ILS worker thread: {0}")]
    Thread(std::io::Error),
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
    }
}

/// The configured ILS, logged in; and whether it can e-mail receipts.
pub fn open_ils(
    config: &Config,
    secrets: &Secrets,
    clock: &Clock,
) -> Result<Box<dyn Ils>, StartError> {
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
            Ok(Box::new(sim))
        }
    }
}

pub fn start(
    config: &Config,
    secrets: &Secrets,
    clock: &Clock,
) -> Result<(Session, IlsWorker), StartError> {
    let ils = open_ils(config, secrets, clock)?;
    let policy = config.policy(ils.can_email_receipts());
    let worker = IlsWorker::spawn(ils).map_err(StartError::Thread)?;
    Ok((Session::new(policy, clock.now()), worker))
}
