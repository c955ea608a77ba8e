//! A dependency that hangs (its process stopped, as a stalled service looks
//! to a Lambda) gives a clean `INTERNAL` within the SDK's timeouts, never a
//! hung request, and leaves nothing half-written.

use crate::support::accounts::{login, register, PASSWORD};
use crate::support::private::Private;
use crate::support::{codes, config, email, gql, top_error, unique};
use serde_json::json;
use shared::auth::TokenRole;
use shared::mail::SesMailer;
use shared::store::DynamoStore;
use shared::Services;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The services of a test over a DynamoDB Local of its own.
async fn services_on(ddb: &Private) -> Arc<Services> {
    let aws = crate::support::aws().await;
    let conf = aws_sdk_dynamodb::config::Builder::from(&aws).endpoint_url(&ddb.endpoint).build();
    let client = aws_sdk_dynamodb::Client::from_conf(conf);
    let table = unique("faults");
    shared::store::table::create_table(&client, &table).await.expect("create table");
    let store = DynamoStore::new(client, table.clone());
    let svc = Services::new(config(&table, &[]), Arc::new(store), Arc::new(SesMailer::new(&aws)), TokenRole::Issuer);
    Arc::new(svc.expect("services"))
}

/// No hang: the answer comes within the SDK's operation timeout (with room
/// for the test machine), not when some outer timeout gives up.
fn assert_prompt(started: Instant) {
    let bound = shared::aws::OPERATION_TIMEOUT + Duration::from_secs(3);
    assert!(started.elapsed() < bound, "answered after {:?}, over {bound:?}", started.elapsed());
}

#[tokio::test]
async fn with_dynamodb_stopped_a_query_and_a_mutation_answer_internal_and_nothing_is_half_written() {
    let ddb = Private::dynamodb().await;
    let svc = services_on(&ddb).await;
    let auth = auth::app(svc.clone());
    let account = account::app(svc);
    let me = email("present");
    let access = register(&auth, &me, &[]).await["session"]["accessToken"].as_str().expect("registered").to_string();

    ddb.pause();
    let started = Instant::now();
    let q = gql(&account, "{ customer { id email } }", json!({}), &[crate::support::bearer(&access)]).await;
    assert_eq!(top_error(&q).as_deref(), Some("INTERNAL"), "{q}");
    assert!(q["errors"][0]["extensions"]["requestId"].is_string(), "with the request id: {q}");
    assert_prompt(started);

    let newcomer = email("newcomer");
    let started = Instant::now();
    let m = register(&auth, &newcomer, &[]).await;
    assert_prompt(started);
    let resp_code =
        gql(&auth, "mutation($e: String!) { requestPasswordReset(email: $e) { requested } }", json!({ "e": me }), &[])
            .await;
    assert_eq!(top_error(&resp_code).as_deref(), Some("INTERNAL"), "{resp_code}");
    assert!(m.is_null(), "the registration answered with an error, not data: {m}");

    ddb.resume();
    // All or nothing: the newcomer either exists whole (and logs in) or not
    // at all (and registers now); the customer from before is intact.
    let l = login(&auth, &newcomer, PASSWORD, &[]).await;
    if codes(&l).is_empty() {
        assert_eq!(codes(&register(&auth, &newcomer, &[]).await), ["TAKEN"]);
    } else {
        assert_eq!(codes(&l), ["INVALID_CREDENTIALS"]);
        let again = register(&auth, &newcomer, &[]).await;
        assert!(codes(&again).is_empty(), "{again}");
    }
    assert!(codes(&login(&auth, &me, PASSWORD, &[]).await).is_empty());
}
