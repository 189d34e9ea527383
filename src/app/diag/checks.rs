//! The machine's own checks: clock, storage, CPU. Each is a pure judgement of what was read
//! (tested on its own) and a small reader of the system beside it.

use super::{Outcome, Status};
use chrono::{DateTime, Datelike, Local, Utc};
use std::path::Path;

/// A clock before this year is wrong for certain (the software did not exist).
const EARLIEST_YEAR: i32 = 2025;

/// Is the time plausible, and kept right by NTP (`synced`: `None` when it cannot be told)?
pub fn clock(now: DateTime<Utc>, synced: Option<bool>) -> Outcome {
    let local = now.with_timezone(&Local).format("%Y-%m-%d %H:%M:%S %Z");
    if now.year() < EARLIEST_YEAR || now.year() > EARLIEST_YEAR + 30 {
        return (
            Status::Fail,
            format!("the clock says {local}: due dates, receipts and the journal would be wrong"),
            Some(
                "set the time (timedatectl set-ntp true, and let the network reach an NTP server; a Pi without network needs an RTC module)"
                    .into(),
            ),
        );
    }
    match synced {
        Some(true) => (Status::Ok, format!("{local}, synchronised"), None),
        Some(false) => (
            Status::Warn,
            format!("{local}, but not synchronised: it drifts, and a wrong clock breaks due dates"),
            Some("turn NTP on (timedatectl set-ntp true) and check the network reaches an NTP server".into()),
        ),
        None => (
            Status::Warn,
            format!("{local}; whether it is synchronised cannot be told here"),
            Some("check timedatectl: NTP service active, System clock synchronized: yes".into()),
        ),
    }
}

/// Whether the kernel says the clock is kept by NTP (chrony, systemd-timesyncd, ntpd all set
/// it); `None` when the kernel cannot be asked.
pub fn clock_synchronised() -> Option<bool> {
    // SAFETY: adjtimex with `modes == 0` only reads the kernel's clock state into `timex`,
    // which is a plain C struct that may be all zeros.
    let mut timex: libc::timex = unsafe { std::mem::zeroed() };
    let state = unsafe { libc::adjtimex(&mut timex) };
    match state {
        -1 => None,
        libc::TIME_ERROR => Some(false),
        _ => Some(timex.status & libc::STA_UNSYNC == 0),
    }
}

/// Below this, the journal may not be able to grow: the kiosk would go out of service.
const FAIL_BELOW_MB: u64 = 50;
const WARN_BELOW_MB: u64 = 500;

/// Free space where the journal lives, in MB.
pub fn free_space(free_mb: u64, path: &Path) -> Outcome {
    let message = format!("{free_mb} MB free for the journal ({})", path.display());
    if free_mb < FAIL_BELOW_MB {
        (
            Status::Fail,
            message,
            Some("free space now (old logs, journalctl --vacuum-size=100M) or the kiosk stops lending when the disk fills".into()),
        )
    } else if free_mb < WARN_BELOW_MB {
        (
            Status::Warn,
            message,
            Some("free some space (old logs: journalctl --vacuum-size=100M)".into()),
        )
    } else {
        (Status::Ok, message, None)
    }
}

/// Free space (MB) on the filesystem holding `dir`.
pub fn free_mb(dir: &Path) -> std::io::Result<u64> {
    Ok(filesystem_bytes(dir)?.0 / 1_048_576)
}

/// The bytes free (to this user) and the size of the filesystem holding `dir`.
pub fn filesystem_bytes(dir: &Path) -> std::io::Result<(u64, u64)> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes())
        .map_err(|_| std::io::Error::other("a path with a NUL byte"))?;
    // SAFETY: `path` is a valid C string and `stat` a plain struct statvfs fills in.
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(path.as_ptr(), &mut stat) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // The field types differ between 32- and 64-bit targets (u32 on 32-bit Raspberry Pi OS);
    // both widen to u64, which on 64-bit targets is no conversion at all.
    #[allow(clippy::useless_conversion)]
    let (free, blocks, size) = (
        u64::from(stat.f_bavail),
        u64::from(stat.f_blocks),
        u64::from(stat.f_frsize),
    );
    Ok((free * size, blocks * size))
}

