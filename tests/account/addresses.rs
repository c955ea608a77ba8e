use super::*;
use crate::support::codes;

const ADDRESS_FIELDS: &str = "customer { billingAddress { id street city countryCode } deliveryAddresses { id street city countryCode } defaultDeliveryAddressId version } userErrors { code field message }";

fn addr(city: &str) -> Value {
    json!({ "firstName": "Kim", "street": "Hauptstraße", "streetNumber": "1", "postalCode": "10115", "city": city, "countryCode": "DE" })
}

async fn add(shop: &Shop, c: &Customer, city: &str, make_default: Option<bool>) -> Value {
    let q = format!("mutation($a: AddressInput!, $d: Boolean) {{ addDeliveryAddress(address: $a, makeDefault: $d) {{ {ADDRESS_FIELDS} }} }}");
    shop.call(&c.access, &q, json!({ "a": addr(city), "d": make_default })).await["data"]["addDeliveryAddress"].clone()
}

async fn by_id(shop: &Shop, c: &Customer, name: &str, id: &Value) -> Value {
    let q = format!("mutation($id: ID!) {{ {name}(id: $id) {{ {ADDRESS_FIELDS} }} }}");
    shop.call(&c.access, &q, json!({ "id": id })).await["data"][name].clone()
}

#[tokio::test]
async fn billing_and_delivery_addresses_and_the_default() {
    let shop = shop(&[]).await;
    let c = shop.customer("addresses").await;
    let q = format!("mutation($a: AddressInput!) {{ setBillingAddress(address: $a) {{ {ADDRESS_FIELDS} }} }}");
    let billing = shop.call(&c.access, &q, json!({ "a": addr("Berlin") })).await["data"]["setBillingAddress"].clone();
    assert_eq!(billing["customer"]["billingAddress"]["city"], "Berlin", "{billing}");

    let first = add(&shop, &c, "Hamburg", None).await;
    let a = first["customer"]["deliveryAddresses"][0]["id"].clone();
    assert_eq!(first["customer"]["defaultDeliveryAddressId"], a, "the first becomes the default");
    let second = add(&shop, &c, "München", None).await;
    let b = second["customer"]["deliveryAddresses"][1]["id"].clone();
    assert_eq!(second["customer"]["defaultDeliveryAddressId"], a);
    let third = add(&shop, &c, "Köln", Some(true)).await;
    let d = third["customer"]["deliveryAddresses"][2]["id"].clone();
    assert_eq!(third["customer"]["defaultDeliveryAddressId"], d, "makeDefault");

    let set = by_id(&shop, &c, "setDefaultDeliveryAddress", &b).await;
    assert_eq!(set["customer"]["defaultDeliveryAddressId"], b);

    // Update replaces the whole address and keeps the id.
    let q = format!("mutation($id: ID!, $a: AddressInput!) {{ updateDeliveryAddress(id: $id, address: $a) {{ {ADDRESS_FIELDS} }} }}");
    let upd = shop
        .call(&c.access, &q, json!({ "id": b, "a": { "street": "Elm St", "city": "Wien", "countryCode": "AT" } }))
        .await;
    let list = &upd["data"]["updateDeliveryAddress"]["customer"]["deliveryAddresses"];
    assert_eq!(list[1], json!({ "id": b, "street": "Elm St", "city": "Wien", "countryCode": "AT" }));

    // Removing the default moves it to the first remaining address.
    let rm = by_id(&shop, &c, "removeDeliveryAddress", &b).await;
    assert_eq!(rm["customer"]["deliveryAddresses"].as_array().unwrap().len(), 2);
    assert_eq!(rm["customer"]["defaultDeliveryAddressId"], a);
    by_id(&shop, &c, "removeDeliveryAddress", &a).await;
    let last = by_id(&shop, &c, "removeDeliveryAddress", &d).await;
    assert!(last["customer"]["defaultDeliveryAddressId"].is_null(), "none left: no default");

    let me = shop.call(&c.access, CUSTOMER, json!({})).await;
    assert_eq!(me["data"]["customer"]["billingAddress"]["city"], "Berlin");
}

