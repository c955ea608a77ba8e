//! Search at 10,000 and 100,000 customers, side by side: per query kind,
//! p50 and p99 of a page of 50 and what it read, in process against
//! DynamoDB Local; and what the index costs per customer (entries, write
//! units, storage, the events function's work per registration).
//!
//! Synthetic customers, deterministic: names of several scripts (Latin with
//! accents, Greek, Cyrillic, Japanese, Chinese, Arabic), emails in common
//! shapes, mobile numbers of nine countries (stored in E.164, found in both
//! forms), refs (order numbers and email-like ones), tags, a few inactive,
//! created over two years.
//!
//! Loading a hundred thousand customers' full index (some 120 entries
//! each) would take DynamoDB Local most of an hour, so the loader writes
//! each customer's profile and, of its entries, those on the lists the
//! measured queries read: those lists are complete, so each query reads
//! exactly what it would read in a full index. The cost of the full index
//! per customer is measured on its own, from every customer's tokens.

use integration_tests::recorder::Recorder;
use shared::auth::TokenRole;
use shared::domain::search_index::{fold, plan, tokens, Searchable};
use shared::domain::search_query::parse;
use shared::domain::{Customer, CustomerFilter, CustomerRecord, CustomerStatus, Email, Phone, TenantId};
use shared::services::back_office::{self as bo, SearchRequest};
use shared::store::{DynamoStore, SearchIndexStore};
use shared::{Config, Services};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

/// The two sizes compared.
const SIZES: [usize; 2] = [10_000, 100_000];
/// Runs of each query kind at each size, each with other values.
const RUNS: usize = 40;
/// Customers written side by side while loading.
const LOADERS: usize = 16;

/// A deterministic generator (SplitMix64): the same customers every run.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + self.below(10) as u8)).collect()
    }
}

/// A culture: names (as written, and in ASCII for the mailbox), its
/// country and how its mobile numbers start.
struct Culture {
    first: &'static [(&'static str, &'static str)],
    last: &'static [(&'static str, &'static str)],
    country: &'static str,
    mobile: &'static str,
    digits: usize,
}

const CULTURES: &[Culture] = &[
    Culture {
        first: &[("Anna", "anna"), ("Jürgen", "juergen"), ("Sören", "soeren"), ("Lukas", "lukas"), ("Marie", "marie")],
        last: &[
            ("Müller", "mueller"),
            ("Schmidt", "schmidt"),
            ("Schröder", "schroeder"),
            ("Weiß", "weiss"),
            ("Becker", "becker"),
        ],
        country: "DE",
        mobile: "+49151",
        digits: 8,
    },
    Culture {
        first: &[("Élodie", "elodie"), ("François", "francois"), ("Chloé", "chloe"), ("Léa", "lea")],
        last: &[("Lefèvre", "lefevre"), ("Dubois", "dubois"), ("Girard", "girard"), ("Moreau", "moreau")],
        country: "FR",
        mobile: "+336",
        digits: 8,
    },
    Culture {
        first: &[("José", "jose"), ("María", "maria"), ("Lucía", "lucia"), ("Javier", "javier")],
        last: &[("García", "garcia"), ("Martínez", "martinez"), ("Núñez", "nunez"), ("López", "lopez")],
        country: "ES",
        mobile: "+346",
        digits: 8,
    },
    Culture {
        first: &[("Łukasz", "lukasz"), ("Zofia", "zofia"), ("Wojciech", "wojciech")],
        last: &[("Wiśniewski", "wisniewski"), ("Kowalska", "kowalska"), ("Wójcik", "wojcik")],
        country: "PL",
        mobile: "+48512",
        digits: 6,
    },
    Culture {
        first: &[("Γιώργος", "giorgos"), ("Ελένη", "eleni"), ("Νίκος", "nikos")],
        last: &[("Παπαδόπουλος", "papadopoulos"), ("Οικονόμου", "oikonomou")],
        country: "GR",
        mobile: "+30694",
        digits: 7,
    },
    Culture {
        first: &[("Дмитрий", "dmitri"), ("Анна", "anna"), ("Ольга", "olga"), ("Сергей", "sergei")],
        last: &[("Иванов", "ivanov"), ("Смирнова", "smirnova"), ("Кузнецов", "kuznetsov")],
        country: "RU",
        mobile: "+7916",
        digits: 7,
    },
    Culture {
        first: &[("太郎", "taro"), ("花子", "hanako"), ("健", "ken")],
        last: &[("山田", "yamada"), ("佐藤", "sato"), ("鈴木", "suzuki")],
        country: "JP",
        mobile: "+8190",
        digits: 8,
    },
    Culture {
        first: &[("伟", "wei"), ("芳", "fang"), ("静", "jing")],
        last: &[("王", "wang"), ("李", "li"), ("张", "zhang")],
        country: "CN",
        mobile: "+86138",
        digits: 8,
    },
    Culture {
        first: &[("محمد", "mohammed"), ("فاطمة", "fatima"), ("علي", "ali")],
        last: &[("الحسن", "alhassan"), ("المنصوري", "almansoori")],
        country: "AE",
        mobile: "+97150",
        digits: 7,
    },
];

