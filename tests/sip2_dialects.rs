//! SIP2 as real servers frame it: messages ended by CR, CR LF or LF alone, cut into TCP
//! segments anywhere, or several in one segment. The kiosk's SIP2 client against a raw peer that
//! frames its replies so, and against the project's own SIP2 server (the simulated ACS), which
//! answers a client in the terminator the client ends its messages with.

use kiosk::ils::sim::SimIls;
use kiosk::ils::sim::seed::Seed;
use kiosk::ils::sip2::client::{LinkSettings, Sip2Client};
use kiosk::ils::sip2::server::{Acs, AcsSettings, ServerSettings, Sip2Server};
use kiosk::ils::sip2::{Framing, Reply, Request, Terminator, decode_request, encode_reply};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod common;
use common::sip2::{acs_status, item_reply, item_request_for};

fn settings(port: u16, terminator: Terminator) -> LinkSettings {
    LinkSettings {
        host: "127.0.0.1".into(),
        port,
        tls: None,
        framing: Framing {
            terminator,
            ..Framing::default()
        },
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_millis(800),
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

/// How the raw peer cuts and ends what it sends.
#[derive(Clone, Copy)]
enum Wire {
    /// Each reply ended by this, in one write.
    Ended(&'static [u8]),
    /// Ended by CR, written a byte at a time (a segment each).
    ByteByByte,
    /// Each reply sent in one segment after a late duplicate of the one before (its old AY).
    TwoInOne,
}

/// A peer that reads requests (ended by CR) and answers the status request, then each item
/// request with an item titled after its order, framed as `wire` says. Records the requests.
fn peer(wire: Wire) -> (u16, Arc<Mutex<Vec<Vec<u8>>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let log = Arc::new(Mutex::new(Vec::new()));
    let received = Arc::clone(&log);
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream.set_nodelay(true).unwrap();
        let mut previous = Vec::new();
        let mut buffer = Vec::new();
        let mut answered = 0;
        loop {
            let mut chunk = [0u8; 512];
            let Ok(n @ 1..) = stream.read(&mut chunk) else {
                return;
            };
            buffer.extend_from_slice(&chunk[..n]);
            while let Some(end) = buffer.iter().position(|b| matches!(b, b'\r' | b'\n')) {
                let message: Vec<u8> = buffer.drain(..=end).collect();
                if message.len() < 2 {
                    continue;
                }
                received.lock().unwrap().push(message.clone());
                let request = decode_request(&message, &Framing::default()).unwrap();
                let reply = match request.message {
                    Request::ScStatus(_) => acs_status(),
                    _ => {
                        answered += 1;
                        item_reply(&format!("Book {answered}"))
                    }
                };
                let mut bytes =
                    encode_reply(&reply, request.sequence, &Framing::default()).unwrap();
                match wire {
                    Wire::Ended(terminator) => {
                        bytes.pop();
                        bytes.extend_from_slice(terminator);
                        stream.write_all(&bytes).unwrap();
                    }
                    Wire::ByteByByte => {
                        for byte in bytes {
                            stream.write_all(&[byte]).unwrap();
                            std::thread::sleep(Duration::from_millis(2));
                        }
                    }
                    Wire::TwoInOne => {
                        // The last reply again (a late duplicate, its old AY) and this one,
                        // in one write.
                        let mut segment = std::mem::replace(&mut previous, bytes.clone());
                        segment.extend_from_slice(&bytes);
                        stream.write_all(&segment).unwrap();
                    }
                }
            }
        }
    });
    (port, log)
}

fn title(reply: Reply) -> String {
    match reply {
        Reply::ItemInformation(item) => item.title,
        other => panic!("not an item: {other:?}"),
    }
}

#[test]
fn replies_ended_by_cr_crlf_or_lf_alone_are_all_understood_on_one_connection() {
    for terminator in [&b"\r"[..], b"\r\n", b"\n"] {
        let (port, requests) = peer(Wire::Ended(terminator));
        let mut client = Sip2Client::new(settings(port, Terminator::Cr));
        for n in 1..=3 {
            let reply = client
                .request(&item_request_for("3023"))
                .unwrap_or_else(|e| panic!("{terminator:?}: {e}"));
            assert_eq!(title(reply), format!("Book {n}"), "{terminator:?}");
        }
        // One status at the start, then one request per item: nothing repeated, no reconnect.
        assert_eq!(requests.lock().unwrap().len(), 4, "{terminator:?}");
    }
}

#[test]
fn a_reply_cut_into_one_byte_segments_is_put_together() {
    let (port, _) = peer(Wire::ByteByByte);
    let mut client = Sip2Client::new(settings(port, Terminator::Cr));
    for n in 1..=2 {
        let reply = client.request(&item_request_for("3023")).unwrap();
        assert_eq!(title(reply), format!("Book {n}"));
    }
}

#[test]
fn two_replies_in_one_segment_are_taken_apart_and_the_late_duplicate_dropped() {
    let (port, requests) = peer(Wire::TwoInOne);
    let mut client = Sip2Client::new(settings(port, Terminator::Cr));
    for n in 1..=3 {
        let reply = client.request(&item_request_for("3023")).unwrap();
        assert_eq!(title(reply), format!("Book {n}"));
    }
    assert_eq!(requests.lock().unwrap().len(), 4, "nothing asked twice");
}

/// The project's SIP2 server on the simulated library.
fn simulated_acs() -> u16 {
    simulated_acs_with_handle().0
}

/// The same, closing connections idle for `idle` (as Koha's `client_timeout` does); and a handle
/// on it.
fn simulated_acs_closing_after(idle: Duration) -> (u16, Arc<Mutex<Acs>>) {
    let sim = SimIls::new(
        &Seed::builtin(),
        Arc::new(|| chrono::Local::now().naive_local()),
    );
    let server = Sip2Server::bind(
        "127.0.0.1:0",
        sim,
        ServerSettings {
            framing: Framing::default(),
            acs: AcsSettings {
                institution: "SIM".into(),
                library_name: "dialects".into(),
                offline_ok: false,
            },
            idle_timeout: idle,
        },
    )
    .unwrap();
    let acs = server.acs();
    (server.spawn().unwrap().port(), acs)
}

#[test]
fn a_kiosk_set_to_lf_or_crlf_is_served_by_the_simulated_acs_in_its_own_terminator() {
    for terminator in [Terminator::Cr, Terminator::Crlf, Terminator::Lf] {
        let port = simulated_acs();
        let mut client = Sip2Client::new(settings(port, terminator));
        for _ in 0..3 {
            let reply = client
                .request(&item_request_for("30234000001015"))
                .unwrap_or_else(|e| panic!("{terminator:?}: {e}"));
            assert_eq!(title(reply), "三体", "{terminator:?}");
        }
        // And the server answers a raw LF client with LF, not CR.
        let mut raw = TcpStream::connect(("127.0.0.1", port)).unwrap();
        raw.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        raw.write_all(b"9900302.00AY1AZFCA5\n").unwrap();
        let mut answer = [0u8; 512];
        let n = raw.read(&mut answer).unwrap();
        assert!(
            n > 2 && answer[..n].starts_with(b"98"),
            "{:?}",
            &answer[..n]
        );
        assert_eq!(
            &answer[n - 1..n],
            b"\n",
            "{:?}",
            String::from_utf8_lossy(&answer[..n])
        );
        assert!(!answer[..n].contains(&b'\r'));
    }
}

#[test]
fn an_item_id_with_spaces_and_a_slash_reaches_the_acs_as_the_ils_gave_it() {
    // As an ILS lists a reader's loans (and the renew page sends them back).
    let (port, requests) = peer(Wire::Ended(b"\r"));
    let mut client = Sip2Client::new(settings(port, Terminator::Cr));
    let code = "B 12345/2";
    let reply = client.request(&item_request_for(code)).unwrap();
    assert_eq!(title(reply), "Book 1");
    let sent = requests.lock().unwrap().last().cloned().unwrap();
    let text = String::from_utf8(sent).unwrap();
    assert!(text.contains("|ABB 12345/2|"), "{text:?}");
}

#[test]
fn a_connection_the_acs_closed_while_idle_is_replaced_before_the_reader_s_request() {
    let (port, _) = simulated_acs_closing_after(Duration::from_millis(500));
    let mut client = Sip2Client::new(settings(port, Terminator::Cr));
    assert_eq!(
        title(client.request(&item_request_for("30234000001015")).unwrap()),
        "三体"
    );
    // The ACS drops the idle connection; the next reader's request goes out on a new one at
    // once, not after a timeout on the dead one.
    std::thread::sleep(Duration::from_millis(1200));
    let started = std::time::Instant::now();
    assert_eq!(
        title(client.request(&item_request_for("30234000001015")).unwrap()),
        "三体"
    );
    assert!(
        started.elapsed() < Duration::from_millis(700),
        "the reader waited {:?}",
        started.elapsed()
    );
}

/// The simulated ACS, and a handle to change what its status allows.
fn simulated_acs_with_handle() -> (u16, Arc<Mutex<Acs>>) {
    simulated_acs_closing_after(Duration::from_secs(60))
}

#[test]
fn an_acs_whose_status_forbids_checkouts_or_checkins_is_sent_none_and_the_reader_goes_to_the_desk()
{
    use kiosk::circ::Reason;
    use kiosk::circ::types::{ItemId, PatronId};
    use kiosk::config::secrets::Secret;
    use kiosk::ils::Ils;
    use kiosk::ils::sip2::adapter::{Sip2Ils, Sip2Section};
    use kiosk::ils::sip2::server::lock_for_tests;

    let (port, acs) = simulated_acs_with_handle();
    let close = |checkouts, checkins| acs.lock().unwrap().set_circulation(checkouts, checkins);
    let section: Sip2Section = toml::from_str(&format!(
        "host = \"127.0.0.1\"\nport = {port}\ninstitution = \"SIM\"\n"
    ))
    .unwrap();
    let mut ils = Sip2Ils::new(section, Some(Secret::new("")), None);
    ils.connect().unwrap();
    let (reader, book) = (
        PatronId("20234000000019".into()),
        ItemId("30234000001015".into()),
    );

    // The library closes loans at this terminal (a stocktake) after the kiosk connected: the
    // ACS refuses the next checkout, the kiosk asks its status, learns why, and the reader is
    // told to go to the desk (not the ACS's words); the readers after are told without a
    // checkout being sent.
    close(false, true);
    for _ in 0..2 {
        let refused = ils.checkout(&reader, &book).unwrap().unwrap_err();
        assert_eq!(refused.reason, Reason::CheckoutsClosed);
        assert!(refused.reason.explain().contains("staff desk"));
    }
    assert_eq!(lock_for_tests(&acs).checkouts, 0, "nothing was lent");

    // Loans open again and returns close: the kiosk asks afresh before the next reader's loan
    // rather than waiting for its heartbeat.
    close(true, false);
    assert!(ils.checkout(&reader, &book).unwrap().is_ok());
    let refused = ils.checkin(&book).unwrap().unwrap_err();
    assert_eq!(refused.reason, Reason::CheckinsClosed);
    assert_eq!(lock_for_tests(&acs).checkins, 0);

    // A client that sends anyway (another kiosk, a replay) is refused by the ACS itself.
    let mut raw = Sip2Client::new(settings(port, Terminator::Cr));
    let checkin = kiosk::ils::sip2::requests::CheckinRequest {
        no_block: false,
        date: chrono::Local::now().naive_local(),
        return_date: chrono::Local::now().naive_local(),
        current_location: String::new(),
        terminal: kiosk::ils::sip2::requests::Terminal {
            institution: "SIM".into(),
            terminal_password: None,
        },
        item: book.0.clone(),
        item_properties: None,
        cancel: None,
    };
    match raw.request(&Request::Checkin(checkin)).unwrap() {
        Reply::Checkin(reply) => {
            assert!(!reply.ok);
            assert_eq!(
                reply.messages.screen,
                ["Checkin not allowed at this terminal"]
            );
        }
        other => panic!("{other:?}"),
    }

    close(true, true);
    assert!(ils.checkin(&book).unwrap().is_ok());
    assert_eq!(lock_for_tests(&acs).checkins, 1);
}

/// An ACS that takes a message to end at any of the bytes `ended_by` and ends its replies
/// with `ending`, on every connection made to it. Returns its port and every byte it received.
fn line_acs(ended_by: &'static [u8], ending: &'static [u8]) -> (u16, Arc<Mutex<Vec<u8>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let log = Arc::new(Mutex::new(Vec::new()));
    let received = Arc::clone(&log);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let received = Arc::clone(&received);
            std::thread::spawn(move || {
                let mut buffer = Vec::new();
                let mut answered = 0;
                loop {
                    let mut chunk = [0u8; 512];
                    let Ok(n @ 1..) = stream.read(&mut chunk) else {
                        return;
                    };
                    received.lock().unwrap().extend_from_slice(&chunk[..n]);
                    buffer.extend_from_slice(&chunk[..n]);
                    while let Some(end) = buffer.iter().position(|b| ended_by.contains(b)) {
                        let mut message: Vec<u8> = buffer.drain(..=end).collect();
                        while message.first().is_some_and(|b| matches!(b, b'\r' | b'\n')) {
                            message.remove(0);
                        }
                        while message.last().is_some_and(|b| matches!(b, b'\r' | b'\n')) {
                            message.pop();
                        }
                        if message.is_empty() {
                            // The LF of a CR LF, read as a message of its own.
                            continue;
                        }
                        message.push(b'\r');
                        let request = decode_request(&message, &Framing::default()).unwrap();
                        let reply = match request.message {
                            Request::ScStatus(_) => acs_status(),
                            _ => {
                                answered += 1;
                                item_reply(&format!("Book {answered}"))
                            }
                        };
                        let mut bytes =
                            encode_reply(&reply, request.sequence, &Framing::default()).unwrap();
                        bytes.pop();
                        bytes.extend_from_slice(ending);
                        if stream.write_all(&bytes).is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    (port, log)
}

#[test]
fn set_to_auto_the_kiosk_ends_its_messages_as_the_acs_ends_its_replies() {
    for (ending, expected) in [
        (&b"\r\n"[..], Terminator::Crlf),
        (b"\n", Terminator::Lf),
        (b"\r", Terminator::Cr),
    ] {
        let (port, received) = line_acs(b"\r\n", ending);
        let mut client = Sip2Client::new(LinkSettings {
            detect_terminator: true,
            ..settings(port, Terminator::Cr)
        });
        for n in 1..=2 {
            let reply = client.request(&item_request_for("3023")).unwrap();
            assert_eq!(title(reply), format!("Book {n}"), "{ending:?}");
        }
        assert_eq!(client.sending(), expected, "{ending:?}");
        let received = received.lock().unwrap().clone();
        assert!(
            received.ends_with(ending) && (ending != b"\r" || !received.contains(&b'\n')),
            "{ending:?}: the kiosk's last request ended {:?}",
            &received[received.len().saturating_sub(2)..]
        );
    }
}

#[test]
fn set_to_auto_the_kiosk_tries_cr_lf_with_an_acs_that_never_answers_a_cr() {
    // A line-oriented gateway: a message ends at its LF, so a CR alone never ends one.
    let (port, _) = line_acs(b"\n", b"\r\n");
    let mut client = Sip2Client::new(LinkSettings {
        detect_terminator: true,
        ..settings(port, Terminator::Cr)
    });
    assert!(client.request(&item_request_for("3023")).is_err());
    assert_eq!(client.sending(), Terminator::Crlf);
    // The next attempt, one backoff step later, ends its messages with CR LF and is answered.
    std::thread::sleep(Duration::from_millis(1100));
    let reply = client.request(&item_request_for("3023")).unwrap();
    assert_eq!(title(reply), "Book 1");
    assert_eq!(client.sending(), Terminator::Crlf);
}
