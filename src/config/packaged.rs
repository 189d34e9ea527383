//! The configuration the Debian package installs as `/etc/kiosk/kiosk.toml`: the documented
//! example, set for a real machine — the Raspberry Pi's parts instead of the simulated ones, a
//! SIP2 library system whose address is still to be filled in, the secrets file in `/etc/kiosk`
//! — so `kiosk config check` names what the library must fill in before the kiosk can start.

use super::EXAMPLE;

/// Each change: the example's line, and what the package has instead.
const CHANGES: [(&str, &str); 8] = [
    ("backend = \"sim\"", "backend = \"rpi\""),
    ("kind = \"sim\"", "kind = \"sip2\""),
    ("# [ils.sip2]", "[ils.sip2]"),
    (
        "# host = \"sip.library.example.org\"",
        "host = \"\"                 # TO FILL IN: the ACS's host name or address",
    ),
    ("# port = 6001", "port = 6001"),
    (
        "# institution = \"MAIN\"",
        "institution = \"\"          # TO FILL IN: the institution id (AO) the ACS expects",
    ),
    (
        "# file = \"/etc/kiosk/secrets.toml\"",
        "file = \"/etc/kiosk/secrets.toml\"",
    ),
    ("[ils.sim]\n", "# [ils.sim]\n"),
];

const HEADER: &str = "\
# Installed by the kiosk package for a real machine (a Raspberry Pi with its parts).
# Before `systemctl enable --now kiosk`:
#   1. fill in [ils] (host and institution of the SIP2 server, or another kind of ILS);
#   2. put the kiosk's ILS password in /etc/kiosk/secrets.toml (ils_password = \"...\"), or in a
#      systemd credential (README: Install on a Raspberry Pi);
#   3. uncomment the parts fitted under [hardware] (hw/README.md has the wiring);
#   4. run `kiosk config check /etc/kiosk/kiosk.toml`, then `kiosk diag`.
# This file is a conffile: upgrades keep your changes.

";

/// The packaged configuration's text.
pub fn packaged_example() -> String {
    let mut text = EXAMPLE.to_owned();
    for (from, to) in CHANGES {
        // Each change must find its line: the example changing under it is a build defect
        // that the unit test shows.
        text = text.replacen(from, to, 1);
    }
    // The simulated ILS's keys go with its section.
    text = text
        .replace("\n# seed = ", "\n## seed = ")
        .replace("\n# terminal_user = ", "\n## terminal_user = ");
    format!("{HEADER}{text}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, ConfigError};
    use std::path::Path;

    #[test]
    fn every_change_finds_its_line_in_the_example() {
        for (from, _) in CHANGES {
            assert!(EXAMPLE.contains(from), "the example lost {from:?}");
        }
    }

    #[test]
    fn the_packaged_configuration_names_what_is_left_to_fill_in() {
        let text = packaged_example();
        let error = Config::parse(&text, Path::new("/etc/kiosk/kiosk.toml")).unwrap_err();
        let message = error.to_string();
        assert!(matches!(error, ConfigError::Invalid { .. }), "{message}");
        assert!(message.contains("ils.sip2.host"), "{message}");
        // Filled in, it is a valid configuration for the Pi.
        let filled = text
            .replace("host = \"\"", "host = \"sip.library.example.org\"")
            .replace("institution = \"\"", "institution = \"MAIN\"");
        let config = Config::parse(&filled, Path::new("/etc/kiosk/kiosk.toml"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.hardware.backend, kiosk_hw::config::Backend::Rpi);
        assert_eq!(
            config.secrets.file.as_deref(),
            Some(Path::new("/etc/kiosk/secrets.toml"))
        );
        assert_eq!(config.journal.path, Path::new("/var/lib/kiosk/journal.db"));
    }
}