const DOMAINS: &[&str] =
    &["gmail.com", "yahoo.com", "outlook.com", "web.de", "gmx.de", "orange.fr", "mail.ru", "qq.com", "example.org"];
const TAGS: &[&str] = &["vip", "wholesale", "newsletter", "b2b", "gold", "returns-risk"];
/// Two years of creation times, ending here (ids are ULIDs of their time).
const START_MS: u64 = 1_735_689_600_000; // 2025-01-01
const SPAN_MS: u64 = 2 * 365 * 24 * 3600 * 1000;

/// The `n`-th synthetic customer.
fn customer(tenant: &TenantId, n: usize, g: &mut Gen) -> CustomerRecord {
    let culture = g.pick(CULTURES);
    let (first, first_ascii) = *g.pick(culture.first);
    let (last, last_ascii) = *g.pick(culture.last);
    let domain = g.pick(DOMAINS);
    let local = match g.below(3) {
        0 => format!("{first_ascii}.{last_ascii}{n}"),
        1 => format!("{}{last_ascii}{}", &first_ascii[..1], n % 1000),
        _ => format!("{first_ascii}_{last_ascii}{n}"),
    };
    let email = Email::parse(&format!("{local}@{domain}"), &[]).expect("a synthetic email");
    let created_ms = START_MS + g.next() % SPAN_MS;
    let id = ulid::Ulid::from_parts(created_ms, u128::from(g.next())).to_string();
    let created = chrono::DateTime::from_timestamp_millis(created_ms as i64).expect("a time");
    let mut c = Customer::new(id, tenant.clone(), (10_000 + n).to_string(), email, created);
    c.first_name = Some(first.into());
    c.last_name = Some(last.into());
    c.country_code = shared::domain::CountryCode::parse(culture.country, &[]).ok();
    if g.below(10) < 8 {
        c.phone_number = Phone::parse(&format!("{}{}", culture.mobile, g.digits(culture.digits)), None, &[]).ok();
    }
    c.reference = match g.below(5) {
        0..=2 => Some(format!("ORD-{n:07}")),
        3 => {
            Some(format!("{}{}_{}{}@{domain}", first_ascii[..1].to_uppercase(), &first_ascii[1..], last_ascii, n % 100))
        }
        _ => None,
    };
    for _ in 0..g.below(3) {
        let tag = g.pick(TAGS).to_string();
        if !c.tags.contains(&tag) {
            c.tags.push(tag);
        }
    }
    if g.below(20) == 0 {
        c.status = CustomerStatus::Inactive;
    }
    CustomerRecord { customer: c, credentials: Default::default() }
}

