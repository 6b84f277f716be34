//! Tauri commands, one module per domain. Each command parses its arguments, calls the core
//! and maps the error; no logic lives here.
//!
//! The audience commands (contacts, tags, fields, segments, imports) are `command(async)`:
//! Tauri runs them on its async runtime rather than on the main thread, so a query over a
//! million contacts never stops the window from painting.

pub mod analytics;
pub mod assets;
pub mod campaigns;
pub mod contacts;
pub mod desktop;
pub mod events;
pub mod fields;
pub mod imports;
pub mod segments;
pub mod settings;
pub mod tags;
pub mod templates;
pub mod tracking;
pub mod updates;
pub mod workspaces;
