//! The simulated machine: a pad with tags holding real ISO 28560 bytes, a scanner, a card
//! reader, lights, a return slot and a printer that keeps what it printed. `kiosk demo` and the
//! tests drive it through [`SimDevices`]; the app sees only the device traits.

use crate::config::PartFault;
use crate::device::{
    BarcodeScanner, Beep, CardReader, Device, DeviceError, Fault, Identity, Indicators, ItemReader,
    Light, PrintJob, PrinterStatus, ReceiptPrinter, ReturnSlot, SystemInfo, TagId,
};
use std::collections::VecDeque;

pub mod pn5180;
use std::sync::{Arc, Mutex, MutexGuard};

const BLOCK_SIZE: usize = 4;
/// Blocks of an ICODE SLIX tag, the commonest library tag.
const BLOCKS: usize = 28;

/// How a simulated tag misbehaves, for tests and for showing staff what a fault looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TagFault {
    #[default]
    None,
    /// AFI writes are refused with ISO 15693 error 0x12 (locked).
    AfiLocked,
    /// AFI writes are acknowledged but do not take (caught by the read-back).
    AfiSilentlyIgnored,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimTag {
    pub id: TagId,
    pub memory: Vec<u8>,
    pub afi: u8,
    pub eas: bool,
    pub fault: TagFault,
}

impl SimTag {
    /// A tag holding `data`, padded to a whole SLIX memory.
    pub fn new(id: TagId, data: &[u8], afi: u8) -> SimTag {
        let mut memory = data.to_vec();
        memory.resize(
            (BLOCKS * BLOCK_SIZE).max(data.len().next_multiple_of(BLOCK_SIZE)),
            0,
        );
        SimTag {
            id,
            memory,
            afi,
            eas: true,
            fault: TagFault::None,
        }
    }
}

#[derive(Debug, Default)]
struct SimState {
    pad: Vec<SimTag>,
    scans: VecDeque<String>,
    cards: VecDeque<Vec<u8>>,
    printed: Vec<PrintJob>,
    printer: Option<PrinterStatus>,
    light: Option<Light>,
    beeps: Vec<Beep>,
    slot_unlocked: bool,
    slot_open: bool,
    /// Security writes in order: (tag, AFI), for tests and the demo's log.
    afi_writes: Vec<(TagId, u8)>,
    /// Parts that misbehave (`[hardware.sim] faults`).
    faults: std::collections::HashMap<Device, PartFault>,
    /// How often the printer was unplugged: a port opened before that never answers again.
    printer_unplugs: u32,
}

/// A handle on the simulated machine; clones share it.
#[derive(Debug, Clone, Default)]
pub struct SimDevices {
    state: Arc<Mutex<SimState>>,
}

impl SimDevices {
    pub fn new() -> Self {
        SimDevices::default()
    }

    fn state(&self) -> MutexGuard<'_, SimState> {
        // A panic while holding the lock leaves plain data behind; keep using it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Lays a tag on the pad (replacing one with the same UID).
    pub fn place(&self, tag: SimTag) {
        let mut state = self.state();
        state.pad.retain(|t| t.id != tag.id);
        state.pad.push(tag);
    }

    pub fn remove(&self, id: TagId) {
        self.state().pad.retain(|t| t.id != id);
    }

    pub fn clear_pad(&self) {
        self.state().pad.clear();
    }

    pub fn set_fault(&self, id: TagId, fault: TagFault) -> bool {
        let mut state = self.state();
        let tag = state.pad.iter_mut().find(|t| t.id == id);
        tag.map(|t| t.fault = fault).is_some()
    }

    pub fn tag(&self, id: TagId) -> Option<SimTag> {
        self.state().pad.iter().find(|t| t.id == id).cloned()
    }

    pub fn afi_writes(&self) -> Vec<(TagId, u8)> {
        self.state().afi_writes.clone()
    }

    pub fn scan(&self, code: &str) {
        self.state().scans.push_back(code.to_owned());
    }

    pub fn present_card(&self, uid: &[u8]) {
        self.state().cards.push_back(uid.to_vec());
    }

    pub fn printed(&self) -> Vec<PrintJob> {
        self.state().printed.clone()
    }

    pub fn set_printer(&self, status: PrinterStatus) {
        self.state().printer = Some(status);
    }

    pub fn light(&self) -> Option<Light> {
        self.state().light
    }

    pub fn beeps(&self) -> Vec<Beep> {
        self.state().beeps.clone()
    }

    pub fn slot_unlocked(&self) -> bool {
        self.state().slot_unlocked
    }

    pub fn set_slot_open(&self, open: bool) {
        self.state().slot_open = open;
    }

