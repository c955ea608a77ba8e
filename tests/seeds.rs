//! The seed systems' published sample requests, adapted only in operation
//! and field names (Centra's registration, customer view and wishlist,
//! OXID's invoice address and contact form, Fluent's customer create and
//! update, LoyaltyDish's customer): each is accepted with its values as
//! written, and reads back as a user of the API would check it.

use crate::account::shop;
use crate::admin::{backoffice, Backoffice};
use crate::subscriptions::{stack, CONFIRM};
use crate::support::accounts::PASSWORD;
use crate::support::{bearer, codes, email, gql, mail, settle, CONTACT_EMAIL};
use serde_json::{json, Value};

/// An address with every field of `Address`.
const ADDRESS: &str = "id title firstName lastName company street streetNumber additionalInfo postalCode city region countryCode phone mobile fax email";

/// What the back office reads of a seeded customer.
const SEEDED: &str = "id email firstName lastName username department promotionOptIn timezone phoneNumber pictureUrl websiteUrl secondaryEmail source sourceId loyaltyId version";

/// `createCustomer(input)` asking for `SEEDED`; the payload (no top-level error allowed).
async fn create(b: &Backoffice, input: Value) -> Value {
    let q = format!("mutation($input: CreateCustomerInput!) {{ createCustomer(input: $input) {{ customer {{ {SEEDED} }} userErrors {{ code field message }} }} }}");
    let resp = b.call(&q, json!({ "input": input })).await;
    assert!(resp["errors"].is_null(), "{resp}");
    resp["data"]["createCustomer"].clone()
}

/// `customer(<arg>: value)` asking for `SEEDED`.
async fn find(b: &Backoffice, arg: &str, value: &str) -> Value {
    let kind = if arg == "id" { "ID" } else { "String" };
    let resp =
        b.call(&format!("query($v: {kind}!) {{ customer({arg}: $v) {{ {SEEDED} }} }}"), json!({ "v": value })).await;
    assert!(resp["errors"].is_null(), "{resp}");
    resp["data"]["customer"].clone()
}

/// The token of the newsletter confirmation mailed to `address` (the mail
/// with an unsubscribe link), whatever other mail went there too.
async fn newsletter_token(svc: &shared::Services, address: &str) -> String {
    settle(svc).await;
    let mails = mail::sent_to(address).await;
    let m = mails
        .iter()
        .find(|m| m.links().iter().any(|l| l.contains("/subscriptions/unsubscribe")))
        .unwrap_or_else(|| panic!("no newsletter mail to {address}: {mails:?}"));
    m.token()
}

#[tokio::test]
async fn centra_registration_with_a_billing_address_of_a_name_an_email_and_a_country() {
    let s = stack(&[]).await;
    let address = email("jane.doe");
    let input = json!({
        "email": address, "password": PASSWORD, "firstName": "Jane", "lastName": "Doe",
        "billingAddress": { "firstName": "Jane", "lastName": "Doe", "email": address, "countryCode": "SE" },
        "newsletter": true,
    });
    let q = format!("mutation($input: RegisterCustomerInput!) {{ registerCustomer(input: $input) {{ customer {{ id billingAddress {{ {ADDRESS} }} }} session {{ accessToken }} userErrors {{ code field message }} }} }}");
    let resp = gql(&s.auth, &q, json!({ "input": input }), &[]).await;
    let p = &resp["data"]["registerCustomer"];
    assert!(codes(p).is_empty(), "{resp}");
    let access = p["session"]["accessToken"].as_str().unwrap().to_string();

    // The billing address is what was sent, no street or city made up.
    let me =
        gql(&s.account, &format!("{{ customer {{ billingAddress {{ {ADDRESS} }} }} }}"), json!({}), &[bearer(&access)])
            .await;
    let billing = &me["data"]["customer"]["billingAddress"];
    assert_eq!(billing, &p["customer"]["billingAddress"], "{me}");
    assert_eq!(
        (&billing["firstName"], &billing["lastName"], &billing["email"], &billing["countryCode"]),
        (&json!("Jane"), &json!("Doe"), &json!(address), &json!("SE")),
        "{me}"
    );
    assert!(billing["id"].is_string(), "{me}");
    assert_eq!((&billing["street"], &billing["city"]), (&Value::Null, &Value::Null), "{me}");

    // `newsletter: true` started the double opt-in for the address.
    let q = "query($e: String!) { customer(email: $e) { newsletter { status } newsletterSubscriptions { status } } }";
    let resp = s.admin(q, json!({ "e": address })).await;
    assert_eq!(resp["data"]["customer"]["newsletter"]["status"], "PENDING", "{resp}");
    assert_eq!(resp["data"]["customer"]["newsletterSubscriptions"], json!([{ "status": "PENDING" }]), "{resp}");

    // A delivery address of just a country is refused: it needs a street and a city.
    let q = "mutation($a: AddressInput!) { addDeliveryAddress(address: $a) { customer { deliveryAddresses { id } } userErrors { code field message } } }";
    let resp = gql(&s.account, q, json!({ "a": { "countryCode": "SE" } }), &[bearer(&access)]).await;
    let p = &resp["data"]["addDeliveryAddress"];
    let errors: Vec<(Value, Value)> = p["userErrors"]
        .as_array()
        .unwrap_or_else(|| panic!("{resp}"))
        .iter()
        .map(|e| (e["code"].clone(), e["field"].clone()))
        .collect();
    assert_eq!(
        errors,
        [(json!("REQUIRED"), json!(["address", "street"])), (json!("REQUIRED"), json!(["address", "city"]))],
        "{resp}"
    );
    let me = gql(&s.account, "{ customer { deliveryAddresses { id } } }", json!({}), &[bearer(&access)]).await;
    assert_eq!(me["data"]["customer"]["deliveryAddresses"], json!([]), "nothing added: {me}");
}

