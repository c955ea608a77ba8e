//! `Customer.orders`: newest first by `placedAt`, Relay paging, and the
//! `storeId` and `from`/`to` filters (inclusive bounds).

use super::*;
use chrono::{Duration, SecondsFormat};
use std::collections::HashSet;

const PAGE: &str = "query($id: ID!, $first: Int, $after: String, $from: DateTime, $to: DateTime, $store: String) { customer(id: $id) { orders(first: $first, after: $after, from: $from, to: $to, storeId: $store) { edges { cursor node { orderId placedAt storeId } } pageInfo { hasNextPage endCursor } } } }";

/// A filter of `orders`: `from`, `to`, `storeId` (each optional).
#[derive(Default)]
struct Filter {
    from: Option<String>,
    to: Option<String>,
    store: Option<&'static str>,
}

/// Walks every page of the customer's orders with `first`, checking the
/// cursors; the order ids in the order they came.
async fn walk(b: &Backoffice, id: &str, filter: &Filter, first: i64) -> Vec<String> {
    let mut ids = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..100 {
        let vars = json!({ "id": id, "first": first, "after": after, "from": filter.from, "to": filter.to, "store": filter.store });
        let resp = b.call(PAGE, vars).await;
        assert!(resp["errors"].is_null(), "{resp}");
        let conn = &resp["data"]["customer"]["orders"];
        let edges = conn["edges"].as_array().unwrap_or_else(|| panic!("{resp}"));
        assert!(edges.len() as i64 <= first, "{resp}");
        ids.extend(edges.iter().map(|e| e["node"]["orderId"].as_str().unwrap().to_string()));
        if conn["pageInfo"]["hasNextPage"] != true {
            return ids;
        }
        assert_eq!(edges.len() as i64, first, "a page before the last is full: {resp}");
        assert_eq!(conn["pageInfo"]["endCursor"], edges.last().unwrap()["cursor"]);
        after = conn["pageInfo"]["endCursor"].as_str().map(String::from);
    }
    panic!("the pages never end");
}

