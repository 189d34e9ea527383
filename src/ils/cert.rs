//! How long the ILS's TLS certificate stays valid, for `kiosk diag` and the technician: an
//! expired certificate stops the kiosk talking to its library overnight.

use chrono::{DateTime, Utc};

/// Warn this many days before the certificate runs out.
const WARN_DAYS: i64 = 30;

/// "certificate valid until 2027-03-01", and a warning when that is soon (or past).
pub fn describe(der: &[u8], now: DateTime<Utc>) -> (String, Option<String>) {
    let parsed = x509_parser::parse_x509_certificate(der);
    let Ok((_, certificate)) = parsed else {
        return (
            "the server's certificate cannot be read".into(),
            Some("the server's TLS certificate is not a valid X.509 certificate".into()),
        );
    };
    let until = certificate.validity().not_after.timestamp();
    let Some(until) = DateTime::<Utc>::from_timestamp(until, 0) else {
        return ("certificate expiry unknown".into(), None);
    };
    let days = (until - now).num_days();
    let summary = format!("certificate valid until {}", until.format("%Y-%m-%d"));
    let warning = if until <= now {
        Some("the server's TLS certificate has expired: ask the library system's administrators to renew it".to_owned())
    } else if days < WARN_DAYS {
        Some(format!(
            "the server's TLS certificate runs out in {days} days ({}): ask for it to be renewed",
            until.format("%Y-%m-%d")
        ))
    } else {
        None
    };
    (summary, warning)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn certificate(not_after: (i32, u8, u8)) -> Vec<u8> {
        let mut params =
            rcgen::CertificateParams::new(vec!["ils.example.org".to_string()]).unwrap();
        params.not_after = rcgen::date_time_ymd(not_after.0, not_after.1, not_after.2);
        let key = rcgen::KeyPair::generate().unwrap();
        params.self_signed(&key).unwrap().der().to_vec()
    }

    #[test]
    fn soon_and_past_expiry_are_warned_about() {
        let now = Utc.with_ymd_and_hms(2026, 11, 29, 0, 0, 0).unwrap();
        let (summary, warning) = describe(&certificate((2027, 6, 1)), now);
        assert_eq!(summary, "certificate valid until 2027-06-01");
        assert_eq!(warning, None);
        let (_, warning) = describe(&certificate((2026, 12, 10)), now);
        assert!(warning.unwrap().contains("runs out in 11 days"));
        let (_, warning) = describe(&certificate((2026, 11, 1)), now);
        assert!(warning.unwrap().contains("has expired"));
        assert!(describe(b"junk", now).1.is_some());
    }
}