#[tokio::test]
async fn oxid_invoice_address_is_kept_as_given() {
    let shop = shop(&[]).await;
    let c = shop.customer("oxid").await;
    let oxid = json!({
        "title": "MR", "firstName": "Marc", "lastName": "Muster", "company": "OXID",
        "street": "Hauptstr.", "streetNumber": "13", "postalCode": "79098", "city": "Freiburg",
        "countryCode": "DE", "phone": "123456", "mobile": "555", "fax": "555",
    });
    let sent_fields = oxid.as_object().unwrap().clone();
    let check = |address: &Value, what: &str| {
        for (field, value) in &sent_fields {
            assert_eq!(&address[field], value, "{what} {field}: {address}");
        }
        assert!(address["id"].is_string(), "{what}: {address}");
    };

    let q = format!("mutation($a: AddressInput!) {{ setBillingAddress(address: $a) {{ customer {{ billingAddress {{ {ADDRESS} }} }} userErrors {{ code field message }} }} }}");
    let resp = shop.call(&c.access, &q, json!({ "a": oxid })).await;
    let p = &resp["data"]["setBillingAddress"];
    assert!(codes(p).is_empty(), "{resp}");
    check(&p["customer"]["billingAddress"], "billing payload");

    // The same as a delivery address (it has a street and a city).
    let q = format!("mutation($a: AddressInput!) {{ addDeliveryAddress(address: $a) {{ customer {{ deliveryAddresses {{ {ADDRESS} }} }} userErrors {{ code field message }} }} }}");
    let resp = shop.call(&c.access, &q, json!({ "a": oxid })).await;
    let p = &resp["data"]["addDeliveryAddress"];
    assert!(codes(p).is_empty(), "{resp}");

    let me = shop
        .call(
            &c.access,
            &format!("{{ customer {{ billingAddress {{ {ADDRESS} }} deliveryAddresses {{ {ADDRESS} }} }} }}"),
            json!({}),
        )
        .await;
    let customer = &me["data"]["customer"];
    check(&customer["billingAddress"], "billing");
    assert_eq!(customer["deliveryAddresses"].as_array().map(Vec::len), Some(1), "{me}");
    check(&customer["deliveryAddresses"][0], "delivery");
}

