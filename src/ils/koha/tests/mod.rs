//! The Koha adapter against a mock Koha REST API (mockito): every call, OAuth2 token renewal,
//! basic authentication, server errors, timeouts, malformed bodies and each refusal.

use super::*;

mod link;
mod suggestions;
use crate::circ::types::{Block, ReturnRoute};
use crate::ils::http::HttpSettings;
use crate::ils::sim::SimIls;
use crate::ils::sim::seed::Seed;
use mockito::{Matcher, Mock, Server, ServerGuard};
use serde_json::json;
use std::sync::Arc;

const CARD: &str = "20234000000019";
const BARCODE: &str = "30234000001015";

pub(super) fn section(url: String, auth: KohaAuth) -> KohaSection {
    KohaSection {
        url,
        auth,
        client_id: Some("kiosk-3".into()),
        username: Some("kiosk3".into()),
        checkin: CheckinRoute::None,
        confirm: vec!["DEBT".into()],
        currency: "CNY".into(),
        http: HttpSettings {
            connect_timeout_secs: 1,
            request_timeout_secs: 1,
            read_retries: 1,
            ca_file: None,
        },
    }
}

pub(super) fn adapter(server: &ServerGuard) -> KohaIls {
    KohaIls::new(
        section(server.url(), KohaAuth::Oauth2),
        Some(Secret::new("s3cret")),
        None,
    )
    .unwrap()
}

pub(super) fn token(server: &mut ServerGuard, value: &str) -> Mock {
    server
        .mock("POST", "/api/v1/oauth/token")
        .match_header("content-type", "application/x-www-form-urlencoded")
        .match_body(Matcher::AllOf(vec![
            Matcher::UrlEncoded("grant_type".into(), "client_credentials".into()),
            Matcher::UrlEncoded("client_id".into(), "kiosk-3".into()),
            Matcher::UrlEncoded("client_secret".into(), "s3cret".into()),
        ]))
        .with_body(
            json!({"access_token": value, "token_type": "Bearer", "expires_in": 3600}).to_string(),
        )
        .create()
}

pub(super) fn bearer(value: &str) -> Matcher {
    Matcher::Exact(format!("Bearer {value}"))
}

pub(super) fn patron_mock(server: &mut ServerGuard) -> Mock {
    server
        .mock("GET", "/api/v1/patrons")
        .match_query(Matcher::UrlEncoded("cardnumber".into(), CARD.into()))
        .with_body(
            json!([{"patron_id": 42, "cardnumber": CARD, "firstname": "Wei", "surname": "Li",
            "email": "li.wei@example.org", "expiry_date": "2099-12-31", "restricted": false}])
            .to_string(),
        )
        .create()
}

pub(super) fn item_mock(server: &mut ServerGuard, checked_out: bool) -> Mock {
    server
        .mock("GET", "/api/v1/items")
        .match_query(Matcher::UrlEncoded("external_id".into(), BARCODE.into()))
        .match_header("x-koha-embed", "biblio")
        .with_body(
            json!([{"item_id": 7, "external_id": BARCODE, "biblio_id": 3,
            "checked_out_date": if checked_out { json!("2026-11-20") } else { json!(null) },
            "lost_status": 0, "withdrawn": 0, "not_for_loan_status": 0,
            "biblio": {"title": "三体"}}])
            .to_string(),
        )
        .create()
}

/// The patron and an item on the shelf that Koha would lend without a question.
pub(super) fn ready_to_lend(server: &mut ServerGuard) {
    patron_mock(server);
    item_mock(server, false);
    availability(server, json!({}), json!({}));
}

pub(super) fn availability(
    server: &mut ServerGuard,
    blockers: serde_json::Value,
    confirms: serde_json::Value,
) -> Mock {
    server
        .mock("GET", "/api/v1/checkouts/availability")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("patron_id".into(), "42".into()),
            Matcher::UrlEncoded("item_id".into(), "7".into()),
        ]))
        .with_body(json!({"blockers": blockers, "confirms": confirms, "warnings": {}, "confirmation_token": "jwt.tok"}).to_string())
        .create()
}

pub(super) fn checkout_body() -> String {
    json!({"checkout_id": 900, "patron_id": 42, "item_id": 7, "due_date": "2026-12-20T23:59:00+08:00"}).to_string()
}

pub(super) fn patron() -> PatronId {
    PatronId(CARD.into())
}

pub(super) fn item() -> ItemId {
    ItemId(BARCODE.into())
}

