//! The library system (ILS): the [`Ils`] trait and its adapters.
pub mod sim;
