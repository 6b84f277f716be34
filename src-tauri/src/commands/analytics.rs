//! Campaign analytics for the Analytics page: the list, one campaign's numbers, both charts
//! as SVG, and exports (CSV report, charts as SVG or PNG) through the native save dialog.

use herald_core::analytics::{self, charts, CampaignAnalytics, CampaignListItem, ContactCampaign};
use herald_core::workspaces::Workspace;
use serde::{Deserialize, Serialize};
use tauri::{State, WebviewWindow};
use ts_rs::TS;

use crate::dialogs;
use crate::error::CommandResult;
use crate::state::AppState;

/// How many campaigns the trend chart covers.
const TREND_CAMPAIGNS: usize = 20;

/// The two charts of a campaign's page, as SVG text.
#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct CampaignCharts {
    pub activity_svg: String,
    pub trend_svg: String,
}

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AnalyticsExport {
    ReportCsv,
    ActivitySvg,
    ActivityPng,
    TrendSvg,
    TrendPng,
}

/// The campaigns a contact was sent, with what they did with each (the contact's page).
#[tauri::command(async)]
pub fn analytics_contact_history(
    state: State<'_, AppState>,
    contact_id: i64,
) -> CommandResult<Vec<ContactCampaign>> {
    state.with_workspace(|ws| analytics::contact_history(ws.conn(), contact_id))
}

#[tauri::command(async)]
pub fn analytics_campaigns(state: State<'_, AppState>) -> CommandResult<Vec<CampaignListItem>> {
    state.with_workspace(|ws| analytics::campaigns(ws.conn()))
}

#[tauri::command(async)]
pub fn analytics_campaign(state: State<'_, AppState>, id: i64) -> CommandResult<CampaignAnalytics> {
    state.with_workspace(|ws| analytics::campaign(ws.conn(), id))
}

fn activity_svg(ws: &Workspace, id: i64) -> herald_core::Result<String> {
    let conn = ws.conn();
    let name = herald_core::campaigns::get(conn, id)?.name;
    charts::activity_svg(
        &analytics::activity(conn, id)?,
        &format!("Opens and clicks since sending — {name}"),
    )
}

fn trend_svg(ws: &Workspace) -> herald_core::Result<String> {
    charts::trend_svg(
        &analytics::trend(ws.conn(), TREND_CAMPAIGNS)?,
        "Open and click rates across campaigns",
    )
}

#[tauri::command(async)]
pub fn analytics_charts(state: State<'_, AppState>, id: i64) -> CommandResult<CampaignCharts> {
    state.with_workspace(|ws| {
        Ok(CampaignCharts {
            activity_svg: activity_svg(ws, id)?,
            trend_svg: trend_svg(ws)?,
        })
    })
}

/// Asks where to save, then writes the export; `None` when the user cancels.
#[tauri::command]
pub async fn analytics_export(
    window: WebviewWindow,
    state: State<'_, AppState>,
    id: i64,
    what: AnalyticsExport,
) -> CommandResult<Option<String>> {
    let (name, bytes) = state.with_workspace(|ws| {
        let conn = ws.conn();
        let campaign = herald_core::campaigns::get(conn, id)?;
        let slug: String = campaign
            .name
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { '-' })
            .collect();
        Ok(match what {
            AnalyticsExport::ReportCsv => (
                format!("{slug}-report.csv"),
                analytics::report_csv(&analytics::campaign(conn, id)?)?.into_bytes(),
            ),
            AnalyticsExport::ActivitySvg => (
                format!("{slug}-activity.svg"),
                activity_svg(ws, id)?.into_bytes(),
            ),
            AnalyticsExport::ActivityPng => (
                format!("{slug}-activity.png"),
                charts::to_png(&activity_svg(ws, id)?)?,
            ),
            AnalyticsExport::TrendSvg => {
                ("campaign-trend.svg".to_owned(), trend_svg(ws)?.into_bytes())
            }
            AnalyticsExport::TrendPng => (
                "campaign-trend.png".to_owned(),
                charts::to_png(&trend_svg(ws)?)?,
            ),
        })
    })?;
    let Some(path) = dialogs::save_file(&window, &name).await else {
        return Ok(None);
    };
    std::fs::write(&path, bytes).map_err(|e| herald_core::Error::Io {
        action: "written",
        path: path.clone(),
        source: e,
    })?;
    Ok(Some(path.display().to_string()))
}
