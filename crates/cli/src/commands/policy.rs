use clap::Subcommand;
use herald_core::policy::{self, Policy};
use herald_core::Result;

use super::Context;

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Show the policy file Herald reads and every setting it presets or locks.
    Show,
}

pub fn run(ctx: &Context, cmd: PolicyCommand) -> Result<()> {
    match cmd {
        PolicyCommand::Show => {
            let policy = Policy::load()?;
            ctx.out.print(&policy, || match &policy.file {
                None => format!(
                    "No IT policy: {} does not exist, so nothing is managed.",
                    policy::path().display()
                ),
                Some(file) if policy.settings.is_empty() => {
                    format!("IT policy {file}: manages no settings.")
                }
                Some(file) => {
                    let lines: Vec<String> = policy
                        .settings
                        .iter()
                        .map(|m| {
                            let how = if m.locked { "locked" } else { "preset" };
                            format!("{:<18} {:<7} {}", m.key, how, m.value)
                        })
                        .collect();
                    format!("IT policy {file}:\n{}", lines.join("\n"))
                }
            });
        }
    }
    Ok(())
}
