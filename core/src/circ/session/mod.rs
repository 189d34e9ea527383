//! The reader's session at the kiosk, as a pure state machine.
//!
//! `handle(event, now)` returns effects; `next_deadline()` says when the shell must send
//! `Event::Tick`. One request to the ILS is in flight at a time; items presented meanwhile wait
//! in a queue, so a stack of books on the RFID pad is processed one by one, in order.

mod also;
mod ecard;
mod finish;
mod identify;
mod items;
mod machine;
mod rating;
mod security;
mod slot;
mod suggest;
mod tally;
mod view;

#[cfg(test)]
mod tests;

use machine::MachineStatus;
pub use machine::{ILS_FAULT, ITEM_READER_FAULT};

use super::effect::{Action, Cue, Effect, ItemOutcome, ItemResult};
use super::event::Event;
use super::ils_io::{RequestId, WorkerRequest};
use super::policy::Policy;
use super::reason::{Reason, Refusal};
use super::screen::{Language, Screen, Summary};
use super::types::{Account, ItemId, OfflineUse, PatronId, PatronStatus, Pin, SetCheck, TagUid};
use crate::time::Moment;
use std::collections::{HashMap, VecDeque};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    Pin,
    /// Asking the ILS who the card belongs to.
    Checking,
    Menu,
    Items(Action),
    Account,
    Receipt,
    Goodbye,
    /// Feedback and purchase suggestions.
    Suggest,
    /// Cannot serve (e.g. the journal cannot record): only a technician brings it back.
    OutOfService,
}

/// The reader at the machine: known by card from the start, by the ILS once identified.
struct Reader {
    id: PatronId,
    /// Kept in memory for the session only: some ILSes want it again for account requests.
    pin: Option<Pin>,
    status: Option<PatronStatus>,
    source: identify::CardSource,
}

#[derive(Debug, Clone)]
struct WaitingItem {
    item: ItemId,
    /// Every tag of the item (none when it was scanned).
    tags: Vec<TagUid>,
    action: Action,
    offline_use: OfflineUse,
    /// A return that cancels a loan whose security could not be set.
    undo: bool,
    /// When the reader presented it (the item time runs from here to its outcome).
    presented: Moment,
}

/// A loan the ILS granted whose tag is being released: the reader is told once it is.
#[derive(Debug, Clone)]
struct Securing {
    queued: WaitingItem,
    result: ItemResult,
    title: Option<String>,
    screen_message: Option<String>,
}

/// What the RFID pad said about an item besides its id.
#[derive(Debug, Clone)]
struct Presented {
    tags: Vec<TagUid>,
    offline_use: OfflineUse,
    set: SetCheck,
}

