//! The kiosk on a library's Prometheus: counters, gauges and histograms of what the machine
//! does, in the Prometheus text format, for the fleet's alerts and dashboards (README:
//! Monitoring a fleet). Label values come from closed sets the code names — actions, outcomes,
//! refusal codes, parts, states — never a reader, a card, a barcode or a title.
//!
//! The session loop and the ILS worker record into [`Metrics`] (atomic counters: a few
//! nanoseconds); the queue, the disk and the clock are read when Prometheus scrapes
//! ([`probe`]); the endpoint is a thread of its own ([`server`]).
//!
//! The registry and text encoder are the `prometheus` crate's: it writes the classic text
//! format (0.0.4) that `promtool check metrics` reads; `prometheus-client` writes OpenMetrics,
//! whose `_total`-less TYPE lines Debian's promtool 2.42 rejects.

mod observe;
mod probe;
pub mod server;

pub use observe::Tap;

use crate::circ::Action;
use crate::circ::visit_stats::VisitRecord;
use kiosk_hw::device::Device;
use prometheus::{
    Gauge, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What a transaction came to, as `kiosk_transactions_total{outcome}` says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The ILS did it.
    Done,
    /// Refused (by the ILS, the offline policy, or the machine).
    Refused,
    /// Done offline: in the queue for the ILS.
    Queued,
}

impl Outcome {
    const ALL: [Outcome; 3] = [Outcome::Done, Outcome::Refused, Outcome::Queued];

    fn as_str(self) -> &'static str {
        match self {
            Outcome::Done => "done",
            Outcome::Refused => "refused",
            Outcome::Queued => "queued",
        }
    }
}

pub(crate) fn action_label(action: Action) -> &'static str {
    match action {
        Action::Borrow => "borrow",
        Action::Return => "return",
        Action::Renew => "renew",
    }
}

fn mode_label(offline: bool) -> &'static str {
    if offline { "offline" } else { "online" }
}

/// The out-of-service codes the screen can show (README: the codes); any other is `OTHER`.
pub const FAULT_CODES: [&str; 9] = [
    "RFID_READER",
    "CARD_READER",
    "SCANNER",
    "INDICATORS",
    "RETURN_SLOT",
    "PRINTER",
    "ILS",
    "STORAGE",
    "OTHER",
];

/// The requests the session makes of the ILS, as the worker names them.
pub const ILS_REQUESTS: [&str; 9] = [
    "patron_status",
    "account",
    "checkout",
    "checkin",
    "renew",
    "renew_all",
    "item_info",
    "end_session",
    "email_receipt",
];

/// The kinds of visit the statistics count ([`VisitRecord::kind`]).
const VISIT_KINDS: [&str; 5] = ["borrow", "return", "renew", "account", "none"];

const SESSION_BUCKETS: [f64; 11] = [
    5.0, 10.0, 15.0, 30.0, 45.0, 60.0, 90.0, 120.0, 180.0, 300.0, 600.0,
];
const ITEM_BUCKETS: [f64; 10] = [0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0];
const ILS_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// What the kiosk is, for `kiosk_build_info`.
pub struct BuildInfo {
    pub version: &'static str,
    /// sim, sip2, folio or koha.
    pub ils_kind: &'static str,
    /// The journal (for the queue gauges) and the filesystem it is on.
    pub journal: PathBuf,
}

pub struct Metrics {
    registry: Registry,
    transactions: IntCounterVec,
    refusals: IntCounterVec,
    sessions: IntCounterVec,
    session_duration: Histogram,
    item_seconds: Histogram,
    ils_request: HistogramVec,
    ils_up: IntGauge,
    in_service: IntGauge,
    out_of_service: IntGaugeVec,
    part_status: IntGaugeVec,
    printer_paper: IntGaugeVec,
    slot_books: IntCounter,
    probe: Mutex<probe::Probe>,
    /// The last text written, and when: scrapes within [`RENDERED_FRESH`] share it.
    rendered: Mutex<Option<(std::time::Instant, Arc<str>)>>,
}

/// Scrapes this close together get the same text: a storm of them costs one rendering.
const RENDERED_FRESH: Duration = Duration::from_millis(250);

/// Only called with the fixed names, help texts and label sets above: registering them cannot
/// clash or be malformed, so a failure is a defect of this file, found by its tests.
fn registered<C: prometheus::core::Collector + Clone + 'static>(
    registry: &Registry,
    collector: prometheus::Result<C>,
) -> C {
    let collector = collector.expect("a metric defined in this file is well-formed");
    registry
        .register(Box::new(collector.clone()))
        .expect("each metric is registered once");
    collector
}

