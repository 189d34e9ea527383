//! SIP2 over TLS: a CA made in the test signs the ACS's certificate; the client trusts that CA
//! only, and refuses an ACS whose certificate does not chain to it.

mod common;
use common::pki::{Pki, pki, serve_tls};
use kiosk::ils::sip2::client::{LinkError, LinkSettings, Sip2Client};
use kiosk::ils::sip2::replies::{AcsStatus, Messages};
use kiosk::ils::sip2::requests::ScStatus;
use kiosk::ils::sip2::tls::TlsSettings;
use kiosk::ils::sip2::{Framing, Reply, Request, decode_request, encode_reply};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::time::Duration;

fn acs_status() -> Reply {
    Reply::AcsStatus(AcsStatus {
        online: true,
        checkin_ok: true,
        checkout_ok: true,
        renewal_policy: false,
        status_update_ok: false,
        offline_ok: false,
        timeout_tenths: None,
        retries: None,
        date: None,
        protocol_version: "2.00".into(),
        institution: "TLS".into(),
        library_name: Some("Over TLS".into()),
        supported_messages: "YYYYYYYYYYYYYYYY".into(),
        terminal_location: None,
        messages: Messages::default(),
    })
}

/// An ACS over TLS that answers every 99 with a 98; returns its port.
fn tls_acs(pki: &Pki) -> u16 {
    serve_tls(pki, |tls| {
        let mut reader = BufReader::new(tls);
        loop {
            let mut message = Vec::new();
            match reader.read_until(b'\r', &mut message) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let framing = Framing::default();
            let Ok(request) = decode_request(&message, &framing) else {
                return;
            };
            let reply = encode_reply(&acs_status(), request.sequence, &framing).unwrap();
            if reader.get_mut().write_all(&reply).is_err() {
                return;
            }
        }
    })
}

fn client(port: u16, ca_file: &Path) -> Sip2Client {
    Sip2Client::new(LinkSettings {
        host: "localhost".into(),
        port,
        tls: Some(TlsSettings {
            ca_file: Some(ca_file.to_owned()),
            ..TlsSettings::default()
        }),
        framing: Framing::default(),
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(2),
        retries: 0,
        use_acs_timeouts: false,
        heartbeat: Duration::from_secs(3600),
        max_resends: 3,
        max_backoff: Duration::from_secs(1),
        liveness: Duration::from_secs(5),
        login: None,
        detect_terminator: false,
    })
}

fn status_request() -> Request {
    Request::ScStatus(ScStatus {
        status: 0,
        max_print_width: 40,
        protocol_version: "2.00".into(),
    })
}

#[test]
fn the_client_talks_to_an_acs_whose_certificate_chains_to_the_configured_ca() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &pki.ca_pem).unwrap();
    let port = tls_acs(&pki);
    let mut client = client(port, &ca_file);
    match client.request(&status_request()) {
        Ok(Reply::AcsStatus(status)) => {
            assert_eq!(status.library_name.as_deref(), Some("Over TLS"))
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(client.is_connected());
    // The technician is told how long the ACS's certificate lasts.
    let der = client.peer_certificate().expect("the ACS's certificate");
    let (summary, warning) = kiosk::ils::cert::describe(&der, chrono::Utc::now());
    assert_eq!(summary, "certificate valid until 4096-01-01");
    assert_eq!(warning, None);
}

#[test]
fn an_acs_with_a_certificate_from_another_ca_is_refused() {
    let trusted = pki();
    let impostor = pki();
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &trusted.ca_pem).unwrap();
    let port = tls_acs(&impostor);
    let mut client = client(port, &ca_file);
    match client.request(&status_request()) {
        Err(LinkError::Down {
            reason,
            sent: false,
        }) => {
            assert!(reason.to_lowercase().contains("certificate"), "{reason}");
        }
        other => panic!("the impostor was accepted: {other:?}"),
    }
    assert!(!client.is_connected());
}

#[test]
fn a_ca_file_without_certificates_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("empty.pem");
    std::fs::write(&ca_file, "not a certificate\n").unwrap();
    let mut client = client(1, &ca_file);
    match client.request(&status_request()) {
        Err(LinkError::Down { reason, .. }) => assert!(reason.contains("empty.pem"), "{reason}"),
        other => panic!("unexpected {other:?}"),
    }
}
