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
    assert_eq!(props["StreamSpecification"]["StreamViewType"].as_str(), Some(table::STREAM_VIEW_TYPE.as_str()));
}

/// The logical name of `!GetAtt Name.Attribute`.
fn get_att(v: &Value) -> Option<&str> {
    match v {
        Value::Tagged(t) if t.tag == "GetAtt" => t.value.as_str(),
        _ => None,
    }
}

/// The logical name of `!Ref Name`.
fn ref_of(v: &Value) -> Option<&str> {
    match v {
        Value::Tagged(t) if t.tag == "Ref" => t.value.as_str(),
        _ => None,
    }
}

#[test]
fn the_events_function_is_told_its_bus_and_only_it_may_put_events_on_it() {
    let t = template();
    let resources = &t["Resources"];
    let bus = &resources["CustomerEventBus"];
    assert_eq!(bus["Type"].as_str(), Some("AWS::Events::EventBus"));
    match &bus["Properties"]["Name"] {
        Value::Tagged(name) if name.tag == "Sub" => {
            assert_eq!(name.value.as_str(), Some("${AWS::StackName}-customers"), "one bus per stack")
        }
        other => panic!("the bus is named after the stack: {other:?}"),
    }
    let f = &resources["EventsFunction"]["Properties"];
    let env = &f["Environment"]["Variables"];
    assert_eq!(ref_of(&env["EVENT_BUS_NAME"]), Some("CustomerEventBus"), "Ref of a bus is its name");
    assert!(!env["EVENT_SOURCE"].is_null(), "EVENT_SOURCE is set");
    // The SAM policy template wants the bus's name (it builds the ARN).
    let puts_on = |resource: &str| {
        let policies = resources[resource]["Properties"]["Policies"].as_sequence().cloned().unwrap_or_default();
        let by_template = policies.iter().any(|p| !p["EventBridgePutEventsPolicy"].is_null());
        let statements: Vec<Value> =
            policies.iter().flat_map(|p| p["Statement"].as_sequence().cloned().unwrap_or_default()).collect();
        let by_statement = statements.iter().any(|s| {
            let actions: Vec<&str> = match &s["Action"] {
                Value::Sequence(a) => a.iter().filter_map(Value::as_str).collect(),
                a => a.as_str().into_iter().collect(),
            };
            actions.iter().any(|a| a.starts_with("events:"))
        });
        (by_template, by_statement)
    };
    let policies = f["Policies"].as_sequence().expect("policies");
    let template_on =
        policies.iter().find_map(|p| ref_of(&p["EventBridgePutEventsPolicy"]["EventBusName"])).expect("a put policy");
    assert_eq!(template_on, "CustomerEventBus");
    for other in ["AuthFunction", "AccountFunction", "SubscriptionsFunction", "AdminFunction"] {
        assert_eq!(puts_on(other), (false, false), "{other} puts no events: they come from the stream only");
    }
    let outputs = t["Outputs"].as_mapping().expect("outputs");
    assert!(
        outputs.iter().any(|(_, o)| ref_of(&o["Value"]) == Some("CustomerEventBus")),
        "the bus's name is an output, for consumers' rules"
    );
}

