//! `kiosk sim-ils --sip2 ADDR`: the simulated library served as a SIP2 ACS.

use super::AppError;
use super::cli::SimIlsArgs;
use super::start::{self, StartError};
use crate::ils::folio::server::{FolioServer, FolioServerSettings};
use crate::ils::sim::{Clock, SimIls, system_clock};
use crate::ils::sip2::server::{AcsSettings, ServerSettings, Sip2Server};
use crate::ils::sip2::{Framing, Terminator};
use std::net::SocketAddr;
use std::time::Duration;

/// Starts a SIP2 server for the simulated library in the background (the demo and tests).
pub fn spawn(sim: SimIls, settings: ServerSettings) -> Result<SocketAddr, AppError> {
    let server = Sip2Server::bind("127.0.0.1:0", sim, settings).map_err(AppError::Output)?;
    Ok(server.spawn()?)
}

pub fn settings(args: &SimIlsArgs, library_name: String) -> ServerSettings {
    ServerSettings {
        framing: Framing {
            error_detection: !args.no_error_detection,
            charset: args.charset,
            terminator: Terminator::Cr,
        },
        acs: AcsSettings {
            institution: args.institution.clone(),
            library_name,
            offline_ok: args.offline_ok,
        },
        idle_timeout: Duration::from_secs(args.idle_timeout_secs),
    }
}

/// `kiosk sim-ils --folio ADDR`: the simulated library behind a FOLIO-shaped HTTP endpoint.
pub fn serve_folio(args: &SimIlsArgs) -> Result<(), AppError> {
    super::init_logging("info");
    let addr = args.folio.as_deref().unwrap_or("127.0.0.1:9130");
    let sim = open_sim(args)?;
    let settings = FolioServerSettings {
        tenant: args.tenant.clone(),
        credentials: None,
        token_ttl: Duration::from_secs(args.token_ttl_secs.max(1)),
    };
    let server = FolioServer::start(addr, sim, settings).map_err(|source| StartError::Bind {
        addr: addr.to_owned(),
        source,
    })?;
    eprintln!(
        "Serving the simulated library as FOLIO (tenant {:?}, tokens live {} s) on {}. Ctrl-C stops.",
        args.tenant,
        args.token_ttl_secs,
        server.url()
    );
    server.wait();
    Ok(())
}

fn open_sim(args: &SimIlsArgs) -> Result<SimIls, AppError> {
    let seed = start::read_seed(args.seed.as_deref())?;
    let clock: Clock = system_clock();
    let mut sim = SimIls::new(&seed, clock);
    if let Some(path) = &args.applied_log {
        sim.log_applied_to(path)
            .map_err(|e| AppError::Usage(format!("cannot open {}: {e}", path.display())))?;
    }
    Ok(sim)
}

pub fn serve(args: &SimIlsArgs) -> Result<(), AppError> {
    super::init_logging("info");
    let addr = args.sip2.as_deref().unwrap_or("127.0.0.1:6001");
    let seed = start::read_seed(args.seed.as_deref())?;
    let sim = open_sim(args)?;
    let settings = settings(args, seed.library.name.clone());
    let server = Sip2Server::bind(addr, sim, settings).map_err(|source| StartError::Bind {
        addr: addr.to_owned(),
        source,
    })?;
    let bound = server.local_addr()?;
    eprintln!(
        "Serving the simulated library over SIP2 on {bound} (error detection {}, charset {:?}). Ctrl-C stops.",
        if args.no_error_detection { "off" } else { "on" },
        args.charset
    );
    server.run()?;
    Ok(())
}
