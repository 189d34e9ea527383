//! The headless front-end: commands as JSON lines in, every effect as a JSON line out.
//!
//! It drives the same session machine as the touchscreen. Each command is applied once the
//! previous one has been answered by the ILS, so a script's output does not depend on timing.
//! The protocol is documented in README.md ("Headless protocol").

use super::clock::Clock;
use super::devices::{DeviceHub, Done, SecurityReport};
use super::ils_worker::{FromWorker, IlsWorker, NoReply};
use super::sim_pad::{self, PlaceTag, Placement};
use super::tech_shell::{TechCommand, TechShell, TechView};
use crate::circ::ils_io::{IlsRequest, RequestId, StaffRequest};
use crate::circ::types::{ItemId, Pin};
use crate::circ::{Button, Effect, Event, Language, Session};
use kiosk_hw::tag::TypeOfUsage;
use serde::Deserialize;
use std::collections::HashMap;
use std::io::{self, BufRead};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

/// How often the real clock looks for news from the ILS worker while no input comes.
const LINK_NEWS_EVERY: Duration = Duration::from_millis(250);
use thiserror::Error;

/// One line of input.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    /// `{"scan": "20234000000019"}`: the barcode scanner read this (card or item).
    Scan(String),
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
        std::collections::BTreeMap<kiosk_hw::config::SimPart, Option<kiosk_hw::config::SimFault>>,
    ),
    /// The technician's screen: `"corner_held"`, `{"pin": "2468"}`, `{"open": "queue"}`,
    /// `{"test": "printer"}`, `"test_ils"`, `"replay_now"`, `"exit"`.
    Tech(TechCommand),
}

/// What the input source hands the driver.
#[derive(Debug)]
pub enum Input {
    /// A command and the input line it came from.
    Command(usize, Command),
    /// A line that is not a command; the message never repeats a PIN.
    Malformed { line: usize, message: String },
    /// Answer once everything before has been applied and the ILS has answered (the
    /// touchscreen's tests wait on it).
    Sync(std::sync::mpsc::Sender<()>),
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

/// Reads commands from a reader (stdin) on a thread of its own.
pub fn spawn_reader(input: impl BufRead + Send + 'static, tx: Sender<Input>) -> io::Result<()> {
    std::thread::Builder::new()
        .name("headless-input".into())
        .spawn(move || {
            for (index, line) in input.lines().enumerate() {
                let line_no = index + 1;
                let input = match line {
                    Ok(text) => match parse_line(&text) {
                        Ok(Some(command)) => Input::Command(line_no, command),
                        Ok(None) => continue,
                        Err(message) => Input::Malformed {
                            line: line_no,
                            message,
                        },
                    },
                    Err(error) => Input::Malformed {
                        line: line_no,
                        message: format!("unreadable input: {error}"),
                    },
                };
                if tx.send(input).is_err() {
                    break;
                }
            }
        })?;
    Ok(())
}

/// Where the driver reports: JSON lines, or text for people.
pub trait Output {
    fn command(&mut self, _command: &Command) -> io::Result<()> {
        Ok(())
    }
    fn effect(&mut self, effect: &Effect) -> io::Result<()>;
    /// A security write was carried out (or failed).
    fn security(&mut self, report: &SecurityReport) -> io::Result<()>;
    fn input_error(&mut self, line: usize, message: &str) -> io::Result<()>;
    /// The technician's screen changed.
    fn tech(&mut self, _view: &TechView) -> io::Result<()> {
        Ok(())
    }
}

#[derive(Debug, Error)]
pub enum DriverError {
    #[error("cannot write the output: {0}")]
    Output(#[from] io::Error),
    #[error("the ILS worker stopped unexpectedly; see the log above")]
    WorkerStopped,
}

pub struct Driver<'a> {
    session: Session,
    worker: IlsWorker,
    devices: DeviceHub,
    clock: Clock,
    out: &'a mut dyn Output,
    in_flight: usize,
    tech: TechShell,
    /// Staff requests in flight, by id (their answers go to the technician's screen).
    staff: HashMap<RequestId, StaffRequest>,
    next_staff_id: u64,
}

/// Staff requests are numbered apart from the session's.
const FIRST_STAFF_ID: u64 = 1 << 62;

impl<'a> Driver<'a> {
    pub fn new(
        session: Session,
        worker: IlsWorker,
        devices: DeviceHub,
        clock: Clock,
        out: &'a mut dyn Output,
    ) -> Self {
        Driver {
            session,
            worker,
            devices,
            clock,
            out,
            in_flight: 0,
            tech: TechShell::disabled(),
            staff: HashMap::new(),
            next_staff_id: FIRST_STAFF_ID,
        }
    }

