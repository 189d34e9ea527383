//! What is read when Prometheus scrapes rather than recorded as it happens: the queue (from the
//! journal, on a read-only connection of its own), the journal's filesystem, and whether the
//! clock is synchronised. Read at most once a second, however many scrapers ask.

use crate::app::diag::checks::{clock_synchronised, filesystem_bytes};
use crate::queue::journal::QueueReader;
use chrono::Utc;
use prometheus::{Gauge, IntGauge, IntGaugeVec, Opts, Registry};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// A scrape within this of the last reads the same figures.
const FRESH_FOR: Duration = Duration::from_secs(1);

pub(super) struct Probe {
    journal: PathBuf,
    reader: Option<QueueReader>,
    read_at: Option<Instant>,
    queue: IntGaugeVec,
    oldest_waiting: Gauge,
    last_replay: Gauge,
    journal_ok: IntGauge,
    disk_free: IntGauge,
    disk_size: IntGauge,
    clock_synchronised: IntGauge,
}

impl Probe {
    pub(super) fn new(registry: &Registry, journal: PathBuf) -> Probe {
        let gauge = |name: &str, help: &str| super::registered(registry, IntGauge::new(name, help));
        let seconds = |name: &str, help: &str| super::registered(registry, Gauge::new(name, help));
        Probe {
            journal,
            reader: None,
            read_at: None,
            queue: super::registered(
                registry,
                IntGaugeVec::new(
                    Opts::new(
                        "kiosk_queue_transactions",
                        "Transactions in the journal by open state: pending and unknown are owed to the ILS, sending is between two writes, refused and review wait for staff (kiosk queue).",
                    ),
                    &["state"],
                ),
            ),
            oldest_waiting: seconds(
                "kiosk_queue_oldest_waiting_seconds",
                "How long the oldest transaction owed to the ILS has waited; 0 when none waits.",
            ),
            last_replay: seconds(
                "kiosk_replay_last_success_timestamp_seconds",
                "When a replay of the offline queue last got transactions to the ILS, in seconds since the Unix epoch; 0 if never.",
            ),
            journal_ok: gauge(
                "kiosk_journal_readable",
                "1 when the journal could be read for these figures, 0 when not (the queue gauges are then stale).",
            ),
            disk_free: gauge(
                "kiosk_journal_filesystem_avail_bytes",
                "Bytes free on the filesystem that holds the journal.",
            ),
            disk_size: gauge(
                "kiosk_journal_filesystem_size_bytes",
                "Size of the filesystem that holds the journal, in bytes.",
            ),
            clock_synchronised: gauge(
                "kiosk_clock_synchronized",
                "1 when the kernel says the clock is kept by NTP, 0 when not (due dates and the journal's times depend on it).",
            ),
        }
    }

    pub(super) fn refresh(&mut self) {
        if self.read_at.is_some_and(|at| at.elapsed() < FRESH_FOR) {
            return;
        }
        self.read_at = Some(Instant::now());
        self.read_queue();
        let dir = self
            .journal
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), PathBuf::from);
        if let Ok((free, size)) = filesystem_bytes(&dir) {
            self.disk_free.set(i64::try_from(free).unwrap_or(i64::MAX));
            self.disk_size.set(i64::try_from(size).unwrap_or(i64::MAX));
        }
        if let Some(synchronised) = clock_synchronised() {
            self.clock_synchronised.set(i64::from(synchronised));
        }
    }

    fn read_queue(&mut self) {
        if self.reader.is_none() {
            match QueueReader::open(&self.journal) {
                Ok(reader) => self.reader = Some(reader),
                Err(error) => {
                    tracing::debug!(%error, "the journal cannot be read for the metrics");
                    self.journal_ok.set(0);
                    return;
                }
            }
        }
        let Some(reader) = &self.reader else {
            return;
        };
        match reader.snapshot() {
            Ok(snapshot) => {
                self.journal_ok.set(1);
                for (state, count) in &snapshot.by_state {
                    self.queue
                        .with_label_values(&[state.as_str()])
                        .set(i64::try_from(*count).unwrap_or(i64::MAX));
                }
                let now = Utc::now();
                let waited = snapshot.oldest_waiting.map_or(0.0, |at| {
                    (now - at).num_milliseconds().max(0) as f64 / 1000.0
                });
                self.oldest_waiting.set(waited);
                self.last_replay.set(
                    snapshot
                        .last_replay
                        .map_or(0.0, |at| at.timestamp_millis() as f64 / 1000.0),
                );
            }
            Err(error) => {
                tracing::debug!(%error, "the journal cannot be read for the metrics");
                self.journal_ok.set(0);
                // Opened afresh next time (the file may have been moved aside and replaced).
                self.reader = None;
            }
        }
    }
}
