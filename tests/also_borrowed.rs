//! "Readers who borrowed this also borrowed …" end to end: an imported pair file drives the
//! goodbye screen and the printed receipt once the pair reaches k visits, and a kiosk with the
//! feature off counts nothing.

mod common;
use common::*;
use serde_json::Value;

/// The example configuration with `[also_borrowed] enabled = true` (and k = 5, its default).
fn enabled(text: String) -> String {
    let off = "enabled = false\n# A pair is shown only";
    assert!(text.contains(off), "the example's [also_borrowed] section");
    text.replace(off, "enabled = true\n# A pair is shown only")
}

fn import(config: &std::path::Path, dir: &std::path::Path, rows: &str) -> Run {
    let file = dir.join("pairs.csv");
    std::fs::write(&file, format!("title_a,title_b,sessions\r\n{rows}")).unwrap();
    kiosk(
        &[
            "stats",
            "import-pairs",
            "--config",
            config.to_str().unwrap(),
            file.to_str().unwrap(),
        ],
        "",
        &[],
    )
}

/// 三体 borrowed alone, a printed receipt: the goodbye screen's and the receipt's suggestion.
fn borrow_santi(config: &std::path::Path) -> (Option<Value>, Option<Value>) {
    let input: Vec<String> = [
        r#"{"scan": "20234000000019"}"#,
        r#"{"pin": "1234"}"#,
        r#"{"press": "borrow"}"#,
        r#"{"scan": "30234000001015"}"#,
        r#"{"press": "done"}"#,
        r#"{"press": "print_receipt"}"#,
        r#"{"wait": 1}"#,
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let run = run_script(config, &input, &[]);
    let lines = run.lines();
    let goodbye = effects(&lines, "show")
        .into_iter()
        .find(|l| l["screen"]["page"] == "goodbye")
        .unwrap_or_else(|| panic!("no goodbye in {}", run.stdout));
    let printed = effects(&lines, "print");
    assert_eq!(printed.len(), 1, "{}", run.stdout);
    (
        goodbye["screen"].get("also_borrowed").cloned(),
        printed[0]["receipt"].get("also_borrowed").cloned(),
    )
}

#[test]
fn an_imported_pair_file_drives_the_goodbye_screen_and_the_receipt_from_k_visits() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), enabled);
    // Four visits, one fewer than k: nothing is suggested.
    let run = import(&config, dir.path(), "三体,球状闪电,4\r\n");
    assert!(
        run.success && run.stdout.contains("1 pairs imported"),
        "{}",
        run.stderr
    );
    assert_eq!(borrow_santi(&config), (None, None));
    // Five (the file replaced): the reader of 三体 is told, on the screen and on paper.
    let run = import(&config, dir.path(), "球状闪电,三体,5\r\n");
    assert!(run.success, "{}", run.stderr);
    let expected = serde_json::json!({"borrowed": "三体", "also": "球状闪电"});
    assert_eq!(
        borrow_santi(&config),
        (Some(expected.clone()), Some(expected))
    );
    // A bad file is refused by row, and the import before it stays.
    let run = import(&config, dir.path(), "三体,,5\r\n");
    assert!(
        !run.success && run.stderr.contains("row 2: two different titles"),
        "{}",
        run.stderr
    );
    assert!(borrow_santi(&config).0.is_some());
}

fn borrow_two(config: &std::path::Path) {
    let input: Vec<String> = [
        r#"{"scan": "20234000000019"}"#,
        r#"{"pin": "1234"}"#,
        r#"{"press": "borrow"}"#,
        r#"{"scan": "30234000001023"}"#,
        r#"{"scan": "30234000001031"}"#,
        r#"{"press": "done"}"#,
        r#"{"press": "no_receipt"}"#,
        r#"{"wait": 1}"#,
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    run_script(config, &input, &[]);
}

fn exported(config: &std::path::Path) -> String {
    let run = kiosk(
        &[
            "stats",
            "export-pairs",
            "--config",
            config.to_str().unwrap(),
        ],
        "",
        &[],
    );
    assert!(run.success, "{}", run.stderr);
    run.stdout
}

#[test]
fn with_the_feature_off_nothing_is_counted_and_on_a_visit_counts_its_pair_once() {
    let dir = tempfile::tempdir().unwrap();
    let off = config_in(dir.path(), |t| t);
    borrow_two(&off);
    assert_eq!(exported(&off), "\u{feff}title_a,title_b,sessions\r\n");

    let on_dir = tempfile::tempdir().unwrap();
    let on = config_in(on_dir.path(), enabled);
    borrow_two(&on);
    assert_eq!(
        exported(&on),
        "\u{feff}title_a,title_b,sessions\r\nThe Left Hand of Darkness,活着,1\r\n"
    );
    // The table holds two titles and a number: no reader, card, barcode or time.
    let journal = on_dir.path().join("journal.db");
    let conn = rusqlite::Connection::open(journal).unwrap();
    let dump: String = conn
        .query_row(
            "SELECT group_concat(a || '|' || b || '|' || source || '|' || sessions, ';') FROM pair_counts",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(dump, "The Left Hand of Darkness|活着|kiosk|1");
}
