//! herald-core: everything a Herald user can do, with no GUI dependency. The desktop shell
//! and the `herald` CLI are thin front ends over this crate.

pub mod analytics;
pub mod assets;
pub mod campaigns;
pub mod contacts;
pub mod credentials;
pub mod db;
pub mod error;
pub mod events;
pub mod fields;
pub mod imports;
pub mod policy;
pub mod render;
pub mod scheduler;
pub mod secrets;
pub mod segments;
pub mod sending;
pub mod ses;
pub mod settings;
mod sql;
pub mod suppressions;
pub mod tags;
pub mod templates;
pub mod time;
pub mod tracking;
pub mod updates;
pub mod workspaces;

pub use error::{Error, FieldError, Result};
