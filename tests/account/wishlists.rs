//! The customer's wishlists: named lists of the shop's item ids, one of them
//! the default; read back through `customer { wishlists }` (and the back
//! office's `customer(id:)`), exact under concurrent changes, and gone with
//! the account.

use super::*;
use crate::support::accounts::register;
use crate::support::{codes, items_mentioning, unique, with_role};
use futures::future::join_all;
use shared::domain::Permission;

macro_rules! list_fields {
    () => {
        "id name isDefault items { item addedAt } createdAt updatedAt"
    };
}

/// Every field of a `Wishlist`.
const LIST: &str = list_fields!();

/// Every field of a `WishlistPayload`, the customer's lists included.
const PAYLOAD: &str = concat!(
    "wishlist { ",
    list_fields!(),
    " } customer { id wishlists { ",
    list_fields!(),
    " } } userErrors { code field message }"
);

const DELETE_ACCOUNT: &str = "mutation($p: String!) { deleteAccount(password: $p) { deleted userErrors { code } } }";

const ADMIN_LISTS: &str = "query($id: ID!) { customer(id: $id) { id wishlists { name isDefault items { item } } } }";

/// The whole response to the wishlist mutation `op(args)` declaring `params`.
async fn send(shop: &Shop, access: &str, op: &str, params: &str, args: &str, vars: Value) -> Value {
    let q = format!("mutation({params}) {{ {op}({args}) {{ {PAYLOAD} }} }}");
    shop.call(access, &q, vars).await
}

/// The payload of `op`, which must come without a top-level error.
fn payload(resp: &Value, op: &str) -> Value {
    assert!(resp["errors"].is_null(), "{op}: {resp}");
    resp["data"][op].clone()
}

async fn create(shop: &Shop, c: &Customer, name: &str, make_default: Option<bool>) -> Value {
    let vars = json!({ "name": name, "d": make_default });
    let resp =
        send(shop, &c.access, "createWishlist", "$name: String!, $d: Boolean", "name: $name, makeDefault: $d", vars)
            .await;
    payload(&resp, "createWishlist")
}

async fn rename(shop: &Shop, c: &Customer, id: &Value, name: &str) -> Value {
    let vars = json!({ "id": id, "name": name });
    let resp = send(shop, &c.access, "renameWishlist", "$id: ID!, $name: String!", "id: $id, name: $name", vars).await;
    payload(&resp, "renameWishlist")
}

/// `setDefaultWishlist` or `deleteWishlist` of the list `id`.
async fn by_id(shop: &Shop, c: &Customer, op: &str, id: &Value) -> Value {
    payload(&send(shop, &c.access, op, "$id: ID!", "id: $id", json!({ "id": id })).await, op)
}

/// `addToWishlist` or `removeFromWishlist` of `item`, to the list `list` or (none) the default.
async fn item_op(shop: &Shop, c: &Customer, op: &str, item: &str, list: Option<&Value>) -> Value {
    let vars = json!({ "item": item, "w": list });
    payload(&send(shop, &c.access, op, "$item: String!, $w: ID", "item: $item, wishlistId: $w", vars).await, op)
}

async fn add(shop: &Shop, c: &Customer, item: &str, list: Option<&Value>) -> Value {
    item_op(shop, c, "addToWishlist", item, list).await
}

async fn remove(shop: &Shop, c: &Customer, item: &str, list: Option<&Value>) -> Value {
    item_op(shop, c, "removeFromWishlist", item, list).await
}

/// The customer's lists as it reads them back, oldest first.
async fn wishlists(shop: &Shop, c: &Customer) -> Vec<Value> {
    wishlists_with(shop, &c.access).await
}

async fn wishlists_with(shop: &Shop, access: &str) -> Vec<Value> {
    let resp = shop.call(access, &format!("{{ customer {{ wishlists {{ {LIST} }} }} }}"), json!({})).await;
    assert!(resp["errors"].is_null(), "{resp}");
    resp["data"]["customer"]["wishlists"].as_array().unwrap_or_else(|| panic!("{resp}")).clone()
}

