//! `kiosk demo --transcript`: what a person at the machine would do, read and see, as plain text —
//! the same messages as the screen (the core's catalogue, in the screen's language), the pages
//! and buttons by the names the reader sees, never the program's names for them.

use super::devices::SecurityReport;
use super::runtime::{Input, Output, SimInput};
use super::sim_pad::PrinterState;
use super::tell;
use crate::circ::effect::Security;
use crate::circ::satisfaction::LowScoreReason;
use crate::circ::screen::ReceiptChoice;
use crate::circ::suggestion::FeedbackTopic;
use crate::circ::{Action, Button, Effect, ItemOutcome, ItemResult, Language, Page, Screen};
use std::io::{self, Write};

/// A readable transcript: what the reader did, what the screen said, what happened to each item.
pub struct Transcript<W: Write> {
    out: W,
    /// The last screen's language and whether returns go through the slot: outcomes are told
    /// as that screen would.
    language: Language,
    to_slot: bool,
}

impl<W: Write> Transcript<W> {
    pub fn new(out: W) -> Self {
        Transcript {
            out,
            language: Language::default(),
            to_slot: false,
        }
    }
}

fn page(page: Page) -> &'static str {
    match page {
        Page::Idle => "attract screen",
        Page::Pin => "PIN keypad",
        Page::Checking => "checking the card",
        Page::Menu => "menu",
        Page::Borrow => "borrow",
        Page::Return => "return",
        Page::Renew => "renew",
        Page::Account => "my account",
        Page::Receipt => "receipt choice",
        Page::Goodbye => "goodbye",
        Page::Suggest => "suggestions",
        Page::OutOfService => "out of service",
    }
}

fn button(button: Button) -> &'static str {
    match button {
        Button::Borrow => "Borrow",
        Button::Return => "Return",
        Button::Renew => "Renew",
        Button::Account => "My account",
        Button::Back => "Back",
        Button::Done => "Done",
        Button::Cancel => "Cancel",
        Button::RenewAll => "Renew all",
        Button::PrintReceipt => "Print receipt",
        Button::EmailReceipt => "E-mail receipt",
        Button::NoReceipt => "No receipt",
        Button::Suggest => "Suggestions",
        Button::Confirm => "Confirm",
    }
}

fn language(language: Language) -> &'static str {
    match language {
        Language::En => "English",
        Language::ZhCn => "中文",
    }
}

fn receipt_choice(choice: ReceiptChoice) -> &'static str {
    match choice {
        ReceiptChoice::Print => "print",
        ReceiptChoice::Email => "e-mail",
        ReceiptChoice::None => "none",
    }
}

fn security(state: Security) -> &'static str {
    match state {
        Security::InLibrary => "in the library (the gate alarms)",
        Security::OnLoan => "on loan (the gate lets it pass)",
    }
}

fn printer(state: PrinterState) -> &'static str {
    match state {
        PrinterState::Ready => "ready",
        PrinterState::PaperLow => "paper low",
        PrinterState::PaperOut => "paper out",
        PrinterState::CoverOpen => "cover open",
        PrinterState::Unplugged => "unplugged",
    }
}

fn low_score_reason(reason: LowScoreReason) -> &'static str {
    match reason {
        LowScoreReason::BookNotFound => "could not find a book",
        LowScoreReason::NotRead => "the machine did not read my book",
        LowScoreReason::TooSlow => "too slow",
        LowScoreReason::NeededStaff => "needed staff",
        LowScoreReason::Other => "something else",
    }
}

fn feedback_topic(topic: FeedbackTopic) -> &'static str {
    match topic {
        FeedbackTopic::MachineNotWorking => "the machine did not work",
        FeedbackTopic::BookMissing => "a book is missing from the shelf",
        FeedbackTopic::Praise => "praise",
        FeedbackTopic::Other => "something else",
    }
}

