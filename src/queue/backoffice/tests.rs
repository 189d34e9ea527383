use super::*;
use crate::circ::types::Pin;
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
    let reply = office.execute(&IlsRequest::Checkout {
        patron: p(LI_HUA),
        item: i(SANTI),
        tag: None,
    });
    assert!(matches!(reply, Ok(IlsAnswer::Checkout(Ok(_)))));
    let rows = office.journal().list(None, None).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].state, rows[0].origin),
        (State::Done, crate::queue::Origin::Online)
    );
    assert_eq!(office.take_link_change(), Some(crate::circ::Link::Online));
    // A refusal is journaled as declined.
    let reply = office.execute(&IlsRequest::Checkout {
        patron: p(LI_HUA),
        item: i("30234000001056"),
        tag: None,
    });
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
        .execute(&IlsRequest::Queue {
            action: Kind::Borrow,
            patron: Some(p(LI_HUA)),
            item: i(SANTI),
            tag: None,
        })
        .unwrap();
    let reply = office.execute(&IlsRequest::Checkin {
        item: i(SANTI),
        patron: None,
        tag: None,
    });
    assert!(matches!(reply, Ok(IlsAnswer::Checkin(Ok(_)))), "{reply:?}");
    let rows = office.journal().list(None, None).unwrap();
    let states: Vec<(Kind, State)> = rows.iter().map(|r| (r.kind, r.state)).collect();
    assert_eq!(
        states,
        [(Kind::Borrow, State::Done), (Kind::Return, State::Done)]
    );
}

#[test]
fn the_blocked_list_follows_what_the_ils_says() {
    let mut office = office(journal());
    office
        .execute(&IlsRequest::PatronStatus {
            patron: p(ZHANG_WEI),
            pin: Some(Pin::new("3456")),
        })
        .unwrap();
    let offline = office.execute(&IlsRequest::OfflinePatron {
        patron: p(ZHANG_WEI),
    });
    assert_eq!(
        offline,
        Ok(IlsAnswer::OfflinePatron {
            blocked: Some(Block::CardExpired)
        })
    );
    let fine = office.execute(&IlsRequest::OfflinePatron { patron: p(LI_HUA) });
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
    let queue = |n: u32| IlsRequest::Queue {
        action: Kind::Return,
        patron: None,
        item: ItemId(format!("3{n:013}")),
        tag: None,
    };
    assert!(matches!(
        office.execute(&queue(0)),
        Ok(IlsAnswer::Queued { .. })
    ));
    office.journal().set_max_pages(1).unwrap();
    let mut failure = None;
    for n in 1..500 {
        if let Err(error) = office.execute(&queue(n)) {
            failure = Some(error);
            break;
        }
    }
    assert!(
        matches!(&failure, Some(IlsError::Storage(m)) if m.contains("full")),
        "{failure:?}"
    );
    // A checkout is not sent to the ILS when it cannot be recorded first.
    let checkout = office.execute(&IlsRequest::Checkout {
        patron: p(LI_HUA),
        item: i(SANTI),
        tag: None,
    });
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
