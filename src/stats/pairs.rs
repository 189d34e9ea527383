//! The "also borrowed" pair files staff exchange with the library: CSV with the columns
//! `title_a,title_b,sessions` (UTF-8, a byte-order mark allowed), one pair a row — what
//! `kiosk stats export-pairs` writes and `kiosk stats import-pairs` reads.

use crate::queue::journal::PairCount;

pub const HEADER: [&str; 3] = ["title_a", "title_b", "sessions"];

/// The file's text, with a byte-order mark so that Excel and WPS read the titles as UTF-8.
pub fn write(pairs: &[PairCount]) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(&HEADER.join(","));
    out.push_str("\r\n");
    for p in pairs {
        out.push_str(&format!(
            "{},{},{}\r\n",
            crate::queue::export::csv_field(&p.a),
            crate::queue::export::csv_field(&p.b),
            p.sessions
        ));
    }
    out
}

/// Reads a pair file; a row that is not two different titles and a positive count is refused
/// with its row number, and nothing is imported.
pub fn read(file: &str, text: &str) -> Result<Vec<PairCount>, String> {
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let found: Vec<String> = reader
        .headers()
        .map_err(|e| format!("{file}: {e}"))?
        .iter()
        .map(str::to_owned)
        .collect();
    if found != HEADER {
        return Err(format!(
            "{file}: expected the columns {}, found {}",
            HEADER.join(","),
            found.join(",")
        ));
    }
    let mut pairs = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 2;
        let record = record.map_err(|e| format!("{file}: row {row}: {e}"))?;
        let a = record.get(0).unwrap_or_default().trim();
        let b = record.get(1).unwrap_or_default().trim();
        let sessions = record.get(2).unwrap_or_default().trim();
        if a.is_empty() || b.is_empty() || a == b {
            return Err(format!(
                "{file}: row {row}: two different titles are needed"
            ));
        }
        let sessions: i64 = sessions.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
            format!("{file}: row {row}: {sessions:?} is not a number of visits above 0")
        })?;
        pairs.push(PairCount {
            a: a.to_owned(),
            b: b.to_owned(),
            sessions,
        });
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_file_reads_back_and_bad_rows_are_named() {
        let pairs = vec![PairCount {
            a: "三体".into(),
            b: "球状闪电, a novel".into(),
            sessions: 7,
        }];
        assert_eq!(read("p.csv", &write(&pairs)).unwrap(), pairs);
        let bad = "title_a,title_b,sessions\r\n三体,三体,3\r\n";
        assert_eq!(
            read("p.csv", bad).unwrap_err(),
            "p.csv: row 2: two different titles are needed"
        );
        let bad = "title_a,title_b,sessions\r\n三体,活着,-1\r\n";
        assert!(read("p.csv", bad).unwrap_err().contains("row 2: \"-1\""));
        assert!(
            read("p.csv", "a,b\r\n")
                .unwrap_err()
                .contains("expected the columns")
        );
    }
}
