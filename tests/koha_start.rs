//! A kiosk on Koha's REST API with no route for returns says so at start-up, in the log a
//! technician reads, and never offers returns to a reader (a book at the attract screen asks
//! for a card instead of being taken back and refused).

mod common;
use common::*;

#[test]
fn without_a_sip2_route_returns_are_off_from_the_start() {
    let mut server = mockito::Server::new();
    let token = server
        .mock("POST", "/api/v1/oauth/token")
        .with_body(r#"{"access_token": "A1", "token_type": "Bearer", "expires_in": 3600}"#)
        .create();
    let dir = tempfile::tempdir().unwrap();
    let url = server.url();
    let config = koha_config_in(dir.path(), &url);
    let run = kiosk(
        &["run", "--headless", "--config", config.to_str().unwrap()],
        r#"{"scan": "30234000001015"}"#,
        &[("KIOSK_ILS_PASSWORD", "pw")],
    );
    assert!(run.success, "{}", run.stderr);
    assert!(
        run.stderr.contains("returns are off at this kiosk")
            && run.stderr.contains("checkin = \"sip2\""),
        "{}",
        run.stderr
    );
    let notices: Vec<String> = effects(&run.lines(), "show")
        .iter()
        .filter_map(|s| s["screen"]["notice"]["code"].as_str().map(str::to_owned))
        .collect();
    assert!(
        notices.contains(&"item_not_card".to_owned()),
        "{notices:?} {}",
        run.stdout
    );
    token.assert();
}
