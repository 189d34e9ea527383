//! Whatever an ACS (or an attacker on the line) sends, decoding never panics, and what decodes
//! encodes again into something that decodes to the same message.
#![no_main]

use kiosk::ils::sip2::{Charset, Framing, Terminator, decode_reply, decode_request, encode_reply};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for charset in [Charset::Utf8, Charset::Cp850, Charset::Latin1] {
        for error_detection in [true, false] {
            let framing = Framing {
                error_detection,
                charset,
                terminator: Terminator::Cr,
            };
            let _ = decode_request(data, &framing);
            if let Ok(received) = decode_reply(data, &framing) {
                if let Ok(bytes) = encode_reply(&received.message, received.sequence, &framing) {
                    let again = decode_reply(&bytes, &framing).map(|r| r.message);
                    if charset == Charset::Utf8 {
                        assert_eq!(again.as_ref().ok(), Some(&received.message));
                    }
                }
            }
        }
    }
});