impl Metrics {
    pub fn new(build: BuildInfo) -> Metrics {
        let registry = Registry::new();
        let r = &registry;
        let counter = |name: &str, help: &str, labels: &[&str]| {
            registered(r, IntCounterVec::new(Opts::new(name, help), labels))
        };
        let gauge = |name: &str, help: &str| registered(r, IntGauge::new(name, help));
        let gauges = |name: &str, help: &str, labels: &[&str]| {
            registered(r, IntGaugeVec::new(Opts::new(name, help), labels))
        };
        let histogram = |name: &str, help: &str, buckets: &[f64]| {
            registered(
                r,
                Histogram::with_opts(HistogramOpts::new(name, help).buckets(buckets.to_vec())),
            )
        };
        let metrics = Metrics {
            transactions: counter(
                "kiosk_transactions_total",
                "Circulation transactions by action (borrow, return, renew), outcome (done at the ILS, refused, queued offline) and mode (online, offline).",
                &["action", "outcome", "mode"],
            ),
            refusals: counter(
                "kiosk_refusals_total",
                "Items refused to readers, by the reason's code (the codes the screen and the headless protocol use).",
                &["reason"],
            ),
            sessions: counter(
                "kiosk_sessions_total",
                "Visits ended, by what was done first (borrow, return, renew, account, none).",
                &["kind"],
            ),
            session_duration: histogram(
                "kiosk_session_duration_seconds",
                "How long visits lasted, first touch to the attract screen; observed when a visit ends.",
                &SESSION_BUCKETS,
            ),
            item_seconds: histogram(
                "kiosk_item_seconds",
                "Each item's time from its tag or barcode seen to its outcome shown; observed when its visit ends.",
                &ITEM_BUCKETS,
            ),
            ils_request: registered(
                r,
                HistogramVec::new(
                    HistogramOpts::new(
                        "kiosk_ils_request_seconds",
                        "Time the ILS took to answer the session's requests, by request.",
                    )
                    .buckets(ILS_BUCKETS.to_vec()),
                    &["request"],
                ),
            ),
            ils_up: gauge(
                "kiosk_ils_up",
                "1 while the ILS answers and accepts the kiosk; 0 while the kiosk lends offline or the ILS refuses its login.",
            ),
            in_service: gauge(
                "kiosk_in_service",
                "1 while the kiosk serves readers, 0 while it shows the out-of-service screen.",
            ),
            out_of_service: gauges(
                "kiosk_out_of_service",
                "1 for the code the out-of-service screen shows (README: the codes), 0 for the others.",
                &["code"],
            ),
            part_status: gauges(
                "kiosk_part_status",
                "1 for each part's current state (ok, warning, failed, missing), 0 for its other states; parts not fitted are absent.",
                &["part", "status"],
            ),
            printer_paper: gauges(
                "kiosk_printer_paper",
                "1 for the receipt printer's paper state as its status last said (ok, low, out, unknown), 0 for the others.",
                &["state"],
            ),
            slot_books: registered(
                r,
                IntCounter::new(
                    "kiosk_return_slot_books_total",
                    "Books that went in through the return slot's flap while it was unlocked for them, as its sensor saw them.",
                ),
            ),
            probe: Mutex::new(probe::Probe::new(r, build.journal)),
            rendered: Mutex::new(None),
            registry: registry.clone(),
        };
        let info = gauges(
            "kiosk_build_info",
            "The kiosk's version and the kind of ILS it is configured for (always 1).",
            &["version", "ils_kind"],
        );
        info.with_label_values(&[build.version, build.ils_kind])
            .set(1);
        let started = registered(
            r,
            Gauge::new(
                "kiosk_start_time_seconds",
                "When the kiosk started, in seconds since the Unix epoch.",
            ),
        );
        started.set(unix_seconds(std::time::SystemTime::now()));
        metrics.zeroes();
        metrics
    }

