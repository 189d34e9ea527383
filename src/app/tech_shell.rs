//! The technician mode's shell: checks the staff PIN against its argon2 hash, runs the device
//! tests on the machine, asks the ILS worker for the link test and the queue, keeps the event
//! monitor, reads the log, and writes every staff action to the audit log.

use super::devices::DeviceHub;
use crate::circ::Moment;
use crate::circ::ils_io::StaffRequest;
use crate::circ::types::Pin;
use crate::circ::{Event, IlsAnswer, IlsReply};
use crate::config::Config;
use crate::config::secrets::Secrets;
use crate::tech::{PinProblem, TechEvent, TechMode, TechPage, TechPolicy};
use kiosk_hw::selftest::{Level, PARTS, PartCheck, part_name};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::io::Write;
use std::path::PathBuf;

/// A technician's action, from the touchscreen or a headless script (`{"tech": …}`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum TechCommand {
    /// The long press on the screen's corner.
    CornerHeld,
    /// The staff PIN typed (never printed).
    Pin(Pin),
    Open(TechPage),
    /// Run one part's active test (`item_reader`, `printer`…).
    Test(String),
    /// Test the ILS link.
    TestIls,
    /// Send the offline queue now.
    ReplayNow,
    /// Read the tags on the pad again.
    ReadTags,
    /// Set a tag's security state: `{"secure": {"uid": "E004…", "on_loan": false}}`.
    Secure {
        uid: String,
        on_loan: bool,
    },
    /// The spoken prompts: `{"voice": "louder"}` (`on`, `off`, `louder`, `softer`, `test`),
    /// until the kiosk restarts (the configuration keeps the lasting setting).
    Voice(VoiceControl),
    Exit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoiceControl {
    On,
    Off,
    Louder,
    Softer,
    Test,
}

/// One part on the devices page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeviceRow {
    pub name: &'static str,
    pub status: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
}

/// What the technician's screen shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TechView {
    /// `None`: the reader's screen.
    pub page: Option<TechPage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<PinProblem>,
    pub devices: Vec<DeviceRow>,
    pub monitor: Vec<String>,
    pub ils: Vec<String>,
    pub queue: Vec<String>,
    pub log: Vec<String>,
    /// The tags on the pad: UID and what was read.
    pub tags: Vec<TagRow>,
    /// The spoken prompts: on or off, volume, quiet hours, output.
    pub voice: String,
    /// The Statistics page, once the journal answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statistics: Option<crate::stats::Statistics>,
    /// Why the Statistics page has nothing to show (the journal could not be read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statistics_problem: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TagRow {
    pub uid: String,
    pub text: String,
}

/// Lines kept on the monitor and read from the log.
const MONITOR_LINES: usize = 40;
const LOG_LINES: usize = 40;

pub struct TechShell {
    mode: TechMode,
    pin_hash: Option<String>,
    audit: Option<PathBuf>,
    kiosk: String,
    log_file: Option<PathBuf>,
    view: TechView,
    monitor: VecDeque<String>,
}

impl TechShell {
    pub fn new(config: &Config, secrets: &Secrets) -> TechShell {
        let pin_hash = secrets
            .staff_pin_hash
            .as_ref()
            .map(|h| h.expose().to_owned())
            .filter(|hash| match argon2::PasswordHash::new(hash) {
                Ok(_) => true,
                Err(error) => {
                    tracing::error!(%error, "staff_pin_hash is not an argon2 hash: technician mode is off");
                    false
                }
            });
        let journal = &config.journal.path;
        let audit = (journal.as_os_str() != ":memory:")
            .then(|| journal.with_file_name("staff-audit.jsonl"));
        TechShell {
            mode: TechMode::new(TechPolicy::default(), pin_hash.is_some()),
            pin_hash,
            audit,
            kiosk: config.kiosk.id.clone(),
            log_file: config.logging.file.clone(),
            view: TechView::default(),
            monitor: VecDeque::new(),
        }
    }

    /// A shell whose mode cannot be entered (no staff PIN), writing no audit log.
    pub fn disabled() -> TechShell {
        TechShell {
            mode: TechMode::new(TechPolicy::default(), false),
            pin_hash: None,
            audit: None,
            kiosk: String::new(),
            log_file: None,
            view: TechView::default(),
            monitor: VecDeque::new(),
        }
    }

    /// Whether the technician's screen covers the reader's (device events go to the monitor).
    pub fn is_open(&self) -> bool {
        self.mode.page().is_some()
    }

    pub fn view(&self) -> &TechView {
        &self.view
    }

