//! One-tap satisfaction (满意度): the question the goodbye screen asks, and the anonymous record
//! a tap leaves. Ignoring the question costs the reader nothing and records nothing.

use super::screen::Language;
use serde::{Deserialize, Serialize};

/// How a library asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SatisfactionPolicy {
    pub enabled: bool,
    /// Asked on one visit in this many (1: every visit).
    pub every: u32,
}

impl Default for SatisfactionPolicy {
    fn default() -> Self {
        SatisfactionPolicy {
            enabled: false,
            every: 1,
        }
    }
}

/// The faces run from 1 (unhappy) to this.
pub const TOP_SCORE: u8 = 5;
/// Scores up to this are low: the reader may say why.
pub const LOW_SCORE: u8 = 2;

/// Why a visit went badly, as a low score's chips offer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LowScoreReason {
    /// Could not find a book.
    BookNotFound,
    /// The machine did not read a book.
    NotRead,
    TooSlow,
    NeededStaff,
    Other,
}

impl LowScoreReason {
    pub const ALL: [LowScoreReason; 5] = [
        LowScoreReason::BookNotFound,
        LowScoreReason::NotRead,
        LowScoreReason::TooSlow,
        LowScoreReason::NeededStaff,
        LowScoreReason::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            LowScoreReason::BookNotFound => "book_not_found",
            LowScoreReason::NotRead => "not_read",
            LowScoreReason::TooSlow => "too_slow",
            LowScoreReason::NeededStaff => "needed_staff",
            LowScoreReason::Other => "other",
        }
    }
}

/// What kind of visit it was: the first thing the reader did with books, else the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitKind {
    Borrow,
    Return,
    Renew,
    Account,
}

impl VisitKind {
    pub fn code(self) -> &'static str {
        match self {
            VisitKind::Borrow => "borrow",
            VisitKind::Return => "return",
            VisitKind::Renew => "renew",
            VisitKind::Account => "account",
        }
    }
}

/// What a tap leaves: how the visit went and what the reader thought of it. No reader, card,
/// item, title or exact time: the journal files it under the hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rating {
    pub kind: VisitKind,
    pub borrowed: u32,
    pub returned: u32,
    pub renewed: u32,
    pub refused: u32,
    pub language: Language,
    pub score: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<LowScoreReason>,
}

/// The question as the goodbye screen shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RatingAsk {
    /// The face the reader tapped, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<u8>,
    /// A low score was tapped: the reasons are offered.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub reasons_offered: bool,
    /// Recorded: the screen thanks the reader.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub thanked: bool,
}
