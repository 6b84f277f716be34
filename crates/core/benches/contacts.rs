//! In-process timings on a large workspace (not a pass/fail test; see bench/contacts.sh and
//! docs/PERFORMANCE.md):
//!
//!     cargo bench -p herald-core --bench contacts -- PATH/TO/herald.db [RUNS]
//!
//! Prints the median and the 90th percentile of: the first page (50 rows) of the contact list
//! with a search term, for several terms; the same without search; and a segment count with
//! three conditions (a tag, a custom field, a date). The database must hold the fields and
//! tags that bench/gen_contacts.py produces (imported by bench/contacts.sh).

use std::time::{Duration, Instant};

use herald_core::contacts::{self, ContactQuery};
use herald_core::db::{open, OpenMode};
use herald_core::segments::{self, Rule};
use serde_json::json;

fn stats(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (
        ms(samples[samples.len() / 2]),
        ms(samples[samples.len() * 9 / 10]),
    )
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, f64, T) {
    let mut last = f(); // warm the page cache and the statement cache
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        last = f();
        samples.push(start.elapsed());
    }
    let (median, p90) = stats(samples);
    (median, p90, last)
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let Some(path) = args.first() else {
        eprintln!("usage: cargo bench -p herald-core --bench contacts -- PATH/TO/herald.db [RUNS]");
        return;
    };
    let runs: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(51);
    let conn =
        open(std::path::Path::new(path), OpenMode::Existing).expect("a Herald workspace database");
    let total = contacts::count(&conn, &ContactQuery::default()).unwrap();
    println!("contacts: {total}, runs per figure: {runs}");

    for term in [
        "smith",
        "müller",
        "fatima",
        "acme",
        "chloe dubois",
        "oakwood",
        "zoe.ivanova12",
    ] {
        let q = ContactQuery {
            search: Some(term.into()),
            page_size: 50,
            ..ContactQuery::default()
        };
        let (median, p90, page) = time(runs, || contacts::list(&conn, &q).unwrap());
        println!("search page 1 (50 rows) \"{term}\": median {median:.2} ms, p90 {p90:.2} ms, {} matches", page.total);
    }
    let q = ContactQuery {
        page_size: 50,
        ..ContactQuery::default()
    };
    let (median, p90, _) = time(runs, || contacts::list(&conn, &q).unwrap());
    println!("list page 1 (50 rows), no search: median {median:.2} ms, p90 {p90:.2} ms");

    let tag = herald_core::tags::find_by_name(&conn, "segment-3")
        .unwrap()
        .expect("tag segment-3");
    let rules: Rule = serde_json::from_value(json!({"kind": "group", "match": "all", "rules": [
        {"kind": "tag", "op": "has", "tag_id": tag.id},
        {"kind": "field", "key": "score", "op": "greater_than", "value": 50},
        {"kind": "created_at", "op": "in_last_days", "days": 30}
    ]}))
    .unwrap();
    let (median, p90, n) = time(runs, || segments::count(&conn, &rules).unwrap());
    println!("segment count (tag + custom field + date): median {median:.2} ms, p90 {p90:.2} ms, {n} contacts");
    let any: Rule = serde_json::from_value(json!({"kind": "group", "match": "any", "rules": [
        {"kind": "tag", "op": "has", "tag_id": tag.id},
        {"kind": "field", "key": "company", "op": "starts_with", "value": "acme"},
        {"kind": "status", "op": "is", "values": ["bounced"]}
    ]}))
    .unwrap();
    let (median, p90, n) = time(runs.min(11), || segments::count(&conn, &any).unwrap());
    println!("segment count (any of tag / text field / status): median {median:.2} ms, p90 {p90:.2} ms, {n} contacts");
}
