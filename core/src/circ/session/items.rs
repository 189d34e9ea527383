//! The item loop: what was presented, in which order it goes to the ILS, and what each item's
//! outcome is.

use super::identify::CardSource;
use super::{Phase, Presented, Session, Waiting, WaitingItem};
use crate::barcode::{self, BarcodeKind};
use crate::circ::effect::{Action, Cue, Effect, ItemOutcome, ItemResult, Security, Transaction};
use crate::circ::ils_io::{IlsAnswer, IlsError, IlsReply, IlsRequest, JournalRequest};
use crate::circ::policy::OfflineMode;
use crate::circ::reason::{Reason, Refusal};
use crate::circ::types::{Due, ItemId, OfflineUse, PatronId, ReturnRoute, SetCheck};

impl Session {
    pub(super) fn barcode(&mut self, raw: &str, fx: &mut Vec<Effect>) {
        if self.phase == Phase::Suggest {
            // On the suggestions page the scanner reads a book's ISBN, whatever the rules say.
            return self.isbn_entered(raw, fx);
        }
        if self.ecard_scanned(raw, fx) {
            return;
        }
        let code = match barcode::clean(raw) {
            Ok(code) => code,
            Err(error) => {
                tracing::info!(%error, "unusable barcode from the scanner");
                let detail = error.to_string();
                return self.tell(Reason::BadBarcode { detail }, fx);
            }
        };
        match self.policy.barcodes.classify(&code) {
            BarcodeKind::Misread => self.tell(Reason::Misread, fx),
            BarcodeKind::Patron => self.card_presented(PatronId(code), CardSource::Scanner, fx),
            BarcodeKind::Item => self.item_presented(ItemId(code), None, fx),
            // The rules cannot tell: the page decides what it expects.
            BarcodeKind::Either | BarcodeKind::Neither => {
                if matches!(
                    self.phase,
                    Phase::Idle | Phase::Pin | Phase::Checking | Phase::Goodbye
                ) {
                    self.card_presented(PatronId(code), CardSource::Scanner, fx)
                } else {
                    self.item_presented(ItemId(code), None, fx)
                }
            }
        }
    }

    /// An item tag on the pad. Its item id goes to the ILS verbatim, so it is checked like a
    /// scanned barcode.
    pub(super) fn tag_presented(
        &mut self,
        item: ItemId,
        presented: Presented,
        fx: &mut Vec<Effect>,
    ) {
        match barcode::clean(&item.0) {
            Ok(code) => self.item_presented(ItemId(code), Some(presented), fx),
            Err(error) => {
                let tag = presented.tags.first().map(|t| t.0.as_str()).unwrap_or("");
                tracing::info!(%error, tag, "unusable item id on a tag");
                let detail = error.to_string();
                self.tell(Reason::BadBarcode { detail }, fx);
            }
        }
    }

    pub(super) fn item_presented(
        &mut self,
        item: ItemId,
        tag: Option<Presented>,
        fx: &mut Vec<Effect>,
    ) {
        match self.phase {
            // A tagged book laid down while suggesting is not lent or returned.
            Phase::OutOfService | Phase::Suggest => {}
            Phase::Idle | Phase::Goodbye if self.policy.returns_without_card => {
                self.reset_to_idle();
                self.phase = Phase::Items(Action::Return);
                self.enqueue(item, tag, Action::Return, true, fx);
            }
            Phase::Idle | Phase::Goodbye | Phase::Pin | Phase::Checking => {
                self.tell(Reason::ItemNotCard, fx)
            }
            Phase::Menu | Phase::Account => {
                self.phase = Phase::Items(Action::Borrow);
                self.enqueue(item, tag, Action::Borrow, true, fx);
            }
            Phase::Receipt => {
                // One more book after "done": back to the list it belongs to.
                let action = self.last_items_action;
                self.phase = Phase::Items(action);
                self.enqueue(item, tag, action, true, fx);
            }
            Phase::Items(action) => self.enqueue(item, tag, action, true, fx),
        }
    }

