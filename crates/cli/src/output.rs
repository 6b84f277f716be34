//! Printing results: a human format by default, JSON with `--json`.

use std::process::ExitCode;

use serde::Serialize;
use serde_json::json;

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