#[tokio::test]
async fn unknown_ids_bad_addresses_and_a_full_book_are_refused() {
    let shop = shop(&[]).await;
    let c = shop.customer("refusals").await;
    for name in ["removeDeliveryAddress", "setDefaultDeliveryAddress"] {
        let p = by_id(&shop, &c, name, &json!("01J0NOTANADDRESS")).await;
        assert_eq!(codes(&p), ["NOT_FOUND"], "{name}");
        assert_eq!(p["userErrors"][0]["field"], json!(["id"]));
    }
    let q = format!("mutation($a: AddressInput!) {{ addDeliveryAddress(address: $a) {{ {ADDRESS_FIELDS} }} }}");
    let bad = shop
        .call(
            &c.access,
            &q,
            json!({ "a": { "street": " ", "city": "x".repeat(201), "countryCode": "QQ", "phone": "55", "fax": "+49 (30) abc" } }),
        )
        .await;
    let p = &bad["data"]["addDeliveryAddress"];
    let fields: Vec<Value> = p["userErrors"].as_array().unwrap().iter().map(|e| e["field"].clone()).collect();
    assert_eq!(
        fields,
        [
            json!(["address", "street"]),
            json!(["address", "city"]),
            json!(["address", "countryCode"]),
            json!(["address", "phone"]),
            json!(["address", "fax"])
        ],
        "{p}"
    );
    assert_eq!(codes(p), ["REQUIRED", "TOO_LONG", "INVALID", "INVALID", "INVALID"]);

    for i in 0..20 {
        assert!(codes(&add(&shop, &c, &format!("City {i}"), None).await).is_empty());
    }
    let full = add(&shop, &c, "One Too Many", None).await;
    assert_eq!(codes(&full), ["LIMIT_EXCEEDED"]);
    let me = shop.call(&c.access, CUSTOMER, json!({})).await;
    assert_eq!(me["data"]["customer"]["deliveryAddresses"].as_array().unwrap().len(), 20);
}

#[tokio::test]
async fn the_seed_systems_addresses_are_taken_as_written() {
    let shop = shop(&[]).await;
    let c = shop.customer("seeds").await;
    let fields = "customer { billingAddress { firstName lastName street city countryCode email phone mobile fax } deliveryAddresses { street city } } userErrors { code field }";
    // Centra's registration: a billing address of just a name, an email and a country.
    let q = format!("mutation($a: AddressInput!) {{ setBillingAddress(address: $a) {{ {fields} }} }}");
    let centra =
        json!({ "firstName": "Jane", "lastName": "Doe", "email": "jane.doe@example.com", "countryCode": "se" });
    let r = shop.call(&c.access, &q, json!({ "a": centra })).await;
    let p = &r["data"]["setBillingAddress"];
    assert!(codes(p).is_empty(), "{r}");
    let billing = &p["customer"]["billingAddress"];
    assert_eq!(
        (&billing["email"], &billing["countryCode"], &billing["street"]),
        (&json!("jane.doe@example.com"), &json!("SE"), &Value::Null)
    );
    // OXID's invoice address: phone, mobile and fax as printed on a label, kept as given.
    let oxid = json!({ "firstName": "Hans", "street": "Musterstr.", "streetNumber": "10", "postalCode": "79098", "city": "Freiburg", "countryCode": "DE", "phone": "123456", "mobile": "555", "fax": "+49 (761) 36 88-9" });
    let r = shop.call(&c.access, &q, json!({ "a": oxid })).await;
    let billing = &r["data"]["setBillingAddress"]["customer"]["billingAddress"];
    assert_eq!(
        (&billing["phone"], &billing["mobile"], &billing["fax"]),
        (&json!("123456"), &json!("555"), &json!("+49 (761) 36 88-9")),
        "{r}"
    );
    // A delivery address still needs a street and a city to be delivered to.
    let q = format!("mutation($a: AddressInput!) {{ addDeliveryAddress(address: $a) {{ {fields} }} }}");
    let r = shop.call(&c.access, &q, json!({ "a": { "firstName": "Jane", "countryCode": "SE" } })).await;
    let p = &r["data"]["addDeliveryAddress"];
    let errors: Vec<(Value, Value)> =
        p["userErrors"].as_array().unwrap().iter().map(|e| (e["code"].clone(), e["field"].clone())).collect();
    assert_eq!(
        errors,
        [(json!("REQUIRED"), json!(["address", "street"])), (json!("REQUIRED"), json!(["address", "city"]))],
        "{r}"
    );
    // An address's email is checked like the customer's.
    let r = shop
        .call(
            &c.access,
            &q,
            json!({ "a": { "street": "Main St", "city": "Oslo", "countryCode": "NO", "email": "not-an-email" } }),
        )
        .await;
    assert_eq!(r["data"]["addDeliveryAddress"]["userErrors"][0]["field"], json!(["address", "email"]), "{r}");
}
