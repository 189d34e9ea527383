//! A slide's picture as the kiosk checks it before the screen shows it (a library's folder or
//! feed brings it): nothing panics, and a picture taken is PNG or JPEG and decodes to no more
//! than `MAX_PIXELS` pixels (4096 × 4096), whatever its header claimed.
#![no_main]

use kiosk::promotion::images::{MAX_PIXELS, check_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((width, height)) = check_bytes(data) {
        assert!(width > 0 && height > 0);
        assert!(u64::from(width) * u64::from(height) <= MAX_PIXELS);
    }
});
