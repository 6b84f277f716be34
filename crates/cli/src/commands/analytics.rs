//! `herald analytics …`: a campaign's numbers and rates, its charts and its CSV report.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use herald_core::analytics::{self, charts, percent};
use herald_core::{Error, Result};

use super::Context;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChartKind {
    /// Opens and clicks over time since sending (hourly for 72 h, then daily).
    Activity,
    /// Open and click rates across the last campaigns.
    Trend,
}

#[derive(Debug, Subcommand)]
pub enum AnalyticsCommand {
    /// Campaigns with analytics, newest first.
    List,
    /// One campaign's numbers, rates and warnings.
    Campaign { name: String },
    /// Draw a chart as SVG (or PNG when FILE ends in .png).
    Chart {
        /// The campaign (for the activity chart).
        name: Option<String>,
        #[arg(long, value_enum, default_value = "activity")]
        kind: ChartKind,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Write a campaign's report as CSV.
    Export {
        name: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

fn rate(r: Option<f64>) -> String {
    r.map(percent).unwrap_or_else(|| "–".into())
}

pub fn run(ctx: &Context, cmd: AnalyticsCommand) -> Result<()> {
    let ws = ctx.open_workspace()?;
    let conn = ws.conn();
    let out = &ctx.out;
    match cmd {
        AnalyticsCommand::List => {
            let list = analytics::campaigns(conn)?;
            out.print(&list, || {
                if list.is_empty() {
                    return "No campaign has been sent yet.".into();
                }
                list.iter()
                    .map(|c| {
                        format!(
                            "{:<32} {:<10} delivered {:>8}  open {:>7}  click {:>7}\n",
                            c.name,
                            format!("{:?}", c.status).to_lowercase(),
                            c.delivered,
                            rate(c.open_rate),
                            rate(c.click_rate)
                        )
                    })
                    .collect()
            });
        }
        AnalyticsCommand::Campaign { name } => {
            let id = analytics::campaign_id_by_name(conn, &name)?;
            let a = analytics::campaign(conn, id)?;
            out.print(&a, || {
                let r = &a.rates;
                let mut text = format!(
                    "{name}\n\
                     Recipients     {}\n\
                     Sent           {}\n\
                     Delivered      {}  ({})\n\
                     Hard bounces   {}  ({})\n\
                     Soft bounces   {}  ({} recipients)\n\
                     Complaints     {}  ({})\n\
                     Opens          {} unique ({}), {} total; human {} unique ({}), {} total\n\
                     Clicks         {} unique ({}), {} total; human {} unique ({}), {} total\n\
                     Click-to-open  {}  (human {})\n\
                     Unsubscribes   {}  ({})\n",
                    a.recipients,
                    a.sent,
                    a.delivered,
                    rate(r.delivery),
                    a.hard_bounces,
                    rate(r.bounce),
                    a.soft_bounces,
                    a.soft_bounced_recipients,
                    a.complaints,
                    rate(r.complaint),
                    a.opens.unique,
                    rate(r.open),
                    a.opens.total,
                    a.opens.human_unique,
                    rate(r.human_open),
                    a.opens.human_total,
                    a.clicks.unique,
                    rate(r.click),
                    a.clicks.total,
                    a.clicks.human_unique,
                    rate(r.human_click),
                    a.clicks.human_total,
                    rate(r.click_to_open),
                    rate(r.human_click_to_open),
                    a.unsubscribes,
                    rate(r.unsubscribe),
                    name = a.name,
                );
                for l in &a.links {
                    text.push_str(&format!(
                        "  {} unique / {} total  {}\n",
                        l.clicks.unique, l.clicks.total, l.url
                    ));
                }
                for w in &a.warnings {
                    text.push_str(&format!("Warning: {}\n", w.message));
                }
                text
            });
        }
        AnalyticsCommand::Chart {
            name,
            kind,
            out: file,
        } => {
            let svg = match kind {
                ChartKind::Activity => {
                    let name = name.ok_or_else(|| {
                        Error::Validation(vec![herald_core::FieldError::new(
                            "name",
                            "Name the campaign whose activity to draw.",
                        )])
                    })?;
                    let id = analytics::campaign_id_by_name(conn, &name)?;
                    let a = analytics::campaign(conn, id)?;
                    charts::activity_svg(
                        &analytics::activity(conn, id)?,
                        &format!("Opens and clicks since sending — {}", a.name),
                    )?
                }
                ChartKind::Trend => charts::trend_svg(
                    &analytics::trend(conn, 20)?,
                    "Open and click rates across campaigns",
                )?,
            };
            let png = file
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("png"));
            let bytes = if png {
                charts::to_png(&svg)?
            } else {
                svg.into_bytes()
            };
            std::fs::write(&file, &bytes).map_err(|e| Error::Io {
                action: "written",
                path: file.clone(),
                source: e,
            })?;
            out.print(
                &serde_json::json!({ "path": file.display().to_string(), "bytes": bytes.len() }),
                || format!("Wrote {}.", file.display()),
            );
        }
        AnalyticsCommand::Export { name, out: file } => {
            let id = analytics::campaign_id_by_name(conn, &name)?;
            let csv = analytics::report_csv(&analytics::campaign(conn, id)?)?;
            std::fs::write(&file, &csv).map_err(|e| Error::Io {
                action: "written",
                path: file.clone(),
                source: e,
            })?;
            out.print(
                &serde_json::json!({ "path": file.display().to_string() }),
                || format!("Wrote {}.", file.display()),
            );
        }
    }
    Ok(())
}
