use super::*;
use chrono::{NaiveDate, TimeZone};

fn settings(retention_days: u64) -> JournalSettings {
    JournalSettings {
        kiosk: "kiosk-01".into(),
        patron_retention: Duration::from_secs(retention_days * 86_400),
    }
}

fn stamp(minute: u32) -> Stamp {
    let local = NaiveDate::from_ymd_opt(2026, 11, 29)
        .unwrap()
        .and_hms_opt(10, minute, 0)
        .unwrap();
    Stamp {
        local,
        utc: Utc.from_utc_datetime(&(local - chrono::Duration::hours(8))),
    }
}

fn patron() -> PatronId {
    PatronId("20234000000019".into())
}

fn item(n: u32) -> ItemId {
    ItemId(format!("3023400000{n:04}"))
}

/// The columns of one of the journal's tables, in order (the privacy tests read them).
pub(super) fn column_names(journal: &Journal, table: &str) -> Vec<String> {
    journal
        .conn
        .prepare("SELECT name FROM pragma_table_info(?1)")
        .unwrap()
        .query_map([table], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

fn states(journal: &Journal) -> Vec<(i64, State)> {
    journal
        .list(None, None)
        .unwrap()
        .into_iter()
        .map(|r| (r.seq, r.state))
        .collect()
}

#[test]
fn a_new_journal_is_wal_with_full_sync_at_the_current_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/journal.db");
    let opened = Journal::open(&path, settings(0)).unwrap();
    assert!(opened.moved_aside.is_none());
    let conn = &opened.journal.conn;
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    let sync: i64 = conn
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!((mode.as_str(), sync, version), ("wal", 2, schema::VERSION));
    drop(opened);
    // Opening again migrates nothing and keeps what is there.
    let mut again = Journal::open(&path, settings(0)).unwrap().journal;
    again
        .queue_offline(
            &NewTransaction::new(Action::Return, &item(1), stamp(0)),
            None,
        )
        .unwrap();
    drop(again);
    let again = Journal::open(&path, settings(0)).unwrap().journal;
    assert_eq!(again.list(None, None).unwrap().len(), 1);
}

#[test]
fn an_online_attempt_is_recorded_before_and_settled_after() {
    let mut journal = Journal::in_memory(settings(0)).unwrap();
    let seq = journal
        .begin_online(&NewTransaction::new(Action::Borrow, &item(1), stamp(1)).by(&patron()))
        .unwrap();
    let record = journal.get(&seq.to_string()).unwrap();
    assert_eq!(
        (record.state, record.origin, record.attempts),
        (State::Sending, Origin::Online, 1)
    );
    assert_eq!(record.id, format!("kiosk-01-{seq}"));
    assert_eq!(record.local_time, "2026-11-29 10:01:00");
    journal
        .finish(
            seq,
            Finish::Done {
                due: Some("2026-12-27 23:59".into()),
                reply: None,
            },
        )
        .unwrap();
    let record = journal.get(&record.id).unwrap();
    assert_eq!(record.state, State::Done);
    assert_eq!(
        record.patron, None,
        "the patron id is erased once the ILS has it"
    );
    assert_eq!(record.due.as_deref(), Some("2026-12-27 23:59"));
    let counts = journal.hourly_counts().unwrap();
    assert_eq!(counts.len(), 1);
    assert_eq!(
        (
            counts[0].kind.as_str(),
            counts[0].outcome.as_str(),
            counts[0].count
        ),
        ("checkout", "done", 1)
    );
}

#[test]
fn with_a_retention_the_patron_id_stays_until_it_runs_out() {
    let mut journal = Journal::in_memory(settings(7)).unwrap();
    let seq = journal
        .begin_online(&NewTransaction::new(Action::Borrow, &item(1), stamp(1)).by(&patron()))
        .unwrap();
    journal
        .finish(
            seq,
            Finish::Done {
                due: None,
                reply: None,
            },
        )
        .unwrap();
    assert!(journal.get(&seq.to_string()).unwrap().patron.is_some());
    assert_eq!(journal.purge_patrons(Utc::now()).unwrap(), 0);
    assert_eq!(
        journal
            .purge_patrons(Utc::now() + chrono::Duration::days(8))
            .unwrap(),
        1
    );
    assert_eq!(journal.get(&seq.to_string()).unwrap().patron, None);
    // Open transactions keep theirs: staff need to know whose loan it is.
    let open = journal
        .queue_offline(
            &NewTransaction::new(Action::Borrow, &item(2), stamp(2)).by(&patron()),
            None,
        )
        .unwrap();
    journal
        .purge_patrons(Utc::now() + chrono::Duration::days(30))
        .unwrap();
    assert!(journal.get(&open.to_string()).unwrap().patron.is_some());
}

#[test]
fn queueing_after_an_unknown_attempt_keeps_one_row() {
    let mut journal = Journal::in_memory(settings(0)).unwrap();
    let seq = journal
        .begin_online(&NewTransaction::new(Action::Borrow, &item(1), stamp(1)).by(&patron()))
        .unwrap();
    journal
        .finish(
            seq,
            Finish::Unknown {
                error: "reset".into(),
            },
        )
        .unwrap();
    assert_eq!(journal.get(&seq.to_string()).unwrap().state, State::Unknown);
    let due = NaiveDate::from_ymd_opt(2026, 12, 13)
        .unwrap()
        .and_hms_opt(23, 59, 0);
    let queued = journal
        .queue_offline(
            &NewTransaction::new(Action::Borrow, &item(1), stamp(2)).by(&patron()),
            due,
        )
        .unwrap();
    assert_eq!(queued, seq, "the same row");
    let record = journal.get(&seq.to_string()).unwrap();
    assert_eq!(
        (record.state, record.origin, record.reconcile),
        (State::Pending, Origin::Offline, true)
    );
    assert_eq!(record.due.as_deref(), Some("2026-12-13 23:59:00"));
    assert_eq!(journal.list(None, None).unwrap().len(), 1);
}

#[test]
fn replay_order_is_oldest_first_and_in_order_per_item() {
    let mut journal = Journal::in_memory(settings(0)).unwrap();
    let a1 = journal
        .queue_offline(
            &NewTransaction::new(Action::Borrow, &item(1), stamp(1)).by(&patron()),
            None,
        )
        .unwrap();
    let b = journal
        .queue_offline(
            &NewTransaction::new(Action::Borrow, &item(2), stamp(2)).by(&patron()),
            None,
        )
        .unwrap();
    let a2 = journal
        .queue_offline(
            &NewTransaction::new(Action::Return, &item(1), stamp(3)),
            None,
        )
        .unwrap();
    let seqs = |rows: Vec<Record>| rows.into_iter().map(|r| r.seq).collect::<Vec<_>>();
    assert_eq!(
        seqs(journal.replayable(10, Utc::now(), None).unwrap()),
        [a1, b, a2],
        "an item's transactions in order (the replay sends them so)"
    );
    journal
        .finish(
            a1,
            Finish::Refused {
                reply: Some("on hold".into()),
                reason: Some("on_hold_for_another"),
            },
        )
        .unwrap();
    assert_eq!(
        seqs(journal.replayable(10, Utc::now(), None).unwrap()),
        [b],
        "a refused transaction holds back its item's later ones until staff settle it"
    );
    journal
        .discard(&a1.to_string(), "lent at the desk")
        .unwrap();
    assert_eq!(
        seqs(journal.replayable(10, Utc::now(), None).unwrap()),
        [b, a2]
    );
    assert_eq!(
        seqs(journal.replayable(10, Utc::now(), Some(&item(1))).unwrap()),
        [a2]
    );
}

#[test]
fn a_retry_waits_out_its_backoff() {
    let mut journal = Journal::in_memory(settings(0)).unwrap();
    let seq = journal
        .queue_offline(
            &NewTransaction::new(Action::Return, &item(1), stamp(1)),
            None,
        )
        .unwrap();
    journal
        .finish(
            seq,
            Finish::Retry {
                error: "link down".into(),
                after: Duration::from_secs(60),
            },
        )
        .unwrap();
    let record = journal.get(&seq.to_string()).unwrap();
    assert_eq!(
        (record.state, record.attempts),
        (State::Pending, 0),
        "it never left, so no attempt counts"
    );
    assert!(journal.replayable(10, Utc::now(), None).unwrap().is_empty());
    assert!(
        journal
            .next_attempt_in()
            .unwrap()
            .is_some_and(|d| d <= Duration::from_secs(60))
    );
    assert_eq!(
        journal
            .replayable(10, Utc::now() + chrono::Duration::seconds(61), None)
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn after_a_crash_what_was_being_sent_is_reconciled_first() {
    let mut journal = Journal::in_memory(settings(0)).unwrap();
    let online = journal
        .begin_online(&NewTransaction::new(Action::Borrow, &item(1), stamp(1)).by(&patron()))
        .unwrap();
    let offline = journal
        .queue_offline(
            &NewTransaction::new(Action::Return, &item(2), stamp(2)),
            None,
        )
        .unwrap();
    journal.begin_batch(&[offline]).unwrap();
    assert_eq!(journal.recover_interrupted().unwrap(), 2);
    let online = journal.get(&online.to_string()).unwrap();
    let offline = journal.get(&offline.to_string()).unwrap();
    assert_eq!((online.state, online.reconcile), (State::Unknown, true));
    assert_eq!((offline.state, offline.reconcile), (State::Pending, true));
}

#[test]
fn a_queued_transaction_reads_back_its_patron_item_local_time_and_due_date() {
    let mut journal = Journal::in_memory(settings(0)).unwrap();
    let due = NaiveDate::from_ymd_opt(2026, 12, 13)
        .unwrap()
        .and_hms_opt(23, 59, 0)
        .unwrap();
    let seq = journal
        .queue_offline(
            &NewTransaction::new(Action::Borrow, &item(1), stamp(5)).by(&patron()),
            Some(due),
        )
        .unwrap();
    let mut record = journal.to_send(10, Utc::now(), None).unwrap().remove(0);
    assert_eq!(record.seq, seq);
    assert_eq!(record.patron_id(), Some(patron()));
    assert_eq!(record.item_id(), item(1));
    assert_eq!(record.local(), Some(stamp(5).local));
    assert_eq!(record.due_at(), Some(due));
    record.local_time = "2026-13-01 10:00:00".into();
    record.due = Some("soon".into());
    assert_eq!((record.local(), record.due_at()), (None, None));
}

#[test]
fn closing_a_batch_leaves_every_later_write_waiting_for_the_disk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let mut journal = Journal::open(&path, settings(0)).unwrap().journal;
    let synchronous = |journal: &Journal| -> i64 {
        journal
            .conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap()
    };
    let seq = journal
        .queue_offline(
            &NewTransaction::new(Action::Return, &item(1), stamp(1)),
            None,
        )
        .unwrap();
    let batch = journal.begin_batch(&[seq]).unwrap();
    let done = Finish::Done {
        due: None,
        reply: None,
    };
    let queued = journal.to_send(10, Utc::now(), None).unwrap();
    journal
        .end_batch(batch, &[(&queued[0], done.clone())])
        .unwrap();
    assert_eq!(synchronous(&journal), 2, "FULL after a batch closed");
    assert_eq!(journal.get(&seq.to_string()).unwrap().state, State::Done);

    // Closing fails (the row is not there): still FULL, and the batch stays in flight.
    let seq = journal
        .queue_offline(
            &NewTransaction::new(Action::Return, &item(2), stamp(2)),
            None,
        )
        .unwrap();
    let batch = journal.begin_batch(&[seq]).unwrap();
    let mut gone = journal.to_send(10, Utc::now(), None).unwrap().remove(0);
    gone.seq += 100;
    assert!(matches!(
        journal.end_batch(batch, &[(&gone, done)]),
        Err(JournalError::NotFound(_))
    ));
    assert_eq!(synchronous(&journal), 2, "FULL after a failed close");
    assert_eq!(journal.recover_interrupted().unwrap(), 1);
}

#[test]
fn staff_can_retry_and_discard_only_what_is_open() {
    let mut journal = Journal::in_memory(settings(0)).unwrap();
    let seq = journal
        .queue_offline(
            &NewTransaction::new(Action::Return, &item(1), stamp(1)),
            None,
        )
        .unwrap();
    let id = format!("kiosk-01-{seq}");
    assert!(matches!(
        journal.retry(&id),
        Err(JournalError::WrongState { .. })
    ));
    journal
        .finish(
            seq,
            Finish::Refused {
                reply: Some("not on loan".into()),
                reason: Some("on_hold_for_another"),
            },
        )
        .unwrap();
    assert_eq!(journal.retry(&id).unwrap().state, State::Pending);
    let discarded = journal.discard(&id, "returned at the desk").unwrap();
    assert_eq!(discarded.state, State::Discarded);
    assert_eq!(
        discarded.discard_reason.as_deref(),
        Some("returned at the desk")
    );
    assert!(matches!(
        journal.discard(&id, "again"),
        Err(JournalError::WrongState { .. })
    ));
    assert!(matches!(
        journal.get("kiosk-02-1"),
        Err(JournalError::NotFound(_))
    ));
    assert!(matches!(
        journal.get("nonsense"),
        Err(JournalError::NotFound(_))
    ));
}

#[test]
fn a_full_disk_refuses_new_records_and_keeps_the_old_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let mut journal = Journal::open(&path, settings(0)).unwrap().journal;
    let first = journal
        .queue_offline(
            &NewTransaction::new(Action::Borrow, &item(1), stamp(1)).by(&patron()),
            None,
        )
        .unwrap();
    let pages: i64 = journal
        .conn
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    journal.set_max_pages(pages as u64).unwrap();
    let mut full = None;
    for n in 2..2000 {
        match journal.queue_offline(
            &NewTransaction::new(Action::Borrow, &item(n), stamp(1)).by(&patron()),
            None,
        ) {
            Ok(_) => {}
            Err(error) => {
                full = Some(error);
                break;
            }
        }
    }
    assert!(matches!(full, Some(JournalError::Full)), "{full:?}");
    assert!(full.unwrap().to_string().contains("full"));
    drop(journal);
    let journal = Journal::open(&path, settings(0)).unwrap().journal;
    let kept = journal.get(&first.to_string()).unwrap();
    assert_eq!(
        (kept.state, kept.item.as_str()),
        (State::Pending, "30234000000001")
    );
}

#[test]
fn a_damaged_database_is_moved_aside_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let garbage = b"this is not a database, it is what a bad SD card left behind".repeat(100);
    std::fs::write(&path, &garbage).unwrap();
    let opened = Journal::open(&path, settings(0)).unwrap();
    let aside = opened.moved_aside.clone().expect("moved aside");
    assert_eq!(
        std::fs::read(&aside).unwrap(),
        garbage,
        "the damaged file is kept as it was"
    );
    let mut journal = opened.journal;
    journal
        .queue_offline(
            &NewTransaction::new(Action::Return, &item(1), stamp(1)),
            None,
        )
        .unwrap();
    assert_eq!(
        journal.meta("corrupt_previous").unwrap(),
        Some(aside.display().to_string())
    );
}

