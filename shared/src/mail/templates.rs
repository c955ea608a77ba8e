//! Mail templates: a subject, a text and an HTML body per kind and language,
//! compiled into the binary. HTML is auto-escaped; English is the fallback.

use super::Mail;
use crate::domain::Template;
use minijinja::Environment;
use std::sync::OnceLock;

impl Template {
    fn dir(self) -> &'static str {
        match self {
            Template::ConfirmEmail => "confirm_email",
            Template::ResetPassword => "reset_password",
            Template::ChangeEmail => "change_email",
            Template::EmailChangeNotice => "email_change_notice",
            Template::EmailChanged => "email_changed",
            Template::PasswordChanged => "password_changed",
            Template::Invite => "invite",
            Template::NewsletterConfirm => "newsletter_confirm",
            Template::BackInStock => "back_in_stock",
            Template::ContactRequest => "contact_request",
            Template::DataExport => "data_export",
        }
    }
}

macro_rules! templates {
    ($($dir:literal),*) => {
        &[$(
            (concat!($dir, "/en.subject"), include_str!(concat!("../../templates/", $dir, "/en.subject"))),
            (concat!($dir, "/en.txt"), include_str!(concat!("../../templates/", $dir, "/en.txt"))),
            (concat!($dir, "/en.html"), include_str!(concat!("../../templates/", $dir, "/en.html"))),
            (concat!($dir, "/de.subject"), include_str!(concat!("../../templates/", $dir, "/de.subject"))),
            (concat!($dir, "/de.txt"), include_str!(concat!("../../templates/", $dir, "/de.txt"))),
            (concat!($dir, "/de.html"), include_str!(concat!("../../templates/", $dir, "/de.html"))),
        )*]
    };
}

const SOURCES: &[(&str, &str)] = templates!(
    "confirm_email",
    "reset_password",
    "change_email",
    "email_change_notice",
    "email_changed",
    "password_changed",
    "invite",
    "newsletter_confirm",
    "back_in_stock",
    "contact_request",
    "data_export"
);

/// Built on first use, not at cold start: most invocations send no mail.
fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, source) in SOURCES {
            // The sources are compiled in and covered by tests; a broken one fails the build's tests.
            env.add_template(name, source).expect("mail template compiles");
        }
        env
    })
}

/// A subject on one line, whatever a variable held: a line break in a
/// header would start another header.
fn one_line(s: &str) -> String {
    s.split(['\r', '\n']).map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Renders `template` in `language` (falling back to English) for `to`.
pub fn render(template: Template, language: Option<&str>, to: &str, ctx: minijinja::Value) -> anyhow::Result<Mail> {
    let env = env();
    let lang =
        language.filter(|l| env.get_template(&format!("{}/{l}.subject", template.dir())).is_ok()).unwrap_or("en");
    let part = |ext: &str| -> anyhow::Result<String> {
        let t = env.get_template(&format!("{}/{lang}.{ext}", template.dir()))?;
        Ok(t.render(&ctx)?)
    };
    Ok(Mail {
        to: to.to_string(),
        subject: one_line(&part("subject")?),
        text: part("txt")?,
        html: part("html")?,
        headers: vec![],
        reply_to: None,
        tenant: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_template_and_escapes_html() {
        for t in [
            Template::ConfirmEmail,
            Template::ResetPassword,
            Template::ChangeEmail,
            Template::EmailChangeNotice,
            Template::EmailChanged,
            Template::PasswordChanged,
            Template::Invite,
            Template::DataExport,
        ] {
            for lang in [Some("en"), Some("de"), Some("fr"), None] {
                let ctx = minijinja::context! { shop => "Shop", name => "<b>Ann</b>", link => "https://x.test/?token=a&b=1", expires => "soon", new_email => "n@x.test", unsubscribe => "https://x.test/u?token=b", item => "<Shoe>", at => "2026-01-01 10:00 UTC", reset => true };
                let m = render(t, lang, "a@b.test", ctx).unwrap();
                assert!(!m.subject.is_empty() && !m.subject.contains('\n'));
                if !matches!(t, Template::EmailChanged | Template::PasswordChanged | Template::BackInStock) {
                    assert!(m.text.contains("https://x.test/?token=a&b=1"));
                }
                assert!(
                    m.html.contains("&lt;b&gt;Ann&lt;&#x2f;b&gt;") || m.html.contains("&lt;b&gt;Ann&lt;/b&gt;"),
                    "{}",
                    m.html
                );
            }
        }
    }

    #[test]
    fn a_contact_request_shows_the_visitor_and_escapes_it_in_html() {
        for lang in [Some("en"), Some("de"), None] {
            let ctx = minijinja::context! {
                shop => "Shop",
                sender => "Dr. <b>Ann</b>",
                email => "ann@x.test",
                subject => "Where is <b>my</b> order?",
                message => "Line one\n<script>alert(1)</script>",
            };
            let m = render(Template::ContactRequest, lang, "service@x.test", ctx).unwrap();
            assert!(m.subject.starts_with("[Shop] "), "{}", m.subject);
            assert!(m.subject.ends_with(": Where is <b>my</b> order?"), "the subject is not HTML: {}", m.subject);
            for part in
                ["Dr. <b>Ann</b>", "ann@x.test", "Where is <b>my</b> order?", "Line one\n<script>alert(1)</script>"]
            {
                assert!(m.text.contains(part), "{part} in {}", m.text);
            }
            assert!(!m.html.contains("<script>") && !m.html.contains("<b>"), "{}", m.html);
            assert!(m.html.contains("&lt;script&gt;") && m.html.contains("Dr. &lt;b&gt;Ann"), "{}", m.html);
            assert!(m.html.contains("ann@x.test"), "{}", m.html);
        }
        let injected = minijinja::context! { shop => "Shop", email => "a@x.test", subject => "Hi\r\nBcc: x@y.test", message => "m" };
        let m = render(Template::ContactRequest, None, "service@x.test", injected).unwrap();
        assert!(!m.subject.contains('\n') && !m.subject.contains('\r'), "{:?}", m.subject);
    }
}
