//! The files an import reads, record by record, in each format, each record
//! turned into the fields of one row as `CreateCustomerInput` names them
//! (plus `deliveryAddresses`, `newsletter` and `passwordHash`); `row.rs`
//! then reads those fields as the schema types them.
//!
//! A record knows the line it starts on and the byte just past it, so that
//! a file can be cut into chunks on record boundaries (a CSV record may span
//! lines, inside quotes) and each chunk read on its own, under the file's
//! header, with the file's own line numbers.

pub use crate::domain::FileFormat;
use crate::domain::{ErrorCode, UserError};
use serde_json::{Map, Value};
use std::cell::Cell;
use std::io::{BufRead, BufReader, Read};
use std::rc::Rc;

/// The most bytes one record may take: far above any real customer, low
/// enough that an unclosed quote cannot make one record of a whole file.
pub const MAX_RECORD_BYTES: u64 = 1024 * 1024;
/// The most columns, and bytes of column names, a CSV's header may have.
pub const MAX_COLUMNS: usize = 1000;
pub const MAX_HEADER_BYTES: usize = 64 * 1024;

/// The fields of one row.
pub type Fields = Map<String, Value>;

/// Where a record (or a chunk) starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Position {
    /// Counting from 1; a CSV's header is line 1.
    pub line: u64,
    /// From the start of the file.
    pub byte: u64,
}

impl Position {
    pub const START: Position = Position { line: 1, byte: 0 };
}

/// One record of a file.
#[derive(Debug)]
pub struct Record {
    /// The line the record starts on.
    pub line: u64,
    /// Where the next record starts.
    pub next: Position,
    /// Its fields, or why they cannot be read (a JSON line that is no object).
    pub fields: Result<Fields, UserError>,
}

/// A CSV file's column names, in order.
pub type Header = Vec<String>;

/// Why a file cannot be read on (as opposed to one bad record, which is
/// the record's error and lets the others go on).
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("the file could not be read: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Header(String),
    #[error("a record at line {0} is longer than 1 MiB (an unclosed quote?)")]
    RecordTooLong(u64),
}

impl FileFormat {
    /// Reads a file from its start; a CSV's first record is its header,
    /// which the answer carries (to read the file's chunks under it).
    pub fn open<R: Read>(self, reader: R) -> Result<(Records<R>, Option<Header>), FileError> {
        match self {
            FileFormat::Jsonl => Ok((self.chunk(reader, None, Position::START), None)),
            FileFormat::Csv | FileFormat::ShopifyCsv => {
                let mut records = self.chunk(reader, None, Position::START);
                let Records::Csv(csv) = &mut records else { unreachable!("a CSV format reads CSV") };
                let header = csv.read_header()?;
                self.check_header(&header)?;
                csv.header = header.clone();
                Ok((records, Some(header)))
            }
        }
    }

    /// Reads the part of a file that starts at `start` (on a record
    /// boundary), under the file's header for a CSV.
    pub fn chunk<R: Read>(self, reader: R, header: Option<&Header>, start: Position) -> Records<R> {
        let mark = Rc::new(Cell::new(0));
        let limited = Limited { inner: reader, read: 0, mark: mark.clone() };
        match self {
            FileFormat::Jsonl => {
                Records::Jsonl(JsonLines { reader: BufReader::new(limited), at: start, base: start.byte })
            }
            FileFormat::Csv | FileFormat::ShopifyCsv => Records::Csv(CsvRecords {
                // Records end at `\n` alone, so that a record's end is where the
                // next one starts (the default also ends one at `\r` and leaves
                // the `\n` of a CRLF to the next); a CRLF's `\r` is cut below.
                reader: csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .terminator(csv::Terminator::Any(b'\n'))
                    .from_reader(limited),
                record: csv::ByteRecord::new(),
                header: header.cloned().unwrap_or_default(),
                shopify: self == FileFormat::ShopifyCsv,
                base: start,
                at: start,
                mark,
            }),
        }
    }