#[test]
fn the_events_function_reads_the_stream_with_bounded_retries_and_parks_failures_under_an_alarm() {
    let t = template();
    let resources = &t["Resources"];
    let f = &resources["EventsFunction"];
    assert_eq!(f["Metadata"]["BuildMethod"].as_str(), Some("rust-cargolambda"));
    assert_eq!(f["Metadata"]["BuildProperties"]["Binary"].as_str(), Some("events"));
    let mut sources: Vec<&str> =
        f["Properties"]["Events"].as_mapping().into_iter().flatten().filter_map(|(_, e)| e["Type"].as_str()).collect();
    sources.sort_unstable();
    assert_eq!(sources, ["DynamoDB", "EventBridgeRule"], "the stream and SES's mail feedback invoke it");
    let feedback = &f["Properties"]["Events"]["MailFeedback"]["Properties"];
    let kinds: Vec<&str> =
        feedback["Pattern"]["detail-type"].as_sequence().into_iter().flatten().filter_map(Value::as_str).collect();
    assert_eq!(kinds, ["Email Bounced", "Email Complaint Received"], "bounces and complaints reach it");
    let stream = &f["Properties"]["Events"]["Stream"];
    assert_eq!(stream["Type"].as_str(), Some("DynamoDB"));
    let p = &stream["Properties"];
    assert_eq!(get_att(&p["Stream"]), Some("CustomerTable.StreamArn"));
    let responses: Vec<&str> =
        p["FunctionResponseTypes"].as_sequence().into_iter().flatten().filter_map(Value::as_str).collect();
    assert_eq!(responses, ["ReportBatchItemFailures"], "the function names the record to retry from");
    assert_eq!(p["BisectBatchOnFunctionError"].as_bool(), Some(true));
    let retries = p["MaximumRetryAttempts"].as_i64();
    assert!(retries.is_some_and(|r| (0..=10).contains(&r)), "bounded retries: {retries:?}");
    let age = p["MaximumRecordAgeInSeconds"].as_i64();
    assert!(age.is_some_and(|a| (60..=604_800).contains(&a)), "records expire: {age:?}");
    let on_failure = &p["DestinationConfig"]["OnFailure"];
    assert_eq!(on_failure["Type"].as_str(), Some("SQS"));
    let dlq = get_att(&on_failure["Destination"]).and_then(|d| d.strip_suffix(".Arn")).expect("a queue's ARN");
    assert_eq!(resources[dlq]["Type"].as_str(), Some("AWS::SQS::Queue"));
    let queue_name = format!("{dlq}.QueueName");
    let alarmed = resources.as_mapping().expect("resources").values().any(|r| {
        let a = &r["Properties"];
        r["Type"].as_str() == Some("AWS::CloudWatch::Alarm")
            && a["Namespace"].as_str() == Some("AWS/SQS")
            && a["MetricName"].as_str() == Some("ApproximateNumberOfMessagesVisible")
            && a["Dimensions"]
                .as_sequence()
                .is_some_and(|d| d.iter().any(|d| get_att(&d["Value"]) == Some(queue_name.as_str())))
    });
    assert!(alarmed, "an alarm on the dead-letter queue {dlq}");
    let statements = f["Properties"]["Policies"][0]["Statement"].as_sequence().expect("policy statements");
    assert!(statements.iter().any(|s| s["Action"].as_str() == Some("ses:SendEmail")), "it sends the mail");
}

