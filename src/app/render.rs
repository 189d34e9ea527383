//! Writing what the kiosk does: JSON lines for scripts and tests, plain text for people
//! watching `kiosk demo`.

use super::devices::SecurityReport;
use super::runtime::{Input, Output, SimInput};
use crate::circ::types::ReturnRoute;
use crate::circ::{Effect, ItemOutcome, ItemResult, Screen};
use serde_json::json;
use std::io::{self, Write};

/// One JSON object per line per effect, flushed at once (a script reads them as they come).
pub struct JsonLines<W: Write> {
    out: W,
}

impl<W: Write> JsonLines<W> {
    pub fn new(out: W) -> Self {
        JsonLines { out }
    }

    fn line(&mut self, value: &impl serde::Serialize) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, value)?;
        self.out.write_all(b"\n")?;
        self.out.flush()
    }
}

impl<W: Write> Output for JsonLines<W> {
    fn effect(&mut self, effect: &Effect) -> io::Result<()> {
        self.line(effect)
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

    /// `{"effect": "tech", "tech": {"page": …, "devices": […], …}}`
    fn tech(&mut self, view: &super::tech_shell::TechView) -> io::Result<()> {
        self.line(&json!({"effect": "tech", "tech": view}))
    }
}

/// A readable transcript: what the reader did, what the screen said, what happened to each item.
pub struct Transcript<W: Write> {
    out: W,
}

impl<W: Write> Transcript<W> {
    pub fn new(out: W) -> Self {
        Transcript { out }
    }
}

impl<W: Write> Output for Transcript<W> {
    fn input(&mut self, input: &Input) -> io::Result<()> {
        let text = match input {
            Input::Scan(code) => format!("scan {code}"),
            Input::CardUid(uid) => {
                let hex: String = uid.iter().map(|b| format!("{b:02X}")).collect();
                format!("RFID card {hex}")
            }
            Input::Pin(_) => "type PIN ****".into(),
            Input::Press(button) => format!("press {button:?}"),
            Input::Renew(items) => {
                let items: Vec<&str> = items.iter().map(|i| i.0.as_str()).collect();
                format!("renew {}", items.join(", "))
            }
            Input::Language(language) => format!("switch language to {language:?}"),
            Input::Touch => "touch the screen".into(),
            Input::Wait(duration) => format!("wait {} s", duration.as_secs_f64()),
            Input::Sim(SimInput::Place(placement)) => {
                let tags: Vec<String> = placement
                    .tags()
                    .iter()
                    .map(|tag| match (&tag.item, tag.parts) {
                        (Some(item), Some(parts)) if parts > 1 => {
                            format!("part {} of {parts} of {item}", tag.part.unwrap_or(1))
                        }
                        (Some(item), _) => item.clone(),
                        (None, _) => format!("a tag ({})", tag.uid),
                    })
                    .collect();
                format!("place {} on the pad", tags.join(" + "))
            }
            Input::Sim(SimInput::Remove(uid)) => format!("take tag {uid} off the pad"),
            Input::Sim(SimInput::ClearPad) => "take everything off the pad".into(),
            Input::Sim(SimInput::Printer(state)) => format!("the printer: {state:?}"),
            Input::Sim(SimInput::Fault(faults)) => format!("simulated faults: {faults:?}"),
            // Pin's Debug is masked.
            Input::Tech(command) => format!("technician: {command:?}"),
        };
        writeln!(self.out, "\n> {text}")
    }

