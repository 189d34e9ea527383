//! Who is at the machine: library card (barcode or RFID), PIN, the lock after wrong PINs, and
//! how a card is accepted while the ILS is unreachable.

use super::{Phase, PinFailures, Reader, Session, Waiting};
use crate::barcode::BarcodeKind;
use crate::circ::effect::{Cue, Effect};
use crate::circ::ils_io::{
    IlsAnswer, IlsError, IlsReply, IlsRequest, JournalRequest, WorkerRequest,
};
use crate::circ::policy::OfflineMode;
use crate::circ::reason::{Reason, Refusal};
use crate::circ::types::{PatronId, PatronStatus, Pin};
use crate::time::Moment;

/// Where a card came from: an RFID card reader repeats itself quietly, while a card barcode
/// scanned during the item loop is a reader's mistake worth a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CardSource {
    Scanner,
    CardReader,
    /// A signed e-card token, verified and not used before.
    ECard,
}

impl Session {
    pub(super) fn card_uid(&mut self, uid: &[u8], fx: &mut Vec<Effect>) {
        match self.policy.card_uid_format.patron_id(uid) {
            Some(id) => self.card_presented(PatronId(id), CardSource::CardReader, fx),
            None => {
                tracing::warn!(len = uid.len(), "card reader sent an unusable UID");
                self.tell(Reason::Misread, fx);
            }
        }
    }

    pub(super) fn card_presented(
        &mut self,
        id: PatronId,
        source: CardSource,
        fx: &mut Vec<Effect>,
    ) {
        let same_reader = self.visit.reader.as_ref().is_some_and(|r| r.id == id);
        match self.phase {
            Phase::OutOfService => {}
            Phase::Idle | Phase::Goodbye => self.identify(id, source, fx),
            Phase::Pin if same_reader => {}
            Phase::Pin => self.identify(id, source, fx),
            Phase::Checking => {}
            _ if self.visit.reader.is_none() => {
                // Returns without a card are going on: sign in once they are done.
                if self.busy() {
                    self.waiting_card = Some((id, source));
                } else {
                    self.identify(id, source, fx);
                }
            }
            _ if same_reader => {
                if source != CardSource::CardReader {
                    self.tell(Reason::CardNotItem, fx);
                }
            }
            _ => self.tell(Reason::OtherPatronCard, fx),
        }
    }

    /// Starts a new session for this card.
    pub(super) fn identify(&mut self, id: PatronId, source: CardSource, fx: &mut Vec<Effect>) {
        self.reset_to_idle();
        if let Some(minutes_left) = self.locked_minutes_left(&id) {
            tracing::info!("card locked after wrong PINs was presented");
            self.tell(Reason::CardLocked { minutes_left }, fx);
            return;
        }
        if !self.machine.online
            && let Some(reason) = self.offline_refusal(&id, source)
        {
            return self.tell(reason, fx);
        }
        self.visit.reader = Some(Reader {
            id: id.clone(),
            pin: None,
            status: None,
            source,
        });
        if self.policy.pin_required {
            self.phase = Phase::Pin;
        } else {
            self.phase = Phase::Checking;
            self.ask_who(id, None, fx);
        }
    }

    /// Why this card cannot be accepted while the ILS is unreachable, if it cannot.
    fn offline_refusal(&self, id: &PatronId, source: CardSource) -> Option<Reason> {
        match self.policy.offline.mode {
            OfflineMode::Disabled => Some(Reason::IlsUnavailable),
            OfflineMode::CheckinOnly => Some(Reason::OfflineReturnsOnly),
            OfflineMode::Full => {
                // Nobody can check the card: it must at least look like one of ours.
                let looks_right = source != CardSource::Scanner
                    || self.policy.barcodes.patron.is_none()
                    || self.policy.barcodes.classify(&id.0) == BarcodeKind::Patron;
                (!looks_right).then_some(Reason::OfflineCardNotValid)
            }
        }
    }

    /// Asks the ILS who the card is, or, offline, the blocked-patron list.
    fn ask_who(&mut self, patron: PatronId, pin: Option<Pin>, fx: &mut Vec<Effect>) {
        let request: WorkerRequest = if self.machine.online {
            IlsRequest::PatronStatus { patron, pin }.into()
        } else {
            JournalRequest::OfflinePatron { patron }.into()
        };
        self.request(request, Some(Waiting::Identify), fx);
    }

    pub(super) fn pin_entered(&mut self, pin: Pin, fx: &mut Vec<Effect>) {
        if self.phase != Phase::Pin || pin.is_empty() {
            return;
        }
        let Some(reader) = self.visit.reader.as_mut() else {
            return;
        };
        reader.pin = Some(pin.clone());
        let patron = reader.id.clone();
        self.phase = Phase::Checking;
        self.ask_who(patron, Some(pin), fx);
    }

