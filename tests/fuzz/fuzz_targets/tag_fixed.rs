//! Whatever an ISO 28560-3 tag's memory holds (a foreign library's tag, a torn write): decoding
//! never panics; what decodes encodes again to memory (with its CRC) that decodes the same.
#![no_main]

use kiosk_core::tag::fixed;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|memory: &[u8]| {
    if let Ok(data) = fixed::decode(memory) {
        let bytes = fixed::encode(&data).expect("decoded tag data encodes");
        assert_eq!(
            fixed::decode(&bytes).expect("re-encoded memory decodes"),
            data
        );
    }
});
