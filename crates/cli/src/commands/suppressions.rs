//! `herald suppressions …`: the addresses Herald never sends to again.

use clap::Subcommand;
use herald_core::suppressions::{self, SuppressionReason};
use herald_core::{Error, FieldError, Result};
use serde_json::json;

use super::Context;

#[derive(Debug, Subcommand)]
pub enum SuppressionsCommand {
    /// List suppressed addresses (newest first).
    List {
        /// Only addresses containing this text.
        #[arg(long)]
        search: Option<String>,
    },
    /// Suppress an address (reason: manual, unsubscribe, hard_bounce, complaint).
    Add {
        email: String,
        #[arg(long, default_value = "manual")]
        reason: String,
        /// A note on why, shown with the entry.
        #[arg(long)]
        detail: Option<String>,
    },
    /// Take an address off the list (Herald may send to it again).
    Remove { email: String },
}

pub fn run(ctx: &Context, cmd: SuppressionsCommand) -> Result<()> {
    let ws = ctx.open_workspace()?;
    let conn = ws.conn();
    let out = &ctx.out;
    match cmd {
        SuppressionsCommand::List { search } => {
            let list = suppressions::list(conn, search.as_deref())?;
            out.print(&list, || {
                if list.is_empty() {
                    return "No suppressed addresses.".into();
                }
                list.iter()
                    .map(|s| {
                        format!(
                            "{}  {:<11}  {}{}\n",
                            &s.created_at[..10.min(s.created_at.len())],
                            s.reason.as_str(),
                            s.email,
                            s.detail
                                .as_deref()
                                .map(|d| format!("  ({d})"))
                                .unwrap_or_default()
                        )
                    })
                    .collect()
            });
        }
        SuppressionsCommand::Add {
            email,
            reason,
            detail,
        } => {
            let reason = SuppressionReason::parse(&reason).ok_or_else(|| {
                Error::Validation(vec![FieldError::new(
                    "reason",
                    "The reason is one of manual, unsubscribe, hard_bounce, complaint.",
                )])
            })?;
            let s = suppressions::add(conn, &email, reason, detail.as_deref(), None)?;
            out.print(&s, || {
                format!(
                    "{} is suppressed ({}); Herald will not send to it.",
                    s.email,
                    s.reason.as_str()
                )
            });
        }
        SuppressionsCommand::Remove { email } => {
            suppressions::remove(conn, &email)?;
            out.print(&json!({ "removed": email.trim() }), || {
                format!("{} is no longer suppressed.", email.trim())
            });
        }
    }
    Ok(())
}
