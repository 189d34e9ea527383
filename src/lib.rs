//! The library self-service kiosk (自助借还机): circulation core, ILS adapters, configuration
//! and the shells that drive them. See README.md for who uses it and how.

pub mod app;
pub mod circ;
pub mod config;
pub mod ils;
pub mod queue;
pub mod tech;
pub mod ui;
