//! The self-test at start decides what the machine can do: a failed RFID reader takes it out of
//! service with a code naming the part; a failed printer leaves a working kiosk that prints no
//! receipts and says so.

mod common;
use common::*;
use serde_json::Value;

fn run_with_fault(fault: &str, input: &[&str]) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), |text| {
        text.replace(
            "poll_ms = 250\n",
            &format!("poll_ms = 250\n\n[hardware.sim]\nfaults = {{ {fault} }}\n"),
        )
    });
    let input: Vec<String> = input.iter().map(|l| l.to_string()).collect();
    let run = run_script(&config, &input, &[]);
    run.lines()
}

/// A reader's visit: card, PIN, one book, done, and a receipt button.
fn visit(item: &'static str, receipt: &'static str) -> [&'static str; 5] {
    [
        r#"{"scan": "20234000000019"}"#,
        r#"{"pin": "1234"}"#,
        item,
        r#"{"press": "done"}"#,
        receipt,
    ]
}

fn screens(lines: &[Value]) -> Vec<&Value> {
    effects(lines, "show")
        .into_iter()
        .map(|s| &s["screen"])
        .collect()
}

#[test]
fn a_failed_rfid_reader_takes_the_machine_out_of_service_with_its_code() {
    let lines = run_with_fault(
        "item_reader = \"missing\"",
        &[
            r#"{"scan": "20234000000019"}"#,
            r#"{"pin": "1234"}"#,
            r#"{"scan": "30234000001015"}"#,
        ],
    );
    let shown = screens(&lines);
    assert!(!shown.is_empty());
    for screen in &shown {
        assert_eq!(screen["page"], "out_of_service", "{screen}");
        assert_eq!(screen["notice"]["code"], "out_of_service");
        assert_eq!(screen["notice"]["fault"], "RFID_READER");
    }
    assert!(effects(&lines, "ils").is_empty(), "nothing reaches the ILS");
    assert!(effects(&lines, "outcome").is_empty(), "no book is taken");
}

#[test]
fn a_failed_printer_leaves_a_working_kiosk_without_printed_receipts() {
    // The last press is a stale screen's Print button: nothing is printed.
    let lines = run_with_fault(
        "printer = \"paper-out\"",
        &visit(
            r#"{"scan": "30234000001015"}"#,
            r#"{"press": "print_receipt"}"#,
        ),
    );
    let shown = screens(&lines);
    assert_eq!(shown[0]["page"], "idle");
    assert_eq!(
        shown[0]["service_notices"],
        serde_json::json!(["no_printed_receipts"])
    );
    assert_eq!(
        results(&lines),
        [("30234000001015".into(), "borrowed".into(), "".into())],
        "lending works"
    );
    let receipt = receipt_pages(&shown)
        .first()
        .copied()
        .expect("the receipt choice");
    let choices = receipt_choices(receipt);
    assert!(!choices.contains(&"print"), "{choices:?}");
    assert!(choices.contains(&"none"), "{choices:?}");
    assert!(effects(&lines, "print").is_empty());
}

#[test]
fn a_healthy_machine_serves_with_every_receipt() {
    let lines = run_with_fault("", &[r#"{"scan": "20234000000019"}"#, r#"{"pin": "1234"}"#]);
    let shown = screens(&lines);
    assert_eq!(shown[0]["page"], "idle");
    assert!(shown[0].get("service_notices").is_none());
    assert!(shown.iter().any(|s| s["page"] == "menu"));
}

#[test]
fn an_unreachable_ils_without_offline_service_shows_out_of_service_ils_and_with_it_serves() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config_with = |mode: &str| {
        config_in(dir.path(), |text| {
            text.replace(
                "kind = \"sim\"",
                &format!("kind = \"sip2\"\n\n[ils.sip2]\nhost = \"127.0.0.1\"\nport = {port}\ninstitution = \"SIM\"\nconnect_timeout_secs = 1\n"),
            )
            .replace("mode = \"full\"", &format!("mode = \"{mode}\""))
        })
    };
    let input = vec![r#"{"scan": "20234000000019"}"#.to_owned()];
    let lines = run_script(&config_with("disabled"), &input, &[]).lines();
    let last = screens(&lines).last().copied().unwrap().clone();
    assert_eq!(last["page"], "out_of_service", "{last}");
    assert_eq!(last["notice"]["fault"], "ILS");
    assert!(effects(&lines, "ils").is_empty(), "the card was not taken");
    // The same machine with offline service lends on: the card goes on to the PIN.
    let lines = run_script(&config_with("full"), &input, &[]).lines();
    assert!(screens(&lines).iter().any(|s| s["page"] == "pin"));
    assert!(
        screens(&lines)
            .iter()
            .all(|s| s["page"] != "out_of_service")
    );
}

/// The receipt-choice pages shown, one per visit, in order.
fn receipt_pages<'a>(shown: &[&'a Value]) -> Vec<&'a Value> {
    shown
        .iter()
        .copied()
        .filter(|s| s["page"] == "receipt")
        .collect()
}

