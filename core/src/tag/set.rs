//! A stack of books on the reader, grouped into items: a book with its CD is one loan, and
//! libraries lend it only when every part is on the pad.

use super::{ItemTagData, TypeOfUsage};

/// Whether all parts of an item are present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetStatus {
    Complete,
    /// Some parts are not on the reader; `present` lists the part numbers that are.
    MissingParts {
        parts: u8,
        present: Vec<u8>,
    },
    /// The tags of one item disagree on how many parts it has (a mis-programmed tag).
    Inconsistent,
}

/// One item found in the field, with every tag that belongs to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackItem<U> {
    pub primary_id: String,
    /// The tags of this item, in part order.
    pub tags: Vec<U>,
    pub usage: TypeOfUsage,
    pub status: SetStatus,
}

/// Groups decoded tags by primary item id, in the order the items were first seen.
pub fn group_stack<U: Clone>(tags: &[(U, ItemTagData)]) -> Vec<StackItem<U>> {
    let mut order: Vec<&str> = Vec::new();
    for (_, data) in tags {
        if !order.contains(&data.primary_id.as_str()) {
            order.push(&data.primary_id);
        }
    }
    order
        .into_iter()
        .map(|id| {
            let mut parts: Vec<&(U, ItemTagData)> =
                tags.iter().filter(|(_, d)| d.primary_id == id).collect();
            parts.sort_by_key(|(_, d)| d.set.normalised().ordinal);
            let expected = parts[0].1.set.normalised().parts;
            let mut present: Vec<u8> = parts
                .iter()
                .map(|(_, d)| d.set.normalised().ordinal)
                .collect();
            present.dedup();
            let status = if parts
                .iter()
                .any(|(_, d)| d.set.normalised().parts != expected)
            {
                SetStatus::Inconsistent
            } else if present.len() < usize::from(expected) {
                SetStatus::MissingParts {
                    parts: expected,
                    present,
                }
            } else {
                SetStatus::Complete
            };
            StackItem {
                primary_id: id.to_owned(),
                tags: parts.iter().map(|(uid, _)| uid.clone()).collect(),
                usage: parts[0].1.usage,
                status,
            }
        })
        .collect()
}
