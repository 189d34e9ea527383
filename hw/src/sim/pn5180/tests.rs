use super::*;
use crate::rfid::{SecuritySettings, read_field, set_security};
use crate::sim::{SimTag, TagFault};
use crate::tag::{ItemTagData, TagFormat, fixed};

fn id(n: u8) -> TagId {
    TagId([n, 0, 0, 0, 0x50, 0x01, 0x04, 0xE0])
}

fn book(n: u8) -> SimTag {
    let data = ItemTagData::circulating(&format!("3000{n:02}"));
    SimTag::new(id(n), &fixed::encode(&data).unwrap(), 0x07)
}

/// No waiting: the logic, not the timing, is under test here.
fn instant() -> Timings {
    Timings {
        spi_hz: u32::MAX,
        busy: Duration::ZERO,
        programming: Duration::ZERO,
    }
}

#[test]
fn the_driver_finds_every_book_of_a_stack_whose_uids_collide_in_the_first_round() {
    let sim = SimDevices::new();
    // Tags 0x01 and 0x11, 0x02 and 0x12 … end in the same four bits: they answer in the same
    // slot of the first round, and only a longer mask tells them apart.
    for n in 1..=20 {
        sim.place(book(n));
    }
    let (mut reader, meter) = reader(&sim, instant()).unwrap();
    let mut found = reader.inventory().unwrap();
    found.sort_by_key(|t| t.0[0]);
    assert_eq!(found, (1..=20).map(id).collect::<Vec<_>>());
    // One round of 16 slots, and one more for each slot where two tags answered (1–4).
    assert_eq!(meter.spent().frames_to_tags, 16 * 5);
}

#[test]
fn an_empty_pad_is_one_round_of_silence() {
    let sim = SimDevices::new();
    let (mut reader, meter) = reader(&sim, instant()).unwrap();
    assert_eq!(reader.inventory().unwrap(), Vec::<TagId>::new());
    assert_eq!(meter.spent().frames_to_tags, 16);
}

#[test]
fn a_stack_is_read_and_decoded_through_the_driver_as_from_the_pad() {
    let sim = SimDevices::new();
    for n in 1..=3 {
        sim.place(book(n));
    }
    let (mut reader, _) = reader(&sim, instant()).unwrap();
    let mut field = read_field(&mut reader, TagFormat::Iso28560_3).unwrap();
    field.sort_by_key(|t| t.id.0[0]);
    let items: Vec<String> = field
        .iter()
        .map(|t| t.data.as_ref().unwrap().primary_id.clone())
        .collect();
    assert_eq!(items, ["300001", "300002", "300003"]);
    assert!(field.iter().all(|t| t.afi == Some(0x07)));
}

#[test]
fn security_is_written_and_read_back_and_a_locked_afi_is_refused_with_its_code() {
    let sim = SimDevices::new();
    sim.place(book(1));
    let mut locked = book(2);
    locked.fault = TagFault::AfiLocked;
    sim.place(locked);
    let (mut reader, _) = reader(&sim, instant()).unwrap();
    let settings = SecuritySettings::default();
    set_security(&mut reader, &[id(1)], true, &settings).unwrap();
    assert_eq!(sim.tag(id(1)).unwrap().afi, 0xC2);
    let refused = set_security(&mut reader, &[id(2)], true, &settings).unwrap_err();
    assert_eq!(
        refused.fault,
        Fault::TagRefused {
            tag: id(2),
            code: 0x12
        }
    );
    assert_eq!(sim.tag(id(2)).unwrap().afi, 0x07);
    // A tag taken off the pad stays silent.
    sim.remove(id(1));
    let gone = set_security(&mut reader, &[id(1)], false, &settings).unwrap_err();
    assert_eq!(gone.fault, Fault::TagSilent(id(1)));
}

#[test]
fn an_afi_write_takes_the_frames_in_the_air_and_the_tags_programming_time() {
    let sim = SimDevices::new();
    sim.place(book(1));
    let timings = Timings {
        programming: Duration::from_millis(5),
        ..instant()
    };
    let (mut reader, meter) = reader(&sim, timings).unwrap();
    let before = meter.spent().air;
    let started = Instant::now();
    reader.write_afi(id(1), 0xC2).unwrap();
    let took = started.elapsed();
    let air = meter.spent().air - before;
    // Request: flags, command, UID, AFI and CRC (13 bytes) at 26.48 kbit/s with its start and
    // end; t1; programming; answer: flags and CRC (3 bytes) at 26.48 kbit/s with start and end.
    let expected = Duration::from_nanos(75_516 + 13 * 8 * 37_758 + 37_758)
        + T1
        + Duration::from_millis(5)
        + Duration::from_nanos(151_032 + 3 * 8 * 37_758 + 151_032);
    let off = air.as_nanos().abs_diff(expected.as_nanos());
    assert!(off < 2_000, "air time {air:?}, expected {expected:?}");
    // The driver polls every millisecond, so it sees the answer within one poll of its end.
    assert!(took >= air, "{took:?} < {air:?}");
    assert!(took < air + Duration::from_millis(3), "{took:?}");
}

#[test]
fn a_hung_chip_times_out_and_an_unknown_firmware_is_named_as_on_the_machine() {
    use crate::config::PartFault;
    let sim = SimDevices::new();
    let (mut reader, _) = reader(&sim, instant()).unwrap();
    sim.set_device_fault(Device::ItemReader, Some(PartFault::WrongChip));
    let identity = reader.identify().unwrap();
    assert!(
        identity.model.starts_with("PN5180 firmware 2.1"),
        "{identity:?}"
    );
    assert!(identity.warning.is_some());
    sim.set_device_fault(Device::ItemReader, Some(PartFault::Timeout));
    let hung = reader.inventory().unwrap_err();
    assert!(matches!(hung.fault, Fault::Timeout(_)), "{hung:?}");
    sim.set_device_fault(Device::ItemReader, Some(PartFault::Missing));
    let gone = reader.identify().unwrap_err();
    assert!(matches!(gone.fault, Fault::Missing(_)), "{gone:?}");
}
