//! The simulated library served over SIP2: the ACS side of error detection, the demo over a
//! socket, and two processes (`kiosk sim-ils --sip2` and `kiosk run`) talking to each other.

mod common;
use common::*;
use kiosk::ils::sim::SimIls;
use kiosk::ils::sim::seed::Seed;
use kiosk::ils::sip2::replies::Reply;
use kiosk::ils::sip2::requests::{CheckoutRequest, Request, Terminal};
use kiosk::ils::sip2::server::{AcsSettings, ServerSettings, Sip2Server};
use kiosk::ils::sip2::{Framing, checksum, decode_reply, encode_request};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

fn server() -> (std::net::SocketAddr, Sip2Server) {
    let now = || {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 29)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap()
    };
    let sim = SimIls::new(&Seed::builtin(), Arc::new(now));
    let settings = ServerSettings {
        framing: Framing::default(),
        acs: AcsSettings {
            institution: "SIM".into(),
            library_name: "Test".into(),
            offline_ok: false,
        },
        idle_timeout: Duration::from_secs(30),
    };
    let server = Sip2Server::bind("127.0.0.1:0", sim, settings).unwrap();
    (server.local_addr().unwrap(), server)
}

struct Line {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Line {
    fn open(addr: std::net::SocketAddr) -> Line {
        let stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        Line {
            writer: stream.try_clone().unwrap(),
            reader: BufReader::new(stream),
        }
    }

    fn exchange(&mut self, bytes: &[u8]) -> Vec<u8> {
        self.writer.write_all(bytes).unwrap();
        let mut reply = Vec::new();
        self.reader.read_until(b'\r', &mut reply).unwrap();
        reply
    }
}

fn checkout(item: &str) -> Request {
    Request::Checkout(CheckoutRequest {
        sc_renewal_policy: false,
        no_block: false,
        date: chrono::NaiveDate::from_ymd_opt(2026, 11, 29)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap(),
        nb_due_date: None,
        terminal: Terminal {
            institution: "SIM".into(),
            terminal_password: Some(kiosk::config::secrets::Secret::new("")),
        },
        patron: "20234000000019".into(),
        item: item.into(),
        item_properties: None,
        patron_password: None,
        fee_acknowledged: None,
        cancel: None,
    })
}

#[test]
fn the_acs_keeps_its_side_of_error_detection() {
    let (addr, server) = server();
    let acs = server.acs();
    server.spawn().unwrap();
    let framing = Framing::default();
    let mut line = Line::open(addr);

    // A bad checksum gets a 96 and executes nothing.
    let mut bad = encode_request(&checkout("30234000001015"), 3, &framing).unwrap();
    let at = bad.len() - 2;
    bad[at] = if bad[at] == b'0' { b'1' } else { b'0' };
    assert_eq!(line.exchange(&bad), b"96AZFEF6\r");
    assert_eq!(kiosk::ils::sip2::server::lock_for_tests(&acs).checkouts, 0);

    // The request, then the same bytes again: one checkout, the same reply twice.
    let request = encode_request(&checkout("30234000001015"), 3, &framing).unwrap();
    let first = line.exchange(&request);
    let again = line.exchange(&request);
    assert_eq!(first, again);
    match decode_reply(&first, &framing).unwrap().message {
        Reply::Checkout(reply) => assert!(reply.ok, "{reply:?}"),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(kiosk::ils::sip2::server::lock_for_tests(&acs).checkouts, 1);

    // A 97 gets the last reply again.
    assert_eq!(line.exchange(b"97AZFEF5\r"), first);
    // The next request with a new AY is a new request (and refused: already on loan to her).
    let next = encode_request(&checkout("30234000001015"), 4, &framing).unwrap();
    let reply = line.exchange(&next);
    let text = String::from_utf8_lossy(&reply);
    assert!(text.starts_with("120"), "{text}");
    assert!(text.contains("AY4AZ"), "the AY is echoed: {text}");
    let sum = u16::from_str_radix(&text.trim_end()[text.trim_end().len() - 4..], 16).unwrap();
    assert_eq!(sum, checksum(&reply[..reply.len() - 5]));
}

#[test]
fn the_demo_over_sip2_has_the_same_outcomes_as_in_process() {
    let in_process = demo_run(&["demo", "--headless"]);
    let over_sip2 = demo_run(&["demo", "--headless", "--sip2"]);
    in_process.assert_same_as(&over_sip2);
}

#[test]
fn kiosk_run_talks_to_kiosk_sim_ils_over_sip2() {
    let port = free_port();
    let server = serve(
        &["--sip2", &format!("127.0.0.1:{port}"), "--charset", "cp850"],
        port,
    );
    let dir = tempfile::tempdir().unwrap();
    let path = config_in(dir.path(), |text| {
        text.replace(
            "kind = \"sim\"",
            &format!(
                "kind = \"sip2\"\n\n[ils.sip2]\nhost = \"127.0.0.1\"\nport = {port}\ninstitution = \"SIM\"\ncharset = \"cp850\"\n"
            ),
        )
    });
    let check = kiosk(&["config", "check", path.to_str().unwrap()], "", &[]);
    assert!(check.success, "{}", check.stderr);
    let input = [
        r#"{"scan": "20234000000019"}"#,
        r#"{"pin": "1234"}"#,
        r#"{"scan": "30234000001031"}"#,
        r#"{"scan": "30234000001056"}"#,
        r#"{"press": "back"}"#,
        r#"{"press": "account"}"#,
        r#"{"press": "cancel"}"#,
    ]
    .join("\n");
    let run = kiosk(
        &[
            "run",
            "--headless",
            "--clock",
            "virtual",
            "--config",
            path.to_str().unwrap(),
        ],
        &input,
        &[],
    );
    assert!(run.success, "{}", run.stderr);
    let lines = run.lines();
    assert_eq!(
        results(&lines),
        [
            ("30234000001031".into(), "borrowed".into(), "".into()),
            (
                "30234000001056".into(),
                "refused".into(),
                "not_for_loan".into()
            ),
        ]
    );
    let account = effects(&lines, "show")
        .into_iter()
        .rev()
        .find_map(|s| s["screen"]["account"].as_object().cloned())
        .expect("the account page was shown");
    let titles: Vec<&str> = account["loans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["title"].as_str().unwrap())
        .collect();
    // cp850 cannot carry Chinese: the titles arrive as question marks, the English one intact.
    assert!(titles.contains(&"The Three-Body Problem"), "{titles:?}");
    assert!(titles.contains(&"??"), "活着 over cp850: {titles:?}");
    drop(server);
}
