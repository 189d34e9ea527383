//! The device hub against the simulated machine: what the readers saw, effects carried out,
//! the printer's state followed.

use super::*;
use crate::circ::Language;
use crate::circ::effect::{Action, ReceiptLine};
use crate::circ::reason::{Reason, Refusal};
use kiosk_hw::selftest::Level;
use kiosk_hw::sim::{SimTag, TagFault};
use kiosk_hw::tag::{ItemTagData, fixed};

fn hub() -> (DeviceHub, SimDevices) {
    let config = HwConfig::default();
    let hub = DeviceHub::new(kiosk_hw::machine::open(&config), &config);
    let sim = hub.sim().cloned().unwrap();
    (hub, sim)
}

/// The hub after the self-test at start found everything working, and when that was.
fn started() -> (DeviceHub, SimDevices, Moment) {
    let (mut hub, sim) = hub();
    let start = Moment::ZERO;
    hub.note_printer(true, start);
    (hub, sim, start)
}

fn screen(page: Page, busy: bool, notice: Option<Reason>) -> Effect {
    Effect::Show {
        screen: Box::new(Screen {
            notice: notice.map(Refusal::new),
            busy,
            ..Screen::blank(page, Language::En)
        }),
    }
}

#[test]
fn the_light_follows_the_screen() {
    let (mut hub, sim) = hub();
    hub.carry_out(&screen(Page::Idle, false, None));
    assert_eq!(sim.light(), Some(Light::Ready));
    hub.carry_out(&screen(Page::Borrow, true, None));
    assert_eq!(sim.light(), Some(Light::Busy));
    hub.carry_out(&screen(Page::Borrow, false, Some(Reason::UnreadableTag)));
    assert_eq!(sim.light(), Some(Light::Problem));
    hub.carry_out(&screen(Page::OutOfService, false, None));
    assert_eq!(sim.light(), Some(Light::OutOfService));
}

#[test]
fn sounds_and_receipts_reach_their_devices() {
    let (mut hub, sim) = hub();
    hub.carry_out(&Effect::Sound { cue: Cue::Success });
    hub.carry_out(&Effect::Sound { cue: Cue::Problem });
    assert_eq!(sim.beeps(), [Beep::Ok, Beep::Problem]);
    let receipt = Receipt {
        patron_name: "李华 Li Hua".into(),
        lines: vec![ReceiptLine {
            action: Action::Borrow,
            item: ItemId("30234000001015".into()),
            title: "三体".into(),
            due: None,
        }],
        ils_lines: vec!["Thank you".into()],
        offline: true,
        also_borrowed: Some(crate::circ::also_borrowed::AlsoBorrowed {
            borrowed: "三体".into(),
            also: "球状闪电".into(),
        }),
    };
    hub.carry_out(&Effect::Print { receipt });
    let printed = &sim.printed()[0].lines;
    assert!(
        printed.contains(&"读者 Reader: 李华 Li Hua".to_owned()),
        "{printed:#?}"
    );
    assert!(
        printed.contains(&"借出 Borrowed: 三体".to_owned()),
        "{printed:#?}"
    );
    assert!(printed.iter().any(|l| l.contains("estimates")));
    assert!(printed.iter().any(|l| l.contains("预估")));
    assert!(printed.contains(&"Thank you".to_owned()));
    // The "also borrowed" suggestion closes the receipt, in both languages.
    assert_eq!(
        printed[printed.len() - 2..],
        [
            "借阅《三体》的读者也借了《球状闪电》",
            "Readers who borrowed \"三体\" also borrowed \"球状闪电\""
        ]
    );
}