#[test]
fn a_checkout_asks_availability_then_lends_with_a_bearer_token() {
    let mut server = Server::new();
    let login = token(&mut server, "A1");
    ready_to_lend(&mut server);
    let lend = server
        .mock("POST", "/api/v1/checkouts")
        .match_header("authorization", bearer("A1"))
        .match_body(Matcher::Json(json!({"patron_id": 42, "item_id": 7})))
        .with_status(201)
        .with_body(checkout_body())
        .create();
    let mut koha = adapter(&server);
    let loan = koha.checkout(&patron(), &item()).unwrap().unwrap();
    assert_eq!(loan.title, "三体");
    assert_eq!(loan.due.text, "2026-12-20T23:59:00+08:00");
    assert!(loan.due.at.is_some());
    login.assert();
    lend.assert();
}

#[test]
fn a_confirmation_the_library_allows_is_sent_with_koha_s_token() {
    let mut server = Server::new();
    token(&mut server, "A1");
    patron_mock(&mut server);
    item_mock(&mut server, false);
    availability(&mut server, json!({}), json!({"DEBT": 3.5}));
    let lend = server
        .mock("POST", "/api/v1/checkouts")
        .match_query(Matcher::UrlEncoded("confirmation".into(), "jwt.tok".into()))
        .with_status(201)
        .with_body(checkout_body())
        .create();
    let mut koha = adapter(&server);
    koha.checkout(&patron(), &item()).unwrap().unwrap();
    lend.assert();
}

#[test]
fn a_checkout_that_would_be_a_renewal_or_is_blocked_is_refused_without_lending() {
    let mut server = Server::new();
    token(&mut server, "A1");
    patron_mock(&mut server);
    item_mock(&mut server, true);
    let lend = server
        .mock("POST", Matcher::Regex("^/api/v1/checkouts".into()))
        .expect(0)
        .create();
    let check = availability(&mut server, json!({}), json!({"RENEW_ISSUE": 1}));
    let mut koha = adapter(&server);
    let refused = koha.checkout(&patron(), &item()).unwrap().unwrap_err();
    assert_eq!(refused.reason, Reason::AlreadyOnLoanToYou);
    assert_eq!(refused.title.as_deref(), Some("三体"));
    check.remove();
    let cases = [
        (json!({"TOO_MANY": 1}), Reason::TooManyItems),
        (
            json!({"EXPIRED": 1}),
            Reason::PatronBlocked {
                block: Block::CardExpired,
            },
        ),
        (json!({"NOT_FOR_LOAN": 1}), Reason::NotForLoan),
        (
            json!({"DEBARRED": "2027-01-01"}),
            Reason::PatronBlocked {
                block: Block::ChargePrivilegesDenied,
            },
        ),
    ];
    for (blockers, reason) in cases {
        let check = availability(&mut server, blockers, json!({}));
        assert_eq!(
            koha.checkout(&patron(), &item())
                .unwrap()
                .unwrap_err()
                .reason,
            reason
        );
        check.remove();
    }
    let check = availability(&mut server, json!({}), json!({"RESERVED": 1}));
    assert_eq!(
        koha.checkout(&patron(), &item())
            .unwrap()
            .unwrap_err()
            .reason,
        Reason::OnHoldForAnother
    );
    check.remove();
    lend.assert();
}

#[test]
fn refusals_of_the_checkout_itself_are_mapped() {
    let mut server = Server::new();
    token(&mut server, "A1");
    ready_to_lend(&mut server);
    let mut koha = adapter(&server);
    let cases = [
        (
            403,
            json!({"error": "Checkout not authorized (TOO_MANY)"}),
            Reason::TooManyItems,
        ),
        (
            409,
            json!({"error": "Item not found", "error_code": "ITEM_NOT_FOUND"}),
            Reason::UnknownItem,
        ),
        (
            412,
            json!({"error": "Confirmation error"}),
            Reason::IlsRefused,
        ),
    ];
    for (status, body, reason) in cases {
        let mock = server
            .mock("POST", "/api/v1/checkouts")
            .with_status(status)
            .with_body(body.to_string())
            .create();
        let refused = koha.checkout(&patron(), &item()).unwrap().unwrap_err();
        assert_eq!(refused.reason, reason, "HTTP {status}");
        assert!(refused.screen_message.is_some());
        mock.remove();
    }
}

