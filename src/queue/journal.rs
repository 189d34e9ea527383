//! The journal database: one row per transaction, from the moment it is attempted or queued
//! until the ILS has it (or staff settle it).

use super::schema;
use super::{Action, Origin, State, kind_str, parse_kind};
use crate::circ::types::{ItemId, PatronId, TagUid};
use chrono::{DateTime, NaiveDateTime, Utc};
use rusqlite::{Connection, ErrorCode, OptionalExtension, Row, params};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use thiserror::Error;

mod monitor;
mod pairs;
mod ratings;
mod suggestions;
mod tokens;
mod visits;
pub use monitor::{LAST_REPLAY_KEY, OPEN_STATES, QueueReader, QueueSnapshot};
pub use pairs::PairCount;
pub use ratings::KeptRating;
pub use suggestions::{Destination, Destinations, KeptSuggestion};
pub use visits::VisitCount;
mod records;
mod staff;
mod writer;

use records::QUEUED_COLUMNS;
pub use records::{Finish, HourlyCount, Record, ReplayRow};

/// When something happened: the library's local time (receipts, .koc) and UTC (ordering, audit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub local: NaiveDateTime,
    pub utc: DateTime<Utc>,
}

impl Stamp {
    pub fn now() -> Stamp {
        let now = chrono::Local::now();
        Stamp {
            local: now.naive_local(),
            utc: now.with_timezone(&Utc),
        }
    }
}

#[derive(Debug, Clone)]
pub struct JournalSettings {
    pub kiosk: String,
    /// How long a patron id stays on a settled transaction; zero erases it at once.
    pub patron_retention: Duration,
}

#[derive(Debug, Error)]
pub enum JournalError {
    #[error("the disk holding the journal is full: nothing new can be recorded")]
    Full,
    #[error("the journal database was written by a newer version of the kiosk (schema {0})")]
    TooNew(i64),
    #[error("no transaction {0} in the journal")]
    NotFound(String),
    #[error("another process (the running kiosk) is replaying this journal; stop it first")]
    Busy,
    #[error("transaction {id} is {state}; {what}")]
    WrongState {
        id: String,
        state: State,
        what: &'static str,
    },
    #[error("cannot use the journal {path}: {detail}")]
    Io { path: PathBuf, detail: String },
    #[error("journal: {0}")]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for JournalError {
    fn from(error: rusqlite::Error) -> Self {
        match error.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => JournalError::Full,
            _ => JournalError::Sqlite(error),
        }
    }
}

type Result<T, E = JournalError> = std::result::Result<T, E>;

pub const LOCAL_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

fn utc_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

pub struct Journal {
    conn: Connection,
    settings: JournalSettings,
    path: Option<PathBuf>,
    /// Held while this process is the journal's one writer of replays (the kiosk).
    writer_lock: Option<std::fs::File>,
    /// False once known that no online attempt has an unknown outcome: queueing is then a
    /// single insert (only this process creates such rows).
    maybe_unknown_online: bool,
    /// Rows this process marked in flight (or attempts it began) whose outcomes are not yet
    /// recorded: after a failed write they must be reconciled, as after a crash.
    unrecorded: bool,
    /// Days the anonymous statistics are kept (`[journal] statistics_retention_days`).
    statistics_retention_days: u32,
    /// The benchmark's floor: outcomes recorded without their statistics.
    bench_without_counts: bool,
}

/// Three years: what a library compares a year with.
pub const STATISTICS_RETENTION_DAYS: u32 = 3 * 365;

/// What opening found.
pub struct Opened {
    pub journal: Journal,
    /// A damaged database found at start, moved here (never overwritten).
    pub moved_aside: Option<PathBuf>,
}

const COLUMNS: &str = "seq, kind, origin, state, patron, item, tag, kiosk, local_time, utc_time, due, \
     reconcile, attempts, last_error, reply, discard_reason, updated_utc";

/// A transaction to write: what was done, by whom, to which item (and tag), when.
#[derive(Debug, Clone, Copy)]
pub struct NewTransaction<'a> {
    pub action: Action,
    pub patron: Option<&'a PatronId>,
    pub item: &'a ItemId,
    pub tag: Option<&'a TagUid>,
    pub at: Stamp,
}

impl<'a> NewTransaction<'a> {
    pub fn new(action: Action, item: &'a ItemId, at: Stamp) -> Self {
        NewTransaction {
            action,
            patron: None,
            item,
            tag: None,
            at,
        }
    }

    /// Done by this reader.
    pub fn by(self, patron: &'a PatronId) -> Self {
        NewTransaction {
            patron: Some(patron),
            ..self
        }
    }
}