/// The lists' names in order, the default one marked with a trailing `*`.
fn shape(lists: &[Value]) -> Vec<String> {
    lists
        .iter()
        .map(|l| {
            let name = l["name"].as_str().unwrap_or_else(|| panic!("{l}"));
            if l["isDefault"] == true {
                format!("{name}*")
            } else {
                name.to_string()
            }
        })
        .collect()
}

/// A list's items, in order.
fn items(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{list}"))
        .iter()
        .map(|i| i["item"].as_str().unwrap().to_string())
        .collect()
}

fn defaults(lists: &[Value]) -> usize {
    lists.iter().filter(|l| l["isDefault"] == true).count()
}

/// A payload of success.
fn ok(p: &Value) {
    assert_eq!(p["userErrors"], json!([]), "{p}");
}

/// A payload refused with the one error `code` at `field` (null: the operation as a whole).
fn refused(p: &Value, code: &str, field: Value) {
    assert_eq!(codes(p), [code], "{p}");
    assert_eq!(p["userErrors"][0]["field"], field, "{p}");
    assert!(p["wishlist"].is_null(), "no list on error: {p}");
}

/// Adds `SKU-<i>` for every `i` in `range` to `list`, 9 (aliased) mutations a request.
async fn fill(shop: &Shop, c: &Customer, list: &Value, range: std::ops::Range<usize>) {
    fill_with(shop, c, list, range, |i| format!("SKU-{i}")).await
}

/// Adds the items `name(i)` for `i` in `range` to `list`, 9 to a request (as many as the complexity budget takes).
async fn fill_with(shop: &Shop, c: &Customer, list: &Value, range: std::ops::Range<usize>, name: fn(usize) -> String) {
    let all: Vec<usize> = range.collect();
    for chunk in all.chunks(9) {
        let fields: String = chunk
            .iter()
            .map(|i| {
                format!("a{i}: addToWishlist(item: \"{}\", wishlistId: $w) {{ userErrors {{ code }} }} ", name(*i))
            })
            .collect();
        let resp = shop.call(&c.access, &format!("mutation($w: ID) {{ {fields}}}"), json!({ "w": list })).await;
        assert!(resp["errors"].is_null(), "{resp}");
        for i in chunk {
            assert_eq!(resp["data"][format!("a{i}")]["userErrors"], json!([]), "{}: {resp}", name(*i));
        }
    }
}

/// The customer `id`'s lists as the back office reads them with `key`.
async fn admin_lists(admin: &crate::admin::AdminApp, key: &str, id: &str) -> Value {
    gql(admin, ADMIN_LISTS, json!({ "id": id }), &[bearer(key)]).await
}

