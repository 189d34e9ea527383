//! Decoding what real ACSes send: terminators, escapes, unknown and repeated fields, charsets.

use super::*;
use replies::*;

const DATE: &str = "20261129    103000";

fn reply(text: &str, charset: Charset) -> Result<Received<Reply>, DecodeError> {
    decode_reply(&with_checksum(text, charset), &ed(charset))
}

#[test]
fn cr_crlf_and_a_stray_lf_all_end_a_message() {
    let framing = ed(Charset::Utf8);
    for bytes in [
        &b"941AY0AZFDFD\r"[..],
        b"941AY0AZFDFD\r\n",
        b"\n941AY0AZFDFD\r",
        b"941AY0AZFDFD",
    ] {
        let got = decode_reply(bytes, &framing).unwrap();
        assert_eq!(got.message, Reply::Login { ok: true }, "{bytes:?}");
        assert_eq!(got.sequence, Some(0));
    }
}

#[test]
fn escaped_bars_unknown_fields_and_any_order() {
    let text = format!(
        "120NUN{DATE}ZZvendor field|AJCats &#124; Dogs|AB3023|AOMAIN|XY|AApatron|AHnot for you|AFItem is on hold|AY2AZ"
    );
    let Reply::Checkout(m) = reply(&text, Charset::Utf8).unwrap().message else {
        panic!("not a checkout reply");
    };
    assert!(!m.ok);
    assert_eq!(m.title, "Cats | Dogs");
    assert_eq!(m.item, "3023");
    assert_eq!(m.institution, "MAIN");
    assert_eq!(m.messages.screen, vec!["Item is on hold".to_string()]);
}

#[test]
fn optional_fields_may_be_missing_and_the_final_bar_too() {
    let text = format!("121NNY{DATE}AOMAIN|AB3023|AH20261227    235900");
    let got = decode_reply(
        format!("{text}\r").as_bytes(),
        &Framing {
            error_detection: false,
            ..ed(Charset::Utf8)
        },
    )
    .unwrap();
    assert_eq!(got.checksum, ChecksumCheck::Absent);
    let Reply::Checkout(m) = got.message else {
        panic!("not a checkout reply");
    };
    assert!(m.ok);
    assert_eq!(m.title, "");
    assert_eq!(m.due_date.as_deref(), Some("20261227    235900"));
    assert_eq!(m.patron, "");
}

#[test]
fn repeated_item_lists_keep_their_order() {
    let text = format!(
        "64              001{DATE}000200000003000100000000AOMAIN|AAP1|AEAlice|BLY|CQY|\
         AUitem-1|AUitem-2|AUitem-3|ASheld-b|ASheld-a|AVfine 2.50|AFline one|AFline two|AY4AZ"
    );
    let Reply::PatronInformation(m) = reply(&text, Charset::Utf8).unwrap().message else {
        panic!("not patron information");
    };
    assert_eq!(m.items.charged, ["item-1", "item-2", "item-3"]);
    assert_eq!(m.items.hold, ["held-b", "held-a"]);
    assert_eq!(m.items.fine, ["fine 2.50"]);
    assert_eq!(
        m.counts,
        [Some(2), Some(0), Some(3), Some(1), Some(0), Some(0)]
    );
    assert_eq!(
        m.messages.screen_text().as_deref(),
        Some("line one line two")
    );
    assert_eq!((m.valid_patron, m.valid_password), (Some(true), Some(true)));
}

#[test]
fn utf8_titles_with_accents_and_chinese() {
    let text =
        format!("121NNY{DATE}AOMAIN|AAP1|AB3023|AJ三体 · Café crème|AH2026-12-27 23:59:00|AY1AZ");
    let got = reply(&text, Charset::Utf8).unwrap();
    assert_eq!(got.checksum, ChecksumCheck::Bytes);
    let Reply::Checkout(m) = got.message else {
        panic!("not a checkout reply");
    };
    assert_eq!(m.title, "三体 · Café crème");
    assert_eq!(
        date::parse_due(m.due_date.as_deref().unwrap()).at,
        Some(at(2026, 12, 27, 23, 59, 0))
    );
}