/// What the request in flight was for.
enum Waiting {
    Identify,
    Account,
    Item(WaitingItem),
    /// Recording an offline transaction in the journal.
    Offline(WaitingItem),
    RenewAll,
    Email,
    /// Asking the journal whether an e-card token is current and unused (for this card).
    Token(PatronId),
    /// Counting the visit's pairs of titles and asking for a suggestion, before finishing.
    AlsoBorrowed(Finishing),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Finishing {
    WithReceipt,
    NoReceipt,
}

#[derive(Debug, Clone, Copy)]
struct PinFailures {
    count: u32,
    locked_until: Option<Moment>,
}

/// What belongs to the reader at the machine now: cleared when they go.
#[derive(Default)]
struct Visit {
    reader: Option<Reader>,
    outcomes: Vec<ItemOutcome>,
    /// Lines the ILS asked to have printed on this session's receipt.
    print_lines: Vec<String>,
    queue: VecDeque<WaitingItem>,
    finishing: Option<Finishing>,
    refresh_account: bool,
    email_failed: bool,
    account: Option<Account>,
    summary: Option<Summary>,
    /// The satisfaction question, at the goodbye screen of a visit the library asks about.
    asking: Option<rating::Asking>,
    suggesting: suggest::Suggesting,
    /// When the visit began, its button presses and its items' times, for the statistics.
    started: Option<Moment>,
    touches: u32,
    item_ms: Vec<u64>,
    /// The journal was asked (once a visit) and answered this.
    also_asked: bool,
    also_borrowed: Option<crate::circ::also_borrowed::AlsoBorrowed>,
}

/// When things run out: the reader's inactivity, a message on the attract screen, the goodbye.
struct Timers {
    last_activity: Moment,
    /// The "are you still there?" warning is showing.
    warned: bool,
    notice_until: Option<Moment>,
    goodbye_until: Option<Moment>,
}

pub struct Session {
    policy: Policy,
    language: Language,
    phase: Phase,
    visit: Visit,
    machine: MachineStatus,
    timers: Timers,
    waiting: Option<(RequestId, Waiting)>,
    /// Loans waiting for their tag's security write.
    securing: Vec<Securing>,
    /// A card shown while card-less returns were still being processed; served after them.
    waiting_card: Option<(PatronId, identify::CardSource)>,
    /// An e-card token shown while the ILS was busy; checked once it is free.
    waiting_token: Option<crate::ecard::SignedCard>,
    return_slot: slot::ReturnSlot,
    /// Items presented lately, for the duplicate-scan window.
    recent: Vec<(ItemId, Moment)>,
    notice: Option<Refusal>,
    last_items_action: Action,
    /// Wrong PINs per card; outlives sessions, as the lock must.
    pin_failures: HashMap<PatronId, PinFailures>,
    next_request: u64,
    /// Visits that ended with a goodbye, for asking one in N.
    visits_ended: u64,
    now: Moment,
    shown: Option<Screen>,
    /// A visit that ended, for the journal's statistics with the next effects.
    finished_visit: Option<crate::circ::visit_stats::VisitRecord>,
}

impl Session {
    pub fn new(policy: Policy, now: Moment) -> Self {
        Session {
            language: policy.language,
            policy,
            phase: Phase::Idle,
            visit: Visit::default(),
            machine: MachineStatus::default(),
            timers: Timers {
                last_activity: now,
                warned: false,
                notice_until: None,
                goodbye_until: None,
            },
            waiting: None,
            securing: Vec::new(),
            waiting_card: None,
            waiting_token: None,
            return_slot: slot::ReturnSlot::default(),
            recent: Vec::new(),
            notice: None,
            last_items_action: Action::Borrow,
            pin_failures: HashMap::new(),
            next_request: 1,
            visits_ended: 0,
            now,
            shown: None,
            finished_visit: None,
        }
    }

    /// The screen as it should look now, and the effects to carry out in order.
    pub fn start(&mut self) -> Vec<Effect> {
        let mut fx = Vec::new();
        self.show_if_changed(&mut fx);
        fx
    }

