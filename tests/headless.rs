//! End to end through the headless driver: the `kiosk` binary, commands on stdin, JSON lines out.

mod common;
use common::*;
use serde_json::Value;

const LI_HUA: &str = "20234000000019";

fn session(lines: &[&str]) -> String {
    lines.join("\n") + "\n"
}

#[test]
fn a_borrow_and_return_session_through_the_binary() {
    let input = session(&[
        r#"{"language": "en"}"#,
        &format!(r#"{{"scan": "{LI_HUA}"}}"#),
        r#"{"pin": "1234"}"#,
        r#"{"press": "borrow"}"#,
        r#"{"scan": "30234000001015"}"#,
        r#"{"tag": {"uid": "e0040150a1b2c301", "item": "30234000001023"}}"#,
        r#"{"scan": "30234000001049"}"#,
        r#"{"scan": "30234000001015"}"#,
        r#"{"press": "done"}"#,
        r#"{"press": "print_receipt"}"#,
        r#"{"wait": 6}"#,
        r#"{"scan": "30234000001015"}"#,
        r#"{"wait": 11}"#,
    ]);
    let run = kiosk(&["run", "--headless", "--clock", "virtual"], &input, &[]);
    assert!(run.success, "stderr: {}", run.stderr);
    let lines = run.lines();

    assert_eq!(
        results(&lines),
        vec![
            ("30234000001015".into(), "borrowed".into(), "".into()),
            ("30234000001023".into(), "borrowed".into(), "".into()),
            (
                "30234000001049".into(),
                "refused".into(),
                "on_hold_for_another".into()
            ),
            ("30234000001015".into(), "returned".into(), "".into()),
        ],
        "the double scan of 30234000001015 was ignored"
    );
    let security = effects(&lines, "set_security");
    assert_eq!(security.len(), 1);
    assert_eq!(security[0]["tags"][0], "E0040150A1B2C301");
    assert_eq!(security[0]["state"], "on_loan");

    let records = effects(&lines, "recorded");
    let actions: Vec<&str> = records
        .iter()
        .map(|r| r["transaction"]["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["borrow", "borrow", "return"]);

    let receipt = &effects(&lines, "print")[0]["receipt"];
    assert_eq!(receipt["patron_name"], "李华 Li Hua");
    assert_eq!(receipt["lines"].as_array().unwrap().len(), 2);

    let pages = pages(&lines);
    let expected = [
        "idle", "pin", "checking", "menu", "borrow", "receipt", "goodbye", "idle", "return", "idle",
    ];
    let mut deduped = pages.clone();
    deduped.dedup();
    assert_eq!(deduped, expected);

    let summary = effects(&lines, "show")
        .into_iter()
        .find(|s| s["screen"]["page"] == "goodbye")
        .map(|s| s["screen"]["summary"].clone())
        .unwrap();
    assert_eq!(summary["borrowed"], 2);
    assert_eq!(summary["refused"], 1);
    assert_eq!(summary["receipt"], "print");
}

#[test]
fn requests_to_the_ils_are_printed_without_the_pin() {
    let input = session(&[&format!(r#"{{"scan": "{LI_HUA}"}}"#), r#"{"pin": "1234"}"#]);
    let run = kiosk(&["run", "--headless", "--clock", "virtual"], &input, &[]);
    let lines = run.lines();
    let request = &effects(&lines, "ils")[0];
    assert_eq!(request["request"]["request"], "patron_status");
    assert_eq!(request["request"]["patron"], LI_HUA);
    assert!(!run.stdout.contains("1234"), "{}", run.stdout);
}

#[test]
fn junk_input_is_reported_and_changes_nothing() {
    let input = session(&[
        "this is not json",
        r#"{"press": "self_destruct"}"#,
        r#"{"pin": 4321}"#,
        r#"{"card_uid": "XYZ"}"#,
        r#"{"scan": "3023|AOevil"}"#,
        "# comments and blank lines are fine",
        "",
        &format!(r#"{{"scan": "{LI_HUA}"}}"#),
    ]);
    let run = kiosk(&["run", "--headless", "--clock", "virtual"], &input, &[]);
    assert!(run.success, "stderr: {}", run.stderr);
    let lines = run.lines();
    let errors = effects(&lines, "input_error");
    assert_eq!(errors.len(), 4, "{errors:?}");
    assert_eq!(errors[0]["line"], 1);
    assert!(
        errors[1]["message"]
            .as_str()
            .unwrap()
            .contains("self_destruct")
    );
    let lines_reported: Vec<u64> = errors.iter().filter_map(|e| e["line"].as_u64()).collect();
    assert_eq!(lines_reported, [1, 2, 3, 4]);
    assert!(!run.stdout.contains("4321") && !run.stderr.contains("4321"));
    let bad_barcode = effects(&lines, "show")
        .into_iter()
        .any(|s| s["screen"]["notice"]["code"] == "bad_barcode");
    assert!(bad_barcode, "the reader is told the barcode is unusable");
    assert!(effects(&lines, "ils").is_empty(), "nothing reached the ILS");
    assert_eq!(
        pages(&lines).last().map(String::as_str),
        Some("pin"),
        "the card still works"
    );
}

#[test]
fn an_absent_reader_is_warned_then_signed_out() {
    let input = session(&[
        &format!(r#"{{"scan": "{LI_HUA}"}}"#),
        r#"{"pin": "1234"}"#,
        r#"{"wait": 47}"#,
        r#"{"wait": 20}"#,
    ]);
    let run = kiosk(&["run", "--headless", "--clock", "virtual"], &input, &[]);
    let lines = run.lines();
    let countdown: Vec<u64> = effects(&lines, "show")
        .iter()
        .filter_map(|s| s["screen"]["timeout_warning"].as_u64())
        .collect();
    assert_eq!(countdown, (1..=15).rev().collect::<Vec<_>>());
    let sounds: Vec<&str> = effects(&lines, "sound")
        .iter()
        .map(|s| s["cue"].as_str().unwrap())
        .collect();
    assert_eq!(sounds, ["success", "warning"]);
    assert_eq!(pages(&lines).last().map(String::as_str), Some("idle"));
    let requests: Vec<&Value> = effects(&lines, "ils")
        .into_iter()
        .map(|r| &r["request"])
        .collect();
    // The ILS is told the session is over; the journal counts the visit (anonymously).
    let last_to_the_ils = requests.iter().rev().find(|r| r["request"] != "visit");
    assert_eq!(
        last_to_the_ils.map(|r| r["request"].clone()),
        Some("end_session".into())
    );
    let visit = requests.iter().find(|r| r["request"] == "visit").unwrap();
    assert_eq!(visit["record"]["kind"], "account", "{visit}");
}

#[test]
fn the_demo_runs_a_scripted_borrow_and_return() {
    let run = kiosk(&["demo", "--headless"], "", &[]);
    assert!(run.success, "stderr: {}", run.stderr);
    let lines = run.lines();
    let statuses: Vec<String> = results(&lines).into_iter().map(|(_, s, _)| s).collect();
    // 活着 is refused while its CD is missing, then lent (and later returned) once both parts
    // are on the pad.
    assert_eq!(
        statuses,
        [
            "borrowed", "borrowed", "refused", "borrowed", "refused", "refused", "returned",
            "returned", "refused", "returned"
        ]
    );
    assert_eq!(effects(&lines, "print").len(), 1);
    assert_eq!(pages(&lines).last().map(String::as_str), Some("idle"));

    let run = kiosk(&["demo", "--transcript"], "", &[]);
    assert!(run.success);
    assert!(run.stdout.contains("三体: ✔ borrowed"), "{}", run.stdout);
    // The screen's own words for a refusal, not a second wording of it.
    assert!(
        run.stdout
            .contains("Reserved for another reader. Please leave it with staff."),
        "{}",
        run.stdout
    );
    // What a person reads, not the program's names for pages, buttons, languages or states.
    let program_names = [
        "Idle",
        "En",
        "ZhCn",
        "OnLoan",
        "InLibrary",
        "PrintReceipt",
        "NoReceipt",
        "EmailReceipt",
        "OutOfService",
        "ReturnBin",
        "HoldShelf",
        "Menu",
        "Receipt",
    ];
    for line in run.stdout.lines() {
        let named = line
            .split(|c: char| !c.is_alphanumeric())
            .find(|word| program_names.contains(word));
        assert!(named.is_none(), "a program name in the transcript: {line}");
    }
    assert!(
        run.stdout.contains("[screen: attract screen]"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("> press Print receipt"),
        "{}",
        run.stdout
    );
}

#[test]
fn without_a_display_the_window_commands_say_what_to_do_in_one_line() {
    for args in [&["run"][..], &["demo"][..]] {
        let run = kiosk(args, "", &[]);
        assert!(!run.success, "{args:?}");
        let message: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.starts_with("error:"))
            .collect();
        assert_eq!(message.len(), 1, "{}", run.stderr);
        assert!(
            message[0].contains("no display") && message[0].contains("--headless"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn a_reader_rates_the_visit_and_the_journal_keeps_it_anonymously() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), |text| text);
    let input: Vec<String> = [
        r#"{"scan": "20234000000019"}"#,
        r#"{"pin": "1234"}"#,
        r#"{"scan": "30234000001015"}"#,
        r#"{"press": "done"}"#,
        r#"{"press": "no_receipt"}"#,
        r#"{"rate": 2}"#,
        r#"{"rate_reason": "too_slow"}"#,
        r#"{"wait": 10}"#,
    ]
    .map(str::to_owned)
    .into();
    let run = run_script(&config, &input, &[]);
    let lines = run.lines();
    let asked: Vec<&Value> = effects(&lines, "show")
        .into_iter()
        .filter(|s| s["screen"]["page"] == "goodbye")
        .map(|s| &s["screen"]["rating"])
        .collect();
    assert!(!asked.is_empty(), "the goodbye screen asks");
    assert_eq!(asked.last().unwrap()["thanked"], true, "{asked:?}");
    // What went to the journal carries no reader, card or book.
    let sent: Vec<&Value> = effects(&lines, "ils")
        .into_iter()
        .filter(|e| e["request"]["request"] == "rating")
        .collect();
    assert_eq!(sent.len(), 1);
    let text = sent[0].to_string();
    assert!(
        !text.contains("20234000000019") && !text.contains("30234000001015"),
        "{text}"
    );
    let db = rusqlite::Connection::open(dir.path().join("journal.db")).unwrap();
    let row: (String, String, i64, i64, String, Option<String>) = db
        .query_row(
            "SELECT hour, kind, borrowed, score, language, reason FROM ratings",
            [],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            },
        )
        .unwrap();
    assert_eq!(row.1, "borrow");
    assert_eq!((row.2, row.3), (1, 2));
    assert_eq!(row.4, "zh-CN");
    assert_eq!(row.5.as_deref(), Some("too_slow"));
    assert_eq!(
        row.0.len(),
        "2026-12-05 14".len(),
        "the hour, not the time: {}",
        row.0
    );
}

#[test]
fn a_library_keying_cards_on_resident_id_numbers_checks_them_before_the_ils_and_logs_none() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), |text| {
        text.replacen(
            "[barcodes.patron]\nmin_length = 14\nmax_length = 14\ncodabar_type_digit = 2\ncheck_digit = \"codabar-mod10\"",
            "[barcodes.patron]\nmin_length = 18\nmax_length = 18\ncheck_digit = \"gb11643\"",
            1,
        )
    });
    let typo = "440524188001010015";
    let good = "11010519491231002X";
    let input: Vec<String> = [
        format!(r#"{{"scan": "{typo}"}}"#),
        format!(r#"{{"scan": "{good}"}}"#),
        r#"{"pin": "1234"}"#.to_owned(),
    ]
    .into();
    let run = run_script(&config, &input, &[("RUST_LOG", "debug")]);
    let lines = run.lines();
    let asked: Vec<String> = effects(&lines, "ils")
        .into_iter()
        .map(|e| e.to_string())
        .collect();
    // The mistyped number never reaches the ILS (the reader is told it was misread); the good
    // one is asked about after the PIN.
    assert!(asked.iter().all(|a| !a.contains(typo)), "{asked:?}");
    assert!(asked.iter().any(|a| a.contains(good)), "{asked:?}");
    let codes: Vec<&Value> = effects(&lines, "show")
        .into_iter()
        .map(|s| &s["screen"]["notice"]["code"])
        .collect();
    assert!(codes.iter().any(|c| *c == "misread"), "{codes:?}");
    // Not in the log, even at debug level.
    assert!(
        !run.stderr.contains(good) && !run.stderr.contains(typo),
        "{}",
        run.stderr
    );
}

/// The progress cue: the screen that goes out with a request to the ILS already says it is
/// busy (the header's pulsing dots), before the ILS has answered — not after.
#[test]
fn the_screen_says_busy_as_soon_as_the_ils_is_asked() {
    let input = session(&[
        &format!(r#"{{"scan": "{LI_HUA}"}}"#),
        r#"{"pin": "1234"}"#,
        r#"{"press": "borrow"}"#,
        r#"{"scan": "30234000001015"}"#,
    ]);
    let run = kiosk(&["run", "--headless", "--clock", "virtual"], &input, &[]);
    assert!(run.success, "stderr: {}", run.stderr);
    let lines = run.lines();
    let checkout = lines
        .iter()
        .position(|l| l["effect"] == "ils" && l["request"]["request"] == "checkout")
        .expect("a checkout");
    let outcome = lines
        .iter()
        .position(|l| l["effect"] == "outcome" && l["outcome"]["status"] != "pending")
        .expect("an outcome");
    // The screen shown with the request (the same batch), before the ILS's answer.
    let shown = lines[checkout..outcome]
        .iter()
        .find(|l| l["effect"] == "show")
        .expect("a screen between the request and the answer");
    assert_eq!(shown["screen"]["busy"], true, "{shown}");
}