#[test]
fn gb18030_titles_keep_their_bars_and_round_trip() {
    // 億 is 83 7C in GB18030: its second byte is '|', which must not split the title.
    let text = format!("121NNY{DATE}AOMAIN|AB3023|AJ億萬富翁 三体|AH20261227    235900|AY1AZ");
    let bytes = with_checksum(&text, Charset::Gb18030);
    assert!(bytes.windows(2).any(|w| w == [0x83, 0x7C]));
    let framing = ed(Charset::Gb18030);
    let got = decode_reply(&bytes, &framing).unwrap();
    assert_eq!(got.checksum, ChecksumCheck::Bytes);
    let Reply::Checkout(m) = &got.message else {
        panic!("not a checkout reply");
    };
    assert_eq!(m.title, "億萬富翁 三体");
    let again = encode_reply(&got.message, got.sequence, &framing).unwrap();
    assert_eq!(decode_reply(&again, &framing).unwrap().message, got.message);
}

#[test]
fn cp850_titles_with_accents() {
    let text = format!("121NNY{DATE}AOMAIN|AB3023|AJMüller: Ångström, Señor|AY1AZ");
    let bytes = with_checksum(&text, Charset::Cp850);
    assert!(bytes.contains(&0x81), "ü is 0x81 in cp850");
    let Reply::Checkout(m) = decode_reply(&bytes, &ed(Charset::Cp850)).unwrap().message else {
        panic!("not a checkout reply");
    };
    assert_eq!(m.title, "Müller: Ångström, Señor");
}

#[test]
fn a_checksum_over_code_points_is_accepted_and_told_apart() {
    let text = format!("121NNY{DATE}AOMAIN|AB3023|AJ活着|AY1AZ");
    let code_points = text
        .chars()
        .fold(0u16, |acc, c| acc.wrapping_add(u32::from(c) as u16));
    let wire = format!("{text}{:04X}\r", code_points.wrapping_neg());
    let got = decode_reply(wire.as_bytes(), &ed(Charset::Utf8)).unwrap();
    assert_eq!(got.checksum, ChecksumCheck::CodePoints);
    // The same message with the byte sum verifies as bytes.
    assert_eq!(
        reply(&text, Charset::Utf8).unwrap().checksum,
        ChecksumCheck::Bytes
    );
}

#[test]
fn malformed_replies_are_errors_not_panics() {
    let framing = ed(Charset::Utf8);
    assert_eq!(decode_reply(b"\r\n", &framing), Err(DecodeError::Empty));
    assert!(matches!(
        decode_reply(b"HELLO\r", &framing),
        Err(DecodeError::NotSip2(_))
    ));
    assert_eq!(
        decode_reply(b"55\r", &framing),
        Err(DecodeError::UnknownCode("55".into()))
    );
    assert!(matches!(
        decode_reply(b"12YN\r", &framing),
        Err(DecodeError::Truncated { .. })
    ));
    let bad_flag = format!("12XNUN{DATE}AOMAIN|");
    assert!(matches!(
        decode_reply(bad_flag.as_bytes(), &framing),
        Err(DecodeError::BadFixedField { field: "ok", .. })
    ));
}

#[test]
fn values_cannot_inject_fields_or_end_the_message() {
    let framing = ed(Charset::Utf8);
    let mut frame = Frame::new("17");
    frame.fixed.push(DATE.into());
    frame
        .fields
        .push(("AB".into(), "3023|AAsomeone-else".into()));
    let bytes = frame.encode(&framing).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.contains("AB3023&#124;AAsomeone-else|"), "{text}");
    let Request::ItemInformation(m) = decode_request(&bytes, &framing).unwrap().message else {
        panic!("not item information");
    };
    assert_eq!(
        m.item, "3023|AAsomeone-else",
        "the value survives, as one field"
    );
    frame.fields[0].1 = "3023\r99".into();
    assert_eq!(
        frame.encode(&framing),
        Err(EncodeError::ForbiddenChar { field: "AB".into() })
    );
}

/// Found by the `sip2_request` fuzzer: an SC status whose protocol version ends "AY" and a
/// digit, sent without error detection, lost that tail as a sequence number and no longer
/// decoded after one round trip.
#[test]
fn ay_and_a_digit_inside_the_fixed_fields_is_data_not_a_sequence_number() {
    let framing = Framing {
        error_detection: false,
        charset: Charset::Utf8,
        terminator: Terminator::Cr,
    };
    let data = b"9900216AY77777777777777777777777777777777777777777777777ZFCA3\r";
    let received = decode_request(data, &framing).unwrap();
    let bytes = encode_request(&received.message, 0, &framing).unwrap();
    assert_eq!(bytes, b"9900216AY7\r");
    let again = decode_request(&bytes, &framing).unwrap();
    assert_eq!(again.message, received.message);
    assert_eq!(again.sequence, None);
}
