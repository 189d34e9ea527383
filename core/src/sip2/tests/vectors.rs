//! Every checksum vector of refs/sip2.md, and the exact bytes the encoder writes for them.

use super::*;
use crate::circ::types::Pin;
use crate::secret::Secret;
use requests::*;

const CHECKOUT_BODY: &str =
    "11YN20140408    105635                  AOSM|AAE221976|AB0697478|AC|CH|AD|BOY|BIN|AY6AZ";

#[test]
fn checksums_of_the_reference_vectors() {
    let vectors: [(&str, u16); 6] = [
        ("990 402.00AY1AZ", 0xFCB4),
        ("9900401.00AY1AZ", 0xFCA5),
        ("9300CNuser_id|COpassw0rd|AY1AZ", 0xF594),
        ("941AY0AZ", 0xFDFD),
        ("97AZ", 0xFEF5),
        ("96AZ", 0xFEF6),
    ];
    for (text, expected) in vectors {
        assert_eq!(checksum(text.as_bytes()), expected, "{text}");
    }
    assert_eq!(checksum(CHECKOUT_BODY.as_bytes()), 0xEBA0);
}

#[test]
fn a_wrong_checksum_is_rejected() {
    let framing = ed(Charset::Utf8);
    let good = decode_request(b"9300CNuser_id|COpassw0rd|AY1AZF594\r", &framing).unwrap();
    assert_eq!(good.checksum, ChecksumCheck::Bytes);
    let bad = decode_request(b"9300CNuser_id|COpassw0rd|AY1AZF595\r", &framing);
    assert_eq!(
        bad,
        Err(DecodeError::BadChecksum {
            expected: 0xF594,
            found: 0xF595
        })
    );
}

#[test]
fn the_encoder_writes_the_reference_messages_byte_for_byte() {
    let framing = ed(Charset::Utf8);
    let login = Request::Login(Login {
        user: "user_id".into(),
        password: Secret::new("passw0rd"),
        location: None,
    });
    assert_eq!(
        encode_request(&login, 1, &framing).unwrap(),
        b"9300CNuser_id|COpassw0rd|AY1AZF594\r"
    );

    let status = Request::ScStatus(ScStatus {
        status: 0,
        max_print_width: 40,
        protocol_version: "1.00".into(),
    });
    assert_eq!(
        encode_request(&status, 1, &framing).unwrap(),
        b"9900401.00AY1AZFCA5\r"
    );

    let checkout = Request::Checkout(CheckoutRequest {
        sc_renewal_policy: true,
        no_block: false,
        date: at(2014, 4, 8, 10, 56, 35),
        nb_due_date: None,
        terminal: Terminal {
            institution: "SM".into(),
            terminal_password: Some(Secret::new("")),
        },
        patron: "E221976".into(),
        item: "0697478".into(),
        item_properties: Some(String::new()),
        patron_password: Some(Pin::new("")),
        fee_acknowledged: Some(true),
        cancel: Some(false),
    });
    let expected = format!("{CHECKOUT_BODY}EBA0\r");
    assert_eq!(
        encode_request(&checkout, 6, &framing).unwrap(),
        expected.as_bytes()
    );

    let login_ok = Reply::Login { ok: true };
    assert_eq!(
        encode_reply(&login_ok, Some(0), &framing).unwrap(),
        b"941AY0AZFDFD\r"
    );
    assert_eq!(
        encode_request(&Request::ResendLastReply, 3, &framing).unwrap(),
        b"97AZFEF5\r"
    );
    assert_eq!(
        encode_reply(&Reply::ResendLastRequest, None, &framing).unwrap(),
        b"96AZFEF6\r"
    );
}

#[test]
fn the_reference_messages_decode() {
    let framing = ed(Charset::Utf8);
    let status = decode_request(b"990 402.00AY1AZFCB4\r", &framing).unwrap();
    assert_eq!(status.sequence, Some(1));
    assert_eq!(
        status.message,
        Request::ScStatus(ScStatus {
            status: 0,
            max_print_width: 40,
            protocol_version: "2.00".into()
        })
    );
    let checkout = decode_request(format!("{CHECKOUT_BODY}EBA0\r").as_bytes(), &framing).unwrap();
    let Request::Checkout(checkout) = checkout.message else {
        panic!("not a checkout");
    };
    assert_eq!(checkout.patron, "E221976");
    assert_eq!(checkout.item, "0697478");
    assert_eq!(checkout.date, at(2014, 4, 8, 10, 56, 35));
    assert!(checkout.sc_renewal_policy && !checkout.no_block);
    assert_eq!(checkout.fee_acknowledged, Some(true));
    assert_eq!(
        decode_reply(b"941AY0AZFDFD\r", &framing).unwrap().message,
        Reply::Login { ok: true }
    );
    assert_eq!(
        decode_reply(b"96AZFEF6\r", &framing).unwrap().message,
        Reply::ResendLastRequest
    );
}
