use super::*;
use crate::sim::{SimDevices, SimTag, TagFault};
use crate::tag::{SetInfo, fixed};

fn id(n: u8) -> TagId {
    TagId([n, 0, 0, 0, 0x50, 0x01, 0x04, 0xE0])
}

fn book(n: u8, item: &str, parts: u8, ordinal: u8) -> SimTag {
    let data = ItemTagData {
        set: SetInfo { parts, ordinal },
        ..ItemTagData::circulating(item)
    };
    SimTag::new(id(n), &fixed::encode(&data).unwrap(), 0x07)
}

#[test]
fn tag_ids_are_written_most_significant_byte_first() {
    assert_eq!(id(0x78).to_string(), "E004015000000078");
    assert_eq!(TagId::from_hex("E004015000000078"), Some(id(0x78)));
    assert_eq!(TagId::from_hex("E00401"), None);
}

#[test]
fn the_field_is_read_and_decoded_tag_by_tag() {
    let mut sim = SimDevices::new();
    sim.place(book(1, "30001", 1, 1));
    let mut damaged = book(2, "30002", 1, 1);
    damaged.memory[6] ^= 0xFF;
    sim.place(damaged);
    let field = read_field(&mut sim, TagFormat::Iso28560_3).unwrap();
    assert_eq!(field.len(), 2);
    assert_eq!(field[0].data.as_ref().unwrap().primary_id, "30001");
    assert_eq!(field[0].afi, Some(0x07));
    let problem = field[1].data.as_ref().unwrap_err();
    assert!(problem.contains("CRC"), "{problem}");
}

#[test]
fn security_is_written_and_read_back() {
    let mut sim = SimDevices::new();
    sim.place(book(1, "30001", 2, 1));
    sim.place(book(2, "30001", 2, 2));
    let settings = SecuritySettings::default();
    set_security(&mut sim, &[id(1), id(2)], true, &settings).unwrap();
    assert_eq!(sim.tag(id(1)).unwrap().afi, 0xC2);
    assert_eq!(sim.tag(id(2)).unwrap().afi, 0xC2);
    set_security(&mut sim, &[id(1), id(2)], false, &settings).unwrap();
    assert_eq!(sim.tag(id(1)).unwrap().afi, 0x07);
}

#[test]
fn a_refused_or_unconfirmed_write_is_an_error_naming_the_tag() {
    let mut sim = SimDevices::new();
    sim.place(book(1, "30001", 1, 1));
    sim.set_fault(id(1), TagFault::AfiLocked);
    let settings = SecuritySettings::default();
    let err = set_security(&mut sim, &[id(1)], true, &settings).unwrap_err();
    assert_eq!(
        err.to_string(),
        "RFID item reader: tag E004015000000001 answered error 0x12 (block locked, cannot be changed)"
    );
    sim.set_fault(id(1), TagFault::AfiSilentlyIgnored);
    let err = set_security(&mut sim, &[id(1)], true, &settings).unwrap_err();
    assert!(
        matches!(err.fault, Fault::NotVerified { wrote: 0xC2, .. }),
        "{err}"
    );
    assert_eq!(
        sim.tag(id(1)).unwrap().afi,
        0x07,
        "still alarms at the gate"
    );
    // A tag that left the pad is an error too, not a silent success.
    sim.clear_pad();
    assert!(set_security(&mut sim, &[id(1)], true, &settings).is_err());
}

#[test]
fn the_pad_reports_each_item_once_and_again_when_its_set_changes() {
    let mut sim = SimDevices::new();
    let mut pad = PadTracker::default();
    sim.place(book(1, "A", 1, 1));
    sim.place(book(2, "B", 2, 1));
    let events = pad.update(&read_field(&mut sim, TagFormat::Iso28560_3).unwrap());
    assert_eq!(events.len(), 2);
    let PadEvent::Item(b) = &events[1] else {
        panic!("{events:?}")
    };
    assert_eq!(
        b.status,
        SetStatus::MissingParts {
            parts: 2,
            present: vec![1]
        }
    );
    // Nothing changed: nothing to report.
    assert!(
        pad.update(&read_field(&mut sim, TagFormat::Iso28560_3).unwrap())
            .is_empty()
    );
    // The CD arrives: B is reported again, complete.
    sim.place(book(3, "B", 2, 2));
    let events = pad.update(&read_field(&mut sim, TagFormat::Iso28560_3).unwrap());
    let [PadEvent::Item(b)] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert_eq!(b.status, SetStatus::Complete);
    assert_eq!(b.tags, [id(2), id(3)]);
    // Taken away and put back: reported again.
    sim.remove(id(1));
    assert!(
        pad.update(&read_field(&mut sim, TagFormat::Iso28560_3).unwrap())
            .is_empty()
    );
    sim.place(book(1, "A", 1, 1));
    assert_eq!(
        pad.update(&read_field(&mut sim, TagFormat::Iso28560_3).unwrap())
            .len(),
        1
    );
}

#[test]
fn unreadable_tags_and_patron_cards_are_reported_once() {
    let mut sim = SimDevices::new();
    let mut pad = PadTracker::default();
    sim.place(SimTag::new(id(9), &[0x55; 32], 0x07));
    let card = ItemTagData {
        usage: TypeOfUsage::PATRON_CARD,
        ..ItemTagData::circulating("21234000000011")
    };
    sim.place(SimTag::new(id(8), &fixed::encode(&card).unwrap(), 0x07));
    let events = pad.update(&read_field(&mut sim, TagFormat::Iso28560_3).unwrap());
    assert!(matches!(&events[0], PadEvent::Unreadable { tag, .. } if *tag == id(9)));
    assert_eq!(
        events[1],
        PadEvent::PatronCard {
            id: "21234000000011".into()
        }
    );
    assert!(
        pad.update(&read_field(&mut sim, TagFormat::Iso28560_3).unwrap())
            .is_empty()
    );
}

#[test]
fn a_tag_read_on_the_last_pass_is_not_read_again_while_it_stays() {
    use crate::sim::pn5180::{Timings, reader};
    let sim = SimDevices::new();
    sim.place(book(1, "30001", 1, 1));
    sim.place(book(2, "30002", 1, 1));
    let timings = Timings {
        spi_hz: u32::MAX,
        busy: std::time::Duration::ZERO,
        programming: std::time::Duration::ZERO,
    };
    let (mut reader, meter) = reader(&sim, timings).unwrap();
    let first = read_field(&mut reader, TagFormat::Iso28560_3).unwrap();
    let frames = meter.spent().frames_to_tags;
    // Only the inventory goes to the tags: 16 slots, no reads.
    let again = read_field_again(&mut reader, TagFormat::Iso28560_3, &first).unwrap();
    assert_eq!(again, first);
    assert_eq!(meter.spent().frames_to_tags - frames, 16);
    // A new book is read; one taken away is gone; one whose read failed is tried again.
    sim.remove(id(2));
    sim.place(book(3, "30003", 1, 1));
    let mut failed = first.clone();
    failed[0].data = Err("CRC".into());
    let frames = meter.spent().frames_to_tags;
    let next = read_field_again(&mut reader, TagFormat::Iso28560_3, &failed).unwrap();
    let items: Vec<&str> = next
        .iter()
        .map(|t| t.data.as_ref().unwrap().primary_id.as_str())
        .collect();
    assert_eq!(items, ["30001", "30003"]);
    // 16 slots, and system information and memory for books 1 and 3.
    assert_eq!(meter.spent().frames_to_tags - frames, 16 + 4);
}
