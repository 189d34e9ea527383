//! Benchmark of what a reader waits per book beyond the library system's own answer:
//!
//! - *scan → outcome shown*: a book's barcode entering the session loop → its outcome leaving it,
//!   through the session, the journal (synchronous=FULL) and the ILS worker, over SIP2 to the
//!   simulated ACS on loopback; against
//! - the floor: a raw SIP2 round trip of the same kind (checkout or checkin) through the SIP2
//!   adapter on a connection of its own to the same ACS, measured just before each book.
//!
//! Also in the same run, on the same disk: a bare SQLite commit with synchronous=FULL, because
//! recording a loan durably is two of them (the attempt before the ILS is asked, the outcome).
//!
//! Run: `cargo bench --bench latency` (figures go in BENCHMARKS.md).

mod kit;

use kiosk::app::runtime::Input;
use kiosk::circ::Button;
use kiosk::circ::types::{ItemId, PatronId, Pin};
use kiosk::ils::Ils;
use kiosk::ils::sim::seed::Seed;
use kiosk::ils::sip2::adapter::Sip2Ils;
use kiosk::queue::journal::{Journal, JournalSettings};
use kit::{Kiosk, acs, example_config, quantile, report, sip2_adapter};
use std::time::{Duration, Instant};

const CARD: &str = "20234000000019";
const BOOKS: [&str; 4] = [
    "30234000001015",
    "30234000001023",
    "30234000001114",
    "30234000001122",
];
/// The floor's book and reader: another loanable book of the built-in library, another reader.
const RAW_BOOK: &str = "30234000001031";
const RAW_READER: &str = "20234000000050";

/// Raw round trips, µs: a checkout of the floor's book, then its checkin (it is on the shelf
/// again for the next pair).
fn raw_pair(ils: &mut Sip2Ils) -> (f64, f64) {
    let (reader, book) = (PatronId(RAW_READER.into()), ItemId(RAW_BOOK.into()));
    let started = Instant::now();
    let lent = ils.checkout(&reader, &book).expect("the link");
    let checkout = started.elapsed();
    assert!(lent.is_ok(), "the ACS refused the floor's checkout");
    let started = Instant::now();
    let back = ils.checkin(&book).expect("the link");
    let checkin = started.elapsed();
    assert!(back.is_ok(), "the ACS refused the floor's checkin");
    (checkout.as_secs_f64() * 1e6, checkin.as_secs_f64() * 1e6)
}

#[derive(Default)]
struct Figures {
    /// Kiosk item times and their floors, µs, paired.
    kiosk: Vec<f64>,
    raw: Vec<f64>,
}

impl Figures {
    fn differences(&self) -> Vec<f64> {
        self.kiosk
            .iter()
            .zip(&self.raw)
            .map(|(k, r)| k - r)
            .collect()
    }
}

/// A reader borrows the four books, then they come back without a card; before each book, a
/// raw round trip of the same kind.
fn round(kiosk: &Kiosk, raw: &mut Sip2Ils, borrows: &mut Figures, returns: &mut Figures) {
    kiosk.send(Input::Scan(CARD.into()));
    kiosk.send(Input::Pin(Pin::new("1234")));
    kiosk.send(Input::Press(Button::Borrow));
    for book in BOOKS {
        let (checkout, _) = raw_pair(raw);
        borrows.raw.push(checkout);
        borrows.kiosk.push(kiosk.item(book).as_secs_f64() * 1e6);
    }
    kiosk.send(Input::Press(Button::Done));
    kiosk.send(Input::Press(Button::NoReceipt));
    kiosk.send(Input::Wait(Duration::from_secs(8)));
    for book in BOOKS {
        let (_, checkin) = raw_pair(raw);
        returns.raw.push(checkin);
        returns.kiosk.push(kiosk.item(book).as_secs_f64() * 1e6);
    }
    kiosk.send(Input::Wait(Duration::from_secs(12)));
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs a quick smoke pass.
    let quick = !std::env::args().any(|a| a == "--bench");
    let rounds = if quick { 3 } else { 250 };
    let dir = tempfile::tempdir().expect("a directory");
    let addr = acs(&Seed::builtin());
    let kiosk = Kiosk::start(example_config(dir.path(), |text| {
        format!(
            "{}\n[ils.sip2]\nhost = \"{}\"\nport = {}\ninstitution = \"SIM\"\n",
            text.replace("kind = \"sim\"", "kind = \"sip2\""),
            addr.ip(),
            addr.port()
        )
    }));
    let mut raw = sip2_adapter(addr);
    let (mut borrows, mut returns) = (Figures::default(), Figures::default());
    // Warm up (pages, connections, the ACS's caches), then measure.
    round(
        &kiosk,
        &mut raw,
        &mut Figures::default(),
        &mut Figures::default(),
    );
    for _ in 0..rounds {
        round(&kiosk, &mut raw, &mut borrows, &mut returns);
    }

    // The journal's share: a bare commit that waits for the disk, in a journal beside the
    // kiosk's, measured between rounds of the same kind as the kiosk's writes.
    let mut journal = Journal::open(
        &dir.path().join("floor.db"),
        JournalSettings {
            kiosk: "bench".into(),
            patron_retention: Duration::from_secs(86_400),
        },
    )
    .expect("journal")
    .journal;
    let commits: Vec<f64> = (1..=if quick { 20 } else { 1000 })
        .map(|n| {
            let started = Instant::now();
            journal.bench_bare_commit(n).expect("commit");
            started.elapsed().as_secs_f64() * 1e6
        })
        .collect();

    println!(
        "scan → outcome shown, over SIP2 to the simulated ACS on loopback ({rounds} rounds of 4 borrows and 4 returns):"
    );
    for (kind, figures) in [("borrow", &borrows), ("return", &returns)] {
        report(&format!("{kind}: raw SIP2 round trip"), &figures.raw);
        report(&format!("{kind}: kiosk, scan → outcome"), &figures.kiosk);
        report(
            &format!("{kind}: difference (paired)"),
            &figures.differences(),
        );
    }
    let all: Vec<f64> = borrows
        .differences()
        .into_iter()
        .chain(returns.differences())
        .collect();
    report("all items: difference (paired)", &all);
    report("bare SQLite commit, synchronous=FULL", &commits);
    println!(
        "difference p50 {:.0} µs, p99 {:.0} µs (target: p99 ≤ 2000 µs); two durable commits p50 {:.0} µs",
        quantile(&all, 0.5),
        quantile(&all, 0.99),
        2.0 * quantile(&commits, 0.5)
    );
}