    pub fn handle(&mut self, event: Event, now: Moment) -> Vec<Effect> {
        // The shell's clock never runs backwards for us.
        self.now = self.now.max(now);
        let mut fx = Vec::new();
        // The machine's news (the link, the parts) is heard whatever it is doing.
        self.machine_news(&event);
        if self.phase == Phase::OutOfService {
            // Nothing a reader does changes anything until the fault is gone; the last
            // reader's summary goes when they have had time to read it.
            if self
                .timers
                .goodbye_until
                .is_some_and(|until| until <= self.now)
            {
                self.visit.summary = None;
                self.timers.goodbye_until = None;
            }
            self.show_if_changed(&mut fx);
            return fx;
        }
        if self.waiting_for_ils() && is_from_reader(&event) {
            // The attract screen says the machine cannot serve until the ILS answers.
            self.show_if_changed(&mut fx);
            return fx;
        }
        self.note_touch(&event);
        if is_from_reader(&event) {
            self.timers.last_activity = self.now;
            self.timers.warned = false;
            self.notice = None;
        }
        if self.phase == Phase::Goodbye
            && matches!(
                event,
                Event::Barcode(_) | Event::CardUid(_) | Event::ItemTag { .. }
            )
        {
            // Someone starts a visit: the last reader has gone.
            self.close_rating(&mut fx);
        }
        match event {
            Event::Barcode(raw) => self.barcode(&raw, &mut fx),
            Event::CardUid(uid) => self.card_uid(&uid, &mut fx),
            Event::ItemTag {
                tags,
                item,
                offline_use,
                set,
            } => {
                let presented = Presented {
                    tags,
                    offline_use,
                    set,
                };
                self.tag_presented(item, presented, &mut fx)
            }
            Event::UnreadableTag(tag) => self.unreadable_tag(&tag, &mut fx),
            Event::SecurityDone {
                item,
                tags,
                state,
                ok,
            } => self.security_done(item, tags, state, ok, &mut fx),
            Event::PinEntered(pin) => self.pin_entered(pin, &mut fx),
            Event::Pressed(button) => self.pressed(button, &mut fx),
            Event::RenewItems(items) => self.renew_items(items, &mut fx),
            Event::Language(language) => self.language = language,
            Event::Touched | Event::Tick => {}
            Event::Rated(score) => self.rated(score, &mut fx),
            Event::IsbnTyped(text) => {
                if self.phase == Phase::Suggest {
                    self.isbn_entered(&text, &mut fx)
                }
            }
            Event::Feedback(topic) => self.feedback(topic, &mut fx),
            Event::ReplyWanted(wanted) => self.reply_wanted(wanted),
            Event::RatingReason(reason) => self.rating_reason(reason, &mut fx),
            Event::IlsReplied(id, reply) => self.ils_replied(id, reply, &mut fx),
            // Heard before anything else (`machine_news`).
            Event::LinkChanged(_)
            | Event::PrinterReady(_)
            | Event::ReturnSlotFailed
            | Event::ItemReaderReady(_)
            | Event::CardReaderReady(_)
            | Event::ScannerReady(_) => {}
            Event::Printed { ok } => {
                self.machine.printer_ready = ok;
                if !ok {
                    // The reader may still be at the goodbye screen, or has just left it.
                    self.tell(Reason::ReceiptNotPrinted, &mut fx);
                }
            }
        }
        self.settle(&mut fx);
        self.run_timers(&mut fx);
        self.stop_without_item_reader(&mut fx);
        self.stop_without_ils(&mut fx);
        self.sync_return_slot(&mut fx);
        self.show_if_changed(&mut fx);
        fx
    }

    /// When the shell must send `Event::Tick` next, if anything is timed.
    pub fn next_deadline(&self) -> Option<Moment> {
        let mut next: Option<Moment> = None;
        let mut consider = |at: Moment| next = Some(next.map_or(at, |n| n.min(at)));
        if let Some(until) = self
            .timers
            .notice_until
            .filter(|_| self.phase == Phase::Idle)
        {
            consider(until);
        }
        if let Some(until) = self.timers.goodbye_until {
            consider(until);
        }
        if self.busy() {
            return next;
        }
        if self.is_cardless_return() {
            consider(self.timers.last_activity + self.policy.return_idle_pause);
        } else if self.times_out() {
            let timeout_at = self.timeout_at();
            let warn_at = timeout_at
                .checked_sub(self.policy.inactivity_warning)
                .unwrap_or(timeout_at);
            if self.now < warn_at {
                consider(warn_at);
            } else {
                // Wake at each whole second so the countdown on screen ticks.
                let left = timeout_at.saturating_duration_since(self.now);
                let mut at = timeout_at - Duration::from_secs(left.as_secs());
                if at <= self.now {
                    at += Duration::from_secs(1);
                }
                consider(at.min(timeout_at));
            }
        }
        next
    }

    /// Whether a request to the ILS is in flight or items wait for one.
    pub fn busy(&self) -> bool {
        self.waiting.is_some() || !self.visit.queue.is_empty() || !self.securing.is_empty()
    }

    /// The screen as of the last event.
    pub fn screen(&self) -> Screen {
        self.view()
    }

    fn request(
        &mut self,
        request: impl Into<WorkerRequest>,
        waiting: Option<Waiting>,
        fx: &mut Vec<Effect>,
    ) {
        let request = request.into();
        let id = RequestId(self.next_request);
        self.next_request += 1;
        if let Some(waiting) = waiting {
            self.waiting = Some((id, waiting));
        }
        fx.push(Effect::Ils { id, request });
    }

    /// Shows a message to the reader, with the "problem" sound.
    fn tell(&mut self, reason: Reason, fx: &mut Vec<Effect>) {
        self.tell_refusal(Refusal::new(reason), fx);
    }

