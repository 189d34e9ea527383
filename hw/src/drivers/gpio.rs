//! Status light, buzzer and the return slot's lock and sensor on GPIO pins. Relay boards and
//! many LED drivers are active-low, so each output can be inverted in the configuration.

use crate::device::{Beep, Device, DeviceError, Fault, Indicators, Light, ReturnSlot};
use embedded_hal::delay::DelayNs;
use embedded_hal::digital::{InputPin, OutputPin};

const BEEP_MS: u32 = 80;

/// An output pin with its polarity.
pub struct Output<P> {
    pin: P,
    active_low: bool,
}

impl<P: OutputPin> Output<P> {
    pub fn new(pin: P, active_low: bool) -> Self {
        Output { pin, active_low }
    }

    fn set(&mut self, on: bool) -> Result<(), P::Error> {
        if on != self.active_low {
            self.pin.set_high()
        } else {
            self.pin.set_low()
        }
    }

    pub fn release(self) -> P {
        self.pin
    }
}

/// An RGB status light and a buzzer.
pub struct GpioIndicators<P, D> {
    red: Output<P>,
    green: Output<P>,
    blue: Output<P>,
    buzzer: Output<P>,
    delay: D,
}

impl<P: OutputPin, D: DelayNs> GpioIndicators<P, D> {
    pub fn new(
        red: Output<P>,
        green: Output<P>,
        blue: Output<P>,
        buzzer: Output<P>,
        delay: D,
    ) -> Self {
        GpioIndicators {
            red,
            green,
            blue,
            buzzer,
            delay,
        }
    }

    pub fn release(self) -> [P; 4] {
        [
            self.red.release(),
            self.green.release(),
            self.blue.release(),
            self.buzzer.release(),
        ]
    }
}

fn pin_error(device: Device, pin: &str) -> DeviceError {
    DeviceError::new(device, Fault::Bus(format!("cannot set the {pin} pin")))
}

impl<P: OutputPin, D: DelayNs> Indicators for GpioIndicators<P, D> {
    fn light(&mut self, light: Light) -> Result<(), DeviceError> {
        let (red, green, blue) = match light {
            Light::Off => (false, false, false),
            Light::Ready => (false, true, false),
            Light::Busy => (false, false, true),
            Light::Problem => (true, false, false),
            Light::OutOfService => (true, false, true),
        };
        let err = |pin| pin_error(Device::Indicators, pin);
        self.red.set(red).map_err(|_| err("red"))?;
        self.green.set(green).map_err(|_| err("green"))?;
        self.blue.set(blue).map_err(|_| err("blue"))
    }

    fn beep(&mut self, beep: Beep) -> Result<(), DeviceError> {
        let count = match beep {
            Beep::Ok => 1,
            Beep::Problem => 3,
        };
        for i in 0..count {
            if i > 0 {
                self.delay.delay_ms(BEEP_MS);
            }
            let err = |_| pin_error(Device::Indicators, "buzzer");
            self.buzzer.set(true).map_err(err)?;
            self.delay.delay_ms(BEEP_MS);
            self.buzzer.set(false).map_err(err)?;
        }
        Ok(())
    }
}

/// The return slot: a lock (relay) and a sensor that is active while the flap is open.
pub struct GpioReturnSlot<P, I> {
    lock: Output<P>,
    sensor: I,
    sensor_active_low: bool,
}

impl<P: OutputPin, I: InputPin> GpioReturnSlot<P, I> {
    /// `lock` is on (energised) while the slot is unlocked.
    pub fn new(lock: Output<P>, sensor: I, sensor_active_low: bool) -> Self {
        GpioReturnSlot {
            lock,
            sensor,
            sensor_active_low,
        }
    }

    pub fn release(self) -> (P, I) {
        (self.lock.release(), self.sensor)
    }
}

impl<P: OutputPin, I: InputPin> ReturnSlot for GpioReturnSlot<P, I> {
    fn unlock(&mut self) -> Result<(), DeviceError> {
        self.lock
            .set(true)
            .map_err(|_| pin_error(Device::ReturnSlot, "lock"))
    }

    fn lock(&mut self) -> Result<(), DeviceError> {
        self.lock
            .set(false)
            .map_err(|_| pin_error(Device::ReturnSlot, "lock"))
    }

    fn is_open(&mut self) -> Result<bool, DeviceError> {
        let high = self.sensor.is_high().map_err(|_| {
            DeviceError::new(
                Device::ReturnSlot,
                Fault::Bus("cannot read the sensor pin".into()),
            )
        })?;
        Ok(high != self.sensor_active_low)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_hal_mock::eh1::MockError;
    use embedded_hal_mock::eh1::delay::NoopDelay;
    use embedded_hal_mock::eh1::digital::{Mock, State, Transaction as Tx};

    fn out(script: &[Tx], active_low: bool) -> Output<Mock> {
        Output::new(Mock::new(script), active_low)
    }

    #[test]
    fn light_colours_drive_the_pins_with_their_polarity() {
        let (low, high) = (Tx::set(State::Low), Tx::set(State::High));
        // Active-high red and green, active-low blue.
        let red = out(&[low.clone(), high.clone(), high.clone()], false);
        let green = out(&[high.clone(), low.clone(), low.clone()], false);
        let blue = out(&[high.clone(), high.clone(), low.clone()], true);
        let buzzer = out(&[], false);
        let mut lights = GpioIndicators::new(red, green, blue, buzzer, NoopDelay::new());
        lights.light(Light::Ready).unwrap();
        lights.light(Light::Problem).unwrap();
        lights.light(Light::OutOfService).unwrap();
        for mut pin in lights.release() {
            pin.done();
        }
    }

    #[test]
    fn a_problem_beeps_three_times() {
        let pulse = [Tx::set(State::High), Tx::set(State::Low)];
        let script: Vec<Tx> = (0..4).flat_map(|_| pulse.clone()).collect();
        let buzzer = out(&script, false);
        let mut lights = GpioIndicators::new(
            out(&[], false),
            out(&[], false),
            out(&[], false),
            buzzer,
            NoopDelay::new(),
        );
        lights.beep(Beep::Ok).unwrap();
        lights.beep(Beep::Problem).unwrap();
        for mut pin in lights.release() {
            pin.done();
        }
    }

    #[test]
    fn the_return_slot_unlocks_and_reads_its_sensor() {
        let lock = out(&[Tx::set(State::Low), Tx::set(State::High)], true);
        let sensor = Mock::new(&[Tx::get(State::Low), Tx::get(State::High)]);
        let mut slot = GpioReturnSlot::new(lock, sensor, true);
        slot.unlock().unwrap();
        assert!(
            slot.is_open().unwrap(),
            "active-low sensor reading low: open"
        );
        slot.lock().unwrap();
        assert!(!slot.is_open().unwrap());
        let (mut lock, mut sensor) = slot.release();
        lock.done();
        sensor.done();
    }

    #[test]
    fn a_pin_error_names_the_device_and_pin() {
        let lock = out(
            &[Tx::set(State::High).with_error(MockError::Io(std::io::ErrorKind::Other))],
            false,
        );
        let mut slot = GpioReturnSlot::new(lock, Mock::new(&[]), false);
        let err = slot.unlock().unwrap_err();
        assert_eq!(
            err.to_string(),
            "return slot: bus error: cannot set the lock pin"
        );
        let (mut lock, mut sensor) = slot.release();
        lock.done();
        sensor.done();
    }
}
