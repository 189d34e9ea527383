//! `kiosk stats` after scripted sessions: the counts per hour as the journal recorded them,
//! and CSV a spreadsheet (here, the `csv` crate's parser) reads back in both languages.

mod common;
use common::*;
use serde_json::Value;

fn stats(config: &std::path::Path, args: &[&str]) -> Run {
    let mut all = vec!["stats", "--config", config.to_str().unwrap()];
    all.extend_from_slice(args);
    let run = kiosk(&all, "", &[]);
    assert!(run.success, "{}", run.stderr);
    run
}

/// `kiosk stats --by hour`: the totals of these columns over its periods, which are hours of
/// today (one, or two if the test ran across an hour).
fn hourly_totals<const N: usize>(config: &std::path::Path, columns: [&str; N]) -> [i64; N] {
    let hours: Value =
        serde_json::from_str(&stats(config, &["--by", "hour", "--format", "json"]).stdout).unwrap();
    let hours = hours.as_array().unwrap();
    assert!(!hours.is_empty() && hours.len() <= 2, "{hours:?}");
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    assert!(
        hours
            .iter()
            .all(|h| h["period"].as_str().unwrap().starts_with(&today)),
        "{hours:?}"
    );
    columns.map(|key| hours.iter().map(|h| h[key].as_i64().unwrap()).sum())
}

#[test]
fn after_a_borrow_a_refusal_and_a_return_the_hour_counts_exactly_those() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), |t| t);
    let input: Vec<String> = [
        r#"{"scan": "20234000000019"}"#,
        r#"{"pin": "1234"}"#,
        r#"{"press": "borrow"}"#,
        r#"{"scan": "30234000001015"}"#,
        // The reader looks at the screen for 35 s before the next book.
        r#"{"wait": 35}"#,
        // Reserved for another reader: refused.
        r#"{"scan": "30234000001049"}"#,
        r#"{"press": "done"}"#,
        r#"{"press": "no_receipt"}"#,
        r#"{"wait": 20}"#,
        // A return without a card.
        r#"{"scan": "30234000001080"}"#,
        r#"{"wait": 20}"#,
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    run_script(&config, &input, &[]);

    let json: Value =
        serde_json::from_str(&stats(&config, &["--by", "day", "--format", "json"]).stdout).unwrap();
    let periods = json.as_array().unwrap();
    assert_eq!(periods.len(), 1, "{json}");
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    let p = &periods[0];
    assert_eq!(p["period"], today.as_str());
    assert_eq!(
        (
            &p["borrowed"],
            &p["returned"],
            &p["renewed"],
            &p["refused"],
            &p["offline"]
        ),
        (
            &Value::from(1),
            &Value::from(1),
            &Value::from(0),
            &Value::from(1),
            &Value::from(0)
        ),
        "{p}"
    );
    assert_eq!(p["refusals"]["on_hold_for_another"], 1, "{p}");
    // Whole visits, in buckets: a borrowing visit of two items, 35 s and four taps (the PIN's
    // OK, Borrow, Done, No receipt), and a card-less return of one item with none.
    assert_eq!(
        p["visits"],
        serde_json::json!({
            "visits": {"borrow": 1, "return": 1},
            "items": {"1": 1, "2": 1},
            "duration_secs": {"0": 1, "30": 1},
            "touches": {"0": 1, "4": 1},
            "language": {"zh-CN": 2},
            "item_ms": {"0": 3},
        }),
        "{p}"
    );
    // By hour: the same, under one hour of today (two if the test ran across the hour).
    assert_eq!(
        hourly_totals(&config, ["borrowed", "returned", "refused"]),
        [1, 1, 1]
    );

    // CSV for a spreadsheet, in both languages, read back by a CSV parser.
    for (lang, header) in [
        (
            "en",
            vec![
                "period", "borrowed", "returned", "renewed", "refused", "offline",
            ],
        ),
        (
            "zh-CN",
            vec!["时段", "借出", "归还", "续借", "被拒", "离线办理"],
        ),
    ] {
        let out = dir.path().join(format!("stats-{lang}.csv"));
        stats(
            &config,
            &[
                "--format",
                "csv",
                "--lang",
                lang,
                "-o",
                out.to_str().unwrap(),
            ],
        );
        let bytes = std::fs::read(&out).unwrap();
        // Excel opens UTF-8 as such only with a byte-order mark.
        assert_eq!(bytes.starts_with("\u{feff}".as_bytes()), lang == "zh-CN");
        let text = String::from_utf8(bytes).unwrap();
        let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let found: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(found, header);
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), 1);
        assert_eq!(&records[0][0], today.as_str());
        assert_eq!(
            (&records[0][1], &records[0][2], &records[0][4]),
            ("1", "1", "1")
        );
    }
}