    /// Makes a part misbehave from now on (`None`: mends it).
    pub fn set_device_fault(&self, device: Device, fault: Option<PartFault>) {
        let mut state = self.state();
        match fault {
            Some(fault) => state.faults.insert(device, fault),
            None => state.faults.remove(&device),
        };
        if device == Device::Printer {
            if fault == Some(PartFault::Missing) {
                state.printer_unplugs += 1;
            }
            state.printer = match fault {
                Some(PartFault::PaperOut) => Some(PrinterStatus::PaperOut),
                Some(PartFault::PaperLow) => Some(PrinterStatus::PaperLow),
                Some(PartFault::CoverOpen) => Some(PrinterStatus::CoverOpen),
                // Paper loaded, cover shut: clearing the fault clears what it did.
                None => None,
                Some(_) => state.printer,
            };
        }
    }

    pub fn device_fault(&self, device: Device) -> Option<PartFault> {
        self.state().faults.get(&device).copied()
    }

    /// A part set to time out answers nothing; one set missing while the machine runs has
    /// been unplugged: its open port fails.
    fn answering(&self, device: Device) -> Result<(), DeviceError> {
        match self.device_fault(device) {
            Some(PartFault::Timeout) => Err(DeviceError::new(
                device,
                Fault::Timeout(std::time::Duration::from_millis(200)),
            )),
            Some(PartFault::Missing) => Err(DeviceError::new(
                device,
                Fault::Bus("simulated: unplugged while running".into()),
            )),
            _ => Ok(()),
        }
    }
}

fn silent(id: TagId) -> DeviceError {
    DeviceError::new(Device::ItemReader, Fault::TagSilent(id))
}

impl SimState {
    /// The tag with this UID on the pad; one that is not there stays silent, as a real one would.
    fn tag(&self, id: TagId) -> Result<&SimTag, DeviceError> {
        self.pad.iter().find(|t| t.id == id).ok_or(silent(id))
    }

    fn tag_mut(&mut self, id: TagId) -> Result<&mut SimTag, DeviceError> {
        self.pad.iter_mut().find(|t| t.id == id).ok_or(silent(id))
    }
}

impl ItemReader for SimDevices {
    fn identify(&mut self) -> Result<Identity, DeviceError> {
        self.answering(Device::ItemReader)?;
        Ok(match self.device_fault(Device::ItemReader) {
            Some(PartFault::WrongChip) => Identity {
                model: "PN5180 firmware 2.1 (simulated)".into(),
                warning: Some("firmware 2.1 is not one this driver knows (3.5, 4.0); ISO 15693 timing may differ".into()),
                action: None,
            },
            _ => Identity {
                model: "PN5180 firmware 4.0 (simulated)".into(),
                warning: None,
                action: None,
            },
        })
    }

    fn inventory(&mut self) -> Result<Vec<TagId>, DeviceError> {
        self.answering(Device::ItemReader)?;
        Ok(self.state().pad.iter().map(|t| t.id).collect())
    }

    fn system_info(&mut self, id: TagId) -> Result<SystemInfo, DeviceError> {
        self.answering(Device::ItemReader)?;
        let state = self.state();
        let tag = state.tag(id)?;
        Ok(SystemInfo {
            dsfid: Some(0),
            afi: Some(tag.afi),
            block_size: BLOCK_SIZE as u8,
            blocks: (tag.memory.len() / BLOCK_SIZE) as u16,
            ic_reference: Some(0x01),
        })
    }

    fn read_blocks(&mut self, id: TagId, first: u8, count: u8) -> Result<Vec<u8>, DeviceError> {
        self.answering(Device::ItemReader)?;
        let state = self.state();
        let tag = state.tag(id)?;
        let start = usize::from(first) * BLOCK_SIZE;
        let end = start + usize::from(count) * BLOCK_SIZE;
        tag.memory
            .get(start..end)
            .map(<[u8]>::to_vec)
            .ok_or(DeviceError::new(
                Device::ItemReader,
                Fault::TagRefused {
                    tag: id,
                    code: 0x10,
                },
            ))
    }

    fn write_block(&mut self, id: TagId, block: u8, data: &[u8]) -> Result<(), DeviceError> {
        self.answering(Device::ItemReader)?;
        let mut state = self.state();
        let tag = state.tag_mut(id)?;
        let start = usize::from(block) * BLOCK_SIZE;
        match tag.memory.get_mut(start..start + BLOCK_SIZE) {
            Some(target) if data.len() == BLOCK_SIZE => {
                target.copy_from_slice(data);
                Ok(())
            }
            _ => Err(DeviceError::new(
                Device::ItemReader,
                Fault::TagRefused {
                    tag: id,
                    code: 0x10,
                },
            )),
        }
    }

