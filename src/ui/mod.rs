//! The touchscreen: the Slint window (declared in `ui/*.slint`) bound to the session machine.
//!
//! The session runs in the headless driver on a thread of its own; the window sends it
//! commands and shows the screens it sends back. Rust here holds no layout: it maps values to
//! properties and callbacks to commands.

pub mod bind;
pub mod run;
pub mod screenshot;
pub mod window;

#[allow(clippy::all, clippy::pedantic, unused)]
pub mod generated {
    slint::include_modules!();
}

#[cfg(test)]
mod tests;