#[test]
fn renewals_and_readers_served_offline_are_counted_in_the_hour_they_were_served() {
    let dir = tempfile::tempdir().unwrap();
    // Online: Li Hua renews everything; the simulated ILS renews The Three-Body Problem and
    // refuses 围城 (renewed too often).
    let online = config_in(dir.path(), |t| t);
    run_script(
        &online,
        &script(&[
            r#"{"scan": "20234000000019"}"#,
            r#"{"pin": "1234"}"#,
            r#"{"press": "renew"}"#,
            r#"{"press": "renew_all"}"#,
            r#"{"press": "back"}"#,
            r#"{"press": "done"}"#,
            r#"{"press": "no_receipt"}"#,
            r#"{"wait": 20}"#,
        ]),
        &[],
    );
    // Then the ILS goes away: a borrow and a return, served offline and still queued.
    let offline = offline_config_in(dir.path());
    run_script(
        &offline,
        &script(&[
            r#"{"scan": "20234000000019"}"#,
            r#"{"pin": "1234"}"#,
            r#"{"scan": "30234000001015"}"#,
            r#"{"press": "done"}"#,
            r#"{"press": "no_receipt"}"#,
            r#"{"wait": 20}"#,
            r#"{"scan": "30234000001031"}"#,
            r#"{"wait": 20}"#,
        ]),
        &[],
    );
    let waiting = kiosk(
        &["queue", "--config", offline.to_str().unwrap(), "waiting"],
        "",
        &[],
    );
    assert_eq!(waiting.stdout.trim(), "2", "both still wait for the ILS");

    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    let by_day: Value =
        serde_json::from_str(&stats(&offline, &["--by", "day", "--format", "json"]).stdout)
            .unwrap();
    let mut day = by_day[0].clone();
    day.as_object_mut().unwrap().remove("visits");
    assert_eq!(
        day,
        serde_json::json!({
            "period": today, "borrowed": 1, "returned": 1, "renewed": 1, "refused": 1,
            "offline": 2, "refusals": {"ils_refused": 1}
        })
    );
    // Per hour, the same (in two hours if the test ran across one).
    assert_eq!(
        hourly_totals(
            &offline,
            ["borrowed", "returned", "renewed", "refused", "offline"]
        ),
        [1, 1, 1, 1, 2]
    );
}

#[test]
fn bad_dates_and_a_missing_journal_are_told_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), |t| t);
    let run = kiosk(&["stats", "--config", config.to_str().unwrap()], "", &[]);
    assert!(
        !run.success && run.stderr.contains("no journal"),
        "{}",
        run.stderr
    );
    assert!(
        !dir.path().join("journal.db").exists(),
        "no empty journal was made"
    );
    let run = kiosk(
        &[
            "stats",
            "--config",
            config.to_str().unwrap(),
            "--since",
            "1 Dec",
        ],
        "",
        &[],
    );
    assert!(
        !run.success && run.stderr.contains("YYYY-MM-DD"),
        "{}",
        run.stderr
    );
}

fn script(lines: &[&str]) -> Vec<String> {
    lines.iter().map(|s| (*s).to_owned()).collect()
}

