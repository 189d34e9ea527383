//! The RFID side of the item loop: tags that cannot be read, and security writes that fail.
//! A loan whose tag could not be released would alarm at the gate with the reader's book in
//! hand, so it is cancelled (checked back in) and the reader is sent to staff.

use super::items::{record, secure};
use super::{Securing, Session, WaitingItem};
use crate::circ::effect::{Action, Cue, Effect, ItemResult, Security};
use crate::circ::ils_io::{IlsAnswer, IlsError, IlsReply};
use crate::circ::reason::{Reason, Refusal};
use crate::circ::types::{ItemId, OfflineUse, TagUid};

impl Session {
    pub(super) fn unreadable_tag(&mut self, tag: &TagUid, fx: &mut Vec<Effect>) {
        tracing::info!(tag = %tag.0, "a tag on the pad cannot be read");
        self.tell(Reason::UnreadableTag, fx);
    }

    pub(super) fn security_done(
        &mut self,
        item: ItemId,
        tags: Vec<TagUid>,
        state: Security,
        ok: bool,
        fx: &mut Vec<Effect>,
    ) {
        if ok && state == Security::InLibrary {
            return;
        }
        if state == Security::InLibrary {
            // Taken back, but the gate would not alarm: staff should re-arm the tag.
            tracing::warn!(%item, "returned item's security could not be set");
            self.notice = Some(Refusal::new(Reason::SeeStaff));
            return fx.push(Effect::Sound { cue: Cue::Problem });
        }
        let Some(at) = self.securing.iter().position(|s| s.queued.item == item) else {
            tracing::error!(%item, "a security report for a loan that is not waiting for one");
            return;
        };
        let securing = self.securing.remove(at);
        if ok {
            let Securing {
                queued,
                result,
                title,
                screen_message,
            } = securing;
            self.settle_outcome(&queued, result, title, screen_message, fx);
            return fx.push(Effect::Sound { cue: Cue::Success });
        }
        tracing::warn!(%item, "security could not be set after the loan; cancelling the loan");
        let result = ItemResult::Refused {
            reason: Reason::SecurityFailed,
        };
        self.settle_outcome(&securing.queued, result, securing.title, None, fx);
        fx.push(Effect::Sound { cue: Cue::Problem });
        // First in line, so nothing else of this reader's goes before the cancellation.
        self.visit.queue.push_front(WaitingItem {
            item,
            tags,
            action: Action::Return,
            offline_use: OfflineUse::default(),
            undo: true,
            presented: self.now,
        });
    }

    /// Holds a granted loan back from the reader until its tag is released.
    pub(super) fn await_security(
        &mut self,
        queued: WaitingItem,
        result: ItemResult,
        title: Option<String>,
        screen_message: Option<String>,
    ) {
        self.securing.push(Securing {
            queued,
            result,
            title,
            screen_message,
        });
    }

    /// The ILS's (or the offline queue's) answer to a cancelled loan's return.
    pub(super) fn undo_replied(
        &mut self,
        queued: WaitingItem,
        reply: IlsReply,
        fx: &mut Vec<Effect>,
    ) {
        let patron = self.visit.reader.as_ref().map(|r| r.id.clone());
        let offline = match reply {
            Ok(IlsAnswer::Checkin(Ok(_))) => false,
            Ok(IlsAnswer::Queued { .. }) => true,
            Err(IlsError::Storage(error)) => return self.out_of_service("STORAGE", &error, fx),
            Err(error) if error.is_link_failure() && self.machine.online => {
                // Cancelled through the offline queue instead.
                self.machine.online = false;
                self.visit.queue.push_front(queued);
                return;
            }
            other => {
                tracing::error!(item = %queued.item, ?other, "the cancelled loan could not be checked back in: staff must check it in");
                self.notice = Some(Refusal::new(Reason::SeeStaff));
                return;
            }
        };
        fx.push(record(Action::Return, patron, &queued.item, None, offline));
        // A set whose first part was released before the second failed goes back to alarming.
        secure(&queued, Security::InLibrary, fx);
    }
}
