//! Every operation of the API (docs/api.md) once, in process, against DynamoDB Local:
//! round trips and capacity units (as DynamoDB reports them), and the
//! latency of representative operations split into DynamoDB time and the
//! function's own overhead.

use capture::{CaptureMailer, NoBus};
use integration_tests::accounts::PASSWORD;
use integration_tests::recorder::{Call, Recorder};
use integration_tests::{bearer, request, text_of, JWT_PRIVATE_KEY};
use serde_json::{json, Value};
use shared::auth::TokenRole;
use shared::domain::{Permission, TenantId};
use shared::graphql::App;
use shared::store::DynamoStore;
use shared::{Config, Services};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

mod capture {
    //! Mail kept in memory, customer events dropped: the bench measures
    //! DynamoDB and the functions, not SES or EventBridge.
    use async_trait::async_trait;
    use events::{BusEvent, Publisher, Unpublished};
    use shared::mail::{Mail, MailError, Mailer};
    use std::sync::{Arc, Mutex};

    /// Takes every customer event and keeps none.
    pub struct NoBus;

    #[async_trait]
    impl Publisher for NoBus {
        async fn publish(&self, _events: &[BusEvent]) -> Result<(), Unpublished> {
            Ok(())
        }
    }

    #[derive(Clone, Default)]
    pub struct CaptureMailer(pub Arc<Mutex<Vec<Mail>>>);

    #[async_trait]
    impl Mailer for CaptureMailer {
        async fn send(&self, _from: &str, mail: &Mail) -> Result<(), MailError> {
            self.0.lock().expect("mails").push(mail.clone());
            Ok(())
        }
    }

    impl CaptureMailer {
        /// The `token=` of the newest mail to `to` with a link starting with `prefix`.
        pub fn token(&self, to: &str, prefix: &str) -> String {
            let mails = self.0.lock().expect("mails");
            let mail =
                mails.iter().rev().find(|m| m.to.eq_ignore_ascii_case(to) && m.text.contains(prefix)).expect("a mail");
            let link = mail.text.split_whitespace().find(|w| w.starts_with(prefix)).expect("a link");
            link.split("token=").nth(1).expect("a token").split('&').next().unwrap_or("").to_string()
        }
    }
}

struct Row {
    function: &'static str,
    operation: String,
    calls: String,
    round_trips: usize,
    read_units: f64,
    write_units: f64,
    total: Duration,
    db: Duration,
}

struct Bench {
    recorder: Recorder,
    mails: CaptureMailer,
    /// The table's stream to the events function (in process, unrecorded),
    /// which puts the outbox's mail into `mails`.
    relay: tokio::task::JoinHandle<()>,
    auth: App<auth::schema::AuthSchema>,
    account: App<account::schema::AccountSchema>,
    subs: subscriptions::Subscriptions,
    admin: App<admin::schema::AdminSchema>,
    key: String,
    rows: Vec<Row>,
}

impl Bench {
    async fn new() -> anyhow::Result<Self> {
        let recorder = Recorder::default();
        let aws = shared::aws::load().await?;
        let conf = aws_sdk_dynamodb::config::Builder::from(&aws).interceptor(recorder.clone()).build();
        let ddb = aws_sdk_dynamodb::Client::from_conf(conf);
        let table = format!("bench-{}", ulid::Ulid::new().to_string().to_lowercase());
        shared::store::table::create_table(&ddb, &table).await?;
        let tenants = r#"{"*":{"name":"Bench Shop","allowedUrls":["http://localhost:3000/"],"confirmEmailUrl":"http://localhost:3000/confirm","resetPasswordUrl":"http://localhost:3000/reset","currencyCode":"EUR","loyalty":{"pointsPerUnit":1,"stampsPerOrder":1},"contactEmail":"service@bench.example.com"}}"#;
        let env = [
            ("TABLE_NAME", table.as_str()),
            ("JWT_PRIVATE_KEYS", JWT_PRIVATE_KEY),
            ("TENANTS", tenants),
            ("ENUMERATION_FLOOR_MS", "0"),
        ];
        let config = Config::from_lookup(|k| env.iter().find(|(e, _)| *e == k).map(|(_, v)| v.to_string()))?;
        let mails = CaptureMailer::default();
        let relay = integration_tests::spawn_relay(&aws, &table, Arc::new(mails.clone()), Arc::new(NoBus));
        let store = DynamoStore::new(ddb, table);
        // One set of services, signing and verifying, serves all four functions here.
        let svc = Arc::new(Services::new(config, Arc::new(store), TokenRole::Issuer)?);
        let tenant = TenantId::default_tenant();
        let (_, key) = shared::services::api_keys::mint(
            svc.store.as_ref(),
            &tenant,
            "bench",
            Permission::ALL.to_vec(),
            svc.clock.now(),
        )
        .await?;
        Ok(Self {
            recorder: recorder.clone(),
            mails,
            relay,
            auth: auth::app(svc.clone()),
            account: account::app(svc.clone()),
            subs: subscriptions::app(svc.clone()),
            admin: admin::app(svc),
            key,
            rows: vec![],
        })
    }

