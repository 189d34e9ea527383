//! Benchmark of a stack of N tagged books (N = 1, 5, 10, 20) laid on the pad at once: from the
//! moment the stack lies there to the last book's outcome shown and its tag's security written
//! and read back. The kiosk reads the pad through the real PN5180 driver on a simulated chip
//! (`[hardware.sim] item_reader = "pn5180"`: SPI at 7 MHz, ISO 15693's air timings, 5 ms of
//! tag programming per write) and talks SIP2 to the simulated ACS on loopback.
//!
//! The parts, measured in the same run: the pad's work done directly through the same driver
//! on a simulated chip of its own (the field read: inventory, system information and memory of
//! each tag; the security: AFI written and read back for each), and N raw SIP2 round trips.
//!
//! Run: `cargo bench --bench stack` (figures go in BENCHMARKS.md).

mod kit;

use kiosk::app::runtime::{Input, SimInput};
use kiosk::app::sim_pad::{PlaceTag, Placement};
use kiosk::circ::Button;
use kiosk::circ::types::{ItemId, PatronId, Pin};
use kiosk::ils::Ils;
use kiosk::ils::sim::seed::Seed;
use kiosk::ils::sip2::adapter::Sip2Ils;
use kiosk_hw::device::TagId;
use kiosk_hw::rfid::{SecuritySettings, read_field, read_field_again, set_security};
use kiosk_hw::sim::pn5180::{Timings, reader};
use kiosk_hw::sim::{SimDevices, SimTag};
use kiosk_hw::tag::{ItemTagData, TagFormat, encode};
use kit::{Kiosk, acs, example_config, quantile, sip2_adapter};
use std::time::{Duration, Instant};

const CARD: &str = "20234000000019";
const STACKS: [usize; 4] = [1, 5, 10, 20];
/// The floor's own book and reader.
const RAW_READER: &str = "20234000000050";

/// A 14-digit item barcode with its Codabar check digit, as the kiosk's rules want.
fn book(i: usize) -> String {
    let body = format!("3023400{:06}", 2000 + i);
    let check = kiosk_core::barcode::codabar_check_digit(&body).expect("digits");
    format!("{body}{check}")
}

fn uid(i: usize) -> String {
    format!("E0040150{:08X}", 0x100 + i)
}

/// A library with the books of the largest stack and one for the floor.
fn seed() -> Seed {
    let mut text = String::from(
        "[library]\nname = \"bench\"\ncurrency = \"CNY\"\nfines_limit_minor = 1000\n\
         [categories.adult]\nmax_loans = 100000\n[item_types.book]\nloan_days = 28\nmax_renewals = 2\n",
    );
    for (card, pin) in [(CARD, "1234"), (RAW_READER, "5678")] {
        text.push_str(&format!(
            "[[patrons]]\ncard = \"{card}\"\nname = \"Reader\"\npin = \"{pin}\"\ncategory = \"adult\"\n"
        ));
    }
    for i in 0..=STACKS[STACKS.len() - 1] {
        text.push_str(&format!(
            "[[items]]\nbarcode = \"{}\"\ntitle = \"Book {i}\"\nauthor = \"A\"\ntype = \"book\"\n",
            book(i)
        ));
    }
    Seed::parse(&text).expect("seed")
}

/// Book 0 is the floor's: lent and returned, round trip by round trip (ms each).
fn raw_round_trips(ils: &mut Sip2Ils, n: usize) -> Vec<f64> {
    let (reader, item) = (PatronId(RAW_READER.into()), ItemId(book(0)));
    let mut times = Vec::new();
    for i in 0..n {
        let started = Instant::now();
        let ok = if i % 2 == 0 {
            ils.checkout(&reader, &item).expect("link").is_ok()
        } else {
            ils.checkin(&item).expect("link").is_ok()
        };
        times.push(started.elapsed().as_secs_f64() * 1e3);
        assert!(ok, "the ACS refused a raw round trip");
    }
    if n % 2 == 1 {
        let _ = ils.checkin(&item);
    }
    times
}

fn stack(n: usize) -> Placement {
    Placement::Stack((1..=n).map(|i| PlaceTag::item(&uid(i), &book(i))).collect())
}

/// Lays the stack on the pad and waits for every book's outcome and security write: ms.
fn lay(kiosk: &Kiosk, n: usize) -> f64 {
    kiosk.settle();
    let started = Instant::now();
    kiosk.send(Input::Sim(SimInput::Place(stack(n))));
    let mut last = started;
    for _ in 0..n {
        last = last.max(kiosk.next_outcome());
    }
    for _ in 0..n {
        let (at, ok) = kiosk.next_secured();
        assert!(ok, "a security write failed");
        last = last.max(at);
    }
    kiosk.send(Input::Sim(SimInput::ClearPad));
    (last - started).as_secs_f64() * 1e3
}

