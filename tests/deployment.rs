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
    assert_eq!(sources, ["DynamoDB", "DynamoDB", "EventBridgeRule"], "the stream (twice) and SES's mail feedback");
    let feedback = &f["Properties"]["Events"]["MailFeedback"]["Properties"];
    let kinds: Vec<&str> =
        feedback["Pattern"]["detail-type"].as_sequence().into_iter().flatten().filter_map(Value::as_str).collect();
    assert_eq!(kinds, ["Email Bounced", "Email Complaint Received"], "bounces and complaints reach it");
    let sets = &feedback["Pattern"]["detail"]["mail"]["tags"]["ses:configuration-set"];
    let ours: Vec<Option<&str>> = sets.as_sequence().into_iter().flatten().map(ref_of).collect();
    assert_eq!(ours, [Some("MailConfigurationSet")], "of this stack's mail only, not another stack's");
    // Two readers: the changes, and the mail apart, each with the filter the
    // local relay of that path applies.
    for (event, path) in [("Stream", StreamPath::Changes), ("Mail", StreamPath::Mail)] {
        let stream = &f["Properties"]["Events"][event];
        assert_eq!(stream["Type"].as_str(), Some("DynamoDB"), "{event}");
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
        let filters = p["FilterCriteria"]["Filters"].as_sequence().expect("a stream filter");
        let pattern: serde_json::Value =
            serde_json::from_str(filters[0]["Pattern"].as_str().expect("a pattern")).expect("the pattern is JSON");
        let prefixes: Vec<&str> = pattern["dynamodb"]["Keys"]["pk"]["S"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["prefix"].as_str())
            .collect();
        assert_eq!(filters.len(), 1);
        assert_eq!(prefixes, [path.prefix()], "{event}: the relay of {path:?} filters as the mapping does");
        check_dead_letters(resources, p);
    }
    let statements = f["Properties"]["Policies"][0]["Statement"].as_sequence().expect("policy statements");
    assert!(statements.iter().any(|s| s["Action"].as_str() == Some("ses:SendEmail")), "it sends the mail");
}

