// The mock backend's analytics and events commands (dev:mock): one sent campaign with
// realistic numbers, so the Analytics page and the Event tracking card can be looked at.
import type { CampaignAnalytics } from "$lib/bindings/CampaignAnalytics";
import type { CampaignListItem } from "$lib/bindings/CampaignListItem";
import type { ContactCampaign } from "$lib/bindings/ContactCampaign";
import type { EventsStatus } from "$lib/bindings/EventsStatus";

const campaign: CampaignAnalytics = {
  campaign_id: 1,
  name: "Autumn news",
  status: "sent",
  started_at: "2026-11-20T10:00:00Z",
  recipients: 12480,
  sent: 12431,
  delivered: 12102,
  hard_bounces: 212,
  soft_bounces: 117,
  soft_bounced_recipients: 96,
  complaints: 4,
  rejects: 0,
  delivery_delays: 31,
  opens: { unique: 6210, total: 9874, human_unique: 3905, human_total: 6120 },
  clicks: { unique: 1422, total: 2310, human_unique: 1198, human_total: 1877 },
  unsubscribes: 57,
  rates: {
    delivery: 12102 / 12431,
    open: 6210 / 12102,
    human_open: 3905 / 12102,
    click: 1422 / 12102,
    human_click: 1198 / 12102,
    click_to_open: 1422 / 6210,
    human_click_to_open: 1198 / 3905,
    bounce: 212 / 12431,
    complaint: 4 / 12431,
    unsubscribe: 57 / 12102,
  },
  links: [
    { url: "https://acme.example/autumn-offer", clicks: { unique: 1102, total: 1790, human_unique: 930, human_total: 1460 } },
    { url: "https://acme.example/blog/roasting", clicks: { unique: 320, total: 520, human_unique: 268, human_total: 417 } },
  ],
  warnings: [],
  first_event_at: "2026-11-20T10:00:02.000Z",
  last_event_at: "2026-11-25T18:20:00.000Z",
};

const list: CampaignListItem[] = [
  { id: 1, name: "Autumn news", status: "sent", started_at: campaign.started_at, delivered: 12102, open_rate: campaign.rates.open, click_rate: campaign.rates.click },
];

const history: ContactCampaign[] = [
  {
    campaign_id: 1,
    campaign_name: "Autumn news",
    campaign_status: "sent",
    state: "sent",
    sent_at: "2026-11-20T10:00:04.000Z",
    delivered_at: "2026-11-20T10:00:06.000Z",
    bounce_type: null,
    bounced_at: null,
    complained_at: null,
    opens: 3,
    human_opens: 2,
    last_open_at: "2026-11-22T08:14:00.000Z",
    clicks: 1,
    human_clicks: 1,
    last_click_at: "2026-11-20T12:31:00.000Z",
    unsubscribed_at: null,
    outcome: "delivered",
  },
];

const chart = (title: string) =>
  `<svg width="880" height="360" viewBox="0 0 880 360" xmlns="http://www.w3.org/2000/svg"><rect width="880" height="360" fill="#fff"/><text x="440" y="30" text-anchor="middle" font-family="sans-serif" font-size="16">${title}</text><polyline fill="none" stroke="#2563eb" stroke-width="2" points="60,300 120,120 180,200 240,260 300,280 420,290 600,295 820,298"/><polyline fill="none" stroke="#16a34a" stroke-width="2" points="60,310 120,250 180,280 240,300 300,305 420,308 600,309 820,310"/></svg>`;

const status: EventsStatus = {
  relay_url: "https://relay.acme.example",
  token_stored: true,
  poll: { cursor: 4812, last_polled_at: "2026-11-27T10:58:00.000Z", last_error: null, events_total: 35410 },
};

export function analyticsMock(cmd: string, args: Record<string, unknown>): unknown {
  switch (cmd) {
    case "analytics_campaigns":
      return list;
    case "analytics_contact_history":
      return Number(args.contactId) === 1 ? history : [];
    case "analytics_campaign":
      return { ...campaign, campaign_id: Number(args.id) };
    case "analytics_charts":
      return { activity_svg: chart("Opens and clicks since sending — Autumn news"), trend_svg: chart("Open and click rates across campaigns") };
    case "analytics_export":
      return `/home/you/Downloads/autumn-news-${String(args.what)}`;
    case "events_status":
      return status;
    case "events_set_token":
      return { ...status, token_stored: String(args.token ?? "").trim() !== "" };
    case "events_poll":
      return {
        pages: 1,
        received: 12,
        cursor: 4824,
        has_more: false,
        ingest: { stored: 12, duplicates: 0, unmatched: 0, skipped: 0, contacts_changed: 1, suppressed: 1, paused_campaigns: [] },
      };
    default:
      return undefined;
  }
}
