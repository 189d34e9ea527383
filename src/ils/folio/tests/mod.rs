//! The FOLIO adapter against a mock Okapi (mockito): every call, token renewal, server errors,
//! timeouts, malformed bodies and refusals; every check-out and check-in body it sends is
//! validated against mod-circulation's own schemas.

use super::*;

mod link;
use crate::circ::types::Block;
use mockito::{Matcher, Mock, Server, ServerGuard};
use serde_json::{Value, json};

const SERVICE_POINT: &str = "3a40852d-49fd-4df2-a1f9-6e2641a6e91f";
const USER_ID: &str = "df7f4993-8c14-4a0f-ab63-93975ab01c76";
const ITEM_ID: &str = "cb20f34f-b773-462f-a091-b233cc96b9e6";

pub(super) fn schema(name: &str) -> jsonschema::Validator {
    let text = match name {
        "check-out" => {
            include_str!(
                "../../../../tests/fixtures/folio/check-out-by-barcode-request.schema.json"
            )
        }
        _ => {
            include_str!("../../../../tests/fixtures/folio/check-in-by-barcode-request.schema.json")
        }
    };
    let schema: Value = serde_json::from_str(text).expect("the fixture is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the fixture is a schema")
}

/// Matches a request whose JSON body is valid against the named schema (and says why not).
pub(super) fn valid_against(
    name: &'static str,
) -> impl Fn(&mockito::Request) -> bool + Send + Sync {
    let validator = schema(name);
    move |request| {
        let Ok(body) = request.utf8_lossy_body() else {
            return false;
        };
        let Ok(value) = serde_json::from_str::<Value>(&body) else {
            eprintln!("not JSON: {body}");
            return false;
        };
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        if !errors.is_empty() {
            eprintln!("{name} body {body} is invalid: {errors:?}");
        }
        errors.is_empty()
    }
}

pub(super) fn section(url: String) -> FolioSection {
    FolioSection {
        url,
        tenant: "diku".into(),
        username: "kiosk-3".into(),
        service_point: SERVICE_POINT.into(),
        patron_pin: true,
        currency: "CNY".into(),
        http: HttpSettings {
            connect_timeout_secs: 1,
            request_timeout_secs: 1,
            read_retries: 1,
            ca_file: None,
        },
    }
}

pub(super) fn adapter(server: &ServerGuard) -> FolioIls {
    FolioIls::new(section(server.url()), Some(Secret::new("s3cret")))
        .expect("the settings are good")
}

pub(super) fn login_mock(
    server: &mut ServerGuard,
    token: &str,
    expires_in: chrono::Duration,
) -> Mock {
    let expiry = api::instant(Utc::now() + expires_in);
    server
        .mock("POST", "/authn/login-with-expiry")
        .match_header("x-okapi-tenant", "diku")
        .match_body(Matcher::Json(
            json!({"username": "kiosk-3", "password": "s3cret"}),
        ))
        .with_status(201)
        .with_header(
            "set-cookie",
            &format!("folioAccessToken={token}; Max-Age=600; Path=/; HttpOnly"),
        )
        .with_header(
            "set-cookie",
            "folioRefreshToken=r; Max-Age=604800; Path=/authn; HttpOnly",
        )
        .with_body(json!({"accessTokenExpiration": expiry}).to_string())
}

pub(super) fn logged_in(server: &mut ServerGuard) -> Mock {
    login_mock(server, "T1", chrono::Duration::hours(1)).create()
}

pub(super) fn patron() -> PatronId {
    PatronId("20234000000019".into())
}

pub(super) fn item() -> ItemId {
    ItemId("036000291452".into())
}

pub(super) fn errors(message: &str) -> String {
    json!({"errors": [{"message": message, "parameters": []}]}).to_string()
}

pub(super) fn loan_body(due: &str) -> String {
    json!({
        "id": "cf23adf0-61ba-4887-bf82-956c4aae2260",
        "userId": USER_ID,
        "itemId": ITEM_ID,
        "item": {"title": "The Long Way to a Small, Angry Planet", "barcode": "036000291452", "status": {"name": "Checked out"}},
        "dueDate": due,
        "status": {"name": "Open"},
        "action": "checkedout"
    })
    .to_string()
}

pub(super) fn users_mock(server: &mut ServerGuard) -> Mock {
    let user = json!({"id": USER_ID, "barcode": "20234000000019", "active": true,
        "personal": {"firstName": "Li", "lastName": "Wei", "email": "li.wei@example.org"}});
    server
        .mock("GET", "/users")
        .match_query(Matcher::UrlEncoded(
            "query".into(),
            "barcode==\"20234000000019\"".into(),
        ))
        .match_header("x-okapi-token", "T1")
        .with_body(json!({"users": [user], "totalRecords": 1}).to_string())
        .create()
}

