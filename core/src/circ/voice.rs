//! Spoken prompts (语音提示): what the kiosk says aloud as the screen changes — each step's
//! prompt, each refusal, the goodbye — for readers who do not read the screen (the elderly,
//! children, readers with low vision). Decided here from two screens, purely; the shell plays
//! the clip named, and cuts it when the next one comes or the reader moves on.
//!
//! Clips are named by id: a step's prompt ([`PROMPTS`]) or a refusal's code (the reason codes of
//! [`super::messages::REASONS`]). Each has a spoken text in English, translated like every other
//! string; the default recordings are made from these texts (README, "Spoken prompts").

use super::effect::ItemResult;
use super::messages::REASONS;
use super::screen::{Page, Screen};

/// What the kiosk says at each step, by clip id.
pub const PROMPTS: &[(&str, &str)] = &[
    (
        "show_card",
        "Please place your library card on the reader, or show your e-card QR code.",
    ),
    ("enter_pin", "Please enter your PIN."),
    ("choose_service", "Please choose what you would like to do."),
    (
        "place_books",
        "Please place your books on the reader. A stack is fine.",
    ),
    (
        "place_returns",
        "Please place the books you are returning on the reader.",
    ),
    ("choose_renewals", "Please choose the loans to renew."),
    ("your_account", "Here are your loans, holds and fines."),
    ("choose_receipt", "Would you like a receipt?"),
    (
        "goodbye",
        "Thank you. Please take your card and your books. Goodbye!",
    ),
    (
        "suggest",
        "Please scan the book's ISBN, or choose what your feedback is about.",
    ),
    (
        "still_there",
        "Are you still there? Please touch the screen to continue.",
    ),
];

/// Spoken forms of the refusals whose written text carries a number or a name: a clip says
/// the same without it (the screen shows the figure).
pub const SPOKEN_REFUSALS: &[(&str, &str)] = &[
    ("wrong_pin", "Wrong PIN. Please try again."),
    (
        "card_locked",
        "Too many wrong PINs: this card is locked for now. Please ask staff.",
    ),
    (
        "patron_blocked",
        "You cannot borrow at the moment. You can still return books. Please ask staff.",
    ),
    (
        "session_limit",
        "You have reached the number of items per visit at this machine.",
    ),
    (
        "missing_parts",
        "Part of this item is missing. Please place all its parts together.",
    ),
    (
        "offline_limit",
        "While the library system is unavailable, you have reached the number of items per visit.",
    ),
];

/// What to do with the voice when the screen changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speech {
    /// Say this clip (cutting whatever is being said).
    Say(&'static str),
    /// Stop talking: the reader moved on to a page with nothing to say.
    Hush,
}

/// Every clip id, prompts first: each must have a recording in every language.
pub fn clip_ids() -> impl Iterator<Item = &'static str> {
    PROMPTS
        .iter()
        .map(|(id, _)| *id)
        .chain(REASONS.iter().map(|m| m.code))
}

/// The English text a clip says.
pub fn spoken_text(id: &str) -> Option<&'static str> {
    let find = |table: &'static [(&str, &str)]| {
        table
            .iter()
            .find(|(clip, _)| *clip == id)
            .map(|(_, text)| *text)
    };
    find(PROMPTS)
        .or_else(|| find(SPOKEN_REFUSALS))
        .or_else(|| REASONS.iter().find(|m| m.code == id).map(|m| m.text))
}

/// The prompt of a page; `None` for pages that say nothing (the attract loop, a brief wait).
fn page_prompt(page: Page) -> Option<&'static str> {
    Some(match page {
        Page::Idle | Page::Checking | Page::OutOfService => return None,
        Page::Pin => "enter_pin",
        Page::Menu => "choose_service",
        Page::Borrow => "place_books",
        Page::Return => "place_returns",
        Page::Renew => "choose_renewals",
        Page::Account => "your_account",
        Page::Receipt => "choose_receipt",
        Page::Goodbye => "goodbye",
        Page::Suggest => "suggest",
    })
}

/// What is said as the screen goes from `before` to `after` (nothing before the first screen).
/// A refusal wins over the page's prompt: a refused book, a new notice. Then the inactivity
/// warning, then a new page's prompt (or silence, cutting the last prompt short). A language
/// switched by a reader says the page again in the new language — on the attract screen, the
/// card prompt, since someone is there.
pub fn speech(before: Option<&Screen>, after: &Screen) -> Option<Speech> {
    let before = before?;
    let newly_refused = after
        .items
        .iter()
        .rev()
        .find_map(|item| match &item.result {
            ItemResult::Refused { reason } => {
                let known = before.items.iter().any(|b| {
                    b.item == item.item && b.action == item.action && b.result == item.result
                });
                (!known).then(|| reason.code())
            }
            _ => None,
        });
    if let Some(code) = newly_refused {
        return Some(Speech::Say(code));
    }
    let notice = |s: &Screen| s.notice.as_ref().map(|n| n.reason.code());
    if let Some(code) = notice(after)
        && notice(before) != Some(code)
    {
        return Some(Speech::Say(code));
    }
    if after.timeout_warning.is_some() && before.timeout_warning.is_none() {
        return Some(Speech::Say("still_there"));
    }
    if after.page != before.page {
        return Some(page_prompt(after.page).map_or(Speech::Hush, Speech::Say));
    }
    if after.language != before.language {
        return Some(Speech::Say(page_prompt(after.page).unwrap_or("show_card")));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn clip_ids_are_unique_and_each_has_a_spoken_text_without_placeholders() {
        let mut seen = HashSet::new();
        for id in clip_ids() {
            assert!(seen.insert(id), "{id} twice");
            let text = spoken_text(id).unwrap_or_else(|| panic!("{id} has no text"));
            assert!(!text.contains("{}"), "{id}: {text}");
        }
        for (id, _) in SPOKEN_REFUSALS {
            assert!(REASONS.iter().any(|m| m.code == *id), "{id} is no refusal");
        }
    }
}
