//! The deployment definition agrees with the code.

use serde_norway::Value;
use shared::store::table;

fn template() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../template.yaml");
    serde_norway::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn strs(v: &Value, field: &str) -> Vec<(String, String)> {
    v.as_sequence()
        .unwrap()
        .iter()
        .map(|e| {
            let a = e["AttributeName"].as_str().unwrap().to_string();
            let b = e[field].as_str().unwrap().to_string();
            (a, b)
        })
        .collect()
}

#[test]
fn the_table_in_template_yaml_is_the_table_the_code_creates() {
    let t = template();
    let props = &t["Resources"]["CustomerTable"]["Properties"];
    assert_eq!(
        strs(&props["KeySchema"], "KeyType"),
        [(table::PARTITION_KEY.to_string(), "HASH".to_string()), (table::SORT_KEY.to_string(), "RANGE".to_string())]
    );
    let mut expected_attrs = vec![table::PARTITION_KEY.to_string(), table::SORT_KEY.to_string()];
    let gsis = props["GlobalSecondaryIndexes"].as_sequence().unwrap();
    assert_eq!(gsis.len(), table::GSIS.len());
    for (gsi, (name, pk, sk)) in gsis.iter().zip(table::GSIS) {
        assert_eq!(gsi["IndexName"].as_str(), Some(*name));
        assert_eq!(
            strs(&gsi["KeySchema"], "KeyType"),
            [(pk.to_string(), "HASH".to_string()), (sk.to_string(), "RANGE".to_string())]
        );
        assert_eq!(gsi["Projection"]["ProjectionType"].as_str(), Some("ALL"));
        expected_attrs.extend([pk.to_string(), sk.to_string()]);
    }
    let attrs = strs(&props["AttributeDefinitions"], "AttributeType");
    assert_eq!(attrs.iter().map(|(a, _)| a.clone()).collect::<Vec<_>>(), expected_attrs);
    assert!(attrs.iter().all(|(_, t)| t == "S"));
    assert_eq!(props["TimeToLiveSpecification"]["AttributeName"].as_str(), Some(table::TTL_ATTRIBUTE));
    assert_eq!(props["TimeToLiveSpecification"]["Enabled"].as_bool(), Some(true));
    assert_eq!(props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"].as_bool(), Some(true));
    assert_eq!(props["BillingMode"].as_str(), Some("PAY_PER_REQUEST"));
}

#[test]
fn every_function_is_built_with_cargo_lambda_and_routed_as_api_md_says() {
    let t = template();
    for (resource, binary) in [
        ("AuthFunction", "auth"),
        ("AccountFunction", "account"),
        ("SubscriptionsFunction", "subscriptions"),
        ("AdminFunction", "admin"),
    ] {
        let f = &t["Resources"][resource];
        assert_eq!(f["Metadata"]["BuildMethod"].as_str(), Some("rust-cargolambda"), "{resource}");
        assert_eq!(f["Metadata"]["BuildProperties"]["Binary"].as_str(), Some(binary), "{resource}");
        let post = &f["Properties"]["Events"]["Post"]["Properties"];
        assert_eq!(post["Method"].as_str(), Some("POST"));
        assert_eq!(post["Path"].as_str(), Some(format!("/{binary}/graphql").as_str()));
    }
    assert_eq!(t["Globals"]["Function"]["Runtime"].as_str(), Some("provided.al2023"));
}

#[test]
fn only_auth_and_account_may_read_the_jwt_private_keys_and_admin_gets_no_key() {
    let t = template();
    let reads_a_secret = |resource: &str| {
        let statements = t["Resources"][resource]["Properties"]["Policies"][0]["Statement"].as_sequence().unwrap();
        statements.iter().any(|s| s["Action"].as_str() == Some("secretsmanager:GetSecretValue"))
    };
    let has_env = |resource: &str, name: &str| {
        !t["Resources"][resource]["Properties"]["Environment"]["Variables"][name].is_null()
    };
    for (resource, private, public) in [
        ("AuthFunction", true, false),
        ("AccountFunction", true, false),
        ("SubscriptionsFunction", false, true),
        ("AdminFunction", false, false),
    ] {
        assert_eq!(reads_a_secret(resource), private, "{resource} may read the private keys");
        assert_eq!(has_env(resource, "JWT_PRIVATE_KEYS_ARN"), private, "{resource}: JWT_PRIVATE_KEYS_ARN");
        assert_eq!(has_env(resource, "JWT_PUBLIC_KEYS"), public, "{resource}: JWT_PUBLIC_KEYS");
    }
    let globals = &t["Globals"]["Function"]["Environment"]["Variables"];
    for name in ["JWT_PRIVATE_KEYS_ARN", "JWT_PRIVATE_KEYS", "JWT_PUBLIC_KEYS", "JWT_SECRET_ARN", "JWT_SECRET"] {
        assert!(globals[name].is_null(), "{name} is given per function, never to all");
    }
}
