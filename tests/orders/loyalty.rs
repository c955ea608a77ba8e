//! Points and stamps moved by the back office: `adjustPoints`,
//! `redeemPoints`, `redeemStamps`; idempotent by key, never below zero under
//! concurrency, refusals that change nothing.

use super::*;
use futures::future::join_all;

const REDEMPTIONS: &str = "query($id: ID!) { customer(id: $id) { loyalty { redemptions { edges { node { id kind points stamps balanceAfter } } } } } }";

async fn redemptions(b: &Backoffice, id: &str) -> Vec<Value> {
    let resp = b.call(REDEMPTIONS, json!({ "id": id })).await;
    assert!(resp["errors"].is_null(), "{resp}");
    nodes(&resp["data"]["customer"]["loyalty"]["redemptions"])
}

fn points_balance(s: &Value) -> i64 {
    s["loyalty"]["pointsBalance"].as_i64().unwrap_or_else(|| panic!("{s}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_redemptions_never_take_the_balance_below_zero() {
    let b = backoffice().await;
    let id = customer(&b, "redeemer").await;
    let who = by_id(&id);
    let granted = adjust(&b, &who, 500, "grant-500").await;
    assert!(codes(&granted).is_empty(), "{granted}");
    assert_eq!(granted["loyalty"]["pointsBalance"], 500, "{granted}");

    let results = join_all((0..8).map(|i| {
        let (b, who) = (&b, &who);
        async move { redeem(b, who, 100, &format!("redeem-{i}")).await }
    }))
    .await;
    let done: Vec<&Value> = results.iter().filter(|r| codes(r).is_empty()).collect();
    let refused: Vec<&Value> = results.iter().filter(|r| codes(r) == ["INSUFFICIENT_POINTS"]).collect();
    assert_eq!((done.len(), refused.len()), (5, 3), "{results:?}");
    for r in &refused {
        assert_eq!(r["userErrors"][0]["field"], json!(["points"]), "{r}");
        assert!(r["transaction"].is_null(), "{r}");
    }
    for r in &done {
        assert_eq!((&r["transaction"]["kind"], &r["transaction"]["points"]), (&json!("REDEEM"), &json!(-100)), "{r}");
    }
    // Each success took the balance one step down: no two saw the same balance.
    let mut after: Vec<i64> = done.iter().map(|r| r["transaction"]["balanceAfter"].as_i64().unwrap()).collect();
    after.sort_unstable();
    assert_eq!(after, [0, 100, 200, 300, 400], "{results:?}");

    let s = summary(&b, &id).await;
    let l = &s["loyalty"];
    assert_eq!((&l["pointsBalance"], &l["pointsRedeemed"]), (&json!(0), &json!(500)), "{s}");
    let listed = redemptions(&b, &id).await;
    assert_eq!(listed.len(), 5, "{listed:?}");
    assert!(listed.iter().all(|t| t["kind"] == "REDEEM" && t["points"] == -100), "{listed:?}");
    let ids: Vec<&Value> = done.iter().map(|r| &r["transaction"]["id"]).collect();
    assert!(listed.iter().all(|t| ids.contains(&&t["id"])), "the successful ones: {listed:?}");
}

#[tokio::test]
async fn the_same_idempotency_key_gives_the_first_result_and_changes_nothing_more() {
    let b = backoffice().await;
    let id = customer(&b, "keys").await;
    let who = by_id(&id);

    let first = adjust(&b, &who, 250, "adj-1").await;
    assert!(codes(&first).is_empty(), "{first}");
    let t = &first["transaction"];
    assert_eq!(
        (&t["kind"], &t["points"], &t["balanceAfter"], &t["reason"]),
        (&json!("ADJUST"), &json!(250), &json!(250), &json!("goodwill")),
        "{first}"
    );
    let again = adjust(&b, &who, 250, "adj-1").await;
    assert!(codes(&again).is_empty(), "{again}");
    assert_eq!(again["transaction"], first["transaction"], "the first result");
    let s = summary(&b, &id).await;
    assert_eq!(points_balance(&s), 250, "added once: {s}");
    assert_eq!(transactions(&s).len(), 1, "{s}");

    let redeemed = redeem(&b, &who, 100, "red-1").await;
    assert!(codes(&redeemed).is_empty(), "{redeemed}");
    let t = &redeemed["transaction"];
    assert_eq!((&t["kind"], &t["points"], &t["balanceAfter"]), (&json!("REDEEM"), &json!(-100), &json!(150)));
    let again = redeem(&b, &who, 100, "red-1").await;
    assert_eq!(again["transaction"], redeemed["transaction"], "the first result");
    let s = summary(&b, &id).await;
    assert_eq!((points_balance(&s), &s["loyalty"]["pointsRedeemed"]), (150, &json!(100)), "taken once: {s}");
    assert_eq!(redemptions(&b, &id).await.len(), 1);

    // Refusals change nothing.
    let before = summary(&b, &id).await;
    let p = redeem(&b, &who, 151, "red-2").await;
    assert_eq!(user_error(&p), ("INSUFFICIENT_POINTS".to_string(), json!(["points"])), "{p}");
    assert!(p["transaction"].is_null(), "{p}");
    let p = adjust(&b, &who, -151, "adj-2").await;
    assert_eq!(user_error(&p), ("INSUFFICIENT_POINTS".to_string(), json!(["points"])), "{p}");
    assert!(p["transaction"].is_null(), "{p}");
    assert_eq!(summary(&b, &id).await, before, "nothing changed");
    assert_eq!(redemptions(&b, &id).await.len(), 1);

    // A negative adjustment the balance covers.
    let p = adjust(&b, &who, -150, "adj-3").await;
    assert!(codes(&p).is_empty(), "{p}");
    assert_eq!((&p["transaction"]["points"], &p["transaction"]["balanceAfter"]), (&json!(-150), &json!(0)), "{p}");
    assert_eq!(p["loyalty"]["pointsBalance"], 0);
    let s = summary(&b, &id).await;
    let kinds: Vec<Value> = transactions(&s).iter().map(|t| t["kind"].clone()).collect();
    assert_eq!(kinds, [json!("ADJUST"), json!("REDEEM"), json!("ADJUST")], "newest first: {s}");
}

#[tokio::test]
async fn stamps_earned_by_orders_are_redeemed_once_per_key_and_never_overdrawn() {
    let b = backoffice().await;
    let id = customer(&b, "stamps").await;
    let who = by_id(&id);
    for (i, placed) in ["2026-04-01T10:00:00Z", "2026-04-02T10:00:00Z", "2026-04-03T10:00:00Z"].iter().enumerate() {
        let p = record(&b, order(&format!("ST-{i}"), &who, "COMPLETED", placed, "3.50")).await;
        assert_eq!(p["result"], "CREATED", "{p}");
    }
    let s = summary(&b, &id).await;
    assert_eq!((&s["loyalty"]["stamps"], &s["loyalty"]["pointsBalance"]), (&json!(3), &json!(9)), "{s}");

    let first = redeem_stamps(&b, &who, 2, "coffee-1").await;
    assert!(codes(&first).is_empty(), "{first}");
    let t = &first["transaction"];
    assert_eq!((&t["kind"], &t["stamps"], &t["points"]), (&json!("REDEEM"), &json!(-2), &json!(0)), "{first}");
    assert_eq!((&first["loyalty"]["stamps"], &first["loyalty"]["pointsBalance"]), (&json!(1), &json!(9)), "{first}");
    assert_eq!(redeem_stamps(&b, &who, 2, "coffee-1").await["transaction"], first["transaction"]);

    let before = summary(&b, &id).await;
    assert_eq!(before["loyalty"]["stamps"], 1, "redeemed once: {before}");
    let p = redeem_stamps(&b, &who, 2, "coffee-2").await;
    assert_eq!(user_error(&p), ("INSUFFICIENT_POINTS".to_string(), json!(["stamps"])), "{p}");
    assert!(p["transaction"].is_null(), "{p}");
    assert_eq!(summary(&b, &id).await, before, "nothing changed");
    let listed = redemptions(&b, &id).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["id"], first["transaction"]["id"]);
}

#[tokio::test]
async fn a_reversal_may_leave_a_negative_balance_that_blocks_redemptions() {
    let b = backoffice().await;
    let id = customer(&b, "negative").await;
    let who = by_id(&id);
    let mut bought = order("SO-NEG", &who, "PAID", "2026-04-05T10:00:00Z", "100.00");
    record(&b, bought.clone()).await;
    assert!(codes(&redeem(&b, &who, 80, "spend-80").await).is_empty());

    bought["status"] = json!("RETURNED");
    assert_eq!(record(&b, bought).await["result"], "UPDATED");
    let s = summary(&b, &id).await;
    assert_eq!(points_balance(&s), 20 - 100, "the whole order is taken back: {s}");
    assert_eq!(transactions(&s)[0]["kind"], "REVERSE");
    assert_eq!(transactions(&s)[0]["balanceAfter"], -80);

    let p = redeem(&b, &who, 10, "spend-10").await;
    assert_eq!(user_error(&p), ("INSUFFICIENT_POINTS".to_string(), json!(["points"])), "{p}");
    let p = adjust(&b, &who, 100, "make-good").await;
    assert_eq!(p["loyalty"]["pointsBalance"], 20, "{p}");
}

#[tokio::test]
async fn bad_loyalty_requests_are_explained() {
    let b = backoffice().await;
    let id = customer(&b, "bad-loyalty").await;
    let who = by_id(&id);
    adjust(&b, &who, 50, "seed").await;

    for points in [0, -5] {
        let p = redeem(&b, &who, points, &format!("bad-{points}")).await;
        assert_eq!(user_error(&p), ("INVALID".to_string(), json!(["points"])), "{points}: {p}");
    }
    let p = redeem_stamps(&b, &who, 0, "bad-stamps").await;
    assert_eq!(user_error(&p), ("INVALID".to_string(), json!(["stamps"])), "{p}");

    for nobody in [json!({ "email": email("nobody") }), json!({ "loyaltyId": "LD-nobody" })] {
        let p = adjust(&b, &nobody, 10, "nobody-adjust").await;
        assert_eq!(user_error(&p), ("NOT_FOUND".to_string(), json!(["customer"])), "{p}");
        let p = redeem(&b, &nobody, 10, "nobody-redeem").await;
        assert_eq!(user_error(&p), ("NOT_FOUND".to_string(), json!(["customer"])), "{p}");
        let p = redeem_stamps(&b, &nobody, 1, "nobody-stamps").await;
        assert_eq!(user_error(&p), ("NOT_FOUND".to_string(), json!(["customer"])), "{p}");
    }
    let s = summary(&b, &id).await;
    assert_eq!((points_balance(&s), transactions(&s).len()), (50, 1), "{s}");
}