#[tokio::test]
async fn fluent_customer_create_then_update_by_username() {
    let b = backoffice().await;
    let address = email("fluent");
    let p = create(
        &b,
        json!({
            "username": "flu-0001", "firstName": "Fiona", "lastName": "Luent", "department": "Sales",
            "promotionOptIn": true, "timezone": "GMT+10", "phoneNumber": "3333344444", "email": address,
        }),
    )
    .await;
    assert!(codes(&p).is_empty(), "{p}");
    // The tenant's defaultCountryCode is GB: "3333344444" reads as the UK
    // non-geographic number 0333 334 4444. libphonenumber's GB metadata
    // counts 03 numbers of 10 national digits (`3[0347]\d{8}`, "UAN") as
    // valid, so it is stored in E.164 rather than refused.
    let expected = json!({
        "email": address, "username": "flu-0001", "firstName": "Fiona", "lastName": "Luent", "department": "Sales",
        "promotionOptIn": true, "timezone": "+10:00", "phoneNumber": "+443333344444",
    });
    let id = p["customer"]["id"].as_str().unwrap().to_string();
    let read = find(&b, "username", "flu-0001").await;
    assert_eq!(read["id"], id.as_str(), "{read}");
    for (field, value) in expected.as_object().unwrap() {
        assert_eq!(&p["customer"][field], value, "payload {field}: {p}");
        assert_eq!(&read[field], value, "read {field}: {read}");
    }

    // Fluent's update names the customer by its username.
    let q = format!("mutation($i: CustomerIdentifierInput!, $input: AdminUpdateCustomerInput!) {{ updateCustomer(identifier: $i, input: $input) {{ customer {{ {SEEDED} }} userErrors {{ code field message }} }} }}");
    let resp = b.call(&q, json!({ "i": { "username": "flu-0001" }, "input": { "department": "Marketing" } })).await;
    let p = &resp["data"]["updateCustomer"];
    assert!(codes(p).is_empty(), "{resp}");
    assert_eq!((&p["customer"]["id"], &p["customer"]["department"]), (&json!(id), &json!("Marketing")), "{resp}");
    let read = find(&b, "username", "flu-0001").await;
    assert_eq!(
        (&read["department"], &read["timezone"], &read["phoneNumber"], &read["promotionOptIn"]),
        (&json!("Marketing"), &json!("+10:00"), &json!("+443333344444"), &json!(true)),
        "only the department changed: {read}"
    );
}

#[tokio::test]
async fn loyaltydish_customer_with_picture_secondary_email_source_and_loyalty_id() {
    let b = backoffice().await;
    let address = email("loyaltydish");
    let secondary = email("loyaltydish-alt");
    let given = json!({
        "email": address, "firstName": "Luca", "lastName": "Dish",
        "pictureUrl": "https://cdn.example.com/p/123.jpg", "secondaryEmail": secondary,
        "source": "POS", "sourceId": "store-7", "loyaltyId": "LD-123456",
    });
    let p = create(&b, given.clone()).await;
    assert!(codes(&p).is_empty(), "{p}");
    let id = p["customer"]["id"].as_str().unwrap().to_string();
    for read in [p["customer"].clone(), find(&b, "id", &id).await, find(&b, "loyaltyId", "LD-123456").await] {
        assert_eq!(read["id"], id.as_str(), "{read}");
        for (field, value) in given.as_object().unwrap() {
            assert_eq!(&read[field], value, "{field}: {read}");
        }
    }
    let resp = b
        .call(
            "query($l: String!) { customer(loyaltyId: $l) { loyalty { loyaltyId pointsBalance } } }",
            json!({ "l": "LD-123456" }),
        )
        .await;
    assert_eq!(resp["data"]["customer"]["loyalty"], json!({ "loyaltyId": "LD-123456", "pointsBalance": 0 }), "{resp}");
}

#[tokio::test]
async fn centra_customer_view_shows_the_website_and_the_newsletter_subscription() {
    let s = stack(&[]).await;
    let address = email("centra-view");
    let input = json!({ "email": address, "password": PASSWORD, "firstName": "Jane", "websiteUrl": "https://jane.example.com/" });
    let q = "mutation($input: RegisterCustomerInput!) { registerCustomer(input: $input) { customer { id websiteUrl } session { accessToken } userErrors { code field message } } }";
    let resp = gql(&s.auth, q, json!({ "input": input }), &[]).await;
    let p = &resp["data"]["registerCustomer"];
    assert!(codes(p).is_empty(), "{resp}");
    let own = [bearer(p["session"]["accessToken"].as_str().unwrap())];
    let verify = mail::nth_to(&address, 1).await.token();
    let verified =
        gql(&s.auth, "mutation($t: String!) { confirmEmail(token: $t) { confirmed } }", json!({ "t": verify }), &[])
            .await;
    assert_eq!(verified["data"]["confirmEmail"]["confirmed"], true, "{verified}");

    let before = chrono::Utc::now() - chrono::Duration::seconds(1);
    let sub = s.subscribe(&address, json!({ "countryCode": "SE", "languageCode": "sv" }), &own).await;
    assert_eq!(sub["status"], "PENDING", "{sub}");
    let token = newsletter_token(&s.svc, &address).await;
    let confirmed = s.call(CONFIRM, json!({ "t": token }), &[]).await;
    assert_eq!(confirmed["data"]["confirmNewsletterSubscription"]["status"], "SUBSCRIBED", "{confirmed}");
    let after = chrono::Utc::now();

    let view = "websiteUrl newsletterSubscriptions { isActive status countryCode languageCode createdAt }";
    let storefront = gql(&s.account, &format!("{{ customer {{ {view} }} }}"), json!({}), &own).await;
    let backoffice =
        s.admin(&format!("query($e: String!) {{ customer(email: $e) {{ {view} }} }}"), json!({ "e": address })).await;
    for (who, resp) in [("storefront", &storefront), ("back office", &backoffice)] {
        assert!(resp["errors"].is_null(), "{who}: {resp}");
        let c = &resp["data"]["customer"];
        assert_eq!(c["websiteUrl"], "https://jane.example.com/", "{who}: {resp}");
        let subs = c["newsletterSubscriptions"].as_array().unwrap_or_else(|| panic!("{who}: {resp}"));
        assert_eq!(subs.len(), 1, "{who}: {resp}");
        assert_eq!(
            (&subs[0]["isActive"], &subs[0]["status"], &subs[0]["countryCode"], &subs[0]["languageCode"]),
            (&json!(true), &json!("SUBSCRIBED"), &json!("SE"), &json!("sv")),
            "{who}: {resp}"
        );
        let created = crate::orders::at(&subs[0]["createdAt"]);
        assert!(created >= before && created <= after, "{who}: subscribed between {before} and {after}: {resp}");
    }
    assert_eq!(
        storefront["data"]["customer"]["newsletterSubscriptions"],
        backoffice["data"]["customer"]["newsletterSubscriptions"]
    );
}