#[test]
fn security_is_written_on_the_pad_and_reported() {
    let (mut hub, sim) = hub();
    let id = TagId::from_hex("E004015000000001").unwrap();
    let memory = fixed::encode(&ItemTagData::circulating("30234000001015")).unwrap();
    sim.place(SimTag::new(id, &memory, 0x07));
    let events = hub.poll(Moment::ZERO);
    assert!(matches!(&events[..], [Event::ItemTag { item, .. }] if item.0 == "30234000001015"));
    let effect = Effect::SetSecurity {
        item: ItemId("30234000001015".into()),
        tags: vec![TagUid("E004015000000001".into())],
        state: Security::OnLoan,
    };
    let done = hub.carry_out(&effect).unwrap();
    assert!(matches!(done.event, Event::SecurityDone { ok: true, .. }));
    assert_eq!(sim.tag(id).unwrap().afi, 0xC2);
    sim.set_fault(id, TagFault::AfiLocked);
    let done = hub.carry_out(&effect).unwrap();
    let report = done.report.unwrap();
    assert!(!report.ok);
    assert!(report.error.unwrap().contains("E004015000000001"));
    // A UID that is not a tag UID is a failed write, not a panic.
    let bad = Effect::SetSecurity {
        item: ItemId("x".into()),
        tags: vec![TagUid("nonsense".into())],
        state: Security::OnLoan,
    };
    assert!(!hub.carry_out(&bad).unwrap().report.unwrap().ok);
}

fn receipt() -> Receipt {
    Receipt {
        patron_name: "Li Hua".into(),
        lines: Vec::new(),
        ils_lines: Vec::new(),
        offline: false,
        also_borrowed: None,
    }
}

#[test]
fn the_printer_is_followed_while_the_kiosk_runs() {
    let (mut hub, sim, start) = started();
    assert!(hub.poll(start).is_empty(), "ready, as at start");

    // Paper runs out: noticed at the next check, not before.
    sim.set_device_fault(Device::Printer, Some(kiosk_hw::config::PartFault::PaperOut));
    assert!(hub.poll(start + Duration::from_secs(10)).is_empty());
    assert_eq!(
        hub.poll(start + PRINTER_CHECK),
        [Event::PrinterReady(false)]
    );
    assert!(hub.poll(start + PRINTER_CHECK * 2).is_empty(), "told once");

    // A receipt asked for anyway fails, and the session hears it.
    let done = hub
        .carry_out(&Effect::Print { receipt: receipt() })
        .unwrap();
    assert_eq!(done.event, Event::Printed { ok: false });
    assert!(sim.printed().is_empty());

    // Staff load paper and test the printer from the technician's screen: back at once.
    sim.set_device_fault(Device::Printer, None);
    let later = start + PRINTER_CHECK * 2 + Duration::from_secs(1);
    hub.test_part(Device::Printer);
    assert_eq!(hub.poll(later), [Event::PrinterReady(true)]);
    assert!(
        hub.carry_out(&Effect::Print { receipt: receipt() })
            .is_none()
    );
    let printed = sim.printed();
    assert!(
        printed
            .last()
            .is_some_and(|job| job.lines.iter().any(|l| l.contains("Li Hua"))),
        "{printed:#?}"
    );
}

#[test]
fn without_a_printer_nothing_is_printed_and_the_session_hears_it() {
    let mut config = HwConfig::default();
    let mut opened = kiosk_hw::machine::open(&config);
    opened.machine.printer = None;
    config.poll_ms = 50;
    let mut hub = DeviceHub::new(opened, &config);
    hub.note_printer(true, Moment::ZERO);
    assert_eq!(hub.next_check(), None, "nothing to check");
    let done = hub
        .carry_out(&Effect::Print { receipt: receipt() })
        .unwrap();
    assert_eq!(done.event, Event::Printed { ok: false });
}

