//! The edge between the session and the machine's devices: what the readers saw becomes
//! events, and the effects that touch hardware (tag security, sounds, the receipt) are carried
//! out here. One owner, called from the front-end's loop.

use crate::circ::Moment;
use crate::circ::effect::{Cue, Receipt, Security};
use crate::circ::screen::{Page, Screen};
use crate::circ::types::{ItemId, OfflineUse, SetCheck, TagUid};
use crate::circ::{Effect, Event};
use kiosk_hw::config::HwConfig;
use kiosk_hw::device::Device;
use kiosk_hw::device::{Beep, DeviceError, Light, PrintJob, TagId};
use kiosk_hw::machine::{Machine, Opened};
use kiosk_hw::rfid::{self, PadEvent, PadTracker, SecuritySettings};
use kiosk_hw::sim::SimDevices;
use kiosk_hw::tag::{SetStatus, StackItem, TagFormat};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// What a security write did, for the output and the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecurityReport {
    pub item: ItemId,
    pub tags: Vec<TagUid>,
    pub state: Security,
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What the devices did in answer to an effect, when the session must hear about it.
pub struct Done {
    pub event: Event,
    pub report: Option<SecurityReport>,
}

pub struct DeviceHub {
    machine: Machine,
    pad: PadTracker,
    format: TagFormat,
    security: SecuritySettings,
    sim: Option<SimDevices>,
    poll_interval: Duration,
    light: Option<Light>,
    /// Printed at the top of receipts.
    library: String,
    /// The last fault reported per device, so a dead reader is logged once, not every poll.
    faults: BTreeMap<String, String>,
    /// Parts that did not open at start.
    open_failures: Vec<kiosk_hw::device::DeviceError>,
    /// What the pad held at the last poll, bytes and all (the technician's monitor shows them).
    last_field: Vec<rfid::FieldTag>,
    /// The hardware as configured, to open a printer that did not open at start.
    config: HwConfig,
    /// The parts followed while the kiosk runs, one watcher each.
    watch: watch::Watchers,
}

impl DeviceHub {
    pub fn new(mut opened: Opened, config: &HwConfig) -> Self {
        for failure in &opened.failures {
            tracing::error!(%failure, "device not available; the kiosk runs without it");
        }
        // Locked until a reader returns a book, whatever state it was left in.
        if let Some(slot) = opened.machine.return_slot.as_mut()
            && let Err(error) = slot.lock()
        {
            tracing::error!(%error, "the return slot could not be locked");
        }
        DeviceHub {
            machine: opened.machine,
            pad: PadTracker::default(),
            format: config.tag_format,
            security: config.security,
            sim: opened.sim,
            poll_interval: Duration::from_millis(config.poll_ms),
            light: None,
            library: String::new(),
            faults: BTreeMap::new(),
            open_failures: opened.failures,
            last_field: Vec::new(),
            config: config.clone(),
            watch: watch::Watchers::default(),
        }
    }

    /// The tags on the pad, read and decoded, for the technician's tag inspector: one line per
    /// tag (UID, security, and what ISO 28560 says), and the UIDs.
    pub fn inspect_tags(&mut self) -> Result<Vec<(String, String)>, String> {
        let Some(reader) = self.machine.item_reader.as_mut() else {
            return Err("no RFID item reader is fitted".into());
        };
        let field = rfid::read_field(reader.as_mut(), self.format).map_err(|e| e.to_string())?;
        let security = self.security;
        Ok(field
            .into_iter()
            .map(|tag| {
                let afi = match tag.afi {
                    Some(afi) if afi == security.afi_on_loan => {
                        format!("AFI {afi:#04x} (on loan: gates stay quiet)")
                    }
                    Some(afi) if afi == security.afi_in_library => {
                        format!("AFI {afi:#04x} (in the library: gates alarm)")
                    }
                    Some(afi) => format!("AFI {afi:#04x} (neither of this kiosk's values)"),
                    None => "AFI not reported".into(),
                };
                let data = match &tag.data {
                    Ok(data) => format!(
                        "item {}, part {} of {}, {} (usage {:#04x}){}{}",
                        data.primary_id,
                        data.set.ordinal,
                        data.set.parts,
                        data.usage.describe(),
                        data.usage.0,
                        data.owner
                            .as_deref()
                            .map(|o| format!(", owner {o}"))
                            .unwrap_or_default(),
                        data.shelf_location
                            .as_deref()
                            .map(|s| format!(", shelf {s}"))
                            .unwrap_or_default(),
                    ),
                    Err(problem) => format!("unreadable: {problem}"),
                };
                (tag.id.to_string(), format!("{}: {afi}; {data}", tag.id))
            })
            .collect())
    }

