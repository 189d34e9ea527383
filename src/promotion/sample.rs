//! The demo's slides (`ui/promotion-sample/`, built into the binary): unpacked into a temporary
//! folder for as long as the demo runs, so the demo shows the attract loop exactly as a library's
//! own folder would, and leaves nothing behind.

use std::io;

const FILES: [(&str, &[u8]); 8] = [
    (
        "1-story-time.toml",
        include_bytes!("../../ui/promotion-sample/1-story-time.toml"),
    ),
    (
        "2-new-arrivals.toml",
        include_bytes!("../../ui/promotion-sample/2-new-arrivals.toml"),
    ),
    (
        "3-ebooks.toml",
        include_bytes!("../../ui/promotion-sample/3-ebooks.toml"),
    ),
    (
        "4-exam-hours.toml",
        include_bytes!("../../ui/promotion-sample/4-exam-hours.toml"),
    ),
    (
        "5-lecture.toml",
        include_bytes!("../../ui/promotion-sample/5-lecture.toml"),
    ),
    (
        "6-holiday-closures.toml",
        include_bytes!("../../ui/promotion-sample/6-holiday-closures.toml"),
    ),
    (
        "story-time.png",
        include_bytes!("../../ui/promotion-sample/story-time.png"),
    ),
    (
        "new-arrivals.png",
        include_bytes!("../../ui/promotion-sample/new-arrivals.png"),
    ),
];

/// The sample slides in a folder that is removed when the returned value is dropped.
pub fn unpack() -> io::Result<tempfile::TempDir> {
    let dir = tempfile::Builder::new()
        .prefix("kiosk-demo-slides-")
        .tempdir()?;
    for (name, bytes) in FILES {
        std::fs::write(dir.path().join(name), bytes)?;
    }
    Ok(dir)
}
