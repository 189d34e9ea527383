//! The kiosk's runtime: the one event loop. It owns the session machine, the device hub, the ILS
//! worker (the ILS and the journal), the technician's screen and the clock; it takes typed
//! [`Input`]s from a front-end, turns them and what the devices and the ILS report into events
//! for the session, carries out the session's effects, and reports everything to an [`Output`].
//!
//! The front-ends are adapters around it: the headless driver (JSON lines in, JSON lines out),
//! the demo's transcript, and the touchscreen (Slint callbacks in, screens out). Each input is
//! applied once the ILS has answered the one before, so a script's output does not depend on
//! timing.

mod input;
mod output;

pub use input::{Inbound, Input, SimInput};
pub use output::Output;

use super::clock::Clock;
use super::devices::{DeviceHub, Done};
use super::ils_worker::{FromWorker, IlsWorker, NoReply};
use super::sim_pad;
use super::supervision::{Heartbeat, Supervision};
use super::tech_shell::{TechCommand, TechShell, VoiceControl};
use crate::circ::ils_io::{RequestId, StaffRequest};
use crate::circ::{Effect, Event, Session};
use crate::promotion::Catalogue;
use kiosk_core::promotion::{Slide, showing};
use std::collections::HashMap;
use std::io;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};
use thiserror::Error;

/// How often the real clock looks for news from the ILS worker while no input comes.
const LINK_NEWS_EVERY: Duration = Duration::from_millis(250);

#[derive(Debug, Error)]
pub enum RuntimeError {
    #[error("cannot write the output: {0}")]
    Output(#[from] io::Error),
    #[error("the ILS worker stopped unexpectedly; see the log above")]
    WorkerStopped,
}

pub struct Runtime<'a> {
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
    /// The slides there are; those showing now were last reported as `slides_shown`.
    promotion: Catalogue,
    promotion_updates: Option<std::sync::mpsc::Receiver<Catalogue>>,
    slides_shown: Option<Vec<Slide>>,
    supervision: Supervision,
    voice: crate::voice::Voice,
    /// What the library's monitoring is told, when `[metrics]` is on.
    metrics: Option<crate::metrics::Tap>,
}

/// Staff requests are numbered apart from the session's.
const FIRST_STAFF_ID: u64 = 1 << 62;

impl<'a> Runtime<'a> {
    pub fn new(
        session: Session,
        worker: IlsWorker,
        devices: DeviceHub,
        clock: Clock,
        out: &'a mut dyn Output,
    ) -> Self {
        Runtime {
            session,
            worker,
            devices,
            clock,
            out,
            in_flight: 0,
            tech: TechShell::disabled(),
            staff: HashMap::new(),
            next_staff_id: FIRST_STAFF_ID,
            promotion: Catalogue::default(),
            promotion_updates: None,
            slides_shown: None,
            supervision: Supervision::from_env(),
            voice: crate::voice::Voice::silent(),
            metrics: None,
        }
    }

    /// Tells the metrics what the session and the devices do.
    pub fn with_metrics(
        mut self,
        metrics: Option<std::sync::Arc<crate::metrics::Metrics>>,
    ) -> Self {
        self.metrics = metrics.map(crate::metrics::Tap::new);
        self
    }

    /// Speaks the session's prompts (silent without this).
    pub fn with_voice(mut self, voice: crate::voice::Voice) -> Self {
        self.voice = voice;
        self.tech.voice_changed(self.voice.describe(), None);
        self
    }

    /// The technician's voice controls (the staff PIN given).
    fn voice_control(&mut self, control: VoiceControl) -> Result<(), RuntimeError> {
        if !self.tech.signed_in() {
            tracing::warn!("a technician's action without the staff PIN was ignored");
            return Ok(());
        }
        let volume = self.voice.volume();
        let action = match control {
            VoiceControl::On => {
                self.voice.set_enabled(true);
                "turned on"
            }
            VoiceControl::Off => {
                self.voice.set_enabled(false);
                "turned off"
            }
            VoiceControl::Louder => {
                self.voice.set_volume(volume.saturating_add(10).min(100));
                "louder"
            }
            VoiceControl::Softer => {
                self.voice.set_volume(volume.saturating_sub(10));
                "softer"
            }
            VoiceControl::Test => {
                let language = self.session.screen().language;
                self.voice.say_now("show_card", language, false);
                "test prompt played"
            }
        };
        self.tech.voice_changed(self.voice.describe(), Some(action));
        Ok(self.out.tech(self.tech.view())?)
    }

