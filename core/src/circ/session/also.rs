//! "Readers who borrowed this also borrowed …": once a visit, when the reader finishes, the
//! journal counts the visit's pairs of titles and answers the suggestion (see
//! [`crate::circ::also_borrowed`]); it then shows on the goodbye screen and the receipt.

use super::{Finishing, Session, Waiting};
use crate::circ::also_borrowed::distinct_titles;
use crate::circ::effect::{Action, Effect};
use crate::circ::ils_io::{IlsAnswer, IlsReply, JournalRequest};

impl Session {
    /// Asks the journal, once a visit, when the library has the feature on and the reader
    /// borrowed something with a title. True when the finish now waits for the answer.
    pub(super) fn ask_also_borrowed(&mut self, finishing: Finishing, fx: &mut Vec<Effect>) -> bool {
        let Some(min_sessions) = self.policy.also_borrowed else {
            return false;
        };
        if self.visit.also_asked {
            return false;
        }
        let titles = distinct_titles(
            self.visit
                .outcomes
                .iter()
                .filter(|o| o.action == Action::Borrow && o.succeeded())
                .filter_map(|o| o.title.as_deref()),
        );
        if titles.is_empty() {
            return false;
        }
        self.visit.also_asked = true;
        let request = JournalRequest::BorrowedTogether {
            titles,
            min_sessions,
        };
        self.request(request, Some(Waiting::AlsoBorrowed(finishing)), fx);
        true
    }

    /// The suggestion is a courtesy: without an answer the reader finishes as before.
    pub(super) fn also_borrowed_replied(
        &mut self,
        finishing: Finishing,
        reply: IlsReply,
        fx: &mut Vec<Effect>,
    ) {
        match reply {
            Ok(IlsAnswer::AlsoBorrowed(suggestion)) => self.visit.also_borrowed = suggestion,
            other => tracing::warn!(?other, "no answer about books borrowed together"),
        }
        self.complete_finish(finishing, fx);
    }
}
