//! The kiosk on a library's Prometheus, tested against the real thing: Debian's `prometheus`
//! and `promtool` (tests/run installs them). A headless kiosk on the real clock serves
//! `/metrics`; `promtool check metrics` reads a scrape; a real Prometheus scrapes the kiosk
//! (found through a file, as the README's fleet set-up does) while a reader borrows, is
//! refused, the printer runs out of paper and the ILS goes away, and the values and the alerts
//! are read back from Prometheus's HTTP API. The shipped alert rules pass `promtool check rules`
//! and their own unit tests (`promtool test rules`).

mod common;
use common::live::LiveKiosk;
use common::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CARD: &str = "20234000000019";
const PIN: &str = "1234";
const NAME: &str = "李华";
/// Borrowed: 三体 and The Left Hand of Darkness; refused: 红楼梦 (reference); offline: 活着.
const BOOKS: [&str; 2] = ["30234000001015", "30234000001023"];
const REFERENCE: &str = "30234000001056";
const OFFLINE_BOOK: &str = "30234000001031";
const TITLES: [&str; 4] = ["三体", "The Left Hand of Darkness", "红楼梦", "活着"];
const TOKEN: &str = "scrape-token-3f9c";

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// A program tests/run installs (Debian's `prometheus` package); a clear failure without it.
fn tool(name: &str) -> Command {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "{name} is not installed: tests/run installs Debian's prometheus package (apt-get install prometheus)"
    );
    Command::new(name)
}

