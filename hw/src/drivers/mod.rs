//! Drivers for real parts, generic over embedded-hal 1.0 buses and pins (or a serial byte
//! stream), each tested against recorded bus transactions.

pub mod escpos;
pub mod gpio;
pub mod mfrc522;
pub mod pn5180;
pub mod scanner;
pub mod wedge;
