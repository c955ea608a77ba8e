//! API keys: missing, unknown, revoked, of another tenant, without the permission.

use super::*;
use crate::support::top_error;
use chrono::Utc;

const READ: &str = "{ customers(first: 1) { edges { node { id } } } }";

#[tokio::test]
async fn missing_malformed_unknown_and_revoked_keys_are_unauthenticated() {
    let b = backoffice().await;
    let no_key = gql(&b.admin, READ, json!({}), &[]).await;
    assert_eq!(top_error(&no_key).as_deref(), Some("UNAUTHENTICATED"));
    for bad in ["nonsense", "ck_01J0000000000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"] {
        assert_eq!(top_error(&b.call_with(bad, READ, json!({})).await).as_deref(), Some("UNAUTHENTICATED"), "{bad}");
    }
    // A real key id with a wrong secret.
    let (id, _) = b.key.strip_prefix("ck_").unwrap().split_once('_').unwrap();
    let forged = format!("ck_{id}_{}", "B".repeat(43));
    assert_eq!(top_error(&b.call_with(&forged, READ, json!({})).await).as_deref(), Some("UNAUTHENTICATED"));

    assert!(b.call(READ, json!({})).await["errors"].is_null());
    assert!(b.svc.store.revoke_api_key(id, Utc::now()).await.unwrap());
    assert_eq!(top_error(&b.call(READ, json!({})).await).as_deref(), Some("UNAUTHENTICATED"), "revoked at once");
}

#[tokio::test]
async fn each_operation_needs_its_permission() {
    let b = backoffice().await;
    let created = b.create(json!({ "email": crate::support::email("perm") })).await;
    let id = created["customer"]["id"].as_str().unwrap().to_string();
    let ops: &[(&str, Value, Permission)] = &[
        ("{ customer(id: $id) { id } }", json!({}), Permission::CustomerRead),
        ("{ customers { edges { cursor } } }", json!({}), Permission::CustomerRead),
        ("mutation { createCustomer(input: { email: \"p@example.com\" }) { userErrors { code } } }", json!({}), Permission::CustomerCreate),
        ("mutation { updateCustomer(identifier: { customerId: $id }, input: { title: \"x\" }) { userErrors { code } } }", json!({}), Permission::CustomerEdit),
        ("mutation { setCustomerStatus(id: $id, status: INACTIVE) { userErrors { code } } }", json!({}), Permission::CustomerEdit),
        ("mutation { deleteCustomer(id: $id) { deleted } }", json!({}), Permission::CustomerDelete),
        ("mutation { upsertCustomer(input: { identifier: { email: \"u@example.com\" }, onCreate: { email: \"u@example.com\" }, onUpdate: {} }) { result } }", json!({}), Permission::CustomerEdit),
    ];
    for (op, _, needed) in ops {
        let others: Vec<Permission> = Permission::ALL.into_iter().filter(|p| p != needed).collect();
        let key = mint(&b.svc, "default", &others).await;
        let query = if op.contains("$id") {
            let kind = if op.starts_with('{') { "query" } else { "mutation" };
            format!("{kind}($id: ID!) {}", op.trim_start_matches("mutation "))
        } else {
            op.to_string()
        };
        let resp = b.call_with(&key, &query, json!({ "id": id })).await;
        assert_eq!(top_error(&resp).as_deref(), Some("FORBIDDEN"), "{op}: {resp}");
    }
    // Nothing happened to the customer.
    let still = b.call("query($id: ID!) { customer(id: $id) { status } }", json!({ "id": id })).await;
    assert_eq!(still["data"]["customer"]["status"], "ACTIVE");
}

