//! Imports through `admin`, as a back office runs them: stage, upload to
//! the URL, run, follow; the rows written by the imports function behind
//! a queue (moto's SQS and S3, the function in process).

use super::{mint, AdminApp};
use crate::auth::AuthApp;
use crate::support::accounts::login;
use crate::support::imports::{download, rig, rig_with_worker, upload, FailCall, ImportRig, IMPORT_FIELDS};
use crate::support::{bearer, codes, email, gql, top_error};
use serde_json::{json, Value};
use shared::domain::Permission;
use std::time::{Duration, Instant};

pub(super) struct Shop {
    pub rig: ImportRig,
    pub admin: AdminApp,
    pub auth: AuthApp,
    pub key: String,
}

pub(super) async fn shop() -> Shop {
    shop_over(rig(&[]).await).await
}

pub(super) async fn shop_over(rig: ImportRig) -> Shop {
    let key = mint(&rig.svc, "default", &Permission::ALL).await;
    Shop { admin: admin::app(rig.svc.clone()), auth: auth::app(rig.svc.clone()), rig, key }
}

impl Shop {
    pub(super) async fn call(&self, query: &str, variables: Value) -> Value {
        gql(&self.admin, query, variables, &[bearer(&self.key)]).await
    }

    pub(super) async fn stage(&self, format: &str) -> Value {
        let q = format!("mutation($i: StageCustomerImportInput!) {{ stageCustomerImport(input: $i) {{ import {{ {IMPORT_FIELDS} }} userErrors {{ code field message }} }} }}");
        let r = self.call(&q, json!({ "i": { "format": format, "fileName": "customers" } })).await;
        let staged = r["data"]["stageCustomerImport"]["import"].clone();
        assert_eq!(staged["status"], "STAGED", "{r}");
        staged
    }

    pub(super) async fn run(&self, id: &str, options: Value) -> Value {
        let q = format!("mutation($id: ID!, $o: CustomerImportOptions) {{ runCustomerImport(id: $id, options: $o) {{ import {{ {IMPORT_FIELDS} }} userErrors {{ code field message }} }} }}");
        self.call(&q, json!({ "id": id, "o": options })).await["data"]["runCustomerImport"].clone()
    }

    pub(super) async fn get(&self, id: &str) -> Value {
        let q = format!("query($id: ID!) {{ customerImport(id: $id) {{ {IMPORT_FIELDS} }} }}");
        self.call(&q, json!({ "id": id })).await["data"]["customerImport"].clone()
    }

