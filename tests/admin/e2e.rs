//! A back-office flow over HTTP under `cargo lambda watch`, with a key
//! minted by `customer-ctl` as an operator would.

use crate::support::watch::Watch;
use crate::support::{aws, bearer, codes, unique};
use serde_json::json;

/// A key minted by `customer-ctl`, as an operator would, for `tenant` with
/// `permissions` (comma-separated).
pub fn mint_with_ctl(table: &str, tenant: &str, permissions: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let out = std::process::Command::new("cargo")
        .current_dir(root)
        .args(["run", "--quiet", "-p", "customer-ctl", "--", "api-key", "mint"])
        .args(["--tenant", tenant, "--name", "oms", "--permissions", permissions])
        .env("TABLE_NAME", table)
        .output()
        .expect("customer-ctl runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[tokio::test]
async fn create_find_upsert_deactivate_delete_over_http() {
    let table = unique("e2e");
    shared::store::table::create_table(&aws_sdk_dynamodb::Client::new(&aws().await), &table).await.unwrap();
    let key = mint_with_ctl(&table, "acme", "customer:read,customer:create,customer:edit,customer:delete");
    // No JWT key at all: admin needs none.
    let watch = Watch::start(&[("TABLE_NAME", table)]).await;
    let auth = [bearer(&key)];

    let q =
        "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id ref } userErrors { code } } }";
    let email = crate::support::email("oms");
    let c = watch.gql("admin", q, json!({ "i": { "email": email, "ref": "SO-2026-000123" } }), &auth).await;
    let id = c["data"]["createCustomer"]["customer"]["id"].as_str().unwrap_or_else(|| panic!("{c}")).to_string();

    // Found by a part of its ref once the stream has listed it (seconds).
    let q = "query($r: String) { customers(filter: { ref: $r }) { edges { node { id ref } } } }";
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let found = watch.gql("admin", q, json!({ "r": "%2026-0001%" }), &auth).await;
        if found["data"]["customers"]["edges"][0]["node"]["id"] == id.as_str() {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "not found by its ref: {found}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    let q = "mutation($i: UpsertCustomerInput!) { upsertCustomer(input: $i) { result customer { id firstName } userErrors { code } } }";
    let upsert = |external: &'static str, first_name: &'static str| json!({ "i": { "identifier": { "externalId": external }, "onCreate": { "email": crate::support::email("up"), "firstName": first_name }, "onUpdate": { "firstName": first_name } } });
    let r1 = watch.gql("admin", q, upsert("crm-1", "Ann"), &auth).await;
    assert_eq!(r1["data"]["upsertCustomer"]["result"], "CREATED", "{r1}");
    let r2 = watch.gql("admin", q, upsert("crm-1", "Ann"), &auth).await;
    assert_eq!(r2["data"]["upsertCustomer"]["result"], "NOOP", "{r2}");
    let r3 = watch.gql("admin", q, upsert("crm-1", "Anne"), &auth).await;
    assert_eq!(r3["data"]["upsertCustomer"]["result"], "UPDATED", "{r3}");
    assert_eq!(r3["data"]["upsertCustomer"]["customer"]["firstName"], "Anne");

    let q = "mutation($id: ID!) { setCustomerStatus(id: $id, status: INACTIVE) { customer { status } userErrors { code } } }";
    let s = watch.gql("admin", q, json!({ "id": id }), &auth).await;
    assert_eq!(s["data"]["setCustomerStatus"]["customer"]["status"], "INACTIVE", "{s}");

    let q = "mutation($id: ID!) { deleteCustomer(id: $id) { deleted userErrors { code } } }";
    let d = watch.gql("admin", q, json!({ "id": id }), &auth).await;
    assert_eq!(d["data"]["deleteCustomer"]["deleted"], true, "{d}");
    let gone = watch.gql("admin", "query($id: ID) { customer(id: $id) { id } }", json!({ "id": id }), &auth).await;
    assert!(gone["data"]["customer"].is_null(), "{gone}");
    // Erased again while its job runs, it answers `deleted` (and starts the
    // job again); once the job is done, the id names nothing.
    let mut again = watch.gql("admin", q, json!({ "id": id }), &auth).await;
    for _ in 0..100 {
        if again["data"]["deleteCustomer"]["deleted"] != true {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        again = watch.gql("admin", q, json!({ "id": id }), &auth).await;
    }
    assert_eq!(codes(&again["data"]["deleteCustomer"]), ["NOT_FOUND"], "{again}");
}
