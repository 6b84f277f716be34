//! `herald`: the same core as the desktop app, from a terminal. Every command takes `--json`
//! for machine-readable output on stdout; errors go to stderr with a non-zero exit code.

mod commands;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use output::Output;

#[derive(Debug, Parser)]
#[command(
    name = "herald",
    version,
    about = "Herald: email campaigns through Amazon SES, from the terminal"
)]
struct Cli {
    /// Folder that holds Herald's workspaces (default: the app's data folder).
    #[arg(long, global = true, env = "HERALD_HOME", value_name = "DIR")]
    home: Option<PathBuf>,

    /// Workspace to act on (default: the one used last).
    #[arg(
        long,
        short = 'w',
        global = true,
        env = "HERALD_WORKSPACE",
        value_name = "NAME"
    )]
    workspace: Option<String>,

    /// Print machine-readable JSON on stdout.
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: commands::Command,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let out = Output { json: cli.json };
    let home = match cli.home {
        Some(dir) => herald_core::workspaces::Home::at(dir),
        None => match herald_core::workspaces::Home::from_env() {
            Ok(home) => home,
            Err(e) => return out.error(&e),
        },
    };
    let ctx = commands::Context {
        home,
        workspace: cli.workspace,
        out,
    };
    match commands::run(&ctx, cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => ctx.out.error(&e),
    }
}
