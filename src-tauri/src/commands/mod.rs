//! Tauri commands, one module per domain. Each command parses its arguments, calls the core
//! and maps the error; no logic lives here.

pub mod contacts;
pub mod fields;
pub mod imports;
pub mod segments;
pub mod settings;
pub mod tags;
pub mod workspaces;