/// Li Hua borrows 三体, is refused Pride and Prejudice (reserved for another reader) and
/// leaves without a receipt; then `then`.
fn borrow_and_refusal(then: &[&str]) -> Vec<String> {
    let mut lines = script(&[
        r#"{"scan": "20234000000019"}"#,
        r#"{"pin": "1234"}"#,
        r#"{"press": "borrow"}"#,
        r#"{"scan": "30234000001015"}"#,
        r#"{"scan": "30234000001049"}"#,
        r#"{"press": "done"}"#,
        r#"{"press": "no_receipt"}"#,
    ]);
    lines.extend(script(then));
    lines
}

#[test]
fn merging_two_kiosks_exports_gives_the_branchs_totals() {
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    let north = tempfile::tempdir().unwrap();
    let south = tempfile::tempdir().unwrap();
    let north_config = config_in(north.path(), |t| t);
    let south_config = config_in(south.path(), |t| t);
    // North: one borrow, one refused (on hold for another reader).
    run_script(
        &north_config,
        &borrow_and_refusal(&[r#"{"wait": 20}"#]),
        &[],
    );
    // South: two borrows and a return.
    run_script(
        &south_config,
        &script(&[
            r#"{"scan": "20234000000019"}"#,
            r#"{"pin": "1234"}"#,
            r#"{"press": "borrow"}"#,
            r#"{"scan": "30234000001023"}"#,
            r#"{"scan": "30234000001031"}"#,
            r#"{"press": "done"}"#,
            r#"{"press": "no_receipt"}"#,
            r#"{"wait": 20}"#,
            r#"{"scan": "30234000001080"}"#,
            r#"{"wait": 20}"#,
        ]),
        &[],
    );
    let mut exports = Vec::new();
    for (config, name) in [(&north_config, "north"), (&south_config, "south")] {
        for format in ["json", "csv"] {
            let file = north.path().join(format!("{name}.{format}"));
            stats(
                config,
                &[
                    "--format",
                    format,
                    "-o",
                    file.to_str().unwrap(),
                    "--lang",
                    "zh-CN",
                ],
            );
            exports.push(file.to_str().unwrap().to_owned());
        }
    }
    let merged = |files: &[&String]| -> Value {
        let mut args = vec!["stats", "merge", "--format", "json"];
        args.extend(files.iter().map(|f| f.as_str()));
        let run = kiosk(&args, "", &[]);
        assert!(run.success, "{}", run.stderr);
        serde_json::from_str(&run.stdout).unwrap()
    };
    let mut json = merged(&[&exports[0], &exports[2]]);
    // Visits add up too: north's borrowing visit, south's borrowing visit and return.
    assert_eq!(
        json[0]["visits"]["visits"],
        serde_json::json!({"borrow": 2, "return": 1})
    );
    assert_eq!(
        json[0]["visits"]["items"],
        serde_json::json!({"1": 1, "2": 2})
    );
    json[0].as_object_mut().unwrap().remove("visits");
    assert_eq!(
        json,
        serde_json::json!([{
            "period": today, "borrowed": 3, "returned": 1, "renewed": 0, "refused": 1,
            "offline": 0, "refusals": {"on_hold_for_another": 1}
        }])
    );
    // The CSV exports (Chinese columns) give the same totals, without the reasons.
    let csv = merged(&[&exports[1], &exports[3]]);
    assert_eq!(csv[0]["borrowed"], 3);
    assert_eq!(csv[0]["refused"], 1);
    assert!(csv[0].get("refusals").is_none());

    // A month's report cannot be added to a day's: told, and nothing written.
    let by_month = north.path().join("month.json");
    stats(
        &north_config,
        &[
            "--by",
            "month",
            "--format",
            "json",
            "-o",
            by_month.to_str().unwrap(),
        ],
    );
    let out = north.path().join("branch.json");
    let run = kiosk(
        &[
            "stats",
            "merge",
            "-o",
            out.to_str().unwrap(),
            by_month.to_str().unwrap(),
            &exports[2],
        ],
        "",
        &[],
    );
    assert!(
        !run.success && run.stderr.contains("grouped by month") && run.stderr.contains("by day"),
        "{}",
        run.stderr
    );
    assert!(!out.exists());
}

#[test]
fn a_chart_is_drawn_as_png_and_svg_from_a_journal_and_bad_requests_are_told() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), |t| t);
    run_script(&config, &borrow_and_refusal(&[r#"{"wait": 20}"#]), &[]);
    let chart = |out: &std::path::Path, extra: &[&str]| {
        let mut args = vec![
            "stats",
            "chart",
            "--config",
            config.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        kiosk(&args, "", &[])
    };
    let png = dir.path().join("report.png");
    let run = chart(&png, &[]);
    assert!(run.success, "{}", run.stderr);
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&png).unwrap()));
    let info = decoder.read_info().unwrap();
    assert_eq!(
        (info.info().width, info.info().height),
        (1240, 1754),
        "A4 at 150 dpi"
    );
    let svg = dir.path().join("report.svg");
    let run = chart(&svg, &[]);
    assert!(run.success, "{}", run.stderr);
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg") && text.trim_end().ends_with("</svg>"));
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    for words in [
        "业务统计 Business statistics",
        "借出 Borrowed 1",
        "被拒 Refused 1",
        "预约给他人 Reserved",
        today.as_str(),
    ] {
        assert!(text.contains(words), "the SVG lacks {words:?}");
    }

    // A name that is neither .png nor .svg, and a period with nothing counted: told, no file.
    let pdf = dir.path().join("report.pdf");
    let run = chart(&pdf, &[]);
    assert!(
        !run.success && run.stderr.contains(".png or an .svg"),
        "{}",
        run.stderr
    );
    let empty = dir.path().join("empty.png");
    let run = chart(&empty, &["--since", "2001-01-01", "--until", "2001-01-31"]);
    assert!(
        !run.success && run.stderr.contains("nothing was counted"),
        "{}",
        run.stderr
    );
    assert!(!pdf.exists() && !empty.exists());
}

