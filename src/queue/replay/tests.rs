//! The replay engine against a model ILS: link failures before and after the ILS applied a
//! transaction, crashes between marking and recording, unknown online attempts — and in the
//! end every queued transaction applied exactly once, in order per item.

use super::*;
use crate::circ::types::*;
use crate::ils::Answer;
use crate::queue::journal::{JournalSettings, NewTransaction, Stamp};
use chrono::{NaiveDate, NaiveDateTime};
use proptest::prelude::*;
use std::collections::{HashMap, VecDeque};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// What the model ILS does with one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    None,
    /// The link fails before the request arrives.
    DownBefore,
    /// The ILS applies it, then the answer is lost.
    LostAfter,
    /// The kiosk crashes during this send (after the ILS applied it when `true`).
    Crash(bool),
}

#[derive(Default)]
struct ModelIls {
    loans: HashMap<ItemId, PatronId>,
    applied: Vec<(Action, ItemId, Option<PatronId>)>,
    faults: VecDeque<Fault>,
    /// Runs at every write, as the ILS applies it (to make trouble elsewhere meanwhile).
    on_write: Option<Box<dyn FnMut() + Send>>,
}

impl ModelIls {
    fn fault(&mut self) -> Fault {
        self.faults.pop_front().unwrap_or(Fault::None)
    }

    /// A write: applied or refused by the model's rules, with the scripted fault around it.
    fn write(
        &mut self,
        kind: Action,
        item: &ItemId,
        patron: Option<&PatronId>,
    ) -> Result<Result<(), Refusal>, IlsError> {
        if let Some(hook) = self.on_write.as_mut() {
            hook();
        }
        let fault = self.fault();
        if fault == Fault::DownBefore {
            return Err(IlsError::LinkDown("down".into()));
        }
        if fault == Fault::Crash(false) {
            panic!("crash before the ILS applied it");
        }
        let result = match (kind, self.loans.get(item)) {
            (Action::Borrow, None) => {
                let patron = patron.cloned().expect("a patron");
                self.loans.insert(item.clone(), patron);
                Ok(())
            }
            (Action::Borrow, Some(_)) => Err(Refusal::new(crate::circ::Reason::OnLoanToAnother)),
            (Action::Return, Some(_)) => {
                self.loans.remove(item);
                Ok(())
            }
            (Action::Return, None) => Err(Refusal::new(crate::circ::Reason::NotOnLoan)),
            (Action::Renew, _) => Ok(()),
        };
        if result.is_ok() {
            self.applied.push((kind, item.clone(), patron.cloned()));
        }
        match fault {
            Fault::LostAfter => Err(IlsError::OutcomeUnknown("lost".into())),
            Fault::Crash(true) => panic!("crash after the ILS applied it"),
            _ => Ok(result),
        }
    }

    fn read(&mut self) -> Result<(), IlsError> {
        match self.fault() {
            Fault::DownBefore | Fault::LostAfter => Err(IlsError::LinkDown("down".into())),
            Fault::Crash(_) => panic!("crash while asking the ILS"),
            Fault::None => Ok(()),
        }
    }
}

fn loan(item: &ItemId) -> Loan {
    Loan {
        item: item.clone(),
        title: String::new(),
        due: Due {
            text: String::new(),
            at: None,
        },
        screen_message: None,
        print_lines: Vec::new(),
    }
}

impl Ils for ModelIls {
    fn patron_status(&mut self, _: &PatronId, _: Option<&Pin>) -> Result<PatronStatus, IlsError> {
        unreachable!("not used by the replay")
    }
    fn account(&mut self, _: &PatronId, _: Option<&Pin>) -> Result<Account, IlsError> {
        unreachable!("not used by the replay")
    }
    fn checkout(&mut self, patron: &PatronId, item: &ItemId) -> Answer<Loan> {
        Ok(self
            .write(Action::Borrow, item, Some(patron))?
            .map(|()| loan(item)))
    }
    fn checkin(&mut self, item: &ItemId) -> Answer<Return> {
        Ok(self.write(Action::Return, item, None)?.map(|()| Return {
            item: item.clone(),
            title: String::new(),
            route: ReturnRoute::Shelf,
            screen_message: None,
        }))
    }
    fn renew(&mut self, patron: &PatronId, item: &ItemId) -> Answer<Loan> {
        Ok(self
            .write(Action::Renew, item, Some(patron))?
            .map(|()| loan(item)))
    }
    fn renew_all(&mut self, _: &PatronId) -> Answer<RenewAllResult> {
        unreachable!("not used by the replay")
    }
    fn item_info(&mut self, item: &ItemId) -> Answer<ItemInfo> {
        self.read()?;
        let status = if self.loans.contains_key(item) {
            ItemCirculation::OnLoan
        } else {
            ItemCirculation::Available
        };
        Ok(Ok(ItemInfo {
            item: item.clone(),
            title: String::new(),
            status,
            due: None,
        }))
    }
    fn charged_items(&mut self, patron: &PatronId) -> Result<Vec<ItemId>, IlsError> {
        self.read()?;
        Ok(self
            .loans
            .iter()
            .filter(|(_, p)| *p == patron)
            .map(|(i, _)| i.clone())
            .collect())
    }
    fn end_session(&mut self, _: &PatronId) -> Result<(), IlsError> {
        Ok(())
    }
}

