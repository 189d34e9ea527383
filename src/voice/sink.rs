//! Where the voice goes: the sound card (rodio over ALSA, with the `audio` feature), or nowhere.

/// An audio output that plays one clip at a time.
/// Not `Send`: a sound card's stream may have to stay on the thread that opened it, so the
/// voice is made on the session's thread.
pub trait AudioSink {
    /// Plays `bytes` (an Ogg Vorbis or WAV file) at `volume` (0.0–1.0); `name` is for the log.
    fn play(&mut self, name: &str, bytes: Vec<u8>, volume: f32);
    /// Stops the clip playing, if any.
    fn stop(&mut self);
    /// What this output is, for the technician.
    fn name(&self) -> String;
    /// Blocks until the clip playing has ended (`kiosk voice say`).
    fn wait(&mut self) {}
}

/// No audio output (none fitted, none found, or a script): the clips are not played.
pub struct NullSink;

impl AudioSink for NullSink {
    fn play(&mut self, _name: &str, _bytes: Vec<u8>, _volume: f32) {}
    fn stop(&mut self) {}
    fn name(&self) -> String {
        "none".into()
    }
}

/// The default sound card, or the null sink with one line in the log saying why not.
pub fn open_device() -> Box<dyn AudioSink> {
    #[cfg(feature = "audio")]
    match device::DeviceSink::open() {
        Ok(sink) => return Box::new(sink),
        Err(error) => {
            tracing::warn!(%error, "no audio output: spoken prompts are off");
        }
    }
    #[cfg(not(feature = "audio"))]
    tracing::info!("this build has no audio output (feature `audio`): spoken prompts are off");
    Box::new(NullSink)
}

#[cfg(feature = "audio")]
mod device {
    use super::AudioSink;
    use rodio::{Decoder, DeviceSinkBuilder, MixerDeviceSink, Player};
    use std::io::Cursor;

    pub struct DeviceSink {
        device: MixerDeviceSink,
        player: Option<Player>,
    }

    impl DeviceSink {
        pub fn open() -> Result<Self, String> {
            let mut device = DeviceSinkBuilder::open_default_sink().map_err(|e| e.to_string())?;
            device.log_on_drop(false);
            Ok(DeviceSink {
                device,
                player: None,
            })
        }
    }

    impl AudioSink for DeviceSink {
        fn play(&mut self, name: &str, bytes: Vec<u8>, volume: f32) {
            self.stop();
            match Decoder::new(Cursor::new(bytes)) {
                Ok(source) => {
                    let player = Player::connect_new(self.device.mixer());
                    player.set_volume(volume);
                    player.append(source);
                    self.player = Some(player);
                }
                Err(error) => tracing::warn!(clip = name, %error, "cannot decode a recording"),
            }
        }

        fn stop(&mut self) {
            if let Some(player) = self.player.take() {
                player.stop();
            }
        }

        fn name(&self) -> String {
            "sound card (ALSA default)".into()
        }

        fn wait(&mut self) {
            if let Some(player) = &self.player {
                player.sleep_until_end();
            }
        }
    }
}

/// What a test heard.
#[cfg(test)]
#[derive(Debug, Clone, PartialEq)]
pub enum Heard {
    Played { clip: String, volume: f32 },
    Stopped,
}

/// Records what would have been played, for tests.
#[cfg(test)]
#[derive(Clone, Default)]
pub struct RecordingSink(pub std::sync::Arc<std::sync::Mutex<Vec<Heard>>>);

#[cfg(test)]
impl RecordingSink {
    pub fn heard(&self) -> Vec<Heard> {
        self.0.lock().map(|h| h.clone()).unwrap_or_default()
    }
}

#[cfg(test)]
impl AudioSink for RecordingSink {
    fn play(&mut self, name: &str, bytes: Vec<u8>, volume: f32) {
        assert!(!bytes.is_empty(), "{name} is an empty recording");
        if let Ok(mut heard) = self.0.lock() {
            heard.push(Heard::Played {
                clip: name.to_owned(),
                volume,
            });
        }
    }
    fn stop(&mut self) {
        if let Ok(mut heard) = self.0.lock() {
            // Stopping silence is not worth recording.
            if matches!(heard.last(), Some(Heard::Played { .. })) {
                heard.push(Heard::Stopped);
            }
        }
    }
    fn name(&self) -> String {
        "recording".into()
    }
}
