//! The whole kiosk (`kiosk run --headless`) against SIP2 servers that behave as some real ones
//! do: the pysip2 ACS of tests/interop/fake_ils.py with one fault turned on — no repeat cache and
//! a late answer, a record it drops the connection on, CR LF replies, a password it refuses, and
//! an outage it comes back from. What each shows is what a reader, a technician or staff would
//! notice: the outcome on the screen, how often the ILS ran the request, the journal's account of
//! it, `kiosk diag`, and how busy the machine is while it waits.

mod common;
use common::live::LiveKiosk;
use common::pysip2::FakeIls;
use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

const CARD: &str = "20234000000019";
const BOOK: &str = "30234000001015";
const OTHER_BOOK: &str = "30234000001023";
const PASSWORD: (&str, &str) = ("KIOSK_ILS_PASSWORD", "pw");

/// The example configuration with the fake ACS on `port` as the ILS, plus `extra` [ils.sip2]
/// settings.
fn sip2_config(dir: &Path, port: u16, extra: &str) -> PathBuf {
    config_in(dir, |text| {
        text.replace(
            "kind = \"sim\"",
            &format!(
                "kind = \"sip2\"\n\n[ils.sip2]\nhost = \"127.0.0.1\"\nport = {port}\n\
                 institution = \"INTEROP\"\nlogin_user = \"kiosk\"\nlocation = \"KIOSK-1\"\n{extra}"
            ),
        )
    })
}

