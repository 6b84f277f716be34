//! Rendering benchmark (issue 4): the prebuilt newsletter for 100,000 different contacts,
//! HTML + text + subject, on one thread. Compares the compiled path (compile once, fill
//! variables per recipient) with the naive path (compile per recipient) in the same run.
//!
//! Run: `cargo bench -p herald-core --bench templates` (or `bench/templates.sh`).
//! `HERALD_BENCH_CONTACTS` changes the count; the naive path runs on 1% of it (at least 200)
//! and is reported per second, because compiling 100,000 times takes minutes.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Instant;

use herald_core::render::{
    render_once, AssetUrls, CompiledTemplate, Recipient, RenderContact, RenderWorkspace,
    SharedContext, TemplateContent,
};
use herald_core::templates::gallery::GALLERY;

fn contact(i: usize) -> Recipient {
    const FIRST: [&str; 8] = ["Alex", "Sam", "Maria", "Jürgen", "Aiko", "Liam", "Zoë", ""];
    const LAST: [&str; 6] = ["Morgan", "Okafor", "Silva", "Müller", "Tanaka", "O'Brien"];
    Recipient {
        contact: RenderContact {
            email: format!("person{i}@example.com"),
            first_name: Some(FIRST[i % FIRST.len()].to_owned()),
            last_name: Some(LAST[i % LAST.len()].to_owned()),
            status: "subscribed".into(),
            fields: BTreeMap::from([
                ("company".into(), format!("Company {}", i % 977).into()),
                (
                    "plan".into(),
                    if i % 3 == 0 { "pro" } else { "free" }.into(),
                ),
            ]),
        },
        unsubscribe_url: format!("https://relay.example.com/u/{i:08x}?t=6f1c2a9b"),
        view_in_browser_url: format!("https://relay.example.com/v/{i:08x}"),
    }
}

fn main() {
    let count: usize = std::env::var("HERALD_BENCH_CONTACTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let newsletter = GALLERY
        .iter()
        .find(|g| g.key == "newsletter")
        .expect("the gallery has a newsletter");
    let content = TemplateContent {
        format: newsletter.format(),
        source: newsletter.source.to_owned(),
        subject: newsletter.subject.to_owned(),
        preheader: newsletter.preheader.to_owned(),
    };
    let shared = SharedContext {
        workspace: RenderWorkspace {
            from_name: Some("Acme News".into()),
            from_address: Some("news@acme.example".into()),
            reply_to: None,
            postal_address: Some("Acme Ltd, 1 Main Street, Springfield".into()),
        },
        campaign: None,
    };
    let urls = AssetUrls::new();
    let recipients: Vec<Recipient> = (0..count).map(contact).collect();

    let start = Instant::now();
    let compiled = CompiledTemplate::compile(&content, &shared, &urls).expect("compiles");
    let compile_time = start.elapsed();
    let mut bytes = 0usize;
    let start = Instant::now();
    for r in &recipients {
        let m = compiled.render(r).expect("renders");
        bytes += m.html.len() + m.text.len();
        black_box(m);
    }
    let compiled_time = start.elapsed();
    let compiled_rate = count as f64 / compiled_time.as_secs_f64();

    let naive_count = (count / 100).max(200).min(count);
    let start = Instant::now();
    for r in &recipients[..naive_count] {
        black_box(render_once(&content, &shared, r, &urls).expect("renders"));
    }
    let naive_time = start.elapsed();
    let naive_rate = naive_count as f64 / naive_time.as_secs_f64();

    println!("newsletter, {count} contacts, HTML + text + subject, one thread");
    println!(
        "  compile once:            {:>10.2} ms",
        compile_time.as_secs_f64() * 1e3
    );
    println!(
        "  compiled path:           {:>10.0} messages/s ({:.2} s for {count}; {:.1} µs each; {:.1} KB average)",
        compiled_rate,
        compiled_time.as_secs_f64(),
        compiled_time.as_secs_f64() * 1e6 / count as f64,
        bytes as f64 / count as f64 / 1024.0
    );
    println!(
        "  naive path (compile each): {:>8.0} messages/s (measured on {naive_count} contacts)",
        naive_rate
    );
    println!(
        "  speed-up:                {:>10.1}×",
        compiled_rate / naive_rate
    );
    let target = 5_000.0;
    println!(
        "  target ≥ {target:.0} messages/s: {}",
        if compiled_rate >= target {
            "met"
        } else {
            "NOT met"
        }
    );
}
