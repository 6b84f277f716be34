//! Printing results: a human format by default, JSON with `--json`.

use std::process::ExitCode;

use serde::Serialize;
use serde_json::json;

/// "1 contact", "3 contacts": a number with its noun in the right form.
pub fn count(n: impl TryInto<u64> + Copy + std::fmt::Display, one: &str, many: &str) -> String {
    let is_one = n.try_into().is_ok_and(|v: u64| v == 1);
    format!("{n} {}", if is_one { one } else { many })
}

pub struct Output {
    pub json: bool,
}

impl Output {
    /// Prints `value` as JSON, or the human text.
    pub fn print<T: Serialize>(&self, value: &T, human: impl FnOnce() -> String) {
        if self.json {
            println!(
                "{}",
                serde_json::to_string_pretty(value).expect("results serialise")
            );
        } else {
            let text = human();
            if !text.is_empty() {
                println!("{}", text.trim_end());
            }
        }
    }

    /// Reports an error on stderr and gives the exit code for it.
    pub fn error(&self, e: &herald_core::Error) -> ExitCode {
        if self.json {
            let body = json!({ "error": { "code": e.code(), "message": e.to_string(), "fields": e.fields() } });
            eprintln!("{body}");
        } else {
            eprintln!("herald: {e}");
            if e.fields().len() > 1 {
                for f in e.fields() {
                    eprintln!("  {}: {}", f.field, f.message);
                }
            }
        }
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn a_count_takes_the_noun_in_its_number() {
        assert_eq!(count(1u64, "contact", "contacts"), "1 contact");
        assert_eq!(count(0usize, "contact", "contacts"), "0 contacts");
        assert_eq!(count(12i64, "address", "addresses"), "12 addresses");
    }
}