#[test]
fn a_journal_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    assert!(matches!(
        Journal::open(&path, settings(0)),
        Err(JournalError::TooNew(99))
    ));
}

#[test]
fn the_blocked_list_is_kept_and_replaced_per_source() {
    let mut journal = Journal::in_memory(settings(0)).unwrap();
    journal
        .set_blocked(&patron(), Some("card_expired"), "ils")
        .unwrap();
    assert_eq!(
        journal.blocked(&patron()).unwrap().as_deref(),
        Some("card_expired")
    );
    journal.set_blocked(&patron(), None, "ils").unwrap();
    assert_eq!(journal.blocked(&patron()).unwrap(), None);
    let entries = vec![
        ("P1".to_string(), "card_reported_lost".to_string()),
        ("P2".into(), "card_expired".into()),
    ];
    assert_eq!(journal.replace_blocked("file", &entries).unwrap(), 2);
    journal.replace_blocked("file", &entries[..1]).unwrap();
    assert_eq!(journal.blocked_count().unwrap(), 1);
}

#[test]
fn states_move_as_documented() {
    let mut journal = Journal::in_memory(settings(0)).unwrap();
    let declined = journal
        .begin_online(&NewTransaction::new(Action::Borrow, &item(1), stamp(1)).by(&patron()))
        .unwrap();
    journal
        .finish(
            declined,
            Finish::Declined {
                reply: Some("on hold".into()),
                reason: Some("on_hold_for_another"),
            },
        )
        .unwrap();
    let void = journal
        .begin_online(&NewTransaction::new(Action::Borrow, &item(2), stamp(2)).by(&patron()))
        .unwrap();
    journal
        .finish(
            void,
            Finish::Retry {
                error: "not connected".into(),
                after: Duration::ZERO,
            },
        )
        .unwrap();
    assert_eq!(
        states(&journal),
        [(declined, State::Declined), (void, State::Void)]
    );
    assert!(journal.oldest_waiting().unwrap().is_none());
    let counts = journal.counts().unwrap();
    assert_eq!(counts.get(&State::Declined), Some(&1));
}