fn time(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

struct Placed {
    order_id: String,
    placed_at: chrono::DateTime<Utc>,
    store: &'static str,
}

/// The ids of the orders `pred` keeps, newest first.
fn expect(placed: &[Placed], pred: &dyn Fn(&Placed) -> bool) -> Vec<String> {
    let mut matching: Vec<&Placed> = placed.iter().filter(|p| pred(p)).collect();
    matching.sort_by_key(|p| std::cmp::Reverse(p.placed_at));
    matching.iter().map(|p| p.order_id.clone()).collect()
}

#[tokio::test]
async fn the_history_pages_newest_first_and_filters_by_store_and_period() {
    let b = backoffice().await;
    let id = customer(&b, "regular").await;
    let base: chrono::DateTime<Utc> = "2026-01-01T08:00:00Z".parse().unwrap();
    let mut placed: Vec<Placed> = (0..25)
        .map(|i: i64| Placed {
            order_id: format!("H-{i:02}"),
            placed_at: base + Duration::days(i) + Duration::hours(i % 5),
            store: if i % 2 == 0 { "store-a" } else { "store-b" },
        })
        .collect();
    // Recorded in another order than placed, as order systems catch up.
    for k in 0..25 {
        let p = &placed[(k * 7) % 25];
        let mut input = order(&p.order_id, &by_id(&id), "COMPLETED", &time(p.placed_at), "10.00");
        input["storeId"] = json!(p.store);
        let r = record(&b, input).await;
        assert_eq!(r["result"], "CREATED", "{r}");
    }
    let newest_first = expect(&placed, &|_| true);
    assert_eq!(newest_first.first().map(String::as_str), Some("H-24"));
    assert_eq!(summary(&b, &id).await["totalOrders"], 25);

    // The first page of 10, and the default page of 20.
    let resp = b.call(PAGE, json!({ "id": id, "first": 10 })).await;
    let conn = &resp["data"]["customer"]["orders"];
    let first_page: Vec<String> = nodes(conn).iter().map(|n| n["orderId"].as_str().unwrap().to_string()).collect();
    assert_eq!(first_page, newest_first[..10], "{resp}");
    assert_eq!(conn["pageInfo"]["hasNextPage"], true);
    let q = "query($id: ID!) { customer(id: $id) { orders { edges { node { orderId } } pageInfo { hasNextPage } } } }";
    let resp = b.call(q, json!({ "id": id })).await;
    assert_eq!(resp["data"]["customer"]["orders"]["edges"].as_array().map(Vec::len), Some(20), "{resp}");
    assert_eq!(resp["data"]["customer"]["orders"]["pageInfo"]["hasNextPage"], true);

    // Every order exactly once, whatever the page size.
    for first in [1, 7, 10, 25, 30] {
        let all = walk(&b, &id, &Filter::default(), first).await;
        assert_eq!(all, newest_first, "first={first}");
        assert_eq!(all.iter().collect::<HashSet<_>>().len(), 25, "no repeats, first={first}");
    }

    // By store, by period (bounds included), and both.
    let from = placed[5].placed_at;
    let to = placed[12].placed_at;
    let cases: Vec<(Filter, Vec<String>)> = vec![
        (Filter { store: Some("store-a"), ..Default::default() }, expect(&placed, &|p| p.store == "store-a")),
        (Filter { store: Some("store-b"), ..Default::default() }, expect(&placed, &|p| p.store == "store-b")),
        (Filter { store: Some("store-none"), ..Default::default() }, vec![]),
        (
            Filter { from: Some(time(from)), to: Some(time(to)), ..Default::default() },
            expect(&placed, &|p| p.placed_at >= from && p.placed_at <= to),
        ),
        (Filter { from: Some(time(from)), ..Default::default() }, expect(&placed, &|p| p.placed_at >= from)),
        (Filter { to: Some(time(to)), ..Default::default() }, expect(&placed, &|p| p.placed_at <= to)),
        (
            Filter { from: Some(time(from)), to: Some(time(to)), store: Some("store-b") },
            expect(&placed, &|p| p.placed_at >= from && p.placed_at <= to && p.store == "store-b"),
        ),
    ];
    for (filter, expected) in &cases {
        for first in [3, 20] {
            let got = walk(&b, &id, filter, first).await;
            assert_eq!(
                &got, expected,
                "from={:?} to={:?} store={:?} first={first}",
                filter.from, filter.to, filter.store
            );
        }
    }
    let period = &cases[3].1;
    assert_eq!((period.first().map(String::as_str), period.last().map(String::as_str)), (Some("H-12"), Some("H-05")));

    // An order whose placedAt the order system corrects moves in the history, once.
    let moved = base + Duration::days(40);
    let mut input = order("H-03", &by_id(&id), "COMPLETED", &time(moved), "10.00");
    input["storeId"] = json!("store-b");
    assert_eq!(record(&b, input).await["result"], "UPDATED");
    placed[3].placed_at = moved;
    let all = walk(&b, &id, &Filter::default(), 10).await;
    assert_eq!(all.first().map(String::as_str), Some("H-03"), "{all:?}");
    assert_eq!(all, expect(&placed, &|_| true));
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), 25, "not duplicated: {all:?}");
    // It left its old place for the period and store filters too.
    let old_period = Filter { from: Some(time(base)), to: Some(time(base + Duration::days(10))), ..Default::default() };
    assert!(!walk(&b, &id, &old_period, 5).await.contains(&"H-03".to_string()));
    let b_store = walk(&b, &id, &Filter { store: Some("store-b"), ..Default::default() }, 5).await;
    assert_eq!(b_store.first().map(String::as_str), Some("H-03"), "{b_store:?}");
    assert_eq!(summary(&b, &id).await["totalOrders"], 25);

    let bad = b.call(PAGE, json!({ "id": id, "after": "not-a-cursor" })).await;
    assert_eq!(crate::support::top_error(&bad).as_deref(), Some("INVALID"), "{bad}");
}