    fn check_header(self, header: &Header) -> Result<(), FileError> {
        // The header is kept on the job's item (at most 400 KB), for every
        // chunk to read its rows under.
        if header.len() > MAX_COLUMNS || header.iter().map(String::len).sum::<usize>() > MAX_HEADER_BYTES {
            return Err(FileError::Header(format!(
                "the header names more than {MAX_COLUMNS} columns or {} KiB",
                MAX_HEADER_BYTES / 1024
            )));
        }
        if header.iter().all(|h| h.is_empty()) {
            return Err(FileError::Header("the file has no header row".into()));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(twice) = header.iter().find(|h| !h.is_empty() && !seen.insert(h.as_str())) {
            return Err(FileError::Header(format!("the column {twice:?} appears twice in the header")));
        }
        if self == FileFormat::ShopifyCsv && !header.iter().any(|h| h == "Email") {
            return Err(FileError::Header(
                "a Shopify customer export has an Email column; this header has none".into(),
            ));
        }
        Ok(())
    }
}

/// The records of a file or chunk, in order.
pub enum Records<R: Read> {
    Jsonl(JsonLines<R>),
    Csv(CsvRecords<R>),
}

impl<R: Read> Records<R> {
    /// Where the next record starts (after a CSV's header, at first).
    pub fn position(&self) -> Position {
        match self {
            Records::Jsonl(j) => j.at,
            Records::Csv(c) => c.at,
        }
    }
}

impl<R: Read> Iterator for Records<R> {
    type Item = Result<Record, FileError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Records::Jsonl(j) => j.next_record().transpose(),
            Records::Csv(c) => c.next_record().transpose(),
        }
    }
}

/// A reader that refuses to go more than `MAX_RECORD_BYTES` past the start
/// of the record being read (`mark`), so that no record fills the memory.
struct Limited<R> {
    inner: R,
    read: u64,
    mark: Rc<Cell<u64>>,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // The CSV reader reads ahead by its buffer (8 KiB): allow for it.
        if self.read - self.mark.get() > MAX_RECORD_BYTES + 64 * 1024 {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "record too long"));
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

pub struct JsonLines<R> {
    reader: BufReader<Limited<R>>,
    at: Position,
    /// Where the chunk starts in the file.
    base: u64,
}

impl<R: Read> JsonLines<R> {
    fn next_record(&mut self) -> Result<Option<Record>, FileError> {
        loop {
            let mut line = Vec::new();
            let n = (&mut self.reader).take(MAX_RECORD_BYTES + 1).read_until(b'\n', &mut line)? as u64;
            if n == 0 {
                return Ok(None);
            }
            let start = self.at;
            let mut skipped = 0;
            if n > MAX_RECORD_BYTES && line.last() != Some(&b'\n') {
                skipped = self.skip_line()?;
            }
            self.at = Position { line: start.line + 1, byte: start.byte + n + skipped };
            self.reader.get_ref().mark.set(self.at.byte - self.base);
            let fields = if skipped > 0 {
                Err(UserError::new(ErrorCode::TooLong, &[], "The line is longer than 1 MiB."))
            } else {
                let text = trim_line(&line, start.byte == 0);
                if text.iter().all(u8::is_ascii_whitespace) {
                    continue; // a blank line is no row
                }
                json_object(text)
            };
            return Ok(Some(Record { line: start.line, next: self.at, fields }));
        }
    }

    /// Reads to the end of an overlong line; the bytes skipped.
    fn skip_line(&mut self) -> Result<u64, FileError> {
        let mut skipped = 0;
        loop {
            let buf = self.reader.fill_buf()?;
            if buf.is_empty() {
                return Ok(skipped);
            }
            match buf.iter().position(|b| *b == b'\n') {
                Some(i) => {
                    self.reader.consume(i + 1);
                    return Ok(skipped + i as u64 + 1);
                }
                None => {
                    let len = buf.len();
                    self.reader.consume(len);
                    skipped += len as u64;
                }
            }
        }
    }
}

/// A line without its line break (`\n` or `\r\n`) and, at the start of the
/// file, without a UTF-8 byte order mark.
fn trim_line(line: &[u8], first: bool) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if first {
        line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line)
    } else {
        line
    }
}

fn json_object(text: &[u8]) -> Result<Fields, UserError> {
    match serde_json::from_slice::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(UserError::new(ErrorCode::Invalid, &[], "A row is one JSON object.")),
        Err(e) => Err(UserError::new(ErrorCode::Invalid, &[], format!("Not JSON: {e}."))),
    }
}