    /// Waits until the events function sent what the outbox holds.
    async fn mail_sent(&self) {
        integration_tests::settle(self.auth.services()).await;
    }

    /// Runs one operation against `function`, timed and counted.
    async fn call(
        &self,
        function: &str,
        query: &str,
        variables: Value,
        headers: &[(&str, String)],
    ) -> (Value, Duration, Vec<Call>) {
        self.recorder.take();
        let req = request(json!({ "query": query, "variables": variables }).to_string().into_bytes(), headers);
        let start = Instant::now();
        let resp = match function {
            "auth" => self.auth.handle(req).await,
            "account" => self.account.handle(req).await,
            "subscriptions" => self.subs.handle(req).await,
            _ => self.admin.handle(req).await,
        };
        let total = start.elapsed();
        let value = serde_json::from_str(&text_of(&resp.expect("infallible")).1).unwrap_or(Value::Null);
        (value, total, self.recorder.take())
    }

    /// Runs and records one row of the round-trip table.
    async fn op(
        &mut self,
        function: &'static str,
        label: &str,
        query: &str,
        variables: Value,
        headers: &[(&str, String)],
    ) -> Value {
        let (value, total, calls) = self.call(function, query, variables, headers).await;
        assert!(value["errors"].is_null(), "{label}: {value}");
        self.rows.push(Row {
            function,
            operation: label.to_string(),
            calls: calls.iter().map(|c| c.operation.as_str()).collect::<Vec<_>>().join(", "),
            round_trips: calls.len(),
            read_units: calls.iter().map(|c| c.read_units).sum(),
            write_units: calls.iter().map(|c| c.write_units).sum(),
            total,
            db: calls.iter().map(|c| c.elapsed).sum(),
        });
        value
    }
}

/// Latency of `runs` warm calls: p50 and p99 of the total, and p50 of the
/// part spent outside DynamoDB calls.
async fn warm(
    b: &Bench,
    function: &str,
    query: &str,
    variables: Value,
    headers: &[(&str, String)],
    runs: usize,
) -> String {
    let (_, first, first_calls) = b.call(function, query, variables.clone(), headers).await;
    let first_db: Duration = first_calls.iter().map(|c| c.elapsed).sum();
    let mut totals = Vec::new();
    let mut overheads = Vec::new();
    let mut dbs = Vec::new();
    for _ in 0..runs {
        let (_, total, calls) = b.call(function, query, variables.clone(), headers).await;
        let db: Duration = calls.iter().map(|c| c.elapsed).sum();
        totals.push(total.as_secs_f64() * 1000.0);
        dbs.push(db.as_secs_f64() * 1000.0);
        overheads.push(total.saturating_sub(db).as_secs_f64() * 1000.0);
    }
    let q = |v: &mut Vec<f64>, p: f64| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[((v.len() - 1) as f64 * p).round() as usize]
    };
    format!(
        "{:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.3}",
        first.as_secs_f64() * 1000.0,
        first.saturating_sub(first_db).as_secs_f64() * 1000.0,
        q(&mut totals, 0.5),
        q(&mut totals, 0.99),
        q(&mut dbs, 0.5),
        q(&mut overheads, 0.5)
    )
}

