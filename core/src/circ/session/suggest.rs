//! The suggestions page (意见与荐购): a book for the library to buy, by its ISBN scanned from the
//! back cover or typed, shown back and confirmed; one-tap feedback topics; for a signed-in
//! reader, the choice to be answered. Each suggestion goes to the journal, which delivers it.

use super::{Phase, Session};
use crate::circ::effect::Effect;
use crate::circ::ils_io::JournalRequest;
use crate::circ::reason::Reason;
use crate::circ::suggestion::{FeedbackTopic, SuggestView, Suggested, Suggestion};
use crate::isbn::{Isbn, IsbnError};

/// What the page holds during a visit.
#[derive(Debug, Default)]
pub(super) struct Suggesting {
    /// Read and shown back, not yet confirmed.
    isbn: Option<Isbn>,
    sent: u32,
    reply_wanted: bool,
}

impl Session {
    /// The reader asks for the suggestions page (from the menu, or the attract screen).
    pub(super) fn open_suggestions(&mut self) {
        self.visit.suggesting = Suggesting::default();
        self.phase = Phase::Suggest;
    }

    /// Leaves the page: back to the menu for a signed-in reader, else to the attract screen.
    pub(super) fn close_suggestions(&mut self) {
        if self.signed_in() {
            self.visit.suggesting = Suggesting::default();
            self.phase = Phase::Menu;
        } else {
            self.reset_to_idle();
        }
    }

    /// An ISBN scanned or typed: shown back for confirmation, or refused with why.
    pub(super) fn isbn_entered(&mut self, text: &str, fx: &mut Vec<Effect>) {
        if text.trim().is_empty() {
            // "No, another": the one shown back is put aside.
            self.visit.suggesting.isbn = None;
            return;
        }
        match Isbn::parse(text) {
            Ok(isbn) => {
                self.notice = None;
                self.visit.suggesting.isbn = Some(isbn);
            }
            Err(IsbnError::BadCheckDigit) => self.tell(Reason::IsbnMisread, fx),
            Err(IsbnError::NotAnIsbn) => self.tell(Reason::NotAnIsbn, fx),
        }
    }

    pub(super) fn confirm_isbn(&mut self, fx: &mut Vec<Effect>) {
        if let Some(isbn) = self.visit.suggesting.isbn.take() {
            self.suggest(Suggested::Purchase { isbn }, fx);
        }
    }

    pub(super) fn feedback(&mut self, topic: FeedbackTopic, fx: &mut Vec<Effect>) {
        if self.phase == Phase::Suggest {
            self.suggest(Suggested::Feedback { topic }, fx);
        }
    }

    pub(super) fn reply_wanted(&mut self, wanted: bool) {
        self.visit.suggesting.reply_wanted = wanted && self.signed_in();
    }

    fn suggest(&mut self, suggested: Suggested, fx: &mut Vec<Effect>) {
        // The reader's id goes with it only when they asked to be answered.
        let patron = self
            .visit
            .reader
            .as_ref()
            .filter(|_| self.visit.suggesting.reply_wanted && self.signed_in())
            .map(|r| r.id.clone());
        let suggestion = Suggestion {
            suggested,
            patron,
            language: self.language,
        };
        self.visit.suggesting.sent += 1;
        // Asked for this suggestion; the next one is anonymous again unless asked again.
        self.visit.suggesting.reply_wanted = false;
        self.request(JournalRequest::Suggestion { suggestion }, None, fx);
    }

    pub(super) fn signed_in(&self) -> bool {
        self.visit
            .reader
            .as_ref()
            .is_some_and(|r| r.status.is_some())
    }

    pub(super) fn suggest_view(&self) -> Option<SuggestView> {
        (self.phase == Phase::Suggest).then(|| SuggestView {
            isbn: self
                .visit
                .suggesting
                .isbn
                .as_ref()
                .map(|i| i.as_str().to_owned()),
            sent: self.visit.suggesting.sent,
            reply_offered: self.signed_in(),
            reply_wanted: self.visit.suggesting.reply_wanted,
        })
    }
}
