//! "Readers who borrowed this also borrowed …" (个性化推荐), privacy first: pairs of titles
//! borrowed together in one visit are counted anonymously (never who borrowed them), and a
//! suggestion is made only from a pair seen in at least `k` visits, so that no suggestion
//! tells what one reader borrowed. Pure: the journal keeps the counts, this decides.

use serde::{Deserialize, Serialize};

/// The fewest visits a pair may have been seen in and still be shown: fewer could point at
/// one or two readers.
pub const MIN_K: u32 = 3;

/// The suggestion shown on the goodbye screen and printed on the receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlsoBorrowed {
    /// A title the reader borrowed in this visit.
    pub borrowed: String,
    /// A title borrowed with it in at least `k` other visits, which the reader did not borrow.
    pub also: String,
}

/// The distinct titles of a visit, in order, without blanks (an offline loan has no title).
pub fn distinct_titles<'a>(titles: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = titles
        .into_iter()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Every unordered pair of distinct titles, each once, the smaller first.
pub fn pairs(titles: &[String]) -> Vec<(String, String)> {
    let titles = distinct_titles(titles.iter().map(String::as_str));
    let mut out = Vec::new();
    for (i, a) in titles.iter().enumerate() {
        for b in &titles[i + 1..] {
            out.push((a.clone(), b.clone()));
        }
    }
    out
}

/// The suggestion for a visit that borrowed `titles`, from pair counts `(a, b, visits)`: the
/// pair seen most often (then the first by title, so the choice is stable) with one side
/// borrowed now and the other not, among pairs seen in at least `k` visits. `None` when no
/// pair qualifies.
pub fn suggest(
    titles: &[String],
    counts: &[(String, String, i64)],
    k: u32,
) -> Option<AlsoBorrowed> {
    let k = i64::from(k.max(MIN_K));
    let borrowed = |t: &str| titles.iter().any(|b| b == t);
    counts
        .iter()
        .filter(|(_, _, n)| *n >= k)
        .filter_map(|(a, b, n)| match (borrowed(a), borrowed(b)) {
            (true, false) => Some((n, a, b)),
            (false, true) => Some((n, b, a)),
            _ => None,
        })
        .max_by(|x, y| x.0.cmp(y.0).then(y.2.cmp(x.2)).then(y.1.cmp(x.1)))
        .map(|(_, borrowed, also)| AlsoBorrowed {
            borrowed: borrowed.clone(),
            also: also.clone(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|t| (*t).to_owned()).collect()
    }

    #[test]
    fn a_visit_gives_each_pair_of_its_distinct_titles_once() {
        assert_eq!(
            pairs(&s(&["三体", "球状闪电", "三体", " ", "活着"])),
            [
                ("三体".to_owned(), "活着".to_owned()),
                ("三体".to_owned(), "球状闪电".to_owned()),
                ("活着".to_owned(), "球状闪电".to_owned()),
            ]
        );
        assert!(
            pairs(&s(&["三体", "三体"])).is_empty(),
            "two copies are one title"
        );
    }

    #[test]
    fn a_pair_is_suggested_from_k_visits_on_and_never_below() {
        let counts = |n| vec![("三体".to_owned(), "球状闪电".to_owned(), n)];
        let borrowed = s(&["三体"]);
        assert_eq!(suggest(&borrowed, &counts(4), 5), None, "k − 1");
        assert_eq!(
            suggest(&borrowed, &counts(5), 5),
            Some(AlsoBorrowed {
                borrowed: "三体".into(),
                also: "球状闪电".into()
            }),
            "k"
        );
        // From the other side of the pair too; never a title the reader has just borrowed.
        assert_eq!(
            suggest(&s(&["球状闪电"]), &counts(5), 5).map(|a| a.also),
            Some("三体".to_owned())
        );
        assert_eq!(suggest(&s(&["三体", "球状闪电"]), &counts(9), 5), None);
        // A library cannot set k so low that a pair points at one or two readers.
        assert_eq!(suggest(&borrowed, &counts(2), 1), None);
        assert!(suggest(&borrowed, &counts(3), 1).is_some());
    }

    #[test]
    fn the_pair_seen_most_often_wins() {
        let counts = vec![
            ("三体".to_owned(), "活着".to_owned(), 6),
            ("三体".to_owned(), "球状闪电".to_owned(), 9),
            ("Dune".to_owned(), "三体".to_owned(), 9),
        ];
        let best = suggest(&s(&["三体"]), &counts, 5).unwrap();
        // Nine each: the first title wins, so the same visit always gets the same line.
        assert_eq!(best.also, "Dune");
    }
}
