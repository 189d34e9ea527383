//! The RFID pad end to end: the `kiosk` binary with the simulated machine, a stack of tagged
//! books laid on the pad at once, security written and verified, and a loan undone on the
//! simulated ILS when the tag's AFI cannot be written.

mod common;
use common::*;
use serde_json::Value;

const LI_HUA: &str = "20234000000019";
const PINGFAN: &str = "30234000001114"; // 平凡的世界: one tag, all well
const XIAOWANGZI: &str = "30234000001122"; // 小王子: book + CD, only the book on the pad
const HARRY: &str = "30234000001130"; // 哈利·波特: its AFI is locked

fn run(lines: &[String]) -> Vec<Value> {
    let input = lines.join("\n") + "\n";
    let run = kiosk(&["run", "--headless", "--clock", "virtual"], &input, &[]);
    assert!(run.success, "stderr: {}", run.stderr);
    run.lines()
}

fn borrow_stack() -> Vec<String> {
    vec![
        r#"{"language": "en"}"#.into(),
        format!(r#"{{"scan": "{LI_HUA}"}}"#),
        r#"{"pin": "1234"}"#.into(),
        r#"{"press": "borrow"}"#.into(),
        format!(
            r#"{{"place": [
                {{"uid": "E004015000000001", "item": "{PINGFAN}"}},
                {{"uid": "E004015000000002", "item": "{XIAOWANGZI}", "parts": 2, "part": 1}},
                {{"uid": "E004015000000003", "item": "{HARRY}", "fault": "afi_locked"}}
            ]}}"#
        )
        .replace('\n', " "),
    ]
}

