use super::*;
use crate::graphql::inputs::{AttributeInput, ConsentInput};
use async_graphql::registry::{MetaType, Registry};
use async_graphql::InputType;
use serde_json::json;

fn row(v: Value) -> Result<ImportRow, Vec<UserError>> {
    let Value::Object(fields) = v else { panic!("an object") };
    ImportRow::read(fields)
}

fn errors(v: Value) -> Vec<(ErrorCode, Vec<String>)> {
    match row(v) {
        Ok(_) => panic!("the row reads"),
        Err(errors) => errors.into_iter().map(|e| (e.code, e.field)).collect(),
    }
}

fn at(code: ErrorCode, path: &[&str]) -> (ErrorCode, Vec<String>) {
    (code, path.iter().map(|s| s.to_string()).collect())
}

#[test]
fn a_row_reads_as_create_customer_input_with_what_only_files_bring() {
    let r = row(json!({
        "email": "ada@example.com", "firstName": "Ada", "ref": "C-1", "tags": ["vip"], "note": "n",
        "birthdate": "1985-12-10", "gender": "FEMALE", "status": "INACTIVE", "promotionOptIn": "TRUE",
        "billingAddress": { "city": "Berlin", "countryCode": "de" },
        "deliveryAddresses": [{ "street": "Unter den Linden 1", "city": "Berlin", "countryCode": "DE" }],
        "consents": [{ "key": "sms", "granted": "false" }], "attributes": [{ "key": "k", "value": "v" }],
        "newsletter": "SUBSCRIBED",
        "passwordHash": { "algorithm": "PBKDF2_SHA256", "value": "pbkdf2_sha256$30000$seasalt$VrX+V8drCGo68wlvy6rfu8i1d1pfkdeXA4LJkRGJodY=" },
    }))
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(r.customer.email, "ada@example.com");
    assert_eq!(r.customer.reference.as_deref(), Some("C-1"));
    assert_eq!(r.customer.promotion_opt_in, Some(true));
    assert!(!r.customer.email_verified && !r.email_verified_given);
    assert_eq!(r.customer.billing_address.unwrap().country_code, "de");
    assert_eq!(r.delivery_addresses.len(), 1);
    assert_eq!(r.newsletter, Some(Newsletter::Subscribed));
    assert_eq!(
        r.password_hash.as_deref(),
        Some("pbkdf2_sha256$30000$seasalt$VrX+V8drCGo68wlvy6rfu8i1d1pfkdeXA4LJkRGJodY=")
    );
    assert!(row(json!({ "email": "a@example.com", "emailVerified": true })).unwrap().email_verified_given);
}

#[test]
fn each_problem_of_a_row_is_at_its_path() {
    assert_eq!(errors(json!({ "firstName": "Ada" })), [at(ErrorCode::Required, &["email"])]);
    assert_eq!(errors(json!({ "email": "a@example.com", "shoeSize": 9 })), [at(ErrorCode::Invalid, &["shoeSize"])]);
    assert_eq!(
        errors(json!({ "email": "a@example.com", "billingAddress": { "city": 5, "countryCode": "DE" } })),
        [at(ErrorCode::Invalid, &["billingAddress", "city"])]
    );
    assert_eq!(
        errors(json!({ "email": "a@example.com", "deliveryAddresses": [{ "countryCode": "DE" }, { "city": "Bonn" }] })),
        [at(ErrorCode::Required, &["deliveryAddresses", "1", "countryCode"])]
    );
    assert_eq!(
        errors(json!({ "email": "a@example.com", "promotionOptIn": "maybe" })),
        [at(ErrorCode::Invalid, &["promotionOptIn"])]
    );
    assert_eq!(errors(json!({ "email": "a@example.com", "gender": "F" })), [at(ErrorCode::Invalid, &["gender"])]);
    assert_eq!(
        errors(json!({ "email": "a@example.com", "passwordHash": { "algorithm": "MD5", "value": "x" } })),
        [at(ErrorCode::Invalid, &["passwordHash", "algorithm"])]
    );
    assert_eq!(
        errors(json!({ "email": "a@example.com", "passwordHash": { "algorithm": "BCRYPT", "value": "$2y$04$short" } })),
        [at(ErrorCode::Invalid, &["passwordHash", "value"])]
    );
    // Problems in both parts of a row are all reported.
    assert_eq!(
        errors(json!({
            "email": "a@example.com", "password": "correct horse battery", "sendInvite": true,
            "passwordHash": { "algorithm": "PHPASS", "value": "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0" },
        })),
        [at(ErrorCode::Invalid, &["sendInvite"]), at(ErrorCode::Invalid, &["passwordHash"])]
    );
}

/// The names of an input object's fields, as the schema states them.
fn schema_fields<T: InputType>() -> Vec<String> {
    let mut registry = Registry::default();
    T::create_type_info(&mut registry);
    let name = T::type_name();
    match &registry.types[name.as_ref()] {
        MetaType::InputObject { input_fields, .. } => input_fields.keys().cloned().collect(),
        _ => panic!("{name} is an input object"),
    }
}

/// A row and the schema name every field alike: each name the schema gives
/// is one serde reads, and serde reads no other (it refuses unknown ones).
fn names_agree<T: InputType + DeserializeOwned>() {
    let names = schema_fields::<T>();
    for name in &names {
        let Err(e) = serde_json::from_value::<T>(json!({ name.as_str(): null })) else { continue };
        assert!(!e.to_string().starts_with("unknown field"), "{name}: {e}");
    }
    let Err(e) = serde_json::from_value::<T>(json!({ "surely not a field": null })) else { panic!("read") };
    let listed = e.to_string().matches('`').count() / 2 - 1;
    assert_eq!(listed, names.len(), "{e}");
}

#[test]
fn rows_name_the_fields_as_the_schema_does() {
    names_agree::<CreateCustomerInput>();
    names_agree::<AddressInputObject>();
    names_agree::<ConsentInput>();
    names_agree::<AttributeInput>();
}