    /// Sets one tag's security state from the technician's screen.
    pub fn set_tag_security(&mut self, uid: &str, on_loan: bool) -> Result<(), String> {
        let tag = kiosk_hw::device::TagId::from_hex(uid).ok_or("not a tag UID (16 hex digits)")?;
        let Some(reader) = self.machine.item_reader.as_mut() else {
            return Err("no RFID item reader is fitted".into());
        };
        rfid::set_security(reader.as_mut(), &[tag], on_loan, &self.security)
            .map_err(|e| e.to_string())
    }

    /// A tag's AFI and raw bytes as last read, for the technician's monitor.
    pub fn tag_bytes(&self, uid: &str) -> Option<(Option<u8>, Vec<u8>)> {
        self.last_field
            .iter()
            .find(|t| t.id.to_string() == uid)
            .map(|t| (t.afi, t.memory.clone()))
    }

    /// One part's active test, from the technician's screen (`None`: not fitted).
    pub fn test_part(
        &mut self,
        device: kiosk_hw::device::Device,
    ) -> Option<kiosk_hw::selftest::PartCheck> {
        if device == Device::Printer {
            // The technician may just have plugged it in, or loaded paper: the session hears
            // at the next poll.
            self.connect_printer();
            self.watch.printer.next_check = None;
        }
        kiosk_hw::selftest::check_part(&mut self.machine, &self.open_failures, device, true)
    }

    /// Every fitted part's passive check (the self-test at start, the technician's page).
    pub fn self_test(&mut self) -> Vec<kiosk_hw::selftest::PartCheck> {
        kiosk_hw::selftest::check(&mut self.machine, &self.open_failures, false)
    }

    /// The simulated machine, when that is what runs (the demo and tests drive it).
    pub fn sim(&self) -> Option<&SimDevices> {
        self.sim.as_ref()
    }

    /// The library's name, for the top of receipts.
    pub fn set_library(&mut self, name: &str) {
        self.library = name.to_owned();
    }

    /// How often real readers are polled.
    pub fn poll_interval(&self) -> Duration {
        self.poll_interval
    }

    pub fn tag_format(&self) -> TagFormat {
        self.format
    }

    /// Asks every reader what it saw since the last call, and the printer how it is when due.
    pub fn poll(&mut self, now: Moment) -> Vec<Event> {
        let mut events: Vec<Event> = self.check_printer(now).into_iter().collect();
        events.extend(self.poll_scanner(now));
        self.reconnect_readers(now);
        self.watch_flap(now);
        if let Some(reader) = self.machine.card_reader.as_mut() {
            let card = reader.poll();
            let answered = card.is_ok();
            if let Some(Some(uid)) = note(&mut self.faults, "card_reader", card) {
                events.push(Event::CardUid(uid));
            }
            events.extend(self.follow_card_reader(answered, now));
        }
        if let Some(reader) = self.machine.item_reader.as_mut() {
            let field = rfid::read_field_again(reader.as_mut(), self.format, &self.last_field);
            let answered = field.is_ok() && self.item_reader_checks_out(now);
            if let Some(field) = note(&mut self.faults, "item_reader", field) {
                events.extend(self.pad.update(&field).into_iter().map(pad_event));
                self.last_field = field;
            }
            events.extend(self.follow_item_reader(answered, now));
        }
        events
    }

