//! A configuration file as a technician (or a broken deployment) leaves it: parsing and
//! checking never panic, and a refusal says what is wrong.
#![no_main]

use kiosk::config::Config;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(error) = Config::parse(text, Path::new("/nonexistent/kiosk.toml")) {
        assert!(!error.to_string().is_empty());
    }
});
