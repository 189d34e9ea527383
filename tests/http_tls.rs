//! FOLIO over HTTPS (rustls): a library's own CA named in `ca_file` is trusted; without it the
//! same server is refused, with a message a technician can act on.

mod common;
use common::pki::{Pki, pki, serve_tls};
use kiosk::config::secrets::Secret;
use kiosk::ils::Ils;
use kiosk::ils::folio::{FolioIls, FolioSection};
use kiosk::ils::http::HttpSettings;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;

/// A tiny Okapi over TLS: a login and a service point, one request per connection.
fn okapi(pki: &Pki) -> u16 {
    serve_tls(pki, |tls| {
        let mut reader = BufReader::new(tls);
        let mut head = String::new();
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap_or(0);
            }
            if line == "\r\n" {
                break;
            }
            head.push_str(&line);
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let (status, extra, answer) = if head.starts_with("POST /authn/login-with-expiry") {
            (
                "201 Created",
                "set-cookie: folioAccessToken=T1; Path=/\r\n",
                r#"{"accessTokenExpiration": "2099-01-01T00:00:00.000Z"}"#,
            )
        } else if head.starts_with("GET /service-points/") {
            ("200 OK", "", r#"{"name": "Main desk"}"#)
        } else {
            ("404 Not Found", "", r#""no""#)
        };
        let response = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\n{extra}content-length: {}\r\nconnection: close\r\n\r\n{answer}",
            answer.len()
        );
        let mut tls = reader.into_inner();
        let _ = tls.write_all(response.as_bytes());
        let _ = tls.flush();
        tls.conn.send_close_notify();
        let _ = tls.flush();
    })
}

fn section(port: u16, ca_file: Option<PathBuf>) -> FolioSection {
    FolioSection {
        url: format!("https://localhost:{port}"),
        tenant: "diku".into(),
        username: "kiosk-3".into(),
        service_point: "3a40852d-49fd-4df2-a1f9-6e2641a6e91f".into(),
        patron_pin: false,
        currency: "CNY".into(),
        http: HttpSettings {
            connect_timeout_secs: 2,
            request_timeout_secs: 5,
            read_retries: 0,
            ca_file,
        },
    }
}

#[test]
fn the_library_s_own_ca_is_trusted_when_named_and_refused_otherwise() {
    let pki = pki();
    let port = okapi(&pki);
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("library-ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();

    let mut trusted = FolioIls::new(section(port, Some(ca)), Some(Secret::new("pw"))).unwrap();
    let probe = trusted.probe().expect("HTTPS with the library's CA");
    assert!(probe.summary.contains("Main desk"), "{probe:?}");
    // rcgen's certificates run to 4096: no warning, and the date is told.
    assert!(
        probe.summary.contains("TLS, certificate valid until 4096"),
        "{probe:?}"
    );
    assert!(probe.warnings.is_empty(), "{probe:?}");

    let mut untrusted = FolioIls::new(section(port, None), Some(Secret::new("pw"))).unwrap();
    let error = untrusted.probe().unwrap_err().to_string();
    // The cause is spelt out, not just "error sending request".
    assert!(error.contains("UnknownIssuer"), "{error}");
}

#[test]
fn a_ca_file_that_is_not_pem_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("broken.pem");
    std::fs::write(&ca, "not a certificate").unwrap();
    let error = FolioIls::new(section(1, Some(ca.clone())), None)
        .err()
        .unwrap()
        .to_string();
    assert!(error.contains(&ca.display().to_string()), "{error}");
}
