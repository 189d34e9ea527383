//! Benchmark of the business statistics, each against a floor measured in the same run:
//!
//! - recording an online loan's outcome with its hourly and daily counts (what the kiosk does)
//!   against recording it without them, on the same SQLite file with the same pragmas; and the
//!   same for a loan queued offline (counted when the reader is served);
//! - `kiosk stats` over three years of hourly counts for one kiosk: the whole command (a new
//!   process that opens the journal, reads every row and writes a report), against the process
//!   alone (`kiosk --version`), and in process against the bare read of the rows.
//!
//! Run: `cargo bench --bench stats` (figures go in BENCHMARKS.md).

use kiosk::circ::types::{ItemId, PatronId};
use kiosk::queue::Action;
use kiosk::queue::journal::{Finish, Journal, JournalSettings, NewTransaction, Stamp};
use kiosk::stats::{By, csv, sample, totals};
use std::process::Command;
use std::time::{Duration, Instant};

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn journal(path: &std::path::Path) -> Journal {
    Journal::open(
        path,
        JournalSettings {
            kiosk: "bench".into(),
            patron_retention: Duration::ZERO,
        },
    )
    .expect("journal")
    .journal
}

/// Microseconds per operation, for `n` operations.
fn per_op(n: usize, mut op: impl FnMut(usize)) -> f64 {
    let started = Instant::now();
    for i in 0..n {
        op(i);
    }
    started.elapsed().as_secs_f64() * 1e6 / n as f64
}

/// One online loan as the kiosk records it: the attempt (durable before the ILS is asked),
/// then its outcome.
fn lend(journal: &mut Journal, n: usize) {
    let patron = PatronId("20234000000019".into());
    let item = ItemId(format!("3{n:013}"));
    let id = journal
        .begin_online(&NewTransaction::new(Action::Borrow, &item, Stamp::now()).by(&patron))
        .expect("begin");
    journal
        .finish(
            id,
            Finish::Done {
                due: Some("2026-12-27 23:59".into()),
                reply: None,
            },
        )
        .expect("finish");
}

/// One loan queued while the ILS is away (one commit, the count inside it).
fn lend_offline(journal: &mut Journal, n: usize) {
    let patron = PatronId("20234000000019".into());
    let item = ItemId(format!("4{n:013}"));
    journal
        .queue_offline(
            &NewTransaction::new(Action::Borrow, &item, Stamp::now()).by(&patron),
            None,
        )
        .expect("queue");
}

/// Microseconds per `record` without the counts and with them, medians of interleaved rounds.
fn aggregates(
    dir: &std::path::Path,
    name: &str,
    rounds: usize,
    record: fn(&mut Journal, usize),
) -> (f64, f64) {
    let mut journal = journal(&dir.join(name));
    let (mut floor, mut ours) = (Vec::new(), Vec::new());
    let mut n = 0;
    // Interleaved rounds, so both see the same disk.
    for _ in 0..rounds {
        journal.bench_without_counts(true);
        floor.push(per_op(100, |_| {
            n += 1;
            record(&mut journal, n);
        }));
        journal.bench_without_counts(false);
        ours.push(per_op(100, |_| {
            n += 1;
            record(&mut journal, n);
        }));
    }
    (median(floor), median(ours))
}

/// Milliseconds a command takes, the median of `runs`.
fn command_ms(runs: usize, args: &[&str]) -> f64 {
    median(
        (0..runs)
            .map(|_| {
                let started = Instant::now();
                let out = Command::new(env!("CARGO_BIN_EXE_kiosk"))
                    .args(args)
                    .output()
                    .expect("run kiosk");
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                started.elapsed().as_secs_f64() * 1e3
            })
            .collect(),
    )
}

struct ThreeYears {
    rows: usize,
    read_ms: f64,
    report_ms: f64,
    process_ms: f64,
    command_ms: Vec<(&'static str, f64)>,
}

fn three_years(dir: &std::path::Path, runs: usize) -> ThreeYears {
    let path = dir.join("three-years.db");
    let mut journal = journal(&path);
    let today = chrono::Local::now().date_naive();
    let history = sample::history(today, 3 * 365, 12.0, 2026);
    journal.bench_add_hourly_counts(&history).expect("history");
    let rows = journal.hourly_counts().expect("read").len();
    let read_ms = median(
        (0..runs)
            .map(|_| per_op(1, |_| drop(journal.hourly_counts().expect("read"))) / 1e3)
            .collect(),
    );
    let report_ms = median(
        (0..runs)
            .map(|_| {
                per_op(1, |_| {
                    let rows = journal.hourly_counts().expect("read");
                    drop(csv(&totals(&rows, By::Day, None, None), true));
                }) / 1e3
            })
            .collect(),
    );
    drop(journal);
    let process_ms = command_ms(runs, &["--version"]);
    let journal_arg = path.to_str().expect("path");
    let command_ms = [("day", "csv"), ("hour-of-day", "table"), ("month", "json")]
        .into_iter()
        .map(|(by, format)| {
            let ms = command_ms(
                runs,
                &[
                    "stats",
                    "--journal",
                    journal_arg,
                    "--by",
                    by,
                    "--format",
                    format,
                    "-o",
                    dir.join("report").to_str().expect("path"),
                ],
            );
            (by, ms)
        })
        .collect();
    ThreeYears {
        rows,
        read_ms,
        report_ms,
        process_ms,
        command_ms,
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs a quick smoke pass.
    let quick = !std::env::args().any(|a| a == "--bench");
    let dir = std::env::var_os("KIOSK_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir)
        .join(format!("kiosk-bench-stats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("bench dir");
    let rounds = if quick { 2 } else { 15 };
    let (floor, ours) = aggregates(&dir, "online.db", rounds, lend);
    println!(
        "aggregates: an online loan recorded without counts {floor:.1} µs, with them {ours:.1} µs, \
         ratio {:.3} (target ≤ 1.1)",
        ours / floor
    );
    let (floor, ours) = aggregates(&dir, "offline.db", rounds, lend_offline);
    println!(
        "aggregates: a loan queued offline without counts {floor:.1} µs, with them {ours:.1} µs, \
         ratio {:.3} (target ≤ 1.1)",
        ours / floor
    );
    let t = three_years(&dir, if quick { 1 } else { 11 });
    println!(
        "three years ({} hourly rows): reading them {:.1} ms, in-process report by day {:.1} ms \
         ({:.2}× the read)",
        t.rows,
        t.read_ms,
        t.report_ms,
        t.report_ms / t.read_ms
    );
    for (by, ms) in &t.command_ms {
        println!(
            "kiosk stats --by {by}: {ms:.1} ms (process alone, kiosk --version: {:.1} ms; \
             {:.1} ms above it) (target < 200 ms)",
            t.process_ms,
            ms - t.process_ms
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
