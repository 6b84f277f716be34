//! Tauri commands, one module per domain. Each command parses its arguments, calls the core
//! and maps the error; no logic lives here.

pub mod assets;
pub mod settings;
pub mod templates;
pub mod updates;
pub mod workspaces;
