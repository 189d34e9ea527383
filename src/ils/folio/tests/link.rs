//! The link under the adapter: token renewal, server errors, timeouts and malformed bodies.

use super::*;

#[test]
fn an_expired_token_logs_in_again_and_the_request_is_sent_once_more() {
    let mut server = Server::new();
    let first = login_mock(&mut server, "OLD", chrono::Duration::hours(1)).create();
    let mut folio = adapter(&server);
    folio.connect().unwrap();
    first.assert();
    first.remove();
    let again = login_mock(&mut server, "T1", chrono::Duration::hours(1)).create();
    let refused = server
        .mock("POST", "/circulation/renew-by-barcode")
        .match_header("x-okapi-token", "OLD")
        .with_status(401)
        .with_body("Token missing, access requires permission: circulation.renew-by-barcode.post")
        .expect(1)
        .create();
    let renewed = server
        .mock("POST", "/circulation/renew-by-barcode")
        .match_header("x-okapi-token", "T1")
        .match_body(Matcher::Json(
            json!({"itemBarcode": "036000291452", "userBarcode": "20234000000019"}),
        ))
        .with_body(loan_body("2027-01-10T15:59:59.000Z"))
        .expect(1)
        .create();
    let loan = folio.renew(&patron(), &item()).unwrap().unwrap();
    assert_eq!(loan.due.at, api::local("2027-01-10T15:59:59.000Z"));
    refused.assert();
    again.assert();
    renewed.assert();
}

#[test]
fn a_token_about_to_expire_is_renewed_before_the_request_and_not_for_every_request() {
    let mut server = Server::new();
    let short = login_mock(&mut server, "OLD", chrono::Duration::seconds(1))
        .expect(1)
        .create();
    let mut folio = adapter(&server);
    folio.connect().unwrap();
    short.assert();
    short.remove();
    std::thread::sleep(Duration::from_millis(1100));
    let renewed = logged_in(&mut server);
    let users = users_mock(&mut server);
    let others = server
        .mock(
            "GET",
            Matcher::Regex("^/(automated-patron-blocks|manualblocks|accounts)".into()),
        )
        .match_header("x-okapi-token", "T1")
        .with_body("{}")
        .expect(3)
        .create();
    folio.patron_status(&patron(), None).unwrap();
    renewed.assert();
    users.assert();
    others.assert();
}

#[test]
fn releases_without_login_with_expiry_take_the_token_from_the_header() {
    let mut server = Server::new();
    server
        .mock("POST", "/authn/login-with-expiry")
        .with_status(404)
        .create();
    let legacy = server
        .mock("POST", "/authn/login")
        .with_status(201)
        .with_header("x-okapi-token", "T1")
        .with_body(json!({"username": "kiosk-3"}).to_string())
        .create();
    let users = users_mock(&mut server);
    let mut folio = adapter(&server);
    folio.connect().unwrap();
    assert!(folio.user("20234000000019").unwrap().is_some());
    legacy.assert();
    users.assert();
}

#[test]
fn a_wrong_password_is_a_login_refusal_that_names_the_user() {
    let mut server = Server::new();
    server
        .mock("POST", "/authn/login-with-expiry")
        .with_status(422)
        .with_body(errors("Password does not match"))
        .create();
    let mut folio = adapter(&server);
    let Err(IlsError::LoginRefused(message)) = folio.connect() else {
        panic!("expected a login refusal");
    };
    assert!(
        message.contains("kiosk-3") && message.contains("Password does not match"),
        "{message}"
    );
    assert!(
        !message.contains("s3cret"),
        "the password must not reach the log: {message}"
    );
}

#[test]
fn a_server_error_on_a_write_is_an_unknown_outcome_and_is_not_repeated() {
    let mut server = Server::new();
    let _login = logged_in(&mut server);
    let checkout = server
        .mock("POST", "/circulation/check-out-by-barcode")
        .with_status(502)
        .with_body("Bad gateway")
        .expect(1)
        .create();
    let mut folio = adapter(&server);
    let error = folio.checkout(&patron(), &item()).unwrap_err();
    assert!(matches!(error, IlsError::OutcomeUnknown(_)), "{error:?}");
    checkout.assert();
}

#[test]
fn a_server_error_on_a_read_is_tried_again_then_the_link_is_down() {
    let mut server = Server::new();
    let _login = logged_in(&mut server);
    let users = server
        .mock("GET", "/users")
        .match_query(Matcher::Any)
        .with_status(503)
        .expect(2)
        .create();
    let mut folio = adapter(&server);
    let error = folio.patron_status(&patron(), None).unwrap_err();
    assert!(matches!(error, IlsError::LinkDown(_)), "{error:?}");
    users.assert();
}

/// A server that accepts connections and never answers.
fn silent_server() -> (std::net::TcpListener, String) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    (listener, url)
}

#[test]
fn a_write_that_times_out_is_an_unknown_outcome_and_a_refused_connection_is_link_down() {
    let (_listener, url) = silent_server();
    let mut folio = FolioIls::new(section(url), Some(Secret::new("s3cret"))).unwrap();
    // Pretend to be logged in, so the write itself meets the silence.
    folio.token = Some("T1".into());
    let error = folio.checkout(&patron(), &item()).unwrap_err();
    assert!(matches!(error, IlsError::OutcomeUnknown(_)), "{error:?}");
    let error = folio.item_info(&item()).unwrap_err();
    assert!(matches!(error, IlsError::LinkDown(_)), "{error:?}");

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let mut folio = FolioIls::new(section(url), Some(Secret::new("s3cret"))).unwrap();
    folio.token = Some("T1".into());
    let error = folio.checkout(&patron(), &item()).unwrap_err();
    assert!(
        matches!(error, IlsError::LinkDown(_)),
        "nothing was sent: {error:?}"
    );
}

#[test]
fn malformed_json_is_a_bad_reply_naming_what_was_read() {
    let mut server = Server::new();
    let _login = logged_in(&mut server);
    server
        .mock("GET", "/users")
        .match_query(Matcher::Any)
        .with_body("<html>Service Unavailable</html>")
        .create();
    server
        .mock("POST", "/circulation/check-out-by-barcode")
        .with_status(201)
        .with_body("{\"id\": ")
        .create();
    let mut folio = adapter(&server);
    let Err(IlsError::BadReply(message)) = folio.patron_status(&patron(), None) else {
        panic!("expected a bad reply");
    };
    assert!(message.starts_with("users:"), "{message}");
    let error = folio.checkout(&patron(), &item()).unwrap_err();
    assert!(matches!(error, IlsError::BadReply(_)), "{error:?}");
}
