//! Whole sessions at the touchscreen, in English and in Chinese.

use super::Kiosk;
use crate::ui::generated::{Machine, Page, Visit};
use slint::ComponentHandle;

#[test]
fn a_borrow_session_in_english() {
    let k = Kiosk::start();
    k.touch("English");
    k.assert_shows("Place your library card on the reader, or scan it or your e-card QR code");
    k.device("Card: Li Hua");
    k.assert_shows("Please enter your PIN");
    k.type_pin("1234", "OK");
    k.assert_shows("Hello, 李华 Li Hua. What would you like to do?");
    k.touches.set(0);
    // Books straight onto the scanner from the menu: borrowing starts by itself.
    k.device("Book: 三体 (scan)");
    k.device("Book: reserved for someone else (scan)");
    assert_eq!(k.page(), Page::Borrow);
    k.assert_shows("三体: ✔ Borrowed — Due ");
    k.assert_shows(
        "Pride and Prejudice: ✘ Not done — Reserved for another reader. Please leave it with staff.",
    );
    k.assert_shows("1 borrowed, 1 not lent");
    k.touch("Done");
    k.assert_shows("Would you like a receipt?");
    k.touch("Print receipt");
    k.assert_shows("Thank you. Goodbye!");
    k.assert_shows("Borrowed 1, returned 0, renewed 0, not done 1.");
    assert!(
        k.touches.get() <= 3,
        "{} touches after the card",
        k.touches.get()
    );
    assert_eq!(k.touches.get(), 2);
    k.wait(6.0);
    assert_eq!(k.page(), Page::Idle);
}

#[test]
fn a_borrow_session_in_chinese() {
    let k = Kiosk::start();
    // Chinese is the configured default: the switch offers English.
    k.assert_shows("English");
    k.assert_shows("请将读者证放在读卡区，或扫描读者证、电子读者证二维码");
    k.device("读者证：李华");
    k.assert_shows("请输入密码");
    k.type_pin("1234", "确定");
    k.assert_shows("李华 Li Hua，您好！请选择服务。");
    k.touch("借书");
    k.device("感应区上放 3 本带标签的图书");
    k.assert_shows("平凡的世界: ✔ 已借出 — 应还日期 ");
    k.assert_shows("小王子 The Little Prince: ✔ 已借出");
    k.assert_shows("已借出 3 册，未借出 0 册");
    k.touch("完成");
    k.assert_shows("需要凭条吗？");
    k.touch("不要凭条");
    k.assert_shows("谢谢，再见！");
}

#[test]
fn a_return_without_a_card_needs_no_touch() {
    let k = Kiosk::start();
    k.touch("English");
    k.touches.set(0);
    k.device("Stack of 3 tagged books on the pad");
    assert_eq!(k.page(), Page::Return);
    // Not on loan in the simulated library: each says why, and what to do.
    k.assert_shows("平凡的世界: ✘ Not done — This item was not on loan. Please hand it to staff.");
    k.device("Book: 三体 (scan)");
    k.assert_shows("三体: ");
    k.wait(11.0);
    assert_eq!(k.page(), Page::Idle, "back to the attract screen by itself");
    assert_eq!(k.touches.get(), 0);
}

#[test]
fn without_a_return_slot_returned_books_go_where_the_library_system_says() {
    let k = Kiosk::start_with_fault(
        kiosk_hw::config::SimPart::ReturnSlot,
        kiosk_hw::config::PartFault::Missing,
    );
    k.touch("English");
    k.device("Card: Li Hua");
    k.type_pin("1234", "OK");
    k.touch("Return");
    k.ui.device(crate::app::runtime::Input::Scan("30234000001098".into()));
    k.ui.sync();
    k.assert_shows("围城: ✔ Returned — Thank you. You can put it on the returns trolley.");
}

#[test]
fn the_language_changes_in_the_middle_of_a_session_and_the_session_stays() {
    let k = Kiosk::start();
    k.touch("English");
    k.device("Card: Li Hua");
    k.type_pin("1234", "OK");
    k.device("Book: 三体 (scan)");
    k.assert_shows("三体: ✔ Borrowed");
    k.touch("中文");
    assert_eq!(k.page(), Page::Borrow);
    k.assert_shows("三体: ✔ 已借出");
    k.assert_shows("已借出 1 册，未借出 0 册");
    k.touch("English");
    k.assert_shows("三体: ✔ Borrowed");
    assert_eq!(
        k.ui.window.global::<Visit>().get_patron_name(),
        "李华 Li Hua"
    );
}