    pub(super) fn identified(&mut self, reply: IlsReply, fx: &mut Vec<Effect>) {
        let Some((id, source)) = self.visit.reader.as_ref().map(|r| (r.id.clone(), r.source))
        else {
            return;
        };
        let status = match reply {
            Ok(IlsAnswer::Patron(status)) => status,
            Ok(IlsAnswer::OfflinePatron { blocked }) => {
                return self.identified_offline(id, blocked, fx);
            }
            Ok(other) => {
                tracing::error!(
                    ?other,
                    "the ILS answered a patron status with something else"
                );
                return self.back_to_idle_telling(Refusal::new(Reason::IlsUnavailable), fx);
            }
            Err(IlsError::Storage(error)) => return self.out_of_service("STORAGE", &error, fx),
            Err(error) if error.is_link_failure() => {
                tracing::warn!(%error, "patron status failed: the ILS is unreachable");
                self.machine.online = false;
                if let Some(reason) = self.offline_refusal(&id, source) {
                    return self.back_to_idle_telling(Refusal::new(reason), fx);
                }
                let pin = self.visit.reader.as_ref().and_then(|r| r.pin.clone());
                return self.ask_who(id, pin, fx);
            }
            Err(error) => {
                tracing::warn!(%error, "patron status failed");
                return self.back_to_idle_telling(Refusal::new(Reason::IlsUnavailable), fx);
            }
        };
        if !status.valid {
            let refusal = Refusal {
                reason: Reason::UnknownPatron,
                screen_message: status.screen_message,
                title: None,
            };
            return self.back_to_idle_telling(refusal, fx);
        }
        if self.policy.pin_required && status.pin_ok != Some(true) {
            return self.wrong_pin(id, fx);
        }
        self.pin_failures.remove(&id);
        let blocked = status.borrow_block();
        if let Some(reader) = self.visit.reader.as_mut() {
            reader.status = Some(status);
        }
        self.phase = Phase::Menu;
        match blocked {
            Some(block) => self.tell(Reason::PatronBlocked { block }, fx),
            None => fx.push(Effect::Sound { cue: Cue::Success }),
        }
    }

    /// Offline the card cannot be checked (nor the PIN): the blocked-patron list is all there is.
    fn identified_offline(
        &mut self,
        id: PatronId,
        blocked: Option<crate::circ::types::Block>,
        fx: &mut Vec<Effect>,
    ) {
        if let Some(block) = blocked {
            tracing::info!("card on the blocked-patron list refused offline");
            return self.back_to_idle_telling(Refusal::new(Reason::PatronBlocked { block }), fx);
        }
        if let Some(reader) = self.visit.reader.as_mut() {
            reader.status = Some(PatronStatus::bare(id, true));
        }
        self.phase = Phase::Menu;
        fx.push(Effect::Sound { cue: Cue::Success });
    }

    fn wrong_pin(&mut self, id: PatronId, fx: &mut Vec<Effect>) {
        let now = self.now;
        self.prune_expired_locks();
        let failures = self.pin_failures.entry(id).or_insert(PinFailures {
            count: 0,
            locked_until: None,
        });
        failures.count += 1;
        if failures.count >= self.policy.pin_attempts {
            failures.locked_until = Some(now + self.policy.pin_lockout);
            tracing::warn!("card locked at this kiosk after too many wrong PINs");
            let minutes_left = minutes_ceil(self.policy.pin_lockout.as_secs());
            return self
                .back_to_idle_telling(Refusal::new(Reason::CardLocked { minutes_left }), fx);
        }
        let tries_left = self.policy.pin_attempts - failures.count;
        if let Some(reader) = self.visit.reader.as_mut() {
            reader.pin = None;
        }
        self.phase = Phase::Pin;
        self.tell(Reason::WrongPin { tries_left }, fx);
    }

    fn back_to_idle_telling(&mut self, refusal: Refusal, fx: &mut Vec<Effect>) {
        self.reset_to_idle();
        self.tell_refusal(refusal, fx);
    }

    /// Minutes (rounded up) this card stays locked, or `None` when it is not locked.
    fn locked_minutes_left(&mut self, id: &PatronId) -> Option<u32> {
        let now = self.now;
        let until = self.pin_failures.get(id)?.locked_until?;
        if until <= now {
            // The lock has run out: a fresh set of tries.
            self.pin_failures.remove(id);
            return None;
        }
        Some(minutes_ceil(until.saturating_duration_since(now).as_secs()))
    }

    /// Forgets locks that have run out, so the table does not grow over months of service.
    fn prune_expired_locks(&mut self) {
        let now: Moment = self.now;
        self.pin_failures
            .retain(|_, f| f.locked_until.is_none_or(|until| until > now));
    }

    pub(super) fn patron_status(&self) -> Option<&PatronStatus> {
        self.visit.reader.as_ref()?.status.as_ref()
    }
}

fn minutes_ceil(secs: u64) -> u32 {
    u32::try_from(secs.div_ceil(60)).unwrap_or(u32::MAX)
}
