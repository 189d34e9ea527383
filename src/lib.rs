//! The library self-service kiosk (自助借还机): circulation core, ILS adapters, configuration
//! and the shells that drive them. See README.md for who uses it and how.

pub mod app;
pub mod config;
pub mod ils;
pub mod metrics;
pub mod promotion;
pub mod queue;
pub mod stats;
#[cfg(feature = "touchscreen")]
pub mod ui;
pub mod voice;

// The pure core lives in its own crate (`core/`), which cannot do I/O; its modules keep the
// paths they always had here.
pub use kiosk_core::{circ, tech};
