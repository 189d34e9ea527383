//! What the library asks and offers its readers at the touchscreen: the satisfaction question in
//! the library's own words, and its feedback form as a QR code on the suggestions page.

use super::Kiosk;
use crate::ui::generated::{Machine, Page};
use slint::ComponentHandle;

const FORM_QR: &str = "QR code of the library's feedback form";

/// A borrow in the default language (Chinese) or in English, to the goodbye screen.
fn to_goodbye(k: &Kiosk, english: bool) {
    if english {
        k.touch("English");
        k.device("Card: Li Hua");
        k.type_pin("1234", "OK");
        k.device("Book: 三体 (scan)");
        k.touch("Done");
        k.touch("No receipt");
    } else {
        k.device("读者证：李华");
        k.type_pin("1234", "确定");
        k.device("图书：三体（扫描）");
        k.touch("完成");
        k.touch("不要凭条");
    }
    assert_eq!(k.page(), Page::Goodbye);
}

#[test]
fn the_satisfaction_question_is_asked_in_the_librarys_words_in_each_language() {
    let own = |config: &mut crate::config::Config| {
        config.satisfaction.question_en = "Did the machine serve you well?".into();
        config.satisfaction.question_zh = "今天的自助服务您满意吗？".into();
    };
    let k = Kiosk::start_with(own);
    to_goodbye(&k, true);
    k.assert_shows("Did the machine serve you well?");
    assert!(!k.shows("How was it? Tap a face — or just go: nothing is kept unless you tap."));
    let k = Kiosk::start_with(own);
    to_goodbye(&k, false);
    k.assert_shows("今天的自助服务您满意吗？");

    // Only the Chinese wording set: English readers get the kiosk's own question.
    let k = Kiosk::start_with(|config| {
        config.satisfaction.question_zh = "今天的自助服务您满意吗？".into();
    });
    to_goodbye(&k, true);
    k.assert_shows("How was it? Tap a face — or just go: nothing is kept unless you tap.");
}

#[test]
fn the_suggestions_page_offers_the_librarys_feedback_form_only_when_there_is_one() {
    let url = "https://www.library.example.org/feedback?from=kiosk";
    let k = Kiosk::start_with(|config| config.suggestions.form_url = Some(url.into()));
    k.touch("English");
    k.touch("Suggestions");
    assert_eq!(k.page(), Page::Suggest);
    k.assert_shows("More to say? Scan to write to the library on your phone.");
    assert!(k.labels().iter().any(|l| l == FORM_QR), "{:?}", k.labels());
    // The code drawn is this URL's: its side is the URL's QR version plus the quiet zone.
    let modules = qrcode::QrCode::new(url.as_bytes()).unwrap().width() as u32;
    let drawn = k.ui.window.global::<Machine>().get_feedback_form().size();
    assert_eq!((drawn.width, drawn.height), (modules + 8, modules + 8));

    let k = Kiosk::start_with(|config| config.suggestions.form_url = None);
    k.touch("English");
    k.touch("Suggestions");
    assert!(!k.shows("More to say? Scan to write to the library on your phone."));
    assert!(!k.labels().iter().any(|l| l == FORM_QR));
}