#[tokio::test]
async fn lists_are_made_renamed_made_the_default_and_deleted() {
    let shop = shop(&[]).await;
    let c = shop.customer("wishlists").await;
    assert_eq!(wishlists(&shop, &c).await, Vec::<Value>::new(), "a new customer has no list");

    let first = create(&shop, &c, "Birthday", None).await;
    ok(&first);
    let w = &first["wishlist"];
    assert_eq!((&w["name"], &w["isDefault"], &w["items"]), (&json!("Birthday"), &json!(true), &json!([])), "{first}");
    assert_eq!(
        shape(first["customer"]["wishlists"].as_array().unwrap()),
        ["Birthday*"],
        "the first list is the default"
    );
    let birthday = w["id"].clone();

    let second = create(&shop, &c, "Summer", None).await;
    ok(&second);
    assert_eq!(second["wishlist"]["isDefault"], false, "{second}");
    let summer = second["wishlist"]["id"].clone();
    let third = create(&shop, &c, "Gifts", Some(true)).await;
    ok(&third);
    assert_eq!(third["wishlist"]["isDefault"], true, "makeDefault: {third}");
    let gifts = third["wishlist"]["id"].clone();
    assert_ne!(birthday, summer);
    assert_ne!(summer, gifts);

    let lists = wishlists(&shop, &c).await;
    assert_eq!(shape(&lists), ["Birthday", "Summer", "Gifts*"], "oldest first, one default");
    let ids: Vec<&Value> = lists.iter().map(|l| &l["id"]).collect();
    assert_eq!(ids, [&birthday, &summer, &gifts]);

    let renamed = rename(&shop, &c, &summer, "Summer 2026").await;
    ok(&renamed);
    assert_eq!(
        (&renamed["wishlist"]["id"], &renamed["wishlist"]["name"]),
        (&summer, &json!("Summer 2026")),
        "{renamed}"
    );
    assert_eq!(shape(&wishlists(&shop, &c).await), ["Birthday", "Summer 2026", "Gifts*"]);

    let set = by_id(&shop, &c, "setDefaultWishlist", &summer).await;
    ok(&set);
    assert_eq!(set["wishlist"]["isDefault"], true, "{set}");
    assert_eq!(shape(&wishlists(&shop, &c).await), ["Birthday", "Summer 2026*", "Gifts"]);

    // Deleting the default answers the list as it was and makes the oldest remaining list the default.
    ok(&add(&shop, &c, "SKU-S", None).await);
    let deleted = by_id(&shop, &c, "deleteWishlist", &summer).await;
    ok(&deleted);
    let gone = &deleted["wishlist"];
    assert_eq!((&gone["id"], &gone["name"]), (&summer, &json!("Summer 2026")), "{deleted}");
    assert_eq!(items(gone), ["SKU-S"], "with its items: {deleted}");
    assert_eq!(shape(deleted["customer"]["wishlists"].as_array().unwrap()), ["Birthday*", "Gifts"], "{deleted}");
    assert_eq!(shape(&wishlists(&shop, &c).await), ["Birthday*", "Gifts"]);

    // Deleting another list leaves the default where it is.
    ok(&by_id(&shop, &c, "deleteWishlist", &gifts).await);
    assert_eq!(shape(&wishlists(&shop, &c).await), ["Birthday*"]);
    ok(&by_id(&shop, &c, "deleteWishlist", &birthday).await);
    assert_eq!(wishlists(&shop, &c).await, Vec::<Value>::new(), "none left");
    refused(&by_id(&shop, &c, "setDefaultWishlist", &birthday).await, "NOT_FOUND", json!(["id"]));
}

#[tokio::test]
async fn items_go_to_the_default_list_or_the_one_named() {
    let shop = shop(&[]).await;
    let c = shop.customer("wishlist-items").await;

    // No list yet: adding makes the default list, named "Wishlist".
    let first = add(&shop, &c, "SKU-1", None).await;
    ok(&first);
    let w = &first["wishlist"];
    assert_eq!((&w["name"], &w["isDefault"]), (&json!("Wishlist"), &json!(true)), "{first}");
    assert_eq!(items(w), ["SKU-1"]);
    let main = w["id"].clone();
    let added_at = w["items"][0]["addedAt"].clone();
    assert!(added_at.is_string(), "{first}");

    // Adding it again keeps the one entry and its first addedAt.
    let again = add(&shop, &c, "SKU-1", None).await;
    ok(&again);
    assert_eq!(again["wishlist"]["id"], main);
    let lists = wishlists(&shop, &c).await;
    assert_eq!(shape(&lists), ["Wishlist*"], "no second list");
    assert_eq!(items(&lists[0]), ["SKU-1"], "one entry");
    assert_eq!(lists[0]["items"][0]["addedAt"], added_at, "its first addedAt");

    let later = create(&shop, &c, "Later", None).await["wishlist"]["id"].clone();
    let to_later = add(&shop, &c, "SKU-2", Some(&later)).await;
    ok(&to_later);
    assert_eq!((&to_later["wishlist"]["id"], items(&to_later["wishlist"])), (&later, vec!["SKU-2".to_string()]));
    ok(&add(&shop, &c, "SKU-3", None).await);
    let lists = wishlists(&shop, &c).await;
    assert_eq!(shape(&lists), ["Wishlist*", "Later"]);
    assert_eq!(
        (items(&lists[0]), items(&lists[1])),
        (vec!["SKU-1".to_string(), "SKU-3".into()], vec!["SKU-2".to_string()])
    );

    // Removing an item the list does not hold changes nothing, not even updatedAt;
    // without wishlistId only the default list is meant.
    let before = wishlists(&shop, &c).await;
    for item in ["SKU-404", "SKU-2"] {
        let p = remove(&shop, &c, item, None).await;
        ok(&p);
        assert_eq!(p["wishlist"]["id"], main, "{p}");
    }
    assert_eq!(wishlists(&shop, &c).await, before, "nothing changed");

    ok(&remove(&shop, &c, "SKU-1", None).await);
    let p = remove(&shop, &c, "SKU-2", Some(&later)).await;
    ok(&p);
    assert_eq!(p["wishlist"]["items"], json!([]), "{p}");
    let lists = wishlists(&shop, &c).await;
    assert_eq!((items(&lists[0]), items(&lists[1])), (vec!["SKU-3".to_string()], vec![]));

    // After setDefaultWishlist, changes without wishlistId go to the new default.
    ok(&by_id(&shop, &c, "setDefaultWishlist", &later).await);
    ok(&add(&shop, &c, "SKU-4", None).await);
    let lists = wishlists(&shop, &c).await;
    assert_eq!(shape(&lists), ["Wishlist", "Later*"]);
    assert_eq!((items(&lists[0]), items(&lists[1])), (vec!["SKU-3".to_string()], vec!["SKU-4".to_string()]));

    // Removing with no list at all: success, no list, and none made.
    let d = shop.customer("wishlist-none").await;
    let p = remove(&shop, &d, "SKU-1", None).await;
    ok(&p);
    assert!(p["wishlist"].is_null(), "{p}");
    assert_eq!(wishlists(&shop, &d).await, Vec::<Value>::new());
}

