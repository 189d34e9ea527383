use super::*;
use crate::circ::types::Pin;
use crate::circ::{JournalRequest, WorkerRequest};
use crate::ils::sim::SimIls;
use crate::ils::sim::seed::Seed;
use crate::queue::journal::JournalSettings;
use std::sync::Arc;

const LI_HUA: &str = "20234000000019";
const ZHANG_WEI: &str = "20234000000035";
const SANTI: &str = "30234000001015";

fn office(journal: Journal) -> BackOffice {
    let sim = SimIls::new(
        &Seed::builtin(),
        Arc::new(|| chrono::Local::now().naive_local()),
    );
    BackOffice::new(
        Box::new(sim),
        journal,
        BackOfficeSettings {
            offline_loan_days: 14,
            replay: ReplaySettings::default(),
            suggestions: Default::default(),
        },
    )
}

fn journal() -> Journal {
    Journal::in_memory(JournalSettings {
        kiosk: "k".into(),
        patron_retention: Duration::from_secs(86_400),
    })
    .unwrap()
}

fn p(id: &str) -> PatronId {
    PatronId(id.into())
}

fn i(id: &str) -> ItemId {
    ItemId(id.into())
}

#[test]
fn an_online_checkout_is_journaled_and_settled() {
    let mut office = office(journal());
    let reply = office.execute(&WorkerRequest::from(IlsRequest::Checkout {
        patron: p(LI_HUA),
        item: i(SANTI),
        tag: None,
    }));
    assert!(matches!(reply, Ok(IlsAnswer::Checkout(Ok(_)))));
    let rows = office.journal().list(None, None).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].state, rows[0].origin),
        (State::Done, crate::queue::Origin::Online)
    );
    assert_eq!(office.take_link_change(), Some(crate::circ::Link::Online));
    // A refusal is journaled as declined.
    let reply = office.execute(&WorkerRequest::from(IlsRequest::Checkout {
        patron: p(LI_HUA),
        item: i("30234000001056"),
        tag: None,
    }));
    assert!(matches!(reply, Ok(IlsAnswer::Checkout(Err(_)))));
    assert_eq!(
        office
            .journal()
            .list(Some(State::Declined), None)
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn an_items_queued_transactions_go_before_a_new_one() {
    let mut office = office(journal());
    // Borrowed offline, now returned online: the ILS must see the loan first.
    office
        .execute(&WorkerRequest::from(JournalRequest::Queue {
            action: Action::Borrow,
            patron: Some(p(LI_HUA)),
            item: i(SANTI),
            tag: None,
        }))
        .unwrap();
    let reply = office.execute(&WorkerRequest::from(IlsRequest::Checkin {
        item: i(SANTI),
        patron: None,
        tag: None,
    }));
    assert!(matches!(reply, Ok(IlsAnswer::Checkin(Ok(_)))), "{reply:?}");
    let rows = office.journal().list(None, None).unwrap();
    let states: Vec<(Action, State)> = rows.iter().map(|r| (r.kind, r.state)).collect();
    assert_eq!(
        states,
        [(Action::Borrow, State::Done), (Action::Return, State::Done)]
    );
}

#[test]
fn the_blocked_list_follows_what_the_ils_says() {
    let mut office = office(journal());
    office
        .execute(&WorkerRequest::from(IlsRequest::PatronStatus {
            patron: p(ZHANG_WEI),
            pin: Some(Pin::new("3456")),
        }))
        .unwrap();
    let offline = office.execute(&WorkerRequest::from(JournalRequest::OfflinePatron {
        patron: p(ZHANG_WEI),
    }));
    assert_eq!(
        offline,
        Ok(IlsAnswer::OfflinePatron {
            blocked: Some(Block::CardExpired)
        })
    );
    let fine = office.execute(&WorkerRequest::from(JournalRequest::OfflinePatron {
        patron: p(LI_HUA),
    }));
    assert_eq!(fine, Ok(IlsAnswer::OfflinePatron { blocked: None }));
}

#[test]
fn a_full_disk_refuses_to_record_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let journal = Journal::open(
        &path,
        JournalSettings {
            kiosk: "k".into(),
            patron_retention: Duration::ZERO,
        },
    )
    .unwrap()
    .journal;
    let mut office = office(journal);
    let queue = |n: u32| JournalRequest::Queue {
        action: Action::Return,
        patron: None,
        item: ItemId(format!("3{n:013}")),
        tag: None,
    };
    assert!(matches!(
        office.execute(&WorkerRequest::from(queue(0))),
        Ok(IlsAnswer::Queued { .. })
    ));
    office.journal().set_max_pages(1).unwrap();
    let mut failure = None;
    for n in 1..500 {
        if let Err(error) = office.execute(&WorkerRequest::from(queue(n))) {
            failure = Some(error);
            break;
        }
    }
    assert!(
        matches!(&failure, Some(IlsError::Storage(m)) if m.contains("full")),
        "{failure:?}"
    );
    // A checkout is not sent to the ILS when it cannot be recorded first.
    let checkout = office.execute(&WorkerRequest::from(IlsRequest::Checkout {
        patron: p(LI_HUA),
        item: i(SANTI),
        tag: None,
    }));
    assert!(
        matches!(checkout, Err(IlsError::Storage(_))),
        "{checkout:?}"
    );
    drop(office);
    let journal = Journal::open(
        &path,
        JournalSettings {
            kiosk: "k".into(),
            patron_retention: Duration::ZERO,
        },
    )
    .unwrap()
    .journal;
    assert!(
        journal.get("1").is_ok(),
        "what was recorded before is still there"
    );
}