fn loans_on_account(lines: &[Value]) -> Vec<String> {
    let account = effects(lines, "show")
        .into_iter()
        .rev()
        .find_map(|s| s["screen"]["account"].as_object().cloned())
        .expect("the account page was shown");
    account["loans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["item"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_stack_with_a_missing_part_and_a_locked_tag() {
    let mut script = borrow_stack();
    script.extend([
        r#"{"press": "back"}"#.to_owned(),
        r#"{"press": "account"}"#.to_owned(),
    ]);
    let lines = run(&script);

    // Each book of the stack has its own outcome. The locked one was lent by the ILS, but the
    // reader is told only once the tag is released: for it, never "borrowed", only "see staff".
    assert_eq!(
        results(&lines),
        [
            (PINGFAN.into(), "borrowed".into(), "".into()),
            (XIAOWANGZI.into(), "refused".into(), "missing_parts".into()),
            (HARRY.into(), "refused".into(), "security_failed".into()),
        ]
    );
    let missing = effects(&lines, "outcome")
        .into_iter()
        .find(|o| o["outcome"]["item"] == XIAOWANGZI)
        .unwrap();
    assert_eq!(missing["outcome"]["reason"]["parts"], 2);
    assert_eq!(missing["outcome"]["reason"]["present"], 1);

    // The security writes, as asked and as done.
    let asked: Vec<(&str, &str)> = effects(&lines, "set_security")
        .iter()
        .map(|e| (e["tags"][0].as_str().unwrap(), e["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        asked,
        [
            ("E004015000000001", "on_loan"),
            ("E004015000000003", "on_loan"),
            ("E004015000000003", "in_library"),
        ]
    );
    let done: Vec<(&str, bool)> = effects(&lines, "security_done")
        .iter()
        .map(|e| (e["item"].as_str().unwrap(), e["ok"].as_bool().unwrap()))
        .collect();
    assert_eq!(done, [(PINGFAN, true), (HARRY, false), (HARRY, false)]);
    let error = effects(&lines, "security_done")[1]["error"]
        .as_str()
        .unwrap();
    assert!(
        error.contains("E004015000000003") && error.contains("locked"),
        "{error}"
    );

    // The ILS was asked to check the locked book back in; the journal records both.
    let requests: Vec<(&str, &str)> = effects(&lines, "ils")
        .iter()
        .filter_map(|e| {
            let request = &e["request"];
            Some((request["request"].as_str()?, request["item"].as_str()?))
        })
        .collect();
    assert!(requests.contains(&("checkin", HARRY)), "{requests:?}");
    let records: Vec<(&str, &str)> = effects(&lines, "recorded")
        .iter()
        .map(|r| {
            let t = &r["transaction"];
            (t["action"].as_str().unwrap(), t["item"].as_str().unwrap())
        })
        .collect();
    assert_eq!(
        records,
        [("borrow", PINGFAN), ("borrow", HARRY), ("return", HARRY)]
    );

    // The simulated ILS agrees: the reader has 平凡的世界, not 哈利·波特.
    let loans = loans_on_account(&lines);
    assert!(loans.contains(&PINGFAN.to_owned()), "{loans:?}");
    assert!(!loans.contains(&HARRY.to_owned()), "{loans:?}");
}

#[test]
fn the_missing_part_arrives_and_the_set_is_lent_with_both_tags_released() {
    let mut script = borrow_stack();
    script.push(format!(
        r#"{{"place": {{"uid": "E004015000000004", "item": "{XIAOWANGZI}", "parts": 2, "part": 2}}}}"#
    ));
    let lines = run(&script);
    let last = results(&lines)
        .into_iter()
        .rfind(|(item, _, _)| item == XIAOWANGZI)
        .unwrap();
    assert_eq!(last.1, "borrowed");
    let set = effects(&lines, "security_done")
        .into_iter()
        .find(|e| e["item"] == XIAOWANGZI)
        .unwrap();
    assert_eq!(
        set["tags"],
        serde_json::json!(["E004015000000002", "E004015000000004"])
    );
    assert_eq!(set["ok"], true);
}

#[test]
fn pad_commands_with_bad_input_change_nothing() {
    let lines = run(&[
        r#"{"place": {"uid": "E00401", "item": "30234000001114"}}"#.into(),
        r#"{"place": {"uid": "E004015000000001"}}"#.into(),
        r#"{"place": [{"uid": "E004015000000001", "item": "30234000001114"}, {"uid": "zz"}]}"#
            .into(),
        r#"{"place": {"uid": "E004015000000009", "raw": "0102"}}"#.into(),
    ]);
    let errors: Vec<&str> = effects(&lines, "input_error")
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors[0].contains("16 hex digits"), "{}", errors[0]);
    assert!(errors[1].contains("`item` or `raw`"), "{}", errors[1]);
    // No item from the half-valid stack reached the session; the short raw tag is unreadable.
    assert!(results(&lines).is_empty());
    let notices: Vec<&str> = effects(&lines, "show")
        .iter()
        .filter_map(|s| s["screen"]["notice"]["code"].as_str())
        .collect();
    assert!(notices.contains(&"unreadable_tag"), "{notices:?}");
}

#[test]
fn the_same_stack_read_through_the_pn5180_driver_on_a_simulated_chip_ends_the_same() {
    // `[hardware.sim] item_reader = "pn5180"`: the real driver (anti-collision, addressed reads,
    // AFI writes and read-backs, ISO 15693 timings) between the session and the simulated pad.
    let run_with = |reader: &str| {
        let dir = tempfile::tempdir().unwrap();
        let config = config_in(dir.path(), |text| {
            text.replace("# [hardware.sim]", "[hardware.sim]").replace(
                "# item_reader = \"direct\"",
                &format!("item_reader = \"{reader}\""),
            )
        });
        let run = run_script(&config, &borrow_stack(), &[]);
        // The technician's check names the chip the driver found.
        let diag = kiosk(&["diag", "--config", config.to_str().unwrap()], "", &[]);
        assert_eq!(
            diag.stdout.contains("PN5180 firmware 4.0, RF field on"),
            reader == "pn5180",
            "{}",
            diag.stdout
        );
        let lines = run.lines();
        let security: Vec<(String, bool, String)> = effects(&lines, "security_done")
            .iter()
            .map(|e| {
                (
                    e["item"].as_str().unwrap().to_owned(),
                    e["ok"].as_bool().unwrap(),
                    e["error"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        (results(&lines), security)
    };
    let direct = run_with("direct");
    let through_the_driver = run_with("pn5180");
    assert_eq!(direct.0.len(), 3, "{direct:?}");
    assert_eq!(through_the_driver, direct);
}
