//! `kiosk demo`: a scripted visit to the simulated library — a reader borrows (a book scanned,
//! two laid on the simulated RFID pad, one of them a book with its CD that is lent only once
//! both parts are there, one reserved for someone else, one not for loan), takes a receipt,
//! and later the books come back through the return without a card.

use super::AppError;
use super::clock::Clock;
use super::runtime::{Inbound, Input, Output, Runtime, SimInput};
use super::sim_pad::{PlaceTag, Placement};
use super::sim_server;
use super::start;
use super::tech_shell::TechShell;
use crate::circ::types::Pin;
use crate::circ::{Button, Language};
use crate::config::Config;
use crate::config::IlsKind;
use crate::config::secrets::Secrets;
use crate::ils::folio::server::{FolioServer, FolioServerSettings};
use crate::ils::sim::SimIls;
use crate::ils::sim::seed::Seed;
use crate::ils::sip2::Framing;
use crate::ils::sip2::server::{AcsSettings, ServerSettings};
use std::sync::Arc;
use std::time::Duration;

pub fn script() -> Vec<Input> {
    let tag = |uid: &str, item: &str, part: u8| {
        Input::Sim(SimInput::Place(Placement::One(PlaceTag {
            parts: (item == "30234000001031").then_some(2),
            part: Some(part),
            ..PlaceTag::item(uid, item)
        })))
    };
    vec![
        Input::Language(Language::En),
        // 李华 Li Hua's library card, and her PIN.
        Input::Scan("20234000000019".into()),
        Input::Pin(Pin::new("1234")),
        Input::Press(Button::Borrow),
        // 三体, scanned; The Left Hand of Darkness, placed on the RFID pad.
        Input::Scan("30234000001015".into()),
        tag("E0040150A1B2C301", "30234000001023", 1),
        // 活着 comes with a CD: the book alone is refused, book and CD together are lent.
        tag("E0040150A1B2C302", "30234000001031", 1),
        tag("E0040150A1B2C303", "30234000001031", 2),
        // Pride and Prejudice is reserved for another reader; 红楼梦 is reference only.
        Input::Scan("30234000001049".into()),
        Input::Scan("30234000001056".into()),
        Input::Press(Button::Done),
        Input::Press(Button::PrintReceipt),
        Input::Sim(SimInput::ClearPad),
        Input::Wait(Duration::from_secs(6)),
        // Later, the books come back through the return without a card.
        Input::Scan("30234000001015".into()),
        tag("E0040150A1B2C301", "30234000001023", 1),
        tag("E0040150A1B2C302", "30234000001031", 1),
        tag("E0040150A1B2C303", "30234000001031", 2),
        Input::Wait(Duration::from_secs(11)),
    ]
}

/// How the demo reaches its simulated library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    InProcess,
    /// Behind a SIP2 server on a loopback socket.
    Sip2,
    /// Behind a FOLIO-shaped HTTP endpoint on a loopback socket, through the FOLIO adapter.
    Folio,
}

/// The kiosk window with the simulated devices panel, against the simulated library.
pub fn window(
    config: &Config,
    link: Link,
    window: &dyn super::WindowFrontEnd,
) -> Result<(), AppError> {
    let clock = Clock::real();
    let demo = demo_config(config, link, &clock)?;
    window.run_window(&demo.config, &demo.secrets, true)
}

/// Runs the script against the simulated library with a virtual clock (no waiting).
pub fn run(config: &Config, link: Link, out: &mut dyn Output) -> Result<(), AppError> {
    let clock = Clock::virtual_from_now();
    let Demo {
        config,
        secrets,
        _served,
        _slides,
    } = demo_config(config, link, &clock)?;
    let start::Started {
        session,
        worker,
        devices,
        metrics,
    } = start::start(&config, &secrets, &clock)?;
    let (tx, rx) = std::sync::mpsc::channel();
    for (index, input) in script().into_iter().enumerate() {
        // The receiver is alive until the runtime has run; lines are the script's steps.
        let line = Some(index + 1);
        let _ = tx.send(Inbound::Input { input, line });
    }
    drop(tx);
    Runtime::new(session, worker, devices, clock, out)
        .with_metrics(metrics)
        .with_tech(TechShell::new(&config, &secrets))
        .with_promotion(start::promotion(&config))
        .run(rx)?;
    Ok(())
}