#[test]
fn outcomes_are_counted_by_hour_and_refusal_reason_with_nothing_about_the_reader() {
    let mut journal = Journal::in_memory(settings(0)).unwrap();
    let lent = journal
        .begin_online(&NewTransaction::new(Action::Borrow, &item(1), stamp(0)).by(&patron()))
        .unwrap();
    journal
        .finish(
            lent,
            Finish::Done {
                due: Some("2026-12-27 23:59".into()),
                reply: None,
            },
        )
        .unwrap();
    for n in [2, 3] {
        let refused = journal
            .begin_online(&NewTransaction::new(Action::Borrow, &item(n), stamp(n)).by(&patron()))
            .unwrap();
        journal
            .finish(
                refused,
                Finish::Declined {
                    reply: Some("on hold".into()),
                    reason: Some("on_hold_for_another"),
                },
            )
            .unwrap();
    }
    let hourly: Vec<(String, i64, String, String, String, String, i64)> = journal
        .hourly_counts()
        .unwrap()
        .into_iter()
        .map(|h| {
            (
                h.day, h.hour, h.kind, h.origin, h.outcome, h.reason, h.count,
            )
        })
        .collect();
    let row = |outcome: &str, reason: &str, count| {
        (
            "2026-11-29".to_owned(),
            10,
            "checkout".to_owned(),
            "online".to_owned(),
            outcome.to_owned(),
            reason.to_owned(),
            count,
        )
    };
    assert_eq!(
        hourly,
        [
            row("declined", "on_hold_for_another", 2),
            row("done", "", 1)
        ]
    );
    // The table has no place for a reader, a card, an item or a title.
    assert_eq!(
        column_names(&journal, "hourly_counts"),
        [
            "day", "hour", "kind", "origin", "outcome", "reason", "count"
        ]
    );
    let dump: String = journal
        .conn
        .query_row(
            "SELECT group_concat(day || hour || kind || origin || outcome || reason, '|') FROM hourly_counts",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        !dump.contains(&patron().0) && !dump.contains(&item(1).0),
        "{dump}"
    );
}