/// Writes a new row (on the journal's connection, or inside one of its transactions).
fn insert(
    conn: &Connection,
    kiosk: &str,
    new: &NewTransaction,
    origin: Origin,
    state: State,
    due: Option<&str>,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO transactions (kind, origin, state, patron, item, tag, kiosk, local_time, utc_time,
             due, attempts, updated_utc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?9)",
        params![
            kind_str(new.action),
            origin.as_str(),
            state.as_str(),
            new.patron.map(|p| &p.0),
            new.item.0,
            new.tag.map(|t| &t.0),
            kiosk,
            new.at.local.format(LOCAL_FORMAT).to_string(),
            utc_text(new.at.utc),
            due,
            i64::from(state == State::Sending),
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

impl Journal {
    /// Opens (or creates) the journal at `path`. A damaged database is moved aside and a new one
    /// started; the caller reports it.
    pub fn open(path: &Path, settings: JournalSettings) -> Result<Opened> {
        let io = |detail: String| JournalError::Io {
            path: path.to_owned(),
            detail,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| io(e.to_string()))?;
        }
        let mut moved_aside = None;
        if path.exists() && !Self::healthy(path) {
            let aside = PathBuf::from(format!(
                "{}.corrupt-{}",
                path.display(),
                Utc::now().format("%Y%m%dT%H%M%SZ")
            ));
            std::fs::rename(path, &aside)
                .map_err(|e| io(format!("moving the damaged database aside: {e}")))?;
            for suffix in ["-wal", "-shm"] {
                let side = PathBuf::from(format!("{}{suffix}", path.display()));
                if side.exists() {
                    let _ = std::fs::rename(&side, format!("{}{suffix}", aside.display()));
                }
            }
            tracing::error!(moved_to = %aside.display(), "the journal database is damaged; moved aside, a new one started");
            moved_aside = Some(aside);
        }
        let conn = Connection::open(path).map_err(|e| io(e.to_string()))?;
        let mut journal = Journal::with_connection(conn, settings, Some(path.to_owned()))?;
        if let Some(aside) = &moved_aside {
            journal.set_meta("corrupt_previous", &aside.display().to_string())?;
        }
        Ok(Opened {
            journal,
            moved_aside,
        })
    }

    /// A journal in memory (tests, benchmarks).
    pub fn in_memory(settings: JournalSettings) -> Result<Journal> {
        Journal::with_connection(Connection::open_in_memory()?, settings, None)
    }

    fn with_connection(
        mut conn: Connection,
        settings: JournalSettings,
        path: Option<PathBuf>,
    ) -> Result<Journal> {
        conn.busy_timeout(Duration::from_secs(5))?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if mode != "wal" && path.is_some() {
            tracing::warn!(mode, "the journal could not switch to WAL");
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        if let Err(version) = schema::migrate(&mut conn)? {
            return Err(JournalError::TooNew(version));
        }
        Ok(Journal {
            conn,
            settings,
            path,
            writer_lock: None,
            maybe_unknown_online: true,
            unrecorded: false,
            statistics_retention_days: STATISTICS_RETENTION_DAYS,
            bench_without_counts: false,
        })
    }

    /// Becomes the one process that replays this journal (the running kiosk, or `kiosk queue
    /// replay`): two replayers could send the same transaction twice.
    pub fn lock_writer(&mut self) -> Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let lock_path = PathBuf::from(format!("{}.lock", path.display()));
        let io = |detail: String| JournalError::Io {
            path: lock_path.clone(),
            detail,
        };
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| io(e.to_string()))?;
        match file.try_lock() {
            Ok(()) => {
                self.writer_lock = Some(file);
                Ok(())
            }
            Err(std::fs::TryLockError::WouldBlock) => Err(JournalError::Busy),
            Err(std::fs::TryLockError::Error(e)) => Err(io(e.to_string())),
        }
    }

    /// Whether an existing file is a sound SQLite database.
    fn healthy(path: &Path) -> bool {
        let Ok(conn) =
            Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE)
        else {
            return false;
        };
        matches!(
            conn.query_row("PRAGMA quick_check", [], |r| r.get::<_, String>(0)),
            Ok(result) if result == "ok"
        )
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn settings(&self) -> &JournalSettings {
        &self.settings
    }

    /// Limits the database's size in pages (tests of a full disk).
    pub fn set_max_pages(&self, pages: u64) -> Result<()> {
        self.conn
            .query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))?;
        Ok(())
    }

    /// Records an online attempt just before the ILS is asked.
    pub fn begin_online(&mut self, new: &NewTransaction) -> Result<i64> {
        let kiosk = &self.settings.kiosk;
        insert(&self.conn, kiosk, new, Origin::Online, State::Sending, None)
    }

    /// Queues a transaction done offline. If an online attempt for the same transaction ended
    /// with an unknown outcome, that row becomes the queued one (reconciled before sending), so
    /// one loan is never recorded twice.
    pub fn queue_offline(
        &mut self,
        new: &NewTransaction,
        due: Option<NaiveDateTime>,
    ) -> Result<i64> {
        let due = due.map(|d| d.format(LOCAL_FORMAT).to_string());
        let (origin, state) = (Origin::Offline, State::Pending);
        let tx = self.conn.transaction()?;
        // An online attempt for the same transaction whose outcome is unknown, and how many
        // such attempts there are (only looked for while there may be any).
        let (unknown, unknown_left): (Option<i64>, i64) = if self.maybe_unknown_online {
            let unknown = tx
                .query_row(
                    "SELECT seq FROM transactions WHERE state = 'unknown' AND origin = 'online'
                         AND kind = ?1 AND item = ?2 AND patron IS ?3 ORDER BY seq DESC LIMIT 1",
                    params![kind_str(new.action), new.item.0, new.patron.map(|p| &p.0)],
                    |r| r.get(0),
                )
                .optional()?;
            let left = tx.query_row(
                "SELECT COUNT(*) FROM transactions WHERE state = 'unknown' AND origin = 'online'",
                [],
                |r| r.get(0),
            )?;
            (unknown, left)
        } else {
            (None, 0)
        };
        let seq = match unknown {
            Some(seq) => {
                tx.execute(
                    "UPDATE transactions SET origin = 'offline', state = 'pending', reconcile = 1, due = ?2,
                         updated_utc = ?3 WHERE seq = ?1",
                    params![seq, due, utc_text(new.at.utc)],
                )?;
                seq
            }
            None => insert(
                &tx,
                &self.settings.kiosk,
                new,
                origin,
                state,
                due.as_deref(),
            )?,
        };
        // The reader is served now: counted now, in the hour they were (see `writer`).
        if !self.bench_without_counts {
            let local = new.at.local.format(LOCAL_FORMAT).to_string();
            let key = writer::hour_key(&local, new.action, origin, State::Done, "");
            writer::add_count(&tx, &key, 1)?;
        }
        tx.commit()?;
        // The row just turned from unknown to pending counted in `unknown_left`.
        self.maybe_unknown_online = unknown_left > i64::from(unknown.is_some());
        Ok(seq)
    }

    /// The next transactions to send: queued or unknown, oldest first. An item's transactions
    /// come in order, and none after an earlier one of the same item that is being sent,
    /// refused, for review, or waiting out a backoff (the replay sends them in this order and
    /// stops an item at its first failure). With `only`, that item's, whatever their backoff: a
    /// new transaction for it is waiting.
    pub fn replayable(
        &self,
        limit: usize,
        now: DateTime<Utc>,
        only: Option<&ItemId>,
    ) -> Result<Vec<Record>> {
        self.select_replayable(COLUMNS, limit, now, only, |r| self.record(r))
    }

    /// [`Journal::replayable`], with only what the replay engine uses (read for every
    /// transaction it sends).
    pub fn to_send(
        &self,
        limit: usize,
        now: DateTime<Utc>,
        only: Option<&ItemId>,
    ) -> Result<Vec<ReplayRow>> {
        self.select_replayable(QUEUED_COLUMNS, limit, now, only, ReplayRow::from_row)
    }

    fn select_replayable<T>(
        &self,
        columns: &str,
        limit: usize,
        now: DateTime<Utc>,
        only: Option<&ItemId>,
        read: impl FnMut(&Row) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let sql = format!(
            "SELECT {columns} FROM transactions t WHERE state IN ('pending', 'unknown')
                 AND (?3 IS NOT NULL OR next_attempt_utc IS NULL OR next_attempt_utc <= ?1)
                 AND (?3 IS NULL OR item = ?3)
                 AND NOT EXISTS (SELECT 1 FROM transactions e WHERE e.item = t.item AND e.seq < t.seq
                     AND (e.state IN ('sending', 'refused')
                          OR (e.state = 'review' AND e.reconcile = 1)
                          OR (e.state IN ('pending', 'unknown') AND ?3 IS NULL
                              AND e.next_attempt_utc IS NOT NULL AND e.next_attempt_utc > ?1)))
             ORDER BY seq LIMIT ?2"
        );
        let mut statement = self.conn.prepare_cached(&sql)?;
        let rows = statement.query_map(
            params![utc_text(now), limit as i64, only.map(|i| &i.0)],
            read,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The ILS confirmed that a queued transaction whose earlier send went unanswered never
    /// took effect: it is sent without asking again (a restart before it is sent need not ask).
    pub fn reconciled_not_applied(&mut self, seq: i64) -> Result<()> {
        self.conn.execute(
            "UPDATE transactions SET reconcile = 0, updated_utc = ?2,
                 last_error = 'the ILS confirms an earlier send never took effect; to be sent again'
             WHERE seq = ?1 AND state = 'pending'",
            params![seq, utc_text(Utc::now())],
        )?;
        Ok(())
    }

    /// Staff asked to send the queue now: backoffs are forgotten.
    pub fn clear_backoff(&mut self) -> Result<usize> {
        Ok(self.conn.execute(
            "UPDATE transactions SET next_attempt_utc = NULL WHERE next_attempt_utc IS NOT NULL
                 AND state IN ('pending', 'unknown')",
            [],
        )?)
    }

    /// How long until the earliest queued transaction waiting out a backoff may be tried.
    pub fn next_attempt_in(&self) -> Result<Option<Duration>> {
        let next: Option<String> = self.conn.query_row(
            "SELECT MIN(next_attempt_utc) FROM transactions WHERE state IN ('pending', 'unknown')",
            [],
            |r| r.get(0),
        )?;
        Ok(next
            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
            .map(|t| {
                (t.with_timezone(&Utc) - Utc::now())
                    .to_std()
                    .unwrap_or(Duration::ZERO)
            }))
    }

    /// Unsettled transactions for one item, oldest first (they go before a new one for it).
    pub fn open_for_item(&self, item: &ItemId) -> Result<Vec<Record>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM transactions WHERE item = ?1
                 AND state IN ('pending', 'sending', 'unknown', 'refused', 'review') ORDER BY seq"
        );
        let mut statement = self.conn.prepare_cached(&sql)?;
        let rows = statement.query_map(params![item.0], |r| self.record(r))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn record(&self, r: &Row) -> rusqlite::Result<Record> {
        let seq: i64 = r.get(0)?;
        let kiosk: String = r.get(7)?;
        let text = |i: usize| r.get::<_, String>(i);
        let (kind, origin, state) = records::kind_origin_state(r)?;
        Ok(Record {
            id: format!("{kiosk}-{seq}"),
            seq,
            kind,
            origin,
            state,
            patron: r.get(4)?,
            item: text(5)?,
            tag: r.get(6)?,
            kiosk,
            local_time: text(8)?,
            utc_time: text(9)?,
            due: r.get(10)?,
            reconcile: r.get::<_, i64>(11)? != 0,
            attempts: r.get(12)?,
            last_error: r.get(13)?,
            reply: r.get(14)?,
            discard_reason: r.get(15)?,
            updated_utc: text(16)?,
        })
    }

    /// For the benchmark's floor only: record outcomes without updating the statistics.
    #[doc(hidden)]
    pub fn bench_without_counts(&mut self, without: bool) {
        self.bench_without_counts = without;
    }

    /// For the benchmark only: hourly counts as if years of outcomes had been recorded.
    #[doc(hidden)]
    pub fn bench_add_hourly_counts(&mut self, rows: &[HourlyCount]) -> Result<()> {
        let tx = self.conn.transaction()?;
        for r in rows {
            tx.prepare_cached(
                "INSERT INTO hourly_counts (day, hour, kind, origin, outcome, reason, count)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (day, hour, kind, origin, outcome, reason)
                 DO UPDATE SET count = count + ?7",
            )?
            .execute(params![
                r.day, r.hour, r.kind, r.origin, r.outcome, r.reason, r.count
            ])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// A bare `INSERT` (autocommit) of the same row into a table of the same shape, with the
    /// journal's pragmas: the floor the benchmark compares the journal's own writes against.
    pub fn bench_bare_commit(&mut self, n: i64) -> Result<()> {
        self.conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS bench_floor AS SELECT * FROM transactions WHERE 0;
             CREATE INDEX IF NOT EXISTS bench_floor_open ON bench_floor (seq) WHERE state IN ('pending', 'unknown');
             CREATE INDEX IF NOT EXISTS bench_floor_by_item ON bench_floor (item, seq);",
        )?;
        self.conn.execute(
            "INSERT INTO bench_floor (seq, kind, origin, state, patron, item, tag, kiosk, local_time, utc_time,
                 due, reconcile, attempts, updated_utc)
             VALUES (?1, 'checkout', 'offline', 'pending', '20234000000019', ?2, NULL, 'bench',
                 '2026-11-29 10:00:00', '2026-11-29T02:00:00.000000Z', NULL, 0, 0, '2026-11-29T02:00:00.000000Z')",
            params![n, format!("3{n:013}")],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
