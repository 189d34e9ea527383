//! From the session's [`Screen`] to the window's properties. Pure mapping: the tests check it
//! without a window, and the window code only calls [`show`].

use super::generated::{
    FineRow, HoldRow, ItemRow, KioskWindow, LoanRow, NoticeData, SummaryData, TechDeviceRow,
    TechTagRow,
};
use crate::circ::effect::{ItemOutcome, ItemResult};
use crate::circ::reason::{Reason, Refusal};
use crate::circ::screen::{Language, Page, ReceiptChoice, Screen};
use crate::circ::types::Account;
use slint::{Model, ModelRc, SharedString, VecModel};
use std::rc::Rc;

pub fn page_name(page: Page) -> &'static str {
    match page {
        Page::Idle => "idle",
        Page::Pin => "pin",
        Page::Checking => "checking",
        Page::Menu => "menu",
        Page::Borrow => "borrow",
        Page::Return => "return",
        Page::Renew => "renew",
        Page::Account => "account",
        Page::Receipt => "receipt",
        Page::Goodbye => "goodbye",
        Page::OutOfService => "out_of_service",
    }
}

pub fn language_code(language: Language) -> &'static str {
    match language {
        Language::En => "en",
        Language::ZhCn => "zh-CN",
    }
}

/// The reason's code and the numbers and text its message needs.
pub fn notice_data(reason: &Reason, ils_message: Option<&str>) -> NoticeData {
    let notice = reason.notice();
    NoticeData {
        code: notice.code.into(),
        a: notice.a,
        b: notice.b,
        detail: notice.detail.into(),
        ils_message: ils_message.unwrap_or_default().into(),
    }
}

fn empty_notice() -> NoticeData {
    NoticeData {
        code: SharedString::new(),
        a: 0,
        b: 0,
        detail: SharedString::new(),
        ils_message: SharedString::new(),
    }
}

/// One item's line; `to_slot`: returned books go through the return slot, whatever shelf the
/// ILS named (staff sort what the slot collects).
pub fn item_row(outcome: &ItemOutcome, to_slot: bool) -> ItemRow {
    let mut row = ItemRow {
        item: outcome.item.0.as_str().into(),
        title: outcome.title.clone().unwrap_or_default().into(),
        status: "pending".into(),
        due: SharedString::new(),
        offline: false,
        route: SharedString::new(),
        reason: NoticeData {
            ils_message: outcome.screen_message.clone().unwrap_or_default().into(),
            ..empty_notice()
        },
    };
    match &outcome.result {
        ItemResult::Pending => {}
        ItemResult::Borrowed { due, offline } => {
            row.status = "borrowed".into();
            row.due = due.display().into();
            row.offline = *offline;
        }
        ItemResult::Renewed { due } => {
            row.status = "renewed".into();
            row.due = due.as_ref().map(|d| d.display()).unwrap_or_default().into();
        }
        ItemResult::Returned { route } => {
            row.status = "returned".into();
            let notice = route.notice();
            row.route = if to_slot { "return_slot" } else { &notice.code }.into();
            row.reason.detail = notice.detail.into();
        }
        ItemResult::Refused { reason } => {
            row.status = "refused".into();
            row.reason = notice_data(reason, outcome.screen_message.as_deref());
        }
    }
    row
}

fn loan_rows(account: Option<&Account>) -> Vec<LoanRow> {
    account
        .map(|a| {
            a.loans
                .iter()
                .map(|l| LoanRow {
                    item: l.item.0.as_str().into(),
                    title: l.title.as_str().into(),
                    due: l.due.display().into(),
                    overdue: l.overdue,
                    selected: false,
                })
                .collect()
        })
        .unwrap_or_default()
}

fn model<T: Clone + 'static>(rows: Vec<T>) -> ModelRc<T> {
    ModelRc::from(Rc::new(VecModel::from(rows)))
}

/// Shows the screen on the window.
pub fn show(window: &KioskWindow, screen: &Screen) {
    window.set_page(page_name(screen.page).into());
    window.set_language(language_code(screen.language).into());
    window.set_patron_name(screen.patron_name.clone().unwrap_or_default().into());
    window.set_busy(screen.busy);
    window.set_offline(screen.offline);
    window.set_returns_offered(screen.returns_offered);
    let notice = |which| screen.service_notices.contains(&which);
    window.set_no_printed_receipts(notice(crate::circ::ServiceNotice::NoPrintedReceipts));
    window.set_no_card_reader(notice(crate::circ::ServiceNotice::NoCardReader));
    window.set_no_scanner(notice(crate::circ::ServiceNotice::NoScanner));
    match (&screen.notice, screen.page) {
        (
            Some(Refusal {
                reason,
                screen_message,
                ..
            }),
            _,
        ) => {
            window.set_has_notice(true);
            window.set_notice(notice_data(reason, screen_message.as_deref()));
            if let Reason::OutOfService { fault } = reason {
                window.set_fault_code(fault.as_str().into());
            }
        }
        (None, _) => window.set_has_notice(false),
    }
    let rows: Vec<ItemRow> = screen
        .items
        .iter()
        .map(|item| item_row(item, screen.returns_to_slot))
        .collect();
    let done = screen.items.iter().filter(|o| o.succeeded()).count();
    let refused = screen
        .items
        .iter()
        .filter(|o| matches!(o.result, ItemResult::Refused { .. }))
        .count();
    window.set_done_count(i32::try_from(done).unwrap_or(i32::MAX));
    window.set_refused_count(i32::try_from(refused).unwrap_or(i32::MAX));
    window.set_items(model(rows));
    show_account(window, screen.account.as_ref());
    let choices = &screen.receipt_choices;
    window.set_can_print(choices.contains(&ReceiptChoice::Print));
    window.set_can_email(choices.contains(&ReceiptChoice::Email));
    window.set_can_skip(choices.contains(&ReceiptChoice::None));
    window.set_has_summary(screen.summary.is_some());
    if let Some(summary) = &screen.summary {
        let n = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
        window.set_summary(SummaryData {
            borrowed: n(summary.borrowed),
            returned: n(summary.returned),
            renewed: n(summary.renewed),
            refused: n(summary.refused),
        });
    }
    window.set_timeout_seconds(
        screen
            .timeout_warning
            .map_or(0, |s| i32::try_from(s).unwrap_or(i32::MAX).max(1)),
    );
}

