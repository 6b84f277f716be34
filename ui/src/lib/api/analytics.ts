import type { AnalyticsExport } from "$lib/bindings/AnalyticsExport";
import type { CampaignAnalytics } from "$lib/bindings/CampaignAnalytics";
import type { CampaignCharts } from "$lib/bindings/CampaignCharts";
import type { CampaignListItem } from "$lib/bindings/CampaignListItem";
import type { ContactCampaign } from "$lib/bindings/ContactCampaign";
import type { Engagement } from "$lib/bindings/Engagement";
import type { LinkClicks } from "$lib/bindings/LinkClicks";
import type { MessageOutcome } from "$lib/bindings/MessageOutcome";
import type { Rates } from "$lib/bindings/Rates";
import type { Warning } from "$lib/bindings/Warning";
import { call } from "./client";

export type {
  AnalyticsExport,
  CampaignAnalytics,
  CampaignCharts,
  CampaignListItem,
  ContactCampaign,
  Engagement,
  LinkClicks,
  MessageOutcome,
  Rates,
  Warning,
};

export const listAnalyticsCampaigns = () => call<CampaignListItem[]>("analytics_campaigns");

/** The campaigns a contact was sent, newest first, with what they did with each. */
export const contactHistory = (contactId: number) =>
  call<ContactCampaign[]>("analytics_contact_history", { contactId });

export const campaignAnalytics = (id: number) => call<CampaignAnalytics>("analytics_campaign", { id });

export const campaignCharts = (id: number) => call<CampaignCharts>("analytics_charts", { id });

/** Asks where to save and writes the export; resolves to the path, or null when cancelled. */
export const exportAnalytics = (id: number, what: AnalyticsExport) =>
  call<string | null>("analytics_export", { id, what });

/** A rate as people read it: 0.042 → "4.2%", 0.0012 → "0.12%", null → "–". */
export function formatRate(rate: number | null): string {
  if (rate === null || !Number.isFinite(rate)) return "–";
  const p = rate * 100;
  return p !== 0 && Math.abs(p) < 1 ? `${p.toFixed(2)}%` : `${p.toFixed(1)}%`;
}
