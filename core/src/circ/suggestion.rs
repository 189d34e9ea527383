//! Feedback and purchase suggestions (意见反馈 / 读者荐购): what a reader leaves for the library
//! at the kiosk. Anonymous unless the reader asks for a reply.

use super::screen::Language;
use super::types::PatronId;
use crate::isbn::Isbn;
use serde::{Deserialize, Serialize};

/// The one-tap topics of feedback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackTopic {
    /// The machine did not work.
    MachineNotWorking,
    /// A book is missing from the shelf.
    BookMissing,
    Praise,
    Other,
}

impl FeedbackTopic {
    pub const ALL: [FeedbackTopic; 4] = [
        FeedbackTopic::MachineNotWorking,
        FeedbackTopic::BookMissing,
        FeedbackTopic::Praise,
        FeedbackTopic::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            FeedbackTopic::MachineNotWorking => "machine_not_working",
            FeedbackTopic::BookMissing => "book_missing",
            FeedbackTopic::Praise => "praise",
            FeedbackTopic::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<FeedbackTopic> {
        FeedbackTopic::ALL.into_iter().find(|t| t.code() == code)
    }
}

/// What the reader suggests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Suggested {
    /// A book for the library to buy.
    Purchase {
        isbn: Isbn,
    },
    Feedback {
        topic: FeedbackTopic,
    },
}

/// A suggestion as the session hands it to the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    #[serde(flatten)]
    pub suggested: Suggested,
    /// Only when the reader asked the library to reply (and only for this suggestion).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patron: Option<PatronId>,
    pub language: Language,
}

/// The suggestions page as the screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct SuggestView {
    /// An ISBN read, waiting for the reader to confirm it (13 digits).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub isbn: Option<String>,
    /// Suggestions handed to the library in this visit.
    pub sent: u32,
    /// A signed-in reader may ask the library to reply.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub reply_offered: bool,
    /// … and asked.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub reply_wanted: bool,
}
