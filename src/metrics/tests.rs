use super::*;
use crate::circ::effect::{ItemOutcome, ItemResult, Transaction};
use crate::circ::screen::{Language, Page, Screen};
use crate::circ::types::{ItemId, PatronId};
use crate::circ::{Effect, Reason, Refusal};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Instant;

fn metrics() -> Arc<Metrics> {
    Arc::new(Metrics::new(BuildInfo {
        version: "9.9.9",
        ils_kind: "sim",
        journal: PathBuf::from("/nonexistent/journal.db"),
    }))
}

/// The sample lines of the text, without comments.
fn sample(text: &str, prefix: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(prefix) && l[prefix.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

fn recorded(offline: bool) -> Effect {
    Effect::Recorded {
        transaction: Transaction {
            action: Action::Borrow,
            patron: Some(PatronId("20234000000019".into())),
            item: ItemId("30234000001015".into()),
            due: None,
            offline,
        },
    }
}

fn refused(reason: Reason) -> Effect {
    Effect::Outcome {
        outcome: ItemOutcome {
            item: ItemId("30234000001056".into()),
            action: Action::Borrow,
            title: Some("红楼梦".into()),
            result: ItemResult::Refused { reason },
            screen_message: None,
        },
    }
}

#[test]
fn effects_become_counts_by_action_outcome_and_mode_without_the_item_or_reader() {
    let metrics = metrics();
    let mut tap = Tap::new(Arc::clone(&metrics));
    tap.effect(&recorded(false));
    tap.effect(&recorded(false));
    tap.effect(&refused(Reason::NotForLoan));
    // Offline from here: the next refusal and the queued loan count as offline.
    let mut offline = Screen::blank(Page::Borrow, Language::En);
    offline.offline = true;
    tap.effect(&Effect::Show {
        screen: Box::new(offline),
    });
    tap.effect(&recorded(true));
    tap.effect(&refused(Reason::NotForOfflineIssue));
    // A pending outcome is not an outcome yet.
    tap.effect(&Effect::Outcome {
        outcome: ItemOutcome {
            item: ItemId("x".into()),
            action: Action::Return,
            title: None,
            result: ItemResult::Pending,
            screen_message: None,
        },
    });
    let text = metrics.render_now();
    let count = |labels: &str| sample(&text, &format!("kiosk_transactions_total{{{labels}}}"));
    assert_eq!(
        count(r#"action="borrow",mode="online",outcome="done""#),
        Some(2.0)
    );
    assert_eq!(
        count(r#"action="borrow",mode="online",outcome="refused""#),
        Some(1.0)
    );
    assert_eq!(
        count(r#"action="borrow",mode="offline",outcome="queued""#),
        Some(1.0)
    );
    assert_eq!(
        count(r#"action="borrow",mode="offline",outcome="refused""#),
        Some(1.0)
    );
    assert_eq!(
        count(r#"action="return",mode="online",outcome="done""#),
        Some(0.0),
        "every series starts at 0"
    );
    assert_eq!(
        sample(
            &text,
            r#"kiosk_refusals_total{reason="not_for_offline_issue"}"#
        ),
        Some(1.0)
    );
    for id in [
        "20234000000019",
        "30234000001015",
        "30234000001056",
        "红楼梦",
    ] {
        assert!(!text.contains(id), "{id} in the metrics");
    }
}

#[test]
fn the_out_of_service_code_is_one_of_the_known_codes_and_service_comes_back() {
    let metrics = metrics();
    let mut tap = Tap::new(Arc::clone(&metrics));
    let mut screen = Screen::blank(Page::OutOfService, Language::En);
    screen.notice = Some(Refusal::new(Reason::OutOfService {
        fault: "RFID_READER".into(),
    }));
    tap.effect(&Effect::Show {
        screen: Box::new(screen.clone()),
    });
    let text = metrics.render_now();
    assert_eq!(sample(&text, "kiosk_in_service"), Some(0.0));
    assert_eq!(
        sample(&text, r#"kiosk_out_of_service{code="RFID_READER"}"#),
        Some(1.0)
    );
    assert_eq!(
        sample(&text, r#"kiosk_out_of_service{code="ILS"}"#),
        Some(0.0)
    );
    // A code nobody listed (an unexpected fault text) is OTHER, not a new label value.
    screen.notice = Some(Refusal::new(Reason::OutOfService {
        fault: "patron 2023 said something".into(),
    }));
    tap.effect(&Effect::Show {
        screen: Box::new(screen),
    });
    let text = metrics.render_now();
    assert_eq!(
        sample(&text, r#"kiosk_out_of_service{code="OTHER"}"#),
        Some(1.0)
    );
    assert!(!text.contains("patron 2023"));
    tap.effect(&Effect::Show {
        screen: Box::new(Screen::blank(Page::Idle, Language::En)),
    });
    let text = metrics.render_now();
    assert_eq!(sample(&text, "kiosk_in_service"), Some(1.0));
    assert_eq!(
        sample(&text, r#"kiosk_out_of_service{code="OTHER"}"#),
        Some(0.0)
    );
}

#[test]
fn a_finished_visit_gives_its_length_and_item_times_and_ils_times_by_request() {
    let metrics = metrics();
    metrics.visit(&crate::circ::visit_stats::VisitRecord {
        kind: "borrow",
        items: 2,
        duration_secs: 40,
        touches: 6,
        language: Language::ZhCn,
        item_ms: vec![300, 1200],
    });
    metrics.ils_request("checkout", Duration::from_millis(20));
    // Only the session's requests are timed; nothing else becomes a label.
    metrics.ils_request("staff", Duration::from_millis(20));
    let text = metrics.render_now();
    assert_eq!(
        sample(&text, r#"kiosk_sessions_total{kind="borrow"}"#),
        Some(1.0)
    );
    assert_eq!(
        sample(&text, "kiosk_session_duration_seconds_sum"),
        Some(40.0)
    );
    assert_eq!(sample(&text, "kiosk_item_seconds_count"), Some(2.0));
    assert_eq!(
        sample(&text, r#"kiosk_item_seconds_bucket{le="0.5"}"#),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &text,
            r#"kiosk_ils_request_seconds_count{request="checkout"}"#
        ),
        Some(1.0)
    );
    assert!(!text.contains("\"staff\""));
}

/// Sends `request` on a fresh connection; the status code.
fn status(port: u16, request: &[u8]) -> u16 {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply);
    let text = String::from_utf8_lossy(&reply);
    text.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn endpoint(token: Option<&str>) -> u16 {
    let listen = "127.0.0.1:0".parse().unwrap();
    let token = token.map(|t| Secret::new(t.to_owned()));
    server::serve(listen, token, metrics())
        .unwrap()
        .local_addr
        .port()
}

use crate::config::secrets::Secret;

#[test]
fn silent_and_slow_clients_do_not_hold_up_a_scrape_and_give_up_by_the_deadline() {
    let port = endpoint(None);
    // Two connections that never send anything, one that stops half-way.
    let silent: Vec<TcpStream> = (0..2)
        .map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap())
        .collect();
    let mut dribble = TcpStream::connect(("127.0.0.1", port)).unwrap();
    dribble.write_all(b"GET /met").unwrap();
    std::thread::sleep(Duration::from_millis(100));
    // Three workers are held by them; a real scrape gets the fourth at once.
    let started = Instant::now();
    assert_eq!(status(port, b"GET /metrics HTTP/1.1\r\n\r\n"), 200);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "a scrape waited {:?} behind silent clients",
        started.elapsed()
    );
    // With every worker held, a scrape waits its turn: at most until their deadline.
    let more: Vec<TcpStream> = (0..2)
        .map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    assert_eq!(status(port, b"GET /metrics HTTP/1.1\r\n\r\n"), 200);
    assert!(started.elapsed() < Duration::from_secs(3));
    drop(more);
    // The silent ones are told 408 when their deadline passes.
    let mut first = silent.into_iter().next().unwrap();
    first
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reply = String::new();
    let _ = first.read_to_string(&mut reply);
    assert!(reply.starts_with("HTTP/1.1 408"), "{reply:?}");
}

#[test]
fn beyond_its_workers_and_queue_the_endpoint_answers_503_at_once() {
    let port = endpoint(None);
    // Every worker and every place in the queue taken by silent connections.
    let held: Vec<TcpStream> = (0..80)
        .map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    assert_eq!(status(port, b"GET /metrics HTTP/1.1\r\n\r\n"), 503);
    assert!(started.elapsed() < Duration::from_secs(1));
    drop(held);
}

#[test]
fn bad_requests_get_4xx_and_the_token_is_required_when_set() {
    let port = endpoint(Some("s3cret"));
    assert_eq!(status(port, b"GET /metrics HTTP/1.1\r\n\r\n"), 401);
    assert_eq!(
        status(
            port,
            b"GET /metrics HTTP/1.1\r\nAuthorization: Bearer s3cre\r\n\r\n"
        ),
        401
    );
    assert_eq!(
        status(
            port,
            b"GET /metrics?x=1 HTTP/1.1\r\nauthorization: Bearer s3cret\r\n\r\n"
        ),
        200
    );
    assert_eq!(status(port, b"DELETE /metrics HTTP/1.1\r\n\r\n"), 405);
    assert_eq!(status(port, b"GET /admin HTTP/1.1\r\n\r\n"), 404);
    assert_eq!(status(port, b"\x00\x01\x02\r\n\r\n"), 400);
    let mut huge = b"GET /metrics HTTP/1.1\r\nX: ".to_vec();
    huge.extend(std::iter::repeat_n(b'a', 9000));
    assert_eq!(status(port, &huge), 431);
    // HEAD: the headers, no body.
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .write_all(b"HEAD /metrics HTTP/1.1\r\nAuthorization: Bearer s3cret\r\n\r\n")
        .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"));
    assert!(reply.ends_with("\r\n\r\n"), "no body after HEAD");
}

#[test]
fn books_through_the_return_slot_are_counted_once_each_as_the_flap_saw_them() {
    use crate::app::devices::DeviceHub;
    use crate::circ::Moment;
    let config = kiosk_hw::config::HwConfig::default();
    let mut hub = DeviceHub::new(kiosk_hw::machine::open(&config), &config);
    let sim = hub.sim().cloned().expect("the simulated machine");
    let metrics = metrics();
    let mut tap = Tap::new(Arc::clone(&metrics));
    let books = |metrics: &Metrics| sample(&metrics.render_now(), "kiosk_return_slot_books_total");
    tap.machine(&hub);
    assert_eq!(books(&metrics), Some(0.0));
    hub.carry_out(&Effect::ReturnSlot { unlock: true });
    for (n, at) in [(1, 1), (2, 3), (3, 5)] {
        sim.set_slot_open(true);
        hub.poll(Moment::ZERO + Duration::from_secs(at));
        sim.set_slot_open(false);
        hub.poll(Moment::ZERO + Duration::from_secs(at + 1));
        // Looked at after each book, and once more with nothing new: each book counts once.
        tap.machine(&hub);
        tap.machine(&hub);
        assert_eq!(books(&metrics), Some(f64::from(n)));
    }
}
