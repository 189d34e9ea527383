//! The SIP2 client against a scripted ACS on loopback, one test per error-detection path.

use kiosk::config::secrets::Secret;
use kiosk::ils::sip2::client::{LinkError, LinkSettings, LoginSettings, Sip2Client};
use kiosk::ils::sip2::replies::*;
use kiosk::ils::sip2::requests::*;
use kiosk::ils::sip2::{Framing, Reply, Request, Tri, decode_request, encode_reply};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

mod common;
use common::sip2::{acs_status, item_reply, item_request};

/// What the scripted ACS does with one received message: the messages it sends back.
type Action = Box<dyn Fn(&[u8]) -> Vec<Vec<u8>> + Send>;

/// A scripted ACS: per accepted connection, one action per message received; after the last
/// action it closes the connection if `close` is set, or keeps reading without answering.
struct Script {
    connections: Vec<(Vec<Action>, bool)>,
}

struct Acs {
    port: u16,
    received: Arc<Mutex<Vec<String>>>,
    thread: Option<JoinHandle<()>>,
}

impl Acs {
    fn start(script: Script) -> Acs {
        Acs::start_on(TcpListener::bind("127.0.0.1:0").unwrap(), script)
    }

    fn start_on(listener: TcpListener, script: Script) -> Acs {
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&received);
        let thread = std::thread::spawn(move || {
            for (actions, close) in script.connections {
                let (stream, _) = listener.accept().unwrap();
                serve(stream, actions, close, &log);
            }
        });
        Acs {
            port,
            received,
            thread: Some(thread),
        }
    }

    fn received(&self) -> Vec<String> {
        self.received.lock().unwrap().clone()
    }

    fn wait(&mut self) {
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
    }
}

fn serve(stream: TcpStream, actions: Vec<Action>, close: bool, log: &Mutex<Vec<String>>) {
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let read = |reader: &mut BufReader<TcpStream>| {
        let mut message = Vec::new();
        let n = reader.read_until(b'\r', &mut message).unwrap_or(0);
        (n > 0).then(|| {
            let text = String::from_utf8_lossy(&message)
                .trim_matches(['\r', '\n'])
                .to_owned();
            log.lock().unwrap().push(text);
            message
        })
    };
    for action in actions {
        let Some(message) = read(&mut reader) else {
            return;
        };
        for reply in action(&message) {
            writer.write_all(&reply).unwrap();
        }
    }
    if !close {
        while read(&mut reader).is_some() {}
    }
}

fn framing() -> Framing {
    Framing::default()
}

/// The reply, with the AY of the request it answers.
fn answer(reply: Reply) -> Action {
    Box::new(move |request: &[u8]| {
        let sequence = decode_request(request, &framing()).unwrap().sequence;
        vec![encode_reply(&reply, sequence, &framing()).unwrap()]
    })
}

/// The reply with one checksum digit changed.
fn corrupted(reply: Reply) -> Action {
    Box::new(move |request: &[u8]| {
        let sequence = decode_request(request, &framing()).unwrap().sequence;
        let mut bytes = encode_reply(&reply, sequence, &framing()).unwrap();
        let at = bytes.len() - 2;
        bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
        vec![bytes]
    })
}

fn silence() -> Action {
    Box::new(|_| Vec::new())
}

/// The reply corrupted, then (on the 97 that follows) intact, with the AY of the request.
fn corrupted_then_intact(reply: Reply) -> (Action, Action) {
    let sequence = Arc::new(Mutex::new(None));
    let seen = Arc::clone(&sequence);
    let first = corrupted(reply.clone());
    let corrupt: Action = Box::new(move |request: &[u8]| {
        *seen.lock().unwrap() = decode_request(request, &framing()).unwrap().sequence;
        first(request)
    });
    let intact: Action = Box::new(move |_: &[u8]| {
        let sequence = *sequence.lock().unwrap();
        vec![encode_reply(&reply, sequence, &framing()).unwrap()]
    });
    (corrupt, intact)
}

fn checkout_request() -> Request {
    Request::Checkout(CheckoutRequest {
        sc_renewal_policy: false,
        no_block: false,
        date: chrono::NaiveDate::from_ymd_opt(2026, 11, 29)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap(),
        nb_due_date: None,
        terminal: Terminal {
            institution: "MAIN".into(),
            terminal_password: None,
        },
        patron: "P1".into(),
        item: "3023".into(),
        item_properties: None,
        patron_password: None,
        fee_acknowledged: None,
        cancel: None,
    })
}

