use lambda_http::{run, service_fn};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::logging::init();
    let app = subscriptions::app(Arc::new(shared::Services::from_env(subscriptions::TOKEN_ROLE).await?));
    run(service_fn(|req| app.handle(req))).await
}
