//! The shop's contact form: a visitor's message to the shop. Nothing of it
//! is stored; a checked request becomes one mail to the shop.

use super::customer::{NAME_MAX, TITLE_MAX};
use super::errors::{ErrorCode, Problems, UserError};
use super::values::{required_text, text, Email};

/// The longest subject of a contact request, in characters (after trimming).
pub const CONTACT_SUBJECT_MAX: usize = 200;
/// The longest message of a contact request, in characters (after trimming).
pub const CONTACT_MESSAGE_MAX: usize = 5_000;

/// A checked contact request: who writes, about what, and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRequest {
    /// The sender's address: the shop answers to it.
    pub email: Email,
    pub salutation: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// One line: it goes into the mail's subject header.
    pub subject: String,
    /// Line breaks kept (as `\n`).
    pub message: String,
}

impl ContactRequest {
    /// Checks every field of a contact form at once; errors are located
    /// relative to the form (`email`, `subject`, ...).
    pub fn parse(
        email: &str,
        salutation: Option<&str>,
        first_name: Option<&str>,
        last_name: Option<&str>,
        subject: &str,
        message: &str,
    ) -> Result<Self, Vec<UserError>> {
        let mut p = Problems::new();
        let email = p.check(Email::parse(email, &["email"]));
        let salutation = p.check_opt(salutation, |s| text(s, TITLE_MAX, &["salutation"])).flatten();
        let first_name = p.check_opt(first_name, |s| text(s, NAME_MAX, &["firstName"])).flatten();
        let last_name = p.check_opt(last_name, |s| text(s, NAME_MAX, &["lastName"])).flatten();
        let subject = p.check(contact_subject(subject, &["subject"]));
        let message = p.check(contact_message(message, &["message"]));
        match (email, subject, message) {
            (Some(email), Some(subject), Some(message)) if p.is_empty() => {
                Ok(Self { email, salutation, first_name, last_name, subject, message })
            }
            _ => Err(p.into_errors()),
        }
    }

    /// The sender as the form names them (`Dr. Ada Lovelace`): the parts
    /// given, in order; `None` when none is.
    pub fn sender_name(&self) -> Option<String> {
        let parts: Vec<&str> =
            [&self.salutation, &self.first_name, &self.last_name].into_iter().flatten().map(String::as_str).collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// A contact request's subject: one line of 1-200 characters after
/// trimming. Line breaks and tabs become single spaces (the subject ends up
/// in a mail header, where a line break would start a header of the
/// sender's making); any other control character is `INVALID`.
pub fn contact_subject(raw: &str, field: &[&str]) -> Result<String, UserError> {
    let line = raw
        .split(['\r', '\n', '\t', '\u{0B}', '\u{0C}', '\u{85}', '\u{2028}', '\u{2029}'])
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    required_text(&line, CONTACT_SUBJECT_MAX, field)
}

/// A contact request's message: 1-5,000 characters after trimming, line
/// breaks kept (`\r\n` and `\r` become `\n`) and tabs too; any other control
/// character is `INVALID`.
pub fn contact_message(raw: &str, field: &[&str]) -> Result<String, UserError> {
    let unified = raw.replace("\r\n", "\n").replace('\r', "\n");
    let s = unified.trim();
    if s.chars().count() > CONTACT_MESSAGE_MAX {
        return Err(UserError::new(
            ErrorCode::TooLong,
            field,
            format!("Must be at most {CONTACT_MESSAGE_MAX} characters."),
        ));
    }
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(UserError::new(
            ErrorCode::Invalid,
            field,
            "Must not contain control characters other than line breaks and tabs.",
        ));
    }
    if s.is_empty() {
        return Err(UserError::new(ErrorCode::Required, field, "Must not be empty."));
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: &[&str] = &["x"];

    fn codes_and_fields(errors: &[UserError]) -> Vec<(ErrorCode, String)> {
        errors.iter().map(|e| (e.code, e.field.join("."))).collect()
    }

    #[test]
    fn a_valid_request_is_trimmed_and_names_its_sender() {
        let r = ContactRequest::parse(
            " ada@example.com ",
            Some("Dr."),
            Some(" Ada "),
            Some(""),
            "  Where is my order?  ",
            "\r\nHello,\r\n\r\nmy order is late.\r\n",
        )
        .unwrap();
        assert_eq!(r.email.as_str(), "ada@example.com");
        assert_eq!(r.last_name, None, "empty counts as absent");
        assert_eq!(r.sender_name().as_deref(), Some("Dr. Ada"));
        assert_eq!(r.subject, "Where is my order?");
        assert_eq!(r.message, "Hello,\n\nmy order is late.");
        let anonymous = ContactRequest::parse("a@example.com", None, None, None, "s", "m").unwrap();
        assert_eq!(anonymous.sender_name(), None);
    }

    #[test]
    fn every_problem_is_reported_at_its_field() {
        let errors = ContactRequest::parse(
            "not-an-email",
            Some("s".repeat(51).as_str()),
            Some("f".repeat(101).as_str()),
            Some("ok"),
            " ",
            &"m".repeat(5_001),
        )
        .unwrap_err();
        assert_eq!(
            codes_and_fields(&errors),
            [
                (ErrorCode::Invalid, "email".to_string()),
                (ErrorCode::TooLong, "salutation".to_string()),
                (ErrorCode::TooLong, "firstName".to_string()),
                (ErrorCode::Required, "subject".to_string()),
                (ErrorCode::TooLong, "message".to_string()),
            ]
        );
    }

    #[test]
    fn a_subject_is_one_line_of_at_most_200_characters() {
        assert_eq!(contact_subject("Hi\r\nBcc: x@y.example", F).unwrap(), "Hi Bcc: x@y.example");
        assert_eq!(contact_subject("a\n\n\tb\u{2028}c", F).unwrap(), "a b c");
        assert_eq!(contact_subject(&"ä".repeat(200), F).unwrap().chars().count(), 200);
        assert_eq!(contact_subject(&"ä".repeat(201), F).unwrap_err().code, ErrorCode::TooLong);
        assert_eq!(contact_subject("\r\n \t", F).unwrap_err().code, ErrorCode::Required);
        assert_eq!(contact_subject("a\u{0}b", F).unwrap_err().code, ErrorCode::Invalid);
    }

    #[test]
    fn a_message_keeps_its_lines_and_has_at_most_5000_characters() {
        assert_eq!(contact_message("a\r\nb\rc\n\td", F).unwrap(), "a\nb\nc\n\td");
        assert_eq!(contact_message(&"m".repeat(5_000), F).unwrap().len(), 5_000);
        assert_eq!(contact_message(&"m".repeat(5_001), F).unwrap_err().code, ErrorCode::TooLong);
        assert_eq!(contact_message(" \n ", F).unwrap_err().code, ErrorCode::Required);
        assert_eq!(contact_message("a\u{1b}[31mb", F).unwrap_err().code, ErrorCode::Invalid);
    }
}