#[test]
fn a_checkout_logs_in_sends_a_schema_valid_body_and_reads_the_due_date() {
    let mut server = Server::new();
    let login = logged_in(&mut server);
    let checkout = server
        .mock("POST", "/circulation/check-out-by-barcode")
        .match_header("x-okapi-tenant", "diku")
        .match_header("x-okapi-token", "T1")
        .match_request(valid_against("check-out"))
        .match_body(Matcher::PartialJson(json!({
            "itemBarcode": "036000291452", "userBarcode": "20234000000019",
            "checkoutServicePointId": SERVICE_POINT})))
        .with_status(201)
        .with_body(loan_body("2026-12-20T15:59:59.000Z"))
        .create();
    let mut folio = adapter(&server);
    let loan = folio.checkout(&patron(), &item()).unwrap().unwrap();
    assert_eq!(loan.title, "The Long Way to a Small, Angry Planet");
    assert_eq!(loan.due.at, api::local("2026-12-20T15:59:59.000Z"));
    login.assert();
    checkout.assert();
}

#[test]
fn a_replayed_checkout_carries_its_original_loan_date() {
    let mut server = Server::new();
    let _login = logged_in(&mut server);
    let at = NaiveDateTime::parse_from_str("2026-11-20 10:15:00", "%Y-%m-%d %H:%M:%S").unwrap();
    let checkout = server
        .mock("POST", "/circulation/check-out-by-barcode")
        .match_request(valid_against("check-out"))
        .match_body(Matcher::PartialJson(
            json!({"loanDate": api::instant_from_local(at)}),
        ))
        .with_status(201)
        .with_body(loan_body("2026-12-11T15:59:59.000Z"))
        .create();
    let mut folio = adapter(&server);
    folio
        .replay_checkout(&patron(), &item(), at, None)
        .unwrap()
        .unwrap();
    checkout.assert();
}

