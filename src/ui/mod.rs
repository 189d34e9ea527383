//! The touchscreen: the Slint window (declared in `ui/*.slint`) bound to the session machine.
//!
//! The runtime runs on a thread of its own; the window sends it typed inputs and shows the
//! screens it sends back. Rust here holds no layout: it maps values to properties and callbacks
//! to inputs. This module depends on the shell (`crate::app`), never the other way round: the
//! binary hands [`Touchscreen`] to the shell as its window front-end.

pub mod bind;
pub mod run;
pub mod screenshot;
pub mod slides;
pub mod window;

#[allow(clippy::all, clippy::pedantic, unused)]
pub mod generated {
    slint::include_modules!();
}

use crate::app::cli::ScreenshotArgs;
use crate::app::{AppError, WindowFrontEnd};
use crate::config::Config;
use crate::config::secrets::Secrets;

/// The Slint touchscreen, as the shell's window front-end.
pub struct Touchscreen;

impl WindowFrontEnd for Touchscreen {
    fn run_window(&self, config: &Config, secrets: &Secrets, demo: bool) -> Result<(), AppError> {
        run::run_window(config, secrets, demo)
    }

    fn screenshot(&self, args: ScreenshotArgs) -> Result<(), AppError> {
        screenshot::from_args(args)
    }

    fn out_of_service(&self, config: &Config, code: &str) -> Result<(), AppError> {
        run::run_out_of_service(config, code)
    }
}

#[cfg(test)]
mod tests;