#[tokio::test]
async fn oxid_contact_request_reaches_the_shop_answered_to_the_sender() {
    let s = stack(&[]).await;
    let sender = email("marc.muster");
    let input = json!({
        "email": sender, "salutation": "MR", "firstName": "Marc", "lastName": "Muster",
        "subject": "Some subject", "message": "Some message",
    });
    let q = "mutation($i: ContactRequestInput!) { sendContactRequest(input: $i) { sent userErrors { code field message } } }";
    let resp = s.call(q, json!({ "i": input }), &[]).await;
    assert_eq!(resp["data"]["sendContactRequest"], json!({ "sent": true, "userErrors": [] }), "{resp}");

    // Every test's requests go to the one contact address: this one's is answered to its own sender.
    settle(&s.svc).await;
    let mails: Vec<mail::SentMail> = mail::sent_to(CONTACT_EMAIL)
        .await
        .into_iter()
        .filter(|m| m.reply_to.iter().any(|r| r.eq_ignore_ascii_case(&sender)))
        .collect();
    assert_eq!(mails.len(), 1, "{mails:?}");
    let m = &mails[0];
    assert_eq!(m.reply_to, std::slice::from_ref(&sender), "answers go to the sender");
    assert_eq!(m.subject, "[Test Shop] Contact: Some subject");
    for part in ["MR Marc Muster", sender.as_str(), "Some subject", "Some message"] {
        assert!(m.text.contains(part), "{part:?} in the text: {}", m.text);
    }
}

#[tokio::test]
async fn centra_wishlist_items_are_added_to_the_default_list_and_removed() {
    let shop = shop(&[]).await;
    let c = shop.customer("centra-wishlist").await;
    let change = |op: &str| {
        format!("mutation($item: String!) {{ {op}(item: $item) {{ userErrors {{ code field message }} }} }}")
    };
    let read = "{ customer { wishlists { name isDefault items { item } } } }";

    for item in ["1-1", "123-456"] {
        let resp = shop.call(&c.access, &change("addToWishlist"), json!({ "item": item })).await;
        assert_eq!(resp["data"]["addToWishlist"]["userErrors"], json!([]), "{item}: {resp}");
    }
    let me = shop.call(&c.access, read, json!({})).await;
    assert_eq!(
        me["data"]["customer"]["wishlists"],
        json!([{ "name": "Wishlist", "isDefault": true, "items": [{ "item": "1-1" }, { "item": "123-456" }] }]),
        "one default list, both items in the order added: {me}"
    );

    let resp = shop.call(&c.access, &change("removeFromWishlist"), json!({ "item": "1-1" })).await;
    assert_eq!(resp["data"]["removeFromWishlist"]["userErrors"], json!([]), "{resp}");
    let me = shop.call(&c.access, read, json!({})).await;
    assert_eq!(
        me["data"]["customer"]["wishlists"],
        json!([{ "name": "Wishlist", "isDefault": true, "items": [{ "item": "123-456" }] }]),
        "{me}"
    );
}