    /// The slides the attract screen promotes.
    pub fn with_promotion(mut self, live: crate::promotion::Live) -> Self {
        self.promotion = live.now;
        self.promotion_updates = live.updates;
        self
    }

    /// Tells the front-end which slides show now, when that changed (a slide's dates, days or
    /// hours began or ended).
    fn show_slides(&mut self) -> Result<(), RuntimeError> {
        if let Some(updates) = &self.promotion_updates {
            // The newest catalogue wins; the refresh thread may have sent several.
            while let Ok(catalogue) = updates.try_recv() {
                self.promotion = catalogue;
            }
        }
        // Looked at on every turn of the loop: compared in place, copied only when it changed.
        let now = showing(&self.promotion.slides, self.clock.wall());
        let unchanged = self
            .slides_shown
            .as_ref()
            .is_some_and(|shown| shown.iter().eq(now.iter().copied()));
        if !unchanged {
            let slides: Vec<Slide> = now.into_iter().cloned().collect();
            self.out.slides(&slides)?;
            self.slides_shown = Some(slides);
        }
        Ok(())
    }

    /// The session loop also pings systemd's watchdog only while this other thread turns.
    pub fn watching(mut self, heartbeat: Heartbeat) -> Self {
        self.supervision = self.supervision.watching(heartbeat);
        self
    }

    /// The technician mode this kiosk offers (without it, the mode cannot be entered).
    pub fn with_tech(mut self, tech: TechShell) -> Self {
        self.tech = tech;
        self
    }

    fn tech_command(&mut self, command: TechCommand) -> Result<(), RuntimeError> {
        if let TechCommand::Voice(control) = command {
            return self.voice_control(control);
        }
        let now = self.clock.now();
        if let Some(request) = self.tech.command(command, &mut self.devices, now) {
            let id = RequestId(self.next_staff_id);
            self.next_staff_id += 1;
            self.worker
                .send(id, request.into())
                .map_err(|_| RuntimeError::WorkerStopped)?;
            self.staff.insert(id, request);
            self.in_flight += 1;
        }
        Ok(self.out.tech(self.tech.view())?)
    }