#[tokio::test]
async fn bad_names_bad_items_and_unknown_ids_are_refused() {
    let shop = shop(&[]).await;
    let c = shop.customer("wishlist-refusals").await;

    refused(&add(&shop, &c, "SKU#1", None).await, "INVALID", json!(["item"]));
    assert_eq!(wishlists(&shop, &c).await, Vec::<Value>::new(), "a refused add makes no list");
    for blank in ["", "   "] {
        refused(&create(&shop, &c, blank, None).await, "REQUIRED", json!(["name"]));
    }
    refused(&create(&shop, &c, &"n".repeat(101), None).await, "TOO_LONG", json!(["name"]));
    assert_eq!(wishlists(&shop, &c).await, Vec::<Value>::new(), "refused creates make no list");

    let longest = "n".repeat(100);
    let made = create(&shop, &c, &longest, None).await;
    ok(&made);
    let id = made["wishlist"]["id"].clone();
    refused(&rename(&shop, &c, &id, " ").await, "REQUIRED", json!(["name"]));
    refused(&rename(&shop, &c, &id, &"m".repeat(101)).await, "TOO_LONG", json!(["name"]));
    refused(&add(&shop, &c, "SKU#2", Some(&id)).await, "INVALID", json!(["item"]));

    let unknown = json!("01J0NOTAWISHLIST00000000000");
    refused(&rename(&shop, &c, &unknown, "Other").await, "NOT_FOUND", json!(["id"]));
    for op in ["setDefaultWishlist", "deleteWishlist"] {
        refused(&by_id(&shop, &c, op, &unknown).await, "NOT_FOUND", json!(["id"]));
    }
    refused(&add(&shop, &c, "SKU-1", Some(&unknown)).await, "NOT_FOUND", json!(["wishlistId"]));
    refused(&remove(&shop, &c, "SKU-1", Some(&unknown)).await, "NOT_FOUND", json!(["wishlistId"]));

    let lists = wishlists(&shop, &c).await;
    assert_eq!(shape(&lists), [format!("{longest}*")], "the one list, named as made");
    assert_eq!(lists[0]["items"], json!([]), "nothing added");
    assert_eq!(lists[0]["updatedAt"], made["wishlist"]["updatedAt"], "nothing changed");
}

