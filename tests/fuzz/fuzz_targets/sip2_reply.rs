//! Whatever an ACS (or anything on the line) sends as a reply: decoding never panics, in any
//! charset, with or without error detection, whatever the terminator; a reply that decodes
//! encodes again into a frame whose checksum is right and which decodes to the same message.
#![no_main]

use kiosk_core::sip2::{
    Charset, ChecksumCheck, Framing, Terminator, checksum, decode_reply, encode_reply,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for charset in [
        Charset::Utf8,
        Charset::Cp850,
        Charset::Latin1,
        Charset::Gb18030,
    ] {
        for error_detection in [true, false] {
            for terminator in [Terminator::Cr, Terminator::Crlf, Terminator::Lf] {
                let framing = Framing {
                    error_detection,
                    charset,
                    terminator,
                };
                let Ok(received) = decode_reply(data, &framing) else {
                    continue;
                };
                let Ok(bytes) = encode_reply(&received.message, received.sequence, &framing) else {
                    continue;
                };
                let again = decode_reply(&bytes, &framing).expect("an encoded reply decodes");
                assert_eq!(again.message, received.message, "decode ∘ encode");
                if error_detection {
                    assert_eq!(
                        again.checksum,
                        ChecksumCheck::Bytes,
                        "the encoder sums the bytes"
                    );
                    // The checksum is the last four characters before the terminator.
                    let end = bytes.len() - terminator_len(terminator);
                    let given = std::str::from_utf8(&bytes[end - 4..end]).expect("hex digits");
                    let sum = u16::from_str_radix(given, 16).expect("hex digits");
                    assert_eq!(sum, checksum(&bytes[..end - 4]));
                }
            }
        }
    }
});

fn terminator_len(terminator: Terminator) -> usize {
    match terminator {
        Terminator::Cr | Terminator::Lf => 1,
        Terminator::Crlf => 2,
    }
}
