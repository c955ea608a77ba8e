//! Subscription contracts: the order system records each one (and each
//! change) with `recordSubscriptionContract`, idempotent by `contractId`;
//! the back office and the customer read them from the customer, and
//! erasure frees their ids.

use super::*;
use crate::support::accounts::{login, PASSWORD};
use crate::support::{bearer, gql, top_error};

const RECORD: &str = "mutation($input: RecordSubscriptionContractInput!) { recordSubscriptionContract(input: $input) { result subscriptionContract { id contractId status interval nextOrderAt price { amount currencyCode } items { sku quantity } } userErrors { code field message } } }";

const CONTRACTS: &str = "query($id: ID!) { customer(id: $id) { subscriptionContracts { contractId status } } }";

/// A monthly coffee subscription `contract_id` for `who`, in `status`.
fn contract(contract_id: &str, who: &Value, status: &str) -> Value {
    json!({
        "contractId": contract_id,
        "customer": who,
        "status": status,
        "interval": "P1M",
        "nextOrderAt": "2026-12-01T08:00:00Z",
        "items": [{ "sku": "COFFEE-1KG", "quantity": 2 }],
        "price": { "amount": "19.90", "currencyCode": "EUR" },
    })
}

/// `recordSubscriptionContract(input)` with `key`; the whole response.
async fn record_contract_with(b: &Backoffice, key: &str, input: Value) -> Value {
    b.call_with(key, RECORD, json!({ "input": input })).await
}

/// `recordSubscriptionContract(input)` with the full key; the payload (no top-level error allowed).
async fn record_contract(b: &Backoffice, input: Value) -> Value {
    let resp = record_contract_with(b, &b.key, input).await;
    assert!(resp["errors"].is_null(), "{resp}");
    resp["data"]["recordSubscriptionContract"].clone()
}

/// The customer's contracts as the back office reads them (no error allowed).
async fn contracts_of(b: &Backoffice, id: &str) -> Value {
    let resp = b.call(CONTRACTS, json!({ "id": id })).await;
    assert!(resp["errors"].is_null(), "{resp}");
    resp["data"]["customer"]["subscriptionContracts"].clone()
}

