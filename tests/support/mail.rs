//! Reads what the functions sent from the SES emulator (`GET /store`).

use serde_json::Value;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct SentMail {
    pub to: Vec<String>,
    pub from: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub headers: Vec<(String, String)>,
    /// The `Reply-To` addresses (SES's `ReplyToAddresses`, which the
    /// emulator keeps apart from the headers).
    pub reply_to: Vec<String>,
}

impl SentMail {
    /// The `token` query parameter of the first link in the text body.
    pub fn token(&self) -> String {
        let start = self.text.find("token=").expect("a link with a token") + "token=".len();
        self.text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
    }

    /// The first http(s) link in the text body.
    pub fn link(&self) -> String {
        self.links().into_iter().next().expect("a link")
    }

    /// Every http(s) link in the text body, in order.
    pub fn links(&self) -> Vec<String> {
        self.text.split_whitespace().filter(|w| w.starts_with("http")).map(String::from).collect()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

fn endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL_SESV2").expect("AWS_ENDPOINT_URL_SESV2 (set by scripts/test.sh)")
}

/// Every mail sent to `address` so far, oldest first.
pub async fn sent_to(address: &str) -> Vec<SentMail> {
    let store: Value = reqwest::get(format!("{}/store", endpoint()))
        .await
        .expect("SES emulator reachable")
        .json()
        .await
        .expect("SES store is JSON");
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    store["emails"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| {
            let to: Vec<String> = m["destination"]["to"].as_array()?.iter().map(s).collect();
            to.iter().any(|t| t.eq_ignore_ascii_case(address)).then(|| SentMail {
                to,
                from: s(&m["from"]),
                subject: s(&m["subject"]),
                text: s(&m["body"]["text"]),
                html: s(&m["body"]["html"]),
                headers: m["headers"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|h| (s(&h["name"]), s(&h["value"])))
                    .collect(),
                reply_to: m["replyTo"].as_array().into_iter().flatten().map(s).collect(),
            })
        })
        .collect()
}

/// Waits for the `n`-th mail to `address` (at most `STREAM_WAIT`): mail goes out through the
/// outbox, a moment after the request (the emulator stores a mail before it
/// answers, so after `settle` every sent mail is there).
pub async fn nth_to(address: &str, n: usize) -> SentMail {
    let deadline = tokio::time::Instant::now() + super::STREAM_WAIT;
    while tokio::time::Instant::now() < deadline {
        let mails = sent_to(address).await;
        if mails.len() >= n {
            return mails[n - 1].clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no mail #{n} to {address}");
}