fn at(minute: u32) -> Stamp {
    let local: NaiveDateTime = NaiveDate::from_ymd_opt(2026, 11, 29)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap()
        + chrono::Duration::minutes(i64::from(minute));
    Stamp {
        local,
        utc: local.and_utc(),
    }
}

fn journal() -> Journal {
    Journal::in_memory(JournalSettings {
        kiosk: "k".into(),
        patron_retention: Duration::from_secs(86_400),
    })
    .unwrap()
}

fn settings(batch: usize) -> ReplaySettings {
    ReplaySettings {
        batch,
        retry_after: Duration::ZERO,
    }
}

/// Runs rounds (restarting after each crash) until nothing is left to send.
fn replay_until_settled(journal: &mut Journal, ils: &mut ModelIls, batch: usize) {
    for _ in 0..500 {
        let round = catch_unwind(AssertUnwindSafe(|| {
            replay_round(
                journal,
                ils,
                Utc::now(),
                &settings(batch),
                None,
                &mut || false,
            )
        }));
        match round {
            Ok(Ok(round)) if round.idle => return,
            Ok(Ok(_)) => {}
            Ok(Err(error)) => panic!("journal error: {error}"),
            // The process died mid-round: what survives is the database. Restart.
            Err(_) => {
                journal.recover_interrupted().unwrap();
            }
        }
    }
    panic!("the queue never settled");
}

#[test]
fn a_refusal_goes_to_review_with_the_ils_words() {
    let mut journal = journal();
    let mut ils = ModelIls::default();
    let item = ItemId("I1".into());
    let seq = journal
        .queue_offline(&NewTransaction::new(Action::Return, &item, at(1)), None)
        .unwrap();
    replay_until_settled(&mut journal, &mut ils, 8);
    let record = journal.get(&seq.to_string()).unwrap();
    assert_eq!(record.state, State::Refused);
    assert_eq!(
        record.reply.as_deref(),
        Some(crate::circ::Reason::NotOnLoan.explain().as_str())
    );
    assert!(ils.applied.is_empty());
}

#[test]
fn a_reader_waiting_stops_the_round_and_loses_nothing() {
    let mut journal = journal();
    let mut ils = ModelIls::default();
    let patron = PatronId("P".into());
    for n in 0..5 {
        let item = ItemId(format!("I{n}"));
        journal
            .queue_offline(
                &NewTransaction::new(Action::Borrow, &item, at(n)).by(&patron),
                None,
            )
            .unwrap();
    }
    let mut asked = 0;
    let round = replay_round(
        &mut journal,
        &mut ils,
        Utc::now(),
        &settings(8),
        None,
        &mut || {
            asked += 1;
            asked == 2
        },
    )
    .unwrap();
    assert!(round.yielded);
    assert_eq!(round.sent, 2);
    assert_eq!(ils.applied.len(), 2);
    replay_until_settled(&mut journal, &mut ils, 8);
    assert_eq!(ils.applied.len(), 5);
}

