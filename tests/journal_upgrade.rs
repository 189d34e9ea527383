//! A package upgrade keeps the queue: a journal written by the previous release's schema, with
//! transactions still waiting, is opened by this build and replayed to the ILS with nothing
//! lost and nothing sent twice.

mod common;
use common::*;
use std::collections::BTreeMap;

#[test]
fn the_previous_releases_journal_is_replayed_whole_by_this_build() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/journal/schema-5-three-waiting.db"
    );
    std::fs::copy(fixture, dir.path().join("journal.db")).unwrap();
    let port = free_port();
    let _served = serve(&["--sip2", &format!("127.0.0.1:{port}")], port);
    let config = config_in(dir.path(), |text| {
        text.replace(
            "kind = \"sim\"",
            &format!(
                "kind = \"sip2\"\n\n[ils.sip2]\nhost = \"127.0.0.1\"\nport = {port}\ninstitution = \"SIM\"\n"
            ),
        )
    });
    let status = staff_json("queue", &config, &["status", "--json"]);
    assert_eq!(status["counts"]["pending"], 3, "{status}");

    let run = kiosk(
        &["queue", "--config", config.to_str().unwrap(), "replay"],
        "",
        &[],
    );
    assert!(run.success, "{}", run.stderr);
    assert!(run.stdout.contains("Sent 3, settled 3"), "{}", run.stdout);

    let listed = staff_json("queue", &config, &["list", "--json"]);
    let settled: BTreeMap<String, (String, String)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let field = |name: &str| t[name].as_str().unwrap_or_default().to_owned();
            (field("item"), (field("kind"), field("state")))
        })
        .collect();
    let expected: BTreeMap<String, (String, String)> = [
        ("30234000001015", "checkout"),
        ("30234000001031", "checkout"),
        ("30234000001098", "checkin"),
    ]
    .into_iter()
    .map(|(item, kind)| (item.to_owned(), (kind.to_owned(), "done".to_owned())))
    .collect();
    assert_eq!(settled, expected);
    // Each sent once.
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["attempts"] == 1)
    );
    // A second replay has nothing to send.
    let again = kiosk(
        &["queue", "--config", config.to_str().unwrap(), "replay"],
        "",
        &[],
    );
    assert!(again.stdout.contains("Sent 0"), "{}", again.stdout);
}
