//! A stable-toolchain stand-in for the fuzz target (crates/core/fuzz): thousands of mutated
//! and generated CSV-ish inputs through the parser and the real import. Nothing may panic,
//! and every import either fails cleanly leaving the database unchanged, or reports counts
//! that add up.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use herald_core::db::{open, OpenMode};
use herald_core::imports::{self, ImportOptions, PreviewOptions};

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PIECES: [&[u8]; 24] = [
    b",",
    b";",
    b"\t",
    b"|",
    b"\"",
    b"\"\"",
    b"\n",
    b"\r\n",
    b"\r",
    b"email",
    b"Email Address",
    b"@example.com",
    b"ann",
    b"\xEF\xBB\xBF",
    b"\xFF\xFE",
    b"\xFE\xFF",
    b"\x00",
    b"\xC3\xA9",
    b"\xE9",
    b"sep=;",
    b"tags",
    b"name",
    b"a,b",
    b" ",
];

fn generated(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    for _ in 0..rng.below(200) {
        out.extend_from_slice(PIECES[rng.below(PIECES.len())]);
    }
    out
}

fn mutated(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut data = seeds[rng.below(seeds.len())].clone();
    for _ in 0..1 + rng.below(8) {
        if data.is_empty() {
            data.push(b'x');
        }
        let at = rng.below(data.len());
        match rng.below(4) {
            0 => data[at] = rng.next() as u8,
            1 => data.insert(at, PIECES[rng.below(PIECES.len())][0]),
            2 => {
                data.remove(at);
            }
            _ => data.truncate(at),
        }
    }
    data
}

fn seeds() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import");
    let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    seeds.sort();
    seeds
}

#[test]
fn the_parser_survives_thousands_of_hostile_inputs() {
    let seeds = seeds();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..4_000 {
        let input = if i % 2 == 0 {
            generated(&mut rng)
        } else {
            mutated(&mut rng, &seeds)
        };
        let _ = imports::parse_for_fuzzing(&input);
    }
}

/// Inputs kept from `cargo fuzz` runs (crates/core/fuzz), see tests/fixtures/fuzz/README.md.
#[test]
fn fuzz_inputs_found_by_cargo_fuzz_do_not_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let work = tempfile::tempdir().unwrap();
    let mut conn = open(&work.path().join("herald.db"), OpenMode::CreateNew).unwrap();
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_none_or(|e| e != "md"))
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty());
    for path in inputs {
        let bytes = std::fs::read(&path).unwrap();
        let _ = imports::parse_for_fuzzing(&bytes);
        let _ = imports::preview(&conn, &path, &PreviewOptions::default());
        let _ = imports::run(
            &mut conn,
            &path,
            &ImportOptions::default(),
            |_| {},
            &AtomicBool::new(false),
        );
    }
}

#[test]
fn imports_of_hostile_files_fail_cleanly_or_add_up() {
    let seeds = seeds();
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir.path().join("herald.db"), OpenMode::CreateNew).unwrap();
    let file = dir.path().join("input.csv");
    for i in 0..80 {
        let input = if i % 3 == 0 {
            generated(&mut rng)
        } else {
            mutated(&mut rng, &seeds)
        };
        std::fs::write(&file, &input).unwrap();
        let _ = imports::preview(&conn, &file, &PreviewOptions::default());
        let before: i64 = conn
            .query_row("SELECT count(*) FROM contacts", [], |r| r.get(0))
            .unwrap();
        let imports_before: i64 = conn
            .query_row("SELECT count(*) FROM imports", [], |r| r.get(0))
            .unwrap();
        match imports::run(
            &mut conn,
            &file,
            &ImportOptions::default(),
            |_| {},
            &AtomicBool::new(false),
        ) {
            Ok(r) => {
                assert_eq!(
                    r.total,
                    r.created + r.updated + r.skipped + r.failed,
                    "{input:?}"
                );
                let after: i64 = conn
                    .query_row("SELECT count(*) FROM contacts", [], |r| r.get(0))
                    .unwrap();
                assert_eq!(after - before, r.created as i64);
            }
            Err(e) => {
                assert!(!e.to_string().is_empty());
                let after: i64 = conn
                    .query_row("SELECT count(*) FROM contacts", [], |r| r.get(0))
                    .unwrap();
                let imports_after: i64 = conn
                    .query_row("SELECT count(*) FROM imports", [], |r| r.get(0))
                    .unwrap();
                assert_eq!(
                    (after, imports_after),
                    (before, imports_before),
                    "a failed import changed the database"
                );
            }
        }
    }
}
