//! JSON logs through `tracing`. The Lambda runtime opens a span per
//! invocation carrying the request id, which every line includes. Code logs
//! ids and masked emails only, never passwords or tokens.

use std::str::FromStr;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

const DEFAULT_FILTER: &str = "info,aws_config=warn,aws_smithy_runtime=warn";

/// `RUST_LOG` as `level` or `level,target=level,...` (a plain target filter:
/// no regex engine on the cold-start path or in the binary).
pub fn init() {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|f| Targets::from_str(&f).ok())
        .unwrap_or_else(|| Targets::from_str(DEFAULT_FILTER).unwrap_or_default());
    let json = tracing_subscriber::fmt::layer().json().with_current_span(true).with_span_list(false).with_target(false);
    let _ = tracing_subscriber::registry().with(json).with(filter).try_init();
}