/// `(kind, origin, outcome, reason, count)` of every hourly count.
fn counted(journal: &Journal) -> Vec<(String, String, String, String, i64)> {
    (journal.hourly_counts().unwrap().into_iter())
        .map(|h| (h.kind, h.origin, h.outcome, h.reason, h.count))
        .collect()
}

fn count(
    kind: &str,
    origin: &str,
    outcome: &str,
    reason: &str,
    n: i64,
) -> (String, String, String, String, i64) {
    (kind.into(), origin.into(), outcome.into(), reason.into(), n)
}

#[test]
fn a_reader_served_offline_is_counted_at_once_and_the_replay_adds_nothing() {
    let mut journal = Journal::in_memory(settings(0)).unwrap();
    for n in [1, 2] {
        journal
            .queue_offline(
                &NewTransaction::new(Action::Borrow, &item(n), stamp(n)).by(&patron()),
                None,
            )
            .unwrap();
    }
    let served = vec![count("checkout", "offline", "done", "", 2)];
    assert_eq!(
        counted(&journal),
        served,
        "counted while the ILS is still away"
    );
    // The replay: the ILS takes one and refuses the other (staff's matter, not a second count).
    let rows = journal.to_send(10, Utc::now(), None).unwrap();
    assert_eq!(rows.len(), 2);
    let results = [
        (
            &rows[0],
            Finish::Done {
                due: None,
                reply: None,
            },
        ),
        (
            &rows[1],
            Finish::Refused {
                reply: Some("blocked".into()),
                reason: Some("blocked"),
            },
        ),
    ];
    journal.finish_batch(&results).unwrap();
    assert_eq!(counted(&journal), served);
}

