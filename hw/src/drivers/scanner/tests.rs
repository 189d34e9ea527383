use super::*;
use embedded_hal_mock::eh1::serial::{Mock, Transaction};
use embedded_hal_nb::serial::ErrorKind;

fn framer(prefix: &str, suffix: &str) -> ScanFramer {
    ScanFramer::new(&Framing {
        prefix: prefix.into(),
        suffix: suffix.into(),
        ..Framing::default()
    })
}

fn feed(framer: &mut ScanFramer, bytes: &[u8]) -> Vec<Framed> {
    bytes.iter().filter_map(|&b| framer.push(b)).collect()
}

fn code(text: &str) -> Framed {
    Framed::Code(text.into())
}

#[test]
fn codes_end_at_the_suffix_and_may_arrive_in_pieces() {
    let mut f = framer("", "\r\n");
    assert!(feed(&mut f, b"30234000").is_empty());
    assert!(f.has_partial());
    assert_eq!(feed(&mut f, b"001015\r"), []);
    assert_eq!(
        feed(&mut f, b"\n3023\r\n"),
        [code("30234000001015"), code("3023")]
    );
    assert!(!f.has_partial());
}

#[test]
fn noise_before_the_prefix_is_cut_and_frames_without_it_dropped() {
    let mut f = framer("\u{2}", "\r");
    let out = feed(&mut f, b"\x00\xff\x0212\x0230234000001015\r");
    assert_eq!(out, [code("30234000001015")]);
    let out = feed(&mut f, b"30234000001015\r");
    assert!(matches!(&out[..], [Framed::Discarded { why, .. }] if why.contains("prefix")));
}

#[test]
fn junk_lines_are_discarded_with_the_reason() {
    let mut f = framer("", "\r");
    let out = feed(&mut f, b"\x01\x02\x03\r12|34\r\xff\xfe\r");
    assert_eq!(out.len(), 3);
    for framed in &out {
        assert!(matches!(framed, Framed::Discarded { .. }), "{framed:?}");
    }
    let Framed::Discarded { why, .. } = &out[1] else {
        unreachable!()
    };
    assert!(why.contains("not allowed"), "{why}");
    // The next good code still comes through.
    assert_eq!(feed(&mut f, b"3023\r"), [code("3023")]);
}

#[test]
fn an_overlong_line_is_dropped_whole_and_the_next_code_survives() {
    let mut f = framer("", "\r");
    let long = vec![b'7'; 10_000];
    assert!(feed(&mut f, &long).is_empty());
    let out = feed(&mut f, b"\r3023\r");
    assert!(
        matches!(&out[0], Framed::Discarded { why, bytes } if why.contains("longer") && *bytes >= 10_000),
        "{out:?}"
    );
    assert_eq!(out[1], code("3023"));
}

#[test]
fn a_half_frame_expires_when_the_line_goes_quiet() {
    let mut f = framer("", "\r");
    feed(&mut f, b"30234");
    assert!(matches!(
        f.expire(),
        Some(Framed::Discarded { bytes: 5, .. })
    ));
    assert_eq!(f.expire(), None);
    assert_eq!(feed(&mut f, b"99\r"), [code("99")]);
}

fn serial(script: &[Transaction<u8>]) -> Mock<u8> {
    Mock::new(script)
}

#[test]
fn the_serial_driver_reads_until_the_port_is_empty() {
    let port = serial(&[
        Transaction::read_many(b"3023400000"),
        Transaction::read_error(nb::Error::WouldBlock),
        Transaction::read_many(b"1015\r2123\r"),
        Transaction::read_error(nb::Error::WouldBlock),
    ]);
    let mut scanner = SerialScanner::new(port, &Framing::default());
    assert_eq!(scanner.poll().unwrap(), Vec::<String>::new());
    assert_eq!(scanner.poll().unwrap(), ["30234000001015", "2123"]);
    scanner.release().done();
}

#[test]
fn a_receive_error_spoils_only_the_frame_it_hit() {
    let port = serial(&[
        Transaction::read_many(b"30234"),
        Transaction::read_error(nb::Error::Other(ErrorKind::Noise)),
        Transaction::read_many(b"000\r4455\r"),
        Transaction::read_error(nb::Error::WouldBlock),
    ]);
    let mut scanner = SerialScanner::new(port, &Framing::default());
    // "30234" is lost to the error; "000" arrives as a frame of its own, then "4455".
    assert_eq!(scanner.poll().unwrap(), ["000", "4455"]);
    scanner.release().done();
}

#[test]
fn the_serial_driver_drops_a_stale_half_frame() {
    let port = serial(&[
        Transaction::read_many(b"3023"),
        Transaction::read_error(nb::Error::WouldBlock),
        Transaction::read_many(b"77\r"),
        Transaction::read_error(nb::Error::WouldBlock),
    ]);
    let framing = Framing {
        frame_timeout_ms: 0,
        ..Framing::default()
    };
    let mut scanner = SerialScanner::new(port, &framing);
    assert!(scanner.poll().unwrap().is_empty());
    assert_eq!(scanner.poll().unwrap(), ["77"]);
    scanner.release().done();
}

#[test]
fn a_port_that_fails_is_a_fault_not_noise() {
    // A USB-serial scanner pulled out: the port errors instead of being quiet.
    let port = serial(&[Transaction::read_error(nb::Error::Other(ErrorKind::Other))]);
    let mut scanner = SerialScanner::new(port, &Framing::default());
    let error = scanner.poll().unwrap_err();
    assert!(error.lost_contact(), "{error}");
    scanner.release().done();
}
