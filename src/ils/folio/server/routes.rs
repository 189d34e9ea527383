//! The FOLIO calls the simulated endpoint answers, each from [`SimIls`].

use super::{barcode_of, cql_value, errors, folio_message, id_of, local_of, utc_text};
use crate::circ::reason::Reason;
use crate::circ::types::{ItemCirculation, ItemId, PatronId, Pin, ReturnRoute};
use crate::ils::Ils;
use crate::ils::sim::SimIls;
use chrono::{Local, NaiveDateTime};
use serde_json::{Value, json};
use tiny_http::Method;

pub(super) fn route(
    sim: &mut SimIls,
    method: &Method,
    path: &str,
    query: &str,
    body: &Value,
) -> (u16, Value) {
    match (method, path) {
        (Method::Get, "/users") => users(sim, query),
        (Method::Get, p) if p.starts_with("/service-points/") => (
            200,
            json!({"id": &p["/service-points/".len()..], "name": "Simulated circulation desk", "code": "sim"}),
        ),
        (Method::Post, "/patron-pin/verify") => {
            let barcode = body["id"].as_str().and_then(barcode_of).unwrap_or_default();
            let pin = Pin::new(body["pin"].as_str().unwrap_or(""));
            match sim.patron_status(&PatronId(barcode), Some(&pin)) {
                Ok(status) if status.pin_ok == Some(true) => (200, Value::Null),
                Ok(_) => (422, errors("PIN does not match")),
                Err(error) => (500, errors(&error.to_string())),
            }
        }
        (Method::Get, p) if p.starts_with("/automated-patron-blocks/") => {
            let barcode = barcode_of(&p["/automated-patron-blocks/".len()..]).unwrap_or_default();
            let blocks = match sim.patron_status(&PatronId(barcode), None) {
                Ok(status) => status
                    .blocks
                    .iter()
                    .filter(|b| **b != crate::circ::types::Block::CardExpired)
                    .map(|b| json!({"blockBorrowing": true, "blockRenewals": true, "blockRequests": false, "message": format!("{b:?}")}))
                    .collect::<Vec<_>>(),
                Err(_) => Vec::new(),
            };
            (200, json!({"automatedPatronBlocks": blocks}))
        }
        (Method::Get, "/manualblocks") => (200, json!({"manualblocks": [], "totalRecords": 0})),
        (Method::Get, "/accounts") => accounts(sim, query),
        (Method::Get, "/circulation/loans") => loans(sim, query),
        (Method::Get, "/circulation/requests") => requests(sim, query),
        (Method::Get, "/inventory/items") => items(sim, query),
        (Method::Post, "/circulation/check-out-by-barcode") => check_out(sim, body),
        (Method::Post, "/circulation/check-in-by-barcode") => check_in(sim, body),
        (Method::Post, "/circulation/renew-by-barcode") => renew(sim, body),
        _ => (
            404,
            json!(format!("No suitable module found for path {path}")),
        ),
    }
}

fn users(sim: &mut SimIls, query: &str) -> (u16, Value) {
    let Some(barcode) = cql_value(query, "barcode") else {
        return (400, errors("expected a query by barcode"));
    };
    match sim.patron_status(&PatronId(barcode.clone()), None) {
        Ok(status) if status.valid => {
            let expired = status
                .blocks
                .contains(&crate::circ::types::Block::CardExpired);
            let user = json!({
                "id": id_of('u', &barcode),
                "barcode": barcode,
                "active": !expired,
                "personal": {"firstName": status.name, "lastName": "", "email": status.email},
            });
            (200, json!({"users": [user], "totalRecords": 1}))
        }
        Ok(_) => (200, json!({"users": [], "totalRecords": 0})),
        Err(error) => (500, errors(&error.to_string())),
    }
}

fn user_barcode(query: &str, field: &str) -> String {
    cql_value(query, field)
        .and_then(|id| barcode_of(&id))
        .unwrap_or_default()
}