/// A reader borrows `books` and leaves without a receipt.
fn borrow_script(books: &[&str]) -> Vec<String> {
    let mut lines = vec![
        format!(r#"{{"scan": "{CARD}"}}"#),
        r#"{"pin": "1234"}"#.to_owned(),
        r#"{"press": "borrow"}"#.to_owned(),
    ];
    lines.extend(books.iter().map(|b| format!(r#"{{"scan": "{b}"}}"#)));
    lines.extend(
        [
            r#"{"press": "back"}"#,
            r#"{"press": "done"}"#,
            r#"{"press": "no_receipt"}"#,
        ]
        .map(str::to_owned),
    );
    lines
}

fn queue_json(config: &Path, args: &[&str]) -> Value {
    let mut all = vec!["queue", "--config", config.to_str().unwrap()];
    all.extend_from_slice(args);
    let run = kiosk(&all, "", &[PASSWORD]);
    assert!(run.success, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", run.stdout))
}

/// The journal's rows for one item, oldest first.
fn rows_for(config: &Path, item: &str) -> Vec<Value> {
    queue_json(config, &["list", "--json"])
        .as_array()
        .expect("a list")
        .iter()
        .filter(|r| r["item"] == item)
        .cloned()
        .collect()
}

fn states(rows: &[Value]) -> Vec<(String, String)> {
    rows.iter()
        .map(|r| {
            (
                r["kind"].as_str().unwrap_or("?").to_owned(),
                r["state"].as_str().unwrap_or("?").to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_late_answer_from_an_acs_without_a_repeat_cache_is_settled_by_asking_never_by_sending_again() {
    // The ACS runs every request it receives (a repeat is a new request to it) and answers the
    // book's checkout, renewal and checkin later than the kiosk waits.
    let fake = FakeIls::start_with(&["--no-repeat-cache", "--slow", &format!("{BOOK}=1.6")]);
    let dir = tempfile::tempdir().unwrap();
    // Retries allowed: they are for questions, never for a checkout, checkin or renewal. (The
    // kiosk's own timeout, not the 3 s the ACS announces.)
    let config = sip2_config(
        dir.path(),
        fake.port,
        "timeout_secs = 1\nretries = 2\nuse_acs_timeouts = false\n",
    );
    let script: Vec<String> = [
        format!(r#"{{"scan": "{CARD}"}}"#),
        r#"{"pin": "1234"}"#.into(),
        r#"{"press": "borrow"}"#.into(),
        format!(r#"{{"scan": "{BOOK}"}}"#),
        r#"{"press": "back"}"#.into(),
        r#"{"press": "renew"}"#.into(),
        format!(r#"{{"renew": ["{BOOK}"]}}"#),
        r#"{"press": "back"}"#.into(),
        r#"{"press": "done"}"#.into(),
        r#"{"press": "no_receipt"}"#.into(),
        r#"{"wait": 10}"#.into(),
        // Returned on the attract screen, without a card.
        format!(r#"{{"scan": "{BOOK}"}}"#),
        r#"{"wait": 15}"#.into(),
    ]
    .into();
    let run = run_script(&config, &script, &[PASSWORD]);

    // The reader sees one outcome for each.
    assert_eq!(
        results(&run.lines()),
        [
            (BOOK.into(), "borrowed".into(), "".into()),
            (BOOK.into(), "renewed".into(), "".into()),
            (BOOK.into(), "returned".into(), "".into()),
        ],
        "{}",
        run.stderr
    );
    // The ILS ran each once: no second checkout turned into a renewal.
    for kind in ["checkout", "renew", "checkin"] {
        assert_eq!(
            fake.count(&format!("RAN {kind} {BOOK}")),
            1,
            "{kind} ran once: {:?}",
            fake.events()
        );
    }
    // The journal says how each was settled.
    let rows = rows_for(&config, BOOK);
    assert_eq!(
        states(&rows),
        [
            ("checkout".into(), "done".into()),
            ("renew".into(), "done".into()),
            ("checkin".into(), "done".into()),
        ]
    );
    for row in &rows {
        let reply = row["reply"].as_str().unwrap_or_default();
        assert!(
            reply.contains("no answer came") && reply.contains("had taken effect"),
            "settled by asking: {row}"
        );
    }
}

#[test]
fn a_record_the_acs_drops_the_connection_on_is_refused_and_the_kiosk_stays_online() {
    // The ACS's code chokes on this one book (a field of its record) and closes the connection,
    // while it answers everything else.
    let fake = FakeIls::start_with(&["--drop", BOOK]);
    let dir = tempfile::tempdir().unwrap();
    let config = sip2_config(dir.path(), fake.port, "");
    let run = run_script(&config, &borrow_script(&[BOOK, OTHER_BOOK]), &[PASSWORD]);
    let lines = run.lines();
    assert_eq!(
        results(&lines),
        [
            (BOOK.into(), "refused".into(), "see_staff".into()),
            (OTHER_BOOK.into(), "borrowed".into(), "".into()),
        ],
        "{}",
        run.stderr
    );
    // Never lent offline, never shown offline: the ILS answers, it only will not take that one.
    let offline: Vec<&Value> = effects(&lines, "show")
        .into_iter()
        .filter(|s| s["screen"]["offline"] == true)
        .collect();
    assert!(offline.is_empty(), "shown offline: {offline:?}");
    assert!(!run.stderr.contains("link=offline"), "{}", run.stderr);
    // Sent twice, each time confirmed not to have happened, then given up: bounded.
    assert_eq!(
        fake.count(&format!("DROP CheckoutRequest {BOOK}")),
        2,
        "{:?}",
        fake.events()
    );
    assert_eq!(fake.count(&format!("RAN checkout {OTHER_BOOK}")), 1);
    let rows = rows_for(&config, BOOK);
    assert_eq!(states(&rows), [("checkout".into(), "declined".into())]);
    let reply = rows[0]["reply"].as_str().unwrap_or_default();
    assert!(reply.contains("sent 2 times"), "{reply}");

    // The technician's check names it.
    let diag = kiosk(
        &[
            "diag",
            "--config",
            config.to_str().unwrap(),
            "--device",
            "ils",
            "--json",
        ],
        "",
        &[PASSWORD],
    );
    let report: Value = serde_json::from_str(&diag.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", diag.stdout, diag.stderr));
    let check = &report["checks"][0];
    assert_eq!(check["status"], "warn", "{report}");
    let message = check["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("would not take a checkout") && message.contains("sent 2 times"),
        "{message}"
    );
    let status = queue_json(&config, &["status", "--json"]);
    assert_eq!(status["ils_rejected"]["request"], "checkout", "{status}");
}

#[test]
fn a_queued_loan_the_acs_never_takes_goes_to_review_after_a_few_sends_and_the_rest_replays() {
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let config = sip2_config(dir.path(), port, "reconnect_max_secs = 2\n");
    let mut kiosk = LiveKiosk::start(&config, &[PASSWORD, ("RUST_LOG", "info")]);
    let idle = kiosk.wait_for_page("idle", Duration::from_secs(20));
    assert_eq!(
        idle["offline"], true,
        "nothing listens on the ACS's port yet"
    );
    for line in borrow_script(&[BOOK, OTHER_BOOK]) {
        kiosk.send(&line);
    }
    kiosk.wait_for_page("goodbye", Duration::from_secs(20));
    assert_eq!(
        results(&kiosk.lines()),
        [
            (BOOK.into(), "borrowed".into(), "".into()),
            (OTHER_BOOK.into(), "borrowed".into(), "".into()),
        ]
    );

    let fake = FakeIls::start_with(&["--port", &port.to_string(), "--drop", BOOK]);
    let settled = kiosk.wait_until(Duration::from_secs(30), |_| {
        states(&rows_for(&config, BOOK)) == [("checkout".to_owned(), "review".to_owned())]
            && states(&rows_for(&config, OTHER_BOOK))
                == [("checkout".to_owned(), "done".to_owned())]
    });
    assert!(
        settled.is_some(),
        "{:?} {:?}\n{:?}\n{}",
        rows_for(&config, BOOK),
        rows_for(&config, OTHER_BOOK),
        fake.events(),
        kiosk.log()
    );
    let drops = fake.count(&format!("DROP CheckoutRequest {BOOK}"));
    assert_eq!(drops, 3, "a bounded number of sends: {:?}", fake.events());
    let row = &rows_for(&config, BOOK)[0];
    let why = row["last_error"].as_str().unwrap_or_default();
    assert!(
        why.contains("sent 3 times") && why.contains("will not take it"),
        "{row}"
    );
    assert_eq!(fake.count(&format!("RAN checkout {OTHER_BOOK}")), 1);
    // The kiosk is online, and says so: one book the ACS will not take is no outage.
    std::thread::sleep(Duration::from_millis(500));
    let last = kiosk.screens().pop().expect("a screen");
    assert_eq!(last["offline"], false, "{last}");
    let status = queue_json(&config, &["status", "--json"]);
    assert_eq!(status["link"]["state"], "online", "{status}");
    assert_eq!(status["counts"]["review"], 1, "{status}");
    drop(fake);
}

#[test]
fn against_a_crlf_acs_one_login_serves_a_whole_session() {
    let fake = FakeIls::start_with(&["--crlf"]);
    let dir = tempfile::tempdir().unwrap();
    let config = sip2_config(dir.path(), fake.port, "");
    let books = [
        "30234000001015",
        "30234000001023",
        "30234000001031",
        "30234000001072",
        "30234000001114",
    ];
    let run = run_script(&config, &borrow_script(&books), &[PASSWORD]);
    let borrowed = results(&run.lines())
        .into_iter()
        .filter(|(_, status, _)| status == "borrowed")
        .count();
    assert_eq!(borrowed, 5, "{}", run.stderr);
    assert_eq!(
        fake.count("LOGIN kiosk ok"),
        1,
        "one login for the session: {:?}",
        fake.events()
    );
    assert!(!run.stderr.contains("reconnecting"), "{}", run.stderr);
}

#[test]
fn a_kiosk_sending_crlf_to_an_acs_that_frames_by_cr_is_out_of_service_and_says_what_to_change() {
    // pysip2 frames requests by CR alone: the LF the kiosk adds begins the next message.
    let fake = FakeIls::start();
    let dir = tempfile::tempdir().unwrap();
    let config = sip2_config(
        dir.path(),
        fake.port,
        "terminator = \"crlf\"\ntimeout_secs = 2\n",
    );
    let mut script = vec![r#"{"wait": 1}"#.to_owned()];
    script.extend(borrow_script(&[BOOK]));
    let run = run_script(&config, &script, &[PASSWORD]);
    let lines = run.lines();
    // Not lent offline behind an ACS that answers: out of service until the setting is fixed.
    assert!(
        results(&lines).is_empty(),
        "nothing lent: {:?}\n{}",
        results(&lines),
        run.stderr
    );
    let last = effects(&lines, "show")
        .into_iter()
        .next_back()
        .map(|s| s["screen"].clone())
        .expect("a screen");
    assert_eq!(last["page"], "out_of_service", "{last}");
    assert_eq!(last["notice"]["fault"], "ILS", "{last}");
    assert!(
        run.stderr.contains("terminator = \"cr\""),
        "the log says what to change: {}",
        run.stderr
    );
    let diag = kiosk(
        &[
            "diag",
            "--config",
            config.to_str().unwrap(),
            "--device",
            "ils",
            "--json",
        ],
        "",
        &[PASSWORD],
    );
    let report: Value = serde_json::from_str(&diag.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", diag.stdout, diag.stderr));
    let check = &report["checks"][0];
    assert_eq!(check["status"], "fail", "{report}");
    assert!(
        check["message"]
            .as_str()
            .is_some_and(|m| m.contains("terminator = \"cr\"")),
        "{report}"
    );
}

#[test]
fn a_utf8_kiosk_on_a_cp850_acs_says_so_once_and_diag_flags_it() {
    let fake = FakeIls::start_with(&["--charset", "cp850"]);
    let dir = tempfile::tempdir().unwrap();
    // The kiosk keeps the default charset, UTF-8.
    let config = sip2_config(dir.path(), fake.port, "");
    let cafe = "30234000001130";
    let run = run_script(&config, &borrow_script(&[cafe, BOOK]), &[PASSWORD]);
    let lines = run.lines();
    assert_eq!(
        results(&lines),
        [
            (cafe.into(), "borrowed".into(), "".into()),
            (BOOK.into(), "borrowed".into(), "".into()),
        ]
    );
    let title = effects(&lines, "outcome")
        .into_iter()
        .find_map(|o| {
            o["outcome"]["title"]
                .as_str()
                .filter(|t| t.starts_with("Caf"))
        })
        .expect("the title shown")
        .to_owned();
    assert_ne!(
        title, "Café Müller",
        "cp850 bytes read as UTF-8 cannot come out right"
    );
    let warnings = run.stderr.matches("set [ils.sip2] charset").count();
    assert_eq!(warnings, 1, "said once, naming the setting: {}", run.stderr);

    let diag = kiosk(
        &[
            "diag",
            "--config",
            config.to_str().unwrap(),
            "--device",
            "ils",
            "--json",
        ],
        "",
        &[PASSWORD],
    );
    let report: Value = serde_json::from_str(&diag.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", diag.stdout, diag.stderr));
    let check = &report["checks"][0];
    assert_eq!(check["status"], "warn", "{report}");
    assert!(
        check["message"]
            .as_str()
            .is_some_and(|m| m.contains("charset")),
        "{report}"
    );
}

#[test]
fn a_blank_no_block_due_date_a_strict_acs_rejects_is_named_as_the_setting_to_change() {
    // 3M machines send 18 blanks; pysip2 drops the connection on every such checkout, while it
    // answers logins, status and returns.
    let fake = FakeIls::start();
    let dir = tempfile::tempdir().unwrap();
    let config = sip2_config(dir.path(), fake.port, "nb_due_date = \"blank\"\n");
    let run = run_script(&config, &borrow_script(&[BOOK]), &[PASSWORD]);
    let lines = run.lines();
    assert_eq!(
        results(&lines),
        [(BOOK.into(), "refused".into(), "see_staff".into())],
        "not lent offline behind an ACS that answers: {}",
        run.stderr
    );
    assert!(
        effects(&lines, "show")
            .iter()
            .all(|s| s["screen"]["offline"] != true),
        "never shown offline"
    );
    assert!(
        run.stderr.contains("nb_due_date = \"transaction-date\""),
        "the log names the setting: {}",
        run.stderr
    );
    let status = queue_json(&config, &["status", "--json"]);
    let note = status["ils_rejected"]["note"].as_str().unwrap_or_default();
    assert!(note.contains("nb_due_date"), "{status}");
}