    /// The technician mode this kiosk offers (without it, the mode cannot be entered).
    pub fn with_tech(mut self, tech: TechShell) -> Self {
        self.tech = tech;
        self
    }

    fn tech_command(&mut self, command: TechCommand) -> Result<(), DriverError> {
        let now = self.clock.now();
        if let Some(request) = self.tech.command(command, &mut self.devices, now) {
            let id = RequestId(self.next_staff_id);
            self.next_staff_id += 1;
            self.worker
                .send(id, IlsRequest::Staff(request))
                .map_err(|_| DriverError::WorkerStopped)?;
            self.staff.insert(id, request);
            self.in_flight += 1;
        }
        Ok(self.out.tech(self.tech.view())?)
    }

    /// An ILS answer: the technician's, or the session's.
    fn replied(&mut self, id: RequestId, reply: crate::circ::IlsReply) -> Result<(), DriverError> {
        match self.staff.remove(&id) {
            Some(request) => {
                self.tech.answered(request, reply);
                Ok(self.out.tech(self.tech.view())?)
            }
            None => self.dispatch(Event::IlsReplied(id, reply)),
        }
    }

    /// What the readers and scanner saw: to the session, or to the technician's monitor while
    /// the technician's screen is up (a test scan must not start a loan).
    fn device_event(&mut self, event: Event) -> Result<(), DriverError> {
        if self.tech.is_open() {
            self.tech.monitor(&event, &self.devices);
            return Ok(self.out.tech(self.tech.view())?);
        }
        self.dispatch(event)
    }

    /// Runs until the input ends, then lets what is under way finish.
    pub fn run(mut self, inputs: Receiver<Input>) -> Result<(), DriverError> {
        let effects = self.session.start();
        self.apply(effects)?;
        loop {
            self.settle()?;
            self.link_news()?;
            let input = match self.time_to_deadline() {
                Some(timeout) => match inputs.recv_timeout(timeout) {
                    Ok(input) => input,
                    Err(RecvTimeoutError::Timeout) => {
                        self.dispatch(Event::Tick)?;
                        self.poll_devices()?;
                        continue;
                    }
                    Err(RecvTimeoutError::Disconnected) => break,
                },
                None => match inputs.recv() {
                    Ok(input) => input,
                    Err(_) => break,
                },
            };
            match input {
                Input::Command(line, command) => {
                    tracing::debug!(line, ?command, "headless command");
                    self.out.command(&command)?;
                    self.command(line, command)?;
                    self.poll_devices()?;
                }
                Input::Malformed { line, message } => {
                    tracing::warn!(line, %message, "headless input ignored");
                    self.out.input_error(line, &message)?;
                }
                Input::Sync(ack) => {
                    self.settle()?;
                    // The asker may have given up waiting; nothing to do then.
                    let _ = ack.send(());
                }
            }
        }
        self.settle()
    }

    /// How long the real clock may wait for input before the session needs a tick; the virtual
    /// clock only moves on `wait`.
    fn time_to_deadline(&self) -> Option<Duration> {
        if self.clock.is_virtual() {
            return None;
        }
        // Real readers are asked what they see between inputs; the simulator only changes on
        // commands, after which it is polled anyway.
        let poll = (self.devices.sim().is_none()).then_some(self.devices.poll_interval());
        let now = self.clock.now();
        [self.session.next_deadline(), self.devices.next_check()]
            .into_iter()
            .flatten()
            .map(|at| at.saturating_duration_since(now))
            .chain(poll)
            // The link coming back (or a refused login being fixed) is shown with no one at
            // the machine, not only at the next command.
            .chain(Some(LINK_NEWS_EVERY))
            .min()
    }

    /// Hands what the readers saw to the session.
    fn poll_devices(&mut self) -> Result<(), DriverError> {
        for event in self.devices.poll(self.clock.now()) {
            self.device_event(event)?;
            self.settle()?;
        }
        Ok(())
    }