    /// Carries out an effect that involves a device.
    pub fn carry_out(&mut self, effect: &Effect) -> Option<Done> {
        match effect {
            Effect::SetSecurity { item, tags, state } => {
                let report = self.set_security(item, tags, *state);
                let event = Event::SecurityDone {
                    item: item.clone(),
                    tags: tags.clone(),
                    state: *state,
                    ok: report.ok,
                };
                Some(Done {
                    event,
                    report: Some(report),
                })
            }
            Effect::Sound { cue } => {
                let beep = match cue {
                    Cue::Success => Beep::Ok,
                    Cue::Problem | Cue::Warning => Beep::Problem,
                };
                if let Some(lights) = self.machine.indicators.as_mut() {
                    let result = lights.beep(beep);
                    note(&mut self.faults, "indicators", result);
                }
                None
            }
            Effect::Show { screen } => {
                let light = light_for(screen);
                if self.light != Some(light)
                    && let Some(lights) = self.machine.indicators.as_mut()
                {
                    let result = lights.light(light);
                    if note(&mut self.faults, "indicators", result).is_some() {
                        self.light = Some(light);
                    }
                }
                None
            }
            Effect::Print { receipt } => {
                let printed = match self.machine.printer.as_mut() {
                    Some(printer) => {
                        let now = chrono::Local::now().format("%Y-%m-%d %H:%M").to_string();
                        let result = printer.print(&print_job(receipt, &self.library, &now));
                        if let Err(error) = &result {
                            self.watch.printer.paper = Paper::of_error(error);
                            self.printer_failed(error.clone());
                        }
                        note(&mut self.faults, "printer", result).is_some()
                    }
                    None => false,
                };
                // The session hears of a failure (the reader is told) and of a change.
                if printed && self.watch.printer.ready {
                    return None;
                }
                self.watch.printer.ready = printed;
                Some(Done {
                    event: Event::Printed { ok: printed },
                    report: None,
                })
            }
            Effect::ReturnSlot { unlock } => self.move_return_slot(*unlock),
            _ => None,
        }
    }

    /// Unlocks or locks the return slot; when that fails the session stops sending books
    /// through it, and a slot that would not unlock is locked again rather than left unknown.
    fn move_return_slot(&mut self, unlock: bool) -> Option<Done> {
        let failed = Done {
            event: Event::ReturnSlotFailed,
            report: None,
        };
        let Some(slot) = self.machine.return_slot.as_mut() else {
            return Some(failed);
        };
        let result = if unlock { slot.unlock() } else { slot.lock() };
        if note(&mut self.faults, "return_slot", result).is_some() {
            tracing::debug!(unlock, "return slot");
            self.slot_moved(unlock);
            return None;
        }
        if unlock {
            let _ = slot.lock();
        }
        Some(failed)
    }

    fn set_security(&mut self, item: &ItemId, tags: &[TagUid], state: Security) -> SecurityReport {
        let ids: Option<Vec<TagId>> = tags.iter().map(|t| TagId::from_hex(&t.0)).collect();
        let on_loan = state == Security::OnLoan;
        let result = match (ids, self.machine.item_reader.as_mut()) {
            (Some(ids), Some(reader)) => {
                rfid::set_security(reader.as_mut(), &ids, on_loan, &self.security)
                    .map_err(|e| e.to_string())
            }
            (None, _) => Err("the tag UID is not 16 hex digits".to_owned()),
            (_, None) => Err("no RFID item reader is available".to_owned()),
        };
        match &result {
            Err(error) => tracing::warn!(%item, %error, ?state, "security write failed"),
            // The tags as last read are kept for the next pass: they now carry the new AFI.
            Ok(()) if self.security.use_afi => {
                let afi = match on_loan {
                    true => self.security.afi_on_loan,
                    false => self.security.afi_in_library,
                };
                for tag in self.last_field.iter_mut() {
                    if tags.iter().any(|t| TagId::from_hex(&t.0) == Some(tag.id)) {
                        tag.afi = Some(afi);
                    }
                }
            }
            Ok(()) => {}
        }
        SecurityReport {
            item: item.clone(),
            tags: tags.to_vec(),
            state,
            ok: result.is_ok(),
            error: result.err(),
        }
    }
}

