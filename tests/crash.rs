//! Crash test: readers borrow and return while the ILS is down, then while the queue replays to
//! the simulated ILS — over SIP2, and again through the FOLIO adapter to the FOLIO-shaped
//! endpoint (loans kept by item barcode) — and the kiosk is killed (SIGKILL) at random moments
//! throughout.
//! After the final replay: nothing a reader was told is lost, nothing is applied twice, and
//! every item's transactions reached the ILS in order.
//!
//! `KIOSK_CRASH_ITERATIONS` (default 200) sets the number of kiosk runs; `KIOSK_CRASH_SEED`
//! replays a given run (the seed is printed).

mod common;
use common::*;
use serde_json::Value;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ITEMS: [&str; 7] = [
    "30234000001015",
    "30234000001023",
    "30234000001031",
    "30234000001072",
    "30234000001114",
    "30234000001122",
    "30234000001130",
];
/// The kiosk's password at the ILS (the FOLIO endpoint accepts any; SIP2 here asks none).
const PASSWORD: &str = "demo";
const PATRONS: [(&str, &str); 2] = [("20234000000019", "1234"), ("20234000000050", "5678")];

/// xorshift64*: reproducible randomness without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// What the harness believes about an item, from the journal.
#[derive(Debug, Clone, PartialEq)]
enum ItemState {
    Available,
    OnLoan,
    /// An attempt with an unknown outcome: left alone until the kiosk has settled it.
    Uncertain,
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_kiosk")
}

/// The kiosk binary; under a power-cut test, with the library that keeps synced images
/// preloaded: every process that writes the journal must be seen, or an image goes stale.
fn kiosk_command(power: Option<&PowerCut>) -> Command {
    let mut command = Command::new(bin());
    if let Some(power) = power {
        command
            .env("LD_PRELOAD", &power.library)
            .env("KIOSK_POWERCUT_DIR", &power.dir);
    }
    command
}

