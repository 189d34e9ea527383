//! The technician mode on the touchscreen: the hidden gesture, five wrong staff PINs lock it,
//! the right PIN after the lock (on the session's mock clock) opens the device page, and a
//! device test runs from the screen.

use super::Kiosk;
use crate::config::secrets::{Secret, Secrets};
use crate::ui::generated::{Page, TechScreen, Technician};
use argon2::PasswordHasher;
use slint::ComponentHandle;
use slint::platform::{PointerEventButton, WindowEvent};

const STAFF_PIN: &str = "2468";

fn secrets() -> Secrets {
    let salt = argon2::password_hash::SaltString::from_b64("dWktdGVzdC1zYWx0").unwrap();
    let hash = argon2::Argon2::default()
        .hash_password(STAFF_PIN.as_bytes(), &salt)
        .unwrap();
    Secrets {
        staff_pin_hash: Some(Secret::new(hash.to_string())),
        ..Secrets::default()
    }
}

impl Kiosk {
    /// Presses the top-left corner for `ms` of Slint's mock time, then lets go.
    fn hold_corner(&self, ms: u64) {
        let window = self.ui.window.window();
        window.set_size(slint::LogicalSize::new(1280.0, 800.0));
        let at = slint::LogicalPosition::new(8.0, 8.0);
        window.dispatch_event(WindowEvent::PointerMoved { position: at });
        window.dispatch_event(WindowEvent::PointerPressed {
            position: at,
            button: PointerEventButton::Left,
        });
        i_slint_backend_testing::mock_elapsed_time(std::time::Duration::from_millis(ms));
        window.dispatch_event(WindowEvent::PointerReleased {
            position: at,
            button: PointerEventButton::Left,
        });
        self.ui.sync();
    }
}

#[test]
fn the_technician_gets_in_by_the_corner_and_the_staff_pin_and_tests_a_device() {
    let k = Kiosk::start_with_secrets(|_| {}, &secrets());
    k.touch("English");
    // A short press does nothing.
    k.hold_corner(500);
    assert_eq!(
        k.ui.window.global::<Technician>().get_screen(),
        TechScreen::Hidden
    );
    k.hold_corner(3100);
    k.assert_shows("Technician mode: staff PIN");
    for tries_left in [4, 3, 2, 1] {
        k.type_pin("1111", "OK");
        k.assert_shows(&format!("Wrong staff PIN. {tries_left} tries left."));
    }
    k.type_pin("1111", "OK");
    k.assert_shows("Too many wrong PINs: technician mode is locked for 5 more minutes.");
    // Locked: even the right PIN is not taken.
    k.type_pin(STAFF_PIN, "OK");
    k.assert_shows("technician mode is locked for 5 more minutes");
    k.wait(301.0);
    k.type_pin(STAFF_PIN, "OK");
    assert_eq!(
        k.ui.window.global::<Technician>().get_screen(),
        TechScreen::Devices
    );
    k.assert_shows("item_reader — ok");
    k.assert_shows("printer — ok");
    k.touch("Test indicators");
    k.assert_shows("green, blue and red shown, one beep: check them by eye and ear");
    // A scan on the monitor does not start a loan.
    k.touch("Monitor");
    k.device("Book: 三体 (scan)");
    k.assert_shows("scan: \"30234000001015\"");
    k.touch("ILS link");
    k.touch("Test the link");
    k.assert_shows("the simulated library, in process");
    k.touch("Exit");
    assert_eq!(
        k.ui.window.global::<Technician>().get_screen(),
        TechScreen::Hidden
    );
    assert_eq!(
        k.page(),
        Page::Idle,
        "the reader's screen is back, no session started"
    );
}
