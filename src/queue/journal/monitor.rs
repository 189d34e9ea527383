//! The queue as a library's monitoring sees it: how many transactions are in each open state,
//! how long the oldest has waited for the ILS, and when a replay last got through. Read on a
//! connection of its own, read-only, so a scrape never waits for nor holds up the worker's
//! writes (the journal is in WAL mode).

use super::{JournalError, Result};
use crate::queue::State;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::Path;

/// The `meta` key under which the worker notes when a replay round last settled transactions.
pub const LAST_REPLAY_KEY: &str = "last_replay_utc";

/// The open states, as monitoring lists them: owed to the ILS (pending, unknown), between two
/// writes (sending), or waiting for staff (refused, review).
pub const OPEN_STATES: [State; 5] = [
    State::Pending,
    State::Sending,
    State::Unknown,
    State::Refused,
    State::Review,
];

#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueueSnapshot {
    /// Each open state with its count (zero included).
    pub by_state: Vec<(State, u64)>,
    /// When the oldest transaction still owed to the ILS was made.
    pub oldest_waiting: Option<DateTime<Utc>>,
    /// When a replay round last settled something.
    pub last_replay: Option<DateTime<Utc>>,
}

pub struct QueueReader {
    conn: Connection,
}

impl QueueReader {
    /// Opens the journal for reading only (it must exist: the kiosk created it).
    pub fn open(path: &Path) -> Result<QueueReader> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| JournalError::Io {
            path: path.to_owned(),
            detail: e.to_string(),
        })?;
        conn.busy_timeout(std::time::Duration::from_millis(500))?;
        Ok(QueueReader { conn })
    }

    pub fn snapshot(&self) -> Result<QueueSnapshot> {
        let mut counts = std::collections::BTreeMap::new();
        // Each query's WHERE is its partial index's, so SQLite counts on the index.
        for sql in [
            "SELECT state, COUNT(*) FROM transactions WHERE state IN ('pending', 'unknown') GROUP BY state",
            "SELECT state, COUNT(*) FROM transactions WHERE state IN ('sending', 'refused', 'review') GROUP BY state",
        ] {
            let mut statement = self.conn.prepare_cached(sql)?;
            let rows =
                statement.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
            for row in rows {
                let (state, count) = row?;
                if let Some(state) = State::parse(&state) {
                    counts.insert(state, count.max(0) as u64);
                }
            }
        }
        let by_state = OPEN_STATES
            .into_iter()
            .map(|state| (state, counts.get(&state).copied().unwrap_or(0)))
            .collect();
        let oldest: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT utc_time FROM transactions WHERE state IN ('pending', 'unknown') ORDER BY seq LIMIT 1",
            )?
            .query_row([], |r| r.get(0))
            .optional()?;
        let last: Option<String> = self
            .conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([LAST_REPLAY_KEY], |r| r.get(0))
            .optional()?;
        Ok(QueueSnapshot {
            by_state,
            oldest_waiting: oldest.as_deref().and_then(parse_utc),
            last_replay: last.as_deref().and_then(parse_utc),
        })
    }
}

fn parse_utc(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}
