use lambda_runtime::{run, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::logging::init();
    let imports = imports::Imports::from_env().await?;
    run(service_fn(|event| imports.invoke(event))).await
}
