use super::*;
use crate::support::codes;
use futures::future::join;

const UPDATE: &str = "mutation($input: UpdateCustomerInput!, $v: Int) { updateCustomer(input: $input, expectedVersion: $v) { customer { firstName lastName title phoneNumber cellPhoneNumber birthdate gender languageCode countryCode timezone consents { key granted updatedAt } attributes { key value } version } userErrors { code field message } } }";

async fn update(shop: &Shop, c: &Customer, input: Value, version: Option<i64>) -> Value {
    shop.call(&c.access, UPDATE, json!({ "input": input, "v": version })).await["data"]["updateCustomer"].clone()
}

async fn read(shop: &Shop, c: &Customer) -> Value {
    shop.call(&c.access, CUSTOMER, json!({})).await["data"]["customer"].clone()
}

#[tokio::test]
async fn the_customer_query_shows_every_field() {
    let shop = shop(&[]).await;
    let c = shop.customer("fields").await;
    let me = read(&shop, &c).await;
    for field in [
        "id",
        "tenantId",
        "customerNumber",
        "email",
        "emailVerified",
        "status",
        "deliveryAddresses",
        "consents",
        "attributes",
        "newsletter",
        "createdAt",
        "updatedAt",
        "version",
    ] {
        assert!(!me[field].is_null(), "{field} in {me}");
    }
    assert_eq!(me["tenantId"], "default");
    assert_eq!(me["newsletter"]["status"], "UNSUBSCRIBED");
    assert_eq!(me["deliveryAddresses"], json!([]));
    assert!(me["ref"].is_null() && me["billingAddress"].is_null());
}

#[tokio::test]
async fn absent_fields_stay_null_clears_and_every_change_bumps_the_version() {
    let shop = shop(&[]).await;
    let c = shop.customer("profile").await;
    let p = update(
        &shop,
        &c,
        json!({
            "title": "Dr.", "phoneNumber": "+49 30 1234567", "cellPhoneNumber": "+4915112345678",
            "birthdate": "1990-02-28", "gender": "OTHER", "languageCode": "de", "countryCode": "at",
            "timezone": "Europe/Vienna",
            "consents": [{ "key": "newsletter", "granted": true }],
            "attributes": [{ "key": "loyalty", "value": "gold" }],
        }),
        None,
    )
    .await;
    assert!(codes(&p).is_empty(), "{p}");
    let v1 = &p["customer"];
    assert_eq!(v1["firstName"], "Kim", "absent: unchanged");
    assert_eq!(v1["phoneNumber"], "+49301234567");
    assert_eq!(v1["birthdate"], "1990-02-28");
    assert_eq!(v1["countryCode"], "AT");
    assert_eq!(v1["timezone"], "Europe/Vienna");
    assert_eq!(v1["version"], 2);

    let p = update(&shop, &c, json!({ "firstName": null, "title": null, "attributes": null }), None).await;
    let v2 = &p["customer"];
    assert!(v2["firstName"].is_null() && v2["title"].is_null());
    assert_eq!(v2["attributes"], json!([]));
    assert_eq!(v2["lastName"], "Novak");
    assert_eq!(v2["consents"], v1["consents"], "unchanged consents keep their timestamp");
    assert_eq!(v2["version"], 3);

    // Nothing to change: nothing written, the version stays.
    let p = update(&shop, &c, json!({ "lastName": "Novak" }), None).await;
    assert_eq!(p["customer"]["version"], 3);
    assert_eq!(read(&shop, &c).await["version"], 3);
}

#[tokio::test]
async fn bad_values_are_refused_with_paths_and_change_nothing() {
    let shop = shop(&[]).await;
    let c = shop.customer("bad-update").await;
    let p = update(
        &shop,
        &c,
        json!({ "firstName": "Changed", "timezone": "Mars/Base", "birthdate": "2999-01-01", "phoneNumber": "12", "countryCode": "XX" }),
        None,
    )
    .await;
    let fields: Vec<Value> = p["userErrors"].as_array().unwrap().iter().map(|e| e["field"].clone()).collect();
    for f in ["phoneNumber", "birthdate", "countryCode", "timezone"] {
        assert!(fields.contains(&json!(["input", f])), "{f}: {p}");
    }
    assert!(p["customer"].is_null());
    let me = read(&shop, &c).await;
    assert_eq!(me["firstName"], "Kim");
    assert_eq!(me["version"], 1);
}

