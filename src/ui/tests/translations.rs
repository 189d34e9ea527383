//! Every string a reader can see goes through `@tr` and has a zh-CN translation.

use std::collections::BTreeMap;
use std::path::Path;

fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The string literal starting at `text` (just after its opening quote), and what follows it.
fn literal(text: &str) -> Option<(String, &str)> {
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return Some((unescape(&text[..i]), &text[i + 1..])),
            _ => escaped = false,
        }
    }
    None
}

fn tr_strings() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "slint") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let mut rest = text.as_str();
        while let Some(at) = rest.find("@tr(\"") {
            let (string, after) = literal(&rest[at + 5..]).expect("a closed @tr string");
            found.push((
                path.file_name().unwrap().to_string_lossy().into_owned(),
                string,
            ));
            rest = after;
        }
    }
    found
}

fn po(language: &str) -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("ui/translations")
        .join(language)
        .join("LC_MESSAGES/kiosk.po");
    let text = std::fs::read_to_string(path).unwrap();
    let mut entries = BTreeMap::new();
    let mut id = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("msgid \"") {
            id = literal(rest).map(|(s, _)| s);
        } else if let Some(rest) = line.strip_prefix("msgstr \"")
            && let (Some(msgid), Some((msgstr, _))) = (id.take(), literal(rest))
        {
            entries.insert(msgid, msgstr);
        }
    }
    entries
}

#[test]
fn every_reader_string_has_a_chinese_translation() {
    let strings = tr_strings();
    assert!(
        strings.len() > 100,
        "found only {} @tr strings",
        strings.len()
    );
    let zh = po("zh_CN");
    let missing: Vec<&(String, String)> = strings
        .iter()
        .filter(|(_, s)| zh.get(s).is_none_or(|t| t.is_empty()))
        .collect();
    assert!(missing.is_empty(), "no zh-CN translation for: {missing:#?}");
    // The translation keeps each placeholder.
    for (_, s) in &strings {
        let wanted = s.matches("{}").count();
        assert_eq!(zh[s].matches("{}").count(), wanted, "placeholders of {s:?}");
    }
}

#[test]
fn every_reason_code_of_the_session_has_a_message() {
    // The codes the session machine can give, as the headless protocol prints them.
    let source =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/strings.slint"))
            .unwrap();
    let reasons = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("core/src/circ/reason.rs"),
    )
    .unwrap();
    let enum_body = &reasons[reasons.find("pub enum Reason {").unwrap()..];
    let enum_body = &enum_body[..enum_body.find("\n}").unwrap()];
    let mut codes = Vec::new();
    for line in enum_body.lines() {
        let line = line.trim();
        let name: String = line
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        if name.is_empty() || !name.chars().next().unwrap().is_ascii_uppercase() {
            continue;
        }
        // PascalCase to snake_case, as serde writes the code.
        let mut code = String::new();
        for (i, c) in name.chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                code.push('_');
            }
            code.push(c.to_ascii_lowercase());
        }
        codes.push(code);
    }
    assert!(codes.len() > 30, "{codes:?}");
    let missing: Vec<&String> = codes
        .iter()
        .filter(|c| !source.contains(&format!("code == \"{c}\"")))
        .collect();
    assert!(
        missing.is_empty(),
        "no message for reason codes {missing:?}"
    );
}
