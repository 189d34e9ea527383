//! USB barcode scanners in keyboard mode ("keyboard wedge"): each code arrives as key presses
//! ending with Enter. On Linux the kiosk grabs the scanner's evdev node so the keystrokes reach
//! only the kiosk, never the UI; the decoding of key codes (US layout, as scanners send) is pure.

use super::scanner::{Framed, Framing, ScanFramer};

/// Linux input event codes (linux/input-event-codes.h) the scanner can send.
mod key {
    pub const ENTER: u16 = 28;
    pub const KP_ENTER: u16 = 96;
    pub const LEFT_SHIFT: u16 = 42;
    pub const RIGHT_SHIFT: u16 = 54;
}

/// Turns key events (code, value: 1 press, 0 release, 2 repeat) into codes.
#[derive(Debug)]
pub struct KeyDecoder {
    framer: ScanFramer,
    shift: bool,
}

impl Default for KeyDecoder {
    fn default() -> Self {
        KeyDecoder::new()
    }
}

impl KeyDecoder {
    pub fn new() -> Self {
        let framing = Framing {
            suffix: "\n".into(),
            ..Framing::default()
        };
        KeyDecoder {
            framer: ScanFramer::new(&framing),
            shift: false,
        }
    }

    pub fn key(&mut self, code: u16, value: i32) -> Option<Framed> {
        if code == key::LEFT_SHIFT || code == key::RIGHT_SHIFT {
            self.shift = value != 0;
            return None;
        }
        if value != 1 {
            return None;
        }
        let byte = match code {
            key::ENTER | key::KP_ENTER => b'\n',
            // A key with no character spoils the code; 0x01 makes the framer drop it.
            _ => char_of(code, self.shift).map_or(0x01, |c| c as u8),
        };
        self.framer.push(byte)
    }

    pub fn expire(&mut self) -> Option<Framed> {
        self.framer.expire()
    }
}

fn char_of(code: u16, shift: bool) -> Option<char> {
    const DIGITS: &[u8; 10] = b"1234567890";
    const DIGITS_SHIFTED: &[u8; 10] = b"!@#$%^&*()";
    let pick = |plain: u8, shifted: u8| Some(char::from(if shift { shifted } else { plain }));
    let letter = |c: u8| Some(char::from(if shift { c.to_ascii_uppercase() } else { c }));
    match code {
        2..=11 => {
            let i = usize::from(code - 2);
            pick(DIGITS[i], DIGITS_SHIFTED[i])
        }
        12 => pick(b'-', b'_'),
        13 => pick(b'=', b'+'),
        16..=25 => letter(b"qwertyuiop"[usize::from(code - 16)]),
        30..=38 => letter(b"asdfghjkl"[usize::from(code - 30)]),
        44..=50 => letter(b"zxcvbnm"[usize::from(code - 44)]),
        39 => pick(b';', b':'),
        40 => pick(b'\'', b'"'),
        51 => pick(b',', b'<'),
        52 => pick(b'.', b'>'),
        53 => pick(b'/', b'?'),
        57 => Some(' '),
        // The numeric keypad, which some scanners use for digits.
        71..=73 => Some(char::from(b"789"[usize::from(code - 71)])),
        75..=77 => Some(char::from(b"456"[usize::from(code - 75)])),
        79..=81 => Some(char::from(b"123"[usize::from(code - 79)])),
        82 => Some('0'),
        74 => Some('-'),
        83 => Some('.'),
        _ => None,
    }
}

#[cfg(feature = "evdev")]
pub use linux::WedgeScanner;

#[cfg(feature = "evdev")]
mod linux {
    use super::KeyDecoder;
    use crate::device::{BarcodeScanner, Device, DeviceError, Fault};
    use std::path::Path;

    /// A keyboard-mode scanner read from its evdev node, grabbed for the kiosk alone.
    pub struct WedgeScanner {
        device: evdev::Device,
        decoder: KeyDecoder,
    }

    impl WedgeScanner {
        pub fn open(path: &Path) -> Result<Self, DeviceError> {
            let fault = |what: String| DeviceError::new(Device::Scanner, Fault::Missing(what));
            let mut device =
                evdev::Device::open(path).map_err(|e| fault(format!("{}: {e}", path.display())))?;
            device
                .grab()
                .map_err(|e| fault(format!("cannot grab {}: {e}", path.display())))?;
            device
                .set_nonblocking(true)
                .map_err(|e| fault(format!("{}: {e}", path.display())))?;
            Ok(WedgeScanner {
                device,
                decoder: KeyDecoder::new(),
            })
        }
    }

    impl BarcodeScanner for WedgeScanner {
        fn poll(&mut self) -> Result<Vec<String>, DeviceError> {
            let mut codes = Vec::new();
            let events: Vec<(u16, i32)> = match self.device.fetch_events() {
                Ok(events) => events
                    .filter(|e| e.event_type() == evdev::EventType::KEY)
                    .map(|e| (e.code(), e.value()))
                    .collect(),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Vec::new(),
                Err(e) => {
                    let fault = Fault::Bus(format!("reading key events: {e}"));
                    return Err(DeviceError::new(Device::Scanner, fault));
                }
            };
            for (code, value) in events {
                match self.decoder.key(code, value) {
                    Some(super::Framed::Code(code)) => codes.push(code),
                    Some(super::Framed::Discarded { why, bytes }) => {
                        tracing::warn!(bytes, %why, "keyboard scanner: frame discarded");
                    }
                    None => {}
                }
            }
            Ok(codes)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn type_keys(decoder: &mut KeyDecoder, keys: &[(u16, i32)]) -> Vec<Framed> {
        keys.iter()
            .filter_map(|&(code, value)| decoder.key(code, value))
            .collect()
    }

    fn press(code: u16) -> [(u16, i32); 2] {
        [(code, 1), (code, 0)]
    }

    #[test]
    fn key_presses_become_a_code_at_enter() {
        let mut decoder = KeyDecoder::new();
        // "3023" then Enter; releases and auto-repeats add nothing.
        let mut keys: Vec<(u16, i32)> = [4, 11, 3, 4].iter().flat_map(|&k| press(k)).collect();
        keys.push((4, 2));
        keys.extend(press(28));
        assert_eq!(
            type_keys(&mut decoder, &keys),
            [Framed::Code("3023".into())]
        );
    }

    #[test]
    fn shift_gives_capitals_and_the_keypad_gives_digits() {
        let mut decoder = KeyDecoder::new();
        let mut keys = vec![(42, 1)];
        keys.extend(press(16)); // Q
        keys.push((42, 0));
        keys.extend(press(30)); // a
        keys.extend(press(79)); // keypad 1
        keys.extend(press(96)); // keypad Enter
        assert_eq!(type_keys(&mut decoder, &keys), [Framed::Code("Qa1".into())]);
    }

    #[test]
    fn a_key_without_a_character_spoils_that_code_only() {
        let mut decoder = KeyDecoder::new();
        let mut keys: Vec<(u16, i32)> = press(2).to_vec();
        keys.extend(press(59)); // F1
        keys.extend(press(28));
        keys.extend(press(3));
        keys.extend(press(28));
        let out = type_keys(&mut decoder, &keys);
        assert!(matches!(out[0], Framed::Discarded { .. }), "{out:?}");
        assert_eq!(out[1], Framed::Code("2".into()));
    }
}