#[test]
fn a_printer_plugged_in_after_start_is_opened_and_used() {
    let mut config = HwConfig::default();
    config.sim.faults.insert(
        kiosk_hw::config::SimPart::Printer,
        kiosk_hw::config::PartFault::Missing,
    );
    let mut hub = DeviceHub::new(kiosk_hw::machine::open(&config), &config);
    let sim = hub.sim().cloned().unwrap();
    let start = Moment::ZERO;
    hub.note_printer(false, start);
    assert_eq!(
        hub.next_check(),
        Some(start + PRINTER_CHECK),
        "it is looked for"
    );
    assert!(
        hub.poll(start + PRINTER_CHECK).is_empty(),
        "still unplugged"
    );
    let done = hub.carry_out(&Effect::Print { receipt: receipt() });
    assert_eq!(done.map(|d| d.event), Some(Event::Printed { ok: false }));

    plugged_back_in_prints(&mut hub, &sim, start + PRINTER_CHECK * 2);
    let checks = hub.self_test();
    let printer = checks.iter().find(|c| c.device == Device::Printer).unwrap();
    assert_eq!(printer.level, Level::Ok, "{printer:?}");
}

#[test]
fn a_printer_unplugged_while_running_is_found_again_when_plugged_back() {
    use kiosk_hw::config::PartFault;
    let (mut hub, sim, start) = started();

    // Its USB-serial cable is pulled out: the next check loses it, and the technician's page
    // says what happened.
    sim.set_device_fault(Device::Printer, Some(PartFault::Missing));
    assert_eq!(
        hub.poll(start + PRINTER_CHECK),
        [Event::PrinterReady(false)]
    );
    let checks = hub.self_test();
    let printer = checks.iter().find(|c| c.device == Device::Printer).unwrap();
    assert_eq!(printer.level, Level::Fail);
    assert!(printer.message.contains("unplugged"), "{printer:?}");
    assert!(
        hub.poll(start + PRINTER_CHECK * 2).is_empty(),
        "still unplugged"
    );

    // Plugged back in: its port is opened afresh and receipts print again.
    plugged_back_in_prints(&mut hub, &sim, start + PRINTER_CHECK * 3);
}

/// The printer is plugged back in before the look at `at`: found, and it prints.
fn plugged_back_in_prints(hub: &mut DeviceHub, sim: &SimDevices, at: Moment) {
    sim.set_device_fault(Device::Printer, None);
    assert_eq!(hub.poll(at), [Event::PrinterReady(true)]);
    assert!(
        hub.carry_out(&Effect::Print { receipt: receipt() })
            .is_none()
    );
    assert_eq!(sim.printed().len(), 1);
}

#[test]
fn a_printer_unplugged_during_a_receipt_is_looked_for_at_the_next_check() {
    use kiosk_hw::config::PartFault;
    let (mut hub, sim, start) = started();
    sim.set_device_fault(Device::Printer, Some(PartFault::Missing));
    let done = hub.carry_out(&Effect::Print { receipt: receipt() });
    assert_eq!(done.map(|d| d.event), Some(Event::Printed { ok: false }));
    assert!(
        hub.poll(start + PRINTER_CHECK).is_empty(),
        "told once, when the receipt failed"
    );

    plugged_back_in_prints(&mut hub, &sim, start + PRINTER_CHECK * 2);
}

#[test]
fn the_return_slot_is_locked_when_the_kiosk_starts() {
    let config = HwConfig::default();
    let opened = kiosk_hw::machine::open(&config);
    let mut left_unlocked = opened.sim.clone().unwrap();
    kiosk_hw::device::ReturnSlot::unlock(&mut left_unlocked).unwrap();
    let hub = DeviceHub::new(opened, &config);
    assert!(!hub.sim().unwrap().slot_unlocked());
}

#[test]
fn the_return_slot_unlocks_and_locks_and_a_failure_is_reported() {
    use kiosk_hw::config::PartFault;
    let (mut hub, sim) = hub();
    assert!(
        hub.carry_out(&Effect::ReturnSlot { unlock: true })
            .is_none()
    );
    assert!(sim.slot_unlocked());
    assert!(
        hub.carry_out(&Effect::ReturnSlot { unlock: false })
            .is_none()
    );
    assert!(!sim.slot_unlocked());

    sim.set_device_fault(Device::ReturnSlot, Some(PartFault::Timeout));
    let done = hub.carry_out(&Effect::ReturnSlot { unlock: true });
    assert_eq!(done.map(|d| d.event), Some(Event::ReturnSlotFailed));
    assert!(!sim.slot_unlocked(), "not left unlocked");
}

