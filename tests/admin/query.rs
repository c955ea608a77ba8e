//! `customers(query:)` and `customersCount`: the search string, its
//! combinations with the filter, accents and case, phones in both forms,
//! `%` wildcards, errors with positions, counts, and how soon a change is
//! found (the index is written from the stream).

use super::*;
use crate::support::search::searchable;
use crate::support::top_error;

const SEARCH: &str = "query($q: String, $f: CustomerFilter, $r: Boolean, $first: Int, $after: String) { customers(query: $q, filter: $f, reverse: $r, first: $first, after: $after) { edges { node { id firstName } } pageInfo { hasNextPage endCursor } } }";
const COUNT: &str =
    "query($q: String, $f: CustomerFilter) { customersCount(query: $q, filter: $f) { count precision } }";

/// The shop's customers: names from several scripts, emails, phones
/// national and international, refs, tags, statuses and countries.
fn people() -> Vec<(&'static str, Value)> {
    vec![
        (
            "anna",
            json!({ "firstName": "Anna", "lastName": "Müller", "email": "anna.mueller@example.com", "phoneNumber": "+49 30 901820", "tags": ["vip", "wholesale"], "ref": "ORD-1001", "countryCode": "DE", "username": "annam", "loyaltyId": "LD-100" }),
        ),
        (
            "maria",
            json!({ "firstName": "Ánna Maria", "lastName": "Schmidt", "email": "maria.schmidt+shop@mail.de", "phoneNumber": "+49 170 1234567", "tags": ["gold"], "ref": "WEB-2002", "countryCode": "DE", "status": "INACTIVE" }),
        ),
        (
            "jean",
            json!({ "firstName": "Jean-Luc", "lastName": "O'Brien", "email": "jl.obrien@example.fr", "phoneNumber": "+33 1 23 45 67 89", "tags": ["VIP"], "ref": "FR-3003", "countryCode": "FR" }),
        ),
        (
            "taro",
            json!({ "firstName": "太郎", "lastName": "山田", "email": "taro@example.jp", "phoneNumber": "+81 3-1234-5678", "countryCode": "JP" }),
        ),
        (
            "zoe",
            json!({ "firstName": "Zoë", "lastName": "Muller", "email": "zoe.muller@example.com", "ref": "ORD-1002", "username": "zoe" }),
        ),
        (
            "dmitri",
            json!({ "firstName": "Дмитрий", "lastName": "Иванов", "email": "dmitri@example.ru", "countryCode": "DE" }),
        ),
    ]
}

struct Shop {
    b: Backoffice,
    /// Each person's id, by the short name the cases use.
    ids: Vec<(&'static str, String)>,
}

impl Shop {
    fn names_of(&self, ids: &[String]) -> Vec<&'static str> {
        ids.iter().map(|id| self.ids.iter().find(|(_, i)| i == id).map_or("?", |(n, _)| *n)).collect()
    }

    /// Every page of a search, `first` at a time: the names in order.
    async fn find(&self, query: &str, filter: Value, reverse: bool, first: i64) -> Result<Vec<&'static str>, Value> {
        let mut ids = vec![];
        let mut after: Option<String> = None;
        for _ in 0..50 {
            let v = json!({ "q": query, "f": filter, "r": reverse, "first": first, "after": after });
            let resp = self.b.call(SEARCH, v).await;
            if !resp["errors"].is_null() {
                return Err(resp);
            }
            let conn = &resp["data"]["customers"];
            ids.extend(
                conn["edges"].as_array().expect("edges").iter().map(|e| e["node"]["id"].as_str().unwrap().to_string()),
            );
            if conn["pageInfo"]["hasNextPage"] != true {
                return Ok(self.names_of(&ids));
            }
            after = conn["pageInfo"]["endCursor"].as_str().map(String::from);
        }
        panic!("{query}: no last page");
    }
}

async fn shop() -> Shop {
    let b = backoffice().await;
    let mut ids = vec![];
    for (name, input) in people() {
        let made = b.create(input).await;
        let id = made["customer"]["id"].as_str().unwrap_or_else(|| panic!("{name}: {made}")).to_string();
        ids.push((name, id));
    }
    searchable(&b.svc).await;
    Shop { b, ids }
}