#[test]
fn what_reconciling_learns_is_recorded_at_once_so_a_crash_loop_still_progresses() {
    let mut journal = journal();
    let mut ils = ModelIls::default();
    let patron = PatronId("P".into());
    let items: Vec<ItemId> = (0..3).map(|n| ItemId(format!("I{n}"))).collect();
    let seqs: Vec<i64> = items
        .iter()
        .enumerate()
        .map(|(n, item)| {
            journal
                .queue_offline(
                    &NewTransaction::new(Action::Borrow, item, at(n as u32)).by(&patron),
                    None,
                )
                .unwrap()
        })
        .collect();
    // The kiosk died while sending all three; the ILS had taken the first.
    journal.begin_batch(&seqs).unwrap();
    journal.recover_interrupted().unwrap();
    ils.loans.insert(items[0].clone(), patron.clone());
    // Asked about the first two, the ILS answers; the kiosk dies while asking about the third.
    ils.faults = [Fault::None, Fault::None, Fault::Crash(false)].into();
    let round = catch_unwind(AssertUnwindSafe(|| {
        replay_round(
            &mut journal,
            &mut ils,
            Utc::now(),
            &settings(8),
            None,
            &mut || false,
        )
    }));
    assert!(round.is_err(), "the kiosk died mid-round");
    journal.recover_interrupted().unwrap();
    let first = journal.get(&seqs[0].to_string()).unwrap();
    assert_eq!(first.state, State::Done, "found at the ILS: settled");
    let second = journal.get(&seqs[1].to_string()).unwrap();
    assert_eq!(
        (second.state, second.reconcile),
        (State::Pending, false),
        "confirmed not at the ILS: sent next time without asking again"
    );
    let third = journal.get(&seqs[2].to_string()).unwrap();
    assert!(third.reconcile, "not asked yet: still asked first");
    replay_until_settled(&mut journal, &mut ils, 8);
    assert_eq!(ils.applied.len(), 2, "the first was not sent again");
}

/// One reader's transaction, as the kiosk queued it offline.
#[derive(Debug, Clone)]
struct Offline {
    kind: Action,
    item: usize,
    patron: usize,
}

