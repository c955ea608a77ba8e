//! Exports through `admin`, as a back office runs them: start, follow,
//! download; the file written by the imports function behind the queue
//! (moto's SQS and S3), in parts of 4 KiB, so that a few dozen customers
//! span several parts and pending slices.

use super::imports::{counts, shop, shop_over, Shop};
use super::mint;
use crate::support::imports::{download, rig_with_worker, FailCall};
use crate::support::{bearer, email, gql, tenant, top_error};
use serde_json::{json, Value};
use shared::domain::Permission;
use std::time::{Duration, Instant};

const EXPORT_FIELDS: &str =
    "id format status rowsWritten downloadUrl downloadExpiresAt createdAt finishedAt failureReason";

/// What a customer is, without what a tenant gives it (ids, numbers,
/// times): the same in the tenant an export came from and the one it was
/// imported into.
const CUSTOMER_FIELDS: &str = "email emailVerified status title firstName lastName phoneNumber cellPhoneNumber birthdate gender languageCode countryCode timezone promotionOptIn pictureUrl websiteUrl secondaryEmail ref externalId loyaltyId username department source sourceId tags note billingAddress { title firstName lastName company street streetNumber additionalInfo postalCode city region countryCode phone mobile fax email } deliveryAddresses { firstName lastName street city postalCode countryCode phone } consents { key granted } attributes { key value } newsletter { status }";

impl Shop {
    async fn start_export(&self, input: Value) -> Value {
        let q = format!("mutation($i: StartCustomerExportInput!) {{ startCustomerExport(input: $i) {{ export {{ {EXPORT_FIELDS} }} userErrors {{ code field message }} }} }}");
        self.call(&q, json!({ "i": input })).await["data"]["startCustomerExport"].clone()
    }

    async fn export_job(&self, id: &str) -> Value {
        let q = format!("query($id: ID!) {{ customerExport(id: $id) {{ {EXPORT_FIELDS} }} }}");
        self.call(&q, json!({ "id": id })).await["data"]["customerExport"].clone()
    }

