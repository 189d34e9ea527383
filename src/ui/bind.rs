//! From the session's [`Screen`] to the window's globals (`Visit`, `Machine`), the core's enums
//! to the screens' (`ui/enums.slint`). Pure mapping: the tests check it without a window, and
//! the window code only calls [`show`].

use super::generated::{
    self, FineRow, HoldRow, ItemRow, ItemStatus, KioskWindow, LoanRow, Machine, NoticeData,
    PartStatus, SummaryData, TechBar, TechDeviceRow, TechPinProblem, TechScreen, TechTagRow,
    TechTotals, Technician, UiLanguage, Visit,
};
use crate::circ::effect::{ItemOutcome, ItemResult};
use crate::circ::reason::{Reason, Refusal};
use crate::circ::screen::{Language, Page, ReceiptChoice, Screen};
use crate::circ::types::Account;
use slint::{ComponentHandle, Model, ModelRc, SharedString, VecModel};
use std::rc::Rc;

/// The screen for the session's page.
pub fn page(page: Page) -> generated::Page {
    match page {
        Page::Idle => generated::Page::Idle,
        Page::Pin => generated::Page::Pin,
        Page::Checking => generated::Page::Checking,
        Page::Menu => generated::Page::Menu,
        Page::Borrow => generated::Page::Borrow,
        Page::Return => generated::Page::Return,
        Page::Renew => generated::Page::Renew,
        Page::Account => generated::Page::Account,
        Page::Receipt => generated::Page::Receipt,
        Page::Goodbye => generated::Page::Goodbye,
        Page::Suggest => generated::Page::Suggest,
        Page::OutOfService => generated::Page::OutOfService,
    }
}

pub fn ui_language(language: Language) -> UiLanguage {
    match language {
        Language::En => UiLanguage::En,
        Language::ZhCn => UiLanguage::ZhCn,
    }
}

/// The session's language for the window's choice.
pub fn language(language: UiLanguage) -> Language {
    match language {
        UiLanguage::En => Language::En,
        UiLanguage::ZhCn => Language::ZhCn,
    }
}

/// The core's reason for the screen's chip.
pub fn rating_reason(reason: generated::RatingReason) -> crate::circ::satisfaction::LowScoreReason {
    use crate::circ::satisfaction::LowScoreReason;
    use generated::RatingReason;
    match reason {
        RatingReason::BookNotFound => LowScoreReason::BookNotFound,
        RatingReason::NotRead => LowScoreReason::NotRead,
        RatingReason::TooSlow => LowScoreReason::TooSlow,
        RatingReason::NeededStaff => LowScoreReason::NeededStaff,
        RatingReason::Other => LowScoreReason::Other,
    }
}

/// The core's feedback topic for the screen's.
pub fn topic(topic: generated::Topic) -> crate::circ::suggestion::FeedbackTopic {
    use crate::circ::suggestion::FeedbackTopic;
    use generated::Topic;
    match topic {
        Topic::MachineNotWorking => FeedbackTopic::MachineNotWorking,
        Topic::BookMissing => FeedbackTopic::BookMissing,
        Topic::Praise => FeedbackTopic::Praise,
        Topic::Other => FeedbackTopic::Other,
    }
}

/// The session's button for the screen's.
pub fn button(choice: generated::Choice) -> crate::circ::Button {
    use crate::circ::Button;
    use generated::Choice;
    match choice {
        Choice::Borrow => Button::Borrow,
        Choice::Return => Button::Return,
        Choice::Renew => Button::Renew,
        Choice::Account => Button::Account,
        Choice::Back => Button::Back,
        Choice::Done => Button::Done,
        Choice::Cancel => Button::Cancel,
        Choice::RenewAll => Button::RenewAll,
        Choice::PrintReceipt => Button::PrintReceipt,
        Choice::EmailReceipt => Button::EmailReceipt,
        Choice::NoReceipt => Button::NoReceipt,
        Choice::Suggest => Button::Suggest,
        Choice::Confirm => Button::Confirm,
    }
}

/// The reason's code and what its message needs, and the ILS's own words.
pub fn notice_data(reason: &Reason, ils_message: Option<&str>) -> NoticeData {
    let notice = reason.notice();
    NoticeData {
        code: notice.code.into(),
        number: notice.number,
        present: notice.present,
        detail: notice.detail.into(),
        ils_message: ils_message.unwrap_or_default().into(),
    }
}