    pub(super) fn renew_items(&mut self, items: Vec<ItemId>, fx: &mut Vec<Effect>) {
        if self.phase != Phase::Items(Action::Renew) {
            return;
        }
        for item in items {
            self.enqueue(item, None, Action::Renew, false, fx);
        }
    }

    /// Puts an item in line for the ILS unless it is a repeat or over the session's limit.
    fn enqueue(
        &mut self,
        item: ItemId,
        tag: Option<Presented>,
        action: Action,
        scanned: bool,
        fx: &mut Vec<Effect>,
    ) {
        self.last_items_action = action;
        let handled = self.visit.outcomes.iter().any(|o| {
            o.item == item
                && o.action == action
                && (o.succeeded() || o.result == ItemResult::Pending)
        });
        if handled {
            // Already done (or under way) in this session: a second checkout would be a renewal.
            tracing::debug!(%item, "item already handled in this session");
            return;
        }
        let set = tag.as_ref().map_or(SetCheck::Complete, |t| t.set);
        if set != SetCheck::Complete {
            // Not remembered as seen: when the missing part arrives, the item comes again.
            let reason = match set {
                SetCheck::MissingParts { parts, present } => {
                    Reason::MissingParts { parts, present }
                }
                _ => Reason::PartsMismatch,
            };
            self.visit
                .outcomes
                .retain(|o| !(o.item == item && o.action == action));
            let outcome = self.push_outcome(item, action, ItemResult::Refused { reason });
            fx.push(Effect::Outcome { outcome });
            fx.push(Effect::Sound { cue: Cue::Problem });
            return;
        }
        if scanned {
            let (now, window) = (self.now, self.policy.duplicate_window);
            self.recent
                .retain(|(_, at)| now.duration_since(*at) < window);
            if self.recent.iter().any(|(seen, _)| *seen == item) {
                tracing::debug!(%item, "duplicate scan ignored");
                return;
            }
            self.recent.push((item.clone(), now));
        }
        self.visit
            .outcomes
            .retain(|o| !(o.item == item && o.action == action));
        if action == Action::Borrow
            && self.borrowed_or_pending() >= self.policy.max_items_per_session
        {
            let limit = self.policy.max_items_per_session;
            let outcome = self.push_outcome(
                item,
                action,
                ItemResult::Refused {
                    reason: Reason::SessionLimit { limit },
                },
            );
            fx.push(Effect::Outcome { outcome });
            fx.push(Effect::Sound { cue: Cue::Problem });
            return;
        }
        let outcome = self.push_outcome(item.clone(), action, ItemResult::Pending);
        fx.push(Effect::Outcome { outcome });
        let (tags, offline_use) = match tag {
            Some(presented) => (presented.tags, presented.offline_use),
            None => (Vec::new(), OfflineUse::default()),
        };
        self.visit.queue.push_back(WaitingItem {
            item,
            tags,
            action,
            offline_use,
            undo: false,
            presented: self.now,
        });
    }

    fn borrowed_or_pending(&self) -> u32 {
        let count = self
            .visit
            .outcomes
            .iter()
            .filter(|o| o.action == Action::Borrow)
            .filter(|o| o.succeeded() || o.result == ItemResult::Pending)
            .count();
        u32::try_from(count).unwrap_or(u32::MAX)
    }

    fn push_outcome(&mut self, item: ItemId, action: Action, result: ItemResult) -> ItemOutcome {
        let outcome = ItemOutcome {
            item,
            action,
            title: None,
            result,
            screen_message: None,
        };
        self.visit.outcomes.push(outcome.clone());
        outcome
    }

