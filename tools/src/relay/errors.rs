//! What the relay makes of the AWS SDK's errors: their codes and messages.

use aws_sdk_dynamodbstreams::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

/// The code of a service error (`ExpiredIteratorException`, ...).
pub(super) fn code_of<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> Option<String> {
    e.as_service_error().and_then(|s| s.code()).map(String::from)
}

pub(super) fn describe_error<E, R>(what: &str, e: SdkError<E, R>) -> anyhow::Error
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    anyhow::anyhow!("{what}: {}", DisplayErrorContext(e))
}
