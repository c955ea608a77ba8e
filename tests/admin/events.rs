//! Every sample event in `events/admin/` runs through the handler with a
//! minted key in place of `API_KEY` (and the created customer's id in place
//! of `CUSTOMER_ID`).

use super::*;
use crate::support::{codes, event_names, run_event, top_error};

type Check = fn(&Value);

fn payload<'a>(r: &'a Value, op: &str) -> &'a Value {
    &r["data"][op]
}

/// In the order they run.
const EXPECTED: &[(&str, Check)] = &[
    ("create-customer", |r| assert_eq!(payload(r, "createCustomer")["customer"]["ref"], "ORD-EVENTS-1", "{r}")),
    ("create-customer-bad-input", |r| {
        assert_eq!(codes(payload(r, "createCustomer")), ["INVALID", "INVALID", "INVALID"], "{r}")
    }),
    ("customer", |r| assert_eq!(payload(r, "customer")["externalId"], "crm-events-1", "{r}")),
    ("customers", |r| assert_eq!(payload(r, "customers")["edges"].as_array().map(Vec::len), Some(1), "{r}")),
    ("customers-no-credentials", |r| assert_eq!(top_error(r).as_deref(), Some("UNAUTHENTICATED"))),
    ("update-customer", |r| assert_eq!(payload(r, "updateCustomer")["customer"]["firstName"], "Olga Maria", "{r}")),
    ("upsert-customer", |r| assert_eq!(payload(r, "upsertCustomer")["result"], "CREATED", "{r}")),
    ("set-customer-status", |r| assert_eq!(payload(r, "setCustomerStatus")["customer"]["status"], "INACTIVE", "{r}")),
    ("delete-customer", |r| assert_eq!(payload(r, "deleteCustomer")["deleted"], true, "{r}")),
    ("newsletter-subscriptions", |r| assert!(payload(r, "newsletterSubscriptions")["edges"].is_array(), "{r}")),
    ("notify-back-in-stock", |r| assert_eq!(payload(r, "notifyBackInStock")["notified"], 0, "{r}")),
];

#[tokio::test]
async fn every_admin_event_runs_through_the_handler() {
    let mut covered: Vec<String> = EXPECTED.iter().map(|(n, _)| n.to_string()).collect();
    covered.sort();
    assert_eq!(event_names("admin"), covered, "every event has an expectation here, and every expectation an event");
    let b = backoffice().await;
    let mut customer_id = String::new();
    for (name, check) in EXPECTED {
        let resp = run_event(&b.admin, "admin", name, &[("API_KEY", &b.key), ("CUSTOMER_ID", &customer_id)]).await;
        check(&resp);
        if *name == "create-customer" {
            customer_id = resp["data"]["createCustomer"]["customer"]["id"].as_str().unwrap().to_string();
            // `customers` searches by a ref pattern: the index lists the
            // new customer from the stream, within seconds.
            crate::support::search::searchable(&b.svc).await;
        }
    }
}
