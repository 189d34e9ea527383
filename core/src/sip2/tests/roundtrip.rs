//! Every message type survives encode → decode; no bytes make the decoder panic.

use super::*;
use crate::circ::types::Pin;
use crate::secret::Secret;
use proptest::prelude::*;
use replies::*;
use requests::*;

fn text() -> impl Strategy<Value = String> {
    // Printable text with accents, Chinese and the bar that must be escaped.
    "[a-zA-Z0-9 .,:'|éü三体-]{0,12}"
}

fn date() -> impl Strategy<Value = NaiveDateTime> {
    (
        2000i32..2060,
        1u32..13,
        1u32..29,
        0u32..24,
        0u32..60,
        0u32..60,
    )
        .prop_map(|(y, mo, d, h, mi, s)| at(y, mo, d, h, mi, s))
}

fn terminal() -> impl Strategy<Value = Terminal> {
    (text(), proptest::option::of(text())).prop_map(|(institution, password)| Terminal {
        institution,
        terminal_password: password.map(Secret::new),
    })
}

fn pin() -> impl Strategy<Value = Option<Pin>> {
    proptest::option::of("[0-9]{0,8}".prop_map(Pin::new))
}

fn request() -> impl Strategy<Value = Request> {
    prop_oneof![
        (text(), text(), proptest::option::of(text())).prop_map(|(user, password, location)| {
            Request::Login(Login {
                user,
                password: Secret::new(password),
                location,
            })
        }),
        (0u8..3, 0u32..1000).prop_map(|(status, max_print_width)| Request::ScStatus(ScStatus {
            status,
            max_print_width,
            protocol_version: "2.00".into()
        })),
        (date(), terminal(), text(), pin()).prop_map(
            |(date, terminal, patron, patron_password)| {
                Request::PatronStatus(PatronStatusRequest {
                    language: "001".into(),
                    date,
                    terminal,
                    patron,
                    patron_password,
                })
            }
        ),
        (
            date(),
            terminal(),
            text(),
            pin(),
            0usize..7,
            proptest::option::of(1u32..99)
        )
            .prop_map(
                |(date, terminal, patron, patron_password, summary, start_item)| {
                    let summaries = [
                        Summary::None,
                        Summary::HoldItems,
                        Summary::OverdueItems,
                        Summary::ChargedItems,
                        Summary::FineItems,
                        Summary::RecallItems,
                        Summary::UnavailableHolds,
                    ];
                    Request::PatronInformation(PatronInformationRequest {
                        language: "019".into(),
                        date,
                        summary: summaries[summary],
                        terminal,
                        patron,
                        patron_password,
                        start_item,
                        end_item: start_item.map(|s| s + 5),
                    })
                }
            ),
        (
            any::<(bool, bool)>(),
            date(),
            proptest::option::of(date()),
            terminal(),
            text(),
            text(),
            pin()
        )
            .prop_map(
                |((renew, no_block), date, nb, terminal, patron, item, patron_password)| {
                    Request::Checkout(CheckoutRequest {
                        sc_renewal_policy: renew,
                        no_block,
                        date,
                        nb_due_date: nb,
                        terminal,
                        patron,
                        item,
                        item_properties: None,
                        patron_password,
                        fee_acknowledged: Some(no_block),
                        cancel: None,
                    })
                }
            ),
        (any::<bool>(), date(), date(), text(), terminal(), text()).prop_map(
            |(no_block, date, return_date, current_location, terminal, item)| {
                Request::Checkin(CheckinRequest {
                    no_block,
                    date,
                    return_date,
                    current_location,
                    terminal,
                    item,
                    item_properties: Some("props".into()),
                    cancel: Some(false),
                })
            }
        ),
        (
            date(),
            terminal(),
            text(),
            pin(),
            proptest::option::of(text())
        )
            .prop_map(|(date, terminal, patron, patron_password, item)| {
                Request::Renew(RenewRequest {
                    third_party_allowed: false,
                    no_block: true,
                    date,
                    nb_due_date: None,
                    terminal,
                    patron,
                    patron_password,
                    item,
                    title: None,
                    item_properties: None,
                    fee_acknowledged: None,
                })
            }),
        (date(), terminal(), text(), pin(), any::<bool>()).prop_map(
            |(date, terminal, patron, patron_password, all)| {
                let m = PatronRequest {
                    date,
                    terminal,
                    patron,
                    patron_password,
                };
                if all {
                    Request::RenewAll(m)
                } else {
                    Request::EndPatronSession(m)
                }
            }
        ),
        (date(), terminal(), text(), text()).prop_map(|(date, terminal, patron, amount)| {
            Request::FeePaid(FeePaidRequest {
                date,
                fee_type: "01".into(),
                payment_type: "02".into(),
                currency: "CNY".into(),
                amount,
                terminal,
                patron,
                patron_password: None,
                fee_id: Some("F1".into()),
                transaction_id: None,
            })
        }),
        (date(), terminal(), text()).prop_map(|(date, terminal, item)| {
            Request::ItemInformation(ItemInformationRequest {
                date,
                terminal,
                item,
            })
        }),
        (date(), terminal(), text(), text()).prop_map(|(date, terminal, item, item_properties)| {
            Request::ItemStatusUpdate(ItemStatusUpdateRequest {
                date,
                terminal,
                item,
                item_properties,
            })
        }),
        Just(Request::ResendLastReply),
    ]
}