/// The demo's configuration and secrets for `link`, and the FOLIO endpoint it serves (kept
/// alive by the caller).
/// The demo's configuration, and what must live as long as the demo does.
struct Demo {
    config: Config,
    secrets: Secrets,
    /// The FOLIO-shaped server, when the demo talks to one.
    _served: Option<FolioServer>,
    /// The sample slides, unless the configuration names a folder of its own.
    _slides: Option<tempfile::TempDir>,
}

fn demo_config(config: &Config, link: Link, clock: &Clock) -> Result<Demo, AppError> {
    let mut config = config.clone();
    let slides = match config.promotion.dir {
        Some(_) => None,
        None => {
            let dir = crate::promotion::sample::unpack()?;
            config.promotion.dir = Some(dir.path().to_owned());
            Some(dir)
        }
    };
    let demo = |config, secrets, served| Demo {
        config,
        secrets,
        _served: served,
        _slides: slides,
    };
    let wall = clock.clone();
    let sim = || SimIls::new(&Seed::builtin(), Arc::new(move || wall.wall()));
    let demo_secrets = Secrets {
        staff_pin_hash: Some(crate::config::secrets::Secret::new(DEMO_STAFF_PIN_HASH)),
        ..Secrets::default()
    };
    match link {
        Link::InProcess => Ok(demo(config, demo_secrets, None)),
        Link::Sip2 => {
            let settings = ServerSettings {
                framing: Framing::default(),
                acs: AcsSettings {
                    institution: "SIM".into(),
                    library_name: config.kiosk.library_name.clone(),
                    offline_ok: false,
                },
                idle_timeout: Duration::from_secs(600),
            };
            let addr = sim_server::spawn(sim(), settings)?;
            let section = format!(
                "host = \"{}\"\nport = {}\ninstitution = \"SIM\"\n",
                addr.ip(),
                addr.port()
            );
            config.ils.kind = IlsKind::Sip2;
            config.ils.sip2 = Some(
                toml::from_str(&section).map_err(|e| AppError::Output(std::io::Error::other(e)))?,
            );
            Ok(demo(config, demo_secrets, None))
        }
        Link::Folio => {
            let server = FolioServer::start("127.0.0.1:0", sim(), FolioServerSettings::default())
                .map_err(AppError::Output)?;
            let section = format!(
                "url = \"{}\"\ntenant = \"sim\"\nusername = \"kiosk\"\nservice_point = \"{DEMO_SERVICE_POINT}\"\npatron_pin = true\n",
                server.url()
            );
            config.ils.kind = IlsKind::Folio;
            config.ils.folio = Some(
                toml::from_str(&section).map_err(|e| AppError::Output(std::io::Error::other(e)))?,
            );
            let secrets = Secrets {
                ils_password: Some(crate::config::secrets::Secret::new("demo")),
                ..demo_secrets
            };
            Ok(demo(config, secrets, Some(server)))
        }
    }
}

/// The demo's staff PIN (README): the technician mode can be tried.
pub const DEMO_STAFF_PIN: &str = "2468";

/// The argon2 hash of [`DEMO_STAFF_PIN`] (made once with `kiosk config hash-pin`, so the demo
/// does not spend an argon2 run at every start).
const DEMO_STAFF_PIN_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$yVG3q4PLhMYWA5hzKRthyQ$1ZN2nEAw1OYh/zDub6cHrlaiisYkAdJMZ5FTZQBu4rg";

/// The simulated library's one service point.
const DEMO_SERVICE_POINT: &str = "c4c90014-c8c9-4ade-8f24-b5e313319f4d";

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordVerifier;

    #[test]
    fn the_demo_staff_pin_hash_is_the_documented_pin() {
        let hash = argon2::PasswordHash::new(DEMO_STAFF_PIN_HASH).unwrap();
        let argon2 = argon2::Argon2::default();
        assert!(
            argon2
                .verify_password(DEMO_STAFF_PIN.as_bytes(), &hash)
                .is_ok()
        );
        assert!(argon2.verify_password(b"1234", &hash).is_err());
    }
}