/// What the hub said about the item reader, among the events of a poll.
fn reader_events(events: Vec<Event>) -> Vec<Event> {
    events
        .into_iter()
        .filter(|e| matches!(e, Event::ItemReaderReady(_)))
        .collect()
}

#[test]
fn an_item_reader_that_stops_answering_is_reported_after_a_grace_and_again_when_back() {
    use kiosk_hw::config::PartFault;
    let (mut hub, sim, start) = started();
    sim.set_device_fault(Device::ItemReader, Some(PartFault::Timeout));
    assert!(reader_events(hub.poll(start)).is_empty(), "a glitch");
    assert_eq!(
        hub.next_check(),
        Some(start + READER_GRACE),
        "looked at again when the grace runs out, readers or not"
    );
    assert!(reader_events(hub.poll(start + Duration::from_secs(4))).is_empty());
    assert_eq!(
        reader_events(hub.poll(start + READER_GRACE)),
        [Event::ItemReaderReady(false)]
    );
    assert!(
        reader_events(hub.poll(start + Duration::from_secs(8))).is_empty(),
        "told once"
    );

    sim.set_device_fault(Device::ItemReader, None);
    assert_eq!(
        reader_events(hub.poll(start + Duration::from_secs(9))),
        [Event::ItemReaderReady(true)]
    );
    assert!(reader_events(hub.poll(start + Duration::from_secs(10))).is_empty());

    // Failing polls that do not last are glitches: nothing is said.
    sim.set_device_fault(Device::ItemReader, Some(PartFault::Timeout));
    hub.poll(start + Duration::from_secs(11));
    sim.set_device_fault(Device::ItemReader, None);
    hub.poll(start + Duration::from_secs(12));
    sim.set_device_fault(Device::ItemReader, Some(PartFault::Timeout));
    assert!(reader_events(hub.poll(start + Duration::from_secs(16))).is_empty());
}

