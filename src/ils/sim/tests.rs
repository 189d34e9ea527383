use super::*;
use chrono::NaiveDate;

const LI_HUA: &str = "20234000000019";
const WANG_FANG: &str = "20234000000027";
const ZHANG_WEI: &str = "20234000000035";
const CHEN_JING: &str = "20234000000043";
const EMILY: &str = "20234000000050";
const LIU_YANG: &str = "04A1B2C3";

const SANTI: &str = "30234000001015";
const LEFT_HAND: &str = "30234000001023";
const HUOZHE: &str = "30234000001031";
const PRIDE: &str = "30234000001049";
const HONGLOUMENG: &str = "30234000001056";
const BRIEF_HISTORY: &str = "30234000001064";
const SPIRITED_AWAY: &str = "30234000001072";
const THREE_BODY: &str = "30234000001080";
const WEICHENG: &str = "30234000001098";
const NORWEGIAN_WOOD: &str = "30234000001106";

fn today() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 29)
        .and_then(|d| d.and_hms_opt(10, 30, 0))
        .unwrap()
}

fn sim() -> SimIls {
    SimIls::new(&Seed::builtin(), Arc::new(today))
}

fn p(id: &str) -> PatronId {
    PatronId(id.into())
}

fn i(id: &str) -> ItemId {
    ItemId(id.into())
}

fn refused(answer: Answer<Loan>) -> Reason {
    answer.unwrap().expect_err("refused").reason
}

#[test]
fn the_builtin_seed_has_every_kind_of_patron_and_item() {
    let seed = Seed::builtin();
    assert!(seed.patrons.len() >= 6);
    assert!(seed.items.iter().any(|i| {
        i.title
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }));
    assert!(seed.items.iter().any(|i| i.title.is_ascii()));
}

#[test]
fn patron_status_checks_the_pin_and_reports_blocks() {
    let mut ils = sim();
    let ok = ils
        .patron_status(&p(LI_HUA), Some(&Pin::new("1234")))
        .unwrap();
    assert!(ok.valid);
    assert_eq!(ok.pin_ok, Some(true));
    assert!(ok.blocks.is_empty());
    let wrong = ils
        .patron_status(&p(LI_HUA), Some(&Pin::new("9999")))
        .unwrap();
    assert_eq!(wrong.pin_ok, Some(false));
    let unknown = ils.patron_status(&p("29999999999999"), None).unwrap();
    assert!(!unknown.valid);
    let barred = ils.patron_status(&p(WANG_FANG), None).unwrap();
    assert!(barred.blocks.contains(&Block::ChargePrivilegesDenied));
    let expired = ils.patron_status(&p(ZHANG_WEI), None).unwrap();
    assert_eq!(expired.borrow_block(), Some(Block::CardExpired));
    let fined = ils.patron_status(&p(CHEN_JING), None).unwrap();
    assert_eq!(fined.borrow_block(), Some(Block::ExcessiveOutstandingFines));
    assert_eq!(fined.fines.map(|m| m.minor), Some(3500));
}

#[test]
fn checkout_applies_the_loan_period_of_the_item_type() {
    let mut ils = sim();
    let loan = ils.checkout(&p(LI_HUA), &i(SANTI)).unwrap().unwrap();
    assert_eq!(loan.title, "三体");
    assert_eq!(
        loan.due.at,
        NaiveDate::from_ymd_opt(2026, 12, 27).and_then(|d| d.and_hms_opt(23, 59, 0))
    );
    let dvd = ils
        .checkout(&p(LI_HUA), &i(SPIRITED_AWAY))
        .unwrap()
        .unwrap();
    assert_eq!(dvd.due.text, "2026-12-06 23:59");
    assert_eq!(ils.borrower(&i(SANTI)), Some(&p(LI_HUA)));
    assert_eq!(ils.applied().checkouts, 2);
}

#[test]
fn checkout_refusals() {
    let mut ils = sim();
    assert_eq!(
        refused(ils.checkout(&p(LI_HUA), &i(PRIDE))),
        Reason::OnHoldForAnother
    );
    assert_eq!(
        refused(ils.checkout(&p(LI_HUA), &i(HONGLOUMENG))),
        Reason::NotForLoan
    );
    assert_eq!(
        refused(ils.checkout(&p(LI_HUA), &i("39999999999999"))),
        Reason::UnknownItem
    );
    assert_eq!(
        refused(ils.checkout(&p(LI_HUA), &i(BRIEF_HISTORY))),
        Reason::OnLoanToAnother
    );
    assert_eq!(
        refused(ils.checkout(&p(LI_HUA), &i(THREE_BODY))),
        Reason::AlreadyOnLoanToYou
    );
    assert_eq!(
        refused(ils.checkout(&p(WANG_FANG), &i(SANTI))),
        Reason::PatronBlocked {
            block: Block::ChargePrivilegesDenied
        }
    );
    assert_eq!(
        refused(ils.checkout(&p(ZHANG_WEI), &i(SANTI))),
        Reason::PatronBlocked {
            block: Block::CardExpired
        }
    );
    assert_eq!(
        refused(ils.checkout(&p(CHEN_JING), &i(SANTI))),
        Reason::PatronBlocked {
            block: Block::ExcessiveOutstandingFines
        }
    );
    assert_eq!(
        ils.applied(),
        Applied::default(),
        "a refusal applies nothing"
    );
}