#[tokio::test]
#[ignore = "heavy: ./scripts/test.sh runs it alone, after the others"]
async fn the_query_language_finds_what_each_form_says_in_creation_order() {
    let s = shop().await;
    let created = s.b.svc.clock.now().date_naive();
    let cases: Vec<(String, Value, Vec<&str>)> = vec![
        // Words and prefixes, case and accents aside.
        ("anna".into(), json!(null), vec!["anna", "maria"]),
        ("ANNA".into(), json!(null), vec!["anna", "maria"]),
        ("müller".into(), json!(null), vec!["anna", "zoe"]),
        ("Muller".into(), json!(null), vec!["anna", "zoe"]),
        ("mül*".into(), json!(null), vec!["anna", "zoe"]),
        ("zoe".into(), json!(null), vec!["zoe"]),
        ("ann".into(), json!(null), vec!["anna", "maria"]),
        ("nobody".into(), json!(null), vec![]),
        // Names of other scripts, and the parts of a compound name.
        ("山田".into(), json!(null), vec!["taro"]),
        ("太郎".into(), json!(null), vec!["taro"]),
        ("иван*".into(), json!(null), vec!["dmitri"]),
        ("ИВАНОВ".into(), json!(null), vec!["dmitri"]),
        ("o'brien".into(), json!(null), vec!["jean"]),
        ("brien".into(), json!(null), vec!["jean"]),
        ("luc".into(), json!(null), vec!["jean"]),
        // Phrases.
        ("\"anna maria\"".into(), json!(null), vec!["maria"]),
        ("\"maria anna\"".into(), json!(null), vec![]),
        ("name:\"ánna maria schmidt\"".into(), json!(null), vec!["maria"]),
        ("tag:\"vip wholesale\"".into(), json!(null), vec![]),
        ("\"com example\"".into(), json!(null), vec![]),
        // Emails: the whole, the local part's words, the domain.
        ("email:anna.mueller@example.com".into(), json!(null), vec!["anna"]),
        ("ANNA.MUELLER@EXAMPLE.COM".into(), json!(null), vec!["anna"]),
        ("example.com".into(), json!(null), vec!["anna", "zoe"]),
        ("example".into(), json!(null), vec!["anna", "jean", "taro", "zoe", "dmitri"]),
        ("email:maria".into(), json!(null), vec!["maria"]),
        ("shop".into(), json!(null), vec!["maria"]),
        ("email:example".into(), json!(null), vec!["anna", "jean", "taro", "zoe", "dmitri"]),
        ("name:example".into(), json!(null), vec![]),
        // Phones, international and national.
        ("phone:+4930901820".into(), json!(null), vec!["anna"]),
        ("+49".into(), json!(null), vec!["anna", "maria"]),
        ("030901820".into(), json!(null), vec!["anna"]),
        ("0309*".into(), json!(null), vec!["anna"]),
        ("phone:01701234567".into(), json!(null), vec!["maria"]),
        ("331234*".into(), json!(null), vec!["jean"]),
        // The back office's identifiers.
        ("ref:ORD-1001".into(), json!(null), vec!["anna"]),
        ("ord*".into(), json!(null), vec!["anna", "zoe"]),
        ("ORD-100*".into(), json!(null), vec!["anna", "zoe"]),
        ("username:zoe".into(), json!(null), vec!["zoe"]),
        ("loyaltyId:ld-100".into(), json!(null), vec!["anna"]),
        ("ld*".into(), json!(null), vec!["anna"]),
        // Tags, status, country, creation.
        ("tag:vip".into(), json!(null), vec!["anna", "jean"]),
        ("vip".into(), json!(null), vec!["anna", "jean"]),
        ("tag:whole*".into(), json!(null), vec!["anna"]),
        ("tag:wholesal".into(), json!(null), vec![]),
        ("tag:vip OR tag:gold".into(), json!(null), vec!["anna", "maria", "jean"]),
        ("tag:vip -country:FR".into(), json!(null), vec!["anna"]),
        ("status:inactive".into(), json!(null), vec!["maria"]),
        ("anna status:active".into(), json!(null), vec!["anna"]),
        ("country:jp".into(), json!(null), vec!["taro"]),
        ("country:DE -tag:vip".into(), json!(null), vec!["maria", "dmitri"]),
        (format!("example created:>={created}"), json!(null), vec!["anna", "jean", "taro", "zoe", "dmitri"]),
        (format!("example created:{created}"), json!(null), vec!["anna", "jean", "taro", "zoe", "dmitri"]),
        (format!("example created:>{created}"), json!(null), vec![]),
        ("created:<2000-01-01 OR zoe".into(), json!(null), vec!["zoe"]),
        (
            format!("created:<={}", created.succ_opt().unwrap()),
            json!(null),
            vec!["anna", "maria", "jean", "taro", "zoe", "dmitri"],
        ),
        // OR and exclusion.
        ("zoe OR taro".into(), json!(null), vec!["taro", "zoe"]),
        ("anna -maria".into(), json!(null), vec!["anna"]),
        ("example -example.com -vip".into(), json!(null), vec!["taro", "dmitri"]),
        // A one-letter word: nothing in the index narrows it, it still answers.
        ("z".into(), json!(null), vec!["zoe"]),
        // The filter, alone and with a query.
        ("".into(), json!({ "emailContains": "MUELLER@EXAMPLE" }), vec!["anna"]),
        ("".into(), json!({ "nameContains": "müll" }), vec!["anna", "zoe"]),
        ("".into(), json!({ "nameContains": "ANNA M" }), vec!["anna", "maria"]),
        ("".into(), json!({ "phoneContains": "1820" }), vec!["anna"]),
        ("".into(), json!({ "phoneContains": "030 901" }), vec!["anna"]),
        ("".into(), json!({ "phoneContains": "45 67" }), vec!["maria", "jean", "taro"]),
        ("".into(), json!({ "ref": "%100%" }), vec!["anna", "zoe"]),
        ("".into(), json!({ "ref": "%-1001" }), vec!["anna"]),
        ("".into(), json!({ "ref": "ORD%2" }), vec!["zoe"]),
        ("".into(), json!({ "ref": "w%B-2%" }), vec!["maria"]),
        ("".into(), json!({ "ref": "%R-%" }), vec!["jean"]),
        ("".into(), json!({ "ref": "%D-1%" }), vec!["anna", "zoe"]),
        ("".into(), json!({ "emailContains": "e" }), vec!["anna", "maria", "jean", "taro", "zoe", "dmitri"]),
        ("tag:vip".into(), json!({ "nameContains": "brie" }), vec!["jean"]),
        ("example".into(), json!({ "status": "ACTIVE", "emailContains": ".com" }), vec!["anna", "zoe"]),
        ("anna".into(), json!({ "email": "ANNA.mueller@example.com" }), vec!["anna"]),
        ("zoe".into(), json!({ "email": "anna.mueller@example.com" }), vec![]),
    ];
    for (query, filter, expected) in &cases {
        for first in [1, 2, 50] {
            let found = s.find(query, filter.clone(), false, first).await.unwrap_or_else(|e| panic!("{query}: {e}"));
            assert_eq!(&found, expected, "{query} {filter} first={first}");
        }
        let mut newest_first = expected.clone();
        newest_first.reverse();
        let found = s.find(query, filter.clone(), true, 2).await.unwrap_or_else(|e| panic!("{query}: {e}"));
        assert_eq!(found, newest_first, "{query} {filter} reverse");
        let counted = s.b.call(COUNT, json!({ "q": query, "f": filter })).await;
        let count = &counted["data"]["customersCount"];
        assert_eq!(count["count"], expected.len(), "{query} {filter}: {counted}");
        assert_eq!(count["precision"], "EXACT", "{query} {filter}");
    }
}