    /// An ILS answer: the technician's, or the session's.
    fn replied(&mut self, id: RequestId, reply: crate::circ::IlsReply) -> Result<(), RuntimeError> {
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
    fn device_event(&mut self, event: Event) -> Result<(), RuntimeError> {
        if self.tech.is_open() {
            self.tech.monitor(&event, &self.devices);
            return Ok(self.out.tech(self.tech.view())?);
        }
        self.dispatch(event)
    }

    /// Runs until the input ends, then lets what is under way finish.
    pub fn run(mut self, inputs: Receiver<Inbound>) -> Result<(), RuntimeError> {
        let effects = self.session.start();
        self.apply(effects)?;
        loop {
            self.supervision.alive(Instant::now());
            self.supervision.refresh(self.worker.waiting());
            self.show_slides()?;
            self.settle()?;
            self.link_news()?;
            if let Some(tap) = &mut self.metrics {
                tap.machine(&self.devices);
            }
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
                Inbound::Input { input, line } => {
                    match &input {
                        // A scanned code may be a card or resident ID number: never logged.
                        Input::Scan(code) => {
                            tracing::debug!(chars = code.len(), "input: a code scanned")
                        }
                        Input::CardUid(uid) => {
                            tracing::debug!(bytes = uid.len(), "input: a card laid")
                        }
                        other => tracing::debug!(input = ?other, "input"),
                    }
                    self.out.input(&input)?;
                    self.input(input, line)?;
                    self.poll_devices()?;
                }
                Inbound::Unreadable { line, message } => {
                    tracing::warn!(line, %message, "input ignored");
                    self.out.rejected(Some(line), &message)?;
                }
                Inbound::Sync(ack) => {
                    self.settle()?;
                    // The asker may have given up waiting; nothing to do then.
                    let _ = ack.send(());
                }
                Inbound::End => break,
                Inbound::Stop => {
                    tracing::info!("asked to stop: finishing what is under way");
                    break;
                }
            }
        }
        self.supervision.stopping();
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
    fn poll_devices(&mut self) -> Result<(), RuntimeError> {
        for event in self.devices.poll(self.clock.now()) {
            self.device_event(event)?;
            self.settle()?;
        }
        Ok(())
    }

    fn input(&mut self, input: Input, line: Option<usize>) -> Result<(), RuntimeError> {
        let event = match input {
            Input::Scan(code) => return self.device_event(Event::Barcode(code)),
            Input::CardUid(uid) => return self.device_event(Event::CardUid(uid)),
            Input::Pin(pin) => Event::PinEntered(pin),
            Input::Press(button) => Event::Pressed(button),
            Input::Renew(items) => Event::RenewItems(items),
            Input::Language(language) => Event::Language(language),
            Input::Touch => Event::Touched,
            Input::Rate(score) => Event::Rated(score),
            Input::RateReason(reason) => Event::RatingReason(reason),
            Input::IsbnTyped(text) => Event::IsbnTyped(text),
            Input::Feedback(topic) => Event::Feedback(topic),
            Input::ReplyWanted(wanted) => Event::ReplyWanted(wanted),
            Input::Sim(sim) => {
                let done = match &sim {
                    SimInput::Place(placement) => sim_pad::place_all(&self.devices, placement),
                    SimInput::Remove(uid) => sim_pad::remove(&self.devices, uid),
                    SimInput::ClearPad => sim_pad::clear(&self.devices),
                    SimInput::Printer(state) => sim_pad::printer(&self.devices, *state),
                    SimInput::Fault(faults) => sim_pad::faults(&self.devices, faults),
                    SimInput::Freeze if self.devices.sim().is_some() => {
                        tracing::warn!("session loop frozen on purpose (a test of the watchdog)");
                        loop {
                            std::thread::park();
                        }
                    }
                    SimInput::Freeze => Err("only the simulated machine can be frozen".into()),
                };
                return match done {
                    Ok(()) => Ok(()),
                    Err(message) => Ok(self.out.rejected(line, &message)?),
                };
            }
            Input::Tech(command) => return self.tech_command(command),
            Input::Wait(duration) => return self.wait(duration),
        };
        self.dispatch(event)
    }

    /// Lets time pass, ticking the session at each of its deadlines on the way.
    fn wait(&mut self, duration: Duration) -> Result<(), RuntimeError> {
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
    fn link_news(&mut self) -> Result<(), RuntimeError> {
        loop {
            match self.worker.recv(Some(Duration::ZERO)) {
                Ok(FromWorker::Link(link)) => self.dispatch(Event::LinkChanged(link))?,
                Ok(FromWorker::Reply(id, reply)) => {
                    // Cannot happen with nothing in flight; handled all the same.
                    self.replied(id, *reply)?;
                }
                Err(NoReply::Timeout) => return Ok(()),
                Err(NoReply::Stopped) => return Err(RuntimeError::WorkerStopped),
            }
        }
    }

    fn dispatch(&mut self, event: Event) -> Result<(), RuntimeError> {
        if let (Event::LinkChanged(link), Some(tap)) = (&event, &self.metrics) {
            tap.link(*link);
        }
        let effects = self.session.handle(event, self.clock.now());
        self.apply(effects)
    }

    fn apply(&mut self, effects: Vec<Effect>) -> Result<(), RuntimeError> {
        // What the devices report goes to the session after the whole batch is out, so the
        // screen shown last is the newest.
        let mut reports = Vec::new();
        for effect in effects {
            if let Effect::Ils { id, request } = &effect {
                self.worker
                    .send(*id, request.clone())
                    .map_err(|_| RuntimeError::WorkerStopped)?;
                self.in_flight += 1;
            }
            self.out.effect(&effect)?;
            if let Some(tap) = &mut self.metrics {
                tap.effect(&effect);
            }
            self.voice.carry_out(&effect, self.clock.wall().time());
            if let Effect::Show { screen } = &effect {
                self.supervision.screen(screen, self.worker.waiting());
            }
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
    fn settle(&mut self) -> Result<(), RuntimeError> {
        while self.in_flight > 0 {
            self.supervision.alive(Instant::now());
            match self.worker.recv(self.time_to_deadline()) {
                Ok(FromWorker::Reply(id, reply)) => {
                    self.in_flight -= 1;
                    self.replied(id, *reply)?;
                }
                Ok(FromWorker::Link(link)) => self.dispatch(Event::LinkChanged(link))?,
                Err(NoReply::Timeout) => self.dispatch(Event::Tick)?,
                Err(NoReply::Stopped) => return Err(RuntimeError::WorkerStopped),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
