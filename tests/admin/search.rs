//! `customers`: filters and Relay pagination over more than one page.

use super::*;
use crate::support::email;
use std::collections::HashSet;

const PAGE: &str = "query($f: CustomerFilter, $first: Int, $after: String) { customers(filter: $f, first: $first, after: $after) { edges { cursor node { id ref email firstName lastName phoneNumber status createdAt } } pageInfo { hasNextPage endCursor } } }";

/// Walks every page with `first`, checking cursors; returns the ids in order.
async fn walk(b: &Backoffice, filter: Value, first: i64) -> Vec<String> {
    let mut ids = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..100 {
        let resp = b.call(PAGE, json!({ "f": filter, "first": first, "after": after })).await;
        let conn = &resp["data"]["customers"];
        let edges = conn["edges"].as_array().unwrap_or_else(|| panic!("{resp}"));
        assert!(edges.len() as i64 <= first);
        ids.extend(edges.iter().map(|e| e["node"]["id"].as_str().unwrap().to_string()));
        if conn["pageInfo"]["hasNextPage"] != true {
            return ids;
        }
        assert_eq!(edges.len() as i64, first, "a page before the last is full");
        assert_eq!(conn["pageInfo"]["endCursor"], edges.last().unwrap()["cursor"]);
        after = conn["pageInfo"]["endCursor"].as_str().map(String::from);
    }
    panic!("no end");
}

struct Made {
    id: String,
    index: usize,
}

#[tokio::test]
#[ignore = "heavy: ./scripts/test.sh runs it alone, after the others"]
async fn every_filter_walks_all_its_matches_once_in_creation_order() {
    let b = backoffice().await;
    let mut made = Vec::new();
    for i in 0..26 {
        let input = json!({
            "email": email(&format!("{}{i}", if i % 3 == 0 { "Marietta_Will" } else { "someone" })),
            "firstName": if i % 2 == 0 { "Anna" } else { "Bert" },
            "lastName": format!("Family{}", i % 3),
            "phoneNumber": format!("+49 30 555 {i:04}"),
            "ref": format!("ORD-{}-{i}", if i % 5 == 0 { "EU" } else { "US" }),
            "externalId": format!("crm-{i}"),
            "status": if i % 7 == 0 { "INACTIVE" } else { "ACTIVE" },
        });
        let p = b.create(input).await;
        made.push(Made { id: p["customer"]["id"].as_str().unwrap_or_else(|| panic!("{p}")).to_string(), index: i });
        if i == 12 {
            // A clear gap in `createdAt` before the second half.
            crate::support::clock(&b.svc).advance(chrono::Duration::seconds(1));
        }
    }
    let expect = |pred: &dyn Fn(usize) -> bool| -> Vec<String> {
        made.iter().filter(|m| pred(m.index)).map(|m| m.id.clone()).collect()
    };
    let middle_created: chrono::DateTime<chrono::Utc> = {
        let resp = b.call("query($id: ID!) { customer(id: $id) { createdAt } }", json!({ "id": made[13].id })).await;
        resp["data"]["customer"]["createdAt"].as_str().unwrap().parse().unwrap()
    };

    crate::support::search::searchable(&b.svc).await;
    let cases: Vec<(Value, Vec<String>)> = vec![
        (json!(null), expect(&|_| true)),
        (json!({ "emailContains": "MARIETTA_will" }), expect(&|i| i % 3 == 0)),
        (json!({ "nameContains": "anna family1" }), expect(&|i| i % 2 == 0 && i % 3 == 1)),
        (json!({ "nameContains": "bert" }), expect(&|i| i % 2 == 1)),
        (json!({ "phoneContains": "555 001" }), expect(&|i| (10..20).contains(&i))),
        (json!({ "ref": "%-eu-%" }), expect(&|i| i % 5 == 0)),
        (json!({ "ref": "ORD-US-1%" }), expect(&|i| i % 5 != 0 && i.to_string().starts_with('1'))),
        (json!({ "ref": "ORD-US-13" }), expect(&|i| i == 13)),
        (json!({ "externalId": "crm-4" }), expect(&|i| i == 4)),
        (json!({ "status": "INACTIVE" }), expect(&|i| i % 7 == 0)),
        (json!({ "createdFrom": middle_created.to_rfc3339() }), expect(&|i| i >= 13)),
        (json!({ "createdTo": middle_created.to_rfc3339() }), expect(&|i| i <= 13)),
        (
            json!({ "nameContains": "anna", "status": "ACTIVE", "ref": "ORD-US-%" }),
            expect(&|i| i % 2 == 0 && i % 7 != 0 && i % 5 != 0),
        ),
    ];
    for (filter, expected) in cases {
        assert!(!expected.is_empty(), "{filter}: the case should match something");
        for first in [1, 4, 100] {
            let got = walk(&b, filter.clone(), first).await;
            assert_eq!(got, expected, "{filter} first={first}");
        }
    }
    let address = b.call("query($id: ID!) { customer(id: $id) { email } }", json!({ "id": made[3].id })).await;
    let exact =
        walk(&b, json!({ "email": address["data"]["customer"]["email"].as_str().unwrap().to_uppercase() }), 5).await;
    assert_eq!(exact, vec![made[3].id.clone()]);
}

#[tokio::test]
async fn first_is_clamped_and_cursors_survive_changes_while_walking() {
    let b = backoffice().await;
    let mut ids = Vec::new();
    for i in 0..105 {
        let p = b.create(json!({ "email": email(&format!("bulk{i}")) })).await;
        ids.push(p["customer"]["id"].as_str().unwrap().to_string());
    }
    let resp = b.call(PAGE, json!({ "first": 500 })).await;
    let conn = &resp["data"]["customers"];
    assert_eq!(conn["edges"].as_array().unwrap().len(), 100, "clamped to 100");
    assert_eq!(conn["pageInfo"]["hasNextPage"], true);

    // Walk in pages of 10 while deleting a seen and an unseen customer and adding new ones.
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut round = 0;
    loop {
        let resp = b.call(PAGE, json!({ "first": 10, "after": after })).await;
        let conn = &resp["data"]["customers"];
        seen.extend(conn["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].as_str().unwrap().to_string()));
        if round == 2 {
            let del = "mutation($id: ID!) { deleteCustomer(id: $id) { deleted } }";
            b.call(del, json!({ "id": ids[5] })).await;
            b.call(del, json!({ "id": ids[60] })).await;
            for i in 0..3 {
                let p = b.create(json!({ "email": email(&format!("late{i}")) })).await;
                ids.push(p["customer"]["id"].as_str().unwrap().to_string());
            }
        }
        round += 1;
        if conn["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = conn["pageInfo"]["endCursor"].as_str().map(String::from);
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no customer twice");
    let expected: Vec<String> = ids.iter().enumerate().filter(|(i, _)| *i != 60).map(|(_, id)| id.clone()).collect();
    assert_eq!(seen, expected, "everyone but the unseen deleted one, new ones at the end, in order");

    let bad = b.call(PAGE, json!({ "after": "not-a-cursor" })).await;
    assert_eq!(crate::support::top_error(&bad).as_deref(), Some("INVALID"), "{bad}");
}
