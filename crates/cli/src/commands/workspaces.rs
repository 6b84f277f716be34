use std::io::{BufRead, IsTerminal, Write};

use clap::Subcommand;
use herald_core::secrets::OsKeychain;
use herald_core::Result;
use serde_json::json;

use super::Context;

#[derive(Debug, Subcommand)]
pub enum WorkspaceCommand {
    /// Create a workspace and make it the current one.
    Create { name: String },
    /// List workspaces; the current one is marked with *.
    List,
    /// Make a workspace the current one (the app reopens it too).
    Open { name: String },
    /// Rename a workspace (its data and keychain entries stay attached).
    Rename { name: String, new_name: String },
    /// Delete a workspace, its files and its keychain entries. Cannot be undone.
    Delete {
        name: String,
        /// Confirm without being asked to type the name.
        #[arg(long)]
        yes: bool,
    },
}

pub fn run(ctx: &Context, cmd: WorkspaceCommand) -> Result<()> {
    let out = &ctx.out;
    match cmd {
        WorkspaceCommand::Create { name } => {
            let info = ctx.home.create(&name)?.info();
            out.print(&info, || {
                format!("Created workspace “{}” at {}", info.name, info.path)
            });
        }
        WorkspaceCommand::List => {
            let list = ctx.home.list()?;
            out.print(&list, || {
                if list.is_empty() {
                    return "No workspaces yet. Create one with `herald workspace create NAME`."
                        .into();
                }
                list.iter()
                    .map(|w| {
                        format!(
                            "{} {}\t{}\n",
                            if w.last_opened { "*" } else { " " },
                            w.name,
                            w.path
                        )
                    })
                    .collect()
            });
        }
        WorkspaceCommand::Open { name } => {
            let info = ctx.home.open(&name)?.info();
            out.print(&info, || format!("Now using “{}”.", info.name));
        }
        WorkspaceCommand::Rename { name, new_name } => {
            let renamed = ctx.home.rename(&name, &new_name)?;
            out.print(&renamed, || {
                format!("Renamed “{name}” to “{}”.", renamed.name)
            });
        }
        WorkspaceCommand::Delete { name, yes } => {
            let confirmation = if yes {
                name.trim().to_owned()
            } else {
                ask_for_name(&name)?
            };
            ctx.home.delete(&name, &confirmation, &OsKeychain)?;
            out.print(&json!({ "deleted": name.trim() }), || {
                format!("Deleted workspace “{}”.", name.trim())
            });
        }
    }
    Ok(())
}

/// Without `--yes`, a person at a terminal types the name; a script must pass `--yes`.
fn ask_for_name(name: &str) -> Result<String> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(herald_core::Error::ConfirmationMismatch(format!(
            "{} (pass --yes when running without a terminal)",
            name.trim()
        )));
    }
    eprint!(
        "This deletes “{}” and everything in it. Type its name to confirm: ",
        name.trim()
    );
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    stdin.lock().read_line(&mut line).ok();
    Ok(line.trim().to_owned())
}
