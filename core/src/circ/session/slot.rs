//! The return slot: unlocked while a reader who has returned books is at the machine, so they
//! go straight in, and locked otherwise, so nothing un-returned can be dropped in.

use super::{Phase, Session};
use crate::circ::effect::{Action, Effect};

#[derive(Debug, Default)]
pub(super) struct ReturnSlot {
    /// A slot is fitted and works: returned books go through it.
    pub usable: bool,
    /// As last asked of the shell.
    unlocked: bool,
}

impl Session {
    /// The return slot passed its self-test at start: returned books go through it.
    pub fn start_with_return_slot(&mut self) {
        self.return_slot.usable = true;
    }

    /// The slot did not do as asked: readers are sent to the trolley again (the ILS's routes)
    /// until a restart; the hub has logged why for a technician.
    pub(super) fn return_slot_failed(&mut self) {
        if self.return_slot.usable {
            tracing::warn!("the return slot failed: returned books go on the trolley");
        }
        self.return_slot = ReturnSlot::default();
    }

    /// Asks the shell to unlock or lock the slot when what the session needs changed.
    pub(super) fn sync_return_slot(&mut self, fx: &mut Vec<Effect>) {
        let returned = match self.phase {
            Phase::Idle | Phase::OutOfService => false,
            // The goodbye screen keeps only the counts: the books may still be in hand.
            Phase::Goodbye => self.visit.summary.as_ref().is_some_and(|s| s.returned > 0),
            _ => self
                .visit
                .outcomes
                .iter()
                .any(|o| o.action == Action::Return && o.succeeded()),
        };
        let wanted = self.return_slot.usable && returned;
        if wanted != self.return_slot.unlocked {
            self.return_slot.unlocked = wanted;
            fx.push(Effect::ReturnSlot { unlock: wanted });
        }
    }
}
