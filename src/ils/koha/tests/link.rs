//! The link under the adapter: OAuth2 token renewal, basic authentication, server errors,
//! timeouts and malformed bodies.

use super::*;

#[test]
fn a_refused_token_is_fetched_again_and_the_request_sent_once_more() {
    let mut server = Server::new();
    let first = token(&mut server, "OLD");
    let mut koha = adapter(&server);
    koha.connect().unwrap();
    first.assert();
    first.remove();
    let second = token(&mut server, "NEW");
    let stale = server
        .mock("GET", "/api/v1/patrons")
        .match_query(Matcher::Any)
        .match_header("authorization", bearer("OLD"))
        .with_status(401)
        .with_body(json!({"error": "Invalid token"}).to_string())
        .expect(1)
        .create();
    let fresh = server
        .mock("GET", "/api/v1/patrons")
        .match_query(Matcher::Any)
        .match_header("authorization", bearer("NEW"))
        .with_body("[]")
        .expect(1)
        .create();
    assert!(!koha.patron_status(&patron(), None).unwrap().valid);
    stale.assert();
    second.assert();
    fresh.assert();
}

#[test]
fn wrong_client_credentials_are_a_login_refusal_without_the_secret() {
    let mut server = Server::new();
    server
        .mock("POST", "/api/v1/oauth/token")
        .with_status(403)
        .with_body(json!({"error": "unauthorized_client"}).to_string())
        .create();
    let mut koha = adapter(&server);
    let Err(IlsError::LoginRefused(message)) = koha.connect() else {
        panic!("expected a login refusal");
    };
    assert!(
        message.contains("kiosk-3") && message.contains("unauthorized_client"),
        "{message}"
    );
    assert!(!message.contains("s3cret"));
}

#[test]
fn basic_authentication_sends_the_user_and_password_and_a_401_is_a_login_refusal() {
    let mut server = Server::new();
    // base64("kiosk3:s3cret")
    let ok = server
        .mock("GET", "/api/v1/patrons")
        .match_query(Matcher::Any)
        .match_header("authorization", "Basic a2lvc2szOnMzY3JldA==")
        .with_body("[]")
        .expect(1)
        .create();
    let mut koha = KohaIls::new(
        section(server.url(), KohaAuth::Basic),
        Some(Secret::new("s3cret")),
        None,
    )
    .unwrap();
    koha.connect().unwrap();
    ok.assert();
    let mut wrong = KohaIls::new(
        section(server.url(), KohaAuth::Basic),
        Some(Secret::new("nope")),
        None,
    )
    .unwrap();
    server
        .mock("GET", "/api/v1/patrons")
        .match_query(Matcher::Any)
        .with_status(401)
        .create();
    assert!(matches!(wrong.connect(), Err(IlsError::LoginRefused(_))));
}

#[test]
fn server_errors_timeouts_and_malformed_bodies() {
    let mut server = Server::new();
    token(&mut server, "A1");
    ready_to_lend(&mut server);
    let lend = server
        .mock("POST", "/api/v1/checkouts")
        .with_status(500)
        .expect(1)
        .create();
    let mut koha = adapter(&server);
    let error = koha.checkout(&patron(), &item()).unwrap_err();
    assert!(
        matches!(error, IlsError::OutcomeUnknown(_)),
        "a failed write is not repeated: {error:?}"
    );
    lend.assert();
    let holds = server
        .mock("GET", "/api/v1/holds")
        .match_query(Matcher::Any)
        .with_status(503)
        .expect(2)
        .create();
    server
        .mock("GET", "/api/v1/checkouts")
        .match_query(Matcher::Any)
        .with_body("[]")
        .create();
    let garbled = server
        .mock("GET", "/api/v1/patrons/42/account")
        .with_body("{\"balance\": ")
        .create();
    let error = koha.patron_status(&patron(), None).unwrap_err();
    assert!(matches!(error, IlsError::BadReply(_)), "{error:?}");
    garbled.remove();
    server
        .mock("GET", "/api/v1/patrons/42/account")
        .with_body("{}")
        .create();
    let error = koha.account(&patron(), None).unwrap_err();
    assert!(
        matches!(error, IlsError::LinkDown(_)),
        "a read is tried again, then the link is down: {error:?}"
    );
    holds.assert();

    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let mut koha =
        KohaIls::new(section(url, KohaAuth::Basic), Some(Secret::new("x")), None).unwrap();
    let error = koha.checkout(&patron(), &item()).unwrap_err();
    assert!(
        matches!(error, IlsError::LinkDown(_)),
        "a read that timed out: {error:?}"
    );
}

#[test]
fn a_checkout_whose_answer_times_out_is_an_unknown_outcome_then_reconciled_not_repeated() {
    let mut server = Server::new();
    token(&mut server, "A1");
    ready_to_lend(&mut server);
    // Koha takes the checkout, then the answer is slower than the kiosk's timeout.
    let lend = server
        .mock("POST", "/api/v1/checkouts")
        .with_status(201)
        .with_chunked_body(|w| {
            std::thread::sleep(Duration::from_millis(1500));
            w.write_all(checkout_body().as_bytes())
        })
        .expect(1)
        .create();
    let mut koha = adapter(&server);
    let error = koha.checkout(&patron(), &item()).unwrap_err();
    assert!(matches!(error, IlsError::OutcomeUnknown(_)), "{error:?}");
    lend.assert();
    // Reconciling looks the loan up instead of sending it again.
    server
        .mock("GET", "/api/v1/checkouts")
        .match_query(Matcher::UrlEncoded("patron_id".into(), "42".into()))
        .with_body(json!([{"checkout_id": 900, "item_id": 7, "item": {"item_id": 7, "external_id": BARCODE}}]).to_string())
        .create();
    assert_eq!(koha.charged_items(&patron()).unwrap(), vec![item()]);
}
