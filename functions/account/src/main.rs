use lambda_http::{run, service_fn};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::logging::init();
    let app = account::app(Arc::new(shared::Services::from_env(account::TOKEN_ROLE).await?));
    run(service_fn(|req| account::handle(&app, req))).await
}
