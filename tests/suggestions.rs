//! Feedback and purchase suggestions through the whole kiosk: the suggestions page driven
//! headless, the journal, and `kiosk feedback` for staff.

mod common;
use common::*;
use serde_json::Value;

#[test]
fn suggestions_left_at_the_kiosk_reach_staff_named_only_with_consent() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), |text| text);
    let input: Vec<String> = [
        // Anonymous, from the attract screen: a misread, then 三体's ISBN, confirmed.
        r#"{"language": "en"}"#,
        r#"{"press": "suggest"}"#,
        r#"{"scan": "9787536692931"}"#,
        r#"{"scan": "9787536692930"}"#,
        r#"{"press": "confirm"}"#,
        r#"{"feedback": "machine_not_working"}"#,
        r#"{"press": "back"}"#,
        // A signed-in reader who asks to be answered about one of two.
        r#"{"scan": "20234000000019"}"#,
        r#"{"pin": "1234"}"#,
        r#"{"press": "suggest"}"#,
        r#"{"reply_wanted": true}"#,
        r#"{"isbn": "7536692935"}"#,
        r#"{"press": "confirm"}"#,
        r#"{"feedback": "praise"}"#,
        r#"{"press": "back"}"#,
        r#"{"press": "cancel"}"#,
    ]
    .map(str::to_owned)
    .into();
    let run = run_script(&config, &input, &[]);
    let lines = run.lines();
    let misread: Vec<&Value> = effects(&lines, "show")
        .into_iter()
        .filter(|s| s["screen"]["notice"]["code"] == "isbn_misread")
        .collect();
    assert!(!misread.is_empty(), "the misread is told");
    assert!(
        misread[0]["screen"]["notice"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("ISBN")),
        "{}",
        misread[0]
    );

    let cli = |args: &[&str]| {
        let mut all = vec!["feedback", "--config", config.to_str().unwrap()];
        all.extend_from_slice(args);
        let run = kiosk(&all, "", &[]);
        assert!(run.success, "{}", run.stderr);
        run.stdout
    };
    let listed: Vec<Value> = serde_json::from_str(&cli(&["list", "--json"])).unwrap();
    // kind, ISBN or topic, and the reader to answer (if any), one line each.
    let summary: Vec<String> = listed
        .iter()
        .map(|s| {
            format!(
                "{} {} {}",
                s["kind"].as_str().unwrap_or("?"),
                s["isbn"].as_str().or(s["topic"].as_str()).unwrap_or("?"),
                s["patron"].as_str().unwrap_or("anonymous")
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            "purchase 9787536692930 anonymous",
            "feedback machine_not_working anonymous",
            "purchase 9787536692930 20234000000019",
            "feedback praise anonymous",
        ]
    );
    let csv = cli(&["export", "--format", "csv"]);
    assert!(csv.starts_with('\u{feff}'), "a BOM for Excel and WPS");
    assert_eq!(csv.lines().count(), 5, "{csv}");
    let jsonl = cli(&["export", "--format", "jsonl", "--since", "2000-01-01"]);
    assert_eq!(jsonl.lines().count(), 4);
    let none = cli(&["export", "--format", "jsonl", "--since", "2999-01-01"]);
    assert!(none.is_empty());
    let bad = kiosk(
        &[
            "feedback",
            "--config",
            config.to_str().unwrap(),
            "list",
            "--since",
            "yesterday",
        ],
        "",
        &[],
    );
    assert!(
        !bad.success && bad.stderr.contains("--since"),
        "{}",
        bad.stderr
    );
}