    /// Applies a command; returns a request for the ILS worker when one is needed.
    pub fn command(
        &mut self,
        command: TechCommand,
        devices: &mut DeviceHub,
        now: Moment,
    ) -> Option<StaffRequest> {
        let mut request = None;
        match command {
            TechCommand::CornerHeld => self.event(TechEvent::CornerHeld, now),
            TechCommand::Pin(pin) => {
                if self.mode.accepts_pin(now) {
                    let right = self.pin_right(&pin);
                    self.event(TechEvent::PinChecked { right }, now);
                    if self.mode.signed_in() {
                        self.view.devices = devices.self_test().iter().map(row).collect();
                    }
                } else {
                    self.event(TechEvent::PinChecked { right: false }, now);
                }
            }
            TechCommand::Open(page) => {
                self.event(TechEvent::Open(page), now);
                if self.mode.page() == Some(page) {
                    match page {
                        TechPage::Queue => request = Some(StaffRequest::QueueStatus),
                        TechPage::Statistics => request = Some(StaffRequest::Statistics),
                        TechPage::Log => self.view.log = self.recent_log(),
                        TechPage::Tags => self.read_tags(devices),
                        TechPage::Devices => {
                            self.view.devices = devices.self_test().iter().map(row).collect();
                        }
                        _ => {}
                    }
                }
            }
            TechCommand::Test(name) if self.mode.signed_in() => {
                match PARTS.iter().find(|p| part_name(**p) == name) {
                    Some(device) => {
                        let check = devices.test_part(*device);
                        let new = check.as_ref().map(row).unwrap_or(DeviceRow {
                            name: part_name(*device),
                            status: "ok",
                            message: "not fitted".into(),
                            action: None,
                        });
                        self.audit(&format!(
                            "tested the {name}: {} ({})",
                            new.status, new.message
                        ));
                        match self.view.devices.iter_mut().find(|r| r.name == new.name) {
                            Some(existing) => *existing = new,
                            None => self.view.devices.push(new),
                        }
                    }
                    None => tracing::warn!(%name, "no such part to test"),
                }
            }
            TechCommand::TestIls if self.mode.signed_in() => {
                self.audit("tested the ILS link");
                self.view.ils = vec!["testing…".into()];
                request = Some(StaffRequest::ProbeLink);
            }
            TechCommand::ReplayNow if self.mode.signed_in() => {
                self.audit("asked for the queue to be sent now");
                request = Some(StaffRequest::ReplayNow);
            }
            TechCommand::ReadTags if self.mode.signed_in() => self.read_tags(devices),
            TechCommand::Secure { uid, on_loan } if self.mode.signed_in() => {
                let state = if on_loan { "on loan" } else { "in the library" };
                let result = devices.set_tag_security(&uid, on_loan);
                let outcome = match &result {
                    Ok(()) => "done, read back".to_owned(),
                    Err(error) => format!("failed: {error}"),
                };
                self.audit(&format!("set tag {uid} to {state}: {outcome}"));
                self.read_tags(devices);
            }
            TechCommand::Exit => self.event(TechEvent::Exit, now),
            // The runtime owns the voice and carries these out (`voice_control`).
            TechCommand::Voice(_) => {}
            TechCommand::Test(_)
            | TechCommand::TestIls
            | TechCommand::ReplayNow
            | TechCommand::ReadTags
            | TechCommand::Secure { .. } => {
                tracing::warn!("a technician's action without the staff PIN was ignored");
            }
        }
        self.refresh();
        request
    }

    /// What the ILS worker answered to a staff request.
    pub fn answered(&mut self, request: StaffRequest, reply: IlsReply) {
        let lines = match reply {
            Ok(IlsAnswer::Statistics(statistics)) => {
                self.view.statistics = Some(*statistics);
                self.view.statistics_problem = None;
                return;
            }
            Ok(IlsAnswer::Staff { lines, .. }) => lines,
            Ok(other) => vec![format!("unexpected answer: {other:?}")],
            Err(error) => vec![error.to_string()],
        };
        match request {
            StaffRequest::ProbeLink => {
                self.audit(&format!("ILS link: {}", lines.join("; ")));
                self.view.ils = lines;
            }
            StaffRequest::QueueStatus => self.view.queue = lines,
            // The page says it could not read them, rather than show old or empty counts.
            StaffRequest::Statistics => {
                self.view.statistics = None;
                self.view.statistics_problem = Some(lines.join("; "));
            }
            StaffRequest::ReplayNow => {
                self.audit(&lines.join("; "));
                self.view.queue.extend(lines);
            }
        }
    }