fn show_account(window: &KioskWindow, account: Option<&Account>) {
    let loans = loan_rows(account);
    // A reader ticking loans to renew keeps the ticks while the list stays the same.
    let current = window.get_loans();
    let same = current.row_count() == loans.len()
        && current
            .iter()
            .zip(&loans)
            .all(|(old, new)| old.item == new.item && old.due == new.due);
    if !same {
        window.set_loans(model(loans));
    }
    let holds = account
        .map(|a| {
            a.holds
                .iter()
                .map(|h| HoldRow {
                    title: h.title.as_str().into(),
                    ready: h.ready,
                    pickup_by: h
                        .pickup_by
                        .as_ref()
                        .map(|d| d.display())
                        .unwrap_or_default()
                        .into(),
                })
                .collect()
        })
        .unwrap_or_default();
    window.set_holds(model(holds));
    let fines = account
        .map(|a| {
            a.fines
                .iter()
                .map(|f| FineRow {
                    description: f.description.as_str().into(),
                    amount: f.amount.map(|m| m.to_string()).unwrap_or_default().into(),
                })
                .collect()
        })
        .unwrap_or_default();
    window.set_fines(model(fines));
    let total = account
        .and_then(|a| a.status.fines)
        .filter(|m| m.minor != 0)
        .map(|m| m.to_string())
        .unwrap_or_default();
    window.set_fines_total(total.into());
}

/// The loans the reader ticked on the renew page.
pub fn selected_loans(window: &KioskWindow) -> Vec<String> {
    window
        .get_loans()
        .iter()
        .filter(|l| l.selected)
        .map(|l| l.item.to_string())
        .collect()
}

/// The technician's screen over the reader's (an empty page hides it).
pub fn show_tech(window: &KioskWindow, view: &crate::app::tech_shell::TechView) {
    use crate::tech::{PinProblem, TechPage};
    let page = match view.page {
        None => "",
        Some(TechPage::Pin) => "pin",
        Some(TechPage::Devices) => "devices",
        Some(TechPage::Monitor) => "monitor",
        Some(TechPage::Tags) => "tags",
        Some(TechPage::Ils) => "ils",
        Some(TechPage::Queue) => "queue",
        Some(TechPage::Log) => "log",
    };
    window.set_tech_page(page.into());
    let (problem, count) = match view.problem {
        None => ("", 0),
        Some(PinProblem::Wrong { tries_left }) => ("wrong", tries_left),
        Some(PinProblem::Locked { minutes_left }) => ("locked", minutes_left),
        Some(PinProblem::NotConfigured) => ("not_configured", 0),
    };
    window.set_tech_problem(problem.into());
    window.set_tech_count(i32::try_from(count).unwrap_or(i32::MAX));
    let devices: Vec<TechDeviceRow> = view
        .devices
        .iter()
        .map(|d| TechDeviceRow {
            name: d.name.into(),
            status: d.status.into(),
            message: d.message.as_str().into(),
            action: d.action.clone().unwrap_or_default().into(),
        })
        .collect();
    window.set_tech_devices(ModelRc::new(VecModel::from(devices)));
    let lines = |lines: &[String]| -> ModelRc<SharedString> {
        ModelRc::new(VecModel::from(
            lines
                .iter()
                .map(|l| SharedString::from(l.as_str()))
                .collect::<Vec<_>>(),
        ))
    };
    window.set_tech_monitor(lines(&view.monitor));
    window.set_tech_ils(lines(&view.ils));
    window.set_tech_queue(lines(&view.queue));
    window.set_tech_log(lines(&view.log));
    let tags: Vec<TechTagRow> = view
        .tags
        .iter()
        .map(|t| TechTagRow {
            uid: t.uid.as_str().into(),
            text: t.text.as_str().into(),
        })
        .collect();
    window.set_tech_tags(ModelRc::new(VecModel::from(tags)));
}
