use super::*;
use serde_json::json;

fn all(format: FileFormat, file: &str) -> (Vec<Record>, Option<Header>) {
    let (records, header) = format.open(file.as_bytes()).expect("opens");
    (records.map(|r| r.expect("reads")).collect(), header)
}

fn fields(r: &Record) -> &Fields {
    r.fields.as_ref().expect("fields")
}

/// Every record read again from its own start, as a chunk of the file,
/// comes out the same: the positions are where the records really start.
fn chunks_agree(format: FileFormat, file: &str) {
    let (records, header) = all(format, file);
    // The tests' headers are one line.
    let mut start = match header {
        Some(_) => Position { line: 2, byte: file.find('\n').unwrap() as u64 + 1 },
        None => Position::START,
    };
    for (i, r) in records.iter().enumerate() {
        let rest = &file.as_bytes()[start.byte as usize..];
        let again: Vec<Record> = format.chunk(rest, header.as_ref(), start).map(|r| r.unwrap()).collect();
        assert_eq!(again.len(), records.len() - i, "from {start:?}");
        assert_eq!(again[0].line, r.line);
        assert_eq!(again[0].next, r.next);
        assert_eq!(again[0].fields.as_ref().ok(), r.fields.as_ref().ok());
        start = r.next;
    }
}

#[test]
fn jsonl_rows_know_their_lines_and_skip_blank_ones() {
    let file = "\u{feff}{\"email\":\"a@example.com\"}\r\n\n  \n{\"email\":\"b@example.com\",\"tags\":[\"vip\"]}\n[1]\n{nope\n{\"email\":\"c@example.com\"}";
    let (records, header) = all(FileFormat::Jsonl, file);
    assert!(header.is_none());
    let lines: Vec<u64> = records.iter().map(|r| r.line).collect();
    assert_eq!(lines, [1, 4, 5, 6, 7]);
    assert_eq!(fields(&records[0])["email"], "a@example.com");
    assert_eq!(fields(&records[1])["tags"], json!(["vip"]));
    assert_eq!(records[2].fields.as_ref().unwrap_err().code, ErrorCode::Invalid);
    assert!(records[3].fields.as_ref().unwrap_err().message.starts_with("Not JSON"));
    assert_eq!(fields(&records[4])["email"], "c@example.com");
    assert_eq!(records[4].next.byte, file.len() as u64);
    chunks_agree(FileFormat::Jsonl, file);
}

#[test]
fn an_overlong_jsonl_line_fails_alone() {
    let long = format!("{{\"note\":\"{}\"}}", "x".repeat(MAX_RECORD_BYTES as usize));
    let file = format!("{{\"email\":\"a@example.com\"}}\n{long}\n{{\"email\":\"b@example.com\"}}\n");
    let (records, _) = all(FileFormat::Jsonl, &file);
    assert_eq!(records.len(), 3);
    assert_eq!(records[1].fields.as_ref().unwrap_err().code, ErrorCode::TooLong);
    assert_eq!(records[2].line, 3);
    assert_eq!(fields(&records[2])["email"], "b@example.com");
}

#[test]
fn csv_columns_are_dotted_paths_and_tags_a_list() {
    let file = "email,firstName,billingAddress.city,billingAddress.countryCode,deliveryAddresses.0.city,deliveryAddresses.1.city,tags,promotionOptIn,passwordHash.algorithm,passwordHash.value\n\
        a@example.com,Ada,Berlin,DE,Köln,\"Bonn, Rhein\",\"vip, wholesale,,\",true,BCRYPT,$2y$10$x\n\
        b@example.com,,,,,,,,,\n";
    let (records, header) = all(FileFormat::Csv, file);
    assert_eq!(header.unwrap()[2], "billingAddress.city");
    assert_eq!(
        Value::Object(fields(&records[0]).clone()),
        json!({
            "email": "a@example.com", "firstName": "Ada",
            "billingAddress": { "city": "Berlin", "countryCode": "DE" },
            "deliveryAddresses": [{ "city": "Köln" }, { "city": "Bonn, Rhein" }],
            "tags": ["vip", "wholesale"], "promotionOptIn": "true",
            "passwordHash": { "algorithm": "BCRYPT", "value": "$2y$10$x" },
        })
    );
    // Empty cells are absent fields, not empty ones.
    assert_eq!(Value::Object(fields(&records[1]).clone()), json!({ "email": "b@example.com" }));
    assert_eq!((records[0].line, records[1].line), (2, 3));
    chunks_agree(FileFormat::Csv, file);
}

