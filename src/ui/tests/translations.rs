//! Every string a reader can see goes through `@tr` and has a zh-CN translation.

use crate::app::render::JsonLines;
use crate::app::runtime::Output;
use crate::app::tell;
use crate::circ::messages::{self, Notice};
use crate::circ::reason::{Reason, Refusal};
use crate::circ::types::ReturnRoute;
use crate::circ::{Effect, Language, Page, Screen};
use crate::ui::generated::{KioskWindow, NoticeData, Strings};
use slint::ComponentHandle;
use std::collections::BTreeMap;
use std::path::Path;

fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The string literal starting at `text` (just after its opening quote), and what follows it.
fn literal(text: &str) -> Option<(String, &str)> {
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return Some((unescape(&text[..i]), &text[i + 1..])),
            _ => escaped = false,
        }
    }
    None
}

fn tr_strings() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui");
    let mut found = Vec::new();
    let files = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        // The messages, generated from the core's catalogue at build time.
        .chain([Path::new(env!("OUT_DIR")).join("strings.slint")]);
    for path in files {
        if path.extension().is_none_or(|e| e != "slint") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let mut rest = text.as_str();
        while let Some(at) = rest.find("@tr(\"") {
            let (string, after) = literal(&rest[at + 5..]).expect("a closed @tr string");
            found.push((
                path.file_name().unwrap().to_string_lossy().into_owned(),
                string,
            ));
            rest = after;
        }
    }
    found
}

fn po(language: &str) -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("ui/translations")
        .join(language)
        .join("LC_MESSAGES/kiosk.po");
    let text = std::fs::read_to_string(path).unwrap();
    crate::app::tell::parse_po(&text).into_iter().collect()
}

#[test]
fn every_reader_string_has_a_chinese_translation() {
    let strings = tr_strings();
    assert!(
        strings.len() > 100,
        "found only {} @tr strings",
        strings.len()
    );
    let zh = po("zh_CN");
    let missing: Vec<&(String, String)> = strings
        .iter()
        .filter(|(_, s)| zh.get(s).is_none_or(|t| t.is_empty()))
        .collect();
    assert!(missing.is_empty(), "no zh-CN translation for: {missing:#?}");
    // The translation keeps each placeholder.
    for (_, s) in &strings {
        let wanted = s.matches("{}").count();
        assert_eq!(zh[s].matches("{}").count(), wanted, "placeholders of {s:?}");
    }
}

/// Everything a reader can be told about a book or a refusal, as the core gives it.
fn told() -> Vec<Notice> {
    let mut notices: Vec<Notice> = Reason::one_of_each().iter().map(Reason::notice).collect();
    notices.extend(messages::BLOCKS.iter().map(|block| Notice {
        code: "patron_blocked".into(),
        detail: block.code.into(),
        ..Notice::default()
    }));
    notices
}

fn routes() -> Vec<(ReturnRoute, bool)> {
    let to = ReturnRoute::Transfer {
        to: "East Branch".into(),
    };
    [
        ReturnRoute::Shelf,
        ReturnRoute::ReturnBin,
        ReturnRoute::HoldShelf,
        to,
    ]
    .into_iter()
    .flat_map(|route| [(route.clone(), false), (route, true)])
    .collect()
}

#[test]
fn every_message_is_told_alike_on_the_screen_and_in_text_in_both_languages() {
    i_slint_backend_testing::init_no_event_loop();
    let window = KioskWindow::new().unwrap();
    let strings = window.global::<Strings>();
    let json_message = |reason: &Reason, language: Language| {
        // The headless output's notice, as a script reads it.
        let mut out = Vec::new();
        let screen = Screen {
            notice: Some(Refusal::new(reason.clone())),
            ..Screen::blank(Page::Idle, language)
        };
        JsonLines::new(&mut out)
            .effect(&Effect::Show {
                screen: Box::new(screen),
            })
            .unwrap();
        let line: serde_json::Value = serde_json::from_slice(&out).unwrap();
        line["screen"]["notice"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let mut english = Vec::new();
    for language in [Language::En, Language::ZhCn] {
        slint::select_bundled_translation(match language {
            Language::En => "en",
            Language::ZhCn => "zh_CN",
        })
        .unwrap();
        let fallback = tell::translate(messages::REASON_FALLBACK, language);
        for notice in told() {
            let on_screen = strings
                .invoke_reason(NoticeData {
                    code: notice.code.as_str().into(),
                    number: notice.number,
                    present: notice.present,
                    detail: notice.detail.as_str().into(),
                    ils_message: Default::default(),
                })
                .to_string();
            assert_eq!(
                on_screen,
                tell::notice(&notice, language),
                "{notice:?} {language:?}"
            );
            assert_ne!(on_screen, fallback, "{notice:?} has a message of its own");
            if language == Language::En {
                english.push(on_screen);
            } else {
                let en = english.iter().find(|e| **e == on_screen);
                assert!(en.is_none(), "{notice:?} is not translated: {on_screen}");
            }
        }
        for reason in Reason::one_of_each() {
            assert_eq!(
                json_message(&reason, language),
                tell::reason(&reason, language),
                "the headless output tells {reason:?} as the screen does"
            );
        }
        for (route, to_slot) in routes() {
            let notice = route.notice();
            let code = if to_slot {
                "return_slot"
            } else {
                notice.code.as_str()
            };
            let on_screen = strings
                .invoke_route(code.into(), notice.detail.as_str().into())
                .to_string();
            assert_eq!(
                on_screen,
                tell::route(&route, to_slot, language),
                "{route:?}"
            );
        }
    }
    slint::select_bundled_translation("en").unwrap();
}