/// A CSV record's cells (`Err` where one is not UTF-8), the line it starts
/// on, and where the next one starts.
type RawRecord = (Vec<Result<String, ()>>, u64, Position);

pub struct CsvRecords<R> {
    reader: csv::Reader<Limited<R>>,
    record: csv::ByteRecord,
    header: Header,
    shopify: bool,
    /// Where the chunk starts in the file.
    base: Position,
    /// Where the next record starts.
    at: Position,
    mark: Rc<Cell<u64>>,
}

impl<R: Read> CsvRecords<R> {
    /// Reads one record: its fields as text, where it started and where the
    /// next one starts.
    fn read(&mut self) -> Result<Option<RawRecord>, FileError> {
        loop {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => return Ok(None),
                Ok(true) => {}
                Err(e) => {
                    return Err(match e.kind() {
                        csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::InvalidData => {
                            FileError::RecordTooLong(self.at.line)
                        }
                        _ => FileError::Io(std::io::Error::other(e.to_string())),
                    })
                }
            }
            let start = self.record.position().map_or(1, csv::Position::line);
            let line = self.base.line + start - 1;
            let next = self.reader.position();
            let next = Position { line: self.base.line + next.line() - 1, byte: self.base.byte + next.byte() };
            self.mark.set(next.byte - self.base.byte);
            self.at = next;
            let last = self.record.len() - 1;
            let cells: Vec<&[u8]> = (self.record.iter().enumerate())
                .map(|(i, c)| if i == last { c.strip_suffix(b"\r").unwrap_or(c) } else { c })
                .collect();
            // A line of nothing but a line break is no row.
            if cells.len() == 1 && cells[0].is_empty() {
                continue;
            }
            let cells = cells.into_iter().map(|c| String::from_utf8(c.to_vec()).map_err(|_| ())).collect();
            return Ok(Some((cells, line, next)));
        }
    }

    fn read_header(&mut self) -> Result<Header, FileError> {
        let Some((cells, _, _)) = self.read()? else {
            return Err(FileError::Header("the file is empty: it has no header row".into()));
        };
        let mut header = Vec::with_capacity(cells.len());
        for (i, cell) in cells.into_iter().enumerate() {
            let name = cell.map_err(|_| FileError::Header("the header row is not UTF-8".into()))?;
            let name = if i == 0 { name.trim_start_matches('\u{feff}').to_string() } else { name };
            header.push(name.trim().to_string());
        }
        Ok(header)
    }

    fn next_record(&mut self) -> Result<Option<Record>, FileError> {
        let Some((cells, line, next)) = self.read()? else { return Ok(None) };
        let fields = if cells.len() > self.header.len() {
            Err(UserError::new(
                ErrorCode::Invalid,
                &[],
                format!("The row has {} cells; the header names {}.", cells.len(), self.header.len()),
            ))
        } else if let Some(i) = cells.iter().position(Result::is_err) {
            Err(UserError::new(ErrorCode::Invalid, &[&self.header[i]], "The cell is not UTF-8."))
        } else {
            let named = self.header.iter().zip(cells.into_iter().flatten());
            if self.shopify {
                Ok(shopify_fields(named))
            } else {
                dotted_fields(named)
            }
        };
        Ok(Some(Record { line, next, fields }))
    }
}

/// A CSV row whose header names the schema's fields, nested ones dotted
/// (`billingAddress.city`, `deliveryAddresses.0.city`, `passwordHash.value`),
/// `tags` comma-separated. An empty cell is an absent field; an apostrophe
/// that an export put before a cell a spreadsheet would take for a formula
/// (`'+4930...`, `'=1+1`) is read past.
fn dotted_fields<'a>(cells: impl Iterator<Item = (&'a String, String)>) -> Result<Fields, UserError> {
    let mut root = Value::Object(Map::new());
    for (name, cell) in cells {
        if cell.is_empty() || name.is_empty() {
            continue;
        }
        let cell = super::export_rows::undefused(&cell);
        let value = if name == "tags" {
            Value::Array(cell.split(',').map(str::trim).filter(|t| !t.is_empty()).map(Value::from).collect())
        } else {
            Value::String(cell.to_string())
        };
        let path: Vec<&str> = name.split('.').collect();
        place(&mut root, &path, value).map_err(|()| {
            UserError::new(ErrorCode::Invalid, &path, format!("The column {name:?} clashes with another column."))
        })?;
    }
    let Value::Object(map) = root else { unreachable!("the root is an object") };
    Ok(map)
}