/// The status light staff read from across the room: green ready, blue working, red when the
/// reader needs help, red and blue out of service.
fn light_for(screen: &Screen) -> Light {
    if screen.page == Page::OutOfService {
        Light::OutOfService
    } else if screen.busy {
        Light::Busy
    } else if screen.notice.is_some() {
        Light::Problem
    } else {
        Light::Ready
    }
}

/// Passes a device's result on, logging a fault once until it changes or clears.
fn note<T>(
    faults: &mut BTreeMap<String, String>,
    device: &str,
    result: Result<T, DeviceError>,
) -> Option<T> {
    match result {
        Ok(value) => {
            if faults.remove(device).is_some() {
                tracing::info!(device, "device working again");
            }
            Some(value)
        }
        Err(error) => {
            let text = error.to_string();
            if faults.get(device) != Some(&text) {
                tracing::error!(device, error = %text, "device fault");
                faults.insert(device.to_owned(), text);
            }
            None
        }
    }
}

fn pad_event(event: PadEvent) -> Event {
    match event {
        PadEvent::Item(item) => item_event(item),
        PadEvent::Unreadable { tag, problem } => {
            tracing::info!(%tag, %problem, "unreadable tag on the pad");
            Event::UnreadableTag(TagUid(tag.to_string()))
        }
        PadEvent::PatronCard { id } => Event::Barcode(id),
    }
}

fn item_event(item: StackItem<TagId>) -> Event {
    let set = match item.status {
        SetStatus::Complete => SetCheck::Complete,
        SetStatus::MissingParts { parts, present } => SetCheck::MissingParts {
            parts,
            present: u8::try_from(present.len()).unwrap_or(u8::MAX),
        },
        SetStatus::Inconsistent => SetCheck::Inconsistent,
    };
    Event::ItemTag {
        tags: item.tags.iter().map(|t| TagUid(t.to_string())).collect(),
        item: ItemId(item.primary_id),
        offline_use: OfflineUse {
            issue: item.usage.offline_issue_allowed(),
            take_back: item.usage.offline_return_allowed(),
        },
        set,
    }
}

/// The receipt as the printer prints it: in Chinese and English together, as library receipts
/// in China commonly are, so it needs no language of its own.
fn print_job(receipt: &Receipt, library: &str, printed_at: &str) -> PrintJob {
    use crate::circ::effect::Action;
    let mut lines = vec![
        library.to_owned(),
        "借还凭条 Receipt".to_owned(),
        printed_at.to_owned(),
        format!("读者 Reader: {}", receipt.patron_name),
        String::new(),
    ];
    for line in &receipt.lines {
        let action = match line.action {
            Action::Borrow => "借出 Borrowed",
            Action::Return => "归还 Returned",
            Action::Renew => "续借 Renewed",
        };
        lines.push(format!("{action}: {}", line.title));
        lines.push(format!("  {}", line.item));
        if let Some(due) = &line.due {
            lines.push(format!("  应还 Due {}", due.display()));
        }
    }
    if receipt.offline {
        lines.push(String::new());
        lines.push("系统离线，应还日期为预估".into());
        lines.push("Library system offline: due dates are estimates".into());
    }
    if !receipt.ils_lines.is_empty() {
        lines.push(String::new());
        lines.extend(receipt.ils_lines.iter().cloned());
    }
    if let Some(also) = &receipt.also_borrowed {
        lines.push(String::new());
        lines.push(format!(
            "借阅《{}》的读者也借了《{}》",
            also.borrowed, also.also
        ));
        lines.push(format!(
            "Readers who borrowed \"{}\" also borrowed \"{}\"",
            also.borrowed, also.also
        ));
    }
    PrintJob { lines }
}

mod flap;
mod status;
mod watch;

pub use status::{PARTS, Paper, PartState, part_label};
#[cfg(test)]
use watch::{ITEM_READER_CHECK, PRINTER_CHECK, READER_GRACE};

#[cfg(test)]
mod tests;