#[tokio::test]
async fn a_key_of_one_tenant_sees_nothing_of_another() {
    let b = backoffice().await;
    let other_key = mint(&b.svc, "other-shop", &Permission::ALL).await;
    let email = crate::support::email("isolated");
    let created = b
        .call_with(&other_key, CREATE, json!({ "input": { "email": email, "ref": "R-1", "externalId": "X-1" } }))
        .await;
    let theirs = created["data"]["createCustomer"]["customer"]["id"].as_str().unwrap().to_string();

    // By id, email, ref, external id, search: nothing.
    for (arg, value) in [("id", theirs.as_str()), ("email", email.as_str()), ("ref", "R-1"), ("externalId", "X-1")] {
        let kind = if arg == "id" { "ID" } else { "String" };
        let q = format!("query($v: {kind}!) {{ customer({arg}: $v) {{ id }} }}");
        let resp = b.call(&q, json!({ "v": value })).await;
        assert!(resp["data"]["customer"].is_null(), "{arg}: {resp}");
    }
    let all = b.call("{ customers(first: 100) { edges { node { id } } } }", json!({})).await;
    assert_eq!(all["data"]["customers"]["edges"], json!([]));
    // Nor can it change or delete it.
    let q = "mutation($id: ID!) { deleteCustomer(id: $id) { deleted userErrors { code } } }";
    let del = b.call(q, json!({ "id": theirs })).await;
    assert_eq!(crate::support::codes(&del["data"]["deleteCustomer"]), ["NOT_FOUND"]);
    let q = "mutation($id: ID!) { setCustomerStatus(id: $id, status: INACTIVE) { userErrors { code } } }";
    assert_eq!(
        crate::support::codes(&b.call(q, json!({ "id": theirs })).await["data"]["setCustomerStatus"]),
        ["NOT_FOUND"]
    );
    // The same email is free in this tenant.
    assert!(crate::support::codes(&b.create(json!({ "email": email })).await).is_empty());
    // A key sent with another tenant's header is refused.
    let resp = gql(&b.admin, READ, json!({}), &[bearer(&b.key), crate::support::tenant("other-shop")]).await;
    assert_eq!(top_error(&resp).as_deref(), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn a_field_another_permission_guards_is_forbidden_alone_and_the_customer_comes_back() {
    let b = backoffice().await;
    let address = crate::support::email("guarded");
    let created = b.create(json!({ "email": address })).await;
    let id = created["customer"]["id"].clone();
    assert!(id.is_string(), "{created}");
    // A pending subscription, so that reading it shows more than the default.
    let tenant = TenantId::parse("default").unwrap();
    shared::services::newsletter::subscribe(&b.svc, &tenant, None, &address, Default::default()).await.unwrap();

    let one = "query($e: String!) { customer(email: $e) { id email newsletter { status } } }";
    let read_only = mint(&b.svc, "default", &[Permission::CustomerRead]).await;
    let resp = b.call_with(&read_only, one, json!({ "e": address })).await;
    let customer = &resp["data"]["customer"];
    assert_eq!((&customer["id"], customer["email"].as_str()), (&id, Some(address.as_str())), "{resp}");
    assert!(customer.get("newsletter").is_some_and(Value::is_null), "null, not left out: {resp}");
    let errors = resp["errors"].as_array().unwrap_or_else(|| panic!("{resp}"));
    assert_eq!(errors.len(), 1, "{resp}");
    assert_eq!(errors[0]["extensions"]["code"], "FORBIDDEN");
    assert_eq!(errors[0]["path"], json!(["customer", "newsletter"]));

    // In a connection likewise, at the node's field.
    let many = "query($e: String!) { customers(filter: {email: $e}) { edges { node { id newsletter { status } } } } }";
    let resp = b.call_with(&read_only, many, json!({ "e": address })).await;
    let node = &resp["data"]["customers"]["edges"][0]["node"];
    assert_eq!(node["id"], id, "{resp}");
    assert!(node.get("newsletter").is_some_and(Value::is_null), "{resp}");
    assert_eq!(resp["errors"][0]["extensions"]["code"], "FORBIDDEN");
    assert_eq!(resp["errors"][0]["path"], json!(["customers", "edges", 0, "node", "newsletter"]));

    // With `subscription:read` too: the state, and no error.
    let both = mint(&b.svc, "default", &[Permission::CustomerRead, Permission::SubscriptionRead]).await;
    let resp = b.call_with(&both, one, json!({ "e": address })).await;
    assert!(resp["errors"].is_null(), "{resp}");
    assert_eq!(resp["data"]["customer"]["id"], id);
    assert_eq!(resp["data"]["customer"]["newsletter"]["status"], "PENDING", "{resp}");
}
