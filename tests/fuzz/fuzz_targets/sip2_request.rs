//! Whatever a self-check client sends the project's SIP2 server (the simulated ACS): decoding
//! never panics, and a request that decodes encodes again into one that decodes the same.
#![no_main]

use kiosk_core::sip2::{Charset, Framing, Terminator, decode_request, encode_request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for charset in [
        Charset::Utf8,
        Charset::Cp850,
        Charset::Latin1,
        Charset::Gb18030,
    ] {
        for error_detection in [true, false] {
            let framing = Framing {
                error_detection,
                charset,
                terminator: Terminator::Cr,
            };
            let Ok(received) = decode_request(data, &framing) else {
                continue;
            };
            let sequence = received.sequence.unwrap_or(0);
            if let Ok(bytes) = encode_request(&received.message, sequence, &framing) {
                let again = decode_request(&bytes, &framing).expect("an encoded request decodes");
                assert_eq!(again.message, received.message, "decode ∘ encode");
            }
        }
    }
});
