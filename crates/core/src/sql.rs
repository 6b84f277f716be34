//! Bound parameters for the few queries that are put together at run time (contact filters,
//! segments). Values never become SQL text: each is pushed here and named `?N`.

use rusqlite::types::Value;

#[derive(Debug, Default)]
pub(crate) struct Params {
    values: Vec<Value>,
}

impl Params {
    /// Binds `value` and returns its placeholder.
    pub(crate) fn bind(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        format!("?{}", self.values.len())
    }

    pub(crate) fn as_params(&self) -> rusqlite::ParamsFromIter<std::slice::Iter<'_, Value>> {
        rusqlite::params_from_iter(self.values.iter())
    }
}
