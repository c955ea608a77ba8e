//! Rendering the transactional outbox's mail: a mail is written as an item in the same
//! DynamoDB transaction as the change that causes it, and the `events`
//! function sends it from the table's stream. A request never waits for
//! SES, and a mail is never lost because SES was slow or down.

use super::{render, Mail};
use crate::domain::OutboxMail;

impl OutboxMail {
    /// The mail as it is sent.
    pub fn render(&self) -> anyhow::Result<Mail> {
        let context: serde_json::Value = serde_json::from_str(&self.context)?;
        let mut mail =
            render(self.template, self.language.as_deref(), &self.to, minijinja::Value::from_serialize(&context))?;
        mail.headers = self.headers.clone();
        mail.reply_to = self.reply_to.clone();
        mail.tenant = Some(self.tenant_id.clone());
        Ok(mail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Template;

    #[test]
    fn an_outbox_mail_renders_like_a_mail_rendered_at_once() {
        let ctx =
            serde_json::json!({ "shop": "Shop", "name": "Ann", "link": "https://x.test/?token=t", "expires": "soon" });
        let m = OutboxMail::new(
            "t",
            Template::ConfirmEmail,
            "s@x.test",
            "a@x.test",
            Some("de"),
            &ctx,
            crate::clock::an_instant(),
        );
        let direct =
            render(Template::ConfirmEmail, Some("de"), "a@x.test", minijinja::Value::from_serialize(&ctx)).unwrap();
        let rendered = m.render().unwrap();
        assert_eq!((rendered.subject, rendered.text, rendered.html), (direct.subject, direct.text, direct.html));
        let stored: OutboxMail = serde_json::from_value(serde_json::to_value(&m).unwrap()).unwrap();
        assert_eq!(stored, m);
    }

    #[test]
    fn a_reply_to_is_kept_and_items_written_without_one_still_read() {
        let ctx = serde_json::json!({ "shop": "Shop" });
        let m = OutboxMail::new(
            "t",
            Template::ConfirmEmail,
            "s@x.test",
            "a@x.test",
            None,
            &ctx,
            crate::clock::an_instant(),
        );
        let json = serde_json::to_value(&m).unwrap();
        assert!(json.get("replyTo").is_none(), "no attribute when there is none: {json}");
        let old: OutboxMail = serde_json::from_value(json).unwrap();
        assert_eq!(old.reply_to, None);
        let answered = m.with_reply_to("visitor@x.test");
        let stored: OutboxMail = serde_json::from_value(serde_json::to_value(&answered).unwrap()).unwrap();
        assert_eq!(stored.reply_to.as_deref(), Some("visitor@x.test"));
        assert_eq!(stored.render().unwrap().reply_to.as_deref(), Some("visitor@x.test"));
    }
}