#[tokio::test]
async fn at_most_20_lists_and_500_items_a_list() {
    let shop = shop(&[]).await;
    let c = shop.customer("wishlist-limits").await;
    for i in 0..20 {
        ok(&create(&shop, &c, &format!("List {i}"), None).await);
    }
    refused(&create(&shop, &c, "List 20", Some(true)).await, "LIMIT_EXCEEDED", Value::Null);
    let lists = wishlists(&shop, &c).await;
    let expected: Vec<String> =
        (0..20).map(|i| if i == 0 { "List 0*".to_string() } else { format!("List {i}") }).collect();
    assert_eq!(shape(&lists), expected, "20 lists, the refused one not among them");

    let (first, second) = (lists[0]["id"].clone(), lists[1]["id"].clone());
    fill(&shop, &c, &first, 0..500).await;
    let held = items(&wishlists(&shop, &c).await[0]);
    assert_eq!(held.len(), 500);
    assert_eq!((held[0].as_str(), held[499].as_str()), ("SKU-0", "SKU-499"), "in the order added");

    refused(&add(&shop, &c, "SKU-500", Some(&first)).await, "LIMIT_EXCEEDED", json!(["item"]));
    refused(&add(&shop, &c, "SKU-500", None).await, "LIMIT_EXCEEDED", json!(["item"]));
    // An item the full list holds already is still just one entry.
    ok(&add(&shop, &c, "SKU-7", Some(&first)).await);
    // The limit is per list.
    ok(&add(&shop, &c, "SKU-500", Some(&second)).await);

    let lists = wishlists(&shop, &c).await;
    assert_eq!(lists.len(), 20);
    assert_eq!(items(&lists[0]), held, "the full list is unchanged");
    assert_eq!(items(&lists[1]), ["SKU-500"]);
}

/// An item of exactly 200 bytes: 4-byte characters, the most a byte allows
/// per character.
fn widest(i: usize) -> String {
    format!("{i:03}-{}", "\u{1D11E}".repeat(49))
}

#[tokio::test]
async fn the_largest_list_the_limits_allow_is_kept_and_a_longer_item_is_refused() {
    // 500 items of 200 bytes: one list is one DynamoDB item, which must
    // stay under 400 KB (and 20 such lists under Lambda's 6 MB answer).
    let shop = shop(&[]).await;
    let c = shop.customer("wishlist-widest").await;
    let list = create(&shop, &c, "Wide", None).await["wishlist"]["id"].clone();
    assert_eq!(widest(7).len(), 200);
    fill_with(&shop, &c, &list, 0..500, widest).await;
    let held = items(&wishlists(&shop, &c).await[0]);
    assert_eq!(held.len(), 500);
    assert_eq!(held[499], widest(499));
    let longer = format!("{}x", widest(1));
    let other = create(&shop, &c, "Other", None).await["wishlist"]["id"].clone();
    refused(&add(&shop, &c, &longer, Some(&other)).await, "TOO_LONG", json!(["item"]));
}

#[tokio::test]
async fn another_customers_list_is_not_found() {
    let shop = shop(&[]).await;
    let a = shop.customer("wishlist-owner").await;
    let b = shop.customer("wishlist-intruder").await;
    let made = create(&shop, &a, "Private", None).await;
    let theirs = made["wishlist"]["id"].clone();
    ok(&add(&shop, &a, "SKU-A", Some(&theirs)).await);
    ok(&create(&shop, &a, "Second", None).await);
    let before = wishlists(&shop, &a).await;

    refused(&rename(&shop, &b, &theirs, "Mine now").await, "NOT_FOUND", json!(["id"]));
    refused(&by_id(&shop, &b, "setDefaultWishlist", &theirs).await, "NOT_FOUND", json!(["id"]));
    refused(&by_id(&shop, &b, "deleteWishlist", &theirs).await, "NOT_FOUND", json!(["id"]));
    refused(&add(&shop, &b, "SKU-B", Some(&theirs)).await, "NOT_FOUND", json!(["wishlistId"]));
    refused(&remove(&shop, &b, "SKU-A", Some(&theirs)).await, "NOT_FOUND", json!(["wishlistId"]));

    assert_eq!(wishlists(&shop, &a).await, before, "the owner's lists are unchanged");
    assert_eq!(shape(&before), ["Private*", "Second"]);
    assert_eq!(items(&before[0]), ["SKU-A"]);
    assert_eq!(wishlists(&shop, &b).await, Vec::<Value>::new(), "the intruder got no list either");
}

