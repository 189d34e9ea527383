//! What the session-loop benchmarks share: a whole kiosk (the session loop, journal and ILS
//! worker of `kiosk run`) on a thread of its own, which tells the bench the moment each item's
//! outcome leaves it; and the figures' statistics. Each benchmark uses part of it.
#![allow(dead_code)]

use kiosk::app::clock::Clock;
use kiosk::app::runtime::{Inbound, Input, Output, Runtime};
use kiosk::app::start::{Started, start};
use kiosk::circ::Effect;
use kiosk::circ::effect::ItemResult;
use kiosk::config::Config;
use kiosk::config::secrets::Secrets;
use std::path::Path;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

/// Tells the bench when an item's outcome (not the "checking…" placeholder) leaves the runtime,
/// and when a tag's security write has been done and verified.
struct Sink {
    outcomes: Sender<Instant>,
    secured: Sender<(Instant, bool)>,
}

impl Output for Sink {
    fn effect(&mut self, effect: &Effect) -> std::io::Result<()> {
        if let Effect::Outcome { outcome } = effect
            && outcome.result != ItemResult::Pending
        {
            let _ = self.outcomes.send(Instant::now());
        }
        Ok(())
    }
    fn security(&mut self, report: &kiosk::app::devices::SecurityReport) -> std::io::Result<()> {
        let _ = self.secured.send((Instant::now(), report.ok));
        Ok(())
    }
    fn rejected(&mut self, line: Option<usize>, message: &str) -> std::io::Result<()> {
        panic!("input {line:?} rejected: {message}")
    }
}

/// The shipped example configuration with its journal in `dir`, edited by `edit`.
pub fn example_config(dir: &Path, edit: impl FnOnce(String) -> String) -> Config {
    let example =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/kiosk.example.toml"))
            .expect("the example configuration");
    let text = example.replace(
        "path = \"/var/lib/kiosk/journal.db\"",
        &format!("path = \"{}\"", dir.join("journal.db").display()),
    );
    Config::parse(&edit(text), &dir.join("kiosk.toml")).expect("a valid configuration")
}

/// A kiosk's session loop on a thread of its own.
pub struct Kiosk {
    inputs: Sender<Inbound>,
    outcomes: Receiver<Instant>,
    secured: Receiver<(Instant, bool)>,
}

impl Kiosk {
    pub fn start(config: Config) -> Kiosk {
        let (inputs, inbox) = channel();
        let (sent, outcomes) = channel();
        let (sent_secured, secured) = channel();
        std::thread::spawn(move || {
            // The session's timers on a virtual clock (a goodbye does not take 6 real seconds);
            // the journal, the ILS, the devices and the measurement on the real one.
            let clock = Clock::virtual_from_now();
            let Started {
                session,
                worker,
                devices,
                metrics,
            } = start(&config, &Secrets::default(), &clock).expect("the kiosk starts");
            let mut sink = Sink {
                outcomes: sent,
                secured: sent_secured,
            };
            Runtime::new(session, worker, devices, clock, &mut sink)
                .with_metrics(metrics)
                .run(inbox)
                .expect("the session loop");
        });
        Kiosk {
            inputs,
            outcomes,
            secured,
        }
    }

    pub fn send(&self, input: Input) {
        self.inputs
            .send(input.into())
            .expect("the kiosk is running");
    }

    /// Waits until the session loop has dealt with everything sent so far (each input also has
    /// the devices polled, which takes real time with a timed reader).
    pub fn settle(&self) {
        let (ack, done) = channel();
        self.inputs
            .send(Inbound::Sync(ack))
            .expect("the kiosk is running");
        done.recv_timeout(Duration::from_secs(30))
            .expect("the kiosk settles");
    }

    /// When the next outcome left the runtime.
    pub fn next_outcome(&self) -> Instant {
        self.outcomes
            .recv_timeout(Duration::from_secs(30))
            .expect("an outcome")
    }

    /// When the next security write was done, and whether it held.
    pub fn next_secured(&self) -> (Instant, bool) {
        self.secured
            .recv_timeout(Duration::from_secs(30))
            .expect("a security write")
    }

    /// Scans `book` and waits for its outcome: the item time.
    pub fn item(&self, book: &str) -> Duration {
        let started = Instant::now();
        self.send(Input::Scan(book.into()));
        self.next_outcome() - started
    }
}

pub fn quantile(values: &[f64], q: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

/// The mean of the middle 80 % (a disk's occasional slow fsync does not decide the ratio).
pub fn trimmed_mean(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let cut = sorted.len() / 10;
    let middle = &sorted[cut..sorted.len() - cut];
    middle.iter().sum::<f64>() / middle.len() as f64
}

/// One line of figures, in µs.
pub fn report(name: &str, times: &[f64]) {
    println!(
        "{name:<38} n={:<5} p50 {:>7.0} µs  p90 {:>7.0} µs  p99 {:>7.0} µs  trimmed mean {:>7.0} µs",
        times.len(),
        quantile(times, 0.5),
        quantile(times, 0.9),
        quantile(times, 0.99),
        trimmed_mean(times)
    );
}

/// Keeps the calling thread (and the threads it starts from now on) on one CPU. The ACS's
/// threads get a CPU of their own and the kiosk's the other, as when the ACS is another machine:
/// left to the scheduler, two threads ping-ponging on two vCPUs land together or apart from run
/// to run, and the round-trip floor doubles or halves with it.
pub fn pin_to(cpu: usize) {
    if std::thread::available_parallelism().map_or(1, |n| n.get()) < 2 {
        return;
    }
    // SAFETY: a zeroed cpu_set_t is a valid empty set; the call only reads it.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        if libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) != 0 {
            eprintln!("could not pin the thread to CPU {cpu}; figures may be noisier");
        }
    }
}

/// The simulated library's SIP2 server on loopback with `seed`'s library, its threads on a CPU
/// of their own (as when the ACS is another machine; see [`pin_to`]); the caller's on the other.
pub fn acs(seed: &kiosk::ils::sim::seed::Seed) -> std::net::SocketAddr {
    use kiosk::ils::sip2::server::{AcsSettings, ServerSettings, Sip2Server};
    let sim = kiosk::ils::sim::SimIls::new(
        seed,
        std::sync::Arc::new(|| chrono::Local::now().naive_local()),
    );
    let server = Sip2Server::bind(
        "127.0.0.1:0",
        sim,
        ServerSettings {
            framing: kiosk::ils::sip2::Framing::default(),
            acs: AcsSettings {
                institution: "SIM".into(),
                library_name: "bench".into(),
                offline_ok: false,
            },
            idle_timeout: Duration::from_secs(600),
        },
    )
    .expect("bind");
    pin_to(1);
    let addr = server.spawn().expect("serve");
    pin_to(0);
    addr
}

/// The kiosk's own SIP2 adapter with the kiosk's defaults (CR, error detection), connected to
/// the ACS at `addr`.
pub fn sip2_adapter(addr: std::net::SocketAddr) -> kiosk::ils::sip2::adapter::Sip2Ils {
    use kiosk::ils::sip2::adapter::{Sip2Ils, Sip2Section};
    let section: Sip2Section = toml::from_str(&format!(
        "host = \"{}\"\nport = {}\ninstitution = \"SIM\"\n",
        addr.ip(),
        addr.port()
    ))
    .expect("section");
    let mut ils = Sip2Ils::new(section, Some(kiosk::config::secrets::Secret::new("")), None);
    ils.connect().expect("connect");
    ils
}