#[test]
fn renewals_answered_together_are_recorded_and_counted_in_one_commit() {
    let mut journal = Journal::in_memory(settings(0)).unwrap();
    let (items, reader) = ([item(1), item(2), item(3)], patron());
    let renewal = |n: usize| NewTransaction::new(Action::Renew, &items[n], stamp(1)).by(&reader);
    journal
        .record_answered(&[
            (
                renewal(0),
                Finish::Done {
                    due: None,
                    reply: None,
                },
            ),
            (
                renewal(1),
                Finish::Done {
                    due: None,
                    reply: None,
                },
            ),
            (
                renewal(2),
                Finish::Declined {
                    reply: Some("too many renewals".into()),
                    reason: Some("ils_refused"),
                },
            ),
        ])
        .unwrap();
    assert_eq!(
        counted(&journal),
        [
            count("renew", "online", "declined", "ils_refused", 1),
            count("renew", "online", "done", "", 2)
        ]
    );
    let states: Vec<(State, Origin)> = (1..=3)
        .map(|seq| journal.get(&seq.to_string()).unwrap())
        .map(|r| (r.state, r.origin))
        .collect();
    assert_eq!(
        states,
        [
            (State::Done, Origin::Online),
            (State::Done, Origin::Online),
            (State::Declined, Origin::Online)
        ]
    );
}

