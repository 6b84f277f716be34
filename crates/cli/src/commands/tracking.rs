//! `herald tracking connect`: create or repair the SES configuration set, the SNS topic and
//! its policy, the event destination, the relay registration and the HTTPS subscription.

use clap::Subcommand;
use herald_core::events::poll::RelayClient;
use herald_core::secrets::OsKeychain;
use herald_core::sending::unsubscribe;
use herald_core::ses::SesConnection;
use herald_core::tracking::{self, PieceState};
use herald_core::{settings, Result};

use super::Context;

#[derive(Debug, Subcommand)]
pub enum TrackingCommand {
    /// Create or repair every piece that carries SES events to the relay; safe to repeat.
    Connect,
}

pub fn run(ctx: &Context, cmd: TrackingCommand) -> Result<()> {
    let ws = ctx.open_workspace()?;
    match cmd {
        TrackingCommand::Connect => {
            let settings = settings::load(ws.conn())?;
            let connection = SesConnection::for_workspace(&ws, &OsKeychain)?;
            let relay = RelayClient::for_workspace(&settings, &OsKeychain, ws.id())?;
            let key = unsubscribe::signing_key(&OsKeychain, ws.id())?;
            let id = ws.id().to_owned();
            let set = tracking::configuration_set_for(&settings, &id);
            let mut ws = ws;
            let status = super::events::runtime()?.block_on(tracking::connect(
                &connection,
                &relay,
                &id,
                &set,
                &key,
            ))?;
            tracking::remember_configuration_set(ws.conn_mut(), &status)?;
            ctx.out.print(&status, || {
                let mut text = format!("Configuration set: {}\n", status.configuration_set);
                for p in &status.pieces {
                    let mark = match p.state {
                        PieceState::Ok | PieceState::Created | PieceState::Repaired => "ok",
                        PieceState::Pending => "..",
                        PieceState::Failed => "!!",
                        PieceState::Skipped => "--",
                    };
                    text.push_str(&format!(
                        "[{mark}] {:<18} {:<9} {}\n",
                        format!("{:?}", p.piece),
                        format!("{:?}", p.state).to_lowercase(),
                        p.detail
                    ));
                }
                text
            });
        }
    }
    Ok(())
}
