//! Validating newtypes: once a value has one of these types it is known good,
//! so the rest of the code never re-checks it.

use super::errors::{ErrorCode, UserError};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

const EMAIL_MAX: usize = 254;

/// An email address in Unicode NFKC form (as typed, trimmed and normalised:
/// what is stored and mailed), plus the form that is its identity: NFKC and
/// case folded, so `\u{212A}ate@x.io` (KELVIN SIGN) and `Kate@x.io` are one
/// address. Every uniqueness guard, quota and lookup uses that form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str, field: &[&str]) -> Result<Self, UserError> {
        let too_long =
            || UserError::new(ErrorCode::TooLong, field, format!("Email must be at most {EMAIL_MAX} characters."));
        // NFKC can grow a character many times over (U+FDFA becomes 18
        // letters): nothing that long is normalised at all.
        if raw.trim().len() > 4 * EMAIL_MAX {
            return Err(too_long());
        }
        let s: String = raw.trim().nfkc().collect();
        let s = s.as_str();
        if s.is_empty() {
            return Err(UserError::new(ErrorCode::Required, field, "Email is required."));
        }
        if s.len() > EMAIL_MAX {
            return Err(UserError::new(
                ErrorCode::TooLong,
                field,
                format!("Email must be at most {EMAIL_MAX} characters."),
            ));
        }
        // email_address follows RFC 5322, which also allows a display name
        // (`Ann <ann@x.io>`), domain literals and quoted local parts: each
        // would make one mailbox many identities (and mail budgets), or
        // carry a list of addresses into a header. A storefront needs a bare
        // address with a dotted domain.
        use email_address::{EmailAddress, Options};
        let strict = Options::default().without_display_text().without_domain_literal();
        // The local part must be ASCII: SES (like much of the mail world)
        // speaks no SMTPUTF8, so such an address could never get its mail.
        // An internationalised domain is fine: it is sent as Punycode.
        let ascii_local = s.rsplit_once('@').is_some_and(|(local, _)| local.is_ascii());
        let plain = !s.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | ',' | ';' | '(' | ')' | '\\')
        });
        let valid = plain
            && ascii_local
            && EmailAddress::parse_with_options(s, strict).map(|a| a.domain().contains('.')).unwrap_or(false);
        if !valid {
            return Err(UserError::new(ErrorCode::Invalid, field, "Email is not a valid address."));
        }
        Ok(Self(s.to_string()))
    }

    /// Trusts a value read back from the store.
    pub fn from_stored(s: String) -> Self {
        Self(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The identity of the address: NFKC, case folded (Unicode lowercase
    /// mapping), and NFKC again since folding can undo it, with the domain
    /// in Unicode (a Punycode label, `xn--bcher-kva`, read as `bücher`).
    /// Equal for addresses that differ only in case, in compatibility
    /// characters or in how their domain is spelled.
    pub fn normalized(&self) -> String {
        let folded = fold(&self.0);
        match folded.rsplit_once('@') {
            Some((local, domain)) if domain.split('.').any(|label| label.starts_with("xn--")) => {
                match idna::domain_to_unicode(domain) {
                    (unicode, Ok(())) => format!("{local}@{}", fold(&unicode)),
                    _ => folded,
                }
            }
            _ => folded,
        }
    }

    /// The address's identity as items are keyed by it.
    pub fn key(&self) -> EmailKey {
        EmailKey(self.normalized())
    }

    /// Whether `other` is the same address: the one comparison of two
    /// spellings (case, compatibility characters).
    pub fn same_address(&self, other: &Email) -> bool {
        self.normalized() == other.normalized()
    }

    /// `j***@example.com`: enough to tell addresses apart in logs, never the whole address.
    pub fn masked(&self) -> String {
        mask_email(&self.0)
    }
}

/// An address's identity (`Email::normalized`) as items are keyed by it:
/// guards and subscriptions hold it as it is; counters that must name
/// nobody (login attempts, mail budgets) hold only its hash.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailKey(String);

impl EmailKey {
    /// Trusts a key read back from the store (a token's `email_key`).
    pub fn from_stored(key: String) -> Self {
        Self(key)
    }

    /// The key of what a client typed as an address: a valid address's
    /// identity, else (so that malformed attempts still count against
    /// something) the text trimmed and lower-cased.
    pub fn of_input(raw: &str) -> Self {
        match Email::parse(raw, &[]) {
            Ok(email) => email.key(),
            Err(_) => Self(raw.trim().to_lowercase()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key's hash, for items that must not name the address.
    pub fn hashed(&self) -> String {
        crate::auth::opaque::hash(&self.0)
    }

    /// The mailbox the address delivers to, as mail budgets count it: a
    /// `+tag` of the local part, and the dots of a Gmail local part, are
    /// left out (they reach the same inbox), so spelling an address anew
    /// gets no more mail to it. Only for counting: never stored or mailed.
    pub fn mailbox(&self) -> String {
        let Some((local, domain)) = self.0.rsplit_once('@') else { return self.0.clone() };
        let local = local.split_once('+').map_or(local, |(box_name, _tag)| box_name);
        match domain {
            "gmail.com" | "googlemail.com" => format!("{}@gmail.com", local.replace('.', "")),
            _ => format!("{local}@{domain}"),
        }
    }
}

/// Text as compared for identity and search: NFKC, case folded (Unicode
/// lowercase mapping), and NFKC again since folding can undo it.
pub fn fold(s: &str) -> String {
    s.nfkc().collect::<String>().to_lowercase().nfkc().collect()
}

/// Masks any string that may be an email address, for logs.
pub fn mask_email(s: &str) -> String {
    match s.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_string(),
    }
}

/// A customer's own phone number, stored in E.164 form (`+4930901820`).
/// It is read, validated and formatted with libphonenumber's rules (the
/// `phonenumber` port): a number with a `+` in any common notation, or one
/// without, read as a national number of `default_country` (the tenant's
/// `defaultCountryCode`; without one such a number is `INVALID`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str, default_country: Option<&CountryCode>, field: &[&str]) -> Result<Self, UserError> {
        let raw = raw.trim();
        let invalid = |why: &str| UserError::new(ErrorCode::Invalid, field, why.to_string());
        let international = raw.starts_with('+') || raw.starts_with("00");
        let region = match (international, default_country) {
            (true, _) => None,
            (false, Some(c)) => Some(
                c.as_str()
                    .parse::<phonenumber::country::Id>()
                    .map_err(|_| invalid("Give the number with its country code, e.g. +4930901820."))?,
            ),
            (false, None) => return Err(invalid("Give the number with its country code, e.g. +4930901820.")),
        };
        // libphonenumber reads `00` as the international prefix only in
        // some regions: written `+`, it is one everywhere.
        let text = match raw.strip_prefix("00") {
            Some(rest) if international => format!("+{rest}"),
            _ => raw.to_string(),
        };
        let number = phonenumber::parse(region, &text).map_err(|_| invalid("Not a phone number."))?;
        if !phonenumber::is_valid(&number) {
            return Err(invalid("Not a valid phone number for its country."));
        }
        Ok(Self(number.format().mode(phonenumber::Mode::E164).to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digits of the number as dialled at home (`030901820` for
    /// `+4930901820`): what search also finds it by. Empty if the stored
    /// number no longer reads (it always does: it was parsed to be stored).
    pub fn national_digits(&self) -> String {
        phonenumber::parse(None, &self.0)
            .map(|n| n.format().mode(phonenumber::Mode::National).to_string())
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_digit)
            .collect()
    }
}

/// A phone number as printed on an address label (an address's phone,
/// mobile, fax), kept as given but trimmed: 3 to 20 digits with spaces,
/// `+`, `-`, `/`, `.` and parentheses (OXID sends `"555"`). Only the
/// customer's own numbers are normalised to E.164 (`Phone`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelPhone(String);

impl LabelPhone {
    pub fn parse(raw: &str, field: &[&str]) -> Result<Self, UserError> {
        let s = raw.trim();
        let digits = s.chars().filter(char::is_ascii_digit).count();
        let allowed = s.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '/' | '.' | '(' | ')'));
        if allowed && (3..=20).contains(&digits) && s.len() <= 40 {
            Ok(Self(s.to_string()))
        } else {
            Err(UserError::new(
                ErrorCode::Invalid,
                field,
                "A phone number of 3 to 20 digits, with spaces, +, -, /, . and parentheses at most.",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An ISO 3166-1 alpha-2 country code, upper case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountryCode(String);

impl CountryCode {
    pub fn parse(raw: &str, field: &[&str]) -> Result<Self, UserError> {
        let s = raw.trim().to_ascii_uppercase();
        if isocountry::CountryCode::for_alpha2(&s).is_ok() {
            Ok(Self(s))
        } else {
            Err(UserError::new(ErrorCode::Invalid, field, "Country code must be an ISO 3166-1 alpha-2 code, e.g. DE."))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A language tag: ISO 639-1 language, optionally with a region (`de`, `de-AT`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LanguageCode(String);

impl LanguageCode {
    pub fn parse(raw: &str, field: &[&str]) -> Result<Self, UserError> {
        let s = raw.trim().replace('_', "-");
        let mut parts = s.splitn(2, '-');
        let lang = parts.next().unwrap_or("");
        let region = parts.next();
        let lang_ok = lang.len() == 2 && lang.chars().all(|c| c.is_ascii_alphabetic());
        let region_ok = region.is_none_or(|r| CountryCode::parse(r, field).is_ok());
        if !(lang_ok && region_ok) {
            return Err(UserError::new(ErrorCode::Invalid, field, "Language code must look like `de` or `de-AT`."));
        }
        Ok(Self(match region {
            Some(r) => format!("{}-{}", lang.to_ascii_lowercase(), r.to_ascii_uppercase()),
            None => lang.to_ascii_lowercase(),
        }))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The bare language (`de` of `de-AT`), used to pick mail templates.
    pub fn language(&self) -> &str {
        self.0.split('-').next().unwrap_or(&self.0)
    }
}

/// A birthdate: in the past, and not absurdly long ago.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Birthdate(NaiveDate);

impl Birthdate {
    pub fn parse(date: NaiveDate, today: NaiveDate, field: &[&str]) -> Result<Self, UserError> {
        if date >= today {
            return Err(UserError::new(ErrorCode::Invalid, field, "Birthdate must be in the past."));
        }
        if today.year() - date.year() > 130 {
            return Err(UserError::new(ErrorCode::Invalid, field, "Birthdate is too far in the past."));
        }
        Ok(Self(date))
    }

    pub fn date(&self) -> NaiveDate {
        self.0
    }
}

/// Free text with a length limit, trimmed; empty counts as absent.
pub fn text(raw: &str, max: usize, field: &[&str]) -> Result<Option<String>, UserError> {
    let s = raw.trim();
    if s.chars().count() > max {
        return Err(UserError::new(ErrorCode::TooLong, field, format!("Must be at most {max} characters.")));
    }
    if s.chars().any(|c| c.is_control()) {
        return Err(UserError::new(ErrorCode::Invalid, field, "Must not contain control characters."));
    }
    Ok((!s.is_empty()).then(|| s.to_string()))
}

/// Like `text`, but the value must be present.
pub fn required_text(raw: &str, max: usize, field: &[&str]) -> Result<String, UserError> {
    text(raw, max, field)?.ok_or_else(|| UserError::new(ErrorCode::Required, field, "Must not be empty."))
}

/// A time zone: an IANA name (`Europe/Berlin`) in its canonical spelling,
/// or a fixed offset as the seed systems write it (`GMT+10`, `UTC+05:30`,
/// `+05:30`, `-3`), stored as `+10:00`. `GMT+10` means ten hours ahead of
/// UTC, as people write it (not POSIX's inverted `Etc/GMT+10`, which stays
/// an IANA name).
pub fn timezone(raw: &str, field: &[&str]) -> Result<String, UserError> {
    let raw = raw.trim();
    if let Ok(zone) = raw.parse::<chrono_tz::Tz>() {
        return Ok(zone.name().to_string());
    }
    fixed_offset(raw).ok_or_else(|| {
        UserError::new(
            ErrorCode::Invalid,
            field,
            "Timezone must be an IANA name (Europe/Berlin) or an offset from UTC (GMT+10, UTC+05:30, +05:30).",
        )
    })
}

/// `[GMT|UTC]±H[H][[:]MM]` as `±HH:MM`, within -12:00..+14:00.
fn fixed_offset(raw: &str) -> Option<String> {
    let upper = raw.to_ascii_uppercase();
    let rest = upper.strip_prefix("GMT").or_else(|| upper.strip_prefix("UTC")).unwrap_or(&upper);
    let (sign, rest) = match rest.as_bytes().first()? {
        b'+' => ('+', &rest[1..]),
        b'-' => ('-', &rest[1..]),
        _ => return None,
    };
    let (hours, minutes) = match rest.split_once(':') {
        Some((h, m)) => (h, m),
        None if rest.len() > 2 => rest.split_at(rest.len() - 2),
        None => (rest, "0"),
    };
    let digits = |s: &str, max_len: usize| {
        (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let (h, m) = (digits(hours, 2)?, digits(minutes, 2)?);
    let total = h * 60 + m;
    let fits = m < 60 && if sign == '+' { total <= 14 * 60 } else { total <= 12 * 60 };
    fits.then(|| format!("{sign}{h:02}:{m:02}"))
}

pub const REF_MAX: usize = 100;

/// A customer reference of a back-office system. `%` is refused: it is the
/// wildcard when searching by reference.
pub fn reference(raw: &str, field: &[&str]) -> Result<String, UserError> {
    let r = required_text(raw, REF_MAX, field)?;
    if r.contains('%') {
        return Err(UserError::new(ErrorCode::Invalid, field, "A reference must not contain %."));
    }
    Ok(r)
}

/// An id of the customer in an external system (CRM, OMS).
pub fn external_id(raw: &str, field: &[&str]) -> Result<String, UserError> {
    required_text(raw, REF_MAX, field)
}

/// An id another system gave (an order id, an idempotency key): printable
/// ASCII without spaces, so it is safe inside keys and logs.
pub fn identifier(raw: &str, max: usize, field: &[&str]) -> Result<String, UserError> {
    let v = required_text(raw, max, field)?;
    if v.chars().all(|c| c.is_ascii_graphic()) {
        Ok(v)
    } else {
        Err(UserError::new(ErrorCode::Invalid, field, "Only printable ASCII characters without spaces."))
    }
}

/// A digest (SHA-256, hex) of what a client sent, to tell the same request
/// again from another one under the same id or key.
pub fn fingerprint(value: &impl serde::Serialize) -> String {
    use sha2::{Digest, Sha256};
    let json = serde_json::to_vec(value).unwrap_or_default();
    Sha256::digest(json).iter().map(|b| format!("{b:02x}")).collect()
}

/// A customer's loyalty id (a card or member number), unique per tenant.
pub fn loyalty_id(raw: &str, field: &[&str]) -> Result<String, UserError> {
    required_text(raw, REF_MAX, field)
}

/// A customer's username (Fluent's), unique per tenant and compared exactly,
/// like the other back-office identifiers; no spaces inside, so that it
/// reads the same wherever it is printed.
pub fn username(raw: &str, field: &[&str]) -> Result<String, UserError> {
    let v = required_text(raw, REF_MAX, field)?;
    // Letters and digits of any script and a few separators: nothing
    // invisible (zero-width, bidi controls) that would make two usernames
    // look alike.
    if !v.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@' | '+')) {
        return Err(UserError::new(
            ErrorCode::Invalid,
            field,
            "A username may hold letters, digits and . _ - @ + only.",
        ));
    }
    Ok(v)
}

pub const URL_MAX: usize = 2048;

/// A link a storefront shows (a picture, a website): an absolute `http` or
/// `https` URL with a host and no user name, at most 2,048 characters,
/// stored as the URL parser writes it (`https://example.com` gains its
/// `/`). Other schemes
/// (`javascript:`, `data:`, `ftp:`) are refused: the value ends up in an
/// `href` or `src` of some shop's page.
pub fn web_url(raw: &str, field: &[&str]) -> Result<String, UserError> {
    let v = required_text(raw, URL_MAX, field)?;
    let invalid =
        || UserError::new(ErrorCode::Invalid, field, "Must be an http(s) URL, e.g. https://example.com/me.jpg.");
    match url::Url::parse(&v) {
        // Stored as parsed, so percent-encoded: a `"` or `<` of the input
        // cannot break out of an attribute. A user name or password in it
        // (`https://shop.example@evil.example`) only serves to mislead.
        Ok(u)
            if matches!(u.scheme(), "http" | "https")
                && u.host_str().is_some_and(|h| !h.is_empty())
                && u.username().is_empty()
                && u.password().is_none() =>
        {
            let parsed = u.to_string();
            if parsed.chars().count() > URL_MAX {
                return Err(UserError::new(
                    ErrorCode::TooLong,
                    field,
                    format!("Must be at most {URL_MAX} characters."),
                ));
            }
            Ok(parsed)
        }
        _ => Err(invalid()),
    }
}

/// A tenant (shop) id: `[a-z0-9][a-z0-9-]{0,62}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TenantId(String);

impl TenantId {
    pub const DEFAULT: &'static str = "default";

    pub fn parse(raw: &str) -> Option<Self> {
        let mut chars = raw.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        (first_ok && rest_ok && raw.len() <= 63).then(|| Self(raw.to_string()))
    }

    pub fn default_tenant() -> Self {
        Self(Self::DEFAULT.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: &[&str] = &["input", "x"];

    #[test]
    fn email_is_trimmed_and_normalised_for_uniqueness() {
        let e = Email::parse("  Jane.Doe@Example.COM ", F).unwrap();
        assert_eq!(e.as_str(), "Jane.Doe@Example.COM");
        assert_eq!(e.normalized(), "jane.doe@example.com");
        assert_eq!(e.masked(), "J***@Example.COM");
    }

    #[test]
    fn compatibility_characters_and_case_are_one_identity() {
        // U+212A KELVIN SIGN looks like K; NFKC makes it one.
        let kelvin = Email::parse("\u{212A}ate-x@example.com", F).unwrap();
        assert_eq!(kelvin.as_str(), "Kate-x@example.com", "stored and mailed in NFKC form");
        assert_eq!(kelvin.normalized(), Email::parse("kate-x@example.com", F).unwrap().normalized());
        // Fullwidth letters and a ligature fold the same way.
        let wide = Email::parse("\u{FF2B}ate-x@example.com", F).unwrap();
        assert_eq!(wide.normalized(), "kate-x@example.com");
        assert_eq!(Email::parse("\u{FB01}le@example.com", F).unwrap().normalized(), "file@example.com");
    }

    #[test]
    fn web_urls_are_http_stored_parsed_and_never_carry_a_user() {
        assert_eq!(web_url(" https://cdn.example.com/p/1.jpg ", F).unwrap(), "https://cdn.example.com/p/1.jpg");
        assert_eq!(web_url("https://example.com", F).unwrap(), "https://example.com/");
        let quoted = web_url("https://shop.example/\" onerror=\"alert(1)", F).unwrap();
        assert!(!quoted.contains('"'), "{quoted}");
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "ftp://x.example/a",
            "not a url",
            "https://shop.example@evil.example/",
            "/relative",
        ] {
            assert_eq!(web_url(bad, F).unwrap_err().code, ErrorCode::Invalid, "{bad}");
        }
    }

    #[test]
    fn usernames_hold_no_spaces_or_invisible_characters() {
        assert_eq!(username(" flu-0001 ", F).unwrap(), "flu-0001");
        assert!(username("jörg.müller@shop", F).is_ok());
        for bad in ["flu 0001", "bob\u{200B}", "\u{202E}bob", "a#b"] {
            assert_eq!(username(bad, F).unwrap_err().code, ErrorCode::Invalid, "{bad:?}");
        }
    }

    #[test]
    fn email_rejects_bad_forms_with_codes_and_path() {
        let err = Email::parse("not-an-email", F).unwrap_err();
        assert_eq!(err.code, ErrorCode::Invalid);
        assert_eq!(err.field, vec!["input", "x"]);
        assert_eq!(Email::parse("a@localhost", F).unwrap_err().code, ErrorCode::Invalid);
        assert_eq!(Email::parse("  ", F).unwrap_err().code, ErrorCode::Required);
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(Email::parse(&long, F).unwrap_err().code, ErrorCode::TooLong);
        // One mailbox, one identity: no display names, lists, quoted local
        // parts or domain literals (each would be another budget key).
        for other_form in [
            "Ann <ann@example.com>",
            "1 <ann@example.com>",
            "<ann@example.com>",
            "ann@example.com, eve@example.com",
            "\"ann x\"@example.com",
            "ann@[192.0.2.1]",
            "ann @example.com",
            "jörg@example.com",
        ] {
            assert_eq!(Email::parse(other_form, F).unwrap_err().code, ErrorCode::Invalid, "{other_form}");
        }
        assert!(Email::parse("ann.o'neil+shop@mail.example.com", F).is_ok());
        assert!(Email::parse("jorg@bücher.example", F).is_ok(), "a domain goes as Punycode");
    }

    #[test]
    fn phones_are_read_with_libphonenumber_and_stored_in_e164() {
        let gb = CountryCode::parse("GB", F).unwrap();
        let au = CountryCode::parse("AU", F).unwrap();
        assert_eq!(Phone::parse("+49 30 901820", None, F).unwrap().as_str(), "+4930901820");
        assert_eq!(Phone::parse("0049 30 901820", Some(&gb), F).unwrap().as_str(), "+4930901820");
        // National numbers in the tenant's country (Fluent's "3333344444" is an Australian-style mobile here).
        assert_eq!(Phone::parse("020 7946 0018", Some(&gb), F).unwrap().as_str(), "+442079460018");
        assert_eq!(Phone::parse("0412 345 678", Some(&au), F).unwrap().as_str(), "+61412345678");
        for bad in ["020 7946 0018", "+0301234", "+49abc", "+1234567890123456", "+12", "+1 555 0100"] {
            assert_eq!(Phone::parse(bad, None, F).unwrap_err().code, ErrorCode::Invalid, "{bad}");
        }
        assert_eq!(Phone::parse("12", Some(&gb), F).unwrap_err().code, ErrorCode::Invalid);
    }

    #[test]
    fn country_is_iso_alpha2() {
        assert_eq!(CountryCode::parse("de", F).unwrap().as_str(), "DE");
        assert!(CountryCode::parse("XX", F).is_err());
        assert!(CountryCode::parse("DEU", F).is_err());
    }

    #[test]
    fn language_tags() {
        assert_eq!(LanguageCode::parse("de_at", F).unwrap().as_str(), "de-AT");
        assert_eq!(LanguageCode::parse("EN", F).unwrap().language(), "en");
        assert!(LanguageCode::parse("deu", F).is_err());
        assert!(LanguageCode::parse("de-XX", F).is_err());
    }

    #[test]
    fn birthdate_must_be_past() {
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert!(Birthdate::parse(NaiveDate::from_ymd_opt(1990, 5, 1).unwrap(), today, F).is_ok());
        assert!(Birthdate::parse(today, today, F).is_err());
        assert!(Birthdate::parse(NaiveDate::from_ymd_opt(1850, 1, 1).unwrap(), today, F).is_err());
    }

    #[test]
    fn text_limits() {
        assert_eq!(text("  Ann ", 10, F).unwrap().as_deref(), Some("Ann"));
        assert_eq!(text("   ", 10, F).unwrap(), None);
        assert_eq!(text("abcdefghijk", 10, F).unwrap_err().code, ErrorCode::TooLong);
        assert_eq!(text("a\u{0}b", 10, F).unwrap_err().code, ErrorCode::Invalid);
        assert_eq!(required_text(" ", 10, F).unwrap_err().code, ErrorCode::Required);
    }

    #[test]
    fn timezones_are_iana_names_or_fixed_offsets() {
        assert_eq!(timezone(" Europe/Berlin ", F).unwrap(), "Europe/Berlin");
        for (raw, stored) in [
            ("GMT+10", "+10:00"),
            ("UTC+05:30", "+05:30"),
            ("+05:30", "+05:30"),
            ("-3", "-03:00"),
            ("utc-0930", "-09:30"),
        ] {
            assert_eq!(timezone(raw, F).unwrap(), stored, "{raw}");
        }
        assert_eq!(timezone("Etc/GMT+10", F).unwrap(), "Etc/GMT+10", "an IANA name stays one");
        for bad in ["GMT+15", "+05:60", "-13", "Mars/Olympus", "GMT+", "+1:2:3", "UTC+abc"] {
            assert_eq!(timezone(bad, F).unwrap_err().code, ErrorCode::Invalid, "{bad}");
        }
    }

    #[test]
    fn tenant_ids() {
        assert!(TenantId::parse("shop-1").is_some());
        assert!(TenantId::parse("-shop").is_none());
        assert!(TenantId::parse("Shop").is_none());
        assert!(TenantId::parse("").is_none());
        assert!(TenantId::parse(&"a".repeat(64)).is_none());
    }
}
