//! The headless front-end: JSON lines in, mapped to the runtime's typed inputs; every effect
//! goes out as a JSON line (see `render`). The protocol is documented in README.md ("Headless
//! protocol").

use super::runtime::{Inbound, Input, SimInput};
use super::sim_pad::{self, PlaceTag, Placement, parse_hex};
use super::tech_shell::TechCommand;
use crate::circ::types::{ItemId, Pin};
use crate::circ::{Button, Language};
use kiosk_hw::tag::TypeOfUsage;
use serde::Deserialize;
use std::io::{self, BufRead};
use std::sync::mpsc::Sender;
use std::time::Duration;

/// One line of input.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    /// `{"scan": "20234000000019"}`: the barcode scanner read this (card or item).
    Scan(String),
    /// `{"qr": "20234000000019.1893456000.es1O…"}`: a 2D scanner read this QR code (an e-card,
    /// or anything else a reader holds up); the scanner hands QR codes over as text, like
    /// barcodes, and `[barcodes.qr]` tells them apart.
    Qr(String),
    /// `{"card_uid": "04A1B2C3"}`: the RFID card reader saw a card with this UID (hex).
    CardUid(String),
    /// `{"tag": {"uid": "E004015012345678", "item": "30234000001015"}}`: lay a tagged item on
    /// the simulated pad (shorthand for `place`); `"no_offline_issue": true` /
    /// `"no_offline_return": true` set its type of usage to the offline sub-codes.
    Tag {
        uid: String,
        item: String,
        #[serde(default)]
        no_offline_issue: bool,
        #[serde(default)]
        no_offline_return: bool,
    },
    /// `{"pin": "1234"}`: the PIN typed on the keypad (its `Debug` is masked).
    Pin(Pin),
    /// `{"press": "borrow"}`: a button.
    Press(Button),
    /// `{"renew": ["30234000001080"]}`: renew these loans.
    Renew(Vec<String>),
    /// `{"language": "en"}` or `"zh-CN"`.
    Language(Language),
    /// `"touch"`: a touch anywhere on the screen.
    Touch,
    /// `{"rate": 4}`: a face tapped on the goodbye screen's satisfaction question (1 … 5).
    Rate(u8),
    /// `{"rate_reason": "not_read"}`: after a low score, why (`book_not_found`, `not_read`,
    /// `too_slow`, `needed_staff`, `other`).
    RateReason(crate::circ::satisfaction::LowScoreReason),
    /// `{"isbn": "9787536692930"}`: an ISBN typed on the suggestions page's keypad (a scanned
    /// one is a `scan`).
    Isbn(String),
    /// `{"feedback": "book_missing"}`: a feedback topic tapped on the suggestions page
    /// (`machine_not_working`, `book_missing`, `praise`, `other`).
    Feedback(crate::circ::suggestion::FeedbackTopic),
    /// `{"reply_wanted": true}`: a signed-in reader asks to be answered about the next suggestion.
    ReplyWanted(bool),
    /// `{"wait": 30}`: let this many seconds pass.
    Wait(f64),
    /// Simulated hardware: lay a tagged item (or a list of them, a stack) on the RFID pad
    /// (see `PlaceTag`).
    Place(Placement),
    /// Simulated hardware: take the tag with this UID off the pad.
    Remove(String),
    /// Simulated hardware: take everything off the pad.
    ClearPad,
    /// Simulated hardware: the printer's paper and cover (`"ready"`, `"paper_low"`,
    /// `"paper_out"`, `"cover_open"`); the kiosk notices at its next look at the printer.
    Printer(sim_pad::PrinterState),
    /// Simulated hardware: make parts misbehave from now on, or mend them with `null`:
    /// `{"fault": {"item_reader": "timeout"}}` (the faults of `[hardware.sim] faults`).
    Fault(
        std::collections::BTreeMap<kiosk_hw::config::SimPart, Option<kiosk_hw::config::PartFault>>,
    ),
    /// Simulated machine only, a test of systemd's watchdog: `"freeze_session"` stops the
    /// session loop for good, as a hang would.
    FreezeSession,
    /// The technician's screen: `"corner_held"`, `{"pin": "2468"}`, `{"open": "queue"}`,
    /// `{"test": "printer"}`, `"test_ils"`, `"replay_now"`, `"exit"`.
    Tech(TechCommand),
}

