//! What the front-ends hand the runtime, typed: each front-end maps its own form (a JSON line, a
//! Slint callback, a demo script) to these, and nothing else reaches the loop.

use super::super::sim_pad::{Placement, PrinterState};
use super::super::tech_shell::TechCommand;
use crate::circ::satisfaction::LowScoreReason;
use crate::circ::suggestion::FeedbackTopic;
use crate::circ::types::{ItemId, Pin};
use crate::circ::{Button, Language};
use kiosk_hw::config::{PartFault, SimPart};
use std::collections::BTreeMap;
use std::sync::mpsc::Sender;
use std::time::Duration;

/// A reader's, a device's or a technician's doing, or time passing.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// The barcode scanner read this (a card or an item).
    Scan(String),
    /// The RFID card reader saw a card with this UID.
    CardUid(Vec<u8>),
    /// The PIN typed on the keypad (its `Debug` is masked).
    Pin(Pin),
    Press(Button),
    /// Renew these loans (the renew page's choice).
    Renew(Vec<ItemId>),
    Language(Language),
    /// A touch anywhere on the screen: the reader is still there.
    Touch,
    /// A face tapped on the goodbye screen (1 unhappy … 5 happy).
    Rate(u8),
    /// After a low score, why.
    RateReason(LowScoreReason),
    /// On the suggestions page, an ISBN typed on the keypad.
    IsbnTyped(String),
    /// On the suggestions page, a feedback topic tapped.
    Feedback(FeedbackTopic),
    /// A signed-in reader asks the library to reply to the next suggestion (or not).
    ReplyWanted(bool),
    /// Let this much time pass (moved at once on the virtual clock).
    Wait(Duration),
    /// The simulated machine: what real hardware would do.
    Sim(SimInput),
    /// The technician's screen.
    Tech(TechCommand),
}

/// What is done to the simulated machine.
#[derive(Debug, Clone, PartialEq)]
pub enum SimInput {
    /// Lay a tagged item (or a stack of them) on the RFID pad.
    Place(Placement),
    /// Take the tag with this UID off the pad.
    Remove(String),
    /// Take everything off the pad.
    ClearPad,
    /// The printer's paper and cover.
    Printer(PrinterState),
    /// Make parts misbehave from now on, or mend them with `None`.
    Fault(BTreeMap<SimPart, Option<PartFault>>),
    /// The session loop stops turning for good, as a hang would (tests of the watchdog).
    Freeze,
}

/// What reaches the runtime's inbox, in order.
#[derive(Debug)]
pub enum Inbound {
    /// An input; `line` is where a script had it, for the messages about it (front-ends that
    /// have no lines give none).
    Input { input: Input, line: Option<usize> },
    /// A line of a script that is not an input: reported in its place among the output.
    Unreadable { line: usize, message: String },
    /// Answer once everything before has been applied and the ILS has answered (the
    /// touchscreen's tests wait on it).
    Sync(Sender<()>),
    /// The input ended (a script's last line): finish what is under way and stop.
    End,
    /// SIGTERM (systemd stopping the kiosk, a package upgrade): the same, said in the log.
    Stop,
}

impl From<Input> for Inbound {
    fn from(input: Input) -> Inbound {
        Inbound::Input { input, line: None }
    }
}