/// Puts `value` at `path` in `tree`: a numeric step indexes a list (at
/// most 100 long), any other names a field.
fn place(tree: &mut Value, path: &[&str], value: Value) -> Result<(), ()> {
    let Some((step, rest)) = path.split_first() else {
        *tree = value;
        return Ok(());
    };
    let slot = match step.parse::<usize>() {
        Ok(i) if i < 100 => {
            if tree.is_null() {
                *tree = Value::Array(vec![]);
            }
            let Value::Array(list) = tree else { return Err(()) };
            if list.len() <= i {
                list.resize(i + 1, Value::Null);
            }
            &mut list[i]
        }
        _ => {
            if tree.is_null() {
                *tree = Value::Object(Map::new());
            }
            let Value::Object(map) = tree else { return Err(()) };
            map.entry(step.to_string()).or_insert(Value::Null)
        }
    };
    if rest.is_empty() && !slot.is_null() {
        return Err(()); // the same field twice: `a` and `a`, or `a` and `a.b`
    }
    place(slot, rest, value)
}

/// A row of Shopify's customer export: the columns the service has a
/// place for, the others ignored. Shopify writes `yes`/`no` for its flags,
/// tags as `a, b` and, before a zip code or phone number that a
/// spreadsheet would mangle, an apostrophe.
fn shopify_fields<'a>(cells: impl Iterator<Item = (&'a String, String)>) -> Fields {
    let mut row = Map::new();
    let mut address = Map::new();
    for (name, cell) in cells {
        let cell = cell.trim();
        if cell.is_empty() {
            continue;
        }
        let text = Value::from(cell.strip_prefix('\'').unwrap_or(cell));
        let yes = cell.eq_ignore_ascii_case("yes") || cell.eq_ignore_ascii_case("true");
        match name.as_str() {
            "First Name" => _ = row.insert("firstName".into(), text),
            "Last Name" => _ = row.insert("lastName".into(), text),
            "Email" => _ = row.insert("email".into(), text),
            "Phone" => _ = row.insert("phoneNumber".into(), text),
            "Note" => _ = row.insert("note".into(), text),
            "Tags" => _ = row.insert("tags".into(), cell.split(',').map(str::trim).filter(|t| !t.is_empty()).collect()),
            // "no" is no decision to unsubscribe anyone: the subscription
            // (if the service has one) stays as it is.
            "Accepts Email Marketing" if yes => _ = row.insert("newsletter".into(), "SUBSCRIBED".into()),
            "Accepts SMS Marketing" => {
                push(&mut row, "consents", serde_json::json!({ "key": "smsMarketing", "granted": yes }))
            }
            "Tax Exempt" => {
                push(&mut row, "attributes", serde_json::json!({ "key": "taxExempt", "value": yes.to_string() }))
            }
            "Default Address Company" => _ = address.insert("company".into(), text),
            "Default Address Address1" => _ = address.insert("street".into(), text),
            "Default Address Address2" => _ = address.insert("additionalInfo".into(), text),
            "Default Address City" => _ = address.insert("city".into(), text),
            "Default Address Province Code" => _ = address.insert("region".into(), text),
            "Default Address Country Code" => _ = address.insert("countryCode".into(), text),
            "Default Address Zip" => _ = address.insert("postalCode".into(), text),
            "Default Address Phone" => _ = address.insert("phone".into(), text),
            _ => {}
        }
    }
    if !address.is_empty() {
        for (from, to) in [("firstName", "firstName"), ("lastName", "lastName")] {
            if let Some(v) = row.get(from) {
                address.insert(to.into(), v.clone());
            }
        }
        row.insert("billingAddress".into(), Value::Object(address));
    }
    row
}

fn push(row: &mut Fields, list: &str, item: Value) {
    if let Value::Array(items) = row.entry(list.to_string()).or_insert_with(|| Value::Array(vec![])) {
        items.push(item);
    }
}

#[cfg(test)]
mod tests;
