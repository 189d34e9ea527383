//! A line of the headless protocol (a script, a test harness, the staff's tools): parsing never
//! panics, and neither a refusal nor what a line becomes repeats a PIN typed on it.
#![no_main]

use kiosk::app::headless::inbound;
use kiosk::app::runtime::Inbound;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // A PIN of five digits or more: too long to turn up in a message by chance (a column
    // number of an input shorter than libFuzzer's 4 096 bytes has at most four).
    let pin = serde_json::from_str::<serde_json::Value>(text.trim())
        .ok()
        .and_then(|v| v.get("pin").and_then(|p| p.as_str()).map(str::to_owned))
        .filter(|p| p.len() >= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    let shown = match inbound(1, text) {
        Some(Inbound::Unreadable { message, .. }) => {
            assert!(!message.is_empty());
            message
        }
        Some(other) => format!("{other:?}"),
        None => return,
    };
    if let Some(pin) = pin {
        assert!(!shown.contains(&pin), "the PIN is repeated: {shown}");
    }
});