fn action(action: Action) -> &'static str {
    match action {
        Action::Borrow => "borrowed",
        Action::Return => "returned",
        Action::Renew => "renewed",
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
            Input::Press(pressed) => format!("press {}", button(*pressed)),
            Input::Renew(items) => {
                let items: Vec<&str> = items.iter().map(|i| i.0.as_str()).collect();
                format!("renew {}", items.join(", "))
            }
            Input::Language(chosen) => format!("switch language to {}", language(*chosen)),
            Input::Touch => "touch the screen".into(),
            Input::Rate(score) => format!("tap face {score} of 5 (how was it?)"),
            Input::RateReason(reason) => format!("say why: {}", low_score_reason(*reason)),
            Input::IsbnTyped(text) => format!("type ISBN {text}"),
            Input::Feedback(topic) => format!("tap feedback: {}", feedback_topic(*topic)),
            Input::ReplyWanted(true) => "ask the library to reply".into(),
            Input::ReplyWanted(false) => "stay anonymous".into(),
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
            Input::Sim(SimInput::Printer(state)) => format!("the printer: {}", printer(*state)),
            Input::Sim(SimInput::Fault(faults)) => format!("simulated faults: {faults:?}"),
            Input::Sim(SimInput::Freeze) => "the session loop freezes (a watchdog test)".into(),
            // Pin's Debug is masked.
            Input::Tech(command) => format!("technician: {command:?}"),
        };
        writeln!(self.out, "\n> {text}")
    }

    fn effect(&mut self, effect: &Effect) -> io::Result<()> {
        match effect {
            Effect::Show { screen } => self.screen(screen),
            Effect::Outcome { outcome } if outcome.result != ItemResult::Pending => {
                let told = self.describe_outcome(outcome);
                writeln!(self.out, "  {told}")
            }
            // Reported once written, by `security`.
            Effect::SetSecurity { .. } => Ok(()),
            Effect::Print { receipt } => {
                writeln!(self.out, "  ---- receipt: {} ----", receipt.patron_name)?;
                for line in &receipt.lines {
                    let due = line.due.as_ref().map(|d| format!(", due {}", d.display()));
                    writeln!(
                        self.out,
                        "  | {} {} ({}){}",
                        action(line.action),
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

    fn slides(&mut self, slides: &[kiosk_core::promotion::Slide]) -> io::Result<()> {
        let titles: Vec<&str> = slides.iter().map(|s| s.title.pick(self.language)).collect();
        if titles.is_empty() {
            return writeln!(self.out, "  [attract screen: no slides]");
        }
        writeln!(
            self.out,
            "  [attract screen slides: {}]",
            titles.join(" · ")
        )
    }

    fn security(&mut self, report: &SecurityReport) -> io::Result<()> {
        let tags: Vec<&str> = report.tags.iter().map(|t| t.0.as_str()).collect();
        let (item, state, tags) = (&report.item, report.state, tags.join(", "));
        match &report.error {
            None => writeln!(self.out, "  [{item}: tag {tags} set {}]", security(state)),
            Some(error) => writeln!(
                self.out,
                "  [{item}: tag {tags} could NOT be set {}: {error}]",
                security(state)
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
        self.language = screen.language;
        self.to_slot = screen.returns_to_slot;
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
        writeln!(self.out, "  [screen: {}{who}{busy}]", page(screen.page))?;
        if let Some(notice) = &screen.notice {
            let told = tell::reason(&notice.reason, screen.language);
            writeln!(self.out, "  ! {told}")?;
        }
        if let Some(secs) = screen.timeout_warning {
            writeln!(
                self.out,
                "  ! Are you still there? The session ends in {secs} s."
            )?;
        }
        if !screen.receipt_choices.is_empty() {
            let choices: Vec<&str> = screen
                .receipt_choices
                .iter()
                .map(|c| receipt_choice(*c))
                .collect();
            writeln!(self.out, "  receipt: {}", choices.join(", "))?;
        }
        if let Some(suggest) = &screen.suggest {
            if let Some(isbn) = &suggest.isbn {
                writeln!(self.out, "  suggest this book? ISBN {isbn}")?;
            }
            if suggest.sent > 0 {
                writeln!(self.out, "  sent to the library: {}", suggest.sent)?;
            }
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

    fn describe_outcome(&self, outcome: &ItemOutcome) -> String {
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
            ItemResult::Returned { route } => {
                format!(
                    "✔ returned — {}",
                    tell::route(route, self.to_slot, self.language)
                )
            }
            ItemResult::Refused { reason } => format!("✘ {}", tell::reason(reason, self.language)),
        };
        let ils = outcome
            .screen_message
            .as_ref()
            .map(|m| format!(" [ILS: {m}]"))
            .unwrap_or_default();
        format!("{} {title}: {what}{ils}", outcome.item)
    }
}