/// Per item, alternating loans and returns, interleaved across items: what readers can do.
fn offline_transactions() -> impl Strategy<Value = Vec<Offline>> {
    proptest::collection::vec((0usize..4, 0usize..3), 1..30).prop_map(|picks| {
        let mut on_loan = [false; 4];
        picks
            .into_iter()
            .map(|(item, patron)| {
                let kind = if on_loan[item] {
                    Action::Return
                } else {
                    Action::Borrow
                };
                on_loan[item] = !on_loan[item];
                Offline { kind, item, patron }
            })
            .collect()
    })
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        6 => Just(Fault::None),
        2 => Just(Fault::DownBefore),
        2 => Just(Fault::LostAfter),
        1 => Just(Fault::Crash(false)),
        1 => Just(Fault::Crash(true)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn every_queued_transaction_reaches_the_ils_exactly_once_in_order(
        transactions in offline_transactions(),
        faults in proptest::collection::vec(fault(), 0..40),
        unknown_online in proptest::collection::vec(any::<bool>(), 0..3),
        batch in 1usize..6,
    ) {
        let mut journal = journal();
        let mut ils = ModelIls::default();
        let patrons = ["P0", "P1", "P2"].map(|p| PatronId(p.into()));
        // Online attempts whose answer was lost, on items of their own: `true` = the ILS had
        // applied them (the reader was never told either way).
        let mut online_seqs = Vec::new();
        for (n, applied) in unknown_online.iter().enumerate() {
            let item = ItemId(format!("ONLINE{n}"));
            let seq = journal.begin_online(&NewTransaction::new(Action::Borrow, &item, at(0)).by(&patrons[0])).unwrap();
            if *applied {
                ils.loans.insert(item.clone(), patrons[0].clone());
            }
            journal.finish(seq, Finish::Unknown { error: "lost".into() }).unwrap();
            online_seqs.push((seq, *applied));
        }
        for (minute, t) in transactions.iter().enumerate() {
            let item = ItemId(format!("I{}", t.item));
            let patron = (t.kind == Action::Borrow).then(|| &patrons[t.patron]);
            let new = NewTransaction { patron, ..NewTransaction::new(t.kind, &item, at(minute as u32 + 1)) };
            journal.queue_offline(&new, None).unwrap();
        }
        ils.faults = faults.into_iter().collect();

        replay_until_settled(&mut journal, &mut ils, batch);

        // Every queued transaction is done, none refused, none waiting.
        let records = journal.list(None, None).unwrap();
        for record in records.iter().filter(|r| r.origin == Origin::Offline) {
            prop_assert_eq!(record.state, State::Done, "{:?}", record);
        }
        // Exactly once, in order, per item.
        for item in 0..4 {
            let id = ItemId(format!("I{item}"));
            let expected: Vec<Action> = transactions.iter().filter(|t| t.item == item).map(|t| t.kind).collect();
            let applied: Vec<Action> = ils.applied.iter().filter(|(_, i, _)| *i == id).map(|(k, _, _)| *k).collect();
            prop_assert_eq!(applied, expected, "item {}", item);
        }
        // Loans went to the right readers.
        for (kind, item, patron) in &ils.applied {
            if *kind == Action::Borrow && item.0.starts_with('I') {
                let n: usize = item.0[1..].parse().unwrap();
                prop_assert!(transactions.iter().any(|t| t.item == n && t.kind == Action::Borrow
                    && Some(&patrons[t.patron]) == patron.as_ref()));
            }
        }
        // Unknown online attempts are settled by asking, never sent again.
        for (seq, applied) in online_seqs {
            let record = journal.get(&seq.to_string()).unwrap();
            let expected = if applied { State::Review } else { State::Void };
            prop_assert_eq!(record.state, expected);
        }
        prop_assert!(ils.applied.iter().all(|(_, item, _)| !item.0.starts_with("ONLINE")));
    }
}

#[test]
fn an_interrupted_loan_the_ils_applied_does_not_hold_the_item_s_later_return() {
    // A reader borrowed online, the kiosk died before telling them; the ILS has the loan. Later
    // the book came back and that return was interrupted too. The loan goes to staff as
    // "untold", and the return is still reconciled and sent: the ILS's state includes the loan.
    let mut journal = journal();
    let mut ils = ModelIls::default();
    let (patron, item) = (PatronId("P".into()), ItemId("I".into()));
    let loan_seq = journal
        .begin_online(&NewTransaction::new(Action::Borrow, &item, at(1)).by(&patron))
        .unwrap();
    ils.loans.insert(item.clone(), patron.clone());
    journal.recover_interrupted().unwrap();
    replay_until_settled(&mut journal, &mut ils, 8);
    let loan = journal.get(&loan_seq.to_string()).unwrap();
    assert_eq!(loan.state, State::Review);
    let return_seq = journal
        .queue_offline(
            &NewTransaction::new(Action::Return, &item, at(2)).by(&patron),
            None,
        )
        .unwrap();
    replay_until_settled(&mut journal, &mut ils, 8);
    assert_eq!(
        journal.get(&return_seq.to_string()).unwrap().state,
        State::Done
    );
    assert!(ils.loans.is_empty(), "the return reached the ILS");
}

#[test]
fn loans_whose_outcomes_could_not_be_recorded_are_reconciled_not_sent_again() {
    // The ILS applied the loans, then the journal could not record it (disk trouble): on disk
    // the rows are still queued. Sent again, each would become a renewal (or a refusal);
    // asking the ILS first finds them there.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let mut journal = Journal::open(
        &path,
        JournalSettings {
            kiosk: "k".into(),
            patron_retention: Duration::from_secs(86_400),
        },
    )
    .unwrap()
    .journal;
    let patron = PatronId("P".into());
    for n in 0..3 {
        let item = ItemId(format!("I{n}"));
        journal
            .queue_offline(
                &NewTransaction::new(Action::Borrow, &item, at(n)).by(&patron),
                None,
            )
            .unwrap();
    }
    let mut ils = ModelIls::default();
    let other = rusqlite::Connection::open(&path).unwrap();
    ils.on_write = Some(Box::new(move || {
        other
            .execute_batch(
                "CREATE TRIGGER IF NOT EXISTS no_outcomes BEFORE UPDATE ON transactions
                 BEGIN SELECT RAISE(ABORT, 'simulated write failure'); END;",
            )
            .unwrap();
    }));
    let failed = replay_round(
        &mut journal,
        &mut ils,
        Utc::now(),
        &settings(8),
        None,
        &mut || false,
    );
    assert!(failed.is_err(), "the outcomes could not be written");
    assert_eq!(ils.applied.len(), 3);

    // The trouble passes; the kiosk is still running and replays again.
    ils.on_write = None;
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("DROP TRIGGER no_outcomes")
        .unwrap();
    replay_until_settled(&mut journal, &mut ils, 8);
    assert_eq!(ils.applied.len(), 3, "no loan reached the ILS twice");
    for record in journal.list(None, None).unwrap() {
        assert_eq!(record.state, State::Done, "{record:?}");
    }
}