    /// The import once it has finished (the queue works it off meanwhile).
    pub(super) async fn finished(&self, id: &str) -> Value {
        let started = Instant::now();
        loop {
            let job = self.get(id).await;
            if !matches!(job["status"].as_str(), Some("STAGED" | "RUNNING")) {
                return job;
            }
            assert!(started.elapsed() < Duration::from_secs(120), "the import did not finish: {job}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Stages `file`, uploads it, runs it with `options` and waits for the end.
    pub(super) async fn import(&self, format: &str, file: &str, options: Value) -> Value {
        let staged = self.stage(format).await;
        upload(staged["uploadUrl"].as_str().expect("an upload URL"), file).await;
        let id = staged["id"].as_str().unwrap();
        let ran = self.run(id, options).await;
        assert_eq!(ran["userErrors"], json!([]), "{ran}");
        assert_eq!(ran["import"]["status"], "RUNNING", "{ran}");
        self.finished(id).await
    }

    pub(super) async fn customer(&self, address: &str) -> Value {
        let q = "query($e: String!) { customer(email: $e) { id email firstName lastName phoneNumber tags note emailVerified billingAddress { street city countryCode postalCode company } deliveryAddresses { street city countryCode } newsletter { status } } }";
        self.call(q, json!({ "e": address })).await["data"]["customer"].clone()
    }

    pub(super) async fn count(&self, address: &str) -> i64 {
        let q = "query($f: CustomerFilter) { customersCount(filter: $f) { count } }";
        let r = self.call(q, json!({ "f": { "email": address } })).await;
        r["data"]["customersCount"]["count"].as_i64().unwrap_or_else(|| panic!("{r}"))
    }
}

pub(super) fn counts(job: &Value) -> [i64; 5] {
    ["rowsProcessed", "created", "updated", "unchanged", "failed"].map(|k| job[k].as_i64().unwrap_or(-1))
}

#[tokio::test]
async fn a_jsonl_file_imports_its_rows_reports_its_bad_ones_and_again_changes_nothing() {
    let shop = shop().await;
    let (ada, bob) = (email("import-ada"), email("import-bob"));
    let file = [
        json!({ "email": ada, "firstName": "Ada", "lastName": "Lovelace", "tags": ["vip"], "note": "from the old shop",
                "billingAddress": { "street": "1 Main St", "city": "London", "countryCode": "GB" },
                "deliveryAddresses": [{ "street": "2 Side St", "city": "Leeds", "countryCode": "GB" }],
                "newsletter": "SUBSCRIBED", "emailVerified": true })
        .to_string(),
        String::new(),
        json!({ "email": bob, "phoneNumber": "020 7946 0958" }).to_string(),
        json!({ "email": "not an address" }).to_string(),
        json!({ "email": email("import-bad"), "billingAddress": { "city": "Paris" } }).to_string(),
        "{ not json".to_string(),
    ]
    .join("\n");
    let job = shop.import("JSONL", &file, json!({})).await;
    assert_eq!(job["status"], "COMPLETED_WITH_ERRORS", "{job}");
    assert_eq!(job["rowsTotal"], 5, "the blank line is no row: {job}");
    assert_eq!(counts(&job), [5, 2, 0, 0, 3], "{job}");
    let errors: Vec<(i64, String, Value)> = (job["errors"].as_array().unwrap().iter())
        .map(|e| (e["line"].as_i64().unwrap(), e["code"].as_str().unwrap().to_string(), e["field"].clone()))
        .collect();
    assert_eq!(
        errors,
        [
            (4, "INVALID".to_string(), json!(["email"])),
            (5, "REQUIRED".to_string(), json!(["billingAddress", "countryCode"])),
            (6, "INVALID".to_string(), Value::Null),
        ],
        "{job}"
    );
    // The errors file holds the same, one JSON object a line.
    let file_errors: Vec<Value> = download(job["errorsUrl"].as_str().expect("an errors file"))
        .await
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(file_errors.iter().map(|e| e["line"].as_i64().unwrap()).collect::<Vec<_>>(), [4, 5, 6]);

    let a = shop.customer(&ada).await;
    assert_eq!(
        (a["firstName"].as_str(), a["tags"].clone(), a["note"].as_str()),
        (Some("Ada"), json!(["vip"]), Some("from the old shop"))
    );
    assert_eq!(a["emailVerified"], true);
    assert_eq!(a["billingAddress"]["city"], "London");
    assert_eq!(a["deliveryAddresses"], json!([{ "street": "2 Side St", "city": "Leeds", "countryCode": "GB" }]));
    assert_eq!(a["newsletter"]["status"], "SUBSCRIBED", "imported consent, no confirmation needed");
    assert_eq!(shop.customer(&bob).await["phoneNumber"], "+442079460958", "national in the tenant's country");

    // The same file again: nothing changes, nothing is created twice.
    let again = shop.import("JSONL", &file, json!({})).await;
    assert_eq!(counts(&again), [5, 0, 0, 2, 3], "{again}");
    assert_eq!((shop.count(&ada).await, shop.count(&bob).await), (1, 1));
    assert_eq!(shop.customer(&ada).await, a, "unchanged, down to the address ids");
}

/// Shopify's customer export as it writes it.
fn shopify_export(russel: &str, ayumu: &str) -> String {
    format!(
        "Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,Default Address Address1,Default Address Address2,Default Address City,Default Address Province Code,Default Address Country Code,Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,Total Spent,Total Orders,Note,Tax Exempt,Tags\n\
         '7024049152106,Russel,Winfield,{russel},yes,\"Winfield, Ltd.\",105 Victoria St,,Toronto,ON,CA,'M5C 1N7,'+16135550135,'+16135550135,no,0.00,0,\"Likes \"\"fast\"\" delivery, mornings\",no,\"vip, wholesale\"\n\
         '7024049184874,Ayumu,Hirano,{ayumu},no,,,,,,,,,,,0.00,0,,yes,\n"
    )
}

#[tokio::test]
async fn a_shopify_export_imports_as_written() {
    let shop = shop().await;
    let (russel, ayumu) = (email("shopify-russel"), email("shopify-ayumu"));
    let job = shop.import("SHOPIFY_CSV", &shopify_export(&russel, &ayumu), json!({})).await;
    assert_eq!((job["status"].as_str(), counts(&job)), (Some("COMPLETED"), [2, 2, 0, 0, 0]), "{job}");
    let r = shop.customer(&russel).await;
    assert_eq!(r["phoneNumber"], "+16135550135");
    assert_eq!(r["tags"], json!(["vip", "wholesale"]));
    assert_eq!(r["note"], "Likes \"fast\" delivery, mornings");
    assert_eq!(
        r["billingAddress"],
        json!({ "street": "105 Victoria St", "city": "Toronto", "countryCode": "CA", "postalCode": "M5C 1N7", "company": "Winfield, Ltd." })
    );
    assert_eq!(r["newsletter"]["status"], "SUBSCRIBED");
    let a = shop.customer(&ayumu).await;
    assert_eq!((a["firstName"].as_str(), a["billingAddress"].clone()), (Some("Ayumu"), Value::Null));
    assert_eq!(a["newsletter"]["status"], "UNSUBSCRIBED", "\"no\" subscribes no one");

    // Its Tax Exempt and SMS columns are one key each of lists the customer
    // has more of here: those others stay, and the file again changes nothing.
    let q = "mutation($e: String!) { updateCustomer(identifier: { email: $e }, input: { attributes: [{ key: \"shoeSize\", value: \"38\" }, { key: \"taxExempt\", value: \"true\" }], consents: [{ key: \"postal\", granted: true }] }) { userErrors { code field message } } }";
    let r = shop.call(q, json!({ "e": russel })).await;
    assert_eq!(r["data"]["updateCustomer"]["userErrors"], json!([]), "{r}");
    let again = shop.import("SHOPIFY_CSV", &shopify_export(&russel, &ayumu), json!({})).await;
    assert_eq!(counts(&again), [2, 0, 1, 1, 0], "{again}");
    let q = "query($e: String!) { customer(email: $e) { attributes { key value } consents { key granted } } }";
    let lists = shop.call(q, json!({ "e": russel })).await["data"]["customer"].clone();
    let mut attributes: Vec<String> = lists["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| format!("{}={}", a["key"].as_str().unwrap(), a["value"].as_str().unwrap()))
        .collect();
    attributes.sort();
    assert_eq!(attributes, ["shoeSize=38", "taxExempt=false"], "{lists}");
    let mut consents: Vec<String> = lists["consents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| format!("{}={}", k["key"].as_str().unwrap(), k["granted"]))
        .collect();
    consents.sort();
    assert_eq!(consents.len(), 2, "postal stays beside the file's smsMarketing: {lists}");
    assert!(consents.contains(&"postal=true".to_string()), "{lists}");
    let third = shop.import("SHOPIFY_CSV", &shopify_export(&russel, &ayumu), json!({})).await;
    assert_eq!(counts(&third), [2, 0, 0, 2, 0], "{third}");
}

#[tokio::test]
async fn customers_imported_with_password_hashes_log_in_with_their_old_passwords() {
    let shop = shop().await;
    let (django, wordpress, none) = (email("hash-django"), email("hash-wp"), email("hash-none"));
    let file = format!(
        "email,passwordHash.algorithm,passwordHash.value\n\
         {django},PBKDF2_SHA256,pbkdf2_sha256$30000$seasalt$VrX+V8drCGo68wlvy6rfu8i1d1pfkdeXA4LJkRGJodY=\n\
         {wordpress},PHPASS,$P$B12345678L6Lpt4BxNotVIMILOa9u81\n\
         {none},,\n\
         {},BCRYPT,$2y$10$tooshort\n",
        email("hash-bad")
    );
    let job = shop.import("CSV", &file, json!({})).await;
    assert_eq!(counts(&job), [4, 3, 0, 0, 1], "{job}");
    assert_eq!(job["errors"][0]["field"], json!(["passwordHash", "value"]), "{job}");
    assert_eq!(job["errors"][0]["line"], 5);
    for (address, password) in [(&django, "lètmein"), (&wordpress, "JohnRipper")] {
        let r = login(&shop.auth, address, password, &[]).await;
        assert!(r["session"]["accessToken"].is_string(), "{address}: {r}");
        assert_eq!(codes(&login(&shop.auth, address, "not the password", &[]).await), ["INVALID_CREDENTIALS"]);
    }
    assert_eq!(codes(&login(&shop.auth, &none, "anything at all", &[]).await), ["INVALID_CREDENTIALS"]);

    // A customer without a password takes one from a later import; one with
    // a password keeps it.
    let later = format!(
        "email,passwordHash.algorithm,passwordHash.value\n{none},PHPASS,$P$B12345678L6Lpt4BxNotVIMILOa9u81\n{django},PHPASS,$P$B12345678L6Lpt4BxNotVIMILOa9u81\n"
    );
    let job = shop.import("CSV", &later, json!({})).await;
    assert_eq!(counts(&job), [2, 0, 1, 1, 0], "{job}");
    assert!(login(&shop.auth, &none, "JohnRipper", &[]).await["session"]["accessToken"].is_string());
    assert!(login(&shop.auth, &django, "lètmein", &[]).await["session"]["accessToken"].is_string());
}

#[tokio::test]
async fn a_dry_run_counts_what_would_happen_and_writes_nothing() {
    let shop = shop().await;
    let (old, new) = (email("dry-old"), email("dry-new"));
    shop.import("JSONL", &json!({ "email": old, "firstName": "Old" }).to_string(), json!({})).await;
    let file = [
        json!({ "email": old, "firstName": "Changed" }),
        json!({ "email": new, "firstName": "New" }),
        json!({ "email": email("dry-bad"), "birthdate": "1700-01-01" }),
    ]
    .map(|r| r.to_string())
    .join("\n");
    let job = shop.import("JSONL", &file, json!({ "dryRun": true })).await;
    assert_eq!((job["dryRun"].as_bool(), counts(&job)), (Some(true), [3, 1, 1, 0, 1]), "{job}");
    assert_eq!(job["errors"][0]["field"], json!(["birthdate"]), "{job}");
    assert_eq!(shop.customer(&old).await["firstName"], "Old");
    assert_eq!(shop.customer(&new).await, Value::Null);
}

#[tokio::test]
async fn rows_match_by_ref_and_create_only_leaves_customers_alone() {
    let shop = shop().await;
    let (first, moved) = (email("ref-first"), email("ref-moved"));
    let reference = crate::support::unique("REF");
    let one = json!({ "email": first, "ref": reference, "firstName": "One" }).to_string();
    shop.import("JSONL", &one, json!({ "matchBy": "REF" })).await;
    // The same ref with a new email: the customer's email moves.
    let two = json!({ "email": moved, "ref": reference, "firstName": "Two" }).to_string();
    let job = shop.import("JSONL", &two, json!({ "matchBy": "REF", "mode": "CREATE_ONLY" })).await;
    assert_eq!(counts(&job), [1, 0, 0, 1, 0], "{job}");
    assert_eq!(shop.customer(&first).await["firstName"], "One");
    let job = shop.import("JSONL", &two, json!({ "matchBy": "REF" })).await;
    assert_eq!(counts(&job), [1, 0, 1, 0, 0], "{job}");
    assert_eq!(shop.customer(&moved).await["firstName"], "Two");
    assert_eq!(shop.customer(&first).await, Value::Null);
    // A row without the field matched on fails at it.
    let job =
        shop.import("JSONL", &json!({ "email": email("ref-none") }).to_string(), json!({ "matchBy": "REF" })).await;
    assert_eq!(
        (job["errors"][0]["code"].as_str(), job["errors"][0]["field"].clone()),
        (Some("REQUIRED"), json!(["ref"]))
    );
}

/// Two imports of the same new customers at the same moment: each customer
/// once, and every row of both imports counted.
#[tokio::test]
async fn overlapping_imports_never_make_two_customers_of_one_identifier() {
    let shop = shop().await;
    let addresses: Vec<String> = (0..30).map(|i| email(&format!("overlap-{i}"))).collect();
    let file = addresses.iter().map(|a| json!({ "email": a }).to_string()).collect::<Vec<_>>().join("\n");
    let (a, b) = (shop.stage("JSONL").await, shop.stage("JSONL").await);
    upload(a["uploadUrl"].as_str().unwrap(), file.clone()).await;
    upload(b["uploadUrl"].as_str().unwrap(), file.clone()).await;
    let (a, b) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
    let (ra, rb) = tokio::join!(shop.run(a, json!({})), shop.run(b, json!({})));
    assert_eq!((ra["userErrors"].clone(), rb["userErrors"].clone()), (json!([]), json!([])));
    let (ja, jb) = tokio::join!(shop.finished(a), shop.finished(b));
    assert_eq!((ja["failed"].as_i64(), jb["failed"].as_i64()), (Some(0), Some(0)), "{ja} {jb}");
    assert_eq!(ja["created"].as_i64().unwrap() + jb["created"].as_i64().unwrap(), 30, "{ja} {jb}");
    for address in &addresses {
        assert_eq!(shop.count(address).await, 1, "{address}");
    }
}

#[tokio::test]
async fn an_import_runs_once_its_file_is_there_and_stops_when_cancelled() {
    let shop = shop().await;
    let staged = shop.stage("JSONL").await;
    let id = staged["id"].as_str().unwrap();
    let early = shop.run(id, json!({})).await;
    assert_eq!(early["userErrors"][0]["field"], json!(["id"]), "no file yet: {early}");
    assert!(early["userErrors"][0]["message"].as_str().unwrap().contains("never arrived"));
    upload(staged["uploadUrl"].as_str().unwrap(), "").await;
    assert_eq!(shop.run(id, json!({})).await["userErrors"][0]["message"], "The file is empty.");
    let oversized = vec![b' '; crate::support::imports::MAX_UPLOAD as usize + 1];
    upload(staged["uploadUrl"].as_str().unwrap(), oversized).await;
    let refused = shop.run(id, json!({})).await;
    assert_eq!(refused["userErrors"][0]["message"], "The file is larger than 2 MB.", "{refused}");
    assert_eq!(shop.get(id).await["status"], "STAGED", "a file too large leaves the import as it was");

    upload(staged["uploadUrl"].as_str().unwrap(), json!({ "email": email("cancel") }).to_string()).await;
    let q = format!("mutation($id: ID!) {{ cancelCustomerImport(id: $id) {{ import {{ {IMPORT_FIELDS} }} userErrors {{ code field }} }} }}");
    let cancelled = shop.call(&q, json!({ "id": id })).await["data"]["cancelCustomerImport"].clone();
    assert_eq!(cancelled["import"]["status"], "CANCELLED", "{cancelled}");
    assert_eq!(
        shop.call(&q, json!({ "id": id })).await["data"]["cancelCustomerImport"]["userErrors"][0]["field"],
        json!(["id"])
    );
    assert_eq!(shop.run(id, json!({})).await["userErrors"][0]["code"], "INVALID", "a cancelled import never runs");

    let done = shop.import("JSONL", &json!({ "email": email("once") }).to_string(), json!({})).await;
    let twice = shop.run(done["id"].as_str().unwrap(), json!({})).await;
    assert_eq!(twice["userErrors"][0]["field"], json!(["id"]), "{twice}");
    let missing = shop.run("01HZZZZZZZZZZZZZZZZZZZZZZZ", json!({})).await;
    assert_eq!(missing["userErrors"][0]["code"], "NOT_FOUND");
}

#[tokio::test]
async fn imports_need_their_permission_and_stay_in_their_tenant() {
    let shop = shop().await;
    let staged = shop.stage("JSONL").await;
    let others: Vec<Permission> = Permission::ALL.into_iter().filter(|p| *p != Permission::CustomerImport).collect();
    let without = mint(&shop.rig.svc, "default", &others).await;
    let q = "mutation { stageCustomerImport(input: { format: JSONL }) { import { id } } }";
    let r = gql(&shop.admin, q, json!({}), &[bearer(&without)]).await;
    assert_eq!(top_error(&r).as_deref(), Some("FORBIDDEN"), "{r}");
    let q = "query($id: ID!) { customerImport(id: $id) { id } }";
    let r = gql(&shop.admin, q, json!({ "id": staged["id"] }), &[bearer(&without)]).await;
    assert_eq!(top_error(&r).as_deref(), Some("FORBIDDEN"), "{r}");
    // Another tenant's key does not see it.
    let other = mint(&shop.rig.svc, "other", &Permission::ALL).await;
    let r =
        gql(&shop.admin, q, json!({ "id": staged["id"] }), &[bearer(&other), crate::support::tenant("other")]).await;
    assert_eq!(r["data"]["customerImport"], Value::Null, "{r}");
    let q = "query { customerImports(first: 5) { edges { node { id status } } } }";
    let r = shop.call(q, json!({})).await;
    assert_eq!(r["data"]["customerImports"]["edges"][0]["node"]["id"], staged["id"], "{r}");
}

/// A file that cannot be read as its format says ends its import `FAILED`
/// with the reason, and writes nothing.
#[tokio::test]
async fn an_unreadable_file_fails_its_import_with_the_reason() {
    let shop = shop().await;
    let address = email("unreadable");
    let no_email = format!("First Name,Last Name,E-mail\nAda,Lovelace,{address}\n");
    let job = shop.import("SHOPIFY_CSV", &no_email, json!({})).await;
    assert_eq!(job["status"], "FAILED", "{job}");
    assert!(job["failureReason"].as_str().is_some_and(|r| r.contains("Email column")), "{job}");
    let unclosed = format!("email,firstName\n{address},\"Ada\n{}", "x".repeat(1024 * 1024 + 200 * 1024));
    let job = shop.import("CSV", &unclosed, json!({})).await;
    assert_eq!(job["status"], "FAILED", "{job}");
    assert!(job["failureReason"].as_str().is_some_and(|r| r.contains("1 MiB")), "{job}");
    assert_eq!(shop.customer(&address).await, Value::Null, "nothing written");
}

/// The imports function stops between writing rows and their checkpoint
/// (here: its second checkpoint fails, as a crash or timeout there would
/// leave it). The queue delivers the chunk again; it goes on from its first
/// checkpoint: the 25 rows written since are written again (each an upsert:
/// nothing is duplicated) and counted once, as what the retry found.
#[tokio::test]
async fn a_chunk_stopped_half_way_goes_on_from_its_checkpoint_with_nothing_duplicated_or_lost() {
    let shop = shop_over(rig_with_worker(FailCall::import_checkpoint(2)).await).await;
    let addresses: Vec<String> = (0..60).map(|i| email(&format!("killed-{i}"))).collect();
    let file = addresses.iter().map(|a| json!({ "email": a }).to_string()).collect::<Vec<_>>().join("\n");
    let job = shop.import("JSONL", &file, json!({})).await;
    assert_eq!(job["status"], "COMPLETED", "{job}");
    // Rows 1-25 and 51-60 created; 26-50 written before the stop, found so by the retry.
    assert_eq!(counts(&job), [60, 35, 0, 25, 0], "{job}");
    for address in &addresses {
        assert_eq!(shop.count(address).await, 1, "{address}");
    }
}

/// The stream's changes are held back (a gate in front of their relay, as
/// a million imported profiles would hold a single reader), while a reset
/// is asked for during an import: its mail goes out on the mail path all
/// the same. With one reader for both, it would wait behind the changes.
#[tokio::test]
async fn a_reset_mail_goes_out_while_an_imports_changes_wait_their_turn() {
    use crate::support::imports::{spawn_queue_relay, with_bucket_and_queue};
    use crate::support::{aws, build_services_with, mail, publisher, relay_settings, DEFAULT_BUS};
    use customer_ctl::relay::{Relay, StartAt};
    use shared::store::stream::StreamPath;
    let (svc, _) = build_services_with(&[], DEFAULT_BUS, false).await;
    let (rig, aws_conf, config) = with_bucket_and_queue(svc).await;
    spawn_queue_relay(&aws_conf, &config.queue_url, rig.svc.clone());
    let (open, gate) = tokio::sync::watch::channel(false);
    let table = rig.svc.config.table_name.clone();
    let aws = aws().await;
    for path in StreamPath::ALL {
        let store = shared::store::DynamoStore::new(aws_sdk_dynamodb::Client::new(&aws), &table);
        let mailer = std::sync::Arc::new(shared::mail::SesMailer::new(&aws));
        let function = events::Events::new(std::sync::Arc::new(store), mailer, publisher(&aws, DEFAULT_BUS));
        let sink = Gated { function, gate: (path == StreamPath::Changes).then(|| gate.clone()) };
        let relay = Relay::new(&aws, &table, StartAt::TrimHorizon).only(path).with_settings(relay_settings());
        tokio::spawn(async move { relay.run(&sink).await });
    }
    let shop = shop_over(rig).await;

    let address = email("reset-during-import");
    let q = "mutation($i: RegisterCustomerInput!) { registerCustomer(input: $i) { customer { id } } }";
    let input = json!({ "email": address, "password": crate::support::accounts::PASSWORD });
    gql(&shop.auth, q, json!({ "i": input }), &[]).await;
    let rows: Vec<String> =
        (0..200).map(|i| json!({ "email": email(&format!("bulk-{i}")), "tags": ["bulk"] }).to_string()).collect();
    let staged = shop.stage("JSONL").await;
    upload(staged["uploadUrl"].as_str().unwrap(), rows.join("\n")).await;
    shop.run(staged["id"].as_str().unwrap(), json!({})).await;
    let q = "mutation($e: String!) { requestPasswordReset(email: $e) { requested } }";
    gql(&shop.auth, q, json!({ "e": address }), &[]).await;
    // The confirmation of the registration, then the reset: both while the
    // changes are held.
    let reset = mail::nth_to(&address, 2).await;
    assert!(reset.token().len() > 10, "a reset link");
    let q = "query { customersCount(query: \"tag:bulk\") { count } }";
    assert_eq!(shop.call(q, json!({})).await["data"]["customersCount"]["count"], 0, "the changes still wait");
    let job = shop.finished(staged["id"].as_str().unwrap()).await;
    assert_eq!(job["created"], 200, "{job}");
    open.send(true).expect("the gate opens");
}

/// The events function in front of a gate: batches wait until it opens.
struct Gated {
    function: events::Events,
    gate: Option<tokio::sync::watch::Receiver<bool>>,
}

#[async_trait::async_trait]
impl customer_ctl::relay::Sink for Gated {
    async fn deliver(
        &self,
        event: aws_lambda_events::event::dynamodb::Event,
    ) -> anyhow::Result<aws_lambda_events::event::streams::DynamoDbEventResponse> {
        if let Some(gate) = &self.gate {
            gate.clone().wait_for(|open| *open).await?;
        }
        Ok(self.function.handle(event).await)
    }
}

/// `runCustomerImport` of one staged import, twice at the same moment:
/// one run starts it, the other is refused, and its rows are written once.
#[tokio::test]
async fn one_import_run_twice_at_once_starts_once() {
    let shop = shop().await;
    let address = email("run-twice");
    let staged = shop.stage("JSONL").await;
    upload(staged["uploadUrl"].as_str().unwrap(), json!({ "email": address }).to_string()).await;
    let id = staged["id"].as_str().unwrap();
    let (a, b) = tokio::join!(shop.run(id, json!({})), shop.run(id, json!({})));
    let started = [&a, &b].iter().filter(|r| r["import"]["status"] == "RUNNING").count();
    let refused = [&a, &b].iter().filter(|r| r["userErrors"][0]["field"] == json!(["id"])).count();
    assert_eq!((started, refused), (1, 1), "{a} {b}");
    let job = shop.finished(id).await;
    assert_eq!(counts(&job), [1, 1, 0, 0, 0], "{job}");
}