#[test]
fn an_unknown_card_or_book_is_told_before_anything_is_sent() {
    let mut server = Server::new();
    token(&mut server, "A1");
    server
        .mock("GET", "/api/v1/patrons")
        .match_query(Matcher::Any)
        .with_body("[]")
        .create();
    let mut koha = adapter(&server);
    assert!(!koha.patron_status(&patron(), None).unwrap().valid);
    assert_eq!(
        koha.checkout(&patron(), &item())
            .unwrap()
            .unwrap_err()
            .reason,
        Reason::UnknownPatron
    );
    patron_mock(&mut server);
    // A filter Koha ignored would list other items: only the exact barcode counts.
    server
        .mock("GET", "/api/v1/items")
        .match_query(Matcher::Any)
        .with_body(json!([{"item_id": 8, "external_id": "30234000009999"}]).to_string())
        .create();
    assert_eq!(
        koha.checkout(&patron(), &item())
            .unwrap()
            .unwrap_err()
            .reason,
        Reason::UnknownItem
    );
    assert_eq!(
        koha.item_info(&item()).unwrap().unwrap_err().reason,
        Reason::UnknownItem
    );
}

#[test]
fn the_password_restrictions_and_balance_decide_the_sign_in() {
    let mut server = Server::new();
    token(&mut server, "A1");
    server
        .mock("GET", "/api/v1/patrons")
        .match_query(Matcher::Any)
        .with_body(json!([{"patron_id": 42, "cardnumber": CARD, "firstname": "Wei", "preferred_name": "Vivi",
            "surname": "Li", "expiry_date": "2001-01-01", "restricted": true}]).to_string())
        .create();
    let good = server
        .mock("POST", "/api/v1/auth/password/validation")
        .match_body(Matcher::Json(
            json!({"identifier": CARD, "password": "1234"}),
        ))
        .with_status(201)
        .with_body(json!({"cardnumber": CARD, "patron_id": 42, "userid": "wli"}).to_string())
        .create();
    server
        .mock("POST", "/api/v1/auth/password/validation")
        .match_body(Matcher::PartialJson(json!({"password": "9999"})))
        .with_status(400)
        .with_body(json!({"error": "Validation failed"}).to_string())
        .create();
    server
        .mock("GET", "/api/v1/patrons/42/account")
        .with_body(json!({"balance": 12.5, "outstanding_debits": {"total": 12.5, "lines": [
            {"amount_outstanding": 12.5, "description": "Overdue: 三体", "debit_type": "OVERDUE"}]}}).to_string())
        .create();
    let mut koha = adapter(&server);
    let status = koha
        .patron_status(&patron(), Some(&Pin::new("1234")))
        .unwrap();
    assert_eq!(status.pin_ok, Some(true));
    assert_eq!(status.name, "Vivi Li");
    assert!(status.blocks.contains(&Block::CardExpired));
    assert!(status.blocks.contains(&Block::ChargePrivilegesDenied));
    assert_eq!(status.fines.map(|m| m.minor), Some(1250));
    good.assert();
    assert_eq!(
        koha.patron_status(&patron(), Some(&Pin::new("9999")))
            .unwrap()
            .pin_ok,
        Some(false)
    );
}

#[test]
fn renewals_find_the_checkout_and_map_koha_s_refusals() {
    let mut server = Server::new();
    token(&mut server, "A1");
    patron_mock(&mut server);
    server
        .mock("GET", "/api/v1/checkouts")
        .match_query(Matcher::UrlEncoded("patron_id".into(), "42".into()))
        .match_header("x-koha-embed", "item")
        .with_body(
            json!([{"checkout_id": 900, "item_id": 7, "due_date": "2026-12-01T23:59:00+08:00",
            "item": {"item_id": 7, "external_id": BARCODE, "biblio_id": 3}}])
            .to_string(),
        )
        .create();
    server
        .mock("GET", "/api/v1/biblios/3")
        .with_body(json!({"title": "三体"}).to_string())
        .create();
    let renewal = server
        .mock("POST", "/api/v1/checkouts/900/renewal")
        .with_status(201)
        .with_body(json!({"checkout_id": 900, "due_date": "2026-12-31T23:59:00+08:00"}).to_string())
        .create();
    let mut koha = adapter(&server);
    let loan = koha.renew(&patron(), &item()).unwrap().unwrap();
    assert_eq!(loan.due.text, "2026-12-31T23:59:00+08:00");
    assert_eq!(loan.title, "三体");
    renewal.assert();
    renewal.remove();
    server
        .mock("POST", "/api/v1/checkouts/900/renewal")
        .with_status(403)
        .with_body(json!({"error": "Renewal not authorized (on_reserve)"}).to_string())
        .create();
    assert_eq!(
        koha.renew(&patron(), &item()).unwrap().unwrap_err().reason,
        Reason::RenewalOnHold
    );
    let all = koha.renew_all(&patron()).unwrap().unwrap();
    assert_eq!(all.unrenewed, vec![item()]);
    let other = ItemId("39999999999999".into());
    assert_eq!(
        koha.renew(&patron(), &other).unwrap().unwrap_err().reason,
        Reason::NotOnLoanToYou
    );
    assert_eq!(koha.charged_items(&patron()).unwrap(), vec![item()]);
}

