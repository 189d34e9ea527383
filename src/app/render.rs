//! Writing what the kiosk does as JSON lines, for scripts and tests (the headless protocol).

use super::devices::SecurityReport;
use super::runtime::Output;
use super::tell;
use crate::circ::{Effect, ItemResult, Language};
use serde_json::json;
use std::io::{self, Write};

/// One JSON object per line per effect, flushed at once (a script reads them as they come).
/// Every reason carries its `message`, in the reader's language, as the screen shows it.
pub struct JsonLines<W: Write> {
    out: W,
    /// The language of the last screen shown: outcomes are told in it.
    language: Language,
}

impl<W: Write> JsonLines<W> {
    pub fn new(out: W) -> Self {
        JsonLines {
            out,
            language: Language::default(),
        }
    }

    fn line(&mut self, value: &impl serde::Serialize) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, value)?;
        self.out.write_all(b"\n")?;
        self.out.flush()
    }
}

impl<W: Write> Output for JsonLines<W> {
    fn effect(&mut self, effect: &Effect) -> io::Result<()> {
        let mut value = serde_json::to_value(effect)?;
        match effect {
            Effect::Show { screen } => {
                self.language = screen.language;
                if let Some(notice) = &screen.notice {
                    value["screen"]["notice"]["message"] =
                        json!(tell::reason(&notice.reason, screen.language));
                }
                for (index, item) in screen.items.iter().enumerate() {
                    if let ItemResult::Refused { reason } = &item.result {
                        value["screen"]["items"][index]["reason"]["message"] =
                            json!(tell::reason(reason, screen.language));
                    }
                }
            }
            Effect::Outcome { outcome } => {
                if let ItemResult::Refused { reason } = &outcome.result {
                    value["outcome"]["reason"]["message"] =
                        json!(tell::reason(reason, self.language));
                }
            }
            _ => {}
        }
        self.line(&value)
    }

    /// `{"effect": "security_done", "item": …, "tags": […], "state": …, "ok": …, "error": …}`
    fn security(&mut self, report: &SecurityReport) -> io::Result<()> {
        let mut value = serde_json::to_value(report)?;
        value["effect"] = json!("security_done");
        self.line(&value)
    }

    /// `{"effect": "input_error", "line": …, "message": …}` (`line` only for a script's lines).
    fn rejected(&mut self, line: Option<usize>, message: &str) -> io::Result<()> {
        match line {
            Some(line) => {
                self.line(&json!({"effect": "input_error", "line": line, "message": message}))
            }
            None => self.line(&json!({"effect": "input_error", "message": message})),
        }
    }

    /// `{"effect": "slides", "slides": [{"id": …, "kind": …, "title": {"en": …, "zh": …}, …}]}`
    fn slides(&mut self, slides: &[kiosk_core::promotion::Slide]) -> io::Result<()> {
        self.line(&json!({"effect": "slides", "slides": slides}))
    }

    /// `{"effect": "tech", "tech": {"page": …, "devices": […], …}}`
    fn tech(&mut self, view: &super::tech_shell::TechView) -> io::Result<()> {
        self.line(&json!({"effect": "tech", "tech": view}))
    }
}