fn empty_notice() -> NoticeData {
    NoticeData {
        code: SharedString::new(),
        number: 0,
        present: 0,
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
        status: ItemStatus::Pending,
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
            row.status = ItemStatus::Borrowed;
            row.due = due.display().into();
            row.offline = *offline;
        }
        ItemResult::Renewed { due } => {
            row.status = ItemStatus::Renewed;
            row.due = due.as_ref().map(|d| d.display()).unwrap_or_default().into();
        }
        ItemResult::Returned { route } => {
            row.status = ItemStatus::Returned;
            let notice = route.notice();
            row.route = if to_slot { "return_slot" } else { &notice.code }.into();
            row.reason.detail = notice.detail.into();
        }
        ItemResult::Refused { reason } => {
            row.status = ItemStatus::Refused;
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
    let visit = window.global::<Visit>();
    let machine = window.global::<Machine>();
    if screen.page != Page::Idle {
        // A card or a book started a visit: an opened slide gives way.
        window.global::<super::generated::Promotion>().set_open(-1);
    }
    if screen.page != Page::Pin {
        // Digits typed and not sent do not wait for the next reader.
        window
            .global::<super::generated::PinEntry>()
            .set_pin("".into());
    }
    visit.set_page(page(screen.page));
    visit.set_language(ui_language(screen.language));
    visit.set_patron_name(screen.patron_name.clone().unwrap_or_default().into());
    visit.set_busy(screen.busy);
    visit.set_returns_to_slot(screen.returns_to_slot);
    machine.set_offline(screen.offline);
    machine.set_returns_offered(screen.returns_offered);
    let notice = |which| screen.service_notices.contains(&which);
    machine.set_no_printed_receipts(notice(crate::circ::ServiceNotice::NoPrintedReceipts));
    machine.set_no_card_reader(notice(crate::circ::ServiceNotice::NoCardReader));
    machine.set_no_scanner(notice(crate::circ::ServiceNotice::NoScanner));
    match &screen.notice {
        Some(Refusal {
            reason,
            screen_message,
            ..
        }) => {
            visit.set_has_notice(true);
            visit.set_notice(notice_data(reason, screen_message.as_deref()));
            if let Reason::OutOfService { fault } = reason {
                machine.set_fault_code(fault.as_str().into());
            }
        }
        None => visit.set_has_notice(false),
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
    visit.set_done_count(i32::try_from(done).unwrap_or(i32::MAX));
    visit.set_refused_count(i32::try_from(refused).unwrap_or(i32::MAX));
    visit.set_items(model(rows));
    show_account(&visit, screen.account.as_ref());
    let choices = &screen.receipt_choices;
    visit.set_can_print(choices.contains(&ReceiptChoice::Print));
    visit.set_can_email(choices.contains(&ReceiptChoice::Email));
    visit.set_can_skip(choices.contains(&ReceiptChoice::None));
    visit.set_has_summary(screen.summary.is_some());
    if let Some(summary) = &screen.summary {
        let n = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
        visit.set_summary(SummaryData {
            borrowed: n(summary.borrowed),
            returned: n(summary.returned),
            renewed: n(summary.renewed),
            refused: n(summary.refused),
        });
    }
    let (also, with) = screen
        .also_borrowed
        .as_ref()
        .map_or((String::new(), String::new()), |a| {
            (a.borrowed.clone(), a.also.clone())
        });
    visit.set_also_borrowed(also.into());
    visit.set_also_borrowed_with(with.into());
    let rating = screen.rating;
    visit.set_asking(rating.is_some());
    visit.set_low_score(rating.and_then(|r| r.score).map_or(0, i32::from));
    visit.set_reasons_offered(rating.is_some_and(|r| r.reasons_offered));
    visit.set_thanked(rating.is_some_and(|r| r.thanked));
    let suggest = screen.suggest.clone().unwrap_or_default();
    visit.set_suggest_isbn(suggest.isbn.unwrap_or_default().into());
    visit.set_suggest_sent(i32::try_from(suggest.sent).unwrap_or(i32::MAX));
    visit.set_reply_offered(suggest.reply_offered);
    visit.set_reply_wanted(suggest.reply_wanted);
    visit.set_timeout_seconds(
        screen
            .timeout_warning
            .map_or(0, |s| i32::try_from(s).unwrap_or(i32::MAX).max(1)),
    );
}

fn show_account(visit: &Visit<'_>, account: Option<&Account>) {
    let loans = loan_rows(account);
    // A reader ticking loans to renew keeps the ticks while the list stays the same.
    let current = visit.get_loans();
    let same = current.row_count() == loans.len()
        && current
            .iter()
            .zip(&loans)
            .all(|(old, new)| old.item == new.item && old.due == new.due);
    if !same {
        visit.set_loans(model(loans));
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
    visit.set_holds(model(holds));
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
    visit.set_fines(model(fines));
    let total = account
        .and_then(|a| a.status.fines)
        .filter(|m| m.minor != 0)
        .map(|m| m.to_string())
        .unwrap_or_default();
    visit.set_fines_total(total.into());
}

/// The loans the reader ticked on the renew page.
pub fn selected_loans(window: &KioskWindow) -> Vec<String> {
    window
        .global::<Visit>()
        .get_loans()
        .iter()
        .filter(|l| l.selected)
        .map(|l| l.item.to_string())
        .collect()
}

/// The technician's screen for the shell's page (hidden when there is none).
pub fn tech_screen(page: Option<crate::tech::TechPage>) -> TechScreen {
    use crate::tech::TechPage;
    match page {
        None => TechScreen::Hidden,
        Some(TechPage::Pin) => TechScreen::Pin,
        Some(TechPage::Devices) => TechScreen::Devices,
        Some(TechPage::Monitor) => TechScreen::Monitor,
        Some(TechPage::Tags) => TechScreen::Tags,
        Some(TechPage::Ils) => TechScreen::Ils,
        Some(TechPage::Queue) => TechScreen::Queue,
        Some(TechPage::Log) => TechScreen::Log,
        Some(TechPage::Statistics) => TechScreen::Statistics,
    }
}

/// The shell's page for a page the technician opened (`None`: hidden, which is not opened).
pub fn tech_page(screen: TechScreen) -> Option<crate::tech::TechPage> {
    use crate::tech::TechPage;
    Some(match screen {
        TechScreen::Hidden => return None,
        TechScreen::Pin => TechPage::Pin,
        TechScreen::Devices => TechPage::Devices,
        TechScreen::Monitor => TechPage::Monitor,
        TechScreen::Tags => TechPage::Tags,
        TechScreen::Ils => TechPage::Ils,
        TechScreen::Queue => TechPage::Queue,
        TechScreen::Log => TechPage::Log,
        TechScreen::Statistics => TechPage::Statistics,
    })
}

fn part_status(status: &str) -> PartStatus {
    match status {
        "ok" => PartStatus::Ok,
        "warn" => PartStatus::Warn,
        _ => PartStatus::Fail,
    }
}

/// The technician's screen over the reader's.
pub fn show_tech(window: &KioskWindow, view: &crate::app::tech_shell::TechView) {
    use crate::tech::PinProblem;
    let tech = window.global::<Technician>();
    tech.set_screen(tech_screen(view.page));
    let (problem, count) = match view.problem {
        None => (TechPinProblem::None, 0),
        Some(PinProblem::Wrong { tries_left }) => (TechPinProblem::Wrong, tries_left),
        Some(PinProblem::Locked { minutes_left }) => (TechPinProblem::Locked, minutes_left),
        Some(PinProblem::NotConfigured) => (TechPinProblem::NotConfigured, 0),
    };
    tech.set_problem(problem);
    tech.set_count(i32::try_from(count).unwrap_or(i32::MAX));
    let devices: Vec<TechDeviceRow> = view
        .devices
        .iter()
        .map(|d| TechDeviceRow {
            name: d.name.into(),
            status: part_status(d.status),
            message: d.message.as_str().into(),
            action: d.action.clone().unwrap_or_default().into(),
        })
        .collect();
    tech.set_devices(ModelRc::new(VecModel::from(devices)));
    let lines = |lines: &[String]| -> ModelRc<SharedString> {
        ModelRc::new(VecModel::from(
            lines
                .iter()
                .map(|l| SharedString::from(l.as_str()))
                .collect::<Vec<_>>(),
        ))
    };
    tech.set_monitor(lines(&view.monitor));
    tech.set_ils(lines(&view.ils));
    tech.set_queue(lines(&view.queue));
    tech.set_log(lines(&view.log));
    tech.set_voice(view.voice.as_str().into());
    let tags: Vec<TechTagRow> = view
        .tags
        .iter()
        .map(|t| TechTagRow {
            uid: t.uid.as_str().into(),
            text: t.text.as_str().into(),
        })
        .collect();
    tech.set_tags(ModelRc::new(VecModel::from(tags)));
    show_statistics(&tech, view);
}

/// The Statistics page: three periods, the hours of the day and the refusals as bars.
fn show_statistics(tech: &Technician, view: &crate::app::tech_shell::TechView) {
    let Some(stats) = &view.statistics else {
        tech.set_stats_ready(false);
        tech.set_stats_problem(view.statistics_problem.clone().unwrap_or_default().into());
        return;
    };
    let number = |n: i64| i32::try_from(n).unwrap_or(i32::MAX);
    let totals = |p: &crate::stats::Period| TechTotals {
        borrowed: number(p.borrowed),
        returned: number(p.returned),
        renewed: number(p.renewed),
        refused: number(p.refused),
        offline: number(p.offline),
    };
    let bars = |items: Vec<(String, i64)>| -> ModelRc<TechBar> {
        let top = items.iter().map(|i| i.1).max().unwrap_or(0).max(1) as f32;
        ModelRc::new(VecModel::from(
            items
                .into_iter()
                .map(|(label, count)| TechBar {
                    label: label.into(),
                    count: number(count),
                    share: count as f32 / top,
                })
                .collect::<Vec<_>>(),
        ))
    };
    tech.set_stats_periods(ModelRc::new(VecModel::from(vec![
        totals(&stats.today),
        totals(&stats.last_7_days),
        totals(&stats.last_30_days),
    ])));
    tech.set_stats_hours(bars(
        stats
            .hours
            .iter()
            .enumerate()
            .map(|(h, n)| (h.to_string(), *n))
            .collect(),
    ));
    tech.set_stats_refusals(bars(
        stats
            .refusals
            .iter()
            .map(|(code, n)| (crate::stats::reason_label(code).to_owned(), *n))
            .collect(),
    ));
    tech.set_stats_problem(SharedString::new());
    tech.set_stats_ready(true);
}