/// A kiosk on the simulated machine with `/metrics` on `metrics_port`, its ILS the simulated
/// SIP2 server on `ils_port`, and the scrape token in its secrets file.
fn kiosk_config(dir: &Path, ils_port: u16, metrics_port: u16) -> PathBuf {
    let secrets = dir.join("secrets.toml");
    std::fs::write(&secrets, format!("metrics_token = \"{TOKEN}\"\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&secrets, std::fs::Permissions::from_mode(0o600)).unwrap();
    config_in(dir, |text| {
        let listen = "# listen = \"0.0.0.0:9464\"";
        let secrets_file = "# file = \"/etc/kiosk/secrets.toml\"";
        assert!(text.contains(listen) && text.contains(secrets_file));
        text.replace(
            "kind = \"sim\"",
            &format!(
                "kind = \"sip2\"\n\n[ils.sip2]\nhost = \"127.0.0.1\"\nport = {ils_port}\n\
                 institution = \"SIM\"\nreconnect_max_secs = 1\n"
            ),
        )
        .replace(listen, &format!("listen = \"127.0.0.1:{metrics_port}\""))
        .replace(secrets_file, &format!("file = \"{}\"", secrets.display()))
    })
}

/// One HTTP exchange on a fresh connection: the status and the body.
fn http(port: u16, request: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("the metrics port answers");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    let status = reply
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {reply:?}"));
    let body = reply
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
    (status, body)
}

fn scrape(port: u16) -> String {
    let (status, body) = http(
        port,
        &format!("GET /metrics HTTP/1.1\r\nHost: kiosk\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"),
    );
    assert_eq!(status, 200, "{body}");
    body
}

/// Waits for the metrics port to answer (the kiosk starts its endpoint before the first screen).
fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "no metrics endpoint on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The reader's visit: two books borrowed, a reference book refused, a printed receipt asked
/// for (with the printer out of paper when `paper_out`).
fn borrow_visit(kiosk: &mut LiveKiosk, paper_out: bool) {
    if paper_out {
        kiosk.send(r#"{"printer": "paper_out"}"#);
    }
    kiosk.send(&format!(r#"{{"scan": "{CARD}"}}"#));
    kiosk.send(&format!(r#"{{"pin": "{PIN}"}}"#));
    kiosk.send(r#"{"press": "borrow"}"#);
    for book in BOOKS.iter().chain([&REFERENCE]) {
        kiosk.send(&format!(r#"{{"scan": "{book}"}}"#));
    }
    kiosk.send(r#"{"press": "done"}"#);
    kiosk.send(r#"{"press": "print_receipt"}"#);
    kiosk.wait_for_page("goodbye", Duration::from_secs(20));
}

/// Every sample's labels, by metric name.
fn labels(text: &str) -> BTreeMap<String, BTreeSet<(String, String)>> {
    let mut found: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (name, rest) = line.split_once('{').unwrap_or((line, ""));
        let name = name.split(' ').next().unwrap_or(name).to_owned();
        let entry = found.entry(name).or_default();
        let Some((inside, _)) = rest.rsplit_once('}') else {
            continue;
        };
        for pair in inside.split("\",").filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once("=\"").expect("label=\"value\"");
            entry.insert((key.to_owned(), value.trim_end_matches('"').to_owned()));
        }
    }
    found
}

/// The closed set each label's values come from.
fn allowed(label: &str) -> Vec<String> {
    let set: &[&str] = match label {
        "action" => &["borrow", "return", "renew"],
        "outcome" => &["done", "refused", "queued"],
        "mode" => &["online", "offline"],
        "kind" => &["borrow", "return", "renew", "account", "none"],
        "request" => &[
            "patron_status",
            "account",
            "checkout",
            "checkin",
            "renew",
            "renew_all",
            "item_info",
            "end_session",
            "email_receipt",
        ],
        "state" => &[
            "pending", "sending", "unknown", "refused", "review", "ok", "low", "out", "unknown",
        ],
        "code" => &[
            "RFID_READER",
            "CARD_READER",
            "SCANNER",
            "INDICATORS",
            "RETURN_SLOT",
            "PRINTER",
            "ILS",
            "STORAGE",
            "OTHER",
        ],
        "part" => &[
            "item_reader",
            "card_reader",
            "scanner",
            "printer",
            "return_slot",
            "indicators",
        ],
        "status" => &["ok", "warning", "failed", "missing"],
        "ils_kind" => &["sim", "sip2", "folio", "koha"],
        "version" => &[env!("CARGO_PKG_VERSION")],
        "le" => return Vec::new(),
        "reason" => {
            // The refusal codes, as `kiosk stats --format json` and the screen name them: lower
            // snake case words, checked by shape (the list lives in the core).
            return vec!["<code>".into()];
        }
        other => panic!("a label nobody listed: {other}"),
    };
    set.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn a_scrape_lists_every_metric_with_help_and_type_no_reader_in_any_label_and_promtool_accepts_it() {
    let dir = tempfile::tempdir().unwrap();
    let (ils_port, metrics_port) = (free_port(), free_port());
    let _ils = serve(&["--sip2", &format!("127.0.0.1:{ils_port}")], ils_port);
    let config = kiosk_config(dir.path(), ils_port, metrics_port);
    let mut kiosk = LiveKiosk::start(&config, &[]);
    kiosk.wait_for_page("idle", Duration::from_secs(20));
    wait_for_port(metrics_port);
    borrow_visit(&mut kiosk, false);
    let done = kiosk.wait_until(Duration::from_secs(20), |_| {
        scrape(metrics_port).contains("kiosk_sessions_total{kind=\"borrow\"} 1")
    });
    let text = scrape(metrics_port);
    assert!(done.is_some(), "the visit was not counted:\n{text}");

    for (name, kind) in [
        ("kiosk_transactions_total", "counter"),
        ("kiosk_refusals_total", "counter"),
        ("kiosk_sessions_total", "counter"),
        ("kiosk_session_duration_seconds", "histogram"),
        ("kiosk_item_seconds", "histogram"),
        ("kiosk_ils_request_seconds", "histogram"),
        ("kiosk_queue_transactions", "gauge"),
        ("kiosk_queue_oldest_waiting_seconds", "gauge"),
        ("kiosk_replay_last_success_timestamp_seconds", "gauge"),
        ("kiosk_ils_up", "gauge"),
        ("kiosk_in_service", "gauge"),
        ("kiosk_out_of_service", "gauge"),
        ("kiosk_part_status", "gauge"),
        ("kiosk_printer_paper", "gauge"),
        ("kiosk_return_slot_books_total", "counter"),
        ("kiosk_build_info", "gauge"),
        ("kiosk_start_time_seconds", "gauge"),
        ("kiosk_clock_synchronized", "gauge"),
        ("kiosk_journal_filesystem_avail_bytes", "gauge"),
    ] {
        assert!(
            text.contains(&format!("\n# HELP {name} "))
                || text.starts_with(&format!("# HELP {name} ")),
            "no HELP for {name}:\n{text}"
        );
        assert!(
            text.contains(&format!("# TYPE {name} {kind}\n")),
            "no TYPE {kind} for {name}"
        );
    }
    // What the visit did, as the counters say it.
    for sample in [
        r#"kiosk_transactions_total{action="borrow",mode="online",outcome="done"} 2"#,
        r#"kiosk_transactions_total{action="borrow",mode="online",outcome="refused"} 1"#,
        r#"kiosk_refusals_total{reason="not_for_loan"} 1"#,
        r#"kiosk_ils_request_seconds_count{request="checkout"} 3"#,
        r#"kiosk_item_seconds_count 3"#,
        r#"kiosk_ils_up 1"#,
        r#"kiosk_in_service 1"#,
        r#"kiosk_part_status{part="item_reader",status="ok"} 1"#,
        r#"kiosk_printer_paper{state="ok"} 1"#,
        r#"kiosk_build_info{ils_kind="sip2",version="#,
    ] {
        assert!(text.contains(sample), "{sample} not in the scrape:\n{text}");
    }

    // No reader, card, PIN, name, barcode or title anywhere; every label value from its set.
    for secret in [CARD, NAME, REFERENCE, OFFLINE_BOOK, TOKEN]
        .into_iter()
        .chain(BOOKS)
        .chain(TITLES)
    {
        assert!(!text.contains(secret), "{secret} is in the scrape");
    }
    for (metric, pairs) in labels(&text) {
        for (label, value) in pairs {
            let set = allowed(&label);
            let fits = match set.first().map(String::as_str) {
                None => true,
                Some("<code>") => {
                    value.chars().all(|c| c.is_ascii_lowercase() || c == '_') && value != PIN
                }
                Some(_) => set.contains(&value),
            };
            assert!(
                fits,
                "{metric}{{{label}=\"{value}\"}}: not in its closed set"
            );
        }
    }

    let mut check = tool("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    check
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = check.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool check metrics:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // The endpoint's manners: a token, a path, a method, a request.
    let (status, _) = http(metrics_port, "GET /metrics HTTP/1.1\r\nHost: k\r\n\r\n");
    assert_eq!(status, 401, "no token");
    let (status, _) = http(
        metrics_port,
        "GET /metrics HTTP/1.1\r\nAuthorization: Bearer wrong\r\n\r\n",
    );
    assert_eq!(status, 401, "a wrong token");
    let (status, _) = http(metrics_port, "GET / HTTP/1.1\r\n\r\n");
    assert_eq!(status, 404);
    let (status, _) = http(
        metrics_port,
        "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
    );
    assert_eq!(status, 405);
    let (status, _) = http(metrics_port, "\x16\x03\x01 not http at all\r\n\r\n");
    assert_eq!(status, 400);
    let (ok, _, log) = kiosk.finish();
    assert!(ok, "{log}");
    assert!(!log.contains(TOKEN), "the token is in the log");
}

/// A real Prometheus, on loopback, with the kiosk as its one target (a file, as the README's
/// file-based discovery), and a copy of the shipped rules whose `for:` and thresholds are
/// seconds instead of minutes.
struct Prometheus {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Prometheus {
    fn start(dir: &Path, kiosk_port: u16) -> Prometheus {
        let rules = std::fs::read_to_string(repo("deploy/prometheus/kiosk-rules.yml")).unwrap();
        let mut quick = String::new();
        for line in rules.lines() {
            let trimmed = line.trim_start();
            if trimmed.starts_with("for: ") {
                let indent = &line[..line.len() - trimmed.len()];
                quick.push_str(&format!("{indent}for: 2s\n"));
            } else {
                quick.push_str(line);
                quick.push('\n');
            }
        }
        let waiting = "kiosk_queue_oldest_waiting_seconds > 1800";
        assert!(quick.contains(waiting), "the queue rule's threshold");
        let quick = quick.replace(waiting, "kiosk_queue_oldest_waiting_seconds > 1");
        std::fs::write(dir.join("rules.yml"), quick).unwrap();
        std::fs::write(
            dir.join("kiosks.json"),
            format!(
                r#"[{{"targets": ["127.0.0.1:{kiosk_port}"], "labels": {{"branch": "test"}}}}]"#
            ),
        )
        .unwrap();
        std::fs::write(
            dir.join("prometheus.yml"),
            format!(
                "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n\
                 rule_files:\n  - rules.yml\n\
                 scrape_configs:\n  - job_name: kiosk\n    authorization:\n      credentials: {TOKEN}\n\
                 \x20   file_sd_configs:\n      - files: [kiosks.json]\n        refresh_interval: 1s\n"
            ),
        )
        .unwrap();
        let check = tool("promtool")
            .args(["check", "config"])
            .arg(dir.join("prometheus.yml"))
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stdout)
        );
        let port = free_port();
        let log = std::fs::File::create(dir.join("prometheus.log")).unwrap();
        let child = tool("prometheus")
            .arg(format!(
                "--config.file={}",
                dir.join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let prometheus = Prometheus {
            child,
            port,
            dir: dir.to_owned(),
        };
        let ready = prometheus.until(Duration::from_secs(60), || {
            reqwest::blocking::get(format!("http://127.0.0.1:{port}/-/ready"))
                .is_ok_and(|r| r.status().is_success())
        });
        assert!(ready, "prometheus did not start:\n{}", prometheus.log());
        prometheus
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("prometheus.log")).unwrap_or_default()
    }

    fn until(&self, limit: Duration, mut holds: impl FnMut() -> bool) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if holds() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        holds()
    }

    fn api(&self, path: &str, params: &[(&str, &str)]) -> Value {
        let url = url::Url::parse_with_params(
            &format!("http://127.0.0.1:{}/api/v1/{path}", self.port),
            params,
        )
        .unwrap();
        let reply: Value = reqwest::blocking::get(url).unwrap().json().unwrap();
        assert_eq!(reply["status"], "success", "{path} {params:?}: {reply}");
        reply["data"].clone()
    }

    /// An instant query's single value (`None`: no series).
    fn value(&self, query: &str) -> Option<f64> {
        let data = self.api("query", &[("query", query)]);
        let result = data["result"].as_array()?;
        let value = result.first()?["value"][1].as_str()?;
        value.parse().ok()
    }

    /// Waits until `query` is `expected`; panics with what it was.
    #[track_caller]
    fn expect(&self, query: &str, expected: f64) {
        let limit = Duration::from_secs(30);
        if !self.until(limit, || self.value(query) == Some(expected)) {
            panic!(
                "{query} = {:?}, not {expected}\n{}",
                self.value(query),
                self.log()
            );
        }
    }

    fn firing(&self) -> BTreeSet<String> {
        let data = self.api("alerts", &[]);
        data["alerts"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|a| a["state"] == "firing")
            .filter_map(|a| a["labels"]["alertname"].as_str().map(str::to_owned))
            .collect()
    }
}

#[test]
fn a_real_prometheus_scrapes_the_kiosk_sees_the_counters_move_and_the_alerts_fire() {
    let dir = tempfile::tempdir().unwrap();
    let (ils_port, metrics_port) = (free_port(), free_port());
    let ils = serve(&["--sip2", &format!("127.0.0.1:{ils_port}")], ils_port);
    let config = kiosk_config(dir.path(), ils_port, metrics_port);
    let mut kiosk = LiveKiosk::start(&config, &[]);
    kiosk.wait_for_page("idle", Duration::from_secs(20));
    wait_for_port(metrics_port);
    let prometheus = Prometheus::start(dir.path(), metrics_port);
    prometheus.expect(r#"up{job="kiosk", branch="test"}"#, 1.0);
    prometheus.expect("kiosk_ils_up", 1.0);
    prometheus.expect(r#"kiosk_printer_paper{state="ok"}"#, 1.0);
    assert!(!prometheus.firing().contains("KioskPrinterOutOfPaper"));

    // Two borrows, a refusal, and the receipt printer out of paper when asked to print.
    borrow_visit(&mut kiosk, true);
    let borrowed =
        r#"sum(kiosk_transactions_total{action="borrow", outcome="done", mode="online"})"#;
    prometheus.expect(borrowed, 2.0);
    prometheus.expect(
        r#"sum(kiosk_transactions_total{action="borrow", outcome="refused"})"#,
        1.0,
    );
    prometheus.expect(r#"kiosk_refusals_total{reason="not_for_loan"}"#, 1.0);
    prometheus.expect(r#"kiosk_printer_paper{state="out"}"#, 1.0);
    prometheus.expect(r#"kiosk_part_status{part="printer", status="failed"}"#, 1.0);
    prometheus.expect(
        r#"kiosk_ils_request_seconds_count{request="checkout"}"#,
        3.0,
    );

    // The ILS goes away; the next reader borrows offline: the link, the queue.
    drop(ils);
    kiosk.send(&format!(r#"{{"scan": "{CARD}"}}"#));
    kiosk.send(&format!(r#"{{"pin": "{PIN}"}}"#));
    kiosk.send(r#"{"press": "borrow"}"#);
    kiosk.send(&format!(r#"{{"scan": "{OFFLINE_BOOK}"}}"#));
    kiosk.send(r#"{"press": "done"}"#);
    prometheus.expect("kiosk_ils_up", 0.0);
    prometheus.expect(
        r#"kiosk_transactions_total{action="borrow", outcome="queued", mode="offline"}"#,
        1.0,
    );
    prometheus.expect(r#"kiosk_queue_transactions{state="pending"}"#, 1.0);
    prometheus.expect("kiosk_in_service", 1.0);

    // The rules (their `for:` shortened) go to firing.
    let wanted: BTreeSet<String> = [
        "KioskIlsUnreachable",
        "KioskPrinterOutOfPaper",
        "KioskPartFailing",
        "KioskQueueWaiting",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    let fired = prometheus.until(Duration::from_secs(45), || {
        prometheus.firing().is_superset(&wanted)
    });
    assert!(
        fired,
        "firing: {:?}, wanted {wanted:?}\n{}",
        prometheus.firing(),
        prometheus.log()
    );
    assert!(!prometheus.firing().contains("KioskDown"));
    assert!(!prometheus.firing().contains("KioskOutOfService"));

    // Every query of the Grafana dashboard is valid PromQL against this Prometheus, and those
    // of the kiosk's row find its series.
    let dashboard: Value = serde_json::from_str(
        &std::fs::read_to_string(repo("deploy/grafana/kiosk-fleet.json")).unwrap(),
    )
    .unwrap();
    let instance = format!("127.0.0.1:{metrics_port}");
    let mut queries = 0;
    for panel in dashboard["panels"].as_array().unwrap() {
        for target in panel["targets"].as_array().into_iter().flatten() {
            let expr = target["expr"]
                .as_str()
                .unwrap()
                .replace("$instance", &instance)
                .replace("$__range", "1h")
                .replace("$__rate_interval", "1m");
            let data = prometheus.api("query", &[("query", &expr)]);
            let title = panel["title"].as_str().unwrap_or_default();
            if !title.starts_with("Item time") {
                assert!(
                    data["result"].as_array().is_some_and(|r| !r.is_empty()),
                    "{title}: {expr} found nothing"
                );
            }
            queries += 1;
        }
    }
    assert!(queries >= 15, "{queries} dashboard queries");
    kiosk.kill();
}

#[test]
fn promtool_accepts_the_shipped_rules_and_their_unit_tests_pass() {
    let check = tool("promtool")
        .args(["check", "rules"])
        .arg(repo("deploy/prometheus/kiosk-rules.yml"))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(out.contains("SUCCESS: 12 rules found"), "{out}");
    let test = tool("promtool")
        .args(["test", "rules"])
        .arg(repo("deploy/prometheus/kiosk-rules.test.yml"))
        .output()
        .unwrap();
    assert!(
        test.status.success(),
        "{}{}",
        String::from_utf8_lossy(&test.stdout),
        String::from_utf8_lossy(&test.stderr)
    );
}