fn settings(port: u16) -> LinkSettings {
    LinkSettings {
        host: "127.0.0.1".into(),
        port,
        tls: None,
        framing: framing(),
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_millis(300),
        retries: 1,
        use_acs_timeouts: false,
        heartbeat: Duration::from_secs(3600),
        max_resends: 3,
        max_backoff: Duration::from_secs(1),
        liveness: Duration::from_secs(5),
        login: None,
        detect_terminator: false,
    }
}

fn codes(received: &[String]) -> Vec<&str> {
    received.iter().map(|m| &m[..2]).collect()
}

fn title(reply: Result<Reply, LinkError>) -> String {
    match reply {
        Ok(Reply::ItemInformation(m)) => m.title,
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_96_makes_the_client_send_the_same_request_again() {
    let acs = Acs::start(Script {
        connections: vec![(
            vec![
                answer(acs_status()),
                answer(Reply::ResendLastRequest),
                answer(item_reply("Resent")),
            ],
            false,
        )],
    });
    let mut client = Sip2Client::new(settings(acs.port));
    assert_eq!(title(client.request(&item_request())), "Resent");
    let received = acs.received();
    assert_eq!(codes(&received), ["99", "17", "17"]);
    assert_eq!(received[1], received[2], "the very same bytes, same AY");
}

#[test]
fn a_corrupted_reply_is_asked_for_again_with_97() {
    let (corrupt, intact) = corrupted_then_intact(item_reply("Intact"));
    let acs = Acs::start(Script {
        connections: vec![(vec![answer(acs_status()), corrupt, intact], false)],
    });
    let mut client = Sip2Client::new(settings(acs.port));
    assert_eq!(title(client.request(&item_request())), "Intact");
    let received = acs.received();
    assert_eq!(codes(&received), ["99", "17", "97"]);
    assert_eq!(received[2], "97AZFEF5");
}

#[test]
fn a_reply_with_the_wrong_sequence_number_is_discarded() {
    let stale = encode_reply(&item_reply("Stale"), Some(7), &framing()).unwrap();
    let acs = Acs::start(Script {
        connections: vec![(
            vec![
                answer(acs_status()),
                Box::new(move |request: &[u8]| {
                    let sequence = decode_request(request, &framing()).unwrap().sequence;
                    assert_ne!(sequence, Some(7));
                    let right = encode_reply(&item_reply("Fresh"), sequence, &framing()).unwrap();
                    vec![stale.clone(), right]
                }),
            ],
            false,
        )],
    });
    let mut client = Sip2Client::new(settings(acs.port));
    assert_eq!(title(client.request(&item_request())), "Fresh");
    assert_eq!(codes(&acs.received()), ["99", "17"]);
}

#[test]
fn no_reply_to_a_question_means_a_retry_then_link_down() {
    let acs = Acs::start(Script {
        connections: vec![(vec![answer(acs_status()), silence(), silence()], false)],
    });
    let mut client = Sip2Client::new(settings(acs.port));
    let started = Instant::now();
    let result = client.request(&item_request());
    assert!(
        matches!(&result, Err(LinkError::Down { .. })),
        "no answer: {result:?}"
    );
    assert!(started.elapsed() >= Duration::from_millis(600));
    let received = acs.received();
    assert_eq!(codes(&received), ["99", "17", "17"]);
    assert_eq!(received[1], received[2], "retransmitted with the same AY");
    assert!(!client.is_connected(), "a dead link is dropped");
}

/// The reply, after a pause longer than the client waits.
fn late(reply: Reply, pause: Duration) -> Action {
    let reply = answer(reply);
    Box::new(move |request: &[u8]| {
        std::thread::sleep(pause);
        reply(request)
    })
}

fn checkout_reply() -> Reply {
    Reply::Checkout(CirculationReply {
        ok: true,
        renewal_ok: false,
        magnetic_media: Tri::No,
        desensitize: Tri::Yes,
        date: None,
        institution: "MAIN".into(),
        patron: "P1".into(),
        item: "3023".into(),
        title: "Late".into(),
        due_date: None,
        fee_type: None,
        security_inhibit: None,
        currency: None,
        fee_amount: None,
        media_type: None,
        item_properties: None,
        transaction_id: None,
        messages: Messages::default(),
    })
}

#[test]
fn a_checkout_without_a_reply_is_never_sent_again_and_its_late_reply_is_discarded() {
    // Retries allowed, and error detection on: still, an ACS need not recognise a repeat, and
    // a checkout it runs twice is a renewal.
    let acs = Acs::start(Script {
        connections: vec![(
            vec![
                answer(acs_status()),
                late(checkout_reply(), Duration::from_millis(500)),
                answer(item_reply("Asked after")),
            ],
            false,
        )],
    });
    let mut client = Sip2Client::new(LinkSettings {
        retries: 3,
        ..settings(acs.port)
    });
    let result = client.request(&checkout_request());
    assert!(
        matches!(&result, Err(LinkError::Down { sent: true, .. })),
        "the outcome of the checkout is unknown: {result:?}"
    );
    assert!(
        client.is_connected(),
        "the connection is kept for the question that settles it"
    );
    // What is asked next is answered after the checkout: its late reply is not taken for it.
    assert_eq!(title(client.request(&item_request())), "Asked after");
    assert_eq!(
        codes(&acs.received()),
        ["99", "11", "17"],
        "the checkout went once"
    );
}

#[test]
fn a_late_reply_that_arrived_while_idle_does_not_cost_a_reconnect() {
    let acs = Acs::start(Script {
        connections: vec![(
            vec![
                answer(acs_status()),
                late(checkout_reply(), Duration::from_millis(400)),
                answer(item_reply("Same connection")),
            ],
            false,
        )],
    });
    let mut client = Sip2Client::new(settings(acs.port));
    assert!(client.request(&checkout_request()).is_err());
    // The late reply is in the socket before anything else is asked.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(title(client.request(&item_request())), "Same connection");
    assert_eq!(codes(&acs.received()), ["99", "11", "17"]);
}

/// The reply, ended CR LF as some ACSes are set to.
fn answer_crlf(reply: Reply) -> Action {
    let reply = answer(reply);
    Box::new(move |request: &[u8]| {
        let mut bytes = reply(request).remove(0);
        bytes.push(b'\n');
        // The LF in a segment of its own, as it may come.
        let lf = bytes.split_off(bytes.len() - 1);
        vec![bytes, lf]
    })
}

#[test]
fn crlf_replies_keep_one_connection() {
    let mut actions = vec![
        answer_crlf(Reply::Login { ok: true }),
        answer_crlf(acs_status()),
    ];
    actions.extend((0..5).map(|_| answer_crlf(item_reply("CRLF"))));
    let acs = Acs::start(Script {
        // A second connection would be refused: the test fails on a reconnect.
        connections: vec![(actions, false)],
    });
    let mut client = Sip2Client::new(LinkSettings {
        login: Some(LoginSettings {
            user: "kiosk-01".into(),
            password: Secret::new("s3cret"),
            location: None,
        }),
        ..settings(acs.port)
    });
    for _ in 0..5 {
        assert_eq!(title(client.request(&item_request())), "CRLF");
        std::thread::sleep(Duration::from_millis(20));
    }
    let received = acs.received();
    assert_eq!(codes(&received), ["93", "99", "17", "17", "17", "17", "17"]);
}

#[test]
fn a_96_in_answer_to_our_97_means_the_link_is_down() {
    let acs = Acs::start(Script {
        connections: vec![(
            vec![
                answer(acs_status()),
                corrupted(item_reply("Garbled")),
                answer(Reply::ResendLastRequest),
            ],
            false,
        )],
    });
    let mut client = Sip2Client::new(settings(acs.port));
    let result = client.request(&checkout_request());
    assert!(
        matches!(&result, Err(LinkError::Down { reason, .. }) if reason.contains("resend")),
        "{result:?}"
    );
    assert_eq!(codes(&acs.received()), ["99", "11", "97"]);
}

#[test]
fn an_idle_link_gets_a_heartbeat() {
    let acs = Acs::start(Script {
        connections: vec![(vec![answer(acs_status()), answer(acs_status())], false)],
    });
    let mut client = Sip2Client::new(LinkSettings {
        heartbeat: Duration::from_millis(200),
        ..settings(acs.port)
    });
    client.keep_alive().unwrap();
    client.keep_alive().unwrap();
    assert_eq!(codes(&acs.received()), ["99"], "not due yet: nothing sent");
    std::thread::sleep(client.next_heartbeat() + Duration::from_millis(20));
    client.keep_alive().unwrap();
    assert_eq!(codes(&acs.received()), ["99", "99"]);
    assert!(client.acs_status().is_some_and(|s| s.online));
}

#[test]
fn after_a_server_restart_the_client_reconnects_and_logs_in_again() {
    let login_ok = || answer(Reply::Login { ok: true });
    let mut first = Acs::start(Script {
        connections: vec![(
            vec![
                login_ok(),
                answer(acs_status()),
                answer(item_reply("Before")),
            ],
            true,
        )],
    });
    let port = first.port;
    let mut client = Sip2Client::new(LinkSettings {
        login: Some(LoginSettings {
            user: "kiosk-01".into(),
            password: Secret::new("s3cret"),
            location: Some("MAIN-1".into()),
        }),
        ..settings(port)
    });
    assert_eq!(title(client.request(&item_request())), "Before");
    first.wait();
    // The ACS restarts on the same port.
    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let second = Acs::start_on(
        listener,
        Script {
            connections: vec![(
                vec![
                    login_ok(),
                    answer(acs_status()),
                    answer(item_reply("After")),
                ],
                false,
            )],
        },
    );
    assert_eq!(title(client.request(&item_request())), "After");
    let received = second.received();
    assert_eq!(codes(&received), ["93", "99", "17"]);
    assert!(
        received[0].starts_with("9300CNkiosk-01|COs3cret|CPMAIN-1|"),
        "{}",
        received[0]
    );
    assert_eq!(codes(&first.received()), ["93", "99", "17"]);
}

#[test]
fn a_refused_login_is_told_apart_from_a_link_failure() {
    let acs = Acs::start(Script {
        connections: vec![(vec![answer(Reply::Login { ok: false })], true)],
    });
    let mut client = Sip2Client::new(LinkSettings {
        login: Some(LoginSettings {
            user: "kiosk-01".into(),
            password: Secret::new("wrong"),
            location: None,
        }),
        ..settings(acs.port)
    });
    let result = client.request(&item_request());
    assert_eq!(
        result,
        Err(LinkError::LoginRefused {
            user: "kiosk-01".into()
        })
    );
}

#[test]
fn without_error_detection_a_timed_out_checkout_is_not_repeated() {
    let no_ed = Framing {
        error_detection: false,
        ..framing()
    };
    let status = encode_reply(&acs_status(), None, &no_ed).unwrap();
    let acs = Acs::start(Script {
        connections: vec![(
            vec![Box::new(move |_: &[u8]| vec![status.clone()]), silence()],
            false,
        )],
    });
    let mut client = Sip2Client::new(LinkSettings {
        framing: no_ed,
        retries: 3,
        ..settings(acs.port)
    });
    let checkin = Request::Checkin(CheckinRequest {
        no_block: false,
        date: chrono::NaiveDate::from_ymd_opt(2026, 11, 29)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap(),
        return_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 29)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap(),
        current_location: "MAIN".into(),
        terminal: Terminal {
            institution: "MAIN".into(),
            terminal_password: None,
        },
        item: "3023".into(),
        item_properties: None,
        cancel: None,
    });
    let result = client.request(&checkin);
    assert!(
        matches!(result, Err(LinkError::Down { sent: true, .. })),
        "{result:?}"
    );
    assert_eq!(
        codes(&acs.received()),
        ["99", "09"],
        "sent once: a repeat could apply it twice"
    );
}

#[test]
fn the_sequence_number_counts_up_and_wraps_from_9_to_0() {
    let mut actions = vec![answer(acs_status())];
    for _ in 0..11 {
        actions.push(answer(item_reply("Again")));
    }
    let acs = Acs::start(Script {
        connections: vec![(actions, false)],
    });
    let mut client = Sip2Client::new(settings(acs.port));
    for _ in 0..11 {
        assert_eq!(title(client.request(&item_request())), "Again");
    }
    let sequences: Vec<char> = acs
        .received()
        .iter()
        .map(|m| m[m.find("AY").unwrap() + 2..].chars().next().unwrap())
        .collect();
    assert_eq!(sequences.iter().collect::<String>(), "012345678901");
}