#[tokio::test]
async fn deleting_the_account_erases_its_wishlists() {
    let shop = shop(&[]).await;
    let svc = shop.account.services().clone();
    let admin = ::admin::app(with_role(&svc, ::admin::TOKEN_ROLE));
    let key = crate::admin::mint(&svc, "default", &[Permission::CustomerRead]).await;

    let c = shop.customer("wishlist-erased").await;
    let sku = unique("SKU-ERASED");
    ok(&add(&shop, &c, &sku, None).await);
    ok(&create(&shop, &c, "Second", None).await);
    let seen = admin_lists(&admin, &key, &c.id).await;
    assert_eq!(
        seen["data"]["customer"]["wishlists"],
        json!([
            { "name": "Wishlist", "isDefault": true, "items": [{ "item": sku }] },
            { "name": "Second", "isDefault": false, "items": [] }
        ]),
        "the back office sees the lists: {seen}"
    );

    let done = shop.call(&c.access, DELETE_ACCOUNT, json!({ "p": PASSWORD })).await;
    assert_eq!(done["data"]["deleteAccount"]["deleted"], true, "{done}");
    let after = admin_lists(&admin, &key, &c.id).await;
    crate::support::settle(&svc).await;
    assert!(after["errors"].is_null(), "{after}");
    assert!(after["data"]["customer"].is_null(), "{after}");
    assert_eq!(items_mentioning(&svc.config.table_name, &sku).await, 0, "no list holding the item is left");

    // The same email registers again and starts with no list.
    let again = register(&shop.auth, &c.email, &[]).await;
    assert!(codes(&again).is_empty(), "{again}");
    let id = again["customer"]["id"].as_str().unwrap().to_string();
    assert_ne!(id, c.id);
    let access = again["session"]["accessToken"].as_str().unwrap().to_string();
    assert_eq!(wishlists_with(&shop, &access).await, Vec::<Value>::new());
    let seen = admin_lists(&admin, &key, &id).await;
    assert_eq!(seen["data"]["customer"]["wishlists"], json!([]), "{seen}");
}

#[tokio::test]
async fn concurrent_creates_stop_at_exactly_20_lists() {
    let shop = shop(&[]).await;
    let c = shop.customer("wishlist-race").await;
    let calls = (0..25).map(|i| {
        let (shop, access) = (&shop, c.access.clone());
        async move {
            let vars = json!({ "name": format!("Race {i}") });
            send(shop, &access, "createWishlist", "$name: String!", "name: $name", vars).await
        }
    });
    let results = join_all(calls).await;

    let mut made: Vec<String> = vec![];
    let mut limited = 0;
    for r in &results {
        let p = payload(r, "createWishlist");
        let codes = codes(&p);
        if codes.is_empty() {
            made.push(p["wishlist"]["name"].as_str().unwrap_or_else(|| panic!("{p}")).to_string());
        } else if codes == ["LIMIT_EXCEEDED"] {
            limited += 1;
        } else {
            panic!("neither made nor over the limit: {p}");
        }
    }
    assert_eq!((made.len(), limited), (20, 5), "{results:?}");

    let lists = wishlists(&shop, &c).await;
    assert_eq!(lists.len(), 20, "{lists:?}");
    assert_eq!(defaults(&lists), 1, "exactly one default: {lists:?}");
    let mut stored: Vec<String> = lists.iter().map(|l| l["name"].as_str().unwrap().to_string()).collect();
    stored.sort();
    made.sort();
    assert_eq!(stored, made, "the lists made are the lists stored");
}

#[tokio::test]
async fn concurrent_adds_without_a_list_fill_one_default_list() {
    let shop = shop(&[]).await;
    let c = shop.customer("wishlist-add-race").await;
    let mut wanted: Vec<String> = (0..10).map(|i| format!("SKU-R{i}")).collect();
    let results = join_all(wanted.iter().map(|item| add(&shop, &c, item, None))).await;

    let succeeded = results.iter().filter(|p| p["userErrors"] == json!([])).count();
    assert_eq!(succeeded, 10, "{results:?}");
    let lists = wishlists(&shop, &c).await;
    assert_eq!(shape(&lists), ["Wishlist*"], "one default list, no second one: {lists:?}");
    let answered: std::collections::HashSet<&Value> = results.iter().map(|p| &p["wishlist"]["id"]).collect();
    assert_eq!(answered.into_iter().collect::<Vec<_>>(), [&lists[0]["id"]], "every add answered that list");
    let mut held = items(&lists[0]);
    held.sort();
    wanted.sort();
    assert_eq!(held, wanted, "no add lost");
}