/// CPU temperature (thousandths of °C, from /sys) and the Pi firmware's throttling flags.
pub fn cpu(millidegrees: Option<i64>, throttled: Option<u32>) -> Outcome {
    let Some(millidegrees) = millidegrees else {
        return (
            Status::Ok,
            "no CPU temperature sensor here (not a Raspberry Pi)".into(),
            None,
        );
    };
    let celsius = millidegrees as f64 / 1000.0;
    let mut status = Status::Ok;
    let mut notes = Vec::new();
    let mut action = None;
    if celsius >= 80.0 {
        status = Status::Fail;
        notes.push("hot enough to be slowed down".to_owned());
        action = Some("check the case's ventilation and the fan; fit a heat sink".to_owned());
    } else if celsius >= 70.0 {
        status = Status::Warn;
        notes.push("running hot".to_owned());
        action = Some("check the case's ventilation and the fan".to_owned());
    }
    if let Some(flags) = throttled {
        const NOW: [(u32, &str); 4] = [
            (0x1, "under-voltage now"),
            (0x2, "frequency capped now"),
            (0x4, "throttled now"),
            (0x8, "soft temperature limit now"),
        ];
        const SINCE_BOOT: [(u32, &str); 4] = [
            (0x1_0000, "under-voltage since boot"),
            (0x2_0000, "frequency capped since boot"),
            (0x4_0000, "throttled since boot"),
            (0x8_0000, "soft temperature limit since boot"),
        ];
        for (bit, text) in NOW {
            if flags & bit != 0 {
                status = Status::Fail;
                notes.push(text.to_owned());
            }
        }
        for (bit, text) in SINCE_BOOT {
            if flags & bit != 0 {
                status = status.max(Status::Warn);
                notes.push(text.to_owned());
            }
        }
        if flags & 0x1_0001 != 0 {
            action = Some(
                "use the official power supply (5.1 V, 3 A for a Pi 4; 5 A for a Pi 5) and a short, thick cable"
                    .into(),
            );
        }
    }
    let mut message = format!("CPU at {celsius:.1} °C");
    if !notes.is_empty() {
        message.push_str(&format!(": {}", notes.join(", ")));
    }
    (status, message, action)
}

pub fn cpu_temperature() -> Option<i64> {
    std::fs::read_to_string("/sys/class/thermal/thermal_zone0/temp")
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// `vcgencmd get_throttled` (Raspberry Pi OS): `throttled=0x50005`.
pub fn throttled() -> Option<u32> {
    let output = std::process::Command::new("vcgencmd")
        .arg("get_throttled")
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let hex = text.trim().strip_prefix("throttled=0x")?;
    u32::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_clock_in_1970_fails_and_an_unsynchronised_one_warns() {
        let epoch = Utc.timestamp_opt(0, 0).unwrap();
        let (status, message, action) = clock(epoch, Some(true));
        assert_eq!(status, Status::Fail);
        assert!(message.contains("1970"), "{message}");
        assert!(action.unwrap().contains("timedatectl"));
        let now = Utc.with_ymd_and_hms(2026, 11, 29, 10, 0, 0).unwrap();
        assert_eq!(clock(now, Some(true)).0, Status::Ok);
        assert_eq!(clock(now, Some(false)).0, Status::Warn);
        assert_eq!(clock(now, None).0, Status::Warn);
    }

    #[test]
    fn free_space_thresholds() {
        let path = Path::new("/var/lib/kiosk");
        assert_eq!(free_space(10, path).0, Status::Fail);
        assert_eq!(free_space(200, path).0, Status::Warn);
        assert_eq!(free_space(5000, path).0, Status::Ok);
        assert!(free_mb(Path::new("/")).is_ok());
    }

    #[test]
    fn temperature_and_throttling_are_read_as_the_pi_firmware_means_them() {
        assert_eq!(cpu(None, None).0, Status::Ok);
        assert_eq!(cpu(Some(55_000), Some(0)).0, Status::Ok);
        assert_eq!(cpu(Some(72_500), Some(0)).0, Status::Warn);
        assert_eq!(cpu(Some(85_000), None).0, Status::Fail);
        let (status, message, action) = cpu(Some(50_000), Some(0x5_0000));
        assert_eq!(status, Status::Warn);
        assert!(
            message.contains("under-voltage since boot")
                && message.contains("throttled since boot"),
            "{message}"
        );
        assert!(action.unwrap().contains("power supply"));
        assert_eq!(cpu(Some(50_000), Some(0x1)).0, Status::Fail);
    }
}
