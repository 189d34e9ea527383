//! Where the runtime reports: every effect of the session machine, the security writes carried
//! out, inputs it could not apply, the technician's screen. The front-ends implement it: JSON
//! lines, a transcript for people, screens for the window.

use super::super::devices::SecurityReport;
use super::super::tech_shell::TechView;
use super::input::Input;
use crate::circ::Effect;
use kiosk_core::promotion::Slide;
use std::io;

pub trait Output {
    /// An input, as it is applied (a transcript shows what was done).
    fn input(&mut self, _input: &Input) -> io::Result<()> {
        Ok(())
    }
    fn effect(&mut self, effect: &Effect) -> io::Result<()>;
    /// A security write was carried out (or failed).
    fn security(&mut self, report: &SecurityReport) -> io::Result<()>;
    /// An input that could not be applied, and why; `line` as the input came with it.
    fn rejected(&mut self, line: Option<usize>, message: &str) -> io::Result<()>;
    /// The slides the attract screen shows now changed (in order; empty: none).
    fn slides(&mut self, _slides: &[Slide]) -> io::Result<()> {
        Ok(())
    }
    /// The technician's screen changed.
    fn tech(&mut self, _view: &TechView) -> io::Result<()> {
        Ok(())
    }
}