    /// Sends the next queued item when the ILS is free: to the ILS, or, offline, to the queue
    /// (after the offline rules have had their say).
    pub(super) fn pump(&mut self, fx: &mut Vec<Effect>) {
        while self.waiting.is_none() {
            let Some(queued) = self.visit.queue.pop_front() else {
                return;
            };
            let patron = self.visit.reader.as_ref().map(|r| r.id.clone());
            if !self.machine.online {
                // A cancelled loan is taken back whatever the offline rules say.
                let refusal = (!queued.undo)
                    .then(|| self.offline_refusal_for(&queued))
                    .flatten();
                if let Some(reason) = refusal {
                    self.settle_outcome(&queued, ItemResult::Refused { reason }, None, None, fx);
                    fx.push(Effect::Sound { cue: Cue::Problem });
                    continue;
                }
                let request = JournalRequest::Queue {
                    action: queued.action,
                    patron,
                    item: queued.item.clone(),
                    tag: queued.tags.first().cloned(),
                };
                self.request(request, Some(Waiting::Offline(queued)), fx);
                return;
            }
            let request = match (queued.action, patron) {
                (Action::Return, patron) => IlsRequest::Checkin {
                    item: queued.item.clone(),
                    patron,
                    tag: queued.tags.first().cloned(),
                },
                (Action::Borrow, Some(patron)) => IlsRequest::Checkout {
                    patron,
                    item: queued.item.clone(),
                    tag: queued.tags.first().cloned(),
                },
                (Action::Renew, Some(patron)) => IlsRequest::Renew {
                    patron,
                    item: queued.item.clone(),
                },
                (_, None) => {
                    // Borrowing and renewing only happen signed in; nothing to send.
                    tracing::error!(item = %queued.item, "borrow or renew without a reader");
                    continue;
                }
            };
            self.request(request, Some(Waiting::Item(queued)), fx);
        }
    }

    /// Why this item cannot be handled while offline, if it cannot.
    fn offline_refusal_for(&self, queued: &WaitingItem) -> Option<Reason> {
        let offline = self.policy.offline;
        match queued.action {
            Action::Renew => return Some(Reason::RenewOffline),
            _ if offline.mode == OfflineMode::Disabled => return Some(Reason::IlsUnavailable),
            Action::Borrow if offline.mode == OfflineMode::CheckinOnly => {
                return Some(Reason::OfflineReturnsOnly);
            }
            Action::Borrow if !queued.offline_use.issue => return Some(Reason::NotForOfflineIssue),
            Action::Return if !queued.offline_use.take_back => {
                return Some(Reason::NotForOfflineReturn);
            }
            _ => {}
        }
        let lent_offline = self
            .visit
            .outcomes
            .iter()
            .filter(|o| matches!(o.result, ItemResult::Borrowed { offline: true, .. }))
            .count();
        (queued.action == Action::Borrow && lent_offline >= offline.max_items as usize).then_some(
            Reason::OfflineLimit {
                limit: offline.max_items,
            },
        )
    }

    /// The reply to an offline transaction: recorded in the queue, or not.
    pub(super) fn offline_replied(
        &mut self,
        queued: WaitingItem,
        reply: IlsReply,
        fx: &mut Vec<Effect>,
    ) {
        if queued.undo {
            return self.undo_replied(queued, reply, fx);
        }
        let patron = self.visit.reader.as_ref().map(|r| r.id.clone());
        let due = match reply {
            Ok(IlsAnswer::Queued { due }) => due,
            Err(IlsError::Storage(error)) => return self.out_of_service("STORAGE", &error, fx),
            other => {
                tracing::error!(?other, "the offline queue answered something unexpected");
                let reason = Reason::IlsUnavailable;
                self.settle_outcome(&queued, ItemResult::Refused { reason }, None, None, fx);
                return fx.push(Effect::Sound { cue: Cue::Problem });
            }
        };
        let result = match queued.action {
            Action::Borrow => {
                let due = due.unwrap_or_else(|| Due {
                    text: String::new(),
                    at: None,
                });
                fx.push(record(
                    Action::Borrow,
                    patron,
                    &queued.item,
                    Some(due.clone()),
                    true,
                ));
                secure(&queued, Security::OnLoan, fx);
                let result = ItemResult::Borrowed { due, offline: true };
                if !queued.tags.is_empty() {
                    return self.await_security(queued, result, None, None);
                }
                result
            }
            _ => {
                fx.push(record(Action::Return, patron, &queued.item, None, true));
                secure(&queued, Security::InLibrary, fx);
                ItemResult::Returned {
                    route: ReturnRoute::ReturnBin,
                }
            }
        };
        self.settle_outcome(&queued, result, None, None, fx);
        fx.push(Effect::Sound { cue: Cue::Success });
    }

