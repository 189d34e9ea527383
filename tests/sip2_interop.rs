//! Interop with a third-party ACS: a fake ILS written with the PyPI package `pysip2`
//! (tests/interop/fake_ils.py, see tests/common/pysip2.rs), driven through the kiosk's own SIP2
//! adapter.

mod common;
use common::pysip2::FakeIls;
use kiosk::circ::Reason;
use kiosk::circ::types::{ItemId, PatronId, Pin, ReturnRoute};
use kiosk::config::secrets::Secret;
use kiosk::ils::Ils;
use kiosk::ils::sip2::adapter::{Sip2Ils, Sip2Section};

/// What a library sets to reach its ACS, and nothing more: everything else as shipped (pysip2
/// is strict where some servers are lenient, e.g. it drops the connection on a blank no-block
/// due date, which the defaults therefore do not send).
fn section(port: u16) -> Sip2Section {
    toml::from_str(&format!(
        "host = \"127.0.0.1\"\nport = {port}\ninstitution = \"INTEROP\"\nlogin_user = \"kiosk\"\n\
         location = \"KIOSK-1\"\n"
    ))
    .unwrap()
}

#[test]
fn the_kiosk_talks_to_a_pysip2_acs() {
    let fake = FakeIls::start();
    let mut ils = Sip2Ils::new(section(fake.port), Some(Secret::new("pw")), None);
    let patron = PatronId("P100".into());

    // Login and SC status.
    ils.connect().expect("login and status");
    let status = ils.client().acs_status().expect("a 98 reply").clone();
    assert!(status.online && status.checkout_ok);
    assert_eq!(status.library_name.as_deref(), Some("pysip2 fake ILS"));

    // Patron information with the PIN, right and wrong.
    let ok = ils.patron_status(&patron, Some(&Pin::new("1234"))).unwrap();
    assert!(ok.valid);
    assert_eq!(ok.pin_ok, Some(true));
    assert_eq!(ok.name, "Ada Lovelace");
    assert_eq!(ok.email.as_deref(), Some("ada@example.org"));
    let wrong = ils.patron_status(&patron, Some(&Pin::new("9999"))).unwrap();
    assert_eq!(wrong.pin_ok, Some(false));
    let nobody = ils.patron_status(&PatronId("P404".into()), None).unwrap();
    assert!(!nobody.valid);

    // Checkout, and a refusal the kiosk can explain.
    let loan = ils
        .checkout(&patron, &ItemId("I1".into()))
        .unwrap()
        .expect("lent");
    assert_eq!(loan.title, "Sketch of the Analytical Engine");
    assert!(loan.due.at.is_some(), "due date understood: {:?}", loan.due);
    let refused = ils
        .checkout(&patron, &ItemId("HOLD1".into()))
        .unwrap()
        .expect_err("on hold");
    assert_eq!(refused.reason, Reason::OnHoldForAnother);
    assert_eq!(
        refused.screen_message.as_deref(),
        Some("Item on hold for another patron")
    );

    // A corrupted reply: the client asks for it again (97) and carries on.
    let info = ils
        .item_info(&ItemId("I2".into()))
        .unwrap()
        .expect("known item");
    assert_eq!(info.title, "Notes by the Translator");
    fake.wait_for("CORRUPTED 18");
    fake.wait_for("REQ RequestACSResend");

    // The ACS closes the connection after this checkin…
    let back = ils
        .checkin(&ItemId("BYE".into()))
        .unwrap()
        .expect("returned");
    assert_eq!(back.route, ReturnRoute::Shelf);
    // Closed before anything more is sent: a request sent on a connection the ACS is closing
    // has an unknown outcome (the kiosk would then ask before sending it again).
    fake.wait_for("CLOSED");
    // …and the kiosk reconnects, logs in again and carries on.
    let renewed = ils
        .renew(&patron, &ItemId("I1".into()))
        .unwrap()
        .expect("renewed");
    assert_eq!(renewed.title, "Sketch of the Analytical Engine");
    let logins = fake
        .events()
        .iter()
        .filter(|e| *e == "LOGIN kiosk ok")
        .count();
    assert_eq!(
        logins,
        2,
        "logged in again after the ACS closed: {:?}",
        fake.events()
    );

    // The account, and the end of the session.
    let account = ils.account(&patron, Some(&Pin::new("1234"))).unwrap();
    let titles: Vec<&str> = account.loans.iter().map(|l| l.title.as_str()).collect();
    assert_eq!(titles, ["Sketch of the Analytical Engine"]);
    ils.end_session(&patron).unwrap();
    fake.wait_for("REQ EndPatronSessionRequest");
}

#[test]
fn a_wrong_password_is_refused_by_the_pysip2_acs() {
    let fake = FakeIls::start();
    let mut ils = Sip2Ils::new(section(fake.port), Some(Secret::new("not-it")), None);
    let error = ils.connect().expect_err("refused");
    assert!(error.to_string().contains("refused"), "{error}");
    fake.wait_for("LOGIN kiosk refused");
}