    /// Every series of a closed set starts at 0, so `rate()` and `increase()` see its first
    /// event and the dashboard lists each row from the start.
    fn zeroes(&self) {
        for action in [Action::Borrow, Action::Return, Action::Renew] {
            for outcome in Outcome::ALL {
                for offline in [false, true] {
                    self.transactions.with_label_values(&[
                        action_label(action),
                        outcome.as_str(),
                        mode_label(offline),
                    ]);
                }
            }
        }
        for reason in crate::circ::Reason::one_of_each() {
            self.refusals.with_label_values(&[reason.code()]);
        }
        for kind in VISIT_KINDS {
            self.sessions.with_label_values(&[kind]);
        }
        for request in ILS_REQUESTS {
            self.ils_request.with_label_values(&[request]);
        }
        self.ils_up.set(1);
        self.service(None);
    }

    pub fn transaction(&self, action: Action, outcome: Outcome, offline: bool) {
        self.transactions
            .with_label_values(&[action_label(action), outcome.as_str(), mode_label(offline)])
            .inc();
    }

    /// An item refused, with the reason's code.
    pub fn refused(&self, action: Action, reason: &crate::circ::Reason, offline: bool) {
        self.transaction(action, Outcome::Refused, offline);
        self.refusals.with_label_values(&[reason.code()]).inc();
    }

    /// A visit ended: its kind, length, and each item's time.
    pub fn visit(&self, visit: &VisitRecord) {
        let kind = VISIT_KINDS
            .into_iter()
            .find(|k| *k == visit.kind)
            .unwrap_or("none");
        self.sessions.with_label_values(&[kind]).inc();
        self.session_duration.observe(visit.duration_secs as f64);
        for ms in &visit.item_ms {
            self.item_seconds.observe(*ms as f64 / 1000.0);
        }
    }

    /// The ILS answered (or failed) one of the session's requests, named as the worker names
    /// it; requests outside [`ILS_REQUESTS`] are not timed.
    pub fn ils_request(&self, request: &str, took: Duration) {
        if let Some(request) = ILS_REQUESTS.into_iter().find(|r| *r == request) {
            self.ils_request
                .with_label_values(&[request])
                .observe(took.as_secs_f64());
        }
    }

    pub fn ils_up(&self, up: bool) {
        self.ils_up.set(i64::from(up));
    }

    /// In service (`None`), or out of service with the code on the screen.
    pub fn service(&self, fault: Option<&str>) {
        self.in_service.set(i64::from(fault.is_none()));
        let shown = fault.map(|code| {
            FAULT_CODES
                .into_iter()
                .find(|known| *known == code)
                .unwrap_or("OTHER")
        });
        for code in FAULT_CODES {
            self.out_of_service
                .with_label_values(&[code])
                .set(i64::from(shown == Some(code)));
        }
    }

    /// The parts and the printer's paper, as the device hub follows them.
    pub fn parts(
        &self,
        parts: &[(Device, crate::app::devices::PartState)],
        paper: Option<crate::app::devices::Paper>,
    ) {
        use crate::app::devices::{Paper, PartState, part_label};
        for (device, state) in parts {
            for status in PartState::ALL {
                self.part_status
                    .with_label_values(&[part_label(*device), status.as_str()])
                    .set(i64::from(status == *state));
            }
        }
        if let Some(paper) = paper {
            for state in Paper::ALL {
                self.printer_paper
                    .with_label_values(&[state.as_str()])
                    .set(i64::from(state == paper));
            }
        }
    }

    /// More books went in through the return slot.
    pub fn slot_books(&self, more: u64) {
        self.slot_books.inc_by(more);
    }

    /// The text Prometheus scrapes: the queue, disk and clock read now (at most once a second
    /// however many scrape), then every metric; scrapes within a quarter of a second share it.
    pub fn render(&self) -> Arc<str> {
        let Ok(mut rendered) = self.rendered.lock() else {
            return self.render_now().into();
        };
        if let Some((at, text)) = rendered.as_ref()
            && at.elapsed() < RENDERED_FRESH
        {
            return Arc::clone(text);
        }
        let text: Arc<str> = self.render_now().into();
        *rendered = Some((std::time::Instant::now(), Arc::clone(&text)));
        text
    }

    fn render_now(&self) -> String {
        if let Ok(mut probe) = self.probe.lock() {
            probe.refresh();
        }
        let mut text = String::new();
        if let Err(error) = TextEncoder::new().encode_utf8(&self.registry.gather(), &mut text) {
            tracing::warn!(%error, "the metrics could not be written");
        }
        text
    }

    /// The content type of [`Metrics::render`]'s text.
    pub fn content_type() -> &'static str {
        prometheus::TEXT_FORMAT
    }
}

fn unix_seconds(at: std::time::SystemTime) -> f64 {
    at.duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

#[cfg(test)]
mod tests;
