//! Staff tools through the binary, on a journal filled by readers while the ILS was down.

mod common;
use common::*;
use serde_json::Value;
use std::path::Path;

fn queue(config: &Path, args: &[&str]) -> Run {
    let mut all = vec!["queue", "--config", config.to_str().unwrap()];
    all.extend_from_slice(args);
    kiosk(&all, "", &[])
}

fn run_offline(config: &Path, input: &str) -> Vec<Value> {
    let run = kiosk(
        &[
            "run",
            "--headless",
            "--clock",
            "virtual",
            "--config",
            config.to_str().unwrap(),
        ],
        input,
        &[],
    );
    assert!(run.success, "{}", run.stderr);
    run.lines()
}

const BORROW_AND_RETURN: &str = r#"{"scan": "20234000000019"}
{"pin": "1234"}
{"scan": "30234000001015"}
{"press": "done"}
{"press": "print_receipt"}
{"scan": "30234000001031"}
"#;

#[test]
fn offline_transactions_export_as_koha_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    let config = offline_config_in(dir.path());
    let lines = run_offline(&config, BORROW_AND_RETURN);
    assert!(
        effects(&lines, "show")
            .iter()
            .any(|s| s["screen"]["offline"] == true)
    );
    assert_eq!(
        results(&lines),
        [
            ("30234000001015".into(), "borrowed".into(), "".into()),
            ("30234000001031".into(), "returned".into(), "".into()),
        ]
    );
    let receipt = &effects(&lines, "print")[0]["receipt"];
    assert_eq!(
        receipt["offline"], true,
        "the receipt says due dates are estimates"
    );

    let listed: Value = serde_json::from_str(&queue(&config, &["list", "--json"]).stdout).unwrap();
    let rows = listed.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter()
            .all(|r| r["state"] == "pending" && r["origin"] == "offline")
    );
    let (issue_time, return_time) = (
        rows[0]["local_time"].as_str().unwrap(),
        rows[1]["local_time"].as_str().unwrap(),
    );

    let koc = queue(&config, &["export", "--format", "koc"]);
    assert!(koc.success, "{}", koc.stderr);
    let expected = format!(
        "Version=1.0\tGenerator=kiosk\tGeneratorVersion={}\n\
         {issue_time}\tissue\t20234000000019\t30234000001015\n\
         {return_time}\treturn\t30234000001031\n",
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(koc.stdout, expected);
    // Local time, "YYYY-MM-DD HH:MM:SS", as Koha splits it.
    assert_eq!(issue_time.len(), 19);
    assert_eq!(&issue_time[4..5], "-");
    assert_eq!(&issue_time[10..11], " ");

    let out = dir.path().join("offline.jsonl");
    assert!(
        queue(
            &config,
            &["export", "--format", "jsonl", "-o", out.to_str().unwrap()]
        )
        .success
    );
    let jsonl = std::fs::read_to_string(&out).unwrap();
    let first: Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert_eq!(
        (first["kind"].as_str(), first["patron"].as_str()),
        (Some("checkout"), Some("20234000000019"))
    );

    let csv = queue(&config, &["export", "--format", "csv"]);
    let csv_lines: Vec<&str> = csv.stdout.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(csv_lines.len(), 3);
    assert!(csv_lines[0].starts_with("id,kind,origin,state,patron,item,local_time"));
    assert!(
        csv_lines[2].contains(",checkin,offline,pending,,30234000001031,"),
        "{}",
        csv_lines[2]
    );

    let since = queue(
        &config,
        &["export", "--format", "jsonl", "--since", "2999-01-01"],
    );
    assert_eq!(since.stdout, "", "nothing after the given time");
}

#[test]
fn status_retry_and_discard_for_staff() {
    let dir = tempfile::tempdir().unwrap();
    let config = offline_config_in(dir.path());
    run_offline(&config, BORROW_AND_RETURN);
    let status: Value =
        serde_json::from_str(&queue(&config, &["status", "--json"]).stdout).unwrap();
    assert_eq!(status["counts"]["pending"], 2);
    assert_eq!(status["link"]["online"], false);
    assert!(
        status["oldest_waiting"]["id"]
            .as_str()
            .unwrap()
            .starts_with("kiosk-01-")
    );
    let human = queue(&config, &["status"]).stdout;
    assert!(human.contains("OFFLINE"), "{human}");

    // Pending transactions cannot be retried (they are on their way), only discarded with a reason.
    let retry = queue(&config, &["retry", "kiosk-01-1"]);
    assert!(!retry.success);
    assert!(
        retry.stderr.contains("only refused, review and unknown"),
        "{}",
        retry.stderr
    );
    let discard = queue(&config, &["discard", "kiosk-01-2", "--reason", ""]);
    assert!(
        !discard.success && discard.stderr.contains("--reason"),
        "{}",
        discard.stderr
    );
    assert!(
        queue(
            &config,
            &["discard", "kiosk-01-2", "--reason", "returned at the desk"]
        )
        .success
    );
    let listed: Value =
        serde_json::from_str(&queue(&config, &["list", "--state", "discarded", "--json"]).stdout)
            .unwrap();
    assert_eq!(listed[0]["discard_reason"], "returned at the desk");
    let missing = queue(&config, &["retry", "kiosk-01-99"]);
    assert!(!missing.success && missing.stderr.contains("no transaction kiosk-01-99"));
    let bad_state = queue(&config, &["list", "--state", "lost"]);
    assert!(
        !bad_state.success && bad_state.stderr.contains("pending, sending"),
        "{}",
        bad_state.stderr
    );
}

#[test]
fn an_imported_blocked_list_refuses_cards_offline() {
    let dir = tempfile::tempdir().unwrap();
    let config = offline_config_in(dir.path());
    let list = dir.path().join("blocked.txt");
    std::fs::write(
        &list,
        "# from Evergreen\n20234000000019 L\n20234000000050 E\n",
    )
    .unwrap();
    let import = queue(&config, &["blocked-import", list.to_str().unwrap()]);
    assert!(import.success, "{}", import.stderr);
    assert!(import.stdout.contains("2 blocked card(s)"));
    let lines = run_offline(
        &config,
        "{\"scan\": \"20234000000019\"}\n{\"pin\": \"1234\"}\n",
    );
    let refused = effects(&lines, "show").into_iter().any(|s| {
        s["screen"]["notice"]["code"] == "patron_blocked"
            && s["screen"]["notice"]["block"] == "card_reported_lost"
    });
    assert!(refused, "a lost card is refused offline");
    std::fs::write(&list, "20234000000019 X\n").unwrap();
    let bad = queue(&config, &["blocked-import", list.to_str().unwrap()]);
    assert!(
        !bad.success && bad.stderr.contains("line 1: unknown tag \"X\""),
        "{}",
        bad.stderr
    );
}

#[test]
fn replaying_by_hand_needs_the_ils_and_the_kiosk_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let config = offline_config_in(dir.path());
    run_offline(&config, BORROW_AND_RETURN);
    let dry = queue(&config, &["replay", "--dry-run"]);
    assert!(dry.success);
    assert!(dry.stdout.contains("30234000001015") && dry.stdout.contains("30234000001031"));
    let replay = queue(&config, &["replay"]);
    assert!(!replay.success, "the ILS is down");
    assert!(replay.stderr.contains("not answering"), "{}", replay.stderr);
    let status: Value =
        serde_json::from_str(&queue(&config, &["status", "--json"]).stdout).unwrap();
    assert_eq!(
        status["counts"]["pending"], 2,
        "nothing lost by a failed replay"
    );
}