    fn command(&mut self, line: usize, command: Command) -> Result<(), DriverError> {
        let event = match command {
            Command::Scan(code) => return self.device_event(Event::Barcode(code)),
            Command::CardUid(hex) => match parse_hex(&hex) {
                Some(uid) => return self.device_event(Event::CardUid(uid)),
                None => {
                    let message = "`card_uid` takes hex bytes, e.g. \"04A1B2C3\"";
                    return Ok(self.out.input_error(line, message)?);
                }
            },
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
                let place = PlaceTag {
                    usage: Some(usage.0),
                    ..PlaceTag::item(&uid, &item)
                };
                return self.sim_command(line, sim_pad::place(&self.devices, &place));
            }
            Command::Pin(pin) => Event::PinEntered(pin),
            Command::Press(button) => Event::Pressed(button),
            Command::Renew(items) => Event::RenewItems(items.into_iter().map(ItemId).collect()),
            Command::Language(language) => Event::Language(language),
            Command::Touch => Event::Touched,
            Command::Place(placement) => {
                return self.sim_command(line, sim_pad::place_all(&self.devices, &placement));
            }
            Command::Remove(uid) => {
                return self.sim_command(line, sim_pad::remove(&self.devices, &uid));
            }
            Command::ClearPad => return self.sim_command(line, sim_pad::clear(&self.devices)),
            Command::Printer(state) => {
                return self.sim_command(line, sim_pad::printer(&self.devices, state));
            }
            Command::Fault(faults) => {
                return self.sim_command(line, sim_pad::faults(&self.devices, &faults));
            }
            Command::Tech(command) => return self.tech_command(command),
            Command::Wait(secs) => {
                if !(0.0..=86_400.0).contains(&secs) {
                    let message = "`wait` takes seconds between 0 and 86400";
                    return Ok(self.out.input_error(line, message)?);
                }
                return self.wait(Duration::from_secs_f64(secs));
            }
        };
        self.dispatch(event)
    }

    fn sim_command(&mut self, line: usize, result: Result<(), String>) -> Result<(), DriverError> {
        match result {
            Ok(()) => Ok(()),
            Err(message) => Ok(self.out.input_error(line, &message)?),
        }
    }

    /// Lets time pass, ticking the session at each of its deadlines on the way.
    fn wait(&mut self, duration: Duration) -> Result<(), DriverError> {
        let end = self.clock.now() + duration;
        loop {
            let next = self
                .session
                .next_deadline()
                .filter(|at| *at < end)
                .unwrap_or(end);
            self.clock.sleep_until(next);
            self.dispatch(Event::Tick)?;
            self.settle()?;
            self.poll_devices()?;
            if self.clock.now() >= end {
                return Ok(());
            }
        }
    }

    /// Link changes the worker reported while nothing was in flight.
    fn link_news(&mut self) -> Result<(), DriverError> {
        loop {
            match self.worker.recv(Some(Duration::ZERO)) {
                Ok(FromWorker::Link(link)) => self.dispatch(Event::LinkChanged(link))?,
                Ok(FromWorker::Reply(id, reply)) => {
                    // Cannot happen with nothing in flight; handled all the same.
                    self.replied(id, *reply)?;
                }
                Err(NoReply::Timeout) => return Ok(()),
                Err(NoReply::Stopped) => return Err(DriverError::WorkerStopped),
            }
        }
    }

    fn dispatch(&mut self, event: Event) -> Result<(), DriverError> {
        let effects = self.session.handle(event, self.clock.now());
        self.apply(effects)
    }

    fn apply(&mut self, effects: Vec<Effect>) -> Result<(), DriverError> {
        // What the devices report goes to the session after the whole batch is out, so the
        // screen shown last is the newest.
        let mut reports = Vec::new();
        for effect in effects {
            if let Effect::Ils { id, request } = &effect {
                self.worker
                    .send(*id, request.clone())
                    .map_err(|_| DriverError::WorkerStopped)?;
                self.in_flight += 1;
            }
            self.out.effect(&effect)?;
            if let Some(Done { event, report }) = self.devices.carry_out(&effect) {
                if let Some(report) = report {
                    self.out.security(&report)?;
                }
                reports.push(event);
            }
        }
        reports
            .into_iter()
            .try_for_each(|event| self.dispatch(event))
    }

    /// Waits for every ILS request sent so far to be answered.
    fn settle(&mut self) -> Result<(), DriverError> {
        while self.in_flight > 0 {
            match self.worker.recv(self.time_to_deadline()) {
                Ok(FromWorker::Reply(id, reply)) => {
                    self.in_flight -= 1;
                    self.replied(id, *reply)?;
                }
                Ok(FromWorker::Link(link)) => self.dispatch(Event::LinkChanged(link))?,
                Err(NoReply::Timeout) => self.dispatch(Event::Tick)?,
                Err(NoReply::Stopped) => return Err(DriverError::WorkerStopped),
            }
        }
        Ok(())
    }
}

pub fn parse_hex(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if text.is_empty() || !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
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