fn accounts(sim: &mut SimIls, query: &str) -> (u16, Value) {
    let barcode = user_barcode(query, "userId");
    let Ok(account) = sim.account(&PatronId(barcode), None) else {
        return (200, json!({"accounts": []}));
    };
    let rows: Vec<Value> = account
        .fines
        .iter()
        .map(|f| json!({"remaining": f.amount.map_or(0.0, |m| m.minor as f64 / 100.0), "feeFineType": f.description, "status": {"name": "Open"}}))
        .collect();
    (200, json!({"accounts": rows, "totalRecords": rows.len()}))
}

fn loan_json(
    barcode: &str,
    title: &str,
    patron: Option<&str>,
    due: Option<NaiveDateTime>,
) -> Value {
    json!({
        "id": id_of('l', barcode),
        "userId": patron.map(|p| id_of('u', p)),
        "itemId": id_of('i', barcode),
        "item": {"title": title, "barcode": barcode, "status": {"name": "Checked out"}},
        "dueDate": due.map(utc_text),
        "status": {"name": "Open"},
        "action": "checkedout",
    })
}

fn loans(sim: &mut SimIls, query: &str) -> (u16, Value) {
    if let Some(item_id) = cql_value(query, "itemId") {
        let barcode = barcode_of(&item_id).unwrap_or_default();
        let item = ItemId(barcode.clone());
        let loans = match sim.item_info(&item) {
            Ok(Ok(info)) if info.status == ItemCirculation::OnLoan => {
                let patron = sim.borrower(&item).map(|p| p.0.clone());
                vec![loan_json(
                    &barcode,
                    &info.title,
                    patron.as_deref(),
                    info.due.and_then(|d| d.at),
                )]
            }
            _ => Vec::new(),
        };
        return (200, json!({"loans": loans, "totalRecords": loans.len()}));
    }
    let barcode = user_barcode(query, "userId");
    let Ok(account) = sim.account(&PatronId(barcode.clone()), None) else {
        return (200, json!({"loans": []}));
    };
    let rows: Vec<Value> = account
        .loans
        .iter()
        .map(|l| loan_json(&l.item.0, &l.title, Some(&barcode), l.due.at))
        .collect();
    (200, json!({"loans": rows, "totalRecords": rows.len()}))
}

fn requests(sim: &mut SimIls, query: &str) -> (u16, Value) {
    let barcode = user_barcode(query, "requesterId");
    let Ok(account) = sim.account(&PatronId(barcode), None) else {
        return (200, json!({"requests": []}));
    };
    let rows: Vec<Value> = account
        .holds
        .iter()
        .map(|h| {
            json!({
                "status": if h.ready { "Open - Awaiting pickup" } else { "Open - Not yet filled" },
                "item": {"title": h.title},
                "holdShelfExpirationDate": h.pickup_by.as_ref().and_then(|d| d.at).map(utc_text),
            })
        })
        .collect();
    (200, json!({"requests": rows, "totalRecords": rows.len()}))
}

fn items(sim: &mut SimIls, query: &str) -> (u16, Value) {
    let barcode = cql_value(query, "barcode").unwrap_or_default();
    match sim.item_info(&ItemId(barcode.clone())) {
        Ok(Ok(info)) => {
            let status = match info.status {
                ItemCirculation::Available => "Available",
                ItemCirculation::OnLoan => "Checked out",
                ItemCirculation::OnHoldShelf => "Awaiting pickup",
                ItemCirculation::NotForLoan => "Unavailable",
                ItemCirculation::Other => "Unknown",
            };
            let item = json!({"id": id_of('i', &barcode), "barcode": barcode, "status": {"name": status}, "title": info.title});
            (200, json!({"items": [item], "totalRecords": 1}))
        }
        _ => (200, json!({"items": [], "totalRecords": 0})),
    }
}

