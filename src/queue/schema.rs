//! Versioned schema migrations. `PRAGMA user_version` holds the version reached; each step runs
//! once, in a transaction, so an interrupted upgrade leaves the previous version intact.

use rusqlite::{Connection, TransactionBehavior};

/// Each entry upgrades from its index to index + 1. Append only: never edit a shipped step.
const MIGRATIONS: &[&str] = &[
    // 1: transactions, the blocked-patron list, anonymous daily counts, key-value notes.
    "CREATE TABLE transactions (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL CHECK (kind IN ('checkout', 'checkin', 'renew')),
        origin TEXT NOT NULL CHECK (origin IN ('online', 'offline')),
        state TEXT NOT NULL,
        patron TEXT,
        item TEXT NOT NULL,
        tag TEXT,
        kiosk TEXT NOT NULL,
        local_time TEXT NOT NULL,
        utc_time TEXT NOT NULL,
        due TEXT,
        reconcile INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        reply TEXT,
        discard_reason TEXT,
        updated_utc TEXT NOT NULL,
        next_attempt_utc TEXT
    );
    CREATE INDEX transactions_by_state ON transactions (state, seq);
    CREATE INDEX transactions_by_item ON transactions (item, seq);
    CREATE TABLE blocked_patrons (
        patron TEXT PRIMARY KEY,
        reason TEXT NOT NULL,
        source TEXT NOT NULL,
        updated_utc TEXT NOT NULL
    );
    CREATE TABLE daily_counts (
        day TEXT NOT NULL,
        kind TEXT NOT NULL,
        origin TEXT NOT NULL,
        outcome TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (day, kind, origin, outcome)
    );
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
    // 2: replay batches in flight: one row marks a whole batch as being sent.
    "CREATE TABLE inflight (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        seqs TEXT NOT NULL,
        started_utc TEXT NOT NULL
    );",
    // 3: only open transactions are indexed by state: settling one then removes an index entry
    // instead of moving it, and the index stays small however long the journal grows.
    "DROP INDEX transactions_by_state;
    CREATE INDEX transactions_open ON transactions (seq) WHERE state IN ('pending', 'unknown');",
    // 4: answers to the satisfaction question: anonymous by construction (no reader, card, item
    // or title; the hour, not the time).
    "CREATE TABLE ratings (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        hour TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('borrow', 'return', 'renew', 'account')),
        borrowed INTEGER NOT NULL,
        returned INTEGER NOT NULL,
        renewed INTEGER NOT NULL,
        refused INTEGER NOT NULL,
        language TEXT NOT NULL,
        score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
        reason TEXT
    );",
    // 5: feedback and purchase suggestions, kept until delivered to each destination (Koha's
    // suggestions, the library's endpoint), exactly once: `key` is sent with each delivery.
    // `patron` only when the reader asked to be answered.
    "CREATE TABLE suggestions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        key TEXT NOT NULL UNIQUE,
        created_utc TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('purchase', 'feedback')),
        isbn TEXT,
        topic TEXT,
        patron TEXT,
        language TEXT NOT NULL,
        koha TEXT NOT NULL DEFAULT 'none'
            CHECK (koha IN ('none', 'pending', 'sending', 'done', 'refused')),
        endpoint TEXT NOT NULL DEFAULT 'none'
            CHECK (endpoint IN ('none', 'pending', 'sending', 'done', 'refused')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        next_attempt_utc TEXT
    );",
    // 6: e-card QR tokens used to sign in, kept until they expire so none signs in twice (even
    // across a restart). Only a digest of what was signed: no card number.
    "CREATE TABLE used_tokens (
        digest TEXT PRIMARY KEY,
        expires INTEGER NOT NULL
    );",
    // 7: anonymous outcomes by hour (business statistics): no reader, card, item or title. The
    // daily counts kept so far become the history, under hour -1 (the hour is not known).
    "CREATE TABLE hourly_counts (
        day TEXT NOT NULL,
        hour INTEGER NOT NULL CHECK (hour BETWEEN -1 AND 23),
        kind TEXT NOT NULL,
        origin TEXT NOT NULL,
        outcome TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        count INTEGER NOT NULL,
        PRIMARY KEY (day, hour, kind, origin, outcome, reason)
    );
    INSERT INTO hourly_counts (day, hour, kind, origin, outcome, reason, count)
        SELECT day, -1, kind, origin, outcome, '', count FROM daily_counts;",
    // 8: "also borrowed" — visits in which two titles were borrowed together, counted here or
    // imported from the library's own computation; no reader, no day, no item barcode.
    "CREATE TABLE pair_counts (
        a TEXT NOT NULL,
        b TEXT NOT NULL CHECK (a < b),
        source TEXT NOT NULL CHECK (source IN ('kiosk', 'imported')),
        sessions INTEGER NOT NULL CHECK (sessions > 0),
        PRIMARY KEY (a, b, source)
    );",
    // 9: whole visits, in buckets under the hour they ended: kind, language, items, duration,
    // touches, and each item's time. No reader, item or time finer than the hour.
    "CREATE TABLE visit_counts (
        day TEXT NOT NULL,
        hour INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
        measure TEXT NOT NULL,
        value TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (day, hour, measure, value)
    );",
    // 10: the transactions that need staff or are between two writes are indexed too, so the
    // monitoring's queue gauges are counted on small indexes however long the history.
    "CREATE INDEX transactions_attention ON transactions (state) WHERE state IN ('sending', 'refused', 'review');",
    // 11: offline service is counted when the reader is served, no longer when its replay
    // settles: what was served offline and has not settled yet is counted now (as served), so
    // the upgrade loses none of it. The daily counts go: since 7 they repeated the hourly ones,
    // which hold their history.
    "INSERT INTO hourly_counts (day, hour, kind, origin, outcome, reason, count)
        SELECT substr(local_time, 1, 10), CAST(substr(local_time, 12, 2) AS INTEGER), kind,
               'offline', 'done', '', count(*)
        FROM transactions WHERE origin = 'offline' AND state NOT IN ('done', 'declined', 'refused')
        GROUP BY 1, 2, 3
        ON CONFLICT (day, hour, kind, origin, outcome, reason) DO UPDATE SET count = count + excluded.count;
    DROP TABLE daily_counts;",
];

