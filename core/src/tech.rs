//! The technician mode's rules, pure: the hidden way in (a long press on a corner, then the
//! staff PIN), the lock after too many wrong PINs, the pages, and what goes in the audit log.
//! The shell checks the PIN against its argon2 hash, runs the tests and reads the machine.

use crate::time::Moment;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Wrong PINs in a row before the mode locks, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TechPolicy {
    pub attempts: u32,
    pub lockout: Duration,
}

impl Default for TechPolicy {
    fn default() -> Self {
        TechPolicy {
            attempts: 5,
            lockout: Duration::from_secs(5 * 60),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TechPage {
    /// The staff PIN prompt.
    Pin,
    /// Every part with its check and a test button.
    Devices,
    /// Scans, cards and tags as they arrive.
    Monitor,
    /// The tags on the pad, decoded, with their security state.
    Tags,
    /// The ILS link test.
    Ils,
    /// The journal and the offline queue.
    Queue,
    /// Recent log lines.
    Log,
    /// Business statistics: today, the last 7 and 30 days, the busiest hours, refusals.
    Statistics,
}

impl TechPage {
    /// Pages that need the PIN.
    fn staff_only(self) -> bool {
        self != TechPage::Pin
    }
}

/// What the technician did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TechEvent {
    /// The hidden gesture: a long press on the screen's corner.
    CornerHeld,
    /// The shell checked the PIN typed against the staff PIN's hash.
    PinChecked {
        right: bool,
    },
    Open(TechPage),
    Exit,
}

/// Why the PIN prompt shows a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "code")]
pub enum PinProblem {
    Wrong {
        tries_left: u32,
    },
    Locked {
        minutes_left: u32,
    },
    /// No staff PIN is configured: the mode cannot be entered.
    NotConfigured,
}

#[derive(Debug, Clone)]
pub struct TechMode {
    policy: TechPolicy,
    page: Option<TechPage>,
    signed_in: bool,
    failures: u32,
    locked_until: Option<Moment>,
    problem: Option<PinProblem>,
    configured: bool,
}

impl TechMode {
    /// `configured`: a staff PIN hash exists.
    pub fn new(policy: TechPolicy, configured: bool) -> TechMode {
        TechMode {
            policy,
            page: None,
            signed_in: false,
            failures: 0,
            locked_until: None,
            problem: None,
            configured,
        }
    }

    /// The page shown over the reader's screen, if any.
    pub fn page(&self) -> Option<TechPage> {
        self.page
    }

    pub fn signed_in(&self) -> bool {
        self.signed_in
    }

    pub fn problem(&self) -> Option<PinProblem> {
        self.problem
    }

    /// Whether a PIN typed now would be checked at all.
    pub fn accepts_pin(&self, now: Moment) -> bool {
        self.configured && self.page == Some(TechPage::Pin) && !self.locked(now)
    }

    fn locked(&self, now: Moment) -> bool {
        self.locked_until.is_some_and(|until| now < until)
    }

    fn minutes_left(&self, now: Moment) -> u32 {
        self.locked_until
            .map(|until| until.saturating_duration_since(now).as_secs().div_ceil(60) as u32)
            .unwrap_or(0)
    }

    /// Applies an event; returns the lines for the audit log.
    pub fn handle(&mut self, event: TechEvent, now: Moment) -> Vec<String> {
        let mut audit = Vec::new();
        match event {
            TechEvent::CornerHeld => {
                if self.page.is_none() {
                    self.page = Some(TechPage::Pin);
                    self.signed_in = false;
                    self.problem = if !self.configured {
                        Some(PinProblem::NotConfigured)
                    } else if self.locked(now) {
                        Some(PinProblem::Locked {
                            minutes_left: self.minutes_left(now),
                        })
                    } else {
                        None
                    };
                    audit.push("technician mode asked for".to_owned());
                }
            }
            TechEvent::PinChecked { right } => {
                if self.page != Some(TechPage::Pin) || !self.configured {
                    return audit;
                }
                if self.locked(now) {
                    self.problem = Some(PinProblem::Locked {
                        minutes_left: self.minutes_left(now),
                    });
                    audit.push("staff PIN typed while locked (not checked)".to_owned());
                } else if right {
                    self.failures = 0;
                    self.locked_until = None;
                    self.signed_in = true;
                    self.problem = None;
                    self.page = Some(TechPage::Devices);
                    audit.push("signed in with the staff PIN".to_owned());
                } else {
                    self.failures += 1;
                    if self.failures >= self.policy.attempts {
                        self.failures = 0;
                        self.locked_until = Some(now + self.policy.lockout);
                        self.problem = Some(PinProblem::Locked {
                            minutes_left: self.minutes_left(now),
                        });
                        audit.push(format!(
                            "wrong staff PIN {} times: technician mode locked for {} minutes",
                            self.policy.attempts,
                            self.policy.lockout.as_secs() / 60
                        ));
                    } else {
                        self.problem = Some(PinProblem::Wrong {
                            tries_left: self.policy.attempts - self.failures,
                        });
                        audit.push("wrong staff PIN".to_owned());
                    }
                }
            }
            TechEvent::Open(page) => {
                if self.signed_in && page.staff_only() {
                    self.page = Some(page);
                    audit.push(format!("opened the {page:?} page").to_lowercase());
                }
            }
            TechEvent::Exit => {
                if self.page.is_some() {
                    if self.signed_in {
                        audit.push("left technician mode".to_owned());
                    }
                    self.page = None;
                    self.signed_in = false;
                    self.problem = None;
                }
            }
        }
        audit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode() -> (TechMode, Moment) {
        (TechMode::new(TechPolicy::default(), true), Moment::ZERO)
    }

    #[test]
    fn the_corner_asks_for_the_pin_and_the_right_pin_opens_the_devices() {
        let (mut tech, now) = mode();
        tech.handle(TechEvent::CornerHeld, now);
        assert_eq!(tech.page(), Some(TechPage::Pin));
        tech.handle(TechEvent::Open(TechPage::Queue), now);
        assert_eq!(tech.page(), Some(TechPage::Pin), "no page without the PIN");
        let audit = tech.handle(TechEvent::PinChecked { right: true }, now);
        assert_eq!(tech.page(), Some(TechPage::Devices));
        assert_eq!(audit, ["signed in with the staff PIN"]);
        tech.handle(TechEvent::Exit, now);
        assert_eq!(tech.page(), None);
        assert!(!tech.signed_in(), "leaving signs out");
    }

    #[test]
    fn five_wrong_pins_lock_for_five_minutes_then_the_right_one_works() {
        let (mut tech, now) = mode();
        tech.handle(TechEvent::CornerHeld, now);
        for tries_left in [4, 3, 2, 1] {
            tech.handle(TechEvent::PinChecked { right: false }, now);
            assert_eq!(tech.problem(), Some(PinProblem::Wrong { tries_left }));
        }
        let audit = tech.handle(TechEvent::PinChecked { right: false }, now);
        assert!(audit[0].contains("locked for 5 minutes"), "{audit:?}");
        assert_eq!(tech.problem(), Some(PinProblem::Locked { minutes_left: 5 }));
        assert!(!tech.accepts_pin(now));
        tech.handle(
            TechEvent::PinChecked { right: true },
            now + Duration::from_secs(200),
        );
        assert_eq!(tech.page(), Some(TechPage::Pin), "still locked");
        assert_eq!(tech.problem(), Some(PinProblem::Locked { minutes_left: 2 }));
        let later = now + Duration::from_secs(301);
        assert!(tech.accepts_pin(later));
        tech.handle(TechEvent::PinChecked { right: true }, later);
        assert_eq!(tech.page(), Some(TechPage::Devices));
    }

    #[test]
    fn the_lock_survives_leaving_and_coming_back() {
        let (mut tech, now) = mode();
        tech.handle(TechEvent::CornerHeld, now);
        for _ in 0..5 {
            tech.handle(TechEvent::PinChecked { right: false }, now);
        }
        tech.handle(TechEvent::Exit, now);
        tech.handle(TechEvent::CornerHeld, now + Duration::from_secs(60));
        assert_eq!(tech.problem(), Some(PinProblem::Locked { minutes_left: 4 }));
    }

    #[test]
    fn without_a_staff_pin_the_mode_cannot_be_entered() {
        let mut tech = TechMode::new(TechPolicy::default(), false);
        let now = Moment::ZERO;
        tech.handle(TechEvent::CornerHeld, now);
        assert_eq!(tech.problem(), Some(PinProblem::NotConfigured));
        tech.handle(TechEvent::PinChecked { right: true }, now);
        assert_eq!(tech.page(), Some(TechPage::Pin));
    }
}