#[test]
fn every_function_is_built_with_cargo_lambda_and_routed_as_the_api_reference_says() {
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
        ("EventsFunction", false, false),
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

/// The DynamoDB actions a function's role grants in template.yaml (on the
/// table or its index).
fn granted(t: &Value, resource: &str) -> std::collections::BTreeSet<String> {
    let statements = t["Resources"][resource]["Properties"]["Policies"][0]["Statement"].as_sequence().unwrap();
    statements
        .iter()
        .flat_map(|s| match &s["Action"] {
            Value::String(a) => vec![a.clone()],
            Value::Sequence(list) => list.iter().filter_map(|a| a.as_str().map(String::from)).collect(),
            _ => vec![],
        })
        .filter(|a| a.starts_with("dynamodb:"))
        .collect()
}

/// Runs `calls` against services whose DynamoDB client records every call;
/// the actions it made.
async fn actions_of(recorder: &crate::support::recorder::Recorder) -> std::collections::BTreeSet<String> {
    recorder
        .take()
        .into_iter()
        .flat_map(|c| match c.operation.as_str() {
            // IAM has no action of its own for a transaction: each of its
            // items needs the action it takes (any of these four).
            "TransactWriteItems" => {
                ["PutItem", "UpdateItem", "DeleteItem", "ConditionCheckItem"].map(|a| format!("dynamodb:{a}")).to_vec()
            }
            op => vec![format!("dynamodb:{op}")],
        })
        .collect()
}

/// A deployed function may call only what its role grants: each function's
/// operations run here (the reads and writes of its whole surface, the
/// listings and erasure included) and every DynamoDB action they make must
/// be in its policy, else it would answer `INTERNAL` in a deployment only.
#[tokio::test]
async fn each_function_is_granted_every_dynamodb_action_its_code_makes() {
    use crate::support::accounts::{PASSWORD, REGISTER};
    use crate::support::{bearer, email, gql, services_recorded};
    use serde_json::json;
    let t = template();
    let check = |resource: &str, made: std::collections::BTreeSet<String>| {
        let allowed = granted(&t, resource);
        let missing: Vec<&String> = made.iter().filter(|a| !allowed.contains(*a)).collect();
        assert!(missing.is_empty(), "{resource} makes {missing:?}, which its role does not grant ({allowed:?})");
        assert!(!made.is_empty(), "{resource}: nothing was recorded");
    };
    let everything = "customer { id emailDeliverable wishlists { id } orders { edges { cursor } } loyalty { pointsBalance transactions { edges { cursor } } } newsletter { status } }";

    // auth: registration, login answering the whole customer, refresh, reset, logout.
    let (svc, recorder) = services_recorded(&[]).await;
    let auth = auth::app(svc.clone());
    let address = email("granted-auth");
    let r = gql(&auth, REGISTER, json!({ "input": { "email": address, "password": PASSWORD } }), &[]).await;
    let refresh = r["data"]["registerCustomer"]["session"]["refreshToken"].clone();
    let login = format!("mutation($e: String!, $p: String!) {{ login(email: $e, password: $p) {{ {everything} }} }}");
    let l = gql(&auth, &login, json!({ "e": address, "p": PASSWORD }), &[]).await;
    assert!(l["errors"].is_null(), "{l}");
    gql(&auth, crate::support::accounts::REFRESH, json!({ "t": refresh }), &[]).await;
    gql(&auth, "mutation($e: String!) { requestPasswordReset(email: $e) { requested } }", json!({ "e": address }), &[])
        .await;
    check("AuthFunction", actions_of(&recorder).await);

    // account: the whole customer, a change, a wishlist, erasure.
    let (svc, recorder) = services_recorded(&[]).await;
    let auth = auth::app(svc.clone());
    let account = account::app(svc.clone());
    let r = gql(&auth, REGISTER, json!({ "input": { "email": email("granted-account"), "password": PASSWORD } }), &[])
        .await;
    let access = r["data"]["registerCustomer"]["session"]["accessToken"].as_str().unwrap().to_string();
    recorder.take();
    let me = [bearer(&access)];
    assert!(gql(&account, &format!("{{ {everything} }}"), json!({}), &me).await["errors"].is_null());
    gql(&account, "mutation { updateCustomer(input: { firstName: \"Kim\" }) { userErrors { code } } }", json!({}), &me)
        .await;
    gql(&account, "mutation { addToWishlist(item: \"SKU-1\") { userErrors { code } } }", json!({}), &me).await;
    let deleted = gql(
        &account,
        "mutation($p: String!) { deleteAccount(password: $p) { deleted } }",
        json!({ "p": PASSWORD }),
        &me,
    )
    .await;
    assert_eq!(deleted["data"]["deleteAccount"]["deleted"], true, "{deleted}");
    check("AccountFunction", actions_of(&recorder).await);

    // subscriptions: newsletter, back-in-stock, contact.
    let (svc, recorder) = services_recorded(&[]).await;
    let subs = subscriptions::app(svc.clone());
    let who = email("granted-subs");
    for q in [
        format!("mutation {{ subscribeToNewsletter(email: \"{who}\") {{ status }} }}"),
        format!("mutation {{ backInStockSubscribe(input: {{ email: \"{who}\", item: \"SKU-1\", shipTo: {{ countryCode: \"DE\" }} }}) {{ subscribed }} }}"),
        format!("mutation {{ backInStockUnsubscribe(input: {{ email: \"{who}\", item: \"SKU-1\", shipTo: {{ countryCode: \"DE\" }} }}) {{ subscribed }} }}"),
        format!("mutation {{ sendContactRequest(input: {{ email: \"{who}\", subject: \"Hi\", message: \"Hello\" }}) {{ sent }} }}"),
        "mutation { confirmNewsletterSubscription(token: \"t\") { status } }".to_string(),
    ] {
        assert!(gql(subs.graphql(), &q, json!({}), &[]).await["data"].is_object(), "{q}");
    }
    check("SubscriptionsFunction", actions_of(&recorder).await);

    // admin: create, search, the buyer's side, notify, erase.
    let (svc, recorder) = services_recorded(&[]).await;
    let key = crate::admin::mint(&svc, "default", &shared::domain::Permission::ALL).await;
    let admin = admin::app(svc.clone());
    let k = [bearer(&key)];
    let created = gql(
        &admin,
        "mutation($e: String!) { createCustomer(input: { email: $e }) { customer { id } } }",
        json!({ "e": email("granted-admin") }),
        &k,
    )
    .await;
    let id = created["data"]["createCustomer"]["customer"]["id"].as_str().unwrap().to_string();
    for (q, v) in [
        ("{ customers(first: 5, filter: { nameContains: \"x\" }) { edges { node { id } } } }".to_string(), json!({})),
        ("query($id: ID!) { customer(id: $id) { id wishlists { id } orders { edges { cursor } } loyalty { transactions { edges { cursor } } } newsletterSubscriptions { status } } }".to_string(), json!({ "id": id })),
        ("mutation($id: ID!) { recordOrder(input: { orderId: \"SO-1\", customer: { customerId: $id }, status: PAID, placedAt: \"2026-11-01T10:00:00Z\", total: { amount: \"10\", currencyCode: \"EUR\" } }) { result } }".to_string(), json!({ "id": id })),
        ("mutation($id: ID!) { adjustPoints(customer: { customerId: $id }, points: 5, reason: \"r\", idempotencyKey: \"k\") { userErrors { code } } }".to_string(), json!({ "id": id })),
        ("mutation { notifyBackInStock(item: \"SKU-1\") { notified } }".to_string(), json!({})),
        ("{ newsletterSubscriptions(first: 5) { edges { cursor } } }".to_string(), json!({})),
        ("mutation($id: ID!) { clearEmailSuppression(identifier: { customerId: $id }) { customer { emailDeliverable } } }".to_string(), json!({ "id": id })),
        ("mutation($id: ID!) { deleteCustomer(id: $id) { deleted } }".to_string(), json!({ "id": id })),
    ] {
        let resp = gql(&admin, &q, v, &k).await;
        assert!(resp["errors"].is_null(), "{q}: {resp}");
    }
    check("AdminFunction", actions_of(&recorder).await);

    // events: SES's report of a bounce (reading the customer, suppressing).
    let (svc, recorder) = services_recorded(&[]).await;
    let aws = crate::support::aws().await;
    let mailer = std::sync::Arc::new(shared::mail::SesMailer::new(&aws));
    let function = events::Events::new(svc.store.clone(), mailer, crate::support::publisher(&aws, "default"));
    let bounce = include_str!("../events/events/ses-bounce.json").replace("ann@example.com", &email("granted-events"));
    let bounce: serde_json::Value = serde_json::from_str(&bounce).unwrap();
    function.handle_payload(bounce, std::time::SystemTime::now()).await.expect("the bounce handled");
    check("EventsFunction", actions_of(&recorder).await);
}