    /// Replaces the pending outcome of a queued item with its result.
    pub(super) fn settle_outcome(
        &mut self,
        queued: &WaitingItem,
        result: ItemResult,
        title: Option<String>,
        screen_message: Option<String>,
        fx: &mut Vec<Effect>,
    ) {
        if let Some(outcome) = self.visit.outcomes.iter_mut().find(|o| {
            o.item == queued.item && o.action == queued.action && o.result == ItemResult::Pending
        }) {
            outcome.result = result;
            outcome.title = title.or(outcome.title.take());
            let took = self.now.saturating_duration_since(queued.presented);
            self.visit
                .item_ms
                .push(u64::try_from(took.as_millis()).unwrap_or(u64::MAX));
            outcome.screen_message = screen_message;
            fx.push(Effect::Outcome {
                outcome: outcome.clone(),
            });
        }
    }

    pub(super) fn item_replied(
        &mut self,
        queued: WaitingItem,
        reply: IlsReply,
        fx: &mut Vec<Effect>,
    ) {
        if queued.undo {
            return self.undo_replied(queued, reply, fx);
        }
        let patron = self.visit.reader.as_ref().map(|r| r.id.clone());
        let (result, title, screen_message) = match (queued.action, reply) {
            (Action::Borrow, Ok(IlsAnswer::Checkout(Ok(loan)))) => {
                self.visit.print_lines.extend(loan.print_lines);
                let due = loan.due;
                fx.push(record(
                    Action::Borrow,
                    patron,
                    &queued.item,
                    Some(due.clone()),
                    false,
                ));
                secure(&queued, Security::OnLoan, fx);
                let result = ItemResult::Borrowed {
                    due,
                    offline: false,
                };
                (result, Some(loan.title), loan.screen_message)
            }
            (Action::Renew, Ok(IlsAnswer::Renew(Ok(loan)))) => {
                self.visit.print_lines.extend(loan.print_lines);
                let due = loan.due;
                fx.push(record(
                    Action::Renew,
                    patron,
                    &queued.item,
                    Some(due.clone()),
                    false,
                ));
                self.visit.refresh_account = true;
                let result = ItemResult::Renewed { due: Some(due) };
                (result, Some(loan.title), loan.screen_message)
            }
            (Action::Return, Ok(IlsAnswer::Checkin(Ok(back)))) => {
                fx.push(record(Action::Return, patron, &queued.item, None, false));
                secure(&queued, Security::InLibrary, fx);
                let result = ItemResult::Returned { route: back.route };
                (result, Some(back.title), back.screen_message)
            }
            (
                _,
                Ok(
                    IlsAnswer::Checkout(Err(refusal))
                    | IlsAnswer::Renew(Err(refusal))
                    | IlsAnswer::Checkin(Err(refusal)),
                ),
            ) => refused(refusal),
            (_, Err(IlsError::Storage(error))) => {
                return self.out_of_service("STORAGE", &error, fx);
            }
            (action, Err(error)) if error.is_link_failure() && action != Action::Renew => {
                // The ILS went away: this item goes through the offline rules and the queue.
                tracing::warn!(?action, item = %queued.item, %error, "the ILS is unreachable; working offline");
                self.machine.online = false;
                self.visit.queue.push_front(queued);
                return;
            }
            (action, Ok(other)) => {
                tracing::error!(
                    ?action,
                    ?other,
                    "the ILS answered an item request with something else"
                );
                refused(Refusal::new(Reason::IlsUnavailable))
            }
            (action, Err(error)) => {
                tracing::warn!(?action, item = %queued.item, %error, "item request failed");
                if error.is_link_failure() {
                    self.machine.online = false;
                    refused(Refusal::new(Reason::RenewOffline))
                } else {
                    refused(Refusal::new(Reason::IlsUnavailable))
                }
            }
        };
        if queued.action == Action::Borrow
            && matches!(result, ItemResult::Borrowed { .. })
            && !queued.tags.is_empty()
        {
            return self.await_security(queued, result, title, screen_message);
        }
        let cue = if matches!(result, ItemResult::Refused { .. }) {
            Cue::Problem
        } else {
            Cue::Success
        };
        self.settle_outcome(&queued, result, title, screen_message, fx);
        fx.push(Effect::Sound { cue });
    }