fn receipt_choices(screen: &Value) -> Vec<&str> {
    screen["receipt_choices"]
        .as_array()
        .map(|c| c.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

#[test]
fn paper_loaded_while_the_kiosk_runs_brings_printed_receipts_back() {
    let mut input = vec![
        // Staff load paper; the kiosk looks at the printer every 30 s from its start.
        r#"{"printer": "ready"}"#,
        r#"{"wait": 20}"#,
    ];
    input.extend(visit(
        r#"{"scan": "30234000001015"}"#,
        r#"{"press": "no_receipt"}"#,
    ));
    input.push(r#"{"wait": 11}"#);
    input.extend(visit(
        r#"{"scan": "30234000001023"}"#,
        r#"{"press": "print_receipt"}"#,
    ));
    let lines = run_with_fault("printer = \"paper-out\"", &input);
    let shown = screens(&lines);
    assert_eq!(
        shown[0]["service_notices"],
        serde_json::json!(["no_printed_receipts"])
    );
    let receipts = receipt_pages(&shown);
    assert_eq!(receipts.len(), 2, "two visits");
    assert!(
        !receipt_choices(receipts[0]).contains(&"print"),
        "not before the kiosk's next look: {}",
        receipts[0]
    );
    assert!(
        receipt_choices(receipts[1]).contains(&"print"),
        "{}",
        receipts[1]
    );
    assert!(receipts[1].get("service_notices").is_none());
    assert_eq!(effects(&lines, "print").len(), 1, "the receipt is printed");
}

#[test]
fn paper_running_out_during_a_visit_is_told_and_the_loan_stands() {
    // The roll ends before the kiosk's next look at the printer.
    let mut input = visit(
        r#"{"scan": "30234000001015"}"#,
        r#"{"printer": "paper_out"}"#,
    )
    .to_vec();
    input.push(r#"{"press": "print_receipt"}"#);
    let lines = run_with_fault("", &input);
    let shown = screens(&lines);
    let receipt = receipt_pages(&shown)[0];
    assert!(receipt_choices(receipt).contains(&"print"));
    let told = shown
        .iter()
        .find(|s| s["notice"]["code"] == "receipt_not_printed")
        .expect("the reader is told");
    assert_eq!(told["page"], "goodbye", "{told}");
    assert_eq!(told["summary"]["borrowed"], 1);
    assert_eq!(
        told["service_notices"],
        serde_json::json!(["no_printed_receipts"])
    );
    assert_eq!(
        results(&lines),
        [("30234000001015".into(), "borrowed".into(), "".into())],
        "the loan stands"
    );
}

#[test]
fn a_printer_plugged_in_while_the_kiosk_runs_is_used_without_a_restart() {
    let mut input = vec![r#"{"printer": "ready"}"#, r#"{"wait": 31}"#];
    input.extend(visit(
        r#"{"scan": "30234000001015"}"#,
        r#"{"press": "print_receipt"}"#,
    ));
    let lines = run_with_fault("printer = \"missing\"", &input);
    let shown = screens(&lines);
    assert_eq!(
        shown[0]["service_notices"],
        serde_json::json!(["no_printed_receipts"])
    );
    let receipt = receipt_pages(&shown)[0];
    assert!(receipt_choices(receipt).contains(&"print"), "{receipt}");
    assert_eq!(effects(&lines, "print").len(), 1);
}

#[test]
fn a_printer_unplugged_and_plugged_back_while_the_kiosk_runs_prints_again() {
    let mut input = vec![r#"{"printer": "unplugged"}"#, r#"{"wait": 31}"#];
    input.extend(visit(
        r#"{"scan": "30234000001015"}"#,
        r#"{"press": "no_receipt"}"#,
    ));
    // Plugged back in: a new port, found at the next look.
    input.extend([r#"{"printer": "ready"}"#, r#"{"wait": 31}"#]);
    input.extend(visit(
        r#"{"scan": "30234000001023"}"#,
        r#"{"press": "print_receipt"}"#,
    ));
    let lines = run_with_fault("", &input);
    let shown = screens(&lines);
    let receipts = receipt_pages(&shown);
    assert_eq!(receipts.len(), 2, "two visits");
    assert!(
        !receipt_choices(receipts[0]).contains(&"print"),
        "unplugged: {}",
        receipts[0]
    );
    assert_eq!(
        receipts[0]["service_notices"],
        serde_json::json!(["no_printed_receipts"])
    );
    assert!(
        receipt_choices(receipts[1]).contains(&"print"),
        "plugged back: {}",
        receipts[1]
    );
    assert!(
        !shown
            .iter()
            .any(|s| s["notice"]["code"] == "receipt_not_printed"),
        "the receipt printed"
    );
    assert_eq!(effects(&lines, "print").len(), 1);
}

#[test]
fn a_return_slot_that_answers_takes_the_returned_books_and_a_missing_one_is_not_used() {
    // A book on loan brought back without a card; the returns page ends by itself.
    let input = [r#"{"scan": "30234000001098"}"#, r#"{"wait": 11}"#];
    let lines = run_with_fault("", &input);
    let slot: Vec<&Value> = effects(&lines, "return_slot")
        .into_iter()
        .map(|e| &e["unlock"])
        .collect();
    assert_eq!(slot, [true, false], "unlocked for the book, then locked");
    assert_eq!(screens(&lines)[0]["returns_to_slot"], true);
    assert_eq!(
        results(&lines),
        [("30234000001098".into(), "returned".into(), "".into())]
    );

    let lines = run_with_fault("return_slot = \"missing\"", &input);
    assert!(effects(&lines, "return_slot").is_empty());
    assert!(screens(&lines)[0].get("returns_to_slot").is_none());
    assert_eq!(
        results(&lines),
        [("30234000001098".into(), "returned".into(), "".into())],
        "returns go on without it"
    );
}

#[test]
fn an_item_reader_that_stops_answering_while_running_stops_the_machine_until_it_answers() {
    let input = [
        r#"{"fault": {"item_reader": "timeout"}}"#,
        r#"{"wait": 3}"#,
        r#"{"wait": 3}"#,
        // A reader arrives: nobody is served.
        r#"{"scan": "20234000000019"}"#,
        // The reader answers again.
        r#"{"fault": {"item_reader": null}}"#,
        r#"{"wait": 1}"#,
        r#"{"scan": "20234000000019"}"#,
    ];
    let lines = run_with_fault("", &input);
    let pages: Vec<&str> = screens(&lines)
        .iter()
        .map(|s| s["page"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(
        pages,
        ["idle", "out_of_service", "idle", "pin"],
        "{lines:#?}"
    );
    let stopped = screens(&lines)[1];
    assert_eq!(stopped["notice"]["fault"], "RFID_READER");
    assert!(effects(&lines, "input_error").is_empty());
}

#[test]
fn without_the_card_reader_the_kiosk_asks_for_the_cards_barcode_and_serves() {
    let at_start = run_with_fault(
        "card_reader = \"timeout\"",
        &[r#"{"scan": "20234000000019"}"#],
    );
    let shown = screens(&at_start);
    assert_eq!(shown[0]["page"], "idle");
    assert_eq!(
        shown[0]["service_notices"],
        serde_json::json!(["no_card_reader"])
    );
    assert_eq!(shown[1]["page"], "pin", "the barcode still signs in");

    let while_running = run_with_fault(
        "",
        &[
            r#"{"fault": {"card_reader": "timeout"}}"#,
            r#"{"wait": 6}"#,
            r#"{"fault": {"card_reader": null}}"#,
        ],
    );
    let notices: Vec<&Value> = screens(&while_running)
        .iter()
        .map(|s| &s["service_notices"])
        .collect();
    assert_eq!(
        notices,
        [
            &Value::Null,
            &serde_json::json!(["no_card_reader"]),
            &Value::Null
        ],
        "told while it is down, gone when it answers"
    );
}

#[test]
fn readers_that_failed_at_start_are_used_once_they_work() {
    let lines = run_with_fault(
        "item_reader = \"timeout\", card_reader = \"timeout\"",
        &[
            r#"{"scan": "20234000000019"}"#,
            // The technician reseats the cables.
            r#"{"fault": {"item_reader": null, "card_reader": null}}"#,
            r#"{"wait": 6}"#,
            r#"{"scan": "20234000000019"}"#,
        ],
    );
    let shown = screens(&lines);
    assert_eq!(shown[0]["page"], "out_of_service");
    assert_eq!(shown[0]["notice"]["fault"], "RFID_READER");
    let last = shown.last().unwrap();
    assert_eq!(last["page"], "pin", "{lines:#?}");
    assert!(last.get("service_notices").is_none(), "{last}");
}

#[test]
fn a_scanner_unplugged_while_running_is_told_and_used_again_once_plugged_back() {
    let lines = run_with_fault(
        "",
        &[
            r#"{"fault": {"scanner": "missing"}}"#,
            r#"{"wait": 1}"#,
            r#"{"fault": {"scanner": null}}"#,
            r#"{"wait": 6}"#,
            r#"{"wait": 1}"#,
            r#"{"scan": "20234000000019"}"#,
        ],
    );
    let shown = screens(&lines);
    assert_eq!(
        shown[1]["service_notices"],
        serde_json::json!(["no_scanner"]),
        "{lines:#?}"
    );
    let last = shown.last().unwrap();
    assert_eq!(last["page"], "pin", "{lines:#?}");
    assert!(last.get("service_notices").is_none(), "{last}");
}

#[test]
fn readers_that_did_not_open_at_start_are_used_once_connected_without_a_restart() {
    // The RFID item reader is not connected at start: out of service. Connected, it is opened
    // at the next look (every 5 s), checked, and the machine serves: a tagged book is read
    // from the pad through it and lent.
    let input = [
        r#"{"scan": "20234000000019"}"#,
        r#"{"fault": {"item_reader": null}}"#,
        r#"{"wait": 6}"#,
        r#"{"scan": "20234000000019"}"#,
        r#"{"pin": "1234"}"#,
        r#"{"press": "borrow"}"#,
        r#"{"tag": {"uid": "E004015000000001", "item": "30234000001114"}}"#,
    ];
    let lines = run_with_fault("item_reader = \"missing\"", &input);
    let pages: Vec<&str> = screens(&lines)
        .iter()
        .map(|s| s["page"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(pages.first(), Some(&"out_of_service"), "{pages:?}");
    assert!(
        pages[1..].starts_with(&["idle", "pin", "checking", "menu", "borrow"]),
        "{pages:?}"
    );
    assert_eq!(
        results(&lines),
        [("30234000001114".into(), "borrowed".into(), "".into())]
    );

    // The card reader likewise: the notice that cards must be scanned goes once it is there.
    let lines = run_with_fault(
        "card_reader = \"missing\"",
        &[r#"{"fault": {"card_reader": null}}"#, r#"{"wait": 6}"#],
    );
    let shown = screens(&lines);
    assert_eq!(
        shown[0]["service_notices"],
        serde_json::json!(["no_card_reader"])
    );
    let last = shown.last().unwrap();
    assert!(last.get("service_notices").is_none(), "{last}");
}
