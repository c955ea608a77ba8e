use super::*;
use crate::domain::{Consent, CountryCode, Email, LanguageCode, Phone, TenantId};
use crate::imports::{FileFormat, ImportRow};

fn address(id: &str, street: &str) -> Address {
    Address {
        id: id.into(),
        title: Some("Dr.".into()),
        first_name: Some("Zoë".into()),
        last_name: Some("Ørsted".into()),
        company: Some("Acme, Inc.".into()),
        street: Some(street.into()),
        street_number: Some("1".into()),
        additional_info: Some("Hof 2".into()),
        postal_code: Some("1010".into()),
        city: Some("Wien".into()),
        region: Some("W".into()),
        country_code: "AT".into(),
        phone: Some("+43 1 234".into()),
        mobile: Some("0664 123".into()),
        fax: Some("-".into()),
        email: Some(Email::parse("post@example.com", &[]).unwrap()),
    }
}

/// A customer with every field an export carries set.
fn everything() -> Customer {
    let now = chrono::Utc::now();
    let email = Email::parse("zoe@example.com", &[]).unwrap();
    let mut c = Customer::new("01HZX".into(), TenantId::parse("default").unwrap(), "C-1".into(), email, now);
    c.reference = Some("R-1".into());
    c.external_id = Some("E-1".into());
    c.loyalty_id = Some("L-1".into());
    c.username = Some("zoe".into());
    c.department = Some("Purchasing".into());
    c.source = Some("old shop".into());
    c.source_id = Some("17".into());
    c.tags = vec!["vip".into(), "b2b".into()];
    c.note = Some("=1+1, \"quoted\"\nnew line".into());
    c.email_verified = true;
    c.title = Some("Dr.".into());
    c.first_name = Some("=HYPERLINK(\"x\")".into());
    c.last_name = Some("Ørsted".into());
    c.phone_number = Some(Phone::parse("+442079460958", None, &[]).unwrap());
    c.cell_phone_number = Some(Phone::parse("+4915123456789", None, &[]).unwrap());
    c.birthdate = chrono::NaiveDate::from_ymd_opt(1985, 12, 10);
    c.gender = Some(Gender::Female);
    c.language_code = Some(LanguageCode::parse("de-AT", &[]).unwrap());
    c.country_code = Some(CountryCode::parse("AT", &[]).unwrap());
    c.timezone = Some("Europe/Vienna".into());
    c.promotion_opt_in = true;
    c.picture_url = Some("https://example.com/z.png".into());
    c.website_url = Some("https://example.com".into());
    c.secondary_email = Some(Email::parse("zoe2@example.com", &[]).unwrap());
    c.billing_address = Some(address("b", "Ringstraße"));
    c.delivery_addresses = vec![address("d1", "Hauptplatz"), address("d2", "Rue de Rivoli")];
    c.default_delivery_address_id = Some("d2".into());
    c.consents = vec![Consent { key: "sms".into(), granted: true, updated_at: now }];
    c.attributes = vec![Attribute { key: "shoeSize".into(), value: "38".into() }];
    c
}

fn fields(row: Value) -> serde_json::Map<String, Value> {
    match row {
        Value::Object(map) => map,
        other => panic!("a row is an object: {other}"),
    }
}

/// Every field an export writes is one an import reads (or reads past):
/// a row of a customer with everything set reads without an error, as
/// the values it was made of.
#[test]
fn a_jsonl_row_reads_back_as_an_import_row_of_the_same_values() {
    let c = everything();
    let row = ImportRow::read(fields(row(&c, Some(NewsletterState::Subscribed)))).unwrap_or_else(|e| panic!("{e:?}"));
    let i = &row.customer;
    assert_eq!(i.email, "zoe@example.com");
    assert_eq!(i.first_name.as_deref(), Some("=HYPERLINK(\"x\")"));
    assert_eq!(i.phone_number.as_deref(), Some("+442079460958"));
    assert_eq!(i.reference.as_deref(), Some("R-1"));
    assert_eq!(i.tags.as_deref(), Some(&["vip".to_string(), "b2b".to_string()][..]));
    assert_eq!(i.attributes.as_ref().map(Vec::len), Some(1));
    assert!(row.email_verified_given && i.email_verified);
    assert_eq!(row.newsletter, Some(crate::imports::Newsletter::Subscribed));
    assert!(row.password_hash.is_none());
    // The default delivery address first: the one an import makes the default.
    assert_eq!(row.delivery_addresses[0].street.as_deref(), Some("Rue de Rivoli"));
    assert_eq!(row.delivery_addresses.len(), 2);
}

/// A pending or unsubscribed newsletter is not said: only a subscription
/// in force comes along.
#[test]
fn only_a_subscription_in_force_is_exported() {
    let c = everything();
    for state in [None, Some(NewsletterState::Pending), Some(NewsletterState::Unsubscribed)] {
        assert!(row(&c, state).get("newsletter").is_none(), "{state:?}");
    }
}

/// A CSV export reads back through an import's CSV reader: the same
/// values, the apostrophes before formula-like cells read past.
#[test]
fn a_csv_row_reads_back_and_its_formula_cells_are_defused() {
    let c = everything();
    let header = csv_header();
    let cells = csv_cells(&header, &row(&c, Some(NewsletterState::Subscribed)));
    let at = |name: &str| cells[header.iter().position(|h| h == name).unwrap()].clone();
    assert_eq!(at("firstName"), "'=HYPERLINK(\"x\")");
    assert_eq!(at("phoneNumber"), "'+442079460958");
    assert_eq!(at("billingAddress.fax"), "'-");
    assert_eq!(at("tags"), "vip, b2b");
    assert_eq!(at("deliveryAddresses.0.street"), "Rue de Rivoli");
    assert_eq!(at("emailVerified"), "true");
    let mut file = Vec::new();
    {
        let mut w = csv::Writer::from_writer(&mut file);
        w.write_record(&header).unwrap();
        w.write_record(&cells).unwrap();
    }
    let (mut records, _) = FileFormat::Csv.open(&file[..]).unwrap();
    let record = records.next().unwrap().unwrap();
    let row = ImportRow::read(record.fields.unwrap()).unwrap_or_else(|e| panic!("{e:?}"));
    let i = &row.customer;
    assert_eq!(i.first_name.as_deref(), Some("=HYPERLINK(\"x\")"));
    assert_eq!(i.note.as_deref(), Some("=1+1, \"quoted\"\nnew line"));
    assert_eq!(i.phone_number.as_deref(), Some("+442079460958"));
    assert_eq!(i.billing_address.as_ref().and_then(|a| a.fax.as_deref()), Some("-"));
    assert_eq!(row.delivery_addresses.len(), 1, "the default one");
    assert_eq!(row.newsletter, Some(crate::imports::Newsletter::Subscribed));
}

#[test]
fn an_apostrophe_is_read_past_only_before_a_formula_character() {
    assert_eq!(undefused("'=1"), "=1");
    assert_eq!(undefused("'+49"), "+49");
    assert_eq!(undefused("'s-Hertogenbosch"), "'s-Hertogenbosch");
    assert_eq!(undefused("O'Brien"), "O'Brien");
    assert_eq!(defused("O'Brien"), "O'Brien");
    assert_eq!(defused("-5"), "'-5");
    // A cell that begins with an apostrophe comes back as it was.
    for cell in ["'=x", "'s-Hertogenbosch", "''", "'", "=1", "plain"] {
        assert_eq!(undefused(&defused(cell)), cell, "{cell}");
    }
}