#[tokio::test]
async fn a_stale_expected_version_is_a_conflict_and_changes_nothing() {
    let shop = shop(&[]).await;
    let c = shop.customer("stale").await;
    assert_eq!(update(&shop, &c, json!({ "title": "Ms" }), Some(1)).await["customer"]["version"], 2);
    let p = update(&shop, &c, json!({ "title": "Mx" }), Some(1)).await;
    assert_eq!(codes(&p), ["VERSION_CONFLICT"]);
    assert_eq!(p["userErrors"][0]["field"], json!(["expectedVersion"]));
    let me = read(&shop, &c).await;
    assert_eq!((me["title"].as_str(), me["version"].as_i64()), (Some("Ms"), Some(2)));
}

#[tokio::test]
async fn concurrent_updates_never_lose_one_silently() {
    let shop = shop(&[]).await;
    let c = shop.customer("race").await;
    // Without expectedVersion: both land.
    let (a, b) = join(
        update(&shop, &c, json!({ "title": "Prof." }), None),
        update(&shop, &c, json!({ "timezone": "Asia/Tokyo" }), None),
    )
    .await;
    assert!(codes(&a).is_empty() && codes(&b).is_empty(), "{a} {b}");
    let me = read(&shop, &c).await;
    assert_eq!((me["title"].as_str(), me["timezone"].as_str()), (Some("Prof."), Some("Asia/Tokyo")));
    assert_eq!(me["version"], 3);

    // Both expecting version 3: exactly one wins, the other is told.
    let (a, b) =
        join(update(&shop, &c, json!({ "title": "A" }), Some(3)), update(&shop, &c, json!({ "title": "B" }), Some(3)))
            .await;
    let outcomes = [codes(&a), codes(&b)];
    assert_eq!(outcomes.iter().filter(|c| c.is_empty()).count(), 1, "{outcomes:?}");
    assert_eq!(outcomes.iter().filter(|c| *c == &["VERSION_CONFLICT"]).count(), 1, "{outcomes:?}");
    let winner = if codes(&a).is_empty() { "A" } else { "B" };
    let me = read(&shop, &c).await;
    assert_eq!((me["title"].as_str(), me["version"].as_i64()), (Some(winner), Some(4)));
}

#[tokio::test]
async fn a_timezone_may_be_a_fixed_offset_as_the_seed_systems_write_it() {
    let shop = shop(&[]).await;
    let c = shop.customer("offset").await;
    for (given, stored) in
        [("GMT+10", "+10:00"), ("UTC+05:30", "+05:30"), ("-3", "-03:00"), ("Asia/Tokyo", "Asia/Tokyo")]
    {
        let p = update(&shop, &c, json!({ "timezone": given }), None).await;
        assert!(codes(&p).is_empty(), "{given}: {p}");
        assert_eq!(p["customer"]["timezone"], stored, "{given}");
    }
    let p = update(&shop, &c, json!({ "timezone": "GMT+15" }), None).await;
    assert_eq!(
        (codes(&p), &p["userErrors"][0]["field"]),
        (vec!["INVALID".to_string()], &json!(["input", "timezone"])),
        "{p}"
    );
}

#[tokio::test]
async fn phone_numbers_are_read_in_the_shops_country_and_stored_in_e164() {
    let gb = shop(&[]).await;
    let c = gb.customer("phones").await;
    // The test shop's defaultCountryCode is GB: a national number is read there.
    let p =
        update(&gb, &c, json!({ "phoneNumber": "020 7946 0018", "cellPhoneNumber": "+49 (30) 901820" }), None).await;
    assert!(codes(&p).is_empty(), "{p}");
    assert_eq!(
        (&p["customer"]["phoneNumber"], &p["customer"]["cellPhoneNumber"]),
        (&json!("+442079460018"), &json!("+4930901820"))
    );
    // libphonenumber's rules: a number of no country, or too short, is refused at its path.
    let p = update(&gb, &c, json!({ "phoneNumber": "+1 555 0100", "cellPhoneNumber": "12" }), None).await;
    let fields: Vec<Value> = p["userErrors"].as_array().unwrap().iter().map(|e| e["field"].clone()).collect();
    assert_eq!(fields, [json!(["input", "phoneNumber"]), json!(["input", "cellPhoneNumber"])], "{p}");

    // A shop without a defaultCountryCode takes international numbers only.
    let mut tenants: Value = serde_json::from_str(&crate::support::tenants_json()).unwrap();
    tenants["*"].as_object_mut().unwrap().remove("defaultCountryCode");
    let abroad = shop(&[("TENANTS", &tenants.to_string())]).await;
    let c = abroad.customer("abroad").await;
    let p = update(&abroad, &c, json!({ "phoneNumber": "020 7946 0018" }), None).await;
    assert_eq!(codes(&p), ["INVALID"], "{p}");
    let p = update(&abroad, &c, json!({ "phoneNumber": "+44 20 7946 0018" }), None).await;
    assert_eq!(p["customer"]["phoneNumber"], "+442079460018", "{p}");
}
