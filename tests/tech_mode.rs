//! The technician mode through the headless protocol (`{"tech": …}`), as the touchscreen
//! drives it: the gesture, the staff PIN checked against its argon2 hash, the lock after five
//! wrong PINs (virtual time), the pages, device tests, the monitor that keeps test scans away
//! from the session, and the audit log.

mod common;
use argon2::PasswordHasher;
use common::*;
use serde_json::Value;

const STAFF_PIN: &str = "2468";

fn staff_pin_hash() -> String {
    let salt = argon2::password_hash::SaltString::from_b64("dGVzdC1zYWx0LXRlc3Q").unwrap();
    argon2::Argon2::default()
        .hash_password(STAFF_PIN.as_bytes(), &salt)
        .unwrap()
        .to_string()
}

fn tech_views(lines: &[Value]) -> Vec<&Value> {
    effects(lines, "tech")
        .into_iter()
        .map(|l| &l["tech"])
        .collect()
}

#[test]
fn wrong_pins_lock_the_mode_and_the_right_one_after_the_lock_opens_the_devices() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), |t| t);
    let mut input = vec![r#"{"tech": "corner_held"}"#.to_owned()];
    input.extend((0..5).map(|_| r#"{"tech": {"pin": "1111"}}"#.to_owned()));
    input.push(format!(r#"{{"tech": {{"pin": "{STAFF_PIN}"}}}}"#));
    input.push(r#"{"wait": 301}"#.to_owned());
    input.push(format!(r#"{{"tech": {{"pin": "{STAFF_PIN}"}}}}"#));
    input.push(r#"{"scan": "30234000001015"}"#.to_owned());
    input.push(r#"{"tech": {"test": "indicators"}}"#.to_owned());
    input.push(r#"{"tech": "test_ils"}"#.to_owned());
    input.push(r#"{"tech": {"open": "queue"}}"#.to_owned());
    input.push(r#"{"tech": "exit"}"#.to_owned());
    input.push(r#"{"scan": "20234000000019"}"#.to_owned());
    let hash = staff_pin_hash();
    let run = run_script(&config, &input, &[("KIOSK_STAFF_PIN_HASH", hash.as_str())]);
    let lines = run.lines();
    let views = tech_views(&lines);
    assert_eq!(views[0]["page"], "pin");
    let problems: Vec<&Value> = views[1..6].iter().map(|v| &v["problem"]).collect();
    assert_eq!(problems[0]["code"], "wrong");
    assert_eq!(problems[0]["tries_left"], 4);
    assert_eq!(problems[4]["code"], "locked");
    assert_eq!(problems[4]["minutes_left"], 5);
    // The right PIN during the lock is not even checked.
    assert_eq!(views[6]["page"], "pin");
    assert_eq!(views[6]["problem"]["code"], "locked");
    // After the lock (virtual time), the right PIN opens the device page.
    assert_eq!(views[7]["page"], "devices");
    let devices = views[7]["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 6, "{devices:?}");
    assert!(devices.iter().all(|d| d["status"] == "ok"));
    // A scan while the technician's screen is up goes to the monitor, not to a loan.
    assert!(
        views[8]["monitor"][0]
            .as_str()
            .unwrap()
            .contains("30234000001015")
    );
    // The indicator test was run from the screen.
    let indicators = views[9]["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "indicators")
        .unwrap();
    assert!(
        indicators["message"].as_str().unwrap().contains("one beep"),
        "{indicators}"
    );
    let ils = views
        .iter()
        .rev()
        .find(|v| !v["ils"].as_array().unwrap().is_empty())
        .unwrap();
    assert!(
        ils["ils"][0]
            .as_str()
            .unwrap()
            .contains("simulated library"),
        "{ils}"
    );
    let queue = views.iter().rev().find(|v| v["page"] == "queue").unwrap();
    assert!(
        queue["queue"][0]
            .as_str()
            .unwrap()
            .starts_with("waiting for the ILS: 0"),
        "{queue}"
    );
    assert_eq!(views.last().unwrap()["page"], Value::Null, "exit");
    // Only the card scanned after leaving reached the session.
    let requests: Vec<&Value> = effects(&lines, "ils");
    assert!(
        requests
            .iter()
            .all(|r| r["request"]["request"] != "checkout")
    );
    assert!(
        lines.iter().any(|l| l["screen"]["page"] == "pin"),
        "the reader's PIN prompt after the card"
    );
    assert!(
        !run.stdout.contains(STAFF_PIN) && !run.stderr.contains(STAFF_PIN),
        "the staff PIN is never printed"
    );
    // Every step is in the audit log beside the journal.
    let audit = std::fs::read_to_string(dir.path().join("staff-audit.jsonl")).unwrap();
    let actions: Vec<String> = audit
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["action"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    for wanted in [
        "technician mode asked for",
        "wrong staff PIN",
        "locked for 5 minutes",
        "signed in with the staff PIN",
        "tested the indicators",
        "tested the ILS link",
        "left technician mode",
    ] {
        assert!(
            actions.iter().any(|a| a.contains(wanted)),
            "{wanted} in {actions:#?}"
        );
    }
}

#[test]
fn without_a_staff_pin_the_mode_cannot_be_entered() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), |t| t);
    let run = kiosk(
        &["run", "--headless", "--config", config.to_str().unwrap()],
        &[
            r#"{"tech": "corner_held"}"#,
            r#"{"tech": {"pin": "2468"}}"#,
            r#"{"tech": {"open": "devices"}}"#,
        ]
        .join("\n"),
        &[],
    );
    assert!(run.success, "{}", run.stderr);
    let lines = run.lines();
    let views = tech_views(&lines);
    assert!(views.iter().all(|v| v["page"] == "pin"), "{views:?}");
    assert_eq!(views[0]["problem"]["code"], "not_configured");
}

#[test]
fn the_tag_inspector_decodes_the_pad_and_sets_a_tag_s_security() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), |t| t);
    let hash = staff_pin_hash();
    let input = [
        r#"{"tech": "corner_held"}"#.to_owned(),
        format!(r#"{{"tech": {{"pin": "{STAFF_PIN}"}}}}"#),
        r#"{"tag": {"uid": "E004015000001015", "item": "30234000001015"}}"#.to_owned(),
        r#"{"tech": {"open": "tags"}}"#.to_owned(),
        r#"{"tech": {"secure": {"uid": "E004015000001015", "on_loan": true}}}"#.to_owned(),
        r#"{"tech": "exit"}"#.to_owned(),
    ];
    let run = run_script(&config, &input, &[("KIOSK_STAFF_PIN_HASH", hash.as_str())]);
    let lines = run.lines();
    let views = tech_views(&lines);
    let monitor = views
        .iter()
        .rev()
        .find_map(|v| v["monitor"].as_array().filter(|m| !m.is_empty()))
        .unwrap();
    assert!(
        monitor[0].as_str().unwrap().contains("item 30234000001015"),
        "{monitor:?}"
    );
    // The tag's own bytes, as read: ISO 28560-3 starts with version and type of usage (0x11),
    // the number of parts and the part (01 01), then the item id in ASCII ("3023" = 33 30 32 33).
    let tag = monitor[1].as_str().unwrap();
    assert!(
        tag.contains("tag E004015000001015: AFI 0x07, 32 bytes 11 01 01 33 30 32 33"),
        "{tag}"
    );
    let tags = views.iter().find(|v| v["page"] == "tags").unwrap();
    let text = tags["tags"][0]["text"].as_str().unwrap();
    assert!(
        text.contains("item 30234000001015") && text.contains("in the library"),
        "{text}"
    );
    let after = views.iter().rev().find(|v| v["page"] == "tags").unwrap();
    let text = after["tags"][0]["text"].as_str().unwrap();
    assert!(text.contains("on loan"), "{text}");
    assert!(
        results(&lines).is_empty(),
        "the tag laid during the inspection lent nothing"
    );
    let audit = std::fs::read_to_string(dir.path().join("staff-audit.jsonl")).unwrap();
    assert!(
        audit.contains("set tag E004015000001015 to on loan: done"),
        "{audit}"
    );
}

#[test]
fn kiosk_config_hash_pin_makes_a_hash_the_kiosk_accepts() {
    let made = kiosk(&["config", "hash-pin"], "1357\n", &[]);
    assert!(made.success, "{}", made.stderr);
    let hash = made
        .stdout
        .trim()
        .strip_prefix("staff_pin_hash = \"")
        .and_then(|h| h.strip_suffix('"'))
        .expect("a line for the secrets file")
        .to_owned();
    assert!(!made.stdout.contains("1357"));
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), |t| t);
    let run = kiosk(
        &["run", "--headless", "--config", config.to_str().unwrap()],
        &[r#"{"tech": "corner_held"}"#, r#"{"tech": {"pin": "1357"}}"#].join("\n"),
        &[("KIOSK_STAFF_PIN_HASH", hash.as_str())],
    );
    assert!(run.success, "{}", run.stderr);
    let lines = run.lines();
    assert_eq!(tech_views(&lines).last().unwrap()["page"], "devices");
    let short = kiosk(&["config", "hash-pin"], "12\n", &[]);
    assert!(!short.success && short.stderr.contains("4 or more digits"));
}

#[test]
fn the_technician_turns_the_voice_down_off_and_on_and_the_audit_log_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), |t| t);
    let input = [
        r#"{"tech": {"voice": "louder"}}"#.to_owned(),
        r#"{"tech": "corner_held"}"#.to_owned(),
        format!(r#"{{"tech": {{"pin": "{STAFF_PIN}"}}}}"#),
        r#"{"tech": {"voice": "softer"}}"#.to_owned(),
        r#"{"tech": {"voice": "softer"}}"#.to_owned(),
        r#"{"tech": {"voice": "off"}}"#.to_owned(),
        r#"{"tech": {"voice": "on"}}"#.to_owned(),
        r#"{"tech": {"voice": "test"}}"#.to_owned(),
    ];
    let hash = staff_pin_hash();
    let run = run_script(&config, &input, &[("KIOSK_STAFF_PIN_HASH", hash.as_str())]);
    let lines = run.lines();
    let voice: Vec<&str> = tech_views(&lines)
        .iter()
        .filter_map(|v| v["voice"].as_str())
        .collect();
    // Before the staff PIN nothing changes; then 70 % → 60 % → 50 %, off, on.
    assert!(voice.iter().all(|v| !v.contains("80%")), "{voice:?}");
    let last = |prefix: &str| voice.iter().any(|v| v.starts_with(prefix));
    assert!(last("on, volume 60%"), "{voice:?}");
    assert!(last("off, volume 50%"), "{voice:?}");
    assert_eq!(
        voice.last().copied().unwrap_or(""),
        "on, volume 50%, quiet hours none, output none"
    );
    let audit = std::fs::read_to_string(dir.path().join("staff-audit.jsonl")).unwrap();
    assert!(
        audit.contains("voice: softer") && audit.contains("voice: turned off"),
        "{audit}"
    );
}

#[test]
fn the_statistics_page_behind_the_staff_pin_counts_what_readers_did_today() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), |t| t);
    let input: Vec<String> = [
        r#"{"scan": "20234000000019"}"#,
        r#"{"pin": "1234"}"#,
        r#"{"press": "borrow"}"#,
        r#"{"scan": "30234000001015"}"#,
        r#"{"scan": "30234000001049"}"#,
        r#"{"press": "done"}"#,
        r#"{"press": "no_receipt"}"#,
        r#"{"wait": 20}"#,
        r#"{"tech": "corner_held"}"#,
        // Not without the PIN.
        r#"{"tech": {"open": "statistics"}}"#,
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .chain([
        format!(r#"{{"tech": {{"pin": "{STAFF_PIN}"}}}}"#),
        r#"{"tech": {"open": "statistics"}}"#.to_owned(),
        r#"{"wait": 1}"#.to_owned(),
    ])
    .collect();
    let hash = staff_pin_hash();
    let run = run_script(&config, &input, &[("KIOSK_STAFF_PIN_HASH", hash.as_str())]);
    let lines = run.lines();
    let views = tech_views(&lines);
    assert_eq!(views[1]["page"], "pin", "no statistics without the PIN");
    assert!(views[1].get("statistics").is_none());
    let page = views
        .iter()
        .rev()
        .find(|v| v["page"] == "statistics" && v.get("statistics").is_some())
        .unwrap_or_else(|| panic!("no statistics page in {views:#?}"));
    let stats = &page["statistics"];
    for period in ["today", "last_7_days", "last_30_days"] {
        assert_eq!(stats[period]["borrowed"], 1, "{period}: {stats}");
        assert_eq!(stats[period]["refused"], 1, "{period}: {stats}");
    }
    assert_eq!(
        stats["refusals"],
        serde_json::json!([["on_hold_for_another", 1]])
    );
    let hours: Vec<i64> = stats["hours"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_i64().unwrap())
        .collect();
    assert_eq!((hours.len(), hours.iter().sum::<i64>()), (24, 1));
}
