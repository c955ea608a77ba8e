//! Sends mail through SES v2 (the SES emulator locally).

use super::{Mail, Mailer};
use async_trait::async_trait;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message, MessageHeader};
use aws_sdk_sesv2::Client;
use std::sync::OnceLock;

/// The SES client is built at the first mail, not at init: most requests
/// send none, and building a client is ~0.14 ms of a cold start (README,
/// "Performance").
#[derive(Clone)]
pub struct SesMailer {
    config: aws_config::SdkConfig,
    client: OnceLock<Client>,
}

impl SesMailer {
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        Self { config: config.clone(), client: OnceLock::new() }
    }

    fn client(&self) -> &Client {
        self.client.get_or_init(|| Client::new(&self.config))
    }
}

fn content(data: &str) -> anyhow::Result<Content> {
    Ok(Content::builder().data(data).charset("UTF-8").build()?)
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send(&self, from: &str, mail: &Mail) -> anyhow::Result<()> {
        let mut message = Message::builder()
            .subject(content(&mail.subject)?)
            .body(Body::builder().text(content(&mail.text)?).html(content(&mail.html)?).build());
        for (name, value) in &mail.headers {
            message = message.headers(MessageHeader::builder().name(name).value(value).build()?);
        }
        self.client()
            .send_email()
            .from_email_address(from)
            .destination(Destination::builder().to_addresses(&mail.to).build())
            .content(EmailContent::builder().simple(message.build()).build())
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("send mail: {}", aws_sdk_sesv2::error::DisplayErrorContext(e)))?;
        Ok(())
    }
}
