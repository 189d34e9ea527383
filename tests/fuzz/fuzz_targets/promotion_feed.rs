//! A library's RSS, Atom or JSON feed as the kiosk fetches it: parsing never panics, and what
//! it makes fits the attract screen — no more slides than `max_items`, titles of at most 80
//! characters and texts of at most 280 in either language.
#![no_main]

use kiosk::promotion::feed::{FeedSource, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let source: FeedSource =
        serde_json::from_str(r#"{"url": "https://www.library.example.org/events.rss", "max_items": 3}"#)
            .expect("a feed source");
    let Ok(feed) = parse(data, &source) else {
        return;
    };
    assert!(feed.slides.len() <= 3);
    for slide in &feed.slides {
        for title in [&slide.title.en, &slide.title.zh].into_iter().flatten() {
            assert!(title.chars().count() <= 80, "{title}");
        }
        for text in [&slide.text.en, &slide.text.zh].into_iter().flatten() {
            assert!(text.chars().count() <= 280, "{text}");
        }
    }
});