#[test]
fn statistics_older_than_the_retention_are_deleted_and_newer_ones_kept() {
    let mut journal = Journal::in_memory(settings(0)).unwrap();
    let lent = journal
        .begin_online(&NewTransaction::new(Action::Borrow, &item(1), stamp(0)).by(&patron()))
        .unwrap();
    journal
        .finish(
            lent,
            Finish::Done {
                due: None,
                reply: None,
            },
        )
        .unwrap();
    let day = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
    journal.keep_statistics_for(30);
    // 29 days later the day is still within the thirty kept.
    assert_eq!(journal.prune_statistics(day("2026-12-28")).unwrap(), 0);
    assert_eq!(journal.hourly_counts().unwrap().len(), 1);
    // The day after, it goes.
    assert_eq!(journal.prune_statistics(day("2026-12-29")).unwrap(), 1);
    assert!(journal.hourly_counts().unwrap().is_empty());
    // The transaction itself is the journal's record, not a statistic: it stays.
    assert_eq!(journal.list(None, None).unwrap().len(), 1);
}

#[test]
fn a_visit_is_counted_in_buckets_with_nothing_about_the_reader() {
    let mut journal = Journal::in_memory(settings(0)).unwrap();
    let visit = crate::circ::visit_stats::VisitRecord {
        kind: "borrow",
        items: 3,
        duration_secs: 95,
        touches: 6,
        language: crate::circ::Language::En,
        item_ms: vec![700, 650],
    };
    journal.count_visit(&visit, stamp(0)).unwrap();
    journal.count_visit(&visit, stamp(1)).unwrap();
    let counts: Vec<(String, String, i64)> = journal
        .visit_counts()
        .unwrap()
        .into_iter()
        .map(|v| (v.measure, v.value, v.count))
        .collect();
    let row = |m: &str, v: &str, n| (m.to_owned(), v.to_owned(), n);
    assert_eq!(
        counts,
        [
            row("duration_secs", "90", 2),
            row("item_ms", "500", 4),
            row("items", "3", 2),
            row("language", "en", 2),
            row("touches", "6", 2),
            row("visits", "borrow", 2),
        ]
    );
    assert_eq!(
        column_names(&journal, "visit_counts"),
        ["day", "hour", "measure", "value", "count"]
    );
}

#[test]
fn the_monitoring_reads_the_open_states_the_oldest_wait_and_the_last_replay_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let mut journal = Journal::open(&path, settings(0)).unwrap().journal;
    let reader = QueueReader::open(&path).unwrap();
    let empty = reader.snapshot().unwrap();
    assert!(empty.by_state.iter().all(|(_, n)| *n == 0));
    assert_eq!(empty.by_state.len(), OPEN_STATES.len());
    assert_eq!((empty.oldest_waiting, empty.last_replay), (None, None));

    let mut seqs = Vec::new();
    for minute in [5, 1, 9] {
        seqs.push(
            journal
                .queue_offline(
                    &NewTransaction::new(Action::Borrow, &item(minute), stamp(minute))
                        .by(&patron()),
                    None,
                )
                .unwrap(),
        );
    }
    journal
        .finish(
            seqs[2],
            Finish::Refused {
                reply: None,
                reason: Some("on_hold_for_another"),
            },
        )
        .unwrap();
    journal
        .set_meta(LAST_REPLAY_KEY, "2026-11-29T03:00:00Z")
        .unwrap();
    let snapshot = reader.snapshot().unwrap();
    let count = |state| {
        snapshot
            .by_state
            .iter()
            .find(|(s, _)| *s == state)
            .map(|(_, n)| *n)
    };
    assert_eq!(count(State::Pending), Some(2));
    assert_eq!(count(State::Refused), Some(1));
    assert_eq!(count(State::Review), Some(0));
    // The oldest waiting is the first queued (minute 5), not the earliest stamp.
    assert_eq!(snapshot.oldest_waiting, Some(stamp(5).utc));
    assert_eq!(
        snapshot.last_replay.map(|t| t.to_rfc3339()),
        Some("2026-11-29T03:00:00+00:00".into())
    );
    // Read-only: the reader cannot change the journal.
    assert!(
        rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap()
            .execute("DELETE FROM transactions", [])
            .is_err()
    );
}
