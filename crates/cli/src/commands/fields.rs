//! `herald fields …`: list, create, update, change-type and delete custom fields.

use clap::Subcommand;
use herald_core::fields::{self, CustomField, FieldInput, FieldType, FieldTypeChange, FieldUpdate};
use herald_core::{Error, FieldError, Result};
use serde_json::json;

use super::Context;
use crate::output::count;

#[derive(Debug, Subcommand)]
pub enum FieldsCommand {
    /// List custom fields in display order.
    List,
    /// Create a custom field.
    Create {
        /// Lower-case key used by imports, segments and templates (e.g. plan_level).
        key: String,
        #[arg(long)]
        label: Option<String>,
        /// text, number, date, boolean or choice.
        #[arg(long = "type", default_value = "text")]
        field_type: String,
        /// An option of a choice field (repeatable).
        #[arg(long = "option")]
        options: Vec<String>,
        #[arg(long)]
        required: bool,
    },
    /// Change a field's label, options or whether it is required.
    Update {
        key: String,
        #[arg(long)]
        label: Option<String>,
        /// Replaces the options of a choice field (repeatable).
        #[arg(long = "option")]
        options: Vec<String>,
        #[arg(long)]
        required: Option<bool>,
    },
    /// Change a field's type. Without --yes, only says what would happen to existing values.
    ChangeType {
        key: String,
        #[arg(long = "type")]
        field_type: String,
        #[arg(long = "option")]
        options: Vec<String>,
        #[arg(long)]
        yes: bool,
    },
    /// Delete a field and its values. Without --yes, only says how many values would go.
    Delete {
        key: String,
        #[arg(long)]
        yes: bool,
    },
}

fn field_type(s: &str) -> Result<FieldType> {
    FieldType::parse(s).ok_or_else(|| {
        Error::Validation(vec![FieldError::new(
            "type",
            format!("“{s}” is not a field type; use text, number, date, boolean or choice."),
        )])
    })
}

fn by_key(conn: &rusqlite::Connection, key: &str) -> Result<CustomField> {
    fields::find_by_key(conn, key)?.ok_or_else(|| {
        Error::Validation(vec![FieldError::new(
            "key",
            format!("There is no custom field “{key}”."),
        )])
    })
}

pub fn run(ctx: &Context, cmd: FieldsCommand) -> Result<()> {
    let mut ws = ctx.open_workspace()?;
    let out = &ctx.out;
    match cmd {
        FieldsCommand::List => {
            let list = fields::list(ws.conn())?;
            out.print(&list, || {
                if list.is_empty() {
                    return "No custom fields yet.".into();
                }
                list.iter()
                    .map(|f| {
                        format!(
                            "{:<24} {:<8} {}{}{}\n",
                            f.key,
                            f.field_type.as_str(),
                            f.label,
                            if f.required { " (required)" } else { "" },
                            if f.options.is_empty() {
                                String::new()
                            } else {
                                format!(" [{}]", f.options.join(", "))
                            }
                        )
                    })
                    .collect()
            });
        }
        FieldsCommand::Create {
            key,
            label,
            field_type: t,
            options,
            required,
        } => {
            let f = fields::create(
                ws.conn(),
                FieldInput {
                    label: label.unwrap_or_else(|| key.replace('_', " ")),
                    key,
                    field_type: field_type(&t)?,
                    options,
                    required,
                },
            )?;
            out.print(&f, || {
                format!("Created field “{}” ({}).", f.key, f.field_type.as_str())
            });
        }
        FieldsCommand::Update {
            key,
            label,
            options,
            required,
        } => {
            let f = by_key(ws.conn(), &key)?;
            let f = fields::update(
                ws.conn(),
                f.id,
                FieldUpdate {
                    label,
                    options: (!options.is_empty()).then_some(options),
                    required,
                },
            )?;
            out.print(&f, || format!("Updated field “{}”.", f.key));
        }
        FieldsCommand::ChangeType {
            key,
            field_type: t,
            options,
            yes,
        } => {
            let f = by_key(ws.conn(), &key)?;
            let change = FieldTypeChange {
                field_type: field_type(&t)?,
                options,
            };
            let preview = if yes {
                fields::change_type(ws.conn_mut(), f.id, change)?
            } else {
                fields::preview_change(ws.conn(), f.id, &change)?
            };
            out.print(&json!({ "applied": yes, "preview": preview }), || {
                format!(
                    "{}: {} kept, {} {}.{}",
                    count(preview.values, "value", "values"),
                    preview.converted,
                    preview.lost,
                    if yes { "removed" } else { "would be removed" },
                    if yes {
                        ""
                    } else {
                        " Run again with --yes to change the type."
                    }
                )
            });
        }
        FieldsCommand::Delete { key, yes } => {
            let f = by_key(ws.conn(), &key)?;
            let preview = fields::preview_delete(ws.conn(), f.id)?;
            if yes {
                fields::delete(ws.conn_mut(), f.id)?;
            }
            out.print(&json!({ "deleted": yes, "values": preview.values }), || {
                if yes {
                    format!(
                        "Deleted “{}” and {}.",
                        f.key,
                        count(preview.values, "value", "values")
                    )
                } else {
                    format!(
                        "“{}” has {} that would be lost. Run again with --yes.",
                        f.key,
                        count(preview.values, "value", "values")
                    )
                }
            });
        }
    }
    Ok(())
}
