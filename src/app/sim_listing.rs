//! `kiosk sim-ils`: the simulated library's cards, PINs and items, so a newcomer knows what to
//! scan in the demo.

use super::AppError;
use super::start;
use serde_json::json;
use std::io::Write;
use std::path::Path;

pub fn print(seed_path: Option<&Path>, as_json: bool) -> Result<(), AppError> {
    let seed = start::read_seed(seed_path)?;
    let mut out = std::io::stdout().lock();
    if as_json {
        let patrons: Vec<_> = seed
            .patrons
            .iter()
            .map(|p| json!({"card": p.card, "name": p.name, "pin": p.pin, "note": p.note}))
            .collect();
        let items: Vec<_> = seed
            .items
            .iter()
            .map(|i| {
                json!({
                    "barcode": i.barcode, "title": i.title, "author": i.author, "type": i.item_type,
                    "on_loan_to": i.loan.as_ref().map(|l| &l.patron),
                    "holds": i.holds.iter().map(|h| &h.patron).collect::<Vec<_>>(),
                })
            })
            .collect();
        let doc = json!({"library": seed.library.name, "patrons": patrons, "items": items});
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        )?;
        return Ok(());
    }
    writeln!(out, "Simulated library: {}\n", seed.library.name)?;
    writeln!(out, "Patrons (card, PIN, name — what they show):")?;
    for p in &seed.patrons {
        writeln!(out, "  {:<16} {:<6} {} — {}", p.card, p.pin, p.name, p.note)?;
    }
    writeln!(out, "\nItems (barcode, type, title / author — state):")?;
    for i in &seed.items {
        let mut state = Vec::new();
        if let Some(loan) = &i.loan {
            state.push(format!("on loan to {}", loan.patron));
        }
        for hold in &i.holds {
            let shelf = if hold.ready {
                ", on the hold shelf"
            } else {
                ""
            };
            state.push(format!("reserved for {}{shelf}", hold.patron));
        }
        if state.is_empty() {
            state.push("available".into());
        }
        writeln!(
            out,
            "  {:<16} {:<9} {} / {} — {}",
            i.barcode,
            i.item_type,
            i.title,
            i.author,
            state.join("; ")
        )?;
    }
    Ok(())
}
