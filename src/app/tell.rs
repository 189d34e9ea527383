//! What the reader is told, in their language, for the text front-ends (the headless output,
//! the transcript): the core's one catalogue (`circ::messages`) through the same translation
//! files the touchscreen bundles (`ui/translations`), so every front-end says the same.

use crate::circ::Language;
use crate::circ::messages::{self, Notice};
use crate::circ::reason::Reason;
use crate::circ::types::ReturnRoute;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The zh-CN translations, as the touchscreen has them bundled.
const ZH_CN_PO: &str = include_str!("../../ui/translations/zh_CN/LC_MESSAGES/kiosk.po");

/// A reason's message in `language`.
pub fn reason(reason: &Reason, language: Language) -> String {
    notice(&reason.notice(), language)
}

/// The message for a code and its numbers and words, in `language`.
pub fn notice(notice: &Notice, language: Language) -> String {
    messages::tell(notice, &|text| translate(text, language))
}

/// Where a returned book goes, in `language`.
pub fn route(route: &ReturnRoute, to_slot: bool, language: Language) -> String {
    messages::tell_route(route, to_slot, &|text| translate(text, language))
}

/// `text` (an English message) in `language`; English when no translation is there.
pub fn translate(text: &str, language: Language) -> String {
    match language {
        Language::En => text.to_owned(),
        Language::ZhCn => zh_cn()
            .get(text)
            .filter(|t| !t.is_empty())
            .cloned()
            .unwrap_or_else(|| text.to_owned()),
    }
}

fn zh_cn() -> &'static HashMap<String, String> {
    static TABLE: OnceLock<HashMap<String, String>> = OnceLock::new();
    TABLE.get_or_init(|| parse_po(ZH_CN_PO))
}

/// A gettext `.po` file's `msgid` → `msgstr` pairs (single-line entries, as ours are written;
/// the header entry is skipped).
pub fn parse_po(text: &str) -> HashMap<String, String> {
    let mut entries = HashMap::new();
    let mut id = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("msgid ") {
            id = quoted(rest);
        } else if let Some(rest) = line.strip_prefix("msgstr ")
            && let (Some(msgid), Some(msgstr)) = (id.take(), quoted(rest))
            && !msgid.is_empty()
        {
            entries.insert(msgid, msgstr);
        }
    }
    entries
}

/// The contents of a `"…"` string with C escapes.
fn quoted(text: &str) -> Option<String> {
    let inner = text.trim().strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            other => out.push(other),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn po_entries_are_read_with_their_escapes() {
        let po = parse_po(
            "msgid \"\"\nmsgstr \"Language: zh_CN\\n\"\n\nmsgid \"Say \\\"hi\\\"\"\nmsgstr \"说\\\"你好\\\"\"\n",
        );
        assert_eq!(po.len(), 1, "the header is not a message");
        assert_eq!(po["Say \"hi\""], "说\"你好\"");
    }

    #[test]
    fn a_reason_is_told_in_the_readers_language() {
        let wrong = Reason::WrongPin { tries_left: 2 };
        assert_eq!(
            reason(&wrong, Language::En),
            "Wrong PIN. 2 tries left before this card is locked."
        );
        assert_eq!(
            reason(&wrong, Language::ZhCn),
            "密码错误。再错 2 次此证将被锁定。"
        );
    }
}