#[tokio::test]
async fn a_contract_is_created_replayed_and_updated_and_read_by_both_sides() {
    let b = backoffice().await;
    let address = email("subscriber");
    let made = b.create(json!({ "email": address, "password": PASSWORD })).await;
    assert!(codes(&made).is_empty(), "{made}");
    let id = made["customer"]["id"].as_str().unwrap_or_else(|| panic!("{made}")).to_string();
    let input = contract("SUB-1", &by_id(&id), "ACTIVE");

    let created = record_contract(&b, input.clone()).await;
    assert!(codes(&created).is_empty(), "{created}");
    assert_eq!(created["result"], "CREATED", "{created}");
    let c = &created["subscriptionContract"];
    assert!(c["id"].is_string(), "{created}");
    assert_eq!(
        (&c["contractId"], &c["status"], &c["interval"]),
        (&json!("SUB-1"), &json!("ACTIVE"), &json!("P1M")),
        "{created}"
    );
    assert_eq!(at(&c["nextOrderAt"]), at(&input["nextOrderAt"]));
    assert_eq!((amount(&c["price"]), &c["price"]["currencyCode"]), ("19.9".to_string(), &json!("EUR")), "{created}");
    assert_eq!(c["items"], json!([{ "sku": "COFFEE-1KG", "quantity": 2 }]), "{created}");

    // The same contract again: nothing changes.
    let same = record_contract(&b, input.clone()).await;
    assert_eq!(same["result"], "NOOP", "{same}");
    assert!(codes(&same).is_empty(), "{same}");
    assert_eq!(same["subscriptionContract"], created["subscriptionContract"]);

    // Paused: the same contract, changed.
    let paused_input = contract("SUB-1", &by_id(&id), "PAUSED");
    let paused = record_contract(&b, paused_input.clone()).await;
    assert_eq!(paused["result"], "UPDATED", "{paused}");
    let p = &paused["subscriptionContract"];
    assert_eq!((&p["id"], &p["status"]), (&c["id"], &json!("PAUSED")), "{paused}");
    assert_eq!(record_contract(&b, paused_input).await["result"], "NOOP");

    // Another contract; both read back by contract id, by the back office and by the customer.
    assert_eq!(record_contract(&b, contract("SUB-0", &by_id(&id), "ACTIVE")).await["result"], "CREATED");
    let listed = json!([
        { "contractId": "SUB-0", "status": "ACTIVE" },
        { "contractId": "SUB-1", "status": "PAUSED" },
    ]);
    assert_eq!(contracts_of(&b, &id).await, listed);
    let session = login(&b.auth, &address, PASSWORD, &[]).await;
    assert!(codes(&session).is_empty(), "{session}");
    let token = session["session"]["accessToken"].as_str().unwrap().to_string();
    let account = account::app(b.svc.clone());
    let resp =
        gql(&account, "{ customer { subscriptionContracts { contractId } } }", json!({}), &[bearer(&token)]).await;
    assert!(resp["errors"].is_null(), "{resp}");
    assert_eq!(
        resp["data"]["customer"]["subscriptionContracts"],
        json!([{ "contractId": "SUB-0" }, { "contractId": "SUB-1" }]),
        "{resp}"
    );

    // Refusals, each located; nothing recorded.
    let other = customer(&b, "other-subscriber").await;
    let mut bad_price = contract("SUB-2", &by_id(&id), "ACTIVE");
    bad_price["price"]["amount"] = json!("19,90");
    let cases = [
        (contract("SUB-1", &by_id(&other), "ACTIVE"), "INVALID", json!(["input", "contractId"])),
        (contract("SUB-2", &json!({ "email": email("nobody") }), "ACTIVE"), "NOT_FOUND", json!(["input", "customer"])),
        (bad_price, "INVALID", json!(["input", "price", "amount"])),
    ];
    for (input, code, field) in cases {
        let p = record_contract(&b, input.clone()).await;
        assert_eq!(user_error(&p), (code.to_string(), field), "{input}: {p}");
        assert!(p["result"].is_null() && p["subscriptionContract"].is_null(), "{p}");
    }
    assert_eq!(contracts_of(&b, &other).await, json!([]));

    // Without order:write: refused.
    let no_write: Vec<Permission> = Permission::ALL.into_iter().filter(|p| *p != Permission::OrderWrite).collect();
    let no_write = mint(&b.svc, "default", &no_write).await;
    let resp = record_contract_with(&b, &no_write, contract("SUB-2", &by_id(&id), "ACTIVE")).await;
    assert_eq!(top_error(&resp).as_deref(), Some("FORBIDDEN"), "{resp}");
    assert_eq!(contracts_of(&b, &id).await, listed, "nothing was recorded");
}

#[tokio::test]
async fn erasing_a_customer_frees_its_contract_ids() {
    let b = backoffice().await;
    let gone = customer(&b, "erased-subscriber").await;
    let heir = customer(&b, "heir-subscriber").await;
    assert_eq!(record_contract(&b, contract("SUB-E", &by_id(&gone), "ACTIVE")).await["result"], "CREATED");
    let p = record_contract(&b, contract("SUB-E", &by_id(&heir), "ACTIVE")).await;
    assert_eq!(user_error(&p), ("INVALID".to_string(), json!(["input", "contractId"])), "taken while it lives: {p}");

    let q = "mutation($id: ID!) { deleteCustomer(id: $id) { deleted userErrors { code } } }";
    let d = b.call(q, json!({ "id": gone })).await;
    assert_eq!(d["data"]["deleteCustomer"]["deleted"], true, "{d}");
    crate::support::settle(&b.svc).await;

    let p = record_contract(&b, contract("SUB-E", &by_id(&heir), "PAUSED")).await;
    assert!(codes(&p).is_empty(), "{p}");
    assert_eq!((&p["result"], &p["subscriptionContract"]["status"]), (&json!("CREATED"), &json!("PAUSED")), "{p}");
    assert_eq!(contracts_of(&b, &heir).await, json!([{ "contractId": "SUB-E", "status": "PAUSED" }]));
}