    /// Starts an export of `input` and waits for its end.
    async fn export(&self, input: Value) -> Value {
        let started = self.start_export(input).await;
        assert_eq!(started["userErrors"], json!([]), "{started}");
        assert_eq!(started["export"]["status"], "RUNNING", "{started}");
        let id = started["export"]["id"].as_str().unwrap().to_string();
        let clock = Instant::now();
        loop {
            let job = self.export_job(&id).await;
            if job["status"] != "RUNNING" {
                return job;
            }
            assert!(clock.elapsed() < Duration::from_secs(120), "the export did not finish: {job}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the search index finds `n` customers for `query` and
    /// `filter` (it follows the table's stream: within seconds).
    async fn searchable(&self, query: Option<&str>, filter: Value, n: i64) {
        let q = "query($q: String, $f: CustomerFilter) { customersCount(query: $q, filter: $f) { count } }";
        let started = Instant::now();
        loop {
            let r = self.call(q, json!({ "q": query, "f": filter })).await;
            if r["data"]["customersCount"]["count"] == n {
                return;
            }
            // Each customer is some hundreds of index entries, which a loaded
            // DynamoDB Local writes slowly.
            assert!(started.elapsed() < Duration::from_secs(180), "never searchable: {r}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The customer of `address` in `tenant`, as `CUSTOMER_FIELDS` has it.
    async fn customer_in(&self, tenant_id: &str, key: &str, address: &str) -> Value {
        let q = format!("query($e: String!) {{ customer(email: $e) {{ {CUSTOMER_FIELDS} }} }}");
        let r = gql(&self.admin, &q, json!({ "e": address }), &[bearer(key), tenant(tenant_id)]).await;
        r["data"]["customer"].clone()
    }
}

/// Rows of rich customers, each different: every field an export carries.
fn rich_rows(prefix: &str, n: usize) -> Vec<(String, Value)> {
    (0..n)
        .map(|i| {
            let address = email(&format!("{prefix}-{i}"));
            let row = json!({
                "email": address,
                "emailVerified": i % 2 == 0,
                "title": "Dr.",
                "firstName": format!("Zoë {i}"),
                "lastName": "Ørsted-Łukasiewicz",
                "phoneNumber": "+44 20 7946 0958",
                "cellPhoneNumber": "+49 151 23456789",
                "birthdate": "1985-12-10",
                "gender": "FEMALE",
                "languageCode": "de-AT",
                "countryCode": "AT",
                "timezone": "Europe/Vienna",
                "promotionOptIn": true,
                "websiteUrl": "https://example.com/zoe",
                "secondaryEmail": email(&format!("{prefix}-second-{i}")),
                "ref": format!("{prefix}-REF-{i}-{}", ulid::Ulid::new()),
                "externalId": format!("{prefix}-EXT-{i}-{}", ulid::Ulid::new()),
                "department": "Purchasing",
                "source": "old shop",
                "sourceId": format!("{i}"),
                "tags": ["vip", format!("cohort-{}", i % 3)],
                "note": "Likes \"quotes\", commas, and 'apostrophes'.",
                "newsletter": if i % 3 == 0 { "SUBSCRIBED" } else { "UNSUBSCRIBED" },
                "billingAddress": { "company": "Acme, Inc.", "street": "Ringstraße", "streetNumber": "1", "postalCode": "1010", "city": "Wien", "countryCode": "AT", "phone": "+43 1 234" },
                "deliveryAddresses": [
                    { "firstName": "Zoë", "street": "Hauptplatz 2", "city": "Graz", "postalCode": "8010", "countryCode": "AT" },
                    { "street": "Rue de Rivoli 3", "city": "Paris", "postalCode": "75001", "countryCode": "FR" }
                ],
                "consents": [{ "key": "smsMarketing", "granted": i % 2 == 1 }],
                "attributes": [{ "key": "shoeSize", "value": format!("{}", 36 + i % 10) }],
                "passwordHash": { "algorithm": "PHPASS", "value": "$P$B12345678L6Lpt4BxNotVIMILOa9u81" }
            });
            (address, row)
        })
        .collect()
}

/// A JSONL export `file` holds each customer of `rows` exactly once, and no other.
fn holds_each_once(file: &str, rows: &[(String, Value)]) {
    let lines: Vec<Value> = file.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    let mut emails: Vec<&str> = lines.iter().map(|v| v["email"].as_str().expect("an email")).collect();
    emails.sort_unstable();
    let mut expected: Vec<&str> = rows.iter().map(|(a, _)| a.as_str()).collect();
    expected.sort_unstable();
    assert_eq!(emails, expected, "each customer exactly once");
}

fn jsonl(rows: &[(String, Value)]) -> String {
    rows.iter().map(|(_, r)| r.to_string()).collect::<Vec<_>>().join("\n")
}

/// A tenant's customers, exported as JSONL and imported as the file is
/// into another tenant, are the same customers there; the file holds no
/// password hash, and its download ends with the bucket's 7 days.
#[tokio::test]
async fn an_export_imports_into_another_tenant_as_the_same_customers() {
    let shop = shop().await;
    let rows = rich_rows("roundtrip", 12);
    let job = shop.import("JSONL", &jsonl(&rows), json!({})).await;
    assert_eq!(counts(&job), [12, 12, 0, 0, 0], "{job}");
    shop.searchable(Some("tag:vip"), json!({}), 12).await;

    let export = shop.export(json!({ "format": "JSONL", "query": "tag:vip" })).await;
    assert_eq!(export["status"], "COMPLETED", "{export}");
    assert_eq!(export["rowsWritten"], 12, "{export}");
    let file = download(export["downloadUrl"].as_str().expect("a download URL")).await;
    assert!(file.len() > 3 * 4096, "a file of several parts: {} bytes", file.len());
    let lines: Vec<Value> = file.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    assert_eq!(lines.len(), 12, "each customer once");
    let emails: std::collections::HashSet<&str> = lines.iter().filter_map(|l| l["email"].as_str()).collect();
    assert_eq!(emails.len(), 12, "each customer once");
    assert!(lines.iter().all(|l| l["id"].is_string() && l["customerNumber"].is_string()));
    for secret in ["$P$", "passwordHash", "password", "token", "session"] {
        assert!(!file.contains(secret), "the export holds {secret:?}");
    }

    // Into another tenant, as it is.
    let other = mint(&shop.rig.svc, "other", &Permission::ALL).await;
    let as_other = [bearer(&other), tenant("other")];
    let q = "mutation { stageCustomerImport(input: { format: JSONL }) { import { id uploadUrl } } }";
    let staged = gql(&shop.admin, q, json!({}), &as_other).await;
    let staged = &staged["data"]["stageCustomerImport"]["import"];
    crate::support::imports::upload(staged["uploadUrl"].as_str().unwrap(), file.clone()).await;
    let q = "mutation($id: ID!) { runCustomerImport(id: $id) { userErrors { code field message } } }";
    let ran = gql(&shop.admin, q, json!({ "id": staged["id"] }), &as_other).await;
    assert_eq!(ran["data"]["runCustomerImport"]["userErrors"], json!([]), "{ran}");
    let q = "query($id: ID!) { customerImport(id: $id) { status created failed errors { line code field message } } }";
    let started = Instant::now();
    let imported = loop {
        let r = gql(&shop.admin, q, json!({ "id": staged["id"] }), &as_other).await;
        let job = r["data"]["customerImport"].clone();
        if !matches!(job["status"].as_str(), Some("STAGED" | "RUNNING")) {
            break job;
        }
        assert!(started.elapsed() < Duration::from_secs(120), "the import did not finish: {job}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        (imported["status"].as_str(), imported["created"].as_i64()),
        (Some("COMPLETED"), Some(12)),
        "{imported}"
    );
    for (address, _) in &rows {
        let here = shop.customer_in("default", &shop.key, address).await;
        let there = shop.customer_in("other", &other, address).await;
        assert!(here["email"].is_string(), "{here}");
        assert_eq!(here, there, "{address} is another customer after the round trip");
    }

    // Past the bucket's 7 days, the file is gone and no URL is given.
    crate::support::clock(&shop.rig.svc).advance(chrono::Duration::days(7) + chrono::Duration::seconds(1));
    let later = shop.export_job(export["id"].as_str().unwrap()).await;
    assert_eq!(
        (later["downloadUrl"].clone(), later["downloadExpiresAt"].clone()),
        (Value::Null, Value::Null),
        "{later}"
    );
}

/// A CSV export holds the customers its query finds, one a row under the
/// schema's dotted names; a cell a spreadsheet would run as a formula
/// starts with an apostrophe; and the file imports as it is.
#[tokio::test]
async fn a_csv_export_holds_what_its_query_finds_defused_and_imports_as_is() {
    let shop = shop().await;
    let marker = format!("csv{}", &ulid::Ulid::new().to_string().to_lowercase()[20..]);
    let (formula, plain, other) = (email("csv-formula"), email("csv-plain"), email("csv-other"));
    let file = [
        json!({ "email": formula, "firstName": "=HYPERLINK(\"http://evil.example\")", "lastName": "@SUM(A1)", "tags": [marker], "phoneNumber": "+44 20 7946 0958",
                "billingAddress": { "street": "1 Main St", "city": "London", "countryCode": "GB" } }),
        json!({ "email": plain, "firstName": "Plain", "tags": [marker, "b"], "note": "a, \"quoted\" note" }),
        json!({ "email": other, "firstName": "Elsewhere", "tags": ["unrelated"] }),
    ]
    .map(|r| r.to_string())
    .join("\n");
    shop.import("JSONL", &file, json!({})).await;
    shop.searchable(Some(&format!("tag:{marker}")), json!({}), 2).await;

    let export = shop.export(json!({ "format": "CSV", "query": format!("tag:{marker}") })).await;
    assert_eq!((export["status"].as_str(), export["rowsWritten"].as_i64()), (Some("COMPLETED"), Some(2)), "{export}");
    let text = download(export["downloadUrl"].as_str().unwrap()).await;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    for column in ["id", "email", "firstName", "tags", "note", "billingAddress.city", "deliveryAddresses.0.city"] {
        assert!(header.contains(&column.to_string()), "no {column} in {header:?}");
    }
    let records: Vec<std::collections::HashMap<String, String>> =
        reader.deserialize().collect::<Result<_, _>>().expect("rows under the header");
    assert_eq!(records.len(), 2, "{text}");
    let row = |address: &str| records.iter().find(|r| r["email"] == address).unwrap_or_else(|| panic!("{address}"));
    assert_eq!(row(&formula)["firstName"], "'=HYPERLINK(\"http://evil.example\")");
    assert_eq!(row(&formula)["lastName"], "'@SUM(A1)");
    assert_eq!(row(&formula)["phoneNumber"], "'+442079460958");
    assert_eq!(row(&plain)["note"], "a, \"quoted\" note");
    assert_eq!(row(&plain)["tags"], format!("{marker}, b"));
    assert!(records.iter().all(|r| r["email"] != other), "a customer the query does not find");

    // Back in, the apostrophes are read past: the customers do not change.
    let again = shop.import("CSV", &text, json!({})).await;
    assert_eq!(counts(&again), [2, 0, 0, 2, 0], "{again}");
    let back = shop.customer(&formula).await;
    assert_eq!(back["firstName"], "=HYPERLINK(\"http://evil.example\")", "{back}");
}

/// The imports function stops after writing a slice's part and before
/// saving it (its second save fails): the queue delivers the slice again,
/// which is written again from the last save, and the file holds each
/// customer once.
#[tokio::test]
async fn a_slice_stopped_before_its_save_is_written_again_and_the_file_holds_each_customer_once() {
    let shop = shop_over(rig_with_worker(FailCall::export_save(2)).await).await;
    let rows = rich_rows("stopped", 12);
    shop.import("JSONL", &jsonl(&rows), json!({})).await;
    shop.searchable(None, json!({ "emailContains": "stopped-" }), 12).await;
    let export = shop.export(json!({ "format": "JSONL", "filter": { "emailContains": "stopped-" } })).await;
    assert_eq!((export["status"].as_str(), export["rowsWritten"].as_i64()), (Some("COMPLETED"), Some(12)), "{export}");
    let file = download(export["downloadUrl"].as_str().unwrap()).await;
    holds_each_once(&file, &rows);
}

/// The imports function stops after the file's end is written and before
/// the export is marked complete: the retry writes the end again (the
/// upload is complete already: it is found so) and completes the export,
/// with each customer once.
#[tokio::test]
async fn an_end_written_twice_completes_the_export_once() {
    let shop = shop_over(rig_with_worker(FailCall::export_end(1)).await).await;
    let rows = rich_rows("ended", 12);
    shop.import("JSONL", &jsonl(&rows), json!({})).await;
    shop.searchable(None, json!({ "emailContains": "ended-" }), 12).await;
    let export = shop.export(json!({ "format": "JSONL", "filter": { "emailContains": "ended-" } })).await;
    assert_eq!((export["status"].as_str(), export["rowsWritten"].as_i64()), (Some("COMPLETED"), Some(12)), "{export}");
    let file = download(export["downloadUrl"].as_str().unwrap()).await;
    assert!(file.len() > 2 * 4096, "a file of several parts");
    holds_each_once(&file, &rows);
}

/// A search that cannot be read is refused at its path before any job is
/// made; an export needs `customer:export`; another tenant's key sees none.
#[tokio::test]
async fn exports_check_their_search_need_their_permission_and_stay_in_their_tenant() {
    let shop = shop().await;
    let bad = shop.start_export(json!({ "format": "JSONL", "query": "created:>yesterday-ish" })).await;
    assert_eq!(bad["export"], Value::Null, "{bad}");
    assert_eq!(bad["userErrors"][0]["code"], "INVALID", "{bad}");
    assert_eq!(bad["userErrors"][0]["field"], json!(["input", "query"]), "{bad}");
    let bad = shop.start_export(json!({ "format": "CSV", "filter": { "email": "not an address" } })).await;
    assert_eq!(bad["userErrors"][0]["field"], json!(["input", "filter", "email"]), "{bad}");

    // A search that finds nobody gives an empty file (a CSV: its header).
    let none = shop.export(json!({ "format": "JSONL", "query": "tag:nobody-has-this-tag" })).await;
    assert_eq!((none["status"].as_str(), none["rowsWritten"].as_i64()), (Some("COMPLETED"), Some(0)), "{none}");
    assert_eq!(download(none["downloadUrl"].as_str().unwrap()).await, "");
    let none = shop.export(json!({ "format": "CSV", "query": "tag:nobody-has-this-tag" })).await;
    let header = download(none["downloadUrl"].as_str().unwrap()).await;
    assert!(header.starts_with("id,customerNumber,") && header.lines().count() == 1, "{header}");

    let started = shop.start_export(json!({ "format": "JSONL" })).await;
    let id = started["export"]["id"].clone();
    let others: Vec<Permission> = Permission::ALL.into_iter().filter(|p| *p != Permission::CustomerExport).collect();
    let without = mint(&shop.rig.svc, "default", &others).await;
    let q = "mutation { startCustomerExport(input: { format: JSONL }) { export { id } } }";
    let r = gql(&shop.admin, q, json!({}), &[bearer(&without)]).await;
    assert_eq!(top_error(&r).as_deref(), Some("FORBIDDEN"), "{r}");
    let q = "query($id: ID!) { customerExport(id: $id) { id } }";
    let r = gql(&shop.admin, q, json!({ "id": id }), &[bearer(&without)]).await;
    assert_eq!(top_error(&r).as_deref(), Some("FORBIDDEN"), "{r}");
    let foreign = mint(&shop.rig.svc, "other", &Permission::ALL).await;
    let r = gql(&shop.admin, q, json!({ "id": id }), &[bearer(&foreign), tenant("other")]).await;
    assert_eq!(r["data"]["customerExport"], Value::Null, "{r}");
    let r = shop.call(q, json!({ "id": "not-an-id" })).await;
    assert_eq!(r["data"]["customerExport"], Value::Null, "{r}");
}
