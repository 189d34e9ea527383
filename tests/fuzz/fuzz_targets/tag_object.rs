//! Whatever an ISO 28560-2 tag's memory holds: parsing its elements and decoding never panic;
//! what decodes encodes again to memory that decodes the same.
#![no_main]

use kiosk_core::tag::object;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|memory: &[u8]| {
    let _ = object::elements(memory);
    if let Ok(data) = object::decode(memory)
        && let Ok(bytes) = object::encode(&data)
    {
        assert_eq!(
            object::decode(&bytes).expect("re-encoded memory decodes"),
            data
        );
    }
});
