//! Promotions: the back office keeps the tenant's catalogue
//! (`upsertPromotion`, `deletePromotion`, `promotions`), a customer is
//! offered those it qualifies for now (`availablePromotions`, in `admin`
//! and in the storefront's `account`), and `redeemPoints` with a
//! `promotionId` spends its cost.

use super::*;
use crate::support::accounts::{login, PASSWORD};
use crate::support::{bearer, gql, top_error};
use chrono::{Duration, SecondsFormat};
use std::collections::HashSet;

/// Every field of a `Promotion`.
const PROMOTION_FIELDS: &str =
    "id promotionId name description startsAt endsAt storeIds countryCodes pointsCost minPointsBalance minTotalOrders";

const PAGE: &str = "query($first: Int, $after: String) { promotions(first: $first, after: $after) { edges { cursor node { promotionId name } } pageInfo { hasNextPage endCursor } } }";

const DELETE: &str =
    "mutation($p: String!) { deletePromotion(promotionId: $p) { deleted userErrors { code field message } } }";

/// The promotions offered in store "berlin" and in any store (no `storeId`).
const OFFERED: &str =
    "berlin: availablePromotions(storeId: \"berlin\") { promotionId } anywhere: availablePromotions { promotionId }";

/// A minimal `PromotionInput`: offered to everyone, everywhere, for nothing.
fn promotion(promotion_id: &str) -> Value {
    json!({ "promotionId": promotion_id, "name": format!("Offer {promotion_id}") })
}

/// `promotion(promotion_id)` with the fields of `rules` set.
fn promotion_with(promotion_id: &str, rules: Value) -> Value {
    let mut input = promotion(promotion_id);
    input.as_object_mut().unwrap().extend(rules.as_object().expect("rules as an object").clone());
    input
}

