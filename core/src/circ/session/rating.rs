//! The satisfaction question on the goodbye screen: asked on the configured share of visits,
//! answered with one tap (and, for a low score, an optional reason), recorded once and
//! anonymously, or not at all when the reader walks away.

use super::{Phase, Session};
use crate::circ::effect::Effect;
use crate::circ::ils_io::JournalRequest;
use crate::circ::satisfaction::{
    LOW_SCORE, LowScoreReason, Rating, RatingAsk, TOP_SCORE, VisitKind,
};
use crate::circ::screen::Summary;

/// The question being asked of the reader who just finished.
#[derive(Debug, Clone, Copy)]
pub(super) struct Asking {
    kind: VisitKind,
    summary: Summary,
    /// A low score tapped, waiting for a reason (or the end of the goodbye screen).
    low_score: Option<u8>,
    recorded: bool,
}

impl Asking {
    pub(super) fn ask(&self) -> RatingAsk {
        RatingAsk {
            score: self.low_score,
            reasons_offered: self.low_score.is_some() && !self.recorded,
            thanked: self.recorded,
        }
    }
}

impl Session {
    /// At the goodbye screen: whether this visit is one the library asks about.
    pub(super) fn maybe_ask(&mut self, kind: VisitKind, summary: Summary) {
        let policy = self.policy.satisfaction;
        if !policy.enabled {
            return;
        }
        self.visits_ended += 1;
        if self
            .visits_ended
            .is_multiple_of(u64::from(policy.every.max(1)))
        {
            self.visit.asking = Some(Asking {
                kind,
                summary,
                low_score: None,
                recorded: false,
            });
        }
    }

    pub(super) fn rated(&mut self, score: u8, fx: &mut Vec<Effect>) {
        if self.phase != Phase::Goodbye || !(1..=TOP_SCORE).contains(&score) {
            tracing::debug!(score, "a rating with no question asked, or off the scale");
            return;
        }
        let Some(asking) = self.visit.asking.as_mut().filter(|a| !a.recorded) else {
            return;
        };
        if score <= LOW_SCORE {
            // Time to say why, if the reader wants to; recorded when they do or leave.
            asking.low_score = Some(score);
            self.timers.goodbye_until = Some(self.now + self.policy.goodbye);
        } else {
            self.record_rating(score, None, fx);
        }
    }

    pub(super) fn rating_reason(&mut self, reason: LowScoreReason, fx: &mut Vec<Effect>) {
        let score = self
            .visit
            .asking
            .filter(|a| !a.recorded)
            .and_then(|a| a.low_score);
        if let Some(score) = score.filter(|_| self.phase == Phase::Goodbye) {
            self.record_rating(score, Some(reason), fx);
        }
    }

    /// The reader leaves the goodbye screen (it times out, or someone starts a visit): a low
    /// score already tapped is recorded without a reason; an unanswered question, not at all.
    pub(super) fn close_rating(&mut self, fx: &mut Vec<Effect>) {
        let pending = self
            .visit
            .asking
            .filter(|a| !a.recorded)
            .and_then(|a| a.low_score);
        if let Some(score) = pending {
            self.record_rating(score, None, fx);
        }
        self.visit.asking = None;
    }

    fn record_rating(&mut self, score: u8, reason: Option<LowScoreReason>, fx: &mut Vec<Effect>) {
        let Some(asking) = self.visit.asking.as_mut() else {
            return;
        };
        asking.recorded = true;
        let summary = asking.summary;
        let rating = Rating {
            kind: asking.kind,
            borrowed: summary.borrowed,
            returned: summary.returned,
            renewed: summary.renewed,
            refused: summary.refused,
            language: self.language,
            score,
            reason,
        };
        self.request(JournalRequest::Rating { rating }, None, fx);
    }
}