#[tokio::test]
async fn a_query_that_cannot_be_read_is_invalid_at_its_position() {
    let b = backoffice().await;
    let cases: Vec<(&str, &str, &str)> = vec![
        ("\"anna", "INVALID", "position 1"),
        ("anna email:", "INVALID", "position 12"),
        ("nickname:bob", "INVALID", "position 1"),
        ("*", "INVALID", "position 1"),
        ("a*", "INVALID", "position 1"),
        ("anna OR", "INVALID", "position 6"),
        ("-anna", "INVALID", "position 1"),
        ("created:2026", "INVALID", "position 9"),
        ("status:gone", "INVALID", "position 8"),
        ("country:Germany", "INVALID", "position 9"),
    ];
    for (query, code, at) in cases {
        let resp = b.call(SEARCH, json!({ "q": query })).await;
        assert_eq!(top_error(&resp).as_deref(), Some(code), "{query}: {resp}");
        let message = resp["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains(at), "{query}: {message}");
        let counted = b.call(COUNT, json!({ "q": query })).await;
        assert_eq!(top_error(&counted).as_deref(), Some(code), "{query}: {counted}");
    }
    // Bounded: at most 12 terms.
    let many = (0..13).map(|i| format!("w{i}x")).collect::<Vec<_>>().join(" ");
    let resp = b.call(SEARCH, json!({ "q": many })).await;
    assert_eq!(top_error(&resp).as_deref(), Some("LIMIT_EXCEEDED"), "{resp}");
    let thousand = (0..1000).map(|_| "ab").collect::<Vec<_>>().join(" ");
    let resp = b.call(SEARCH, json!({ "q": thousand })).await;
    assert_eq!(top_error(&resp).as_deref(), Some("LIMIT_EXCEEDED"), "{resp}");
}

#[tokio::test]
#[ignore = "heavy: ./scripts/test.sh runs it alone, after the others"]
async fn a_change_is_found_within_seconds_and_an_erased_customer_never_again() {
    let s = shop().await;
    let anna = s.ids[0].1.clone();
    let update = "mutation($id: ID!, $input: AdminUpdateCustomerInput!) { updateCustomer(identifier: { customerId: $id }, input: $input) { customer { id } userErrors { code field } } }";

    // A new name: found by it, and no longer by the old one.
    let changed =
        s.b.call(update, json!({ "id": anna, "input": { "firstName": "Berta", "tags": ["platinum"] } })).await;
    assert!(changed["data"]["updateCustomer"]["userErrors"] == json!([]), "{changed}");
    searchable(&s.b.svc).await;
    assert_eq!(s.find("berta", json!(null), false, 10).await.unwrap(), ["anna"]);
    assert_eq!(
        s.find("name:anna", json!(null), false, 10).await.unwrap(),
        ["maria"],
        "the old name no longer finds her"
    );
    assert_eq!(s.find("tag:platinum", json!(null), false, 10).await.unwrap(), ["anna"]);
    assert_eq!(s.find("tag:vip", json!(null), false, 10).await.unwrap(), ["jean"]);
    let counted = s.b.call(COUNT, json!({ "q": "tag:vip" })).await;
    assert_eq!(counted["data"]["customersCount"], json!({ "count": 1, "precision": "EXACT" }), "{counted}");

    // A new email: the new address finds her, the old one does not.
    let moved = s.b.call(update, json!({ "id": anna, "input": { "email": "berta.neu@example.org" } })).await;
    assert!(moved["data"]["updateCustomer"]["userErrors"] == json!([]), "{moved}");
    searchable(&s.b.svc).await;
    assert_eq!(s.find("example.org", json!(null), false, 10).await.unwrap(), ["anna"]);
    assert_eq!(s.find("mueller", json!(null), false, 10).await.unwrap(), Vec::<&str>::new());
    assert_eq!(s.find("anna.mu*", json!(null), false, 10).await.unwrap(), Vec::<&str>::new());
    assert_eq!(s.find("", json!({ "emailContains": "mueller" }), false, 10).await.unwrap(), Vec::<&str>::new());

    // Erased: never found again, at once, and its entries leave the index.
    let erased = s.b.call("mutation($id: ID!) { deleteCustomer(id: $id) { deleted } }", json!({ "id": anna })).await;
    assert_eq!(erased["data"]["deleteCustomer"]["deleted"], true, "{erased}");
    for query in ["berta", "example.org", "tag:platinum", "ord*", "+49"] {
        let found = s.find(query, json!(null), false, 10).await.unwrap();
        assert!(!found.contains(&"anna"), "{query}: {found:?}");
    }
    crate::support::settle(&s.b.svc).await;
    let table = &s.b.svc.config.table_name;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    while crate::support::items_mentioning(table, &anna).await > 0 {
        assert!(tokio::time::Instant::now() < deadline, "index entries of the erased customer left after 30 s");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let counted = s.b.call(COUNT, json!({ "q": "ord*" })).await;
    assert_eq!(counted["data"]["customersCount"], json!({ "count": 1, "precision": "EXACT" }), "{counted}");
}

#[tokio::test]
#[ignore = "heavy: ./scripts/test.sh runs it alone, after the others"]
async fn searching_needs_customer_read_and_the_storefront_has_no_search() {
    let s = shop().await;
    let writer = mint(&s.b.svc, "default", &[Permission::CustomerEdit]).await;
    for q in [SEARCH, COUNT] {
        let resp = s.b.call_with(&writer, q, json!({ "q": "anna" })).await;
        assert_eq!(top_error(&resp).as_deref(), Some("FORBIDDEN"), "{resp}");
    }
    let reader = mint(&s.b.svc, "default", &[Permission::CustomerRead]).await;
    let resp = s.b.call_with(&reader, COUNT, json!({ "q": "tag:vip" })).await;
    assert_eq!(resp["data"]["customersCount"]["count"], 2, "{resp}");
    // Another tenant's key finds none of this tenant's customers.
    let other = mint(&s.b.svc, "other", &[Permission::CustomerRead]).await;
    let resp = s.b.call_with(&other, COUNT, json!({ "q": "example" })).await;
    assert_eq!(resp["data"]["customersCount"], json!({ "count": 0, "precision": "EXACT" }), "{resp}");
    // Nor with a cursor of this tenant's pages: a cursor is a position in
    // the caller's own tenant, nothing more.
    let page = s.b.call_with(&reader, SEARCH, json!({ "q": "example", "first": 1 })).await;
    let cursor = page["data"]["customers"]["pageInfo"]["endCursor"].as_str().expect("a cursor").to_string();
    let resp = s.b.call_with(&other, SEARCH, json!({ "q": "example", "first": 50, "after": cursor })).await;
    assert_eq!(resp["data"]["customers"]["edges"], json!([]), "{resp}");
    let storefront = account::app(s.b.svc.clone());
    for q in
        ["{ customers(query: \"anna\") { edges { node { id } } } }", "{ customersCount(query: \"anna\") { count } }"]
    {
        let resp = gql(&storefront, q, json!({}), &[]).await;
        assert!(resp["data"].is_null() && !resp["errors"].is_null(), "{q}: {resp}");
    }
}
