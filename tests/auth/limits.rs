use super::*;
use crate::support::{post, top_error};
use lambda_http::http::Method;
use lambda_http::{Body, RequestExt};

async fn raw(app: &AuthApp, body: &[u8]) -> (u16, Value) {
    post(app, body.to_vec(), &[]).await
}

async fn still_serves(app: &AuthApp) {
    let resp = gql(app, "{ passwordPolicy { minLength } }", json!({}), &[]).await;
    assert_eq!(resp["data"]["passwordPolicy"]["minLength"], 10);
}

#[tokio::test]
async fn oversized_malformed_deep_and_overbatched_requests_are_refused_and_serving_goes_on() {
    let app = app(&[]).await;

    let big = format!(
        r#"{{"query":"{{ passwordPolicy {{ minLength }} }}","variables":{{"pad":"{}"}}}}"#,
        "x".repeat(1024 * 1024)
    );
    let (status, body) = raw(&app, big.as_bytes()).await;
    assert_eq!(status, 413);
    assert_eq!(top_error(&body).as_deref(), Some("BAD_REQUEST"));
    still_serves(&app).await;

    let (status, body) = raw(&app, b"{not json").await;
    assert_eq!(status, 400);
    assert!(body["errors"][0]["message"].is_string());
    still_serves(&app).await;

    // Deep and complex queries are refused by validation, before any work.
    let introspecting = super::app(&[("GRAPHIQL", "true")]).await;
    let deep = format!(
        "{{ __schema {{ types {{ fields {{ type {{ {} name {} }} }} }} }} }}",
        "ofType { ".repeat(12),
        "} ".repeat(12)
    );
    let resp = gql(&introspecting, &deep, json!({}), &[]).await;
    assert!(resp["errors"][0]["message"].as_str().is_some_and(|m| m.contains("too deep")), "{resp}");
    let wide: String = (0..600).map(|i| format!("a{i}: passwordPolicy {{ minLength }} ")).collect();
    let resp = gql(&app, &format!("{{ {wide} }}"), json!({}), &[]).await;
    assert!(resp["errors"][0]["message"].as_str().is_some_and(|m| m.contains("too complex")), "{resp}");
    still_serves(&app).await;

    let one = json!({ "query": "{ passwordPolicy { minLength } }" });
    let batch: Vec<Value> = (0..11).map(|_| one.clone()).collect();
    let (status, body) = raw(&app, &serde_json::to_vec(&batch).unwrap()).await;
    assert_eq!(status, 400, "{body}");
    let batch: Vec<Value> = (0..3).map(|_| one.clone()).collect();
    let (status, body) = raw(&app, &serde_json::to_vec(&batch).unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(body.as_array().map(Vec::len), Some(3), "a small batch runs");
    still_serves(&app).await;
}

async fn get(app: &AuthApp) -> Result<lambda_http::Response<Body>, std::convert::Infallible> {
    let req = lambda_http::http::Request::builder()
        .method(Method::GET)
        .uri("https://api.example.com/auth/graphql")
        .body(Body::Empty)
        .unwrap()
        .with_lambda_context(Default::default());
    app.handle(req).await
}

#[tokio::test]
async fn graphiql_and_introspection_follow_the_switch() {
    let off = app(&[]).await;
    assert_eq!(get(&off).await.unwrap().status(), 405);
    let resp = gql(&off, "{ __schema { queryType { name } } }", json!({}), &[]).await;
    assert!(resp["data"]["__schema"].is_null(), "introspection is off: {resp}");

    let on = app(&[("GRAPHIQL", "true")]).await;
    let page = get(&on).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(matches!(page.body(), Body::Text(t) if t.contains("graphiql")));
    let resp = gql(&on, "{ __schema { queryType { name } } }", json!({}), &[]).await;
    assert_eq!(resp["data"]["__schema"]["queryType"]["name"], "Query");
}

#[tokio::test]
async fn tenants_the_deployment_does_not_list_are_refused() {
    let settings: Value = serde_json::from_str(&crate::support::tenants_json()).unwrap();
    let listed = json!({ "shop-a": settings["*"] }).to_string();
    let app = super::app(&[("TENANTS", &listed)]).await;
    let query = "{ passwordPolicy { minLength } }";
    let ok = gql(&app, query, json!({}), &[crate::support::tenant("shop-a")]).await;
    assert_eq!(ok["data"]["passwordPolicy"]["minLength"], 10, "{ok}");
    for headers in [vec![crate::support::tenant("made-up")], vec![]] {
        let refused = gql(&app, query, json!({}), &headers).await;
        assert_eq!(top_error(&refused).as_deref(), Some("UNAUTHENTICATED"), "{headers:?}: {refused}");
    }
    // Registering in a made-up tenant sends nothing.
    let address = crate::support::email("nowhere");
    register(&app, &address, &[crate::support::tenant("made-up")]).await;
    crate::support::settle(app.services()).await;
    assert!(crate::support::mail::sent_to(&address).await.is_empty());
    // A customer of a listed shop needs no header: its token names the shop.
    let member = crate::support::email("member");
    let r = register(&app, &member, &[crate::support::tenant("shop-a")]).await;
    let access = r["session"]["accessToken"].as_str().expect("registered in shop-a").to_string();
    let account = account::app(app.services().clone());
    let me = gql(&account, "{ customer { email } }", json!({}), &[crate::support::bearer(&access)]).await;
    assert_eq!(me["data"]["customer"]["email"], member.as_str(), "{me}");
}