#[test]
fn the_account_page_lists_checkouts_holds_and_fees() {
    let mut server = Server::new();
    token(&mut server, "A1");
    patron_mock(&mut server);
    // Read once for the sign-in status and the fee lines alike.
    let balance = server
        .mock("GET", "/api/v1/patrons/42/account")
        .with_body(
            json!({"balance": 2.0, "outstanding_debits": {"lines": [
            {"amount_outstanding": 2.0, "description": "", "debit_type": "LOST"}]}})
            .to_string(),
        )
        .expect(1)
        .create();
    server
        .mock("GET", "/api/v1/checkouts")
        .match_query(Matcher::Any)
        .with_body(
            json!([{"checkout_id": 900, "item_id": 7, "due_date": "2001-01-01T23:59:00+08:00",
            "item": {"item_id": 7, "external_id": BARCODE, "biblio_id": 3}}])
            .to_string(),
        )
        .create();
    let titles = server
        .mock("GET", "/api/v1/biblios/3")
        .with_body(json!({"title": "三体"}).to_string())
        .expect(1)
        .create();
    server
        .mock("GET", "/api/v1/holds")
        .match_query(Matcher::UrlEncoded("patron_id".into(), "42".into()))
        .with_body(
            json!([{"biblio_id": 3, "status": "W", "expiration_date": "2026-12-05"},
            {"biblio_id": 3, "status": null}])
            .to_string(),
        )
        .create();
    let mut koha = adapter(&server);
    let account = koha.account(&patron(), None).unwrap();
    assert_eq!(account.loans.len(), 1);
    assert!(account.loans[0].overdue);
    assert_eq!(account.loans[0].title, "三体");
    assert_eq!(account.holds.len(), 2);
    assert!(account.holds[0].ready && !account.holds[1].ready);
    assert_eq!(account.fines[0].description, "LOST");
    titles.assert();
    balance.assert();
}

#[test]
fn item_information_reads_the_loan_for_reconciliation() {
    let mut server = Server::new();
    token(&mut server, "A1");
    item_mock(&mut server, true);
    server
        .mock("GET", "/api/v1/checkouts")
        .match_query(Matcher::UrlEncoded("q".into(), "{\"item_id\":7}".into()))
        .with_body(
            json!([{"checkout_id": 900, "item_id": 7, "due_date": "2026-12-20T23:59:00+08:00"}])
                .to_string(),
        )
        .create();
    let mut koha = adapter(&server);
    let info = koha.item_info(&item()).unwrap().unwrap();
    assert_eq!(info.status, ItemCirculation::OnLoan);
    assert_eq!(
        info.due.map(|d| d.text).as_deref(),
        Some("2026-12-20T23:59:00+08:00")
    );
}

#[test]
fn returns_go_through_the_sip2_route_or_are_not_offered() {
    let server = Server::new();
    let koha = adapter(&server);
    assert!(!koha.takes_returns());
    let mut koha = adapter(&server);
    assert!(matches!(
        koha.checkin(&item()),
        Err(IlsError::Unsupported(_))
    ));

    let now = || chrono::Local::now().naive_local();
    let mut sim = SimIls::new(&Seed::builtin(), Arc::new(now));
    sim.checkout(&patron(), &item()).unwrap().unwrap();
    let mut koha = KohaIls::new(
        section(server.url(), KohaAuth::Oauth2),
        Some(Secret::new("s3cret")),
        Some(Box::new(sim)),
    )
    .unwrap();
    assert!(koha.takes_returns());
    let back = koha.checkin(&item()).unwrap().unwrap();
    assert_eq!(back.route, ReturnRoute::Shelf);
}

#[test]
fn the_configuration_is_checked_before_a_reader_meets_it() {
    let good = section("https://koha.example.org".into(), KohaAuth::Oauth2);
    assert_eq!(good.problem(), None);
    let mut bad = good.clone();
    bad.confirm = vec!["RENEW_ISSUE".into()];
    assert!(bad.problem().unwrap().contains("needs a person"));
    let mut bad = good.clone();
    bad.client_id = None;
    assert!(bad.problem().unwrap().contains("client_id"));
    let mut bad = good;
    bad.auth = KohaAuth::Basic;
    bad.username = Some(String::new());
    assert!(bad.problem().unwrap().contains("username"));
}