    fn write_afi(&mut self, id: TagId, afi: u8) -> Result<(), DeviceError> {
        self.answering(Device::ItemReader)?;
        let mut state = self.state();
        let tag = state.tag_mut(id)?;
        match tag.fault {
            TagFault::AfiLocked => {
                let fault = Fault::TagRefused {
                    tag: id,
                    code: 0x12,
                };
                return Err(DeviceError::new(Device::ItemReader, fault));
            }
            TagFault::AfiSilentlyIgnored => {}
            TagFault::None => tag.afi = afi,
        }
        state.afi_writes.push((id, afi));
        Ok(())
    }

    fn set_eas(&mut self, id: TagId, armed: bool) -> Result<(), DeviceError> {
        self.answering(Device::ItemReader)?;
        let mut state = self.state();
        let tag = state.tag_mut(id)?;
        tag.eas = armed;
        Ok(())
    }
}

impl BarcodeScanner for SimDevices {
    fn poll(&mut self) -> Result<Vec<String>, DeviceError> {
        self.answering(Device::Scanner)?;
        Ok(self.state().scans.drain(..).collect())
    }
}

impl CardReader for SimDevices {
    fn identify(&mut self) -> Result<Identity, DeviceError> {
        self.answering(Device::CardReader)?;
        let version = match self.device_fault(Device::CardReader) {
            Some(PartFault::WrongChip) => 0x12,
            _ => 0x92,
        };
        let (model, warning) = crate::drivers::mfrc522::chip_of(version);
        Ok(Identity {
            model: format!("{model} (simulated)"),
            warning,
            action: None,
        })
    }

    fn poll(&mut self) -> Result<Option<Vec<u8>>, DeviceError> {
        self.answering(Device::CardReader)?;
        Ok(self.state().cards.pop_front())
    }
}

impl Indicators for SimDevices {
    fn light(&mut self, light: Light) -> Result<(), DeviceError> {
        self.answering(Device::Indicators)?;
        self.state().light = Some(light);
        Ok(())
    }

    fn beep(&mut self, beep: Beep) -> Result<(), DeviceError> {
        self.answering(Device::Indicators)?;
        self.state().beeps.push(beep);
        Ok(())
    }
}

impl ReturnSlot for SimDevices {
    fn unlock(&mut self) -> Result<(), DeviceError> {
        self.answering(Device::ReturnSlot)?;
        self.state().slot_unlocked = true;
        Ok(())
    }

    fn lock(&mut self) -> Result<(), DeviceError> {
        self.answering(Device::ReturnSlot)?;
        self.state().slot_unlocked = false;
        Ok(())
    }

    fn is_open(&mut self) -> Result<bool, DeviceError> {
        self.answering(Device::ReturnSlot)?;
        Ok(self.state().slot_open)
    }
}

/// The simulated printer's port as opened: like a USB-serial port, it dies when the printer is
/// unplugged, and plugging it back in needs the port opened again.
pub struct SimPrinterPort {
    sim: SimDevices,
    unplugs_at_open: u32,
}

impl SimDevices {
    /// Opens the simulated printer's port.
    pub fn printer_port(&self) -> SimPrinterPort {
        SimPrinterPort {
            sim: self.clone(),
            unplugs_at_open: self.state().printer_unplugs,
        }
    }
}

impl SimPrinterPort {
    fn alive(&self) -> Result<(), DeviceError> {
        if self.sim.state().printer_unplugs == self.unplugs_at_open {
            return Ok(());
        }
        Err(DeviceError::new(
            Device::Printer,
            Fault::Bus("simulated: the port went away when the printer was unplugged".into()),
        ))
    }
}

impl ReceiptPrinter for SimPrinterPort {
    fn status(&mut self) -> Result<PrinterStatus, DeviceError> {
        self.sim.answering(Device::Printer)?;
        self.alive()?;
        Ok(self.sim.state().printer.unwrap_or(PrinterStatus::Ready))
    }

    fn print(&mut self, job: &PrintJob) -> Result<(), DeviceError> {
        self.sim.answering(Device::Printer)?;
        self.alive()?;
        let mut state = self.sim.state();
        match state.printer.unwrap_or(PrinterStatus::Ready) {
            PrinterStatus::PaperOut => Err(DeviceError::new(Device::Printer, Fault::PaperOut)),
            PrinterStatus::CoverOpen => Err(DeviceError::new(Device::Printer, Fault::CoverOpen)),
            PrinterStatus::Ready | PrinterStatus::PaperLow => {
                state.printed.push(job.clone());
                Ok(())
            }
        }
    }
}