#[test]
fn a_quoted_line_break_keeps_the_line_numbers_of_the_file() {
    let file = "email,note\r\na@example.com,\"first line\r\nsecond line\"\r\nb@example.com,x\r\n\r\nc@example.com,\r\n";
    let (records, _) = all(FileFormat::Csv, file);
    assert_eq!(fields(&records[0])["note"], "first line\r\nsecond line");
    let lines: Vec<u64> = records.iter().map(|r| r.line).collect();
    assert_eq!(lines, [2, 4, 6]);
    chunks_agree(FileFormat::Csv, file);
}

#[test]
fn csv_rows_that_do_not_fit_the_header_fail_alone() {
    let file = "email,tags\na@example.com,x,extra\nb@example.com\ntags.0,x\n";
    let (records, _) = all(FileFormat::Csv, file);
    assert!(records[0].fields.as_ref().unwrap_err().message.contains("3 cells"));
    // Fewer cells than columns: the others are empty.
    assert_eq!(Value::Object(fields(&records[1]).clone()), json!({ "email": "b@example.com" }));
    let (records, _) = all(FileFormat::Csv, "tags,tags.0\nx,y\n");
    assert_eq!(records[0].fields.as_ref().unwrap_err().field, ["tags", "0"]);
}

#[test]
fn headers_that_cannot_be_read_fail_the_file() {
    for (format, file, says) in [
        (FileFormat::Csv, "", "empty"),
        (FileFormat::Csv, "email,email\n", "twice"),
        (FileFormat::ShopifyCsv, "First Name,Last Name\nAda,L\n", "Email column"),
        (
            FileFormat::Csv,
            &format!("{}\n", (0..1001).map(|i| format!("c{i}")).collect::<Vec<_>>().join(",")),
            "1000 columns",
        ),
    ] {
        let Err(e) = format.open(file.as_bytes()) else { panic!("{file:?} opened") };
        assert!(e.to_string().contains(says), "{e}");
    }
}

#[test]
fn an_unclosed_quote_cannot_make_one_record_of_the_file() {
    let mut file = String::from("email,note\na@example.com,\"never closed\n");
    while file.len() < 3 * MAX_RECORD_BYTES as usize {
        file.push_str("b@example.com,more text that the quote swallows\n");
    }
    let (records, _) = FileFormat::Csv.open(file.as_bytes()).unwrap();
    let result: Result<Vec<Record>, FileError> = records.collect();
    assert!(matches!(result, Err(FileError::RecordTooLong(2))), "{result:?}");
}

/// Shopify's customer export as it writes it: its header, quoted commas,
/// empty cells, apostrophes before numbers, `yes`/`no`.
const SHOPIFY: &str = "Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,Default Address Address1,Default Address Address2,Default Address City,Default Address Province Code,Default Address Country Code,Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,Total Spent,Total Orders,Note,Tax Exempt,Tags\n\
'7024049152106,Russel,Winfield,russel.winfield@example.com,yes,\"Winfield, Ltd.\",105 Victoria St,,Toronto,ON,CA,'M5C 1N7,'+16135550135,'+16135550135,no,0.00,0,\"Likes \"\"fast\"\" delivery, mornings\",no,\"vip, newsletter\"\n\
'7024049184874,Ayumu,Hirano,ayumu.hirano@example.com,no,,,,,,,,,,,0.00,0,,yes,\n";

#[test]
fn a_shopify_export_becomes_rows_of_the_schema() {
    let (records, _) = all(FileFormat::ShopifyCsv, SHOPIFY);
    assert_eq!(
        Value::Object(fields(&records[0]).clone()),
        json!({
            "firstName": "Russel", "lastName": "Winfield", "email": "russel.winfield@example.com",
            "newsletter": "SUBSCRIBED", "phoneNumber": "+16135550135",
            "consents": [{ "key": "smsMarketing", "granted": false }],
            "attributes": [{ "key": "taxExempt", "value": "false" }],
            "note": "Likes \"fast\" delivery, mornings", "tags": ["vip", "newsletter"],
            "billingAddress": {
                "company": "Winfield, Ltd.", "street": "105 Victoria St", "city": "Toronto", "region": "ON",
                "countryCode": "CA", "postalCode": "M5C 1N7", "phone": "+16135550135",
                "firstName": "Russel", "lastName": "Winfield",
            },
        })
    );
    // "no" to email marketing unsubscribes no one; no address, no billing address.
    assert_eq!(
        Value::Object(fields(&records[1]).clone()),
        json!({
            "firstName": "Ayumu", "lastName": "Hirano", "email": "ayumu.hirano@example.com",
            "attributes": [{ "key": "taxExempt", "value": "true" }],
        })
    );
    chunks_agree(FileFormat::ShopifyCsv, SHOPIFY);
}