/// The simulated library behind a link that misbehaves on cue: down until `up` is set (an HTTP
/// ILS: no schedule of its own for the link), and, with `garble_checkouts`, carrying out every
/// checkout and answering it with something unreadable.
struct Faulty {
    sim: SimIls,
    up: Arc<std::sync::atomic::AtomicBool>,
    looks: Arc<std::sync::atomic::AtomicUsize>,
    garble_checkouts: bool,
}

impl Faulty {
    fn new(up: bool, garble_checkouts: bool) -> Faulty {
        Faulty {
            sim: SimIls::new(
                &Seed::builtin(),
                Arc::new(|| chrono::Local::now().naive_local()),
            ),
            up: Arc::new(std::sync::atomic::AtomicBool::new(up)),
            looks: Arc::default(),
            garble_checkouts,
        }
    }

    fn gate(&self) -> Result<(), IlsError> {
        if self.up.load(std::sync::atomic::Ordering::SeqCst) {
            Ok(())
        } else {
            Err(IlsError::LinkDown("connection refused".into()))
        }
    }
}

impl Ils for Faulty {
    fn patron_status(
        &mut self,
        patron: &PatronId,
        pin: Option<&Pin>,
    ) -> Result<crate::circ::types::PatronStatus, IlsError> {
        self.gate()?;
        self.sim.patron_status(patron, pin)
    }
    fn account(
        &mut self,
        patron: &PatronId,
        pin: Option<&Pin>,
    ) -> Result<crate::circ::types::Account, IlsError> {
        self.gate()?;
        self.sim.account(patron, pin)
    }
    fn checkout(
        &mut self,
        patron: &PatronId,
        item: &ItemId,
    ) -> crate::ils::Answer<crate::circ::types::Loan> {
        self.gate()?;
        let answer = self.sim.checkout(patron, item)?;
        if self.garble_checkouts {
            return Err(IlsError::BadReply("field AH is not a date".into()));
        }
        Ok(answer)
    }
    fn checkin(&mut self, item: &ItemId) -> crate::ils::Answer<crate::circ::types::Return> {
        self.gate()?;
        self.sim.checkin(item)
    }
    fn renew(
        &mut self,
        patron: &PatronId,
        item: &ItemId,
    ) -> crate::ils::Answer<crate::circ::types::Loan> {
        self.gate()?;
        self.sim.renew(patron, item)
    }
    fn renew_all(
        &mut self,
        patron: &PatronId,
    ) -> crate::ils::Answer<crate::circ::types::RenewAllResult> {
        self.gate()?;
        self.sim.renew_all(patron)
    }
    fn item_info(&mut self, item: &ItemId) -> crate::ils::Answer<crate::circ::types::ItemInfo> {
        self.gate()?;
        self.sim.item_info(item)
    }
    fn check_link(&mut self) -> Result<(), IlsError> {
        self.looks.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.gate()
    }
}

fn office_over(ils: Faulty) -> BackOffice {
    BackOffice::new(
        Box::new(ils),
        journal(),
        BackOfficeSettings {
            offline_loan_days: 14,
            replay: ReplaySettings::default(),
            suggestions: Default::default(),
        },
    )
}

#[test]
fn a_link_the_adapter_does_not_watch_is_looked_at_on_a_backoff_and_the_queue_goes_when_it_is_back()
{
    use std::sync::atomic::Ordering;
    let ils = Faulty::new(false, false);
    let (up, looks) = (Arc::clone(&ils.up), Arc::clone(&ils.looks));
    let mut office = office_over(ils);
    office.start_with_link(Link::Offline);
    office
        .execute(&WorkerRequest::from(JournalRequest::Queue {
            action: crate::circ::Action::Borrow,
            patron: Some(p(LI_HUA)),
            item: i(SANTI),
            tag: None,
        }))
        .unwrap();
    // Down: looked at now, then not again before the next step, however often the worker asks.
    assert_eq!(office.keep_alive_in(), Some(Duration::ZERO));
    office.keep_alive();
    for _ in 0..100 {
        office.keep_alive();
    }
    assert_eq!(looks.load(Ordering::SeqCst), 1, "one look per backoff step");
    let wait = office.keep_alive_in().expect("a next look");
    assert!(
        wait > Duration::from_millis(500) && wait <= Duration::from_secs(1),
        "{wait:?}"
    );

    // Back: the next look finds it, the session hears, and the queue is due at once.
    up.store(true, Ordering::SeqCst);
    std::thread::sleep(wait);
    office.keep_alive();
    assert_eq!(looks.load(Ordering::SeqCst), 2);
    assert_eq!(office.take_link_change(), Some(Link::Online));
    assert_eq!(office.keep_alive_in(), None, "online: nothing to watch");
    assert_eq!(office.replay_due_in(), Some(Duration::ZERO));
    let round = office.replay(&mut || false).unwrap();
    assert_eq!((round.sent, round.settled), (1, 1));
}

#[test]
fn a_checkout_answered_with_garbage_is_settled_by_asking_and_never_sent_twice() {
    let mut office = office_over(Faulty::new(true, true));
    let reply = office.execute(&WorkerRequest::from(IlsRequest::Checkout {
        patron: p(LI_HUA),
        item: i(SANTI),
        tag: None,
    }));
    // The reader is told it is borrowed: the ILS's loans say so.
    assert!(
        matches!(&reply, Ok(IlsAnswer::Checkout(Ok(loan))) if loan.item == i(SANTI)),
        "{reply:?}"
    );
    let rows = office.journal().list(None, None).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].state, State::Done);
    assert_eq!(rows[0].attempts, 1, "sent once");
    let how = rows[0].reply.as_deref().unwrap_or_default();
    assert!(
        how.contains("field AH is not a date") && how.contains("the reader's loans"),
        "{how}"
    );
}