fn messages() -> impl Strategy<Value = Messages> {
    (
        proptest::collection::vec(text(), 0..3),
        proptest::collection::vec(text(), 0..2),
    )
        .prop_map(|(screen, print)| Messages { screen, print })
}

fn circulation() -> impl Strategy<Value = CirculationReply> {
    (
        any::<(bool, bool)>(),
        date(),
        text(),
        text(),
        proptest::option::of(text()),
        messages(),
    )
        .prop_map(
            |((ok, renewal_ok), date, item, title, due_date, messages)| CirculationReply {
                ok,
                renewal_ok,
                magnetic_media: Tri::No,
                desensitize: if ok { Tri::Yes } else { Tri::No },
                date: Some(date),
                institution: "MAIN".into(),
                patron: "P1".into(),
                item,
                title,
                due_date: due_date.filter(|d| !d.trim().is_empty()),
                fee_type: None,
                security_inhibit: Some(false),
                currency: Some("CNY".into()),
                fee_amount: None,
                media_type: Some("001".into()),
                item_properties: None,
                transaction_id: Some("T9".into()),
                messages,
            },
        )
}

fn reply() -> impl Strategy<Value = Reply> {
    prop_oneof![
        any::<bool>().prop_map(|ok| Reply::Login { ok }),
        (
            any::<[bool; 6]>(),
            proptest::option::of(0u32..999),
            messages()
        )
            .prop_map(|(flags, timeout, messages)| Reply::AcsStatus(AcsStatus {
                online: flags[0],
                checkin_ok: flags[1],
                checkout_ok: flags[2],
                renewal_policy: flags[3],
                status_update_ok: flags[4],
                offline_ok: flags[5],
                timeout_tenths: timeout,
                retries: Some(3),
                date: None,
                protocol_version: "2.00".into(),
                institution: "MAIN".into(),
                library_name: Some("Library".into()),
                supported_messages: "YYYYYYYYYYYYYYYY".into(),
                terminal_location: None,
                messages,
            })),
        (
            any::<[bool; 14]>(),
            text(),
            proptest::option::of(any::<bool>()),
            messages()
        )
            .prop_map(|(flags, name, valid, messages)| Reply::PatronStatus(
                PatronStatusReply {
                    status: PatronFlags(flags),
                    language: "001".into(),
                    date: None,
                    institution: "MAIN".into(),
                    patron: "P1".into(),
                    personal_name: name,
                    valid_patron: valid,
                    valid_password: valid.map(|v| !v),
                    currency: None,
                    fee_amount: Some("2.50".into()),
                    messages,
                }
            )),
        (
            any::<[bool; 14]>(),
            proptest::collection::vec(text(), 0..4),
            proptest::option::of(text())
        )
            .prop_map(|(flags, charged, email)| Reply::PatronInformation(
                PatronInformationReply {
                    status: PatronFlags(flags),
                    language: "001".into(),
                    date: None,
                    counts: [
                        Some(0),
                        None,
                        Some(charged.len() as u32),
                        Some(0),
                        Some(0),
                        Some(0)
                    ],
                    institution: "MAIN".into(),
                    patron: "P1".into(),
                    personal_name: "Li".into(),
                    hold_items_limit: Some(5),
                    overdue_items_limit: None,
                    charged_items_limit: Some(10),
                    valid_patron: Some(true),
                    valid_password: None,
                    currency: Some("CNY".into()),
                    fee_amount: None,
                    fee_limit: None,
                    items: ItemLists {
                        charged: charged.clone(),
                        hold: charged.into_iter().rev().collect(),
                        ..ItemLists::default()
                    },
                    home_address: None,
                    email: email.filter(|e| !e.trim().is_empty()),
                    phone: None,
                    messages: Messages::default(),
                }
            )),
        circulation().prop_map(Reply::Checkout),
        circulation().prop_map(Reply::Renew),
        (
            any::<(bool, bool)>(),
            text(),
            proptest::option::of(text()),
            messages()
        )
            .prop_map(|((ok, alert), item, sort_bin, messages)| Reply::Checkin(
                CheckinReply {
                    ok,
                    resensitize: ok,
                    magnetic_media: Tri::Unknown,
                    alert,
                    date: None,
                    institution: "MAIN".into(),
                    item,
                    permanent_location: "Stacks".into(),
                    title: Some("T".into()),
                    sort_bin,
                    patron: None,
                    media_type: None,
                    item_properties: None,
                    alert_type: alert.then(|| "01".into()),
                    destination: None,
                    messages,
                }
            )),
        (
            proptest::collection::vec(text(), 0..3),
            proptest::collection::vec(text(), 0..3)
        )
            .prop_map(|(renewed, unrenewed)| Reply::RenewAll(RenewAllReply {
                ok: true,
                renewed_count: Some(renewed.len() as u32),
                unrenewed_count: Some(unrenewed.len() as u32),
                date: None,
                institution: "MAIN".into(),
                renewed,
                unrenewed,
                messages: Messages::default(),
            })),
        any::<bool>().prop_map(|end_session| Reply::EndPatronSession(EndSessionReply {
            end_session,
            date: None,
            institution: "MAIN".into(),
            patron: "P1".into(),
            messages: Messages::default(),
        })),
        any::<bool>().prop_map(|accepted| Reply::FeePaid(FeePaidReply {
            accepted,
            date: None,
            institution: "MAIN".into(),
            patron: "P1".into(),
            transaction_id: None,
            messages: Messages::default(),
        })),
        (1u32..14, text(), proptest::option::of(text())).prop_map(|(status, title, due)| {
            Reply::ItemInformation(ItemInformationReply {
                circulation_status: status,
                security_marker: "02".into(),
                fee_type: "01".into(),
                date: None,
                hold_queue_length: Some(1),
                due_date: due.filter(|d| !d.trim().is_empty()),
                recall_date: None,
                hold_pickup_date: None,
                item: "3023".into(),
                title,
                owner: None,
                currency: None,
                fee_amount: None,
                media_type: None,
                permanent_location: None,
                current_location: None,
                item_properties: None,
                messages: Messages::default(),
            })
        }),
        any::<bool>().prop_map(|ok| Reply::ItemStatusUpdate(ItemStatusUpdateReply {
            ok,
            date: None,
            item: "3023".into(),
            title: None,
            item_properties: None,
            messages: Messages::default(),
        })),
        Just(Reply::ResendLastRequest),
    ]
}