pub async fn run() -> anyhow::Result<String> {
    let mut b = Bench::new().await?;
    let email = "bench.customer@example.com";
    let reg = "mutation($i: RegisterCustomerInput!) { registerCustomer(input: $i) { customer { id } session { accessToken refreshToken } } }";

    // auth
    let r = b
        .op(
            "auth",
            "registerCustomer",
            reg,
            json!({ "i": { "email": email, "password": PASSWORD, "firstName": "Bea" } }),
            &[],
        )
        .await;
    let token = r["data"]["registerCustomer"]["session"]["accessToken"].as_str().unwrap_or_default().to_string();
    let login = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { session { accessToken refreshToken } userErrors { code } } }";
    let l = b.op("auth", "login", login, json!({ "e": email, "p": PASSWORD }), &[]).await;
    let refresh_token = l["data"]["login"]["session"]["refreshToken"].as_str().unwrap_or_default().to_string();
    b.op("auth", "login (wrong password)", login, json!({ "e": email, "p": "not the password" }), &[]).await;
    b.op("auth", "login (unknown email)", login, json!({ "e": "nobody@example.com", "p": PASSWORD }), &[]).await;
    let rf = b
        .op(
            "auth",
            "refreshSession",
            "mutation($t: String!) { refreshSession(refreshToken: $t) { session { accessToken refreshToken } } }",
            json!({ "t": refresh_token }),
            &[],
        )
        .await;
    let session_access =
        rf["data"]["refreshSession"]["session"]["accessToken"].as_str().unwrap_or_default().to_string();
    b.op("auth", "logout (access token)", "mutation { logout { loggedOut } }", json!({}), &[bearer(&session_access)])
        .await;
    b.mail_sent().await;
    let confirm = b.mails.token(email, "http://localhost:3000/confirm");
    b.op(
        "auth",
        "confirmEmail",
        "mutation($t: String!) { confirmEmail(token: $t) { confirmed } }",
        json!({ "t": confirm }),
        &[],
    )
    .await;
    b.op(
        "auth",
        "resendEmailConfirmation",
        "mutation($e: String!) { resendEmailConfirmation(email: $e) { requested } }",
        json!({ "e": email }),
        &[],
    )
    .await;
    b.op(
        "auth",
        "requestPasswordReset",
        "mutation($e: String!) { requestPasswordReset(email: $e) { requested } }",
        json!({ "e": email }),
        &[],
    )
    .await;
    b.mail_sent().await;
    let reset = b.mails.token(email, "http://localhost:3000/reset");
    b.op(
        "auth",
        "verifyPasswordResetToken",
        "mutation($t: String!) { verifyPasswordResetToken(token: $t) { valid } }",
        json!({ "t": reset }),
        &[],
    )
    .await;
    let rs = b.op("auth", "resetPassword", "mutation($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p, loginOnSuccess: true) { session { accessToken } } }", json!({ "t": reset, "p": PASSWORD }), &[]).await;
    let token = rs["data"]["resetPassword"]["session"]["accessToken"].as_str().map(String::from).unwrap_or(token);
    b.op("auth", "passwordPolicy", "{ passwordPolicy { minLength } }", json!({}), &[]).await;

    // account
    let me = [bearer(&token)];
    b.op("account", "customer", "{ customer { id email firstName version } }", json!({}), &me).await;
    b.op("account", "customer (with newsletter)", "{ customer { id newsletter { status } } }", json!({}), &me).await;
    b.op("account", "updateCustomer", "mutation { updateCustomer(input: { lastName: \"Bench\", timezone: \"Europe/Berlin\" }) { customer { version } } }", json!({}), &me).await;
    let addr = json!({ "street": "Main St", "city": "Berlin", "countryCode": "DE" });
    b.op(
        "account",
        "setBillingAddress",
        "mutation($a: AddressInput!) { setBillingAddress(address: $a) { customer { id } } }",
        json!({ "a": addr }),
        &me,
    )
    .await;
    let a = b
        .op(
            "account",
            "addDeliveryAddress",
            "mutation($a: AddressInput!) { addDeliveryAddress(address: $a) { customer { deliveryAddresses { id } } } }",
            json!({ "a": addr }),
            &me,
        )
        .await;
    let address_id = a["data"]["addDeliveryAddress"]["customer"]["deliveryAddresses"][0]["id"].clone();
    b.op(
        "account",
        "updateDeliveryAddress",
        "mutation($id: ID!, $a: AddressInput!) { updateDeliveryAddress(id: $id, address: $a) { customer { id } } }",
        json!({ "id": address_id, "a": addr }),
        &me,
    )
    .await;
    b.op(
        "account",
        "setDefaultDeliveryAddress",
        "mutation($id: ID!) { setDefaultDeliveryAddress(id: $id) { customer { id } } }",
        json!({ "id": address_id }),
        &me,
    )
    .await;
    b.op(
        "account",
        "removeDeliveryAddress",
        "mutation($id: ID!) { removeDeliveryAddress(id: $id) { customer { id } } }",
        json!({ "id": address_id }),
        &me,
    )
    .await;
    let add = "mutation($i: String!) { addToWishlist(item: $i) { wishlist { id items { item } } } }";
    let w = b.op("account", "addToWishlist (makes the default list)", add, json!({ "i": "SKU-1" }), &me).await;
    b.op("account", "addToWishlist (a second item)", add, json!({ "i": "SKU-2" }), &me).await;
    b.op("account", "addToWishlist (already there: no write)", add, json!({ "i": "SKU-2" }), &me).await;
    let list_id = w["data"]["addToWishlist"]["wishlist"]["id"].clone();
    b.op(
        "account",
        "createWishlist",
        "mutation { createWishlist(name: \"Birthday\", makeDefault: true) { wishlist { id } } }",
        json!({}),
        &me,
    )
    .await;
    b.op(
        "account",
        "removeFromWishlist",
        "mutation($id: ID) { removeFromWishlist(item: \"SKU-1\", wishlistId: $id) { wishlist { id } } }",
        json!({ "id": list_id }),
        &me,
    )
    .await;
    b.op(
        "account",
        "customer (with wishlists)",
        "{ customer { id wishlists { name items { item } } } }",
        json!({}),
        &me,
    )
    .await;
    let cp = b.op("account", "changePassword", "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { session { accessToken } } }", json!({ "c": PASSWORD, "n": PASSWORD }), &me).await;
    let token = cp["data"]["changePassword"]["session"]["accessToken"].as_str().unwrap_or_default().to_string();
    let me = [bearer(&token)];
    b.op(
        "account",
        "requestEmailChange",
        "mutation($e: String!, $p: String!) { requestEmailChange(newEmail: $e, password: $p) { requested } }",
        json!({ "e": "bench.moved@example.com", "p": PASSWORD }),
        &me,
    )
    .await;
    b.mail_sent().await;
    let change = b.mails.token("bench.moved@example.com", "http://localhost:3000/confirm");
    b.op(
        "auth",
        "confirmEmailChange",
        "mutation($t: String!) { confirmEmailChange(token: $t) { confirmed } }",
        json!({ "t": change }),
        &[],
    )
    .await;

    // subscriptions
    b.op(
        "subscriptions",
        "sendContactRequest",
        "mutation { sendContactRequest(input: { email: \"bench.visitor@example.com\", subject: \"Order\", message: \"Where is it?\" }) { sent } }",
        json!({}),
        &[],
    )
    .await;
    let sub = "mutation($e: String!) { subscribeToNewsletter(email: $e, additionalInfo: { countryCode: \"DE\" }) { status } }";
    b.op("subscriptions", "subscribeToNewsletter", sub, json!({ "e": "bench.news@example.com" }), &[]).await;
    b.mail_sent().await;
    let nc = b.mails.token("bench.news@example.com", "http://localhost:3000/confirm");
    b.op(
        "subscriptions",
        "confirmNewsletterSubscription",
        "mutation($t: String!) { confirmNewsletterSubscription(token: $t) { status } }",
        json!({ "t": nc }),
        &[],
    )
    .await;
    b.mail_sent().await;
    let unsub = {
        let mails = b.mails.0.lock().expect("mails");
        let mail = mails.iter().rev().find(|m| m.to == "bench.news@example.com").expect("newsletter mail");
        let link = mail.text.split_whitespace().rev().find(|w| w.starts_with("http")).unwrap_or_default().to_string();
        link.split("token=").nth(1).unwrap_or_default().to_string()
    };
    b.op(
        "subscriptions",
        "unsubscribeFromNewsletter (token)",
        "mutation($t: String) { unsubscribeFromNewsletter(token: $t) { status } }",
        json!({ "t": unsub }),
        &[],
    )
    .await;
    let bis = json!({ "email": "bench.alert@example.com", "item": "SKU-1", "shipTo": { "countryCode": "DE" } });
    b.op(
        "subscriptions",
        "backInStockSubscribe",
        "mutation($i: BackInStockInput!) { backInStockSubscribe(input: $i) { subscribed } }",
        json!({ "i": bis }),
        &[],
    )
    .await;
    b.op(
        "subscriptions",
        "backInStockUnsubscribe",
        "mutation($i: BackInStockInput!) { backInStockUnsubscribe(input: $i) { subscribed } }",
        json!({ "i": bis }),
        &[],
    )
    .await;
    b.op(
        "subscriptions",
        "backInStockSubscribe",
        "mutation($i: BackInStockInput!) { backInStockSubscribe(input: $i) { subscribed } }",
        json!({ "i": bis }),
        &[],
    )
    .await;
    b.rows.pop();

    // admin
    let key = [bearer(&b.key.clone())];
    let create =
        "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } userErrors { code } } }";
    let c = b
        .op(
            "admin",
            "createCustomer",
            create,
            json!({ "i": { "email": "bench.oms@example.com", "ref": "SO-1", "externalId": "crm-1" } }),
            &key,
        )
        .await;
    let id = c["data"]["createCustomer"]["customer"]["id"].clone();
    b.op("admin", "customer (by id)", "query($id: ID) { customer(id: $id) { id } }", json!({ "id": id }), &key).await;
    b.op("admin", "customer (by ref)", "{ customer(ref: \"SO-1\") { id } }", json!({}), &key).await;
    for i in 0..150 {
        b.call(
            "admin",
            create,
            json!({ "i": { "email": format!("bulk{i}@example.com"), "ref": format!("SO-B{i}") } }),
            &key,
        )
        .await;
    }
    let customers = "query($f: CustomerFilter) { customers(filter: $f, first: 50) { edges { node { id } } pageInfo { hasNextPage } } }";
    b.op("admin", "customers (no filter, 50 of 152)", customers, json!({}), &key).await;
    b.op("admin", "customers (ref wildcard, scan of 152)", customers, json!({ "f": { "ref": "%B14%" } }), &key).await;
    b.op("admin", "customers (exact email)", customers, json!({ "f": { "email": "bench.oms@example.com" } }), &key)
        .await;
    b.op("admin", "updateCustomer", "mutation($id: ID) { updateCustomer(identifier: { customerId: $id }, input: { firstName: \"Oz\" }) { customer { id } } }", json!({ "id": id }), &key).await;
    let upsert = "mutation($n: String!) { upsertCustomer(input: { identifier: { externalId: \"crm-9\" }, onCreate: { email: \"bench.up@example.com\" }, onUpdate: { firstName: $n } }) { result } }";
    b.op("admin", "upsertCustomer (CREATED)", upsert, json!({ "n": "A" }), &key).await;
    b.op("admin", "upsertCustomer (UPDATED)", upsert, json!({ "n": "B" }), &key).await;
    b.op("admin", "upsertCustomer (NOOP)", upsert, json!({ "n": "B" }), &key).await;

    // orders and loyalty
    let record = "mutation($id: ID, $s: OrderStatus!) { recordOrder(input: { orderId: \"SO-900\", customer: { customerId: $id }, status: $s, placedAt: \"2026-11-20T10:00:00Z\", total: { amount: \"120.50\", currencyCode: \"EUR\" }, storeId: \"berlin\", items: [{ sku: \"TEA-1\", quantity: 2, unitPrice: { amount: \"60.25\", currencyCode: \"EUR\" } }] }) { result } }";
    b.op("admin", "recordOrder (CREATED, earns points)", record, json!({ "id": id, "s": "PLACED" }), &key).await;
    b.op("admin", "recordOrder (NOOP)", record, json!({ "id": id, "s": "PLACED" }), &key).await;
    b.op("admin", "recordOrder (UPDATED: shipped)", record, json!({ "id": id, "s": "SHIPPED" }), &key).await;
    b.op("admin", "recordOrder (UPDATED: cancelled, reversed)", record, json!({ "id": id, "s": "CANCELLED" }), &key)
        .await;
    let by_ref = "mutation { recordOrder(input: { orderId: \"SO-901\", customer: { ref: \"SO-1\" }, status: PAID, placedAt: \"2026-11-21T10:00:00Z\", total: { amount: \"99.90\", currencyCode: \"EUR\" } }) { result } }";
    b.op("admin", "recordOrder (CREATED, customer by ref)", by_ref, json!({}), &key).await;
    let adjust = "mutation($id: ID) { adjustPoints(customer: { customerId: $id }, points: 500, reason: \"welcome\", idempotencyKey: \"adj-1\") { loyalty { pointsBalance } } }";
    b.op("admin", "adjustPoints", adjust, json!({ "id": id }), &key).await;
    let redeem = "mutation($id: ID) { redeemPoints(customer: { customerId: $id }, points: 100, idempotencyKey: \"red-1\") { transaction { id } userErrors { code } } }";
    b.op("admin", "redeemPoints", redeem, json!({ "id": id }), &key).await;
    b.op("admin", "redeemPoints (same key again)", redeem, json!({ "id": id }), &key).await;
    let stamps = "mutation($id: ID) { redeemStamps(customer: { customerId: $id }, stamps: 1, idempotencyKey: \"st-1\") { transaction { id } userErrors { code } } }";
    b.op("admin", "redeemStamps", stamps, json!({ "id": id }), &key).await;
    let promotion = "mutation($c: Int!) { upsertPromotion(input: { promotionId: \"COFFEE\", name: \"Free coffee\", pointsCost: $c, countryCodes: [\"DE\"] }) { result } }";
    b.op("admin", "upsertPromotion (CREATED)", promotion, json!({ "c": 100 }), &key).await;
    b.op("admin", "upsertPromotion (NOOP)", promotion, json!({ "c": 100 }), &key).await;
    b.op("admin", "upsertPromotion (UPDATED)", promotion, json!({ "c": 50 }), &key).await;
    b.op("admin", "promotions", "{ promotions(first: 50) { edges { node { promotionId } } } }", json!({}), &key).await;
    let by_promotion = "mutation($id: ID) { redeemPoints(customer: { customerId: $id }, promotionId: \"COFFEE\", idempotencyKey: \"red-2\") { transaction { id } userErrors { code } } }";
    b.op("admin", "redeemPoints (by promotion)", by_promotion, json!({ "id": id }), &key).await;
    let contract = "mutation($id: ID) { recordSubscriptionContract(input: { contractId: \"SUB-1\", customer: { customerId: $id }, status: ACTIVE, interval: \"P1M\", price: { amount: \"19.90\", currencyCode: \"EUR\" }, items: [{ sku: \"TEA-1\", quantity: 1 }] }) { result } }";
    b.op("admin", "recordSubscriptionContract (CREATED)", contract, json!({ "id": id }), &key).await;
    b.op("admin", "recordSubscriptionContract (NOOP)", contract, json!({ "id": id }), &key).await;
    let buyer = "query($id: ID) { customer(id: $id) { totalOrders totalSpent { amount } loyalty { pointsBalance transactions { edges { node { id } } } } orders { edges { node { orderId } } } } }";
    b.op("admin", "customer (with totals, loyalty, its ledger and orders)", buyer, json!({ "id": id }), &key).await;
    let offers = "query($id: ID) { customer(id: $id) { availablePromotions(storeId: \"berlin\") { promotionId } subscriptionContracts { contractId } } }";
    b.op("admin", "customer (availablePromotions, subscriptionContracts)", offers, json!({ "id": id }), &key).await;
    b.op(
        "admin",
        "deletePromotion",
        "mutation { deletePromotion(promotionId: \"COFFEE\") { deleted } }",
        json!({}),
        &key,
    )
    .await;
    b.op(
        "admin",
        "setCustomerStatus",
        "mutation($id: ID!) { setCustomerStatus(id: $id, status: INACTIVE) { customer { id } } }",
        json!({ "id": id }),
        &key,
    )
    .await;
    b.op(
        "admin",
        "newsletterSubscriptions",
        "{ newsletterSubscriptions(first: 50) { edges { node { email } } } }",
        json!({}),
        &key,
    )
    .await;
    b.op(
        "admin",
        "notifyBackInStock (1 subscriber)",
        "mutation { notifyBackInStock(item: \"SKU-1\") { notified } }",
        json!({}),
        &key,
    )
    .await;
    b.op(
        "admin",
        "deleteCustomer",
        "mutation($id: ID!) { deleteCustomer(id: $id) { deleted } }",
        json!({ "id": id }),
        &key,
    )
    .await;
    b.op("account", "logoutAll", "mutation { logoutAll { loggedOut } }", json!({}), &me).await;
    let relog = b.call("auth", login, json!({ "e": "bench.moved@example.com", "p": PASSWORD }), &[]).await.0;
    let token = relog["data"]["login"]["session"]["accessToken"].as_str().unwrap_or_default().to_string();
    b.op(
        "account",
        "deleteAccount",
        "mutation($p: String!) { deleteAccount(password: $p) { deleted } }",
        json!({ "p": PASSWORD }),
        &[bearer(&token)],
    )
    .await;

    let mut out = String::from("## DynamoDB round trips and capacity per operation\n\nEach operation once, in process (release build), against DynamoDB Local; round trips are the requests the SDK client sent (counted by an SDK interceptor); capacity units are estimated from request and response sizes, since DynamoDB Local reports none (updates and deletes count one unit, a lower bound for large customers; reads of GSIs are eventually consistent, half price). A transactional write costs twice a plain one. Times are on loopback and include the function's own work (Argon2 where a password is checked).\n\n| function | operation | round trips | calls | read units | write units | total ms | DynamoDB ms |\n|---|---|---|---|---|---|---|---|\n");
    for r in &b.rows {
        writeln!(
            out,
            "| {} | {} | {} | {} | {:.1} | {:.1} | {:.2} | {:.2} |",
            r.function,
            r.operation,
            r.round_trips,
            r.calls,
            r.read_units,
            r.write_units,
            r.total.as_secs_f64() * 1000.0,
            r.db.as_secs_f64() * 1000.0
        )?;
    }

    // Latency of representative operations, with nothing else at DynamoDB
    // Local: the relay stops (the mail of these calls is never read).
    b.relay.abort();
    let runs = 200;
    let relog = b.call("auth", login, json!({ "e": "bench.latency@example.com", "p": PASSWORD }), &[]).await.0;
    let _ = relog;
    b.call("auth", reg, json!({ "i": { "email": "bench.latency@example.com", "password": PASSWORD } }), &[]).await;
    let l = b.call("auth", login, json!({ "e": "bench.latency@example.com", "p": PASSWORD }), &[]).await.0;
    let token = l["data"]["login"]["session"]["accessToken"].as_str().unwrap_or_default().to_string();
    writeln!(out, "\n## Latency: first and warm invocations\n\nIn process, release build, {runs} warm calls after the first, against DynamoDB Local on loopback. *Overhead* is the time outside the DynamoDB calls (measured by the same SDK client in the same run): parsing, validation, GraphQL, JSON, and for `login` one Argon2id verification.\n\n| function | operation | first ms | first overhead ms | warm p50 ms | warm p99 ms | DynamoDB p50 ms | overhead p50 ms |\n|---|---|---|---|---|---|---|---|")?;
    type Case<'a> = (&'a str, &'a str, &'a str, Value, Vec<(&'a str, String)>);
    let rows: [Case; 4] = [
        ("auth", "login", login, json!({ "e": "bench.latency@example.com", "p": PASSWORD }), vec![]),
        (
            "account",
            "customer",
            "{ customer { id email firstName lastName version } }",
            json!({}),
            vec![bearer(&token)],
        ),
        ("subscriptions", "subscribeToNewsletter", sub, json!({ "e": "bench.latency@example.com" }), vec![]),
        ("admin", "customers (first 50)", customers, json!({}), key.to_vec()),
    ];
    for (function, label, query, vars, headers) in rows {
        let line = warm(&b, function, query, vars, &headers, runs).await;
        writeln!(out, "| {function} | {label} | {line} |")?;
    }

    // A wrong password for a known and for an unknown address, side by side:
    // each address once (a second try would count towards its lock), alternating.
    let pairs = 60;
    let mut known = Vec::new();
    for i in 0..pairs {
        let address = format!("bench.known{i}@example.com");
        b.call("auth", reg, json!({ "i": { "email": address, "password": PASSWORD } }), &[]).await;
        known.push(address);
    }
    let (mut times, mut trips) = ([Vec::new(), Vec::new()], [Vec::new(), Vec::new()]);
    for (i, address) in known.iter().enumerate() {
        let unknown = format!("bench.unknown{i}@example.com");
        for (side, who) in [address.as_str(), unknown.as_str()].into_iter().enumerate() {
            let (_, total, calls) = b.call("auth", login, json!({ "e": who, "p": "not the password" }), &[]).await;
            times[side].push(total.as_secs_f64() * 1000.0);
            trips[side].push(calls.len());
        }
    }
    writeln!(out, "\n## A wrong password: known and unknown address\n\n{pairs} pairs, alternating, each address tried once (release build, in process, DynamoDB Local on loopback). The answers are the same `INVALID_CREDENTIALS`; the round trips are the same by construction (attempt, guard, profile).\n\n| address | round trips | p50 ms | p90 ms |\n|---|---|---|---|")?;
    for (side, label) in ["known", "unknown"].into_iter().enumerate() {
        let v = &mut times[side];
        v.sort_by(|a, b| a.total_cmp(b));
        let (p50, p90) = (v[v.len() / 2], v[(v.len() - 1) * 9 / 10]);
        let rt = trips[side].iter().copied().max().unwrap_or(0);
        writeln!(out, "| {label} | {rt} | {p50:.2} | {p90:.2} |")?;
    }

    // Argon2id.
    let hasher = shared::auth::PasswordHasher::new(19 * 1024, 2, 1)?;
    hasher.hash(PASSWORD).await?;
    let mut times = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        hasher.hash(PASSWORD).await?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let one = times[times.len() / 2];
    // For the peer comparison (bench/peer.py), which takes the hash out of login and registration.
    if let Ok(path) = std::env::var("BENCH_FIGURES") {
        std::fs::write(path, json!({ "argon2_ms": one }).to_string())?;
    }
    writeln!(out, "\n## Argon2id cost\n\nOne hash with the configured parameters (m = 19 MiB, t = 2, p = 1), median of 20 on this machine: **{one:.1} ms** of one core. Lambda gives a full vCPU at 1,769 MB and a proportional share below, so one hash (and so each login, registration and password change) costs about:\n\n| memory | vCPU share | one hash |\n|---|---|---|")?;
    for mb in [128.0, 512.0, 1024.0, 1769.0] {
        let share: f64 = (mb / 1769.0_f64).min(1.0);
        writeln!(out, "| {mb:.0} MB | {:.0}% | {:.0} ms |", share * 100.0, one / share)?;
    }
    Ok(out)
}