    /// A scan, card or tag that arrived while the technician's screen is up.
    pub fn monitor(&mut self, event: &Event, devices: &DeviceHub) {
        let bytes = |uid: &str| match devices.tag_bytes(uid) {
            Some((afi, memory)) => format!(
                "{uid}: AFI {}, {} bytes {}",
                afi.map(|a| format!("{a:#04x}"))
                    .unwrap_or_else(|| "?".into()),
                memory.len(),
                spaced_hex(&memory)
            ),
            None => uid.to_owned(),
        };
        let lines = match event {
            Event::Barcode(code) => vec![format!(
                "scan: {code:?}, bytes {}",
                spaced_hex(code.as_bytes())
            )],
            Event::CardUid(uid) => vec![format!("card UID: {}", hex(uid))],
            Event::ItemTag {
                tags, item, set, ..
            } => {
                let mut lines = vec![format!("item {} on the pad ({set:?})", item.0)];
                lines.extend(tags.iter().map(|t| format!("  tag {}", bytes(&t.0))));
                lines
            }
            Event::UnreadableTag(tag) => vec![format!("unreadable tag {}", bytes(&tag.0))],
            other => vec![format!("{other:?}")],
        };
        let stamp = chrono::Local::now().format("%H:%M:%S");
        for line in lines {
            self.monitor.push_back(format!("{stamp} {line}"));
        }
        while self.monitor.len() > MONITOR_LINES {
            self.monitor.pop_front();
        }
        self.view.monitor = self.monitor.iter().cloned().collect();
    }

    fn read_tags(&mut self, devices: &mut DeviceHub) {
        self.view.tags = match devices.inspect_tags() {
            Ok(tags) => tags
                .into_iter()
                .map(|(uid, text)| TagRow { uid, text })
                .collect(),
            Err(problem) => vec![TagRow {
                uid: String::new(),
                text: problem,
            }],
        };
    }

    fn pin_right(&self, pin: &Pin) -> bool {
        use argon2::PasswordVerifier;
        let Some(hash) = &self.pin_hash else {
            return false;
        };
        argon2::PasswordHash::new(hash).is_ok_and(|parsed| {
            argon2::Argon2::default()
                .verify_password(pin.expose().as_bytes(), &parsed)
                .is_ok()
        })
    }

    fn event(&mut self, event: TechEvent, now: Moment) {
        for line in self.mode.handle(event, now) {
            self.audit(&line);
        }
    }

    /// Whether the staff PIN was given (a technician's actions are allowed).
    pub fn signed_in(&self) -> bool {
        self.mode.signed_in()
    }

    /// The voice changed (or is first known): its line on the devices page, and the audit.
    pub fn voice_changed(&mut self, line: String, action: Option<&str>) {
        if let Some(action) = action {
            self.audit(&format!("voice: {action} ({line})"));
        }
        self.view.voice = line;
    }

    fn refresh(&mut self) {
        self.view.page = self.mode.page();
        self.view.problem = self.mode.problem();
    }

    /// Every staff action: in the log, and appended to `staff-audit.jsonl` beside the journal.
    fn audit(&self, action: &str) {
        tracing::info!(target: "audit", kiosk = %self.kiosk, action, "staff action");
        let Some(path) = &self.audit else { return };
        let line = serde_json::json!({
            "at": chrono::Utc::now().to_rfc3339(),
            "kiosk": self.kiosk,
            "action": action,
        });
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut file| writeln!(file, "{line}"));
        if let Err(error) = written {
            tracing::error!(%error, path = %path.display(), "cannot write the staff audit log");
        }
    }

    fn recent_log(&self) -> Vec<String> {
        let Some(file) = &self.log_file else {
            return vec![
                "no log file is configured ([logging] file); see journalctl -u kiosk".into(),
            ];
        };
        let newest = crate::app::log_files(file).pop();
        let text = newest
            .and_then(|p| std::fs::read_to_string(p).ok())
            .unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(LOG_LINES)..]
            .iter()
            .map(|l| l.to_string())
            .collect()
    }
}

fn row(check: &PartCheck) -> DeviceRow {
    DeviceRow {
        name: part_name(check.device),
        status: match check.level {
            Level::Ok => "ok",
            Level::Warn => "warn",
            Level::Fail => "fail",
        },
        message: check.message.clone(),
        action: check.action.clone(),
    }
}

/// Bytes as "11 01 33", the way a datasheet shows them.
fn spaced_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}