/// A query kind: its label and, for a sampled customer, its query and filter.
type Kind = (&'static str, fn(&Customer, &Customer) -> (Option<String>, CustomerFilter));

/// `len` characters of `s` from its middle (whole if shorter).
fn middle(s: &str, len: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    let from = chars.len().saturating_sub(len) / 2;
    chars[from..(from + len).min(chars.len())].iter().collect()
}

/// A name of `c` the index can narrow (two characters at least): its
/// surname, else its first name, else its mailbox's name (a Chinese
/// surname of one character is read customer by customer, within the
/// bound: docs/search.md).
fn word_of(c: &Customer) -> String {
    let mailbox = c.email.as_str().split(['@', '.', '_']).next().unwrap_or("xx").to_string();
    [c.last_name.as_deref(), c.first_name.as_deref()]
        .into_iter()
        .flatten()
        .map(fold)
        .find(|w| w.chars().count() >= 2)
        .unwrap_or(mailbox)
}

fn kinds() -> Vec<Kind> {
    vec![
        ("word (a surname)", |c, _| (Some(word_of(c)), CustomerFilter::default())),
        ("prefix (3 letters*)", |c, _| {
            let first: String = word_of(c).chars().take(3).collect();
            (Some(format!("{first}*")), CustomerFilter::default())
        }),
        ("email contains (6)", |c, _| {
            let local = c.email.as_str().split('@').next().unwrap_or_default().to_string();
            (None, CustomerFilter { email_contains: Some(middle(&local, 6)), ..Default::default() })
        }),
        ("name contains (4)", |c, _| {
            let name = format!("{} {}", c.first_name.as_deref().unwrap_or(""), c.last_name.as_deref().unwrap_or(""));
            (None, CustomerFilter { name_contains: Some(middle(&name, 4)), ..Default::default() })
        }),
        ("phone contains (last 5)", |c, _| {
            let digits =
                c.phone_number.as_ref().map(|p| p.as_str().to_string()).unwrap_or_else(|| "+4915112345".into());
            let tail: String = digits.chars().rev().take(5).collect::<Vec<_>>().into_iter().rev().collect();
            (None, CustomerFilter { phone_contains: Some(tail), ..Default::default() })
        }),
        ("%ref%", |c, _| {
            let r = c.reference.clone().unwrap_or_else(|| "ORD-0000001".into());
            (None, CustomerFilter { reference: Some(format!("%{}%", middle(&r, 7))), ..Default::default() })
        }),
        ("tag + status + created range", |c, _| {
            let tag = c.tags.first().map_or("vip", String::as_str);
            let since = (c.created_at - chrono::Duration::days(180)).date_naive();
            (Some(format!("tag:{tag} status:active created:>={since}")), CustomerFilter::default())
        }),
        ("OR (two surnames)", |c, d| (Some(format!("{} OR {}", word_of(c), word_of(d))), CustomerFilter::default())),
    ]
}

/// The p-th percentile (0-100) of `values`.
fn percentile(values: &[f64], p: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v[((p / 100.0) * (v.len() - 1) as f64).round() as usize]
}

/// What one kind measured at one size.
#[derive(Default, Clone)]
struct Measured {
    p50: f64,
    p99: f64,
    items: f64,
    items_max: usize,
    round_trips: f64,
    read_units: f64,
    found: f64,
}

pub async fn run() -> anyhow::Result<String> {
    let recorder = Recorder::default();
    let aws = shared::aws::load().await?;
    let conf = aws_sdk_dynamodb::config::Builder::from(&aws).interceptor(recorder.clone()).build();
    let ddb = aws_sdk_dynamodb::Client::from_conf(conf);
    let table = format!("search-{}", ulid::Ulid::new().to_string().to_lowercase());
    shared::store::table::create_table(&ddb, &table).await?;
    let env = [("TABLE_NAME", table.as_str()), ("JWT_PRIVATE_KEYS", integration_tests::JWT_PRIVATE_KEY)];
    let config = Config::from_lookup(|k| env.iter().find(|(e, _)| *e == k).map(|(_, v)| v.to_string()))?;
    let store = Arc::new(DynamoStore::new(ddb, table));
    let svc = Services::new(config, store.clone(), TokenRole::Issuer)?;
    let tenant = TenantId::default_tenant();

    let mut g = Gen(7);
    let population: Vec<CustomerRecord> = (0..SIZES[1]).map(|n| customer(&tenant, n, &mut g)).collect();
    // The queries, on values of customers among the first 10,000.
    let kinds = kinds();
    let mut runs: Vec<Vec<(Option<String>, CustomerFilter)>> = vec![];
    for (_, make) in &kinds {
        runs.push(
            (0..RUNS)
                .map(|_| {
                    let c = &population[g.below(SIZES[0])].customer;
                    let d = &population[g.below(SIZES[0])].customer;
                    make(c, d)
                })
                .collect(),
        );
    }
    let count_runs: Vec<String> = (0..RUNS).map(|_| format!("tag:{}", g.pick(TAGS))).collect();
    // The lists these queries read.
    let mut needed = BTreeSet::new();
    for (query, filter) in runs.iter().flatten() {
        let q = query.as_deref().map(parse).transpose().map_err(|e| anyhow::anyhow!("{e:?}"))?;
        needed.extend(plan(q.as_ref(), filter).sources.into_iter().flatten());
    }
    for q in &count_runs {
        needed.extend(
            plan(Some(&parse(q).map_err(|e| anyhow::anyhow!("{e:?}"))?), &CustomerFilter::default())
                .sources
                .into_iter()
                .flatten(),
        );
    }

    let mut out = String::new();
    writeln!(out, "\n## Search\n")?;
    let cost = index_cost(&svc, &tenant, &population).await?;
    let mut measured: Vec<Vec<Measured>> = vec![];
    let mut counts: Vec<Measured> = vec![];
    let mut loaded = 0;
    let mut load_seconds = vec![];
    for size in SIZES {
        let started = Instant::now();
        load(store.as_ref(), &tenant, &population[loaded..size], &needed).await?;
        load_seconds.push(started.elapsed().as_secs_f64());
        loaded = size;
        let mut at_size = vec![];
        for run in &runs {
            at_size.push(measure(&svc, &tenant, &recorder, run).await?);
        }
        measured.push(at_size);
        counts.push(measure_counts(&svc, &tenant, &recorder, &count_runs).await?);
    }

    writeln!(
        out,
        "Every way of finding customers, answered from the index (docs/search.md), in process against DynamoDB Local on this machine: a page of 50 (`first: 50`), {RUNS} runs per kind and size, each with values of another customer (among the first 10,000, so each finds at least that one at both sizes). *Items* are index entries plus customers read (the bound is 10,000 and 500 per page); *RCU* as DynamoDB Local reports it. The loader wrote each customer's profile and its entries on the lists these queries read (complete lists; {:.0} s and {:.0} s to load).\n",
        load_seconds[0], load_seconds[1]
    )?;
    writeln!(out, "| query kind | p50 ms 10k | p50 ms 100k | p99 ms 10k | p99 ms 100k | items read 10k (max) | items read 100k (max) | round trips 10k | 100k | RCU 10k | 100k | found 10k | 100k |")?;
    writeln!(out, "|---|---|---|---|---|---|---|---|---|---|---|---|---|")?;
    let mut rows: Vec<(&str, Measured, Measured)> = kinds
        .iter()
        .enumerate()
        .map(|(i, (label, _))| (*label, measured[0][i].clone(), measured[1][i].clone()))
        .collect();
    rows.push(("count (`tag:`; exact to 10,000)", counts[0].clone(), counts[1].clone()));
    for (label, a, b) in rows {
        writeln!(
            out,
            "| {label} | {:.1} | {:.1} | {:.1} | {:.1} | {:.0} ({}) | {:.0} ({}) | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} |",
            a.p50, b.p50, a.p99, b.p99, a.items, a.items_max, b.items, b.items_max, a.round_trips, b.round_trips, a.read_units, b.read_units, a.found, b.found
        )?;
    }
    out.push_str(&cost);
    Ok(out)
}

/// Writes `customers`' profiles and their entries on the lists in `needed`.
async fn load(
    store: &DynamoStore,
    tenant: &TenantId,
    customers: &[CustomerRecord],
    needed: &BTreeSet<String>,
) -> anyhow::Result<()> {
    use futures::stream::{self, TryStreamExt};
    let mut entries = vec![];
    for r in customers {
        for token in tokens(&Searchable::of(&r.customer)).intersection(needed) {
            entries.push((token.clone(), r.customer.id.clone()));
        }
    }
    stream::iter(customers.chunks(25).map(Ok))
        .try_for_each_concurrent(LOADERS, |chunk| store.load_profiles(chunk))
        .await?;
    stream::iter(entries.chunks(25).map(Ok))
        .try_for_each_concurrent(LOADERS, |chunk| store.list_entries(tenant, chunk))
        .await?;
    Ok(())
}

/// What the runs of one kind measured, run by run.
#[derive(Default)]
struct Samples {
    times: Vec<f64>,
    items: Vec<usize>,
    trips: Vec<f64>,
    units: Vec<f64>,
    found: Vec<f64>,
}

impl Samples {
    /// One run: its time, what it read (from its `Reads` and the calls the
    /// recorder saw) and what it found.
    fn add(&mut self, started: Instant, reads: bo::Reads, recorder: &Recorder, found: usize) {
        self.times.push(started.elapsed().as_secs_f64() * 1000.0);
        let calls = recorder.take();
        self.items.push(reads.index_entries + reads.customers);
        self.trips.push(calls.len() as f64);
        self.units.push(calls.iter().map(|c| c.read_units).sum::<f64>());
        self.found.push(found as f64);
    }

    fn summary(&self) -> Measured {
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        Measured {
            p50: percentile(&self.times, 50.0),
            p99: percentile(&self.times, 99.0),
            items: mean(&self.items.iter().map(|&i| i as f64).collect::<Vec<_>>()),
            items_max: self.items.iter().copied().max().unwrap_or(0),
            round_trips: mean(&self.trips),
            read_units: mean(&self.units),
            found: mean(&self.found),
        }
    }
}

async fn measure(
    svc: &Services,
    tenant: &TenantId,
    recorder: &Recorder,
    runs: &[(Option<String>, CustomerFilter)],
) -> anyhow::Result<Measured> {
    let mut samples = Samples::default();
    for (query, filter) in runs {
        recorder.take();
        let started = Instant::now();
        let request = SearchRequest { query: query.as_deref(), filter: filter.clone(), reverse: false };
        let f = bo::search(svc, tenant, request, 50, None)
            .await
            .map_err(|e| anyhow::anyhow!("{query:?} {filter:?}: {e:?}"))?;
        samples.add(started, f.reads, recorder, f.page.items.len());
    }
    Ok(samples.summary())
}

async fn measure_counts(
    svc: &Services,
    tenant: &TenantId,
    recorder: &Recorder,
    runs: &[String],
) -> anyhow::Result<Measured> {
    let mut samples = Samples::default();
    for query in runs {
        recorder.take();
        let started = Instant::now();
        let request = SearchRequest { query: Some(query), filter: CustomerFilter::default(), reverse: false };
        let c = bo::count(svc, tenant, request).await.map_err(|e| anyhow::anyhow!("{query}: {e:?}"))?;
        samples.add(started, c.reads, recorder, c.count);
    }
    Ok(samples.summary())
}

/// What the full index costs per customer: entries (a write unit each, in
/// ⌈n/25⌉ batch writes one after another), their storage, what a profile update
/// rewrites, and the events function's time to list one new customer.
async fn index_cost(svc: &Services, tenant: &TenantId, population: &[CustomerRecord]) -> anyhow::Result<String> {
    let mut per_customer: Vec<f64> = vec![];
    let mut bytes: Vec<f64> = vec![];
    for r in population {
        let t = tokens(&Searchable::of(&r.customer));
        per_customer.push(t.len() as f64);
        // DynamoDB's item size: names and values of `pk` and `sk`, plus the
        // 100 bytes of overhead it bills for each item's storage.
        let size: usize = t
            .iter()
            .map(|tok| 2 + shared::store::keys::search_list(tenant, tok).len() + 2 + r.customer.id.len() + 100)
            .sum();
        bytes.push(size as f64);
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    // A profile update: a new surname; a new email.
    let mut g = Gen(11);
    let (mut renamed, mut moved) = (vec![], vec![]);
    for _ in 0..1000 {
        let r = &population[g.below(population.len())];
        let before = tokens(&Searchable::of(&r.customer));
        let mut c = r.customer.clone();
        c.last_name = Some("Nowak".into());
        let after = tokens(&Searchable::of(&c));
        renamed.push((before.symmetric_difference(&after).count()) as f64);
        let mut c = r.customer.clone();
        c.email = Email::parse("someone.else@example.net", &[]).expect("an email");
        let after = tokens(&Searchable::of(&c));
        moved.push((before.symmetric_difference(&after).count()) as f64);
    }
    // The events function's work for one registration: listing a new
    // customer under every token (timed against DynamoDB Local).
    let fresh = TenantId::parse("fresh").expect("a tenant");
    let mut times = vec![];
    for r in population.iter().take(60) {
        let all: Vec<String> = tokens(&Searchable::of(&r.customer)).into_iter().collect();
        let started = Instant::now();
        svc.store.relist(&fresh, &r.customer.id, &all, &[]).await?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let p99 = percentile(&per_customer, 99.0);
    let storage = mean(&bytes);
    let mut out = String::new();
    writeln!(out, "\nWhat the index costs, over all {} synthetic customers:\n", population.len())?;
    writeln!(out, "| | per customer | at 1,000,000 customers |")?;
    writeln!(out, "|---|---|---|")?;
    writeln!(out, "| entries (a registration's index writes: 1 write unit each) | mean {:.0}, p99 {:.0}, max {:.0} | {:.0} million write units once (${:.0} on-demand at $1.25 per million) |", mean(&per_customer), p99, per_customer.iter().cloned().fold(0.0, f64::max), mean(&per_customer), mean(&per_customer) * 1.25)?;
    writeln!(
        out,
        "| batch writes of the events function per registration (⌈n/25⌉, one after another) | {:.1} | |",
        mean(&per_customer) / 25.0
    )?;
    writeln!(
        out,
        "| events function time to list a new customer, p50 / p99 ms | {:.1} / {:.1} | |",
        percentile(&times, 50.0),
        percentile(&times, 99.0)
    )?;
    writeln!(out, "| entries rewritten by a new surname (mean) | {:.1} | |", mean(&renamed))?;
    writeln!(out, "| entries rewritten by a new email (mean) | {:.1} | |", mean(&moved))?;
    writeln!(out, "| storage (DynamoDB's billed item size, 100 bytes overhead each) | {:.1} KB | {:.1} GB (${:.2} a month at $0.25 per GB) |", storage / 1000.0, storage * 1e6 / 1e9, storage * 1e6 / 1e9 * 0.25)?;
    writeln!(
        out,
        "| the registration's own request | 0 items, 0 round trips: the index is written from the stream | |"
    )?;
    writeln!(out, "\nWritten with the change instead, a registration's transaction would hold its {p99:.0} entries (p99) besides the customer and its guards: past DynamoDB's 100 items per transaction for many customers, and at twice the write units of plain writes. From the stream they cost one write unit each, outside the request, and the profile is searchable once the events function has listed it (the time above, after the stream's delivery).")?;
    Ok(out)
}
