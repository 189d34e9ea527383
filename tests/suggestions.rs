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

/// The library's endpoint, as a test stands it up: it takes a suggestion once per
/// `Idempotency-Key` (a repeat is answered 200 and not stored again), slowly.
struct Endpoint {
    /// Per key: (posts received, stored).
    seen: std::sync::Arc<std::sync::Mutex<std::collections::BTreeMap<String, (u32, u32)>>>,
    _thread: std::thread::JoinHandle<()>,
}

impl Endpoint {
    fn start(port: u16, pause: std::time::Duration) -> Endpoint {
        let server = tiny_http::Server::http(("127.0.0.1", port)).expect("the endpoint listens");
        let seen = std::sync::Arc::new(std::sync::Mutex::new(std::collections::BTreeMap::new()));
        let record = std::sync::Arc::clone(&seen);
        let thread = std::thread::spawn(move || {
            for mut request in server.incoming_requests() {
                let key = request
                    .headers()
                    .iter()
                    .find(|h| h.field.equiv("Idempotency-Key"))
                    .map(|h| h.value.to_string());
                let mut body = String::new();
                let _ = std::io::Read::read_to_string(request.as_reader(), &mut body);
                std::thread::sleep(pause);
                let status = match key {
                    Some(key) if body.contains(&key) => {
                        let mut seen = record.lock().unwrap();
                        let entry = seen.entry(key).or_insert((0, 0));
                        entry.0 += 1;
                        if entry.1 == 0 {
                            entry.1 = 1;
                            201
                        } else {
                            200
                        }
                    }
                    _ => 400,
                };
                let _ = request.respond(tiny_http::Response::empty(status));
            }
        });
        Endpoint {
            seen,
            _thread: thread,
        }
    }

    fn stored(&self) -> usize {
        self.seen
            .lock()
            .unwrap()
            .values()
            .filter(|(_, s)| *s > 0)
            .count()
    }
}

#[test]
fn every_suggestion_reaches_the_endpoint_exactly_once_though_the_kiosk_is_killed_while_delivering()
{
    use common::live::LiveKiosk;
    use std::time::Duration;
    let kills: usize = std::env::var("KIOSK_SUGGESTION_KILLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100);
    // Enough waiting that every kill falls while some are still being delivered (a run lives
    // 0.1–0.3 s and delivers about one in three kills at the endpoint's pace).
    let suggestions = (kills / 2).max(160);
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), |text| {
        text.replace(
            "# endpoint = \"https://www.library.example.org/api/kiosk-suggestions\"",
            &format!("endpoint = \"http://127.0.0.1:{port}/in\"\nretry_secs = 1"),
        )
    });
    // Readers leave suggestions while the endpoint is down: kept, waiting.
    let mut input = vec![r#"{"press": "suggest"}"#.to_owned()];
    input.extend((0..suggestions).map(|n| {
        let topic = ["machine_not_working", "book_missing", "praise", "other"][n % 4];
        format!(r#"{{"feedback": "{topic}"}}"#)
    }));
    run_script(&config, &input, &[]);

    // The endpoint comes up, slow; the kiosk is killed (SIGKILL) again and again meanwhile.
    let endpoint = Endpoint::start(port, Duration::from_millis(200));
    let mut seed = 0x2545_F491_4F6C_DD1D_u64;
    let mut killed = 0;
    for _ in 0..kills {
        if endpoint.stored() == suggestions {
            break;
        }
        killed += 1;
        let kiosk = LiveKiosk::start(&config, &[]);
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_millis(100 + seed % 200));
        drop(kiosk);
    }
    // A last run that is left alone finishes the job.
    let kiosk = LiveKiosk::start(&config, &[]);
    let pace = Duration::from_millis(200) * u32::try_from(suggestions).unwrap_or(u32::MAX);
    let all = kiosk.wait_until(Duration::from_secs(60) + pace, |_| {
        endpoint.stored() == suggestions
    });
    assert!(
        all.is_some(),
        "stored {} of {suggestions}",
        endpoint.stored()
    );
    std::thread::sleep(Duration::from_millis(500));
    drop(kiosk);

    let seen = endpoint.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), suggestions, "one key a suggestion");
    assert!(
        seen.values().all(|(_, stored)| *stored == 1),
        "each stored once"
    );
    let posts: u32 = seen.values().map(|(posts, _)| posts).sum();
    eprintln!("{suggestions} suggestions, {posts} posts, {killed} kills while delivering");
    assert_eq!(
        killed, kills,
        "killed {killed} times while suggestions were still being delivered"
    );
    let run = staff_json("feedback", &config, &["list", "--json"]);
    let run = run.as_array().expect("a list");
    assert!(
        run.iter().all(|s| s["endpoint"] == "done"),
        "the journal knows each was delivered: {run:?}"
    );
}