#[test]
fn inactivity_warns_then_clears_the_session() {
    let k = Kiosk::start();
    k.touch("English");
    k.device("Card: Li Hua");
    k.type_pin("1234", "OK");
    assert_eq!(k.page(), Page::Menu);
    // Timeout 60 s, warning for the last 15 s.
    k.wait(50.0);
    k.assert_shows("Are you still there?");
    k.assert_shows("This session ends in 10 seconds.");
    k.touch("I am still here");
    assert!(!k.shows("Are you still there?"));
    assert_eq!(k.page(), Page::Menu);
    k.wait(61.0);
    assert_eq!(k.page(), Page::Idle);
    assert_eq!(k.ui.window.global::<Visit>().get_patron_name(), "");
}

#[test]
fn the_account_shows_loans_holds_and_fines() {
    let k = Kiosk::start();
    k.touch("English");
    k.device("Card: Emily Carter (a hold is ready)");
    k.type_pin("5678", "OK");
    k.touch("My account");
    k.assert_shows("My account");
    k.assert_shows("Ready to pick up");
    k.touch("Back");
    assert_eq!(k.page(), Page::Menu);
}

/// Every button of the page lies wholly inside the window (so it can be seen and touched).
pub(super) fn buttons_inside(k: &Kiosk, width: f32, height: f32) -> Result<(), String> {
    use i_slint_backend_testing::{AccessibleRole, ElementQuery};
    let buttons = ElementQuery::from_root(&k.ui.window)
        .match_accessible_role(AccessibleRole::Button)
        .find_all();
    if buttons.is_empty() {
        return Err(format!("no buttons on {:?}", k.page()));
    }
    for button in buttons {
        let (at, size) = (button.absolute_position(), button.size());
        let label = button.accessible_label().unwrap_or_default();
        // A fingertip's target: 48 px at the least (the touch size is 9 mm or more).
        if size.height < 48.0 {
            return Err(format!(
                "{label:?} on {:?} at {width}x{height} is {} px high",
                k.page(),
                size.height
            ));
        }
        let inside = at.x >= 0.0
            && at.y >= 0.0
            && at.x + size.width <= width + 0.5
            && at.y + size.height <= height + 0.5;
        if !inside {
            return Err(format!(
                "{label:?} on {:?} at {width}x{height}: {at:?} {size:?}",
                k.page()
            ));
        }
    }
    Ok(())
}