#[tokio::test]
async fn asking_for_every_list_again_and_again_in_one_query_is_refused() {
    // Each `wishlists` reads every list (up to 20 of 500 items): it counts
    // 100 towards the complexity budget of 500, so a query cannot alias it
    // into hundreds of full reads.
    let shop = shop(&[]).await;
    let c = shop.customer("wishlist-aliases").await;
    ok(&add(&shop, &c, "SKU-1", None).await);
    let aliased = |n: usize| {
        let fields: Vec<String> = (0..n).map(|i| format!("w{i}: wishlists {{ id }}")).collect();
        format!("{{ customer {{ {} }} }}", fields.join(" "))
    };
    let four = shop.call(&c.access, &aliased(4), json!({})).await;
    assert!(four["errors"].is_null(), "{four}");
    assert_eq!(four["data"]["customer"]["w3"][0]["id"], four["data"]["customer"]["w0"][0]["id"]);
    let five = shop.call(&c.access, &aliased(5), json!({})).await;
    assert!(five["data"].is_null(), "{five}");
    assert!(five["errors"][0]["message"].as_str().is_some_and(|m| m.contains("too complex")), "{five}");
}

#[tokio::test]
async fn one_request_holds_only_a_few_wishlist_changes() {
    // Each change reads every list and rewrites one: weighted 50 towards the
    // complexity budget of 500, so a request of hundreds of aliased adds
    // (each a full read and a transaction) is refused before anything runs.
    let shop = shop(&[]).await;
    let c = shop.customer("wishlist-aliased-adds").await;
    let adds = |n: usize| {
        let fields: Vec<String> =
            (0..n).map(|i| format!("a{i}: addToWishlist(item: \"SKU-{i}\") {{ userErrors {{ code }} }}")).collect();
        format!("mutation {{ {} }}", fields.join(" "))
    };
    let nine = shop.call(&c.access, &adds(9), json!({})).await;
    assert!(nine["errors"].is_null(), "{nine}");
    let many = shop.call(&c.access, &adds(40), json!({})).await;
    assert!(many["data"].is_null(), "{many}");
    assert!(many["errors"][0]["message"].as_str().is_some_and(|m| m.contains("too complex")), "{many}");
    let lists = wishlists(&shop, &c).await;
    assert_eq!(items(&lists[0]).len(), 9, "the refused request added nothing");
}

#[tokio::test]
async fn a_batch_shares_one_complexity_budget() {
    // Four aliased `wishlists` weigh about 400 of the 500: alone it runs,
    // but a second such operation in the same request is refused.
    let shop = shop(&[]).await;
    let c = shop.customer("wishlist-batch-budget").await;
    ok(&add(&shop, &c, "SKU-1", None).await);
    let fields: Vec<String> = (0..4).map(|i| format!("w{i}: wishlists {{ id }}")).collect();
    let one = json!({ "query": format!("{{ customer {{ {} }} }}", fields.join(" ")) });
    let small = json!({ "query": "{ customer { id } }" });
    let batch = serde_json::to_vec(&json!([one, one, small])).expect("JSON");
    let (status, resp) = crate::support::post(&shop.account, batch, &[crate::support::bearer(&c.access)]).await;
    assert_eq!(status, 200, "{resp}");
    assert!(resp[0]["errors"].is_null() && resp[0]["data"]["customer"]["w3"].is_array(), "{resp}");
    assert!(resp[1]["data"].is_null(), "{resp}");
    assert!(resp[1]["errors"][0]["message"].as_str().is_some_and(|m| m.contains("too complex")), "{resp}");
    // The refused one spent nothing: a small one after it still fits.
    assert!(resp[2]["errors"].is_null() && resp[2]["data"]["customer"]["id"].is_string(), "{resp}");
}