    fn tell_refusal(&mut self, refusal: Refusal, fx: &mut Vec<Effect>) {
        self.notice = Some(refusal);
        if matches!(self.phase, Phase::Idle | Phase::Goodbye) {
            self.timers.notice_until = Some(self.now + self.policy.goodbye);
        }
        fx.push(Effect::Sound { cue: Cue::Problem });
    }

    /// Everything about the reader forgotten; the attract screen.
    fn reset_to_idle(&mut self) {
        self.close_visit();
        self.phase = Phase::Idle;
        self.visit = Visit::default();
        self.timers.goodbye_until = None;
        self.timers.notice_until = None;
        self.timers.warned = false;
        self.notice = None;
    }

    /// Work that follows once the ILS is free: the next queued item, a card that waited, an
    /// account refresh after renewals, the finish the reader asked for.
    fn settle(&mut self, fx: &mut Vec<Effect>) {
        self.pump(fx);
        if self.busy() {
            return;
        }
        if let Some(token) = self.waiting_token.take() {
            self.use_token(token, fx);
        } else if let Some((card, source)) = self.waiting_card.take() {
            self.identify(card, source, fx);
        } else if self.visit.refresh_account && self.phase == Phase::Items(Action::Renew) {
            self.visit.refresh_account = false;
            self.fetch_account(fx);
        } else if let Some(finishing) = self.visit.finishing.take() {
            self.complete_finish(finishing, fx);
        }
    }

    fn run_timers(&mut self, fx: &mut Vec<Effect>) {
        let now = self.now;
        if self.phase == Phase::Idle && self.timers.notice_until.is_some_and(|t| t <= now) {
            self.notice = None;
            self.timers.notice_until = None;
        }
        if self.phase == Phase::Goodbye && self.timers.goodbye_until.is_some_and(|t| t <= now) {
            self.close_rating(fx);
            self.reset_to_idle();
            return;
        }
        if self.busy() {
            return;
        }
        if self.is_cardless_return() {
            if now >= self.timers.last_activity + self.policy.return_idle_pause {
                self.reset_to_idle();
            }
        } else if self.times_out() {
            if now >= self.timeout_at() {
                tracing::info!("session cleared after inactivity");
                self.notify_session_end(fx);
                self.reset_to_idle();
            } else if now + self.policy.inactivity_warning >= self.timeout_at()
                && !self.timers.warned
            {
                self.timers.warned = true;
                fx.push(Effect::Sound { cue: Cue::Warning });
            }
        }
    }

    fn timeout_at(&self) -> Moment {
        self.timers.last_activity + self.policy.inactivity_timeout
    }

    /// Pages where an absent reader's session must be cleared.
    fn times_out(&self) -> bool {
        matches!(
            self.phase,
            Phase::Pin
                | Phase::Menu
                | Phase::Items(_)
                | Phase::Account
                | Phase::Receipt
                | Phase::Suggest
        )
    }

    fn is_cardless_return(&self) -> bool {
        self.phase == Phase::Items(Action::Return) && self.visit.reader.is_none()
    }

    fn show_if_changed(&mut self, fx: &mut Vec<Effect>) {
        // Every handling ends here: the visit's figures go with its effects.
        self.account_visit(fx);
        let screen = self.view();
        if self.shown.as_ref() != Some(&screen) {
            let speech = super::voice::speech(self.shown.as_ref(), &screen);
            let language = screen.language;
            self.shown = Some(screen.clone());
            fx.push(Effect::Show {
                screen: Box::new(screen),
            });
            match speech {
                Some(super::voice::Speech::Say(clip)) => fx.push(Effect::Speak { clip, language }),
                Some(super::voice::Speech::Hush) => fx.push(Effect::Hush),
                None => {}
            }
        }
    }
}

/// Events that show the reader is at the machine (as opposed to the ILS, the clock or the
/// devices reporting on themselves).
fn is_from_reader(event: &Event) -> bool {
    !matches!(
        event,
        Event::IlsReplied(..)
            | Event::Tick
            | Event::LinkChanged(_)
            | Event::SecurityDone { .. }
            | Event::PrinterReady(_)
            | Event::Printed { .. }
            | Event::ReturnSlotFailed
            | Event::ItemReaderReady(_)
            | Event::CardReaderReady(_)
            | Event::ScannerReady(_)
    )
}