fn framings() -> impl Strategy<Value = Framing> {
    (any::<bool>(), any::<bool>()).prop_map(|(error_detection, crlf)| Framing {
        error_detection,
        charset: Charset::Utf8,
        terminator: if crlf {
            Terminator::Crlf
        } else {
            Terminator::Cr
        },
    })
}

proptest! {
    #[test]
    fn every_request_round_trips(request in request(), sequence in 0u8..10, framing in framings()) {
        let bytes = encode_request(&request, sequence, &framing).unwrap();
        let got = decode_request(&bytes, &framing).unwrap();
        prop_assert_eq!(&got.message, &request);
        if framing.error_detection && request != Request::ResendLastReply {
            prop_assert_eq!(got.sequence, Some(sequence));
            prop_assert_eq!(got.checksum, ChecksumCheck::Bytes);
        }
    }

    #[test]
    fn every_reply_round_trips(reply in reply(), sequence in 0u8..10, framing in framings()) {
        let bytes = encode_reply(&reply, Some(sequence), &framing).unwrap();
        let got = decode_reply(&bytes, &framing).unwrap();
        prop_assert_eq!(&got.message, &reply);
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let framing = Framing::default();
        let _ = decode_request(&bytes, &framing);
        let _ = decode_reply(&bytes, &Framing { charset: Charset::Cp850, ..framing });
        // What decodes, encodes again into the same message (the fuzz target checks the same).
        if let Ok(received) = decode_reply(&bytes, &framing) {
            let again = encode_reply(&received.message, received.sequence, &framing)
                .ok()
                .and_then(|b| decode_reply(&b, &framing).ok())
                .map(|r| r.message);
            prop_assert_eq!(again, Some(received.message));
        }
    }

    #[test]
    fn well_formed_replies_with_junk_values_survive_a_second_trip(
        head in prop::sample::select(vec![
            "121YNU20261129    103000",
            "100YNN20261129    103000",
            "1803020120261129    103000",
            "24 Y            00020261129    103000",
            "64              00020261129    103000000100020000000000000000",
            "6610002000120261129    103000",
            "98YYYNYN01000320261129    1030002.00",
        ]),
        body in "[ -~]{0,120}",
    ) {
        // A valid fixed part, then any printable junk as variable fields.
        let framing = Framing { error_detection: false, ..Framing::default() };
        let text = format!("{head}{body}\r");
        let received = decode_reply(text.as_bytes(), &framing);
        prop_assert!(received.is_ok(), "{:?} from {:?}", received, text);
        let received = received.unwrap();
        let bytes = encode_reply(&received.message, None, &framing).unwrap();
        prop_assert_eq!(decode_reply(&bytes, &framing).unwrap().message, received.message);
    }

    #[test]
    fn decoding_mutated_messages_never_panics(
        reply in reply(),
        cut in 0usize..400,
        flip in 0usize..400,
        byte in any::<u8>(),
    ) {
        let mut bytes = encode_reply(&reply, Some(1), &Framing::default()).unwrap();
        if !bytes.is_empty() {
            let at = flip % bytes.len();
            bytes[at] = byte;
            bytes.truncate(cut.max(1));
        }
        let _ = decode_reply(&bytes, &Framing::default());
    }
}