impl Command {
    /// The runtime's input this line stands for, or why it is not one.
    pub fn into_input(self) -> Result<Input, String> {
        Ok(match self {
            Command::Scan(code) | Command::Qr(code) => Input::Scan(code),
            Command::CardUid(hex) => Input::CardUid(
                parse_hex(&hex).ok_or("`card_uid` takes hex bytes, e.g. \"04A1B2C3\"")?,
            ),
            Command::Tag {
                uid,
                item,
                no_offline_issue,
                no_offline_return,
            } => {
                // Shorthand for `place`: a single-part item with the given offline restrictions.
                let usage = match (no_offline_issue, no_offline_return) {
                    (false, false) => TypeOfUsage::CIRCULATING,
                    (true, false) => TypeOfUsage::NOT_FOR_ISSUE_OFFLINE,
                    (false, true) => TypeOfUsage::NOT_FOR_RETURN_OFFLINE,
                    (true, true) => TypeOfUsage::NOT_FOR_ISSUE_OR_RETURN_OFFLINE,
                };
                Input::Sim(SimInput::Place(Placement::One(PlaceTag {
                    usage: Some(usage.0),
                    ..PlaceTag::item(&uid, &item)
                })))
            }
            Command::Pin(pin) => Input::Pin(pin),
            Command::Press(button) => Input::Press(button),
            Command::Renew(items) => Input::Renew(items.into_iter().map(ItemId).collect()),
            Command::Language(language) => Input::Language(language),
            Command::Touch => Input::Touch,
            Command::Rate(score) => Input::Rate(score),
            Command::RateReason(reason) => Input::RateReason(reason),
            Command::Isbn(text) => Input::IsbnTyped(text),
            Command::Feedback(topic) => Input::Feedback(topic),
            Command::ReplyWanted(wanted) => Input::ReplyWanted(wanted),
            Command::Wait(secs) => {
                if !(0.0..=86_400.0).contains(&secs) {
                    return Err("`wait` takes seconds between 0 and 86400".into());
                }
                Input::Wait(Duration::from_secs_f64(secs))
            }
            Command::Place(placement) => Input::Sim(SimInput::Place(placement)),
            Command::Remove(uid) => Input::Sim(SimInput::Remove(uid)),
            Command::ClearPad => Input::Sim(SimInput::ClearPad),
            Command::Printer(state) => Input::Sim(SimInput::Printer(state)),
            Command::Fault(faults) => Input::Sim(SimInput::Fault(faults)),
            Command::FreezeSession => Input::Sim(SimInput::Freeze),
            Command::Tech(command) => Input::Tech(command),
        })
    }
}

/// Parses one input line; `Ok(None)` for a blank line or a `#` comment.
pub fn parse_line(text: &str) -> Result<Option<Command>, String> {
    let text = text.trim();
    if text.is_empty() || text.starts_with('#') {
        return Ok(None);
    }
    // Parse to a value first: syntax errors never quote the input, and a PIN of the wrong type
    // gets a message that does not repeat it.
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    if value.get("pin").is_some_and(|pin| !pin.is_string()) {
        return Err("`pin` takes a string, e.g. {\"pin\": \"1234\"}".into());
    }
    serde_json::from_value(value)
        .map(Some)
        .map_err(|e| format!("not a command: {e} (see README, \"Headless protocol\")"))
}

/// What one line of a script is for the runtime.
pub fn inbound(line: usize, text: &str) -> Option<Inbound> {
    match parse_line(text).and_then(|c| c.map(Command::into_input).transpose()) {
        Ok(Some(input)) => Some(Inbound::Input {
            input,
            line: Some(line),
        }),
        Ok(None) => None,
        Err(message) => Some(Inbound::Unreadable { line, message }),
    }
}

/// Reads commands from a reader (stdin) on a thread of its own.
pub fn spawn_reader(input: impl BufRead + Send + 'static, tx: Sender<Inbound>) -> io::Result<()> {
    std::thread::Builder::new()
        .name("headless-input".into())
        .spawn(move || {
            for (index, line) in input.lines().enumerate() {
                let line_no = index + 1;
                let inbound = match line {
                    Ok(text) => match inbound(line_no, &text) {
                        Some(inbound) => inbound,
                        None => continue,
                    },
                    Err(error) => Inbound::Unreadable {
                        line: line_no,
                        message: format!("unreadable input: {error}"),
                    },
                };
                if tx.send(inbound).is_err() {
                    return;
                }
            }
            // Said, not left to the channel's closing: a signal handler may hold a sender too.
            let _ = tx.send(Inbound::End);
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse_from_their_documented_forms() {
        assert_eq!(
            parse_line(r#"{"scan": "3023"}"#),
            Ok(Some(Command::Scan("3023".into())))
        );
        assert_eq!(
            parse_line(r#"{"qr": "https://lib.example.org/e?card=1"}"#),
            Ok(Some(Command::Qr("https://lib.example.org/e?card=1".into())))
        );
        assert_eq!(
            parse_line(r#"{"press": "renew_all"}"#),
            Ok(Some(Command::Press(Button::RenewAll)))
        );
        assert_eq!(parse_line(r#""touch""#), Ok(Some(Command::Touch)));
        assert_eq!(
            parse_line(r#"{"language": "zh-CN"}"#),
            Ok(Some(Command::Language(Language::ZhCn)))
        );
        assert_eq!(parse_line(r#"{"wait": 2.5}"#), Ok(Some(Command::Wait(2.5))));
        assert_eq!(
            parse_line(r#"{"printer": "paper_out"}"#),
            Ok(Some(Command::Printer(sim_pad::PrinterState::PaperOut)))
        );
        assert_eq!(parse_line("  # a comment"), Ok(None));
        assert_eq!(parse_line(""), Ok(None));
    }

    #[test]
    fn bad_lines_are_explained_without_repeating_a_pin() {
        let message = parse_line(r#"{"pin": 987123}"#).unwrap_err();
        assert!(!message.contains("987123"), "{message}");
        let message = parse_line(r#"{"pin": "98"#).unwrap_err();
        assert!(message.starts_with("not JSON"), "{message}");
        let message = parse_line(r#"{"press": "explode"}"#).unwrap_err();
        assert!(
            message.contains("explode") && message.contains("borrow"),
            "{message}"
        );
    }

    #[test]
    fn card_uids_are_hex_bytes() {
        assert_eq!(parse_hex("04a1B2c3"), Some(vec![0x04, 0xA1, 0xB2, 0xC3]));
        assert_eq!(parse_hex("04A"), None);
        assert_eq!(parse_hex("zz"), None);
        assert_eq!(parse_hex("é1"), None);
    }
}