    fn effect(&mut self, effect: &Effect) -> io::Result<()> {
        match effect {
            Effect::Show { screen } => self.screen(screen),
            Effect::Outcome { outcome } if outcome.result != ItemResult::Pending => {
                writeln!(self.out, "  {}", describe_outcome(outcome))
            }
            // Reported once written, by `security`.
            Effect::SetSecurity { .. } => Ok(()),
            Effect::Print { receipt } => {
                writeln!(self.out, "  ---- receipt: {} ----", receipt.patron_name)?;
                for line in &receipt.lines {
                    let due = line.due.as_ref().map(|d| format!(", due {}", d.display()));
                    writeln!(
                        self.out,
                        "  | {:?} {} ({}){}",
                        line.action,
                        line.title,
                        line.item,
                        due.unwrap_or_default()
                    )?;
                }
                writeln!(self.out, "  ------------------------")
            }
            Effect::ReturnSlot { unlock: true } => {
                writeln!(
                    self.out,
                    "  [return slot unlocked: the books go through it]"
                )
            }
            Effect::ReturnSlot { unlock: false } => writeln!(self.out, "  [return slot locked]"),
            _ => Ok(()),
        }
    }

    fn security(&mut self, report: &SecurityReport) -> io::Result<()> {
        let tags: Vec<&str> = report.tags.iter().map(|t| t.0.as_str()).collect();
        let (item, state, tags) = (&report.item, report.state, tags.join(", "));
        match &report.error {
            None => writeln!(self.out, "  [{item}: tag {tags} set to {state:?}]"),
            Some(error) => writeln!(
                self.out,
                "  [{item}: tag {tags} could NOT be set to {state:?}: {error}]"
            ),
        }
    }

    fn rejected(&mut self, line: Option<usize>, message: &str) -> io::Result<()> {
        match line {
            Some(line) => writeln!(self.out, "  ! step {line}: {message}"),
            None => writeln!(self.out, "  ! {message}"),
        }
    }
}

impl<W: Write> Transcript<W> {
    fn screen(&mut self, screen: &Screen) -> io::Result<()> {
        let who = screen
            .patron_name
            .as_ref()
            .map(|n| format!(" — {n}"))
            .unwrap_or_default();
        let busy = if screen.busy {
            " (asking the library system…)"
        } else {
            ""
        };
        writeln!(self.out, "  [screen: {:?}{who}{busy}]", screen.page)?;
        if let Some(notice) = &screen.notice {
            writeln!(self.out, "  ! {}", notice.reason.explain())?;
        }
        if let Some(secs) = screen.timeout_warning {
            writeln!(
                self.out,
                "  ! Are you still there? The session ends in {secs} s."
            )?;
        }
        if !screen.receipt_choices.is_empty() {
            writeln!(self.out, "  receipt: {:?}", screen.receipt_choices)?;
        }
        if let Some(summary) = &screen.summary {
            writeln!(
                self.out,
                "  goodbye: {} borrowed, {} returned, {} renewed, {} refused",
                summary.borrowed, summary.returned, summary.renewed, summary.refused
            )?;
        }
        Ok(())
    }
}

fn describe_outcome(outcome: &ItemOutcome) -> String {
    let title = outcome.title.as_deref().unwrap_or("");
    let what = match &outcome.result {
        ItemResult::Pending => "pending".to_string(),
        ItemResult::Borrowed {
            due,
            offline: false,
        } => format!("✔ borrowed, due {}", due.display()),
        ItemResult::Borrowed { due, offline: true } => {
            format!("✔ borrowed offline, due {} (estimated)", due.display())
        }
        ItemResult::Renewed { due } => match due {
            Some(due) => format!("✔ renewed, due {}", due.display()),
            None => "✔ renewed".into(),
        },
        ItemResult::Returned { route } => match route {
            ReturnRoute::Shelf => "✔ returned".into(),
            ReturnRoute::ReturnBin => "✔ returned offline — into the return bin".into(),
            ReturnRoute::HoldShelf => {
                "✔ returned — reserved for someone: put it on the hold shelf".into()
            }
            ReturnRoute::Transfer { to } => format!("✔ returned — goes to {to}"),
        },
        ItemResult::Refused { reason } => format!("✘ {}", reason.explain()),
    };
    let ils = outcome
        .screen_message
        .as_ref()
        .map(|m| format!(" [ILS: {m}]"))
        .unwrap_or_default();
    format!("{} {title}: {what}{ils}", outcome.item)
}