/// The fields a request must have, and (for check-in) the only ones it may have.
fn shape(body: &Value, required: &[&str], only: bool) -> Result<(), String> {
    let Some(object) = body.as_object() else {
        return Err("the body must be a JSON object".into());
    };
    if let Some(missing) = required
        .iter()
        .find(|k| !object.get(**k).is_some_and(Value::is_string))
    {
        return Err(format!("{missing} is required"));
    }
    if only && let Some(extra) = object.keys().find(|k| !required.contains(&k.as_str())) {
        return Err(format!("Unrecognized field \"{extra}\""));
    }
    Ok(())
}

fn check_out(sim: &mut SimIls, body: &Value) -> (u16, Value) {
    if let Err(message) = shape(
        body,
        &["itemBarcode", "userBarcode", "checkoutServicePointId"],
        false,
    ) {
        return (422, errors(&message));
    }
    let item = body["itemBarcode"].as_str().unwrap_or("");
    let patron = body["userBarcode"].as_str().unwrap_or("");
    let at = body["loanDate"]
        .as_str()
        .and_then(local_of)
        .unwrap_or_else(|| Local::now().naive_local());
    match sim.checkout_at(&PatronId(patron.into()), &ItemId(item.into()), at) {
        Ok(Ok(loan)) => (201, loan_json(item, &loan.title, Some(patron), loan.due.at)),
        Ok(Err(refusal)) => (422, errors(&folio_message(&refusal, item))),
        Err(error) => (500, errors(&error.to_string())),
    }
}

fn check_in(sim: &mut SimIls, body: &Value) -> (u16, Value) {
    if let Err(message) = shape(
        body,
        &["itemBarcode", "servicePointId", "checkInDate"],
        true,
    ) {
        return (422, errors(&message));
    }
    let item = body["itemBarcode"].as_str().unwrap_or("");
    let at = body["checkInDate"]
        .as_str()
        .and_then(local_of)
        .unwrap_or_else(|| Local::now().naive_local());
    let title = sim
        .item_info(&ItemId(item.into()))
        .ok()
        .and_then(Result::ok)
        .map(|i| i.title)
        .unwrap_or_default();
    match sim.checkin_at(&ItemId(item.into()), at) {
        Ok(Ok(back)) => {
            let (status, to) = match &back.route {
                ReturnRoute::HoldShelf => ("Awaiting pickup", None),
                ReturnRoute::Transfer { to } => ("In transit", Some(to.clone())),
                ReturnRoute::Shelf | ReturnRoute::ReturnBin => ("Available", None),
            };
            let mut loan = loan_json(item, &back.title, None, None);
            loan["status"] = json!({"name": "Closed"});
            loan["action"] = json!("checkedin");
            let mut checked =
                json!({"title": back.title, "barcode": item, "status": {"name": status}});
            if let Some(to) = to {
                checked["inTransitDestinationServicePoint"] = json!({"name": to});
            }
            (200, json!({"loan": loan, "item": checked}))
        }
        // FOLIO checks in what was not on loan: no loan in the answer.
        Ok(Err(refusal)) if matches!(refusal.reason, Reason::NotOnLoan) => (
            200,
            json!({"item": {"title": title, "barcode": item, "status": {"name": "Available"}}}),
        ),
        Ok(Err(refusal)) => (422, errors(&folio_message(&refusal, item))),
        Err(error) => (500, errors(&error.to_string())),
    }
}

fn renew(sim: &mut SimIls, body: &Value) -> (u16, Value) {
    if let Err(message) = shape(body, &["itemBarcode", "userBarcode"], false) {
        return (422, errors(&message));
    }
    let item = body["itemBarcode"].as_str().unwrap_or("");
    let patron = body["userBarcode"].as_str().unwrap_or("");
    match sim.renew(&PatronId(patron.into()), &ItemId(item.into())) {
        Ok(Ok(loan)) => (200, loan_json(item, &loan.title, Some(patron), loan.due.at)),
        Ok(Err(refusal)) => (422, errors(&folio_message(&refusal, item))),
        Err(error) => (500, errors(&error.to_string())),
    }
}