#[test]
fn a_checkin_sends_only_the_three_fields_and_reads_where_the_book_goes() {
    let mut server = Server::new();
    let _login = logged_in(&mut server);
    let at = NaiveDateTime::parse_from_str("2026-11-21 18:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
    let mut answer: Value = serde_json::from_str(include_str!(
        "../../../../tests/fixtures/folio/check-in-by-barcode-response.example.json"
    ))
    .unwrap();
    answer["item"] = json!({"title": "The Long Way to a Small, Angry Planet", "barcode": "036000291452",
        "status": {"name": "In transit"}, "inTransitDestinationServicePoint": {"name": "East branch"}});
    let checkin = server
        .mock("POST", "/circulation/check-in-by-barcode")
        .match_request(valid_against("check-in"))
        .match_body(Matcher::Json(
            json!({"itemBarcode": "036000291452", "servicePointId": SERVICE_POINT,
            "checkInDate": api::instant_from_local(at)}),
        ))
        .with_body(answer.to_string())
        .create();
    let mut folio = adapter(&server);
    let back = folio.replay_checkin(&item(), at).unwrap().unwrap();
    assert_eq!(
        back.route,
        ReturnRoute::Transfer {
            to: "East branch".into()
        }
    );
    assert_eq!(back.title, "The Long Way to a Small, Angry Planet");
    checkin.assert();
}

#[test]
fn the_published_check_in_answer_is_read_and_a_book_not_on_loan_is_told() {
    let mut server = Server::new();
    let _login = logged_in(&mut server);
    let example =
        include_str!("../../../../tests/fixtures/folio/check-in-by-barcode-response.example.json");
    let first = server
        .mock("POST", "/circulation/check-in-by-barcode")
        .match_request(valid_against("check-in"))
        .with_body(example)
        .expect(1)
        .create();
    let mut folio = adapter(&server);
    let back = folio.checkin(&item()).unwrap().unwrap();
    assert_eq!(back.route, ReturnRoute::Shelf);
    first.assert();
    first.remove();
    server
        .mock("POST", "/circulation/check-in-by-barcode")
        .with_body(json!({"item": {"title": "Orphan", "barcode": "036000291452", "status": {"name": "Available"}}}).to_string())
        .create();
    let refused = folio.checkin(&item()).unwrap().unwrap_err();
    assert_eq!(refused.reason, Reason::NotOnLoan);
    assert_eq!(refused.title.as_deref(), Some("Orphan"));
}

#[test]
fn each_refusal_reaches_the_reader_with_its_reason_and_folio_s_words() {
    let cases = [
        (
            "No item with barcode 036000291452 could be found",
            Reason::UnknownItem,
        ),
        (
            "Could not find user with matching barcode",
            Reason::UnknownPatron,
        ),
        ("Item is not loanable", Reason::NotForLoan),
        (
            "Patron has reached maximum limit of 3 items for loan type",
            Reason::TooManyItems,
        ),
        (
            "Cannot check out item that already has an open loan",
            Reason::OnLoanToAnother,
        ),
        (
            "The Long Way (Barcode: 036000291452) cannot be checked out to user Wei, Li because it has been requested by another patron",
            Reason::OnHoldForAnother,
        ),
        (
            "Patron blocked from borrowing",
            Reason::PatronBlocked {
                block: Block::ChargePrivilegesDenied,
            },
        ),
    ];
    let mut server = Server::new();
    let _login = logged_in(&mut server);
    // FOLIO's errors do not name the book; the adapter looks its title up for the reader.
    server
        .mock("GET", "/inventory/items")
        .match_query(Matcher::Any)
        .with_body(json!({"items": [{"id": ITEM_ID, "barcode": "036000291452", "title": "The Long Way", "status": {"name": "Available"}}]}).to_string())
        .create();
    let mut folio = adapter(&server);
    for (message, reason) in cases {
        let mock = server
            .mock("POST", "/circulation/check-out-by-barcode")
            .with_status(422)
            .with_body(errors(message))
            .create();
        let refusal = folio.checkout(&patron(), &item()).unwrap().unwrap_err();
        assert_eq!(refusal.reason, reason, "{message}");
        assert_eq!(refusal.screen_message.as_deref(), Some(message));
        let title = (reason != Reason::UnknownItem).then_some("The Long Way");
        assert_eq!(refusal.title.as_deref(), title);
        mock.remove();
    }
    let renewal = server
        .mock("POST", "/circulation/renew-by-barcode")
        .with_status(422)
        .with_body(errors("loan at maximum number of renewals"))
        .create();
    let refusal = folio.renew(&patron(), &item()).unwrap().unwrap_err();
    assert_eq!(refusal.reason, Reason::RenewalLimit);
    renewal.assert();
}

#[test]
fn the_patron_s_pin_blocks_fees_and_name_come_from_folio() {
    let mut server = Server::new();
    let _login = logged_in(&mut server);
    let _users = users_mock(&mut server);
    let verify = server
        .mock("POST", "/patron-pin/verify")
        .match_body(Matcher::Json(json!({"id": USER_ID, "pin": "1234"})))
        .with_status(200)
        .create();
    server
        .mock("POST", "/patron-pin/verify")
        .match_body(Matcher::PartialJson(json!({"pin": "9999"})))
        .with_status(422)
        .with_body(errors("PIN does not match"))
        .create();
    server
        .mock("GET", format!("/automated-patron-blocks/{USER_ID}").as_str())
        .with_body(json!({"automatedPatronBlocks": [{"patronBlockConditionId": "x", "blockBorrowing": true,
            "blockRenewals": false, "blockRequests": false, "message": "Maximum number of overdue items"}]}).to_string())
        .create();
    server
        .mock("GET", "/manualblocks")
        .match_query(Matcher::Any)
        .with_body(json!({"manualblocks": [
            {"borrowing": false, "renewals": true, "patronMessage": "Please see the desk", "expirationDate": "2099-01-01T00:00:00.000+00:00"},
            {"borrowing": true, "renewals": true, "patronMessage": "old", "expirationDate": "2001-01-01T00:00:00.000+00:00"}
        ]}).to_string())
        .create();
    server
        .mock("GET", "/accounts")
        .match_query(Matcher::Any)
        .with_body(json!({"accounts": [{"remaining": 2.5, "feeFineType": "Overdue fine", "title": "Dune"}]}).to_string())
        .create();
    let mut folio = adapter(&server);
    let status = folio
        .patron_status(&patron(), Some(&Pin::new("1234")))
        .unwrap();
    assert!(status.valid);
    assert_eq!(status.pin_ok, Some(true));
    assert_eq!(status.name, "Li Wei");
    assert_eq!(
        status.blocks,
        vec![
            Block::ChargePrivilegesDenied,
            Block::RenewalPrivilegesDenied
        ]
    );
    assert_eq!(status.fines.map(|m| m.minor), Some(250));
    assert_eq!(
        status.screen_message.as_deref(),
        Some("Maximum number of overdue items; Please see the desk")
    );
    verify.assert();
    let wrong = folio
        .patron_status(&patron(), Some(&Pin::new("9999")))
        .unwrap();
    assert_eq!(wrong.pin_ok, Some(false));
}

#[test]
fn an_unknown_card_is_not_valid() {
    let mut server = Server::new();
    let _login = logged_in(&mut server);
    server
        .mock("GET", "/users")
        .match_query(Matcher::Any)
        .with_body(json!({"users": [], "totalRecords": 0}).to_string())
        .create();
    let mut folio = adapter(&server);
    let status = folio
        .patron_status(&patron(), Some(&Pin::new("1234")))
        .unwrap();
    assert!(!status.valid);
    assert_eq!(
        folio.renew_all(&patron()).unwrap().unwrap_err().reason,
        Reason::UnknownPatron
    );
}

#[test]
fn the_account_page_lists_loans_requests_and_fees() {
    let mut server = Server::new();
    let _login = logged_in(&mut server);
    let _users = users_mock(&mut server);
    server
        .mock(
            "GET",
            Matcher::Regex("^/(automated-patron-blocks|manualblocks)".into()),
        )
        .with_body("{}")
        .create();
    server
        .mock("GET", "/circulation/loans")
        .match_query(Matcher::UrlEncoded("query".into(), format!("userId==\"{USER_ID}\" and status.name==\"Open\"")))
        .with_body(json!({"loans": [serde_json::from_str::<Value>(&loan_body("2001-01-01T00:00:00.000Z")).unwrap()]}).to_string())
        .create();
    server
        .mock("GET", "/circulation/requests")
        .match_query(Matcher::Any)
        .with_body(json!({"requests": [
            {"status": "Open - Awaiting pickup", "item": {"title": "Dune", "barcode": "1"}, "holdShelfExpirationDate": "2026-12-05T15:59:59.000Z"},
            {"status": "Open - Not yet filled", "instance": {"title": "Solaris"}}
        ]}).to_string())
        .create();
    // Read once for the sign-in status and the fee lines alike.
    let fees = server
        .mock("GET", "/accounts")
        .match_query(Matcher::Any)
        .with_body(
            json!({"accounts": [{"remaining": 1.0, "feeFineType": "Lost item fee"}]}).to_string(),
        )
        .expect(1)
        .create();
    let mut folio = adapter(&server);
    let account = folio.account(&patron(), None).unwrap();
    fees.assert();
    assert_eq!(account.loans.len(), 1);
    assert!(account.loans[0].overdue);
    assert_eq!(account.loans[0].item, item());
    assert_eq!(account.holds.len(), 2);
    assert!(account.holds[0].ready && !account.holds[1].ready);
    assert_eq!(account.holds[1].title, "Solaris");
    assert_eq!(account.fines[0].description, "Lost item fee");
    assert_eq!(folio.charged_items(&patron()).unwrap(), vec![item()]);
}

#[test]
fn item_information_says_on_loan_with_the_due_date_for_reconciliation() {
    let mut server = Server::new();
    let _login = logged_in(&mut server);
    server
        .mock("GET", "/inventory/items")
        .match_query(Matcher::UrlEncoded("query".into(), "barcode==\"036000291452\"".into()))
        .with_body(json!({"items": [{"id": ITEM_ID, "barcode": "036000291452", "title": "The Long Way", "status": {"name": "Checked out"}}]}).to_string())
        .create();
    server
        .mock("GET", "/circulation/loans")
        .match_query(Matcher::UrlEncoded("query".into(), format!("itemId==\"{ITEM_ID}\" and status.name==\"Open\"")))
        .with_body(json!({"loans": [serde_json::from_str::<Value>(&loan_body("2026-12-20T15:59:59.000Z")).unwrap()]}).to_string())
        .create();
    let mut folio = adapter(&server);
    let info = folio.item_info(&item()).unwrap().unwrap();
    assert_eq!(info.status, ItemCirculation::OnLoan);
    assert_eq!(
        info.due.and_then(|d| d.at),
        api::local("2026-12-20T15:59:59.000Z")
    );
    server
        .mock("GET", "/inventory/items")
        .match_query(Matcher::UrlEncoded(
            "query".into(),
            "barcode==\"404\"".into(),
        ))
        .with_body(json!({"items": []}).to_string())
        .create();
    assert_eq!(
        folio
            .item_info(&ItemId("404".into()))
            .unwrap()
            .unwrap_err()
            .reason,
        Reason::UnknownItem
    );
}

#[test]
fn a_barcode_cannot_change_the_cql_query() {
    let mut server = Server::new();
    let _login = logged_in(&mut server);
    let users = server
        .mock("GET", "/users")
        .match_query(Matcher::UrlEncoded(
            "query".into(),
            r#"barcode=="1\" or barcode==\"*""#.into(),
        ))
        .with_body(json!({"users": []}).to_string())
        .create();
    let mut folio = adapter(&server);
    assert!(folio.user(r#"1" or barcode=="*"#).unwrap().is_none());
    users.assert();
}

#[test]
fn the_configuration_is_checked_before_a_reader_meets_it() {
    let mut good = section("https://okapi.example.org".into());
    assert_eq!(good.problem(), None);
    good.service_point = "front desk".into();
    assert!(good.problem().unwrap().contains("service_point"));
    let mut bad = section("okapi.example.org".into());
    assert!(bad.problem().unwrap().contains("ils.folio.url"));
    bad.url = "http://x".into();
    bad.currency = "yuan".into();
    assert!(bad.problem().unwrap().contains("currency"));
}