/// A reader whose RF field went off: inventories come back empty without an error, and only
/// its own check tells; a reset switches the field on again.
struct FieldOff {
    on: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl kiosk_hw::device::ItemReader for FieldOff {
    fn inventory(&mut self) -> Result<Vec<TagId>, DeviceError> {
        Ok(Vec::new())
    }
    fn system_info(&mut self, tag: TagId) -> Result<kiosk_hw::device::SystemInfo, DeviceError> {
        Err(field_off_error(kiosk_hw::device::Fault::TagSilent(tag)))
    }
    fn read_blocks(&mut self, tag: TagId, _: u8, _: u8) -> Result<Vec<u8>, DeviceError> {
        Err(field_off_error(kiosk_hw::device::Fault::TagSilent(tag)))
    }
    fn write_block(&mut self, tag: TagId, _: u8, _: &[u8]) -> Result<(), DeviceError> {
        Err(field_off_error(kiosk_hw::device::Fault::TagSilent(tag)))
    }
    fn write_afi(&mut self, tag: TagId, _: u8) -> Result<(), DeviceError> {
        Err(field_off_error(kiosk_hw::device::Fault::TagSilent(tag)))
    }
    fn identify(&mut self) -> Result<kiosk_hw::device::Identity, DeviceError> {
        if self.on.load(std::sync::atomic::Ordering::SeqCst) {
            Ok(kiosk_hw::device::Identity {
                model: "test reader".into(),
                warning: None,
                action: None,
            })
        } else {
            Err(field_off_error(kiosk_hw::device::Fault::Chip(
                "the RF field is off".into(),
            )))
        }
    }
    fn recover(&mut self) -> Result<(), DeviceError> {
        self.on.store(true, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }
}

fn field_off_error(fault: kiosk_hw::device::Fault) -> DeviceError {
    DeviceError::new(Device::ItemReader, fault)
}

#[test]
fn a_reader_whose_field_goes_off_is_caught_by_its_check_and_reset() {
    let config = HwConfig::default();
    let mut opened = kiosk_hw::machine::open(&config);
    let on = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    opened.machine.item_reader = Some(Box::new(FieldOff {
        on: std::sync::Arc::clone(&on),
    }));
    let mut hub = DeviceHub::new(opened, &config);
    let start = Moment::ZERO;
    hub.note_printer(true, start);
    assert!(reader_events(hub.poll(start)).is_empty());
    // The transmitter shuts down: the pad just reads empty until the next check.
    on.store(false, std::sync::atomic::Ordering::SeqCst);
    assert!(reader_events(hub.poll(start + Duration::from_secs(10))).is_empty());
    let checked = start + ITEM_READER_CHECK;
    assert!(reader_events(hub.poll(checked)).is_empty(), "a grace first");
    assert_eq!(
        reader_events(hub.poll(checked + READER_GRACE)),
        [Event::ItemReaderReady(false)]
    );
    // The reset switched the field on again: the next check finds it working.
    assert!(on.load(std::sync::atomic::Ordering::SeqCst), "reset");
    assert_eq!(
        reader_events(hub.poll(checked + READER_GRACE * 2)),
        [Event::ItemReaderReady(true)]
    );
}

#[test]
fn a_card_reader_that_stops_answering_is_reported_after_a_grace_and_again_when_back() {
    use kiosk_hw::config::PartFault;
    let (mut hub, sim, start) = started();
    sim.set_device_fault(Device::CardReader, Some(PartFault::Timeout));
    assert!(hub.poll(start).is_empty());
    assert_eq!(hub.next_check(), Some(start + READER_GRACE));
    assert_eq!(
        hub.poll(start + READER_GRACE),
        [Event::CardReaderReady(false)]
    );
    assert!(hub.poll(start + READER_GRACE * 2).is_empty(), "told once");
    sim.set_device_fault(Device::CardReader, None);
    assert_eq!(
        hub.poll(start + READER_GRACE * 3),
        [Event::CardReaderReady(true)]
    );
}

#[test]
fn a_scanner_unplugged_while_running_is_closed_looked_for_and_used_again() {
    use kiosk_hw::config::PartFault;
    let (mut hub, sim, start) = started();
    sim.set_device_fault(Device::Scanner, Some(PartFault::Missing));
    assert_eq!(hub.poll(start), [Event::ScannerReady(false)]);
    assert_eq!(hub.next_check(), Some(start + READER_GRACE));
    assert!(hub.poll(start + READER_GRACE).is_empty(), "still unplugged");

    // Plugged back in: opened at the next look, and back once it reads.
    sim.set_device_fault(Device::Scanner, None);
    sim.scan("30234000001015");
    let later = start + READER_GRACE * 2;
    assert!(hub.poll(later).is_empty(), "opened");
    assert_eq!(
        hub.poll(later),
        [
            Event::ScannerReady(true),
            Event::Barcode("30234000001015".into())
        ]
    );
}

/// The state monitoring reads for `device`.
fn part_state(hub: &DeviceHub, device: Device) -> Option<PartState> {
    hub.part_states()
        .into_iter()
        .find(|(d, _)| *d == device)
        .map(|(_, state)| state)
}

#[test]
fn part_states_follow_what_the_session_is_told_and_the_paper_what_the_printer_says() {
    use kiosk_hw::config::PartFault;
    let (mut hub, sim, start) = started();
    assert_eq!(
        hub.part_states().len(),
        6,
        "the simulated machine has every part"
    );
    assert!(hub.part_states().iter().all(|(_, s)| *s == PartState::Ok));
    assert_eq!(hub.paper(), Some(Paper::Ok));

    // Paper low: the printer still prints, a warning; out: failed.
    sim.set_device_fault(Device::Printer, Some(PartFault::PaperLow));
    hub.poll(start + PRINTER_CHECK);
    assert_eq!(hub.paper(), Some(Paper::Low));
    assert_eq!(part_state(&hub, Device::Printer), Some(PartState::Warning));
    sim.set_device_fault(Device::Printer, Some(PartFault::PaperOut));
    hub.poll(start + PRINTER_CHECK * 2);
    assert_eq!(hub.paper(), Some(Paper::Out));
    assert_eq!(part_state(&hub, Device::Printer), Some(PartState::Failed));

    // A reader silent for one poll is a glitch; past the grace it has failed.
    sim.set_device_fault(Device::CardReader, Some(PartFault::Timeout));
    let later = start + PRINTER_CHECK * 2;
    hub.poll(later);
    assert_eq!(part_state(&hub, Device::CardReader), Some(PartState::Ok));
    hub.poll(later + READER_GRACE);
    assert_eq!(
        part_state(&hub, Device::CardReader),
        Some(PartState::Failed)
    );
    sim.set_device_fault(Device::CardReader, None);
    hub.poll(later + READER_GRACE * 2);
    assert_eq!(part_state(&hub, Device::CardReader), Some(PartState::Ok));
}

#[test]
fn a_printer_that_fails_a_receipt_for_paper_says_out_and_one_not_fitted_has_no_paper() {
    let (mut hub, sim, _) = started();
    sim.set_device_fault(Device::Printer, Some(kiosk_hw::config::PartFault::PaperOut));
    hub.carry_out(&Effect::Print { receipt: receipt() });
    assert_eq!(hub.paper(), Some(Paper::Out));
    let config = HwConfig::default();
    let mut opened = kiosk_hw::machine::open(&config);
    opened.machine.printer = None;
    let mut bare = DeviceHub::new(opened, &config);
    bare.note_printer(false, Moment::ZERO);
    assert_eq!(bare.paper(), None);
    assert_eq!(part_state(&bare, Device::Printer), None);
}

#[test]
fn the_return_flap_counts_books_going_in_and_a_flap_left_open_is_a_warning_until_it_closes() {
    let (mut hub, sim, start) = started();
    let at = |secs| start + Duration::from_secs(secs);
    // Unlocked for a reader's returns: each time the flap opens and closes, a book went in.
    hub.carry_out(&Effect::ReturnSlot { unlock: true });
    for t in [1, 3] {
        sim.set_slot_open(true);
        hub.poll(at(t));
        sim.set_slot_open(false);
        hub.poll(at(t + 1));
    }
    hub.carry_out(&Effect::ReturnSlot { unlock: false });
    assert_eq!(hub.books_through_slot(), 2);
    assert_eq!(part_state(&hub, Device::ReturnSlot), Some(PartState::Ok));

    // Locked, and the flap stays open (jammed, or forced): after 30 s the part is a warning
    // for staff, and the runtime is asked to look again at that moment.
    sim.set_slot_open(true);
    hub.poll(at(10));
    assert_eq!(hub.watch.slot.next_look(), Some(at(40)));
    assert!(hub.next_check().is_some_and(|t| t <= at(40)));
    hub.poll(at(39));
    assert_eq!(part_state(&hub, Device::ReturnSlot), Some(PartState::Ok));
    hub.poll(at(40));
    assert_eq!(
        part_state(&hub, Device::ReturnSlot),
        Some(PartState::Warning)
    );
    sim.set_slot_open(false);
    hub.poll(at(41));
    assert_eq!(part_state(&hub, Device::ReturnSlot), Some(PartState::Ok));
    assert_eq!(hub.books_through_slot(), 2, "nothing counted while locked");
}
