//! herald-core: everything a Herald user can do, with no GUI dependency. The desktop shell
//! and the `herald` CLI are thin front ends over this crate.

pub mod assets;
pub mod credentials;
pub mod db;
pub mod error;
pub mod render;
pub mod secrets;
pub mod ses;
pub mod settings;
pub mod templates;
pub mod time;
pub mod workspaces;

pub use error::{Error, FieldError, Result};