#[test]
fn no_reader_card_barcode_or_title_is_in_any_statistics_table() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), |t| t);
    run_script(
        &config,
        &borrow_and_refusal(&[
            r#"{"rate": 2}"#,
            r#"{"wait": 20}"#,
            r#"{"scan": "30234000001080"}"#,
            r#"{"wait": 20}"#,
        ]),
        &[],
    );
    let db = rusqlite::Connection::open(dir.path().join("journal.db")).unwrap();
    let known = [
        "20234000000019",
        "1234",
        "李华",
        "Li Hua",
        "30234000001015",
        "30234000001049",
        "30234000001080",
        "三体",
        "Pride and Prejudice",
        "Three-Body",
    ];
    let mut cells = 0;
    for table in ["hourly_counts", "visit_counts", "ratings"] {
        let mut statement = db.prepare(&format!("SELECT * FROM {table}")).unwrap();
        let columns = statement.column_count();
        let rows: Vec<Vec<String>> = statement
            .query_map([], |r| {
                (0..columns)
                    .map(|i| {
                        Ok(match r.get_ref(i)? {
                            rusqlite::types::ValueRef::Null => String::new(),
                            rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                            rusqlite::types::ValueRef::Real(x) => x.to_string(),
                            rusqlite::types::ValueRef::Text(t)
                            | rusqlite::types::ValueRef::Blob(t) => {
                                String::from_utf8_lossy(t).into_owned()
                            }
                        })
                    })
                    .collect()
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(!rows.is_empty(), "{table} counted the session");
        for cell in rows.iter().flatten() {
            cells += 1;
            for id in known {
                assert!(!cell.contains(id), "{table} holds {id:?} in {cell:?}");
            }
        }
    }
    assert!(cells > 30, "{cells} cells read");
}