#[test]
fn the_loan_limit_of_the_category_holds() {
    let mut ils = sim();
    ils.checkout(&p(LIU_YANG), &i(SANTI)).unwrap().unwrap();
    ils.checkout(&p(LIU_YANG), &i(LEFT_HAND)).unwrap().unwrap();
    assert_eq!(
        refused(ils.checkout(&p(LIU_YANG), &i(HUOZHE))),
        Reason::TooManyItems
    );
}

#[test]
fn the_reader_a_hold_is_for_can_borrow_it() {
    let mut ils = sim();
    ils.checkout(&p(EMILY), &i(PRIDE)).unwrap().unwrap();
    let account = ils.account(&p(EMILY), None).unwrap();
    assert!(
        account
            .holds
            .iter()
            .all(|h| h.title != "Pride and Prejudice"),
        "hold fulfilled"
    );
}

#[test]
fn checkin_routes_held_items_to_the_hold_shelf() {
    let mut ils = sim();
    let back = ils.checkin(&i(NORWEGIAN_WOOD)).unwrap().unwrap();
    assert_eq!(back.route, ReturnRoute::HoldShelf);
    let back = ils.checkin(&i(THREE_BODY)).unwrap().unwrap();
    assert_eq!(back.route, ReturnRoute::Shelf);
    let again = ils.checkin(&i(THREE_BODY)).unwrap().unwrap_err();
    assert_eq!(again.reason, Reason::NotOnLoan);
    assert_eq!(ils.applied().checkins, 2, "a second return is not applied");
}

#[test]
fn renewals_respect_limits_and_holds() {
    let mut ils = sim();
    let renewed = ils.renew(&p(LI_HUA), &i(THREE_BODY)).unwrap().unwrap();
    // Due in 5 days, renewed for 28 from then.
    assert_eq!(renewed.due.text, "2027-01-01 23:59");
    assert_eq!(
        refused(ils.renew(&p(LI_HUA), &i(WEICHENG))),
        Reason::RenewalLimit
    );
    assert_eq!(
        refused(ils.renew(&p(LIU_YANG), &i(NORWEGIAN_WOOD))),
        Reason::RenewalOnHold
    );
    assert_eq!(
        refused(ils.renew(&p(LI_HUA), &i(SANTI))),
        Reason::NotOnLoanToYou
    );
    let all = ils.renew_all(&p(LI_HUA)).unwrap().unwrap();
    assert_eq!(all.renewed, vec![i(THREE_BODY)]);
    assert_eq!(all.unrenewed, vec![i(WEICHENG)]);
    assert_eq!(ils.applied().renewals, 2);
}

#[test]
fn the_account_lists_loans_holds_and_fines() {
    let mut ils = sim();
    let chen = ils.account(&p(CHEN_JING), None).unwrap();
    assert_eq!(chen.loans.len(), 1);
    assert!(chen.loans[0].overdue);
    assert_eq!(chen.fines.len(), 2);
    let emily = ils.account(&p(EMILY), None).unwrap();
    let ready: Vec<bool> = emily.holds.iter().map(|h| h.ready).collect();
    assert_eq!(ready, vec![true, false]);
}

#[test]
fn item_information() {
    let mut ils = sim();
    let info = ils.item_info(&i(BRIEF_HISTORY)).unwrap().unwrap();
    assert_eq!(info.status, ItemCirculation::OnLoan);
    assert!(info.due.is_some());
    assert_eq!(
        ils.item_info(&i(PRIDE)).unwrap().unwrap().status,
        ItemCirculation::OnHoldShelf
    );
    assert_eq!(
        ils.item_info(&i(HONGLOUMENG)).unwrap().unwrap().status,
        ItemCirculation::NotForLoan
    );
}

#[test]
fn a_seed_with_terminals_needs_the_right_login() {
    let text = Seed::builtin_text().replace(
        "terminals = []",
        "terminals = [{ user = \"kiosk-01\", password = \"s3cret\" }]",
    );
    let seed = Seed::parse(&text).unwrap();
    let mut ils = SimIls::new(&seed, Arc::new(today));
    assert!(matches!(
        ils.patron_status(&p(LI_HUA), None),
        Err(IlsError::LoginRefused(_))
    ));
    let refused = ils.login("kiosk-01", "guess-9").unwrap_err();
    assert!(
        !refused.to_string().contains("guess-9"),
        "the password is not echoed"
    );
    ils.login("kiosk-01", "s3cret").unwrap();
    assert!(ils.patron_status(&p(LI_HUA), None).unwrap().valid);
}

#[test]
fn an_inconsistent_seed_is_refused_with_the_reason() {
    let text = Seed::builtin_text().replace("patron = \"20234000000043\"", "patron = \"nobody\"");
    let error = Seed::parse(&text).unwrap_err().to_string();
    assert!(error.contains("unknown patron nobody"), "{error}");
    let text = Seed::builtin_text().replace("[categories.child]", "[categories.kid]");
    let error = Seed::parse(&text).unwrap_err().to_string();
    assert!(error.contains("unknown category \"child\""), "{error}");
}
