//! The runtime with the simulated library and machine and a journal on disk: what holds between
//! the parts, which no one part can show on its own.

use super::*;
use crate::app::devices::SecurityReport;
use crate::app::sim_pad::{PlaceTag, Placement};
use crate::app::start;
use crate::app::tech_shell::TechView;
use crate::circ::Button;
use crate::circ::effect::Security;
use crate::circ::types::Pin;
use crate::config::Config;
use crate::config::secrets::Secrets;
use std::path::{Path, PathBuf};

/// A journal row's kind and state.
type Row = (String, String);

/// At each tag write, the journal's latest row for that item, read from the database file as
/// another process would see it then.
struct WatchesTheJournal {
    journal: PathBuf,
    seen: Vec<(String, Security, Option<Row>)>,
}

fn latest_row(journal: &Path, item: &str) -> Option<Row> {
    let db =
        rusqlite::Connection::open_with_flags(journal, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .ok()?;
    db.query_row(
        "SELECT kind, state FROM transactions WHERE item = ?1 ORDER BY seq DESC LIMIT 1",
        [item],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .ok()
}

impl Output for WatchesTheJournal {
    fn effect(&mut self, _effect: &Effect) -> io::Result<()> {
        Ok(())
    }
    fn security(&mut self, report: &SecurityReport) -> io::Result<()> {
        let row = latest_row(&self.journal, &report.item.0);
        self.seen.push((report.item.0.clone(), report.state, row));
        Ok(())
    }
    fn rejected(&mut self, line: Option<usize>, message: &str) -> io::Result<()> {
        panic!("input {line:?} rejected: {message}");
    }
    fn tech(&mut self, _view: &TechView) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn the_journal_holds_each_loan_and_return_before_its_tag_changes() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.db");
    let mut config = Config::demo();
    config.journal.path = journal.clone();
    let clock = Clock::virtual_from_now();
    let start::Started {
        session,
        worker,
        devices,
        ..
    } = start::start(&config, &Secrets::default(), &clock).unwrap();
    let book = "30234000001023";
    let tag = || {
        Input::Sim(SimInput::Place(Placement::One(PlaceTag::item(
            "E0040150A1B2C301",
            book,
        ))))
    };
    let (tx, rx) = std::sync::mpsc::channel();
    for input in [
        Input::Scan("20234000000019".into()),
        Input::Pin(Pin::new("1234")),
        Input::Press(Button::Borrow),
        tag(),
        Input::Press(Button::Done),
        Input::Press(Button::NoReceipt),
        Input::Sim(SimInput::ClearPad),
        Input::Wait(Duration::from_secs(10)),
        // Back on the attract screen: laid on the pad, the book is returned.
        tag(),
        Input::Wait(Duration::from_secs(15)),
    ] {
        tx.send(Inbound::from(input)).unwrap();
    }
    drop(tx);
    let mut out = WatchesTheJournal {
        journal: journal.clone(),
        seen: Vec::new(),
    };
    Runtime::new(session, worker, devices, clock, &mut out)
        .run(rx)
        .unwrap();
    let row = |kind: &str| Some((kind.to_owned(), "done".to_owned()));
    assert_eq!(
        out.seen,
        [
            (book.to_owned(), Security::OnLoan, row("checkout")),
            (book.to_owned(), Security::InLibrary, row("checkin")),
        ],
        "each tag write found its transaction already done in the journal"
    );
}