pub const VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the database to the current version; refuses one newer than this program knows.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<Result<(), i64>> {
    loop {
        // The version is read inside a write transaction: two processes opening a new journal
        // at once must not both run the same step.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        if current > VERSION {
            return Ok(Err(current));
        }
        let Some(step) = MIGRATIONS.get(current as usize) else {
            return Ok(Ok(()));
        };
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", current + 1)?;
        tx.commit()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_daily_counts_kept_so_far_become_hourly_history_with_no_hour() {
        let mut conn = Connection::open_in_memory().unwrap();
        // A journal as the release before the hourly statistics left it.
        for step in &MIGRATIONS[..6] {
            conn.execute_batch(step).unwrap();
        }
        conn.pragma_update(None, "user_version", 6).unwrap();
        conn.execute(
            "INSERT INTO daily_counts (day, kind, origin, outcome, count)
                 VALUES ('2026-11-28', 'checkout', 'offline', 'done', 7)",
            [],
        )
        .unwrap();
        migrate(&mut conn).unwrap().unwrap();
        let row: (String, i64, String, i64) = conn
            .query_row(
                "SELECT day, hour, outcome, count FROM hourly_counts",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(row, ("2026-11-28".into(), -1, "done".into(), 7));
    }

    #[test]
    fn offline_service_waiting_at_the_upgrade_is_counted_once_and_the_daily_counts_go() {
        let mut conn = Connection::open_in_memory().unwrap();
        for step in &MIGRATIONS[..10] {
            conn.execute_batch(step).unwrap();
        }
        conn.pragma_update(None, "user_version", 10).unwrap();
        // Two loans served offline at 10:xx, one replayed (counted then), one still waiting;
        // and a return waiting from 14:xx.
        for (kind, state, local, counted) in [
            ("checkout", "done", "2026-12-05 10:05:00", true),
            ("checkout", "pending", "2026-12-05 10:20:00", false),
            ("checkin", "review", "2026-12-05 14:00:00", false),
        ] {
            conn.execute(
                "INSERT INTO transactions (kind, origin, state, item, kiosk, local_time, utc_time,
                     updated_utc) VALUES (?1, 'offline', ?2, '30234000001015', 'k', ?3, ?3, ?3)",
                rusqlite::params![kind, state, local],
            )
            .unwrap();
            if counted {
                conn.execute(
                    "INSERT INTO hourly_counts VALUES ('2026-12-05', 10, ?1, 'offline', 'done', '', 1)",
                    [kind],
                )
                .unwrap();
            }
        }
        migrate(&mut conn).unwrap().unwrap();
        let rows: Vec<(i64, String, i64)> = conn
            .prepare("SELECT hour, kind, count FROM hourly_counts ORDER BY hour")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(
            rows,
            [(10, "checkout".into(), 2), (14, "checkin".into(), 1)]
        );
        let daily: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'daily_counts'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(daily, 0);
    }
}
