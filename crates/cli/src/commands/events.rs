//! `herald events …`: poll the relay for delivery and engagement events, see where polling
//! stands, and store the relay token.

use std::io::Read;

use clap::Subcommand;
use herald_core::events::poll::{self, RelayClient};
use herald_core::events::BounceGuard;
use herald_core::secrets::OsKeychain;
use herald_core::settings;
use herald_core::{Error, Result};

use super::Context;
use crate::output::count;

#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// Pull every waiting event from the workspace's relay and apply it (recipient and
    /// contact states, suppressions, analytics).
    Poll,
    /// Where polling stands: the cursor, the last poll and its error, events stored.
    Status,
    /// Store the workspace's relay token in the OS keychain, read from standard input so it
    /// never appears in the process list or shell history. An empty input removes it.
    SetToken {
        /// Read the token from standard input (required).
        #[arg(long, required = true)]
        stdin: bool,
    },
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Io {
            action: "started",
            path: "the async runtime".into(),
            source: e,
        })
}

pub fn run(ctx: &Context, cmd: EventsCommand) -> Result<()> {
    let mut ws = ctx.open_workspace()?;
    let out = &ctx.out;
    match cmd {
        EventsCommand::Poll => {
            let settings = settings::load(ws.conn())?;
            let client = RelayClient::for_workspace(&settings, &OsKeychain, ws.id())?;
            let guard = BounceGuard::from_settings(&settings);
            let id = ws.id().to_owned();
            let report = runtime()?.block_on(poll::poll(ws.conn_mut(), &id, &client, guard))?;
            out.print(&report, || {
                let i = &report.ingest;
                let mut text =
                    format!(
                    "{} received: {} new, {} already stored, {} without a campaign, {} skipped.\n\
                     {} changed status, {} suppressed.",
                    count(report.received, "event", "events"), i.stored, i.duplicates, i.unmatched,
                    i.skipped, count(i.contacts_changed, "contact", "contacts"),
                    count(i.suppressed, "address", "addresses")
                );
                for id in &i.paused_campaigns {
                    text.push_str(&format!(
                        "\nCampaign {id} was paused: its bounce rate passed the limit."
                    ));
                }
                if report.has_more {
                    text.push_str("\nMore events are waiting; poll again.");
                }
                text
            });
        }
        EventsCommand::Status => {
            let state = poll::state(ws.conn())?;
            out.print(&state, || {
                format!(
                    "Cursor:        {}\nLast poll:     {}\nLast error:    {}\nEvents stored: {}",
                    state.cursor,
                    state.last_polled_at.as_deref().unwrap_or("never"),
                    state.last_error.as_deref().unwrap_or("none"),
                    state.events_total
                )
            });
        }
        EventsCommand::SetToken { stdin: _ } => {
            let mut token = String::new();
            std::io::stdin()
                .read_to_string(&mut token)
                .map_err(|e| Error::Io {
                    action: "read",
                    path: "standard input".into(),
                    source: e,
                })?;
            poll::set_token(&OsKeychain, ws.id(), &token)?;
            let stored = !token.trim().is_empty();
            out.print(&serde_json::json!({ "stored": stored }), || {
                if stored {
                    "The relay token is stored in the OS keychain.".into()
                } else {
                    "The relay token was removed.".into()
                }
            });
        }
    }
    Ok(())
}
