//! The one error shape the UI receives: `{ code, message, fields }`.

use herald_core::FieldError;
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CommandError {
    /// Stable code for the UI to branch on, e.g. `validation` or `ses_auth`.
    pub code: String,
    /// What happened, written for the user.
    pub message: String,
    /// Problems with particular input fields, shown at the field.
    pub fields: Vec<FieldError>,
}

impl From<herald_core::Error> for CommandError {
    fn from(e: herald_core::Error) -> Self {
        Self {
            code: e.code().to_owned(),
            message: e.to_string(),
            fields: e.fields().to_vec(),
        }
    }
}

impl CommandError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
            fields: Vec::new(),
        }
    }
}

pub type CommandResult<T> = Result<T, CommandError>;
