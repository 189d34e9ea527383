//! `kiosk demo`: a scripted visit to the simulated library — a reader borrows (one book
//! reserved for someone else, one not for loan), takes a receipt, and another reader returns
//! the books without a card.

use super::AppError;
use super::clock::Clock;
use super::headless::{Command, Driver, Input, Output};
use super::sim_server;
use super::start;
use crate::circ::types::Pin;
use crate::circ::{Button, Language};
use crate::config::Config;
use crate::config::IlsKind;
use crate::config::secrets::Secrets;
use crate::ils::sim::SimIls;
use crate::ils::sim::seed::Seed;
use crate::ils::sip2::Framing;
use crate::ils::sip2::server::{AcsSettings, ServerSettings};
use std::sync::Arc;
use std::time::Duration;

pub fn script() -> Vec<Command> {
    let tag = |uid: &str, item: &str| Command::Tag {
        uid: uid.into(),
        item: item.into(),
        no_offline_issue: false,
        no_offline_return: false,
    };
    vec![
        Command::Language(Language::En),
        // 李华 Li Hua's library card, and her PIN.
        Command::Scan("20234000000019".into()),
        Command::Pin(Pin::new("1234")),
        Command::Press(Button::Borrow),
        // 三体, scanned; The Left Hand of Darkness, placed on the RFID pad.
        Command::Scan("30234000001015".into()),
        tag("E0040150A1B2C301", "30234000001023"),
        // Pride and Prejudice is reserved for another reader; 红楼梦 is reference only.
        Command::Scan("30234000001049".into()),
        Command::Scan("30234000001056".into()),
        Command::Press(Button::Done),
        Command::Press(Button::PrintReceipt),
        Command::Wait(6.0),
        // Later, the books come back through the return without a card.
        Command::Scan("30234000001015".into()),
        tag("E0040150A1B2C301", "30234000001023"),
        Command::Wait(11.0),
    ]
}

/// Runs the script against the simulated library with a virtual clock (no waiting); with
/// `over_sip2`, the library sits behind a SIP2 server on a loopback socket.
pub fn run(config: &Config, over_sip2: bool, out: &mut dyn Output) -> Result<(), AppError> {
    let clock = Clock::virtual_from_now();
    let mut config = config.clone();
    if over_sip2 {
        let wall = clock.clone();
        let sim = SimIls::new(&Seed::builtin(), Arc::new(move || wall.wall()));
        let settings = ServerSettings {
            framing: Framing::default(),
            acs: AcsSettings {
                institution: "SIM".into(),
                library_name: config.kiosk.library_name.clone(),
                offline_ok: false,
            },
            idle_timeout: Duration::from_secs(600),
        };
        let addr = sim_server::spawn(sim, settings)?;
        let section = format!(
            "host = \"{}\"\nport = {}\ninstitution = \"SIM\"\n",
            addr.ip(),
            addr.port()
        );
        config.ils.kind = IlsKind::Sip2;
        config.ils.sip2 =
            Some(toml::from_str(&section).map_err(|e| AppError::Output(std::io::Error::other(e)))?);
    }
    let (session, worker) = start::start(&config, &Secrets::default(), &clock)?;
    let (tx, rx) = std::sync::mpsc::channel();
    for (index, command) in script().into_iter().enumerate() {
        // The receiver is alive until the driver has run.
        let _ = tx.send(Input::Command(index + 1, command));
    }
    drop(tx);
    Driver::new(session, worker, clock, out).run(rx)?;
    Ok(())
}