fn queue_json(config: &Path, args: &[&str], power: Option<&PowerCut>) -> Value {
    let output = kiosk_command(power)
        .args(["queue", "--config", config.to_str().unwrap()])
        .args(args)
        .env("KIOSK_ILS_PASSWORD", PASSWORD)
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Item states as the journal has them: the latest transaction that counts, per item.
fn item_states(config: &Path, power: Option<&PowerCut>) -> HashMap<String, ItemState> {
    let mut states: HashMap<String, ItemState> = ITEMS
        .iter()
        .map(|i| (i.to_string(), ItemState::Available))
        .collect();
    for row in queue_json(config, &["list", "--json"], power)
        .as_array()
        .unwrap()
    {
        let item = row["item"].as_str().unwrap().to_owned();
        let state = match (
            row["kind"].as_str().unwrap(),
            row["state"].as_str().unwrap(),
        ) {
            (_, "void" | "declined" | "discarded" | "refused") => continue,
            (_, "unknown" | "sending") => ItemState::Uncertain,
            ("checkout", _) => ItemState::OnLoan,
            ("checkin", _) => ItemState::Available,
            _ => continue,
        };
        states.insert(item, state);
    }
    states
}

/// A visit: a reader borrows what is free, then someone returns what is out, without a card.
fn session(rng: &mut Rng, states: &HashMap<String, ItemState>) -> String {
    let mut lines = Vec::new();
    let mut pick = |state: ItemState| {
        let mut items: Vec<&str> = ITEMS
            .iter()
            .copied()
            .filter(|i| states[*i] == state)
            .collect();
        for i in (1..items.len()).rev() {
            items.swap(i, rng.below(i as u64 + 1) as usize);
        }
        items
    };
    let free = pick(ItemState::Available);
    let out = pick(ItemState::OnLoan);
    if !free.is_empty() {
        let (card, pin) = PATRONS[rng.below(2) as usize];
        lines.push(format!(r#"{{"scan": "{card}"}}"#));
        lines.push(format!(r#"{{"pin": "{pin}"}}"#));
        lines.push(r#"{"press": "borrow"}"#.to_owned());
        for item in free.iter().take(1 + rng.below(2) as usize) {
            lines.push(format!(r#"{{"scan": "{item}"}}"#));
        }
        lines.push(r#"{"press": "done"}"#.to_owned());
        lines.push(r#"{"press": "no_receipt"}"#.to_owned());
    }
    for item in out.iter().take(1 + rng.below(3) as usize) {
        lines.push(format!(r#"{{"scan": "{item}"}}"#));
    }
    lines.join("\n") + "\n"
}

/// The outcomes a reader saw before the kiosk ended or was killed: (kind, item).
fn told(stdout: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(stdout);
    text.split_inclusive('\n')
        .filter(|l| l.ends_with('\n'))
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|l| l["effect"] == "outcome")
        .filter_map(|l| {
            let o = &l["outcome"];
            let kind = match o["status"].as_str()? {
                "borrowed" => "checkout",
                "returned" => "checkin",
                _ => return None,
            };
            Some((kind.to_owned(), o["item"].as_str()?.to_owned()))
        })
        .collect()
}

/// How the kiosk reaches the simulated ILS.
#[derive(Debug, Clone, Copy)]
enum Link {
    Sip2,
    Folio,
}

fn start_server(link: Link, port: u16, log: &Path) -> Served {
    let flag = match link {
        Link::Sip2 => "--sip2",
        Link::Folio => "--folio",
    };
    let log = log.to_str().expect("a temporary path in UTF-8");
    serve(
        &[flag, &format!("127.0.0.1:{port}"), "--applied-log", log],
        port,
    )
}

fn config(dir: &Path, link: Link, port: u16) -> PathBuf {
    let section = match link {
        Link::Sip2 => format!(
            "kind = \"sip2\"\n\n[ils.sip2]\nhost = \"127.0.0.1\"\nport = {port}\ninstitution = \"SIM\"\n\
             connect_timeout_secs = 1\ntimeout_secs = 2\nretries = 1\nreconnect_max_secs = 1\n"
        ),
        Link::Folio => format!(
            "kind = \"folio\"\n\n[ils.folio]\nurl = \"http://127.0.0.1:{port}\"\ntenant = \"sim\"\nusername = \"kiosk\"\n\
             service_point = \"3a40852d-49fd-4df2-a1f9-6e2641a6e91f\"\npatron_pin = true\n\n\
             [ils.folio.http]\nconnect_timeout_secs = 1\nrequest_timeout_secs = 2\nread_retries = 1\n"
        ),
    };
    config_in(dir, |text| {
        text.replace("kind = \"sim\"", &section)
            .replace("max_items_per_session = 5", "max_items_per_session = 10")
            .replace("retry_secs = 30", "retry_secs = 1")
            // Keep patron ids so the test can match loans to readers.
            .replace("patron_retention_days = 0", "patron_retention_days = 3650")
    })
}

#[test]
fn killed_at_random_moments_offline_and_while_replaying_over_sip2_nothing_is_lost_or_doubled() {
    crash_run(Link::Sip2, None);
}

#[test]
fn killed_at_random_moments_offline_and_while_replaying_through_folio_nothing_is_lost_or_doubled() {
    crash_run(Link::Folio, None);
}

/// A power cut is harsher than SIGKILL: what was written but not yet synced to the disk is lost
/// too. After each run (killed or not) the journal's files are put back to what their last
/// fsync made durable (`tests/powercut/keep_synced.c`, preloaded into the kiosk).
#[test]
fn power_cut_at_random_moments_loses_nothing_a_reader_was_told() {
    let iterations = std::env::var("KIOSK_POWERCUT_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    crash_run(Link::Sip2, Some(iterations));
}

/// The library that keeps each journal file's last synced image, and the directory it watches.
struct PowerCut {
    library: PathBuf,
    dir: PathBuf,
}

/// Builds the preloaded library that keeps each journal file's last synced image.
fn power_cut_library(dir: &Path) -> PathBuf {
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/powercut/keep_synced.c");
    let library = dir.join("keep_synced.so");
    let built = Command::new("cc")
        .args(["-shared", "-fPIC", "-O1", "-Wall", "-o"])
        .arg(&library)
        .arg(source)
        .arg("-ldl")
        .status()
        .expect("the power-cut test needs a C compiler (cc) to build its preloaded library");
    assert!(built.success(), "cc could not build {source}");
    library
}

/// The power fails: each of the journal's files goes back to its last synced image, and one
/// never synced goes away. Returns how many files lost writes that were not synced.
fn power_cut(dir: &Path) -> usize {
    let mut lost = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("journal.db") || name.contains(".synced") {
            continue;
        }
        let image = dir.join(format!("{name}.synced"));
        let now = std::fs::read(&path).unwrap_or_default();
        if name.ends_with("-shm") || !image.exists() {
            // Shared memory is on no disk; a file never synced never reached one.
            std::fs::remove_file(&path).unwrap();
            lost += usize::from(!name.ends_with("-shm") && !now.is_empty());
            continue;
        }
        let durable = std::fs::read(&image).unwrap();
        if durable != now {
            lost += 1;
            std::fs::write(&path, durable).unwrap();
        }
    }
    lost
}

fn crash_run(link: Link, power_cuts: Option<u64>) {
    let iterations: u64 = power_cuts.unwrap_or_else(|| {
        std::env::var("KIOSK_CRASH_ITERATIONS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(200)
    });
    let seed: u64 = std::env::var("KIOSK_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    println!(
        "crash test ({link:?}{}): {iterations} iterations, KIOSK_CRASH_SEED={seed}",
        if power_cuts.is_some() {
            ", power cuts"
        } else {
            ""
        }
    );
    let mut rng = Rng(seed);
    let tempdir = tempfile::tempdir().unwrap();
    // The preloaded library matches the paths the kiosk opens, which are canonical.
    let dir = &tempdir.path().canonicalize().unwrap();
    let power = power_cuts.map(|_| PowerCut {
        library: power_cut_library(dir),
        dir: dir.clone(),
    });
    let mut writes_lost = 0;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = config(dir, link, port);
    let applied_log = dir.join("applied.jsonl");
    let mut server: Option<Served> = None;
    let mut all_told: Vec<(String, String)> = Vec::new();
    let (mut killed, mut replay_kills) = (0, 0);

    for iteration in 0..iterations {
        // The ILS is down for the first 40 % of the runs, then comes back.
        if server.is_none() && iteration * 10 >= iterations * 4 {
            server = Some(start_server(link, port, &applied_log));
        }
        let states = item_states(&config, power.as_ref());
        if std::env::var("KIOSK_CRASH_DEBUG").is_ok() && iteration % 50 == 0 {
            println!("iteration {iteration}: {states:?}");
        }
        let input = session(&mut rng, &states);
        let mut kiosk = kiosk_command(power.as_ref())
            .args([
                "run",
                "--headless",
                "--clock",
                "virtual",
                "--config",
                config.to_str().unwrap(),
            ])
            .env("RUST_LOG", "warn")
            .env("KIOSK_ILS_PASSWORD", PASSWORD)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = kiosk.stdin.take().unwrap();
        let _ = stdin.write_all(input.as_bytes());
        drop(stdin);
        // Kill most runs after a random number of output lines (a random moment of the session
        // or of the replay running beside it); let some finish.
        let kill_after_lines = (rng.below(10) < 8).then(|| rng.below(16) as usize);
        let (lines_tx, lines_rx) = std::sync::mpsc::channel::<Vec<u8>>();
        let mut pipe = kiosk.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut chunk) {
                if n == 0 || lines_tx.send(chunk[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        let started = Instant::now();
        let mut stdout = Vec::new();
        let mut was_killed = false;
        loop {
            match lines_rx.recv_timeout(Duration::from_millis(5)) {
                Ok(bytes) => stdout.extend(bytes),
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            }
            let lines = stdout.iter().filter(|b| **b == b'\n').count();
            if kill_after_lines.is_some_and(|k| lines >= k) {
                kiosk.kill().unwrap();
                was_killed = true;
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "a kiosk run hung"
            );
        }
        let status = kiosk.wait().unwrap();
        reader.join().unwrap();
        while let Ok(bytes) = lines_rx.try_recv() {
            stdout.extend(bytes);
        }
        if was_killed {
            killed += 1;
            if server.is_some() {
                replay_kills += 1;
            }
        } else {
            assert!(status.success(), "a kiosk run failed on its own");
        }
        all_told.extend(told(&stdout));
        if power.is_some() {
            writes_lost += power_cut(dir);
        }
    }
    if power.is_some() {
        println!("{writes_lost} journal files lost unsynced writes to power cuts");
        assert!(
            dir.join("journal.db-wal.synced").exists() || dir.join("journal.db.synced").exists(),
            "the preloaded library kept no synced image: the power cuts would have tested nothing"
        );
        assert!(
            writes_lost > 0,
            "no power cut lost a write: nothing was tested"
        );
    }
    if server.is_none() {
        server = Some(start_server(link, port, &applied_log));
    }

    // The final replay, with nothing killed.
    let output = kiosk_command(power.as_ref())
        .args([
            "queue",
            "--config",
            config.to_str().unwrap(),
            "replay",
            "--json",
        ])
        .env("KIOSK_ILS_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let replayed = String::from_utf8_lossy(&output.stdout).into_owned();
    drop(server);

    let rows = queue_json(&config, &["list", "--json"], power.as_ref());
    let rows = rows.as_array().unwrap();
    let state_of = |r: &Value| r["state"].as_str().unwrap().to_owned();
    let waiting: Vec<&Value> = rows
        .iter()
        .filter(|r| matches!(state_of(r).as_str(), "pending" | "sending" | "unknown"))
        .collect();
    if !waiting.is_empty() {
        let items: Vec<&str> = waiting.iter().filter_map(|r| r["item"].as_str()).collect();
        let history: Vec<String> = rows
            .iter()
            .filter(|r| r["item"].as_str().is_some_and(|i| items.contains(&i)))
            .map(|r| {
                format!(
                    "{} {} {} {} {:?} {:?}",
                    r["seq"], r["item"], r["kind"], r["state"], r["last_error"], r["reply"]
                )
            })
            .collect();
        panic!(
            "left waiting after the final replay ({replayed}):\n{}",
            history.join("\n")
        );
    }
    let refused: Vec<&Value> = rows.iter().filter(|r| state_of(r) == "refused").collect();
    assert!(
        refused.is_empty(),
        "refused by the ILS (a duplicate or out of order?): {refused:?}"
    );

    // What the ILS applied, per item, in order…
    let applied_text = std::fs::read_to_string(&applied_log).unwrap_or_default();
    let mut applied: HashMap<String, Vec<(String, Option<String>)>> = HashMap::new();
    for line in applied_text.lines() {
        let event: Value = serde_json::from_str(line).unwrap();
        applied
            .entry(event["item"].as_str().unwrap().to_owned())
            .or_default()
            .push((
                event["kind"].as_str().unwrap().to_owned(),
                event["patron"].as_str().map(str::to_owned),
            ));
    }
    // …is exactly what the journal says took effect, once each, in the journal's order.
    let mut journaled: HashMap<String, Vec<(String, Option<String>)>> = HashMap::new();
    for row in rows
        .iter()
        .filter(|r| matches!(state_of(r).as_str(), "done" | "review"))
    {
        let kind = row["kind"].as_str().unwrap().to_owned();
        let patron = row["patron"].as_str().map(str::to_owned);
        journaled
            .entry(row["item"].as_str().unwrap().to_owned())
            .or_default()
            .push((kind, patron));
    }
    for item in ITEMS {
        let on_ils: Vec<&str> = applied
            .get(item)
            .map(|v| v.iter().map(|(k, _)| k.as_str()).collect())
            .unwrap_or_default();
        let in_journal: Vec<&str> = journaled
            .get(item)
            .map(|v| v.iter().map(|(k, _)| k.as_str()).collect())
            .unwrap_or_default();
        assert_eq!(
            on_ils, in_journal,
            "item {item}: the ILS applied something else, or in another order"
        );
        // Loans went to the reader the journal names (checkins carry the borrower on the ILS side).
        let ils_loans: Vec<Option<&str>> = applied
            .get(item)
            .map(|v| {
                v.iter()
                    .filter(|(k, _)| k == "checkout")
                    .map(|(_, p)| p.as_deref())
                    .collect()
            })
            .unwrap_or_default();
        let journal_loans: Vec<Option<&str>> = journaled
            .get(item)
            .map(|v| {
                v.iter()
                    .filter(|(k, _)| k == "checkout")
                    .map(|(_, p)| p.as_deref())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(
            ils_loans, journal_loans,
            "item {item}: a loan went to another reader"
        );
    }
    // Nothing a reader was told is missing.
    for item in ITEMS {
        let told_here: Vec<&str> = all_told
            .iter()
            .filter(|(_, i)| i == item)
            .map(|(k, _)| k.as_str())
            .collect();
        let on_ils: Vec<&str> = applied
            .get(item)
            .map(|v| v.iter().map(|(k, _)| k.as_str()).collect())
            .unwrap_or_default();
        let mut rest = on_ils.iter();
        assert!(
            told_here.iter().all(|t| rest.any(|a| a == t)),
            "item {item}: told {told_here:?} but the ILS has {on_ils:?}"
        );
    }
    let total_told = all_told.len();
    let total_applied: usize = applied.values().map(Vec::len).sum();
    println!(
        "{killed} runs killed ({replay_kills} while the ILS was back), {total_told} outcomes told, {total_applied} applied"
    );
    assert!(
        killed >= iterations / 3,
        "the test must actually kill the kiosk"
    );
    assert!(replay_kills > 0 && total_told > 0 && total_applied >= total_told);

    // The anonymous hourly statistics, written in the transactions that record the outcomes,
    // agree with the journal's own records after every kill: nothing counted twice or lost.
    let db = rusqlite::Connection::open(dir.join("journal.db")).unwrap();
    let totals = |sql: &str| -> Vec<(String, String, String, i64)> {
        db.prepare(sql)
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    // Online: each outcome the ILS gave. Offline: each reader served, whatever the replay
    // later made of it (counted once, when queued).
    let recorded = totals(
        "SELECT kind, origin, outcome, count(*) FROM (
             SELECT kind, origin, state AS outcome FROM transactions
                 WHERE origin = 'online' AND state IN ('done', 'declined', 'refused')
             UNION ALL
             SELECT kind, origin, 'done' FROM transactions WHERE origin = 'offline')
             GROUP BY kind, origin, outcome ORDER BY kind, origin, outcome",
    );
    let counted = totals(
        "SELECT kind, origin, outcome, sum(count) FROM hourly_counts
             GROUP BY kind, origin, outcome ORDER BY kind, origin, outcome",
    );
    assert_eq!(
        counted, recorded,
        "hourly statistics against the journal's records"
    );
    assert!(!recorded.is_empty());
}
