//! SIP2 messages the client tests share: an ACS status that allows everything, and an item
//! information request and reply.

use kiosk::ils::sip2::replies::*;
use kiosk::ils::sip2::requests::*;
use kiosk::ils::sip2::{Reply, Request};

pub fn acs_status() -> Reply {
    Reply::AcsStatus(AcsStatus {
        online: true,
        checkin_ok: true,
        checkout_ok: true,
        renewal_policy: true,
        status_update_ok: false,
        offline_ok: false,
        timeout_tenths: None,
        retries: None,
        date: None,
        protocol_version: "2.00".into(),
        institution: "MAIN".into(),
        library_name: None,
        supported_messages: "YYYYYYYYYYYYYYYY".into(),
        terminal_location: None,
        messages: Messages::default(),
    })
}

/// An item information reply for item 3023 titled `title`.
pub fn item_reply(title: &str) -> Reply {
    Reply::ItemInformation(ItemInformationReply {
        circulation_status: 3,
        security_marker: "02".into(),
        fee_type: "01".into(),
        date: None,
        hold_queue_length: None,
        due_date: None,
        recall_date: None,
        hold_pickup_date: None,
        item: "3023".into(),
        title: title.into(),
        owner: None,
        currency: None,
        fee_amount: None,
        media_type: None,
        permanent_location: None,
        current_location: None,
        item_properties: None,
        messages: Messages::default(),
    })
}

/// An item information request for `item`.
pub fn item_request_for(item: &str) -> Request {
    Request::ItemInformation(ItemInformationRequest {
        date: chrono::NaiveDate::from_ymd_opt(2026, 11, 29)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap(),
        terminal: Terminal {
            institution: "MAIN".into(),
            terminal_password: None,
        },
        item: item.into(),
    })
}

/// The request for item 3023.
pub fn item_request() -> Request {
    item_request_for("3023")
}