/// A stream reader's records that keep failing go to a queue with an alarm.
fn check_dead_letters(resources: &Value, p: &Value) {
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

use crate::support::recorder::{Recorder, Touch};
use shared::store::stream::StreamPath;

/// One statement of a function's policy, as far as DynamoDB goes.
#[derive(Debug)]
struct Grant {
    actions: Vec<String>,
    /// On the table, on its index `gsi1`.
    table: bool,
    index: bool,
    /// `ForAllValues:StringLike` `dynamodb:LeadingKeys`: the partition keys
    /// the statement is limited to (`None`: any).
    leading_keys: Option<Vec<String>>,
}

fn texts(v: &Value) -> Vec<String> {
    match v {
        Value::String(a) => vec![a.clone()],
        Value::Sequence(list) => list.iter().filter_map(|a| a.as_str().map(String::from)).collect(),
        _ => vec![],
    }
}

/// The DynamoDB statements of a function's role in template.yaml.
fn grants(t: &Value, resource: &str) -> Vec<Grant> {
    let statements = t["Resources"][resource]["Properties"]["Policies"][0]["Statement"].as_sequence().unwrap();
    statements
        .iter()
        .map(|s| {
            let resources: Vec<&Value> = match &s["Resource"] {
                Value::Sequence(list) => list.iter().collect(),
                one => vec![one],
            };
            let sub = |r: &Value| match r {
                Value::Tagged(t) if t.tag == "Sub" => t.value.as_str().map(String::from),
                _ => None,
            };
            Grant {
                actions: texts(&s["Action"]).into_iter().filter(|a| a.starts_with("dynamodb:")).collect(),
                table: resources.iter().any(|r| get_att(r) == Some("CustomerTable.Arn")),
                index: resources.iter().any(|r| sub(r).is_some_and(|r| r == "${CustomerTable.Arn}/index/gsi1")),
                leading_keys: s["Condition"]["ForAllValues:StringLike"].get("dynamodb:LeadingKeys").map(texts),
            }
        })
        .filter(|g| !g.actions.is_empty())
        .collect()
}

/// IAM's `StringLike`: `*` any run of characters, `?` any one.
fn string_like(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    // matches[j]: whether p[..i] matches t[..j], row by row.
    let mut matches = vec![false; t.len() + 1];
    matches[0] = true;
    for c in p {
        let mut next = vec![false; t.len() + 1];
        for j in 0..=t.len() {
            next[j] = match c {
                '*' => matches[j] || (j > 0 && next[j - 1]),
                '?' => j > 0 && matches[j - 1],
                c => j > 0 && matches[j - 1] && t[j - 1] == c,
            };
        }
        matches = next;
    }
    matches[t.len()]
}

impl Grant {
    fn allows(&self, touch: &Touch) -> bool {
        let resource = if touch.index.is_some() { self.index } else { self.table };
        let key = match (&self.leading_keys, &touch.partition) {
            (None, _) => true,
            (Some(patterns), Some(pk)) => patterns.iter().any(|p| string_like(p, pk)),
            (Some(_), None) => false,
        };
        self.actions.contains(&touch.action) && resource && key
    }
}

#[test]
fn a_grant_allows_its_actions_on_its_resources_and_leading_keys_only() {
    assert!(string_like("T#*#NEWSLETTER#*", "T#shop#NEWSLETTER#ann@example.com"));
    assert!(!string_like("T#*#NEWSLETTER#*", "T#shop#C#01J"));
    assert!(string_like("OUTBOX#*", "OUTBOX#"));
    assert!(string_like("QUOTA#?", "QUOTA#1") && !string_like("QUOTA#?", "QUOTA#12"));
    let grant = Grant {
        actions: vec!["dynamodb:PutItem".into()],
        table: true,
        index: false,
        leading_keys: Some(vec!["OUTBOX#*".into()]),
    };
    let touch = |action: &str, index: Option<&str>, pk: &str| Touch {
        action: action.into(),
        index: index.map(String::from),
        partition: Some(pk.into()),
    };
    assert!(grant.allows(&touch("dynamodb:PutItem", None, "OUTBOX#01J")));
    assert!(!grant.allows(&touch("dynamodb:PutItem", None, "T#shop#C#01J")), "another partition");
    assert!(!grant.allows(&touch("dynamodb:UpdateItem", None, "OUTBOX#01J")), "another action");
    assert!(!grant.allows(&touch("dynamodb:PutItem", Some("gsi1"), "OUTBOX#01J")), "the index");
    let t = template();
    let auth = grants(&t, "AuthFunction");
    assert!(auth.iter().any(|g| g.table && g.actions.contains(&"dynamodb:Query".to_string())), "{auth:?}");
}

/// Every call the recorder saw must be allowed by a statement of
/// `resource`'s role, key by key; and every action the role grants must be
/// made by the calls (none granted in vain).
fn check_grants(t: &Value, resource: &str, recorder: &Recorder) -> std::collections::BTreeSet<Touch> {
    let allowed = grants(t, resource);
    let touches: std::collections::BTreeSet<Touch> = recorder.take().into_iter().flat_map(|c| c.touches).collect();
    assert!(!touches.is_empty(), "{resource}: nothing was recorded");
    let refused: Vec<&Touch> = touches.iter().filter(|touch| !allowed.iter().any(|g| g.allows(touch))).collect();
    assert!(refused.is_empty(), "{resource}'s role does not allow {refused:#?}");
    let unused: Vec<&String> =
        allowed.iter().flat_map(|g| &g.actions).filter(|a| !touches.iter().any(|touch| &touch.action == *a)).collect();
    assert!(unused.is_empty(), "{resource}'s role grants {unused:?}, which its code never needed here");
    touches
}

/// A deployed function may call only what its role grants: each function's
/// operations run here (the reads and writes of its whole surface, the
/// listings and erasure included) and every DynamoDB action they make must
/// be in its policy, else it would answer `INTERNAL` in a deployment only.
#[tokio::test]
async fn each_function_is_granted_every_dynamodb_action_its_code_makes() {
    use crate::support::accounts::{PASSWORD, REGISTER};
    use crate::support::{bearer, email, gql, services_recorded, with_role};
    use serde_json::json;
    let t = template();
    let check = |resource: &str, recorder: &Recorder| check_grants(&t, resource, recorder);
    let everything = "customer { id emailDeliverable wishlists { id } orders { edges { cursor } } loyalty { pointsBalance transactions { edges { cursor } } } newsletter { status } }";

    // auth: registration, login answering the whole customer, refresh, reset, logout.
    let (svc, recorder) = services_recorded(&[]).await;
    let auth = auth::app(svc.clone());
    let address = email("granted-auth");
    let r = gql(&auth, REGISTER, json!({ "input": { "email": address, "password": PASSWORD } }), &[]).await;
    let refresh = r["data"]["registerCustomer"]["session"]["refreshToken"].clone();
    let login = format!(
        "mutation($e: String!, $p: String!) {{ login(email: $e, password: $p) {{ {everything} session {{ refreshToken }} }} }}"
    );
    let l = gql(&auth, &login, json!({ "e": address, "p": PASSWORD }), &[]).await;
    assert!(l["errors"].is_null(), "{l}");
    gql(&auth, crate::support::accounts::REFRESH, json!({ "t": refresh }), &[]).await;
    crate::support::accounts::confirm_email(&auth, &address).await;
    gql(&auth, "mutation($e: String!) { requestPasswordReset(email: $e) { requested } }", json!({ "e": address }), &[])
        .await;
    let reset = crate::support::mail::nth_to(&address, 2).await.token();
    let q = "mutation($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) { userErrors { code } } }";
    let done = gql(&auth, q, json!({ "t": reset, "p": "another horse battery staple" }), &[]).await;
    assert!(done["errors"].is_null(), "{done}");
    let fresh = gql(&auth, &login, json!({ "e": address, "p": "another horse battery staple" }), &[]).await;
    let session = fresh["data"]["login"]["session"]["refreshToken"].clone();
    gql(&auth, crate::support::accounts::LOGOUT, json!({ "t": session }), &[]).await;
    check("AuthFunction", &recorder);

    // account: the whole customer, a change, a wishlist, erasure.
    let (svc, recorder) = services_recorded(&[]).await;
    let auth = auth::app(svc.clone());
    let account = account::app(svc.clone());
    let address = email("granted-account");
    let r = gql(&auth, REGISTER, json!({ "input": { "email": address, "password": PASSWORD } }), &[]).await;
    let access = r["data"]["registerCustomer"]["session"]["accessToken"].as_str().unwrap().to_string();
    recorder.take();
    let me = [bearer(&access)];
    assert!(gql(&account, &format!("{{ {everything} }}"), json!({}), &me).await["errors"].is_null());
    gql(&account, "mutation { updateCustomer(input: { firstName: \"Kim\" }) { userErrors { code } } }", json!({}), &me)
        .await;
    gql(&account, "mutation { addToWishlist(item: \"SKU-1\") { userErrors { code } } }", json!({}), &me).await;
    let change =
        "mutation($e: String!, $p: String!) { requestEmailChange(newEmail: $e, password: $p) { userErrors { code } } }";
    let r = gql(&account, change, json!({ "e": email("granted-moved"), "p": PASSWORD }), &me).await;
    assert!(r["errors"].is_null(), "{r}");
    let q = "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { session { accessToken } } }";
    let r = gql(&account, q, json!({ "c": PASSWORD, "n": "another horse battery staple" }), &me).await;
    let access = r["data"]["changePassword"]["session"]["accessToken"].as_str().expect("a new session").to_string();
    let me = [bearer(&access)];
    let deleted = gql(
        &account,
        "mutation($p: String!) { deleteAccount(password: $p) { deleted } }",
        json!({ "p": "another horse battery staple" }),
        &me,
    )
    .await;
    assert_eq!(deleted["data"]["deleteAccount"]["deleted"], true, "{deleted}");
    check("AccountFunction", &recorder);

    // subscriptions: newsletter, back-in-stock, contact.
    let (svc, recorder) = services_recorded(&[]).await;
    let subs = subscriptions::app(with_role(&svc, subscriptions::TOKEN_ROLE));
    let member = email("granted-member");
    let r = gql(&auth::app(svc.clone()), REGISTER, json!({ "input": { "email": member, "password": PASSWORD } }), &[])
        .await;
    let access = r["data"]["registerCustomer"]["session"]["accessToken"].as_str().unwrap().to_string();
    recorder.take();
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
    let token = crate::support::mail::nth_to(&who, 1).await.token();
    let q = "mutation($t: String!) { confirmNewsletterSubscription(token: $t) { status } }";
    let confirmed = gql(subs.graphql(), q, json!({ "t": token }), &[]).await;
    assert_eq!(confirmed["data"]["confirmNewsletterSubscription"]["status"], "SUBSCRIBED", "{confirmed}");
    let mine =
        "mutation { backInStockSubscribe(input: { item: \"SKU-2\", shipTo: { countryCode: \"DE\" } }) { subscribed } }";
    let own = gql(subs.graphql(), mine, json!({}), &[bearer(&access)]).await;
    assert!(own["errors"].is_null(), "{own}");
    check("SubscriptionsFunction", &recorder);

    // admin: create, search, the buyer's side, notify, erase.
    let (svc, recorder) = services_recorded(&[]).await;
    let key = crate::admin::mint(&svc, "default", &shared::domain::Permission::ALL).await;
    recorder.take(); // minting is customer-ctl's, never a function's
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
    check("AdminFunction", &recorder);

    // events: the stream of a table where a customer registered (its mail
    // goes out), was erased (the job runs), and SES reported a bounce.
    let aws = crate::support::aws().await;
    let table = crate::support::unique("granted-events");
    let plain = aws_sdk_dynamodb::Client::new(&aws);
    shared::store::table::create_table(&plain, &table).await.expect("create table");
    let store = std::sync::Arc::new(shared::store::DynamoStore::new(plain, table.clone()));
    let svc = std::sync::Arc::new(
        shared::Services::new(crate::support::config(&table, &[]), store, shared::auth::TokenRole::Issuer)
            .expect("services"),
    );
    let recorder = Recorder::default();
    let conf = aws_sdk_dynamodb::config::Builder::from(&aws).interceptor(recorder.clone()).build();
    let recorded = shared::store::DynamoStore::new(aws_sdk_dynamodb::Client::from_conf(conf), table.clone());
    let mailer = std::sync::Arc::new(shared::mail::SesMailer::new(&aws));
    let publisher = crate::support::publisher(&aws, "default");
    let relay = crate::support::spawn_relay_over(&aws, &table, recorded.clone(), mailer.clone(), publisher.clone());
    let gone = email("granted-events");
    let r =
        gql(&auth::app(svc.clone()), REGISTER, json!({ "input": { "email": gone, "password": PASSWORD } }), &[]).await;
    let access = r["data"]["registerCustomer"]["session"]["accessToken"].as_str().unwrap().to_string();
    let q = "mutation($p: String!) { deleteAccount(password: $p) { deleted } }";
    gql(&account::app(svc.clone()), q, json!({ "p": PASSWORD }), &[bearer(&access)]).await;
    // A proven customer with an order, a ledger receipt and subscriptions:
    // its erasure removes every kind of item the job knows.
    let key = crate::admin::mint(&svc, "default", &shared::domain::Permission::ALL).await;
    let (admin, k) = (admin::app(svc.clone()), [bearer(&key)]);
    let buyer = email("granted-buyer");
    let q = "mutation($e: String!) { createCustomer(input: { email: $e, emailVerified: true }) { customer { id } } }";
    let made = gql(&admin, q, json!({ "e": buyer }), &k).await;
    let id = made["data"]["createCustomer"]["customer"]["id"].as_str().unwrap().to_string();
    for q in [
        "mutation($id: ID!) { recordOrder(input: { orderId: \"SO-EV\", customer: { customerId: $id }, status: PAID, placedAt: \"2026-11-01T10:00:00Z\", total: { amount: \"10\", currencyCode: \"EUR\" } }) { result } }",
        "mutation($id: ID!) { adjustPoints(customer: { customerId: $id }, points: 5, reason: \"r\", idempotencyKey: \"k-ev\") { userErrors { code } } }",
    ] {
        assert!(gql(&admin, q, json!({ "id": id }), &k).await["errors"].is_null(), "{q}");
    }
    let subs = subscriptions::app(svc.clone());
    for q in [
        format!("mutation {{ subscribeToNewsletter(email: \"{buyer}\") {{ status }} }}"),
        format!("mutation {{ backInStockSubscribe(input: {{ email: \"{buyer}\", item: \"SKU-EV\", shipTo: {{ countryCode: \"DE\" }} }}) {{ subscribed }} }}"),
    ] {
        assert!(gql(subs.graphql(), &q, json!({}), &[]).await["errors"].is_null(), "{q}");
    }
    let q = "mutation($id: ID!) { deleteCustomer(id: $id) { deleted } }";
    assert_eq!(gql(&admin, q, json!({ "id": id }), &k).await["data"]["deleteCustomer"]["deleted"], true);
    crate::support::settle(&svc).await;
    relay.abort();
    let function = events::Events::new(std::sync::Arc::new(recorded), mailer, publisher);
    let bounce = include_str!("../events/events/ses-bounce.json").replace("ann@example.com", &email("granted-events"));
    let bounce: serde_json::Value = serde_json::from_str(&bounce).unwrap();
    function.handle_payload(bounce, std::time::SystemTime::now()).await.expect("the bounce handled");
    let touches = check("EventsFunction", &recorder);
    let removed: std::collections::BTreeSet<&str> = touches
        .iter()
        .filter(|t| t.action == "dynamodb:BatchWriteItem")
        .filter_map(|t| t.partition.as_deref().and_then(|p| p.split('#').nth(2)))
        .collect();
    for kind in ["C", "ORDER", "LOYALTYKEY", "NEWSLETTER", "BIS", "TOKEN"] {
        assert!(removed.contains(kind), "the erasure's job removed no {kind} item here: {removed:?}");
    }
}

/// The imports function's role allows every DynamoDB action an import or
/// an export makes (and grants none it never needs): imports that create
/// customers with password hashes and newsletter decisions, fail rows, and
/// move an email; exports of everyone and of a query.
#[tokio::test]
async fn the_imports_function_is_granted_every_dynamodb_action_an_import_or_export_makes() {
    use crate::support::imports::{rig_with_worker, upload, IMPORT_FIELDS};
    use crate::support::{bearer, email, gql};
    use serde_json::json;
    let t = template();
    let recorder = Recorder::default();
    let rig = rig_with_worker(recorder.clone()).await;
    let key = crate::admin::mint(&rig.svc, "default", &shared::domain::Permission::ALL).await;
    let admin = admin::app(rig.svc.clone());
    let k = [bearer(&key)];
    let import = |file: String, options: serde_json::Value| {
        let (admin, k) = (&admin, &k);
        async move {
            let q = format!(
                "mutation {{ stageCustomerImport(input: {{ format: JSONL }}) {{ import {{ {IMPORT_FIELDS} }} }} }}"
            );
            let staged = gql(admin, &q, json!({}), k).await["data"]["stageCustomerImport"]["import"].clone();
            upload(staged["uploadUrl"].as_str().expect("an upload URL"), file).await;
            let q = "mutation($id: ID!, $o: CustomerImportOptions) { runCustomerImport(id: $id, options: $o) { userErrors { code } } }";
            gql(admin, q, json!({ "id": staged["id"], "o": options }), k).await;
            let q = "query($id: ID!) { customerImport(id: $id) { status } }";
            for _ in 0..600 {
                let r = gql(admin, q, json!({ "id": staged["id"] }), k).await;
                if !matches!(r["data"]["customerImport"]["status"].as_str(), Some("STAGED" | "RUNNING")) {
                    return r;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            panic!("the import did not finish");
        }
    };
    let (first, moved) = (email("granted-import"), email("granted-moved"));
    let rows = [
        json!({ "email": first, "ref": "R-1", "newsletter": "SUBSCRIBED",
                "passwordHash": { "algorithm": "PHPASS", "value": "$P$B12345678L6Lpt4BxNotVIMILOa9u81" } }),
        json!({ "email": "not an address" }),
    ];
    import(rows.map(|r| r.to_string()).join("\n"), json!({})).await;
    let row = json!({ "email": moved, "ref": "R-1", "newsletter": "UNSUBSCRIBED" });
    import(row.to_string(), json!({ "matchBy": "REF" })).await;
    // An export of every customer and one by a query: the search's reads.
    for input in [json!({ "format": "CSV" }), json!({ "format": "JSONL", "query": "granted" })] {
        let q = "mutation($i: StartCustomerExportInput!) { startCustomerExport(input: $i) { export { id } } }";
        let started = gql(&admin, q, json!({ "i": input }), &k).await;
        let id = started["data"]["startCustomerExport"]["export"]["id"].clone();
        let q = "query($id: ID!) { customerExport(id: $id) { status } }";
        let mut done = false;
        for _ in 0..600 {
            let r = gql(&admin, q, json!({ "id": id }), &k).await;
            if r["data"]["customerExport"]["status"] != "RUNNING" {
                assert_eq!(r["data"]["customerExport"]["status"], "COMPLETED", "{r}");
                done = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(done, "the export did not finish");
    }
    check_grants(&t, "ImportsFunction", &recorder);
}