    pub(super) fn renew_all(&mut self, fx: &mut Vec<Effect>) {
        if let Some(patron) = self.visit.reader.as_ref().map(|r| r.id.clone()) {
            self.last_items_action = Action::Renew;
            self.request(IlsRequest::RenewAll { patron }, Some(Waiting::RenewAll), fx);
        }
    }

    pub(super) fn renew_all_replied(&mut self, reply: IlsReply, fx: &mut Vec<Effect>) {
        let result = match reply {
            Ok(IlsAnswer::RenewAll(Ok(result))) => result,
            Ok(IlsAnswer::RenewAll(Err(refusal))) => return self.tell_refusal(refusal, fx),
            Ok(_) | Err(_) => return self.tell(Reason::IlsUnavailable, fx),
        };
        let patron = self.visit.reader.as_ref().map(|r| r.id.clone());
        let title_of = |item: &ItemId| {
            self.visit
                .account
                .as_ref()
                .and_then(|a| a.loans.iter().find(|l| &l.item == item))
                .map(|l| l.title.clone())
        };
        let mut outcomes = Vec::new();
        for item in &result.renewed {
            fx.push(record(Action::Renew, patron.clone(), item, None, false));
            outcomes.push((
                item.clone(),
                title_of(item),
                ItemResult::Renewed { due: None },
            ));
        }
        for item in &result.unrenewed {
            let reason = Reason::IlsRefused;
            outcomes.push((item.clone(), title_of(item), ItemResult::Refused { reason }));
        }
        for (item, title, result) in outcomes {
            self.visit
                .outcomes
                .retain(|o| !(o.item == item && o.action == Action::Renew));
            let outcome = ItemOutcome {
                item,
                action: Action::Renew,
                title,
                result,
                screen_message: None,
            };
            self.visit.outcomes.push(outcome.clone());
            fx.push(Effect::Outcome { outcome });
        }
        if !result.unrenewed.is_empty() {
            // SIP2 gives no reason per item for renew all; the ILS's message explains.
            self.notice = Some(Refusal {
                reason: Reason::IlsRefused,
                screen_message: result.screen_message,
                title: None,
            });
        }
        self.visit.refresh_account = !result.renewed.is_empty();
        let cue = if result.unrenewed.is_empty() {
            Cue::Success
        } else {
            Cue::Problem
        };
        fx.push(Effect::Sound { cue });
    }
}

fn refused(refusal: Refusal) -> (ItemResult, Option<String>, Option<String>) {
    let reason = refusal.reason;
    (
        ItemResult::Refused { reason },
        refusal.title,
        refusal.screen_message,
    )
}

pub(super) fn record(
    action: Action,
    patron: Option<PatronId>,
    item: &ItemId,
    due: Option<Due>,
    offline: bool,
) -> Effect {
    Effect::Recorded {
        transaction: Transaction {
            action,
            patron,
            item: item.clone(),
            due,
            offline,
        },
    }
}

/// Asks the shell to set the security of the item's tags, when it came on the pad.
pub(super) fn secure(queued: &WaitingItem, state: Security, fx: &mut Vec<Effect>) {
    if !queued.tags.is_empty() {
        fx.push(Effect::SetSecurity {
            item: queued.item.clone(),
            tags: queued.tags.clone(),
            state,
        });
    }
}