/// `now` moved by `days`, as a `DateTime` input.
fn days_from_now(days: i64) -> String {
    (Utc::now() + Duration::days(days)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `upsertPromotion(input)` with `key`; the whole response.
async fn upsert_with(b: &Backoffice, key: &str, input: Value) -> Value {
    let q = format!(
        "mutation($input: PromotionInput!) {{ upsertPromotion(input: $input) {{ result promotion {{ {PROMOTION_FIELDS} }} userErrors {{ code field message }} }} }}"
    );
    b.call_with(key, &q, json!({ "input": input })).await
}

/// `upsertPromotion(input)` with the full key; the payload (no top-level error allowed).
async fn upsert(b: &Backoffice, input: Value) -> Value {
    let resp = upsert_with(b, &b.key, input).await;
    assert!(resp["errors"].is_null(), "{resp}");
    resp["data"]["upsertPromotion"].clone()
}

/// Walks every page of `promotions` with `first` and `key`; the promotion
/// ids in the order they came.
async fn walk(b: &Backoffice, key: &str, first: i64) -> Vec<String> {
    let mut ids = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..100 {
        let resp = b.call_with(key, PAGE, json!({ "first": first, "after": after })).await;
        assert!(resp["errors"].is_null(), "{resp}");
        let conn = &resp["data"]["promotions"];
        let edges = conn["edges"].as_array().unwrap_or_else(|| panic!("{resp}"));
        assert!(edges.len() as i64 <= first, "{resp}");
        ids.extend(edges.iter().map(|e| e["node"]["promotionId"].as_str().unwrap().to_string()));
        if conn["pageInfo"]["hasNextPage"] != true {
            return ids;
        }
        assert_eq!(edges.len() as i64, first, "a page before the last is full: {resp}");
        assert_eq!(conn["pageInfo"]["endCursor"], edges.last().unwrap()["cursor"]);
        after = conn["pageInfo"]["endCursor"].as_str().map(String::from);
    }
    panic!("the pages never end");
}

/// The promotion ids of a list of promotions, sorted.
fn ids(list: &Value) -> Vec<String> {
    let mut ids: Vec<String> = list
        .as_array()
        .unwrap_or_else(|| panic!("a list of promotions: {list}"))
        .iter()
        .map(|p| p["promotionId"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

fn sorted(ids: &[&str]) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    ids.sort();
    ids
}

/// Checks `OFFERED` of a customer (as `admin` or `account` answered it):
/// `in_berlin` in store "berlin", and those with "PARIS" in any store.
fn assert_offered(customer: &Value, in_berlin: &[&str], step: &str) {
    assert_eq!(ids(&customer["berlin"]), sorted(in_berlin), "{step}, in berlin: {customer}");
    let mut anywhere = in_berlin.to_vec();
    anywhere.push("PARIS");
    assert_eq!(ids(&customer["anywhere"]), sorted(&anywhere), "{step}, in any store: {customer}");
}

/// `OFFERED` of the customer `id` through `admin` (no error allowed).
async fn offered(b: &Backoffice, id: &str) -> Value {
    let q = format!("query($id: ID!) {{ customer(id: $id) {{ {OFFERED} }} }}");
    let resp = b.call(&q, json!({ "id": id })).await;
    assert!(resp["errors"].is_null(), "{resp}");
    resp["data"]["customer"].clone()
}

/// `redeemPoints` of the cost of `promotion` (no `points`) with idempotency key `key`.
async fn redeem_promotion(b: &Backoffice, who: &Value, promotion: Option<&str>, key: &str) -> Value {
    let declarations = "$c: CustomerIdentifierInput!, $p: String, $k: String!";
    let arguments = "customer: $c, promotionId: $p, idempotencyKey: $k";
    loyalty_op(b, "redeemPoints", declarations, arguments, json!({ "c": who, "p": promotion, "k": key })).await
}

#[tokio::test]
async fn a_promotion_is_created_replayed_and_updated_by_its_id_and_bad_input_is_located() {
    let b = backoffice().await;
    let input = json!({
        "promotionId": "SUMMER-25",
        "name": "Summer coffee",
        "description": "A free iced coffee",
        "startsAt": "2026-06-01T00:00:00Z",
        "endsAt": "2026-09-01T00:00:00Z",
        "storeIds": ["berlin", "hamburg"],
        "countryCodes": ["DE", "AT"],
        "pointsCost": 150,
        "minPointsBalance": 200,
        "minTotalOrders": 3,
    });

    let created = upsert(&b, input.clone()).await;
    assert!(codes(&created).is_empty(), "{created}");
    assert_eq!(created["result"], "CREATED", "{created}");
    let p = &created["promotion"];
    assert!(p["id"].is_string(), "{created}");
    let as_sent = [
        "promotionId",
        "name",
        "description",
        "storeIds",
        "countryCodes",
        "pointsCost",
        "minPointsBalance",
        "minTotalOrders",
    ];
    for field in as_sent {
        assert_eq!(p[field], input[field], "{field}: {created}");
    }
    assert_eq!((at(&p["startsAt"]), at(&p["endsAt"])), (at(&input["startsAt"]), at(&input["endsAt"])), "{created}");

    // The same input again: nothing changes.
    let same = upsert(&b, input.clone()).await;
    assert_eq!(same["result"], "NOOP", "{same}");
    assert!(codes(&same).is_empty(), "{same}");
    assert_eq!(same["promotion"], created["promotion"]);

    // A new name: the same promotion, changed.
    let mut renamed = input.clone();
    renamed["name"] = json!("Summer coffee XL");
    let updated = upsert(&b, renamed.clone()).await;
    assert_eq!(updated["result"], "UPDATED", "{updated}");
    assert_eq!((&updated["promotion"]["id"], &updated["promotion"]["name"]), (&p["id"], &json!("Summer coffee XL")));
    assert_eq!(upsert(&b, renamed).await["result"], "NOOP");

    // Without promotion:write: refused, nothing written.
    let no_write: Vec<Permission> = Permission::ALL.into_iter().filter(|p| *p != Permission::PromotionWrite).collect();
    let no_write = mint(&b.svc, "default", &no_write).await;
    let mut sneaky = input.clone();
    sneaky["name"] = json!("Sneaky");
    let resp = upsert_with(&b, &no_write, sneaky).await;
    assert_eq!(top_error(&resp).as_deref(), Some("FORBIDDEN"), "{resp}");
    let resp = b.call(PAGE, json!({ "first": 10 })).await;
    assert_eq!(
        nodes(&resp["data"]["promotions"]),
        vec![json!({ "promotionId": "SUMMER-25", "name": "Summer coffee XL" })]
    );

    // Bad input, each located in the input; nothing written.
    let backwards = json!({ "startsAt": "2026-06-01T00:00:00Z", "endsAt": "2026-05-31T00:00:00Z" });
    let cases = [
        (json!({ "promotionId": "" }), "REQUIRED", json!(["input", "promotionId"])),
        (backwards, "INVALID", json!(["input", "endsAt"])),
        (json!({ "countryCodes": ["XX"] }), "INVALID", json!(["input", "countryCodes", "0"])),
        (json!({ "pointsCost": -1 }), "INVALID", json!(["input", "pointsCost"])),
    ];
    for (rules, code, field) in cases {
        let input = promotion_with("BAD-1", rules);
        let p = upsert(&b, input.clone()).await;
        assert_eq!(user_error(&p), (code.to_string(), field), "{input}: {p}");
        assert!(p["result"].is_null() && p["promotion"].is_null(), "{p}");
    }
    assert_eq!(walk(&b, &b.key, 10).await, ["SUMMER-25"], "none of the bad ones was written");
}

#[tokio::test]
async fn promotions_are_deleted_once_and_paged_by_id() {
    let b = backoffice().await;
    for id in ["P-4", "P-2", "P-6", "P-1", "P-5", "P-3"] {
        assert_eq!(upsert(&b, promotion(id)).await["result"], "CREATED", "{id}");
    }

    let resp = b.call(DELETE, json!({ "p": "P-6" })).await;
    let deleted = &resp["data"]["deletePromotion"];
    assert_eq!(deleted["deleted"], true, "{resp}");
    assert!(codes(deleted).is_empty(), "{resp}");
    let resp = b.call(DELETE, json!({ "p": "P-6" })).await;
    let again = &resp["data"]["deletePromotion"];
    assert_eq!(user_error(again), ("NOT_FOUND".to_string(), json!(["promotionId"])), "{resp}");
    assert_eq!(again["deleted"], false, "{resp}");

    // Reading needs customer:read, and nothing more.
    let reader = mint(&b.svc, "default", &[Permission::CustomerRead]).await;
    let all = ["P-1", "P-2", "P-3", "P-4", "P-5"];
    for first in [2, 1, 5, 10] {
        let got = walk(&b, &reader, first).await;
        assert_eq!(got, all, "first={first}");
        assert_eq!(got.iter().collect::<HashSet<_>>().len(), 5, "no repeats, first={first}");
    }
    let writer = mint(&b.svc, "default", &[Permission::PromotionWrite]).await;
    let resp = b.call_with(&writer, PAGE, json!({ "first": 2 })).await;
    assert_eq!(top_error(&resp).as_deref(), Some("FORBIDDEN"), "{resp}");
}

#[tokio::test]
async fn promotions_are_offered_and_withdrawn_as_the_customer_and_the_catalogue_change() {
    let b = backoffice().await;
    let address = email("offered");
    let made = b.create(json!({ "email": address, "password": PASSWORD, "countryCode": "DE" })).await;
    assert!(codes(&made).is_empty(), "{made}");
    let id = made["customer"]["id"].as_str().unwrap_or_else(|| panic!("{made}")).to_string();
    let who = by_id(&id);

    let catalogue = [
        promotion("FREE"),
        promotion_with("COST-50", json!({ "pointsCost": 50 })),
        promotion_with("BALANCE-200", json!({ "minPointsBalance": 200 })),
        promotion_with("ORDERS-2", json!({ "minTotalOrders": 2 })),
        promotion_with("FR-ONLY", json!({ "countryCodes": ["FR"] })),
        promotion_with("DE-ONLY", json!({ "countryCodes": ["DE"] })),
        promotion_with("PARIS", json!({ "storeIds": ["paris"] })),
        promotion_with("BERLIN", json!({ "storeIds": ["berlin", "munich"] })),
        promotion_with("ENDED", json!({ "startsAt": days_from_now(-10), "endsAt": days_from_now(-1) })),
        promotion_with("FUTURE", json!({ "startsAt": days_from_now(10) })),
        promotion_with("RUNNING", json!({ "startsAt": days_from_now(-1), "endsAt": days_from_now(10) })),
    ];
    for input in catalogue {
        let p = upsert(&b, input.clone()).await;
        assert_eq!(p["result"], "CREATED", "{input}: {p}");
    }

    // Nothing bought, no points: what has no threshold and is running, in the customer's country.
    let mut base = vec!["FREE", "DE-ONLY", "BERLIN", "RUNNING"];
    assert_offered(&offered(&b, &id).await, &base, "a new customer");

    // The balance covers the cost (exactly), then meets the minimum (exactly).
    assert!(codes(&adjust(&b, &who, 50, "offer-1").await).is_empty());
    base.push("COST-50");
    assert_offered(&offered(&b, &id).await, &base, "50 points");
    assert!(codes(&adjust(&b, &who, 150, "offer-2").await).is_empty());
    base.push("BALANCE-200");
    assert_offered(&offered(&b, &id).await, &base, "200 points");

    // Two counted orders; a cancelled one does not count.
    let placed = "2026-10-01T10:00:00Z";
    assert_eq!(record(&b, order("OFFER-1", &who, "PAID", placed, "1.00")).await["result"], "CREATED");
    assert_offered(&offered(&b, &id).await, &base, "one order");
    assert_eq!(record(&b, order("OFFER-2", &who, "CANCELLED", placed, "1.00")).await["result"], "CREATED");
    assert_offered(&offered(&b, &id).await, &base, "one order and a cancelled one");
    assert_eq!(record(&b, order("OFFER-3", &who, "COMPLETED", placed, "1.00")).await["result"], "CREATED");
    base.push("ORDERS-2");
    assert_offered(&offered(&b, &id).await, &base, "two orders");

    // Withdrawn: deleted, or now costing more than the balance.
    let resp = b.call(DELETE, json!({ "p": "FREE" })).await;
    assert_eq!(resp["data"]["deletePromotion"]["deleted"], true, "{resp}");
    base.retain(|p| *p != "FREE");
    assert_offered(&offered(&b, &id).await, &base, "FREE deleted");
    let dearer = upsert(&b, promotion_with("COST-50", json!({ "pointsCost": 100_000 }))).await;
    assert_eq!(dearer["result"], "UPDATED", "{dearer}");
    base.retain(|p| *p != "COST-50");
    let now = offered(&b, &id).await;
    assert_offered(&now, &base, "COST-50 dearer");

    // The customer sees the same offers in the storefront.
    let session = login(&b.auth, &address, PASSWORD, &[]).await;
    assert!(codes(&session).is_empty(), "{session}");
    let token = session["session"]["accessToken"].as_str().unwrap().to_string();
    let account = account::app(b.svc.clone());
    let resp = gql(&account, &format!("{{ customer {{ {OFFERED} }} }}"), json!({}), &[bearer(&token)]).await;
    assert!(resp["errors"].is_null(), "{resp}");
    let mine = &resp["data"]["customer"];
    assert_offered(mine, &base, "in the storefront");
    assert_eq!((ids(&mine["berlin"]), ids(&mine["anywhere"])), (ids(&now["berlin"]), ids(&now["anywhere"])));
}

#[tokio::test]
async fn redeeming_a_running_promotion_spends_its_cost() {
    let b = backoffice().await;
    let id = customer(&b, "promoted").await;
    let who = by_id(&id);
    assert!(codes(&adjust(&b, &who, 100, "seed").await).is_empty());
    let catalogue = [
        promotion_with("COFFEE", json!({ "pointsCost": 30 })),
        promotion_with("LATER", json!({ "pointsCost": 10, "startsAt": days_from_now(10) })),
        promotion_with(
            "OVER",
            json!({ "pointsCost": 10, "startsAt": days_from_now(-10), "endsAt": days_from_now(-1) }),
        ),
        promotion_with("PRICEY", json!({ "pointsCost": 1000 })),
    ];
    for input in catalogue {
        assert_eq!(upsert(&b, input).await["result"], "CREATED");
    }

    let p = redeem_promotion(&b, &who, Some("COFFEE"), "coffee-1").await;
    assert!(codes(&p).is_empty(), "{p}");
    let t = &p["transaction"];
    assert_eq!(
        (&t["kind"], &t["points"], &t["balanceAfter"], &t["promotionId"]),
        (&json!("REDEEM"), &json!(-30), &json!(70), &json!("COFFEE")),
        "{p}"
    );
    assert_eq!((&p["loyalty"]["pointsBalance"], &p["loyalty"]["pointsRedeemed"]), (&json!(70), &json!(30)), "{p}");
    let again = redeem_promotion(&b, &who, Some("COFFEE"), "coffee-1").await;
    assert_eq!(again["transaction"], p["transaction"], "the first result");
    let before = summary(&b, &id).await;
    assert_eq!(before["loyalty"]["pointsBalance"], 70, "spent once: {before}");

    // Refusals, each at its argument; nothing changes.
    let refusals = [
        (Some("LATER"), "INVALID", json!(["promotionId"])),
        (Some("OVER"), "INVALID", json!(["promotionId"])),
        (Some("NO-SUCH"), "NOT_FOUND", json!(["promotionId"])),
        (Some("PRICEY"), "INSUFFICIENT_POINTS", json!(["points"])),
        (None, "REQUIRED", json!(["points"])),
    ];
    for (i, (promotion_id, code, field)) in refusals.into_iter().enumerate() {
        let p = redeem_promotion(&b, &who, promotion_id, &format!("refused-{i}")).await;
        assert_eq!(user_error(&p), (code.to_string(), field), "{promotion_id:?}: {p}");
        assert!(p["transaction"].is_null(), "{p}");
    }
    assert_eq!(summary(&b, &id).await, before, "nothing changed");
}

/// `redeemPoints` naming both `points` and `promotion`.
async fn redeem_both(b: &Backoffice, who: &Value, points: i64, promotion: &str, key: &str) -> Value {
    let declarations = "$c: CustomerIdentifierInput!, $n: Int, $p: String, $k: String!";
    let arguments = "customer: $c, points: $n, promotionId: $p, idempotencyKey: $k";
    loyalty_op(b, "redeemPoints", declarations, arguments, json!({ "c": who, "n": points, "p": promotion, "k": key }))
        .await
}

#[tokio::test]
async fn a_redemption_by_promotion_is_repeated_as_first_made_and_points_must_agree_with_the_cost() {
    let b = backoffice().await;
    let id = customer(&b, "repeat").await;
    let who = by_id(&id);
    assert!(codes(&adjust(&b, &who, 100, "seed").await).is_empty());
    assert_eq!(upsert(&b, promotion_with("TEA", json!({ "pointsCost": 40 }))).await["result"], "CREATED");
    assert_eq!(upsert(&b, promotion_with("FREE", json!({ "pointsCost": 0 }))).await["result"], "CREATED");

    // Points that differ from the cost are refused; the cost itself is fine.
    let p = redeem_both(&b, &who, 1, "TEA", "tea-cheap").await;
    assert_eq!(user_error(&p), ("INVALID".to_string(), json!(["points"])), "{p}");
    let first = redeem_both(&b, &who, 40, "TEA", "tea-1").await;
    assert_eq!(first["transaction"]["points"], -40, "{first}");

    // The promotion is repriced, then deleted: the same key still answers
    // with the first transaction, and nothing more is spent.
    assert_eq!(upsert(&b, promotion_with("TEA", json!({ "pointsCost": 70 }))).await["result"], "UPDATED");
    let again = redeem_both(&b, &who, 40, "TEA", "tea-1").await;
    assert_eq!(again["transaction"], first["transaction"], "{again}");
    let gone = b.call(DELETE, json!({ "p": "TEA" })).await;
    assert_eq!(gone["data"]["deletePromotion"]["deleted"], true, "{gone}");
    let again = redeem_both(&b, &who, 40, "TEA", "tea-1").await;
    assert_eq!(again["transaction"], first["transaction"], "{again}");
    assert_eq!(summary(&b, &id).await["loyalty"]["pointsBalance"], 60);

    // A free promotion is redeemed for nothing, and recorded.
    let free = redeem_promotion(&b, &who, Some("FREE"), "free-1").await;
    assert!(codes(&free).is_empty(), "{free}");
    assert_eq!((&free["transaction"]["points"], &free["transaction"]["promotionId"]), (&json!(0), &json!("FREE")));

    // Ids that could name no promotion are simply unknown.
    let none = b.call(DELETE, json!({ "p": "" })).await;
    assert_eq!(codes(&none["data"]["deletePromotion"]), ["NOT_FOUND"], "{none}");
}

#[tokio::test]
async fn available_promotions_need_loyalty_read_and_contracts_order_read() {
    let b = backoffice().await;
    let id = customer(&b, "guarded-offers").await;
    assert_eq!(upsert(&b, promotion("WELCOME")).await["result"], "CREATED");
    let q = "mutation($input: RecordSubscriptionContractInput!) { recordSubscriptionContract(input: $input) { result userErrors { code field } } }";
    let input = json!({ "contractId": "SUB-G", "customer": by_id(&id), "status": "ACTIVE" });
    let resp = b.call(q, json!({ "input": input })).await;
    assert_eq!(resp["data"]["recordSubscriptionContract"]["result"], "CREATED", "{resp}");

    let read = "query($id: ID!) { customer(id: $id) { id availablePromotions { promotionId } subscriptionContracts { contractId } } }";
    let read_with = |permissions: Vec<Permission>| {
        let (b, id) = (&b, &id);
        async move {
            let key = mint(&b.svc, "default", &permissions).await;
            b.call_with(&key, read, json!({ "id": id })).await
        }
    };
    let forbidden_at = |resp: &Value, field: &str| {
        let errors = resp["errors"].as_array().unwrap_or_else(|| panic!("{resp}"));
        assert_eq!(errors.len(), 1, "{resp}");
        assert_eq!(errors[0]["extensions"]["code"], "FORBIDDEN", "{resp}");
        assert_eq!(errors[0]["path"], json!(["customer", field]), "{resp}");
        let c = &resp["data"]["customer"];
        assert_eq!(c["id"], id.as_str(), "the customer comes back: {resp}");
        assert!(c.get(field).is_some_and(Value::is_null), "{field} null, not left out: {resp}");
    };

    let resp = read_with(vec![Permission::CustomerRead, Permission::OrderRead]).await;
    forbidden_at(&resp, "availablePromotions");
    assert_eq!(resp["data"]["customer"]["subscriptionContracts"], json!([{ "contractId": "SUB-G" }]), "{resp}");

    let resp = read_with(vec![Permission::CustomerRead, Permission::LoyaltyRead]).await;
    forbidden_at(&resp, "subscriptionContracts");
    assert_eq!(resp["data"]["customer"]["availablePromotions"], json!([{ "promotionId": "WELCOME" }]), "{resp}");

    let resp = read_with(vec![Permission::CustomerRead, Permission::OrderRead, Permission::LoyaltyRead]).await;
    assert!(resp["errors"].is_null(), "{resp}");
    let c = &resp["data"]["customer"];
    assert_eq!(c["availablePromotions"], json!([{ "promotionId": "WELCOME" }]), "{resp}");
    assert_eq!(c["subscriptionContracts"], json!([{ "contractId": "SUB-G" }]), "{resp}");
}
