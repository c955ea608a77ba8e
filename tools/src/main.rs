//! `customer-ctl`: operator commands against the table named by `TABLE_NAME`
//! (and `AWS_ENDPOINT_URL_DYNAMODB` locally).
//!
//!   customer-ctl create-table    create the table (indexes, TTL) unless it exists

use shared::store::table;

const USAGE: &str = "usage: customer-ctl create-table";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let table_name = std::env::var("TABLE_NAME").unwrap_or_else(|_| "customers".into());
    let aws = aws_config::load_from_env().await;
    let client = aws_sdk_dynamodb::Client::new(&aws);
    match args.first().map(String::as_str) {
        Some("create-table") => {
            let created = table::ensure_table(&client, &table_name).await?;
            println!("table {table_name}: {}", if created { "created" } else { "already there" });
            Ok(())
        }
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    }
}
