//! Sends mail through SES v2 (the SES emulator locally).

use super::{Mail, MailError, Mailer, TENANT_TAG};
use async_trait::async_trait;
use aws_sdk_sesv2::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_sesv2::operation::send_email::SendEmailError;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message, MessageHeader, MessageTag};
use aws_sdk_sesv2::Client;
use std::sync::OnceLock;

/// The SES client is built at the first mail, not at init: most requests
/// send none, and building a client is ~0.14 ms of a cold start
/// (docs/performance.md).
#[derive(Clone)]
pub struct SesMailer {
    config: aws_config::SdkConfig,
    client: OnceLock<Client>,
    configuration_set: Option<String>,
}

impl SesMailer {
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        Self { config: config.clone(), client: OnceLock::new(), configuration_set: None }
    }

    /// Sends with the SES configuration set `name` (`SES_CONFIGURATION_SET`
    /// deployed): its event destination reports bounces and complaints.
    pub fn with_configuration_set(mut self, name: Option<String>) -> Self {
        self.configuration_set = name.filter(|n| !n.trim().is_empty());
        self
    }

    /// With a client of the caller's (another endpoint, say).
    pub fn with_client(config: &aws_config::SdkConfig, client: Client) -> Self {
        let mailer = Self::new(config);
        let _ = mailer.client.set(client);
        mailer
    }

    fn client(&self) -> &Client {
        self.client.get_or_init(|| Client::new(&self.config))
    }
}

fn content(data: &str) -> Result<Content, MailError> {
    Content::builder().data(data).charset("UTF-8").build().map_err(unbuildable)
}

/// A message that cannot even be put together is refused for good: the
/// same mail never builds.
fn unbuildable(e: impl std::fmt::Display) -> MailError {
    MailError::Rejected(format!("the message cannot be built: {e}"))
}

/// SES's refusals that sending again cannot overcome. Everything else
/// (throttling: `TooManyRequestsException`, `LimitExceededException`; SES's
/// own failures; network errors and timeouts) is worth another attempt.
/// `SendingPausedException` counts as permanent: sending resumes only when an
/// operator acts, long after the stream's retries are spent, and the mail is
/// then better kept with its reason than parked without one.
fn permanent(e: &SendEmailError) -> bool {
    matches!(
        e,
        SendEmailError::MessageRejected(_)
            | SendEmailError::BadRequestException(_)
            | SendEmailError::MailFromDomainNotVerifiedException(_)
            | SendEmailError::NotFoundException(_)
            | SendEmailError::AccountSuspendedException(_)
            | SendEmailError::SendingPausedException(_)
    )
}

fn classify<R>(e: SdkError<SendEmailError, R>) -> MailError
where
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match e.as_service_error() {
        Some(service) if permanent(service) => MailError::Rejected(format!(
            "{}: {}",
            service.code().unwrap_or("SES refused the mail"),
            service.message().unwrap_or("no reason given")
        )),
        _ => MailError::Transient(anyhow::anyhow!("send mail: {}", DisplayErrorContext(e))),
    }
}

/// `address` as SES takes it: SES speaks no SMTPUTF8, so an internationalised
/// domain goes as Punycode (`bücher.example` as `xn--bcher-kva.example`),
/// and a local part that is not ASCII cannot go at all (None).
fn ses_address(address: &str) -> Option<String> {
    let (local, domain) = address.rsplit_once('@')?;
    let domain = idna::domain_to_ascii(domain).ok()?;
    local.is_ascii().then(|| format!("{local}@{domain}"))
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send(&self, from: &str, mail: &Mail) -> Result<(), MailError> {
        let to = ses_address(&mail.to)
            .ok_or_else(|| MailError::Rejected("SES cannot send to an address whose local part is not ASCII".into()))?;
        // A Reply-To SES cannot take is left out: the sender's address is
        // in the mail's text, and the mail still reaches the shop.
        let reply_to = mail.reply_to.as_deref().and_then(ses_address);
        let mut message = Message::builder()
            .subject(content(&mail.subject)?)
            .body(Body::builder().text(content(&mail.text)?).html(content(&mail.html)?).build());
        for (name, value) in &mail.headers {
            message = message.headers(MessageHeader::builder().name(name).value(value).build().map_err(unbuildable)?);
        }
        // Tenant ids are lower-case letters, digits and `-`: a valid tag value.
        let tags = match (&self.configuration_set, &mail.tenant) {
            (Some(_), Some(tenant)) => {
                Some(vec![MessageTag::builder().name(TENANT_TAG).value(tenant).build().map_err(unbuildable)?])
            }
            _ => None,
        };
        self.client()
            .send_email()
            .from_email_address(from)
            .set_reply_to_addresses(reply_to.map(|address| vec![address]))
            .destination(Destination::builder().to_addresses(to).build())
            .content(EmailContent::builder().simple(message.build()).build())
            .set_configuration_set_name(self.configuration_set.clone())
            .set_email_tags(tags)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_sesv2::types::error::{MessageRejected, TooManyRequestsException};

    #[test]
    fn addresses_go_to_ses_in_ascii_or_not_at_all() {
        assert_eq!(ses_address("ann@example.com").as_deref(), Some("ann@example.com"));
        assert_eq!(ses_address("ann@bücher.example").as_deref(), Some("ann@xn--bcher-kva.example"));
        assert_eq!(ses_address("jörg@example.com"), None);
    }

    #[test]
    fn refusals_for_good_and_throttling_are_told_apart() {
        let rejected = SendEmailError::MessageRejected(MessageRejected::builder().message("bad content").build());
        assert!(permanent(&rejected));
        let throttled = SendEmailError::TooManyRequestsException(TooManyRequestsException::builder().build());
        assert!(!permanent(&throttled));
    }
}