/// A reader borrows the stack; then it comes back without a card: two stack times.
fn round(kiosk: &Kiosk, n: usize) -> (f64, f64) {
    kiosk.send(Input::Scan(CARD.into()));
    kiosk.send(Input::Pin(Pin::new("1234")));
    kiosk.send(Input::Press(Button::Borrow));
    let borrowed = lay(kiosk, n);
    kiosk.send(Input::Press(Button::Done));
    kiosk.send(Input::Press(Button::NoReceipt));
    kiosk.send(Input::Wait(Duration::from_secs(8)));
    let returned = lay(kiosk, n);
    kiosk.send(Input::Wait(Duration::from_secs(12)));
    (borrowed, returned)
}

/// The pad's parts for `n` tags, through the driver on a chip of its own: reading the field,
/// and writing and verifying the security of every tag (ms). ISO 28560-3, as the example
/// configuration the kiosk runs.
fn pad_parts(n: usize) -> Parts {
    let sim = SimDevices::new();
    for i in 1..=n {
        let data = ItemTagData::circulating(&book(i));
        let memory = encode(TagFormat::Iso28560_3, &data).expect("encode");
        let id = TagId::from_hex(&uid(i)).expect("uid");
        sim.place(SimTag::new(id, &memory, 0x07));
    }
    let (mut driver, meter) = reader(&sim, Timings::default()).expect("the simulated chip");
    let air = meter.spent().air;
    let started = Instant::now();
    let field = read_field(&mut driver, TagFormat::Iso28560_3).expect("the field");
    let read = started.elapsed();
    let read_air = meter.spent().air - air;
    assert_eq!(field.len(), n);
    let ids: Vec<TagId> = field.iter().map(|t| t.id).collect();
    let started = Instant::now();
    set_security(&mut driver, &ids, true, &SecuritySettings::default()).expect("security");
    let secured = started.elapsed();
    let secured_air = meter.spent().air - air - read_air;
    // The kiosk polls the pad while the stack lies there: later passes take what they know.
    let started = Instant::now();
    let again = read_field_again(&mut driver, TagFormat::Iso28560_3, &field).expect("the field");
    let later_pass = started.elapsed();
    assert_eq!(again.len(), n);
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    Parts {
        read: ms(read),
        read_air: ms(read_air),
        secure: ms(secured),
        secure_air: ms(secured_air),
        later_pass: ms(later_pass),
    }
}

/// The pad's work for one stack, ms: as the driver took it, and the air time within it.
struct Parts {
    read: f64,
    read_air: f64,
    secure: f64,
    secure_air: f64,
    /// A pass of the pad's poll while the stack lies there, read before.
    later_pass: f64,
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs a quick smoke pass.
    let quick = !std::env::args().any(|a| a == "--bench");
    let rounds = if quick { 1 } else { 10 };
    let dir = tempfile::tempdir().expect("a directory");
    let addr = acs(&seed());
    let kiosk = Kiosk::start(example_config(dir.path(), |text| {
        format!(
            "{}\n[ils.sip2]\nhost = \"{}\"\nport = {}\ninstitution = \"SIM\"\n",
            text.replace("kind = \"sim\"", "kind = \"sip2\"")
                .replace("# [hardware.sim]", "[hardware.sim]")
                .replace("# item_reader = \"direct\"", "item_reader = \"pn5180\""),
            addr.ip(),
            addr.port()
        )
    }));
    let mut raw = sip2_adapter(addr);
    round(&kiosk, 1);
    println!(
        "a stack of N tagged books, laid → every outcome shown and tag secured (PN5180 timings, SIP2 on loopback), ms:"
    );
    println!(
        "{:>3} {:>9} {:>9} {:>9} | {:>8} {:>9} {:>9} {:>9} {:>9} {:>9} | {:>9} {:>7} | {:>10}",
        "N",
        "p50",
        "p99",
        "budget",
        "SIP2 RTT",
        "N×RTT",
        "pad read",
        "(in air)",
        "security",
        "(in air)",
        "kiosk own",
        "holds",
        "next pass"
    );
    for n in STACKS {
        let mut times = Vec::new();
        let mut rtts = Vec::new();
        let mut parts = Vec::new();
        for _ in 0..rounds {
            let (borrowed, returned) = round(&kiosk, n);
            times.extend([borrowed, returned]);
            rtts.extend(raw_round_trips(&mut raw, 2 * n));
            parts.push(pad_parts(n));
        }
        let rtt = quantile(&rtts, 0.5);
        let median = |f: fn(&Parts) -> f64| quantile(&parts.iter().map(f).collect::<Vec<_>>(), 0.5);
        let (read, secure) = (median(|p| p.read), median(|p| p.secure));
        let (read_air, secure_air) = (median(|p| p.read_air), median(|p| p.secure_air));
        let later_pass = median(|p| p.later_pass);
        let (p50, p99) = (quantile(&times, 0.5), quantile(&times, 0.99));
        let budget = n as f64 * rtt + 300.0;
        println!(
            "{n:>3} {p50:>9.1} {p99:>9.1} {budget:>9.1} | {rtt:>8.3} {:>9.1} {read:>9.1} {read_air:>9.1} {secure:>9.1} {secure_air:>9.1} | {:>9.1} {:>7} | {later_pass:>10.1}",
            n as f64 * rtt,
            p50 - read - secure - n as f64 * rtt,
            if p99 <= budget { "yes" } else { "no" }
        );
    }
}
