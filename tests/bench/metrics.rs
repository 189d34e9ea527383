//! Benchmark of the Prometheus metrics' cost to the reader, in one run:
//!
//! - the item time (a book's barcode entering the session loop → its outcome leaving it,
//!   through the session, the journal with synchronous=FULL, and the simulated ILS) of a kiosk
//!   with `[metrics]` off against the same kiosk with it on, in alternating rounds on the same
//!   disk (the floor is the kiosk without metrics);
//! - the same while 50 scrapers ask `/metrics` at once, four times a second, against the kiosk
//!   without metrics beside it in the same load; and how long the endpoint takes to answer.
//!
//! Run: `cargo bench --bench metrics` (figures go in BENCHMARKS.md).

mod kit;

use kiosk::app::runtime::Input;
use kiosk::circ::Button;
use kiosk::circ::types::Pin;
use kit::{Kiosk, example_config, quantile, report, trimmed_mean};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CARD: &str = "20234000000019";
const BOOKS: [&str; 4] = [
    "30234000001015",
    "30234000001023",
    "30234000001114",
    "30234000001122",
];
const ROUNDS: usize = 150;
/// How long the kiosks run under the scrapers.
const LOADED_FOR: Duration = Duration::from_secs(15);
const SCRAPERS: usize = 50;
const BURST_EVERY: Duration = Duration::from_millis(250);

/// A kiosk on the simulated machine and ILS, its journal in `dir`, with `/metrics` on `port`
/// when given.
fn kiosk(dir: &Path, metrics_port: Option<u16>) -> Kiosk {
    Kiosk::start(example_config(dir, |text| match metrics_port {
        Some(port) => text.replace(
            "# listen = \"0.0.0.0:9464\"",
            &format!("listen = \"127.0.0.1:{port}\""),
        ),
        None => text,
    }))
}

/// A reader borrows the four books, then they come back without a card: eight item times.
fn round(kiosk: &Kiosk, times: &mut Vec<f64>) {
    kiosk.send(Input::Scan(CARD.into()));
    kiosk.send(Input::Pin(Pin::new("1234")));
    kiosk.send(Input::Press(Button::Borrow));
    for book in BOOKS {
        times.push(kiosk.item(book).as_secs_f64() * 1e6);
    }
    kiosk.send(Input::Press(Button::Done));
    kiosk.send(Input::Press(Button::NoReceipt));
    kiosk.send(Input::Wait(Duration::from_secs(8)));
    for book in BOOKS {
        times.push(kiosk.item(book).as_secs_f64() * 1e6);
    }
    kiosk.send(Input::Wait(Duration::from_secs(12)));
}

/// One scrape: the answer time in µs.
fn scrape(port: u16) -> Option<f64> {
    let started = Instant::now();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: bench\r\n\r\n")
        .ok()?;
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).ok()?;
    reply
        .starts_with(b"HTTP/1.1 200")
        .then(|| started.elapsed().as_secs_f64() * 1e6)
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let (off_dir, on_dir) = (dir.path().join("off"), dir.path().join("on"));
    std::fs::create_dir_all(&off_dir).unwrap();
    std::fs::create_dir_all(&on_dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let off = kiosk(&off_dir, None);
    let on = kiosk(&on_dir, Some(port));
    // Warm up both (the journal's pages, the simulated library's caches).
    let mut warm = Vec::new();
    round(&off, &mut warm);
    round(&on, &mut warm);

    // Alternating rounds (off, on, on, off …) so both see the same disk and machine.
    let (mut without, mut with) = (Vec::new(), Vec::new());
    for i in 0..ROUNDS {
        if i % 2 == 0 {
            round(&off, &mut without);
            round(&on, &mut with);
        } else {
            round(&on, &mut with);
            round(&off, &mut without);
        }
    }

    // The same kiosk with 50 scrapers at it: every quarter of a second all 50 ask at once (50
    // Prometheus servers scraping in step, 200 scrapes a second: far more than a fleet's).
    let stop = Arc::new(AtomicBool::new(false));
    let answers = Arc::new(Mutex::new(Vec::new()));
    let failed = Arc::new(Mutex::new(0usize));
    let burst = Arc::new(std::sync::Barrier::new(SCRAPERS));
    let scrapers: Vec<_> = (0..SCRAPERS)
        .map(|_| {
            let (stop, answers, failed, burst) = (
                Arc::clone(&stop),
                Arc::clone(&answers),
                Arc::clone(&failed),
                Arc::clone(&burst),
            );
            std::thread::spawn(move || {
                loop {
                    let leader = burst.wait().is_leader();
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    match scrape(port) {
                        Some(us) => answers.lock().unwrap().push(us),
                        None => *failed.lock().unwrap() += 1,
                    }
                    if leader {
                        std::thread::sleep(BURST_EVERY);
                    }
                }
            })
        })
        .collect();
    let (mut scraped, mut quiet) = (Vec::new(), Vec::new());
    let loaded = Instant::now();
    let mut i = 0;
    while loaded.elapsed() < LOADED_FOR {
        i += 1;
        // The kiosk without metrics beside it, in the same load, is the floor again.
        if i % 2 == 0 {
            round(&on, &mut scraped);
            round(&off, &mut quiet);
        } else {
            round(&off, &mut quiet);
            round(&on, &mut scraped);
        }
    }
    stop.store(true, Ordering::Relaxed);
    for scraper in scrapers {
        scraper.join().unwrap();
    }
    let answers = answers.lock().unwrap().clone();
    let failed = *failed.lock().unwrap();

    println!("item time, scan → outcome shown (simulated ILS, journal synchronous=FULL):");
    report("metrics off", &without);
    report("metrics on", &with);
    report("metrics on, 50 scrapers", &scraped);
    report("metrics off, beside the scrapers", &quiet);
    println!(
        "ratio on/off (trimmed mean): {:.3}   (p50: {:.3})",
        trimmed_mean(&with) / trimmed_mean(&without),
        quantile(&with, 0.5) / quantile(&without, 0.5)
    );
    println!(
        "ratio on+scrapers/off beside them (trimmed mean): {:.3}   (p50: {:.3})",
        trimmed_mean(&scraped) / trimmed_mean(&quiet),
        quantile(&scraped, 0.5) / quantile(&quiet, 0.5)
    );
    println!(
        "scrapes, {SCRAPERS} at once every {BURST_EVERY:?}: {} answered, {failed} refused or failed; p50 {:.0} µs, p90 {:.0} µs, p99 {:.0} µs",
        answers.len(),
        quantile(&answers, 0.5),
        quantile(&answers, 0.9),
        quantile(&answers, 0.99)
    );
}
