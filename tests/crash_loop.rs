//! A kiosk that keeps dying (a supervisor restarting it after a fault, a failing power supply)
//! while it replays its queue to a slow ACS: every start must leave the journal further on than
//! the one before, and in the end every loan reached the ILS exactly once.
//!
//! The ACS is the pysip2 peer of tests/interop/fake_ils.py, answering every message 0.4 s late
//! and running every request it receives (no repeat cache).

mod common;
use common::live::LiveKiosk;
use common::pysip2::FakeIls;
use common::*;
use std::path::Path;
use std::time::Duration;

const CARD: &str = "20234000000019";
const BOOKS: [&str; 6] = [
    "30234000001015",
    "30234000001023",
    "30234000001031",
    "30234000001072",
    "30234000001114",
    "30234000001122",
];

/// Transactions the journal holds as settled (done), as `kiosk queue list` reads them.
fn settled(config: &Path) -> usize {
    staff_json("queue", config, &["list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["state"] == "done")
        .count()
}

#[test]
fn every_restart_against_a_slow_acs_settles_something_and_nothing_is_sent_twice() {
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), |text| {
        text.replace(
            "kind = \"sim\"",
            &format!(
                "kind = \"sip2\"\n\n[ils.sip2]\nhost = \"127.0.0.1\"\nport = {port}\n\
                 institution = \"INTEROP\"\nlogin_user = \"kiosk\"\nlocation = \"KIOSK-1\"\n\
                 reconnect_max_secs = 1\n"
            ),
        )
        // Offline loans of up to six books, for one reader.
        .replace("max_items_per_session = 5", "max_items_per_session = 6")
    });
    let password = ("KIOSK_ILS_PASSWORD", "pw");

    // The ILS is down: a reader borrows six books offline.
    let mut kiosk = LiveKiosk::start(&config, &[password]);
    kiosk.wait_for_page("idle", Duration::from_secs(20));
    kiosk.send(&format!(r#"{{"scan": "{CARD}"}}"#));
    kiosk.send(r#"{"pin": "1234"}"#);
    kiosk.send(r#"{"press": "borrow"}"#);
    for book in BOOKS {
        kiosk.send(&format!(r#"{{"scan": "{book}"}}"#));
    }
    kiosk.send(r#"{"press": "back"}"#);
    kiosk.send(r#"{"press": "done"}"#);
    kiosk.send(r#"{"press": "no_receipt"}"#);
    kiosk.wait_for_page("goodbye", Duration::from_secs(20));
    let (clean, lines, log) = kiosk.finish();
    assert!(clean, "{log}");
    let lent = results(&lines)
        .into_iter()
        .filter(|(_, status, _)| status == "borrowed")
        .count();
    assert_eq!(lent, BOOKS.len(), "{log}");
    assert_eq!(settled(&config), 0);

    // The ILS is back, slow; the kiosk is killed (SIGKILL) soon after each start.
    let fake = FakeIls::start_with(&[
        "--port",
        &port.to_string(),
        "--delay",
        "0.4",
        "--no-repeat-cache",
    ]);
    let mut progress = Vec::new();
    let mut rng = 0x9E37_79B9_7F4A_7C15_u64;
    for _ in 0..30 {
        let before = settled(&config);
        if before == BOOKS.len() {
            break;
        }
        let logins = fake.count("LOGIN kiosk ok");
        let kiosk = LiveKiosk::start(&config, &[password]);
        // Killed 1.3–2.1 s after the ACS let it in: room for its status request and one or two
        // more round trips, never for the whole queue.
        let in_after = kiosk.wait_until(Duration::from_secs(20), |_| {
            fake.count("LOGIN kiosk ok") > logins
        });
        assert!(in_after.is_some(), "logged in: {}", kiosk.log());
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        std::thread::sleep(Duration::from_millis(1300 + rng % 800));
        drop(kiosk);
        progress.push((before, settled(&config)));
    }
    eprintln!("settled before and after each start: {progress:?}");
    assert_eq!(
        settled(&config),
        BOOKS.len(),
        "all settled: {progress:?} {:?}",
        fake.events()
    );
    for (before, after) in &progress {
        assert!(after > before, "a restart settled nothing: {progress:?}");
    }
    assert!(
        progress.len() >= 2,
        "the kiosk was killed mid-replay: {progress:?}"
    );
    for book in BOOKS {
        assert_eq!(
            fake.count(&format!("RAN checkout {book}")),
            1,
            "{book} lent once: {:?}",
            fake.events()
        );
    }
}