#[test]
fn nothing_is_cut_off_at_the_supported_sizes() {
    use slint::ComponentHandle;
    let k = Kiosk::start();
    let sizes = [(800.0, 480.0), (1280.0, 800.0), (1080.0, 1920.0)];
    let mut problems = Vec::new();
    let theme = k.ui.window.global::<crate::ui::generated::Theme>();
    let mut check = |k: &Kiosk| {
        for large in [false, true] {
            theme.set_large_text(large);
            for (width, height) in sizes {
                k.ui.window
                    .window()
                    .set_size(slint::LogicalSize::new(width, height));
                if let Err(problem) = buttons_inside(k, width, height) {
                    problems.push(format!("{problem} (large text {large})"));
                }
            }
        }
        theme.set_large_text(false);
    };
    // (switch, card, OK, books, done, no receipt, a low face, a reason) in each language.
    let walks = [
        (
            "English",
            "Card: Li Hua",
            "OK",
            "Book: 三体 (scan)",
            "Done",
            "No receipt",
            "Very unhappy",
            "Too slow",
        ),
        (
            "中文",
            "读者证：李华",
            "确定",
            "感应区上放 3 本带标签的图书",
            "完成",
            "不要凭条",
            "很不满意",
            "太慢了",
        ),
    ];
    for (switch, card, ok, books, done, no_receipt, low, reason) in walks {
        k.touch(switch);
        check(&k);
        k.device(card);
        check(&k);
        for digit in ["1", "2", "3", "4"] {
            k.touch(digit);
        }
        k.touch(ok);
        check(&k);
        // The suggestions page, from the menu, and back.
        let (suggestions, back) = if switch == "English" {
            ("Suggestions", "Back")
        } else {
            ("意见与荐购", "返回")
        };
        k.touch(suggestions);
        assert_eq!(k.page(), Page::Suggest);
        check(&k);
        k.touch(back);
        // The account and renew pages, and back to the menu each time.
        let (account, renew) = if switch == "English" {
            ("My account", "Renew")
        } else {
            ("我的账户", "续借")
        };
        k.touch(account);
        assert_eq!(k.page(), Page::Account);
        check(&k);
        k.touch(back);
        k.touch(renew);
        assert_eq!(k.page(), Page::Renew);
        check(&k);
        k.touch(back);
        k.device(books);
        check(&k);
        k.touch(done);
        check(&k);
        k.touch(no_receipt);
        // The satisfaction question, and after a low face its reasons.
        check(&k);
        k.touch(low);
        check(&k);
        k.touch(reason);
        k.wait(6.0);
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

fn luminance(c: slint::Color) -> f64 {
    let channel = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.03928 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(c.red()) + 0.7152 * channel(c.green()) + 0.0722 * channel(c.blue())
}

fn contrast(a: slint::Color, b: slint::Color) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[test]
fn text_contrast_is_at_least_7_to_1_in_high_contrast_and_4_5_otherwise() {
    use crate::ui::generated::Theme;
    use slint::ComponentHandle;
    let k = Kiosk::start();
    let theme = k.ui.window.global::<Theme>();
    for (high, floor) in [(true, 7.0), (false, 4.5)] {
        theme.set_high_contrast(high);
        let pairs = [
            (
                "text on background",
                theme.get_text(),
                theme.get_background(),
            ),
            ("text on surface", theme.get_text(), theme.get_surface()),
            (
                "muted on background",
                theme.get_muted(),
                theme.get_background(),
            ),
            ("accent on surface", theme.get_accent(), theme.get_surface()),
            (
                "on-accent on accent",
                theme.get_on_accent(),
                theme.get_accent(),
            ),
            (
                "problem on surface",
                theme.get_problem(),
                theme.get_surface(),
            ),
            (
                "problem on background",
                theme.get_problem(),
                theme.get_background(),
            ),
            ("ok on surface", theme.get_ok(), theme.get_surface()),
            // The picture tiles and illustrations: their icons and labels on the tile tint.
            ("accent on tile", theme.get_accent(), theme.get_tile()),
            ("text on tile", theme.get_text(), theme.get_tile()),
            // The pending icon of an item row.
            ("muted on surface", theme.get_muted(), theme.get_surface()),
        ];
        for (what, fg, bg) in pairs {
            let ratio = contrast(fg, bg);
            assert!(
                ratio >= floor,
                "{what}: {ratio:.2} < {floor} (high contrast {high})"
            );
        }
    }
}

#[test]
fn the_attract_screen_shows_the_logo_and_announcement_from_the_configuration() {
    let k = Kiosk::start_with(|config| {
        config.kiosk.logo = Some(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("ui/screenshots/idle-en-800x480.png"),
        );
        config.kiosk.announcement = "Closed on Monday 1 December".into();
    });
    assert!(k.ui.window.global::<Machine>().get_has_logo());
    k.assert_shows("Closed on Monday 1 December");
}

#[test]
fn a_signed_in_return_and_a_renewal_in_chinese() {
    let k = Kiosk::start();
    k.device("读者证：李华");
    k.type_pin("1234", "确定");
    k.touch("续借");
    assert_eq!(k.page(), Page::Renew);
    // 围城 is at its renewal limit; The Three-Body Problem can be renewed.
    k.touch("The Three-Body Problem");
    k.touch("续借所选");
    k.assert_shows("The Three-Body Problem: ✔ 已续借");
    k.touch("返回");
    k.touch("还书");
    // Her other loan comes back through the scanner; a book she never had is refused.
    k.ui.device(crate::app::runtime::Input::Scan("30234000001098".into()));
    k.device("图书：三体（扫描）");
    // The simulated machine has a return slot: the book goes through it.
    k.assert_shows("围城: ✔ 已归还 — 请将书投入还书口。");
    k.assert_shows("三体: ✘ 未办理 — 此书未被借出，请交给工作人员。");
    k.assert_shows("已归还 1 册，未归还 1 册");
    k.touch("完成");
    k.assert_shows("需要凭条吗？");
    k.touch("打印凭条");
    k.assert_shows("谢谢，再见！");
}

#[test]
fn the_printer_running_out_and_loaded_again_shows_at_the_kiosk() {
    let k = Kiosk::start();
    k.touch("English");
    let notice = "Printed receipts are not available at the moment.";
    assert!(!k.shows(notice));
    k.device("Printer: paper runs out");
    k.wait(31.0);
    k.assert_shows(notice);
    k.device("Card: Li Hua");
    k.type_pin("1234", "OK");
    k.device("Book: 三体 (scan)");
    k.touch("Done");
    k.assert_shows("Would you like a receipt?");
    assert!(!k.shows("Print receipt"), "{:#?}", k.labels());
    k.touch("No receipt");
    k.device("Printer: load paper (noticed within 30 s)");
    k.wait(31.0);
    assert_eq!(k.page(), Page::Idle);
    assert!(!k.shows(notice));
}

#[test]
fn the_rfid_reader_failing_and_answering_again_shows_at_the_kiosk() {
    let k = Kiosk::start();
    k.touch("English");
    k.device("RFID reader: stops answering");
    k.wait(2.0);
    assert_eq!(k.page(), Page::Idle, "a glitch is not a failure");
    k.wait(4.0);
    assert_eq!(k.page(), Page::OutOfService);
    k.assert_shows("RFID_READER");
    k.device("Card: Li Hua");
    assert_eq!(k.page(), Page::OutOfService, "nobody is served");
    k.device("RFID reader: answers again");
    k.wait(1.0);
    assert_eq!(k.page(), Page::Idle);
    k.device("Card: Li Hua");
    assert_eq!(k.page(), Page::Pin);
}

#[test]
fn without_the_card_reader_the_attract_screen_asks_for_the_barcode() {
    let k = Kiosk::start_with_fault(
        kiosk_hw::config::SimPart::CardReader,
        kiosk_hw::config::PartFault::Timeout,
    );
    k.assert_shows("读卡器暂时无法使用：请扫描读者证上的条码。");
    k.touch("English");
    k.assert_shows(
        "The card reader is not working at the moment: please scan the barcode on your card.",
    );
}

#[test]
fn every_notice_at_once_fits_the_small_screen() {
    use crate::circ::{Language, Page, Screen, ServiceNotice};
    use slint::ComponentHandle;
    let k = Kiosk::start();
    let (width, height) = (800.0, 480.0);
    k.ui.window
        .window()
        .set_size(slint::LogicalSize::new(width, height));
    let theme = k.ui.window.global::<crate::ui::generated::Theme>();
    for (language, large_text) in [
        (Language::En, false),
        (Language::ZhCn, false),
        (Language::En, true),
        (Language::ZhCn, true),
    ] {
        theme.set_large_text(large_text);
        // The library system, the printer, the card reader and the scanner all down.
        let screen = Screen {
            offline: true,
            service_notices: vec![
                ServiceNotice::NoPrintedReceipts,
                ServiceNotice::NoCardReader,
                ServiceNotice::NoScanner,
            ],
            ..Screen::blank(Page::Idle, language)
        };
        crate::ui::bind::show(&k.ui.window, &screen);
        let labelled = i_slint_backend_testing::ElementQuery::from_root(&k.ui.window).find_all();
        let notices: Vec<_> = labelled
            .iter()
            .filter(|e| {
                e.accessible_label()
                    .is_some_and(|l| ["at the moment", "暂时"].iter().any(|t| l.contains(t)))
            })
            .collect();
        assert_eq!(notices.len(), 4, "{:#?}", k.labels());
        for notice in notices {
            let (at, size) = (notice.absolute_position(), notice.size());
            assert!(
                at.y >= 0.0 && at.y + size.height <= height + 0.5,
                "{language:?}, large text {large_text}: {:?} at {at:?} {size:?}",
                notice.accessible_label()
            );
        }
        buttons_inside(&k, width, height).unwrap();
    }
}

#[test]
fn a_reader_at_the_machine_when_it_stops_is_told_their_loans_stand() {
    let k = Kiosk::start();
    k.device("读者证：李华");
    k.type_pin("1234", "确定");
    k.device("图书：三体（扫描）");
    k.assert_shows("三体: ✔");
    k.device("RFID 读写器：无响应");
    k.wait(6.0);
    assert_eq!(k.page(), Page::OutOfService);
    k.assert_shows("停机前的操作已记录：借出 1 册，归还 0 册，续借 0 册。");
}

#[test]
fn the_illustrations_point_where_the_configuration_says_the_parts_are() {
    use crate::ui::generated::Side;
    let k = Kiosk::start();
    let machine = k.ui.window.global::<Machine>();
    assert_eq!(
        (machine.get_card_side(), machine.get_pad_side()),
        (Side::Right, Side::Below)
    );
    let k = Kiosk::start_with(|config| {
        config.kiosk.layout.card_reader = crate::config::Side::Left;
        config.kiosk.layout.pad = crate::config::Side::Right;
    });
    let machine = k.ui.window.global::<Machine>();
    assert_eq!(
        (machine.get_card_side(), machine.get_pad_side()),
        (Side::Left, Side::Right)
    );
    // The picture says what it shows, for a screen reader.
    k.assert_shows("图示：读者证或显示电子读者证二维码的手机，朝这个方向放到读卡区");
}

#[test]
fn the_demo_apps_e_card_signs_in_once_and_its_screenshot_is_refused() {
    let k = Kiosk::start();
    k.touch("English");
    k.device("E-card QR code: Li Hua (library app)");
    k.assert_shows("Please enter your PIN");
    k.type_pin("1234", "OK");
    k.assert_shows("Hello, 李华 Li Hua. What would you like to do?");
    k.touch("Log out");
    k.device("The same QR code again (a screenshot)");
    assert_ne!(k.page(), Page::Pin, "the screenshot does not sign in");
    k.assert_shows(
        "This e-card code has already been used. Please refresh it in the library's app: each code signs in once.",
    );
}
