// The campaigns part of the dev-only fake backend (see mock-ipc.ts): drafts, a simulated
// send with progress events, review problems, and the sender identity for Settings.
//   campaigns=empty      no campaigns yet
//   review=blocked       the review finds a blocking problem
//   identity=pending     the sender domain still needs DNS records
import { emit } from "@tauri-apps/api/event";
import type { Audience } from "../src/lib/bindings/Audience";
import type { AudienceCount } from "../src/lib/bindings/AudienceCount";
import type { Campaign } from "../src/lib/bindings/Campaign";
import type { CampaignDraft } from "../src/lib/bindings/CampaignDraft";
import type { CampaignRecipient } from "../src/lib/bindings/CampaignRecipient";
import type { CampaignSummary } from "../src/lib/bindings/CampaignSummary";
import type { IdentityStatus } from "../src/lib/bindings/IdentityStatus";
import type { NewCampaign } from "../src/lib/bindings/NewCampaign";
import type { RecipientCounts } from "../src/lib/bindings/RecipientCounts";
import type { RecipientState } from "../src/lib/bindings/RecipientState";
import type { Review } from "../src/lib/bindings/Review";
import type { SendProgress } from "../src/lib/bindings/SendProgress";

type Fail = (code: string, message: string, fields?: { field: string; message: string }[]) => never;

const params = new URLSearchParams(window.location.search);
const now = () => new Date().toISOString();

const noAudience = (): Audience => ({
  segments: [],
  tags: [],
  contacts: [],
  exclude_segments: [],
  exclude_tags: [],
  exclude_contacts: [],
});

interface MockCampaign {
  campaign: Campaign;
  recipients: CampaignRecipient[];
}

let nextId = 1;
const mockBody = `<!doctype html>
<html><body style="margin:0;background:#f3f1ee;font-family:Helvetica,Arial,sans-serif;color:#222">
<table role="presentation" width="100%"><tr><td align="center" style="padding:32px 12px">
<table role="presentation" width="600" style="max-width:600px;width:100%;background:#fff;border-radius:10px">
<tr><td style="background:#0b7285;padding:24px 36px;color:#fff;font-size:13px;letter-spacing:.12em;text-transform:uppercase">Acme Coffee</td></tr>
<tr><td style="padding:36px"><h1 style="margin:0 0 16px;font-size:26px">Holiday opening hours</h1>
<p style="font-size:16px;line-height:1.6">Hi {{ contact.first_name | default(value="there") }},</p>
<p style="font-size:16px;line-height:1.6">The roastery is open until 23 December and back on 2 January. Order by the 18th for delivery before the holidays.</p></td></tr>
<tr><td style="padding:20px 36px;background:#faf9f7;color:#777;font-size:12px">{{ workspace.postal_address }}<br><a href="{{ unsubscribe_url }}" style="color:#777">Unsubscribe</a></td></tr>
</table></td></tr></table></body></html>`;
const campaigns: MockCampaign[] = [];

function base(name: string, partial: Partial<Campaign> = {}): Campaign {
  const at = now();
  return {
    id: nextId++,
    name,
    status: "draft",
    draft_step: "name",
    audience: noAudience(),
    template_id: null,
    subject: "",
    preheader: "",
    body_source: null,
    body_format: null,
    from_name: null,
    from_address: null,
    reply_to: null,
    scheduled_at: null,
    schedule_time_zone: null,
    send_rate: null,
    pause_kind: null,
    pause_reason: null,
    resume_at: null,
    created_at: at,
    updated_at: at,
    started_at: null,
    finished_at: null,
    ...partial,
  };
}

function people(n: number, states: (i: number) => RecipientState): CampaignRecipient[] {
  const names = ["ada", "grace", "alan", "edsger", "barbara", "ken", "margaret", "linus", "radia", "tim"];
  return Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    contact_id: i + 1,
    email: `${names[i % names.length]}.${i + 1}@example.com`,
    state: states(i),
    ses_message_id: states(i) === "sent" ? `0100019${i.toString(16).padStart(6, "0")}-mock` : null,
    attempts: states(i) === "pending" ? 0 : 1,
    last_error: states(i) === "failed" ? "Address rejected by SES: MessageRejected (bad address)" : null,
    sent_at: states(i) === "sent" ? now() : null,
  }));
}

if (params.get("campaigns") !== "empty") {
  const body = "<p>Hello {{ contact.first_name }}</p>";
  campaigns.push(
    {
      campaign: base("November newsletter", {
        status: "sent",
        draft_step: null,
        subject: "The November issue",
        body_source: body,
        body_format: "html",
        started_at: "2026-11-03T09:00:00Z",
        finished_at: "2026-11-03T09:04:12Z",
      }),
      recipients: people(1240, (i) => (i % 97 === 5 ? "failed" : "sent")),
    },
    {
      campaign: base("Black Friday preview", {
        status: "sending",
        draft_step: null,
        subject: "25% off, just for you",
        body_source: body,
        body_format: "html",
        started_at: now(),
      }),
      recipients: people(3200, (i) => (i < 1400 ? "sent" : "pending")),
    },
    {
      campaign: base("Tasting evening invitation", {
        status: "scheduled",
        draft_step: null,
        subject: "You are invited",
        body_source: body,
        body_format: "html",
        scheduled_at: "2026-12-04T08:30:00Z",
        schedule_time_zone: "Europe/London",
      }),
      recipients: [],
    },
    {
      campaign: base("Winter blend launch", {
        status: "paused",
        draft_step: null,
        subject: "Meet the Winter blend",
        body_source: body,
        body_format: "html",
        pause_kind: "daily_quota",
        pause_reason: "The account's 24-hour sending quota is used up.",
        resume_at: "2026-11-28T07:12:00Z",
        started_at: "2026-11-27T07:00:00Z",
      }),
      recipients: people(800, (i) => (i < 500 ? "sent" : i < 503 ? "unknown" : "pending")),
    },
    {
      campaign: base("Spring fair follow-up", { draft_step: "audience", audience: { ...noAudience(), tags: [2] } }),
      recipients: [],
    },
    {
      campaign: base("Holiday opening hours", {
        draft_step: "content",
        audience: { ...noAudience(), segments: [1], exclude_tags: [4] },
        template_id: 2,
        subject: "Our holiday opening hours, {{ contact.first_name | default(value=\"friend\") }}",
        preheader: "Open until 23 December, back on 2 January",
        body_source: mockBody,
        body_format: "html",
        from_name: "Acme Coffee",
        from_address: "news@acme-coffee.example",
      }),
      recipients: [],
    },
    {
      campaign: base("Gift guide 2026", {
        draft_step: "review",
        audience: { ...noAudience(), tags: [1, 3] },
        template_id: 1,
        subject: "The Acme gift guide",
        body_source: mockBody,
        body_format: "html",
        from_name: "Acme Coffee",
        from_address: "news@acme-coffee.example",
      }),
      recipients: [],
    },
    {
      campaign: base("Wholesale price list", {
        draft_step: "template",
        audience: { ...noAudience(), tags: [4] },
      }),
      recipients: [],
    },
  );
}

function find(id: unknown, fail: Fail): MockCampaign {
  const c = campaigns.find((m) => m.campaign.id === Number(id));
  if (!c) fail("not_found", "This campaign no longer exists.");
  return c;
}

function counts(m: MockCampaign): RecipientCounts {
  const c: RecipientCounts = { pending: 0, sending: 0, sent: 0, failed: 0, unknown: 0, skipped: 0 };
  for (const r of m.recipients) c[r.state] += 1;
  return c;
}

function summary(m: MockCampaign): CampaignSummary {
  const c = counts(m);
  const total = m.recipients.length;
  const { campaign: k } = m;
  return {
    id: k.id,
    name: k.name,
    status: k.status,
    subject: k.subject,
    draft_step: k.draft_step,
    scheduled_at: k.scheduled_at,
    schedule_time_zone: k.schedule_time_zone,
    pause_kind: k.pause_kind,
    pause_reason: k.pause_reason,
    resume_at: k.resume_at,
    counts: c,
    progress: total ? (c.sent + c.failed + c.unknown + c.skipped) / total : 0,
    created_at: k.created_at,
    updated_at: k.updated_at,
    started_at: k.started_at,
    finished_at: k.finished_at,
  };
}

function audienceCount(a: Audience): AudienceCount {
  const chosen = a.segments.length * 420 + a.tags.length * 230 + a.contacts.length;
  const excluded = a.exclude_segments.length * 60 + a.exclude_tags.length * 35 + a.exclude_contacts.length;
  const net = Math.max(0, chosen - excluded);
  const leftOut = Math.round(net * 0.06);
  return { recipients: net - leftOut, left_out: leftOut };
}

function checkName(name: string, self: number | null, fail: Fail): void {
  if (!name.trim()) fail("validation", "Give the campaign a name.", [{ field: "name", message: "Give the campaign a name." }]);
  if (campaigns.some((m) => m.campaign.id !== self && m.campaign.name.toLowerCase() === name.trim().toLowerCase())) {
    fail("validation", "Another campaign already has this name.", [
      { field: "name", message: "Another campaign already has this name." },
    ]);
  }
}

const running = new Map<number, ReturnType<typeof setInterval>>();

function progressOf(m: MockCampaign, rate: number): SendProgress {
  const c = counts(m);
  const remaining = c.pending + c.sending;
  return {
    campaign_id: m.campaign.id,
    status: m.campaign.status,
    total: m.recipients.length,
    sent: c.sent,
    failed: c.failed,
    unknown: c.unknown,
    skipped: c.skipped,
    remaining,
    current_rate: rate,
    target_rate: 14,
    eta_seconds: rate > 0 ? remaining / rate : null,
  };
}

function run(m: MockCampaign): void {
  if (running.has(m.campaign.id)) return;
  if (!m.recipients.length) {
    const n = audienceCount(m.campaign.audience).recipients || 40;
    m.recipients = people(n, () => "pending");
  }
  m.campaign.status = "sending";
  m.campaign.pause_kind = null;
  m.campaign.pause_reason = null;
  m.campaign.started_at ??= now();
  const timer = setInterval(() => {
    const batch = m.recipients.filter((r) => r.state === "pending").slice(0, 7);
    for (const r of batch) {
      r.state = r.id % 53 === 0 ? "failed" : "sent";
      r.attempts = 1;
      r.sent_at = now();
      if (r.state === "failed") r.last_error = "Address rejected by SES: MessageRejected";
    }
    if (!m.recipients.some((r) => r.state === "pending")) {
      m.campaign.status = "sent";
      m.campaign.finished_at = now();
      clearInterval(timer);
      running.delete(m.campaign.id);
    }
    void emit("campaign-progress", progressOf(m, m.campaign.status === "sent" ? 0 : 13.6));
  }, 500);
  running.set(m.campaign.id, timer);
}

function stop(m: MockCampaign): void {
  const t = running.get(m.campaign.id);
  if (t) clearInterval(t);
  running.delete(m.campaign.id);
}

// The "Black Friday preview" keeps sending while the page is open.
for (const m of campaigns) if (m.campaign.status === "sending") run(m);

function review(m: MockCampaign): Review {
  const k = m.campaign;
  const out: Review = {
    campaign_id: k.id,
    recipients: audienceCount(k.audience).recipients,
    blocking: [],
    warnings: [],
    quota_remaining: 300,
    account: null,
  };
  if (params.get("review") === "blocked") {
    out.blocking.push({
      code: "sender_not_verified",
      message: `The sender ${k.from_address ?? "news@acme-coffee.example"} is not verified in Amazon SES (eu-west-1). Verify the domain before sending.`,
      step: null,
    });
  }
  if (!k.body_source?.includes("unsubscribe_url")) {
    out.warnings.push({
      code: "no_unsubscribe_link",
      message: "The email has no {{ unsubscribe_url }} link: Herald adds an unsubscribe line to the footer.",
      step: "content",
    });
  }
  if (out.recipients > 300) {
    out.warnings.push({
      code: "over_quota",
      message: `This campaign goes to ${out.recipients.toLocaleString("en-US")} recipients; the account may send 300 more in the next 24 hours. Sending pauses when the quota is used up and resumes by itself.`,
      step: null,
    });
  }
  return out;
}

export function campaignsCommand(cmd: string, args: Record<string, unknown>, fail: Fail): unknown {
  switch (cmd) {
    case "campaigns_list":
      return campaigns.map(summary).sort((a, b) => b.updated_at.localeCompare(a.updated_at));
    case "campaigns_get":
      return find(args.id, fail).campaign;
    case "campaigns_create": {
      const n = args.campaign as NewCampaign;
      checkName(n.name, null, fail);
      const m: MockCampaign = { campaign: base(n.name.trim(), { subject: n.subject, template_id: n.template_id }), recipients: [] };
      campaigns.push(m);
      return m.campaign;
    }
    case "campaigns_update": {
      const m = find(args.id, fail);
      if (m.campaign.status !== "draft") fail("illegal_transition", "Only drafts can be edited.");
      const d = args.draft as CampaignDraft;
      checkName(d.name, m.campaign.id, fail);
      if (d.from_address && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(d.from_address)) {
        fail("validation", "Check the sender.", [{ field: "from_address", message: "This is not a valid email address." }]);
      }
      m.campaign = { ...m.campaign, ...d, name: d.name.trim(), updated_at: now() };
      return m.campaign;
    }
    case "campaigns_delete": {
      const m = find(args.id, fail);
      campaigns.splice(campaigns.indexOf(m), 1);
      return null;
    }
    case "campaigns_duplicate": {
      const m = find(args.id, fail);
      const copy: MockCampaign = {
        campaign: base(`${m.campaign.name} (copy)`, {
          audience: structuredClone(m.campaign.audience),
          template_id: m.campaign.template_id,
          subject: m.campaign.subject,
          preheader: m.campaign.preheader,
          body_source: m.campaign.body_source,
          body_format: m.campaign.body_format,
          draft_step: "name",
        }),
        recipients: [],
      };
      campaigns.push(copy);
      return copy.campaign;
    }
    case "campaigns_audience_count":
      return audienceCount(args.audience as Audience);
    case "campaigns_review":
      return review(find(args.id, fail));
    case "campaigns_test_send": {
      const to = args.to as string[];
      return {
        subject: `[Test] ${find(args.id, fail).campaign.subject}`,
        sent: to.map((t) => ({ to: t, message_id: "0100019-test", error: null })),
        warnings: [],
      };
    }
    case "campaigns_send_now": {
      const m = find(args.id, fail);
      if (params.get("review") === "blocked") fail("review_blocked", "Fix the blocking problems first.");
      run(m);
      return m.campaign;
    }
    case "campaigns_schedule": {
      const m = find(args.id, fail);
      m.campaign.status = "scheduled";
      m.campaign.scheduled_at = String(args.at);
      m.campaign.schedule_time_zone = String(args.timeZone);
      m.campaign.draft_step = "review";
      return m.campaign;
    }
    case "campaigns_unschedule": {
      const m = find(args.id, fail);
      m.campaign.status = "draft";
      m.campaign.scheduled_at = null;
      m.campaign.draft_step = "schedule";
      return m.campaign;
    }
    case "campaigns_pause": {
      const m = find(args.id, fail);
      stop(m);
      m.campaign.status = "paused";
      m.campaign.pause_kind = "user";
      m.campaign.pause_reason = "Paused by you.";
      void emit("campaign-progress", progressOf(m, 0));
      return m.campaign;
    }
    case "campaigns_resume": {
      const m = find(args.id, fail);
      run(m);
      return m.campaign;
    }
    case "campaigns_cancel": {
      const m = find(args.id, fail);
      stop(m);
      for (const r of m.recipients) if (r.state === "pending") r.state = "skipped";
      m.campaign.status = "cancelled";
      m.campaign.finished_at = now();
      void emit("campaign-progress", progressOf(m, 0));
      return m.campaign;
    }
    case "campaigns_resend_unknown": {
      const m = find(args.id, fail);
      for (const r of m.recipients) if (r.state === "unknown") r.state = "pending";
      return m.campaign;
    }
    case "campaigns_mark_unknown_not_sent": {
      const m = find(args.id, fail);
      for (const r of m.recipients) if (r.state === "unknown") r.state = "skipped";
      return m.campaign;
    }
    case "campaigns_recipient_counts":
      return counts(find(args.id, fail));
    case "campaigns_recipients": {
      const m = find(args.id, fail);
      const state = args.stateFilter as RecipientState | null;
      const offset = Number(args.offset ?? 0);
      const limit = Number(args.limit ?? 100);
      return m.recipients.filter((r) => !state || r.state === state).slice(offset, offset + limit);
    }
    case "ses_identity_status": {
      const identity = String(args.identity ?? "");
      const domain = identity.split("@").pop() ?? identity;
      const pending = params.get("identity") === "pending";
      const status: IdentityStatus = {
        identity,
        found: true,
        identity_type: "DOMAIN",
        verified_for_sending: !pending,
        verification: pending ? "pending" : "success",
        dkim_signing_enabled: true,
        dkim: pending ? "pending" : "success",
        mail_from_domain: `mail.${domain}`,
        mail_from: pending ? "pending" : "success",
        missing_records: pending
          ? [
              { name: `abc123._domainkey.${domain}`, record_type: "CNAME", value: "abc123.dkim.amazonses.com", purpose: "Easy DKIM signature (also verifies the domain)" },
              { name: `def456._domainkey.${domain}`, record_type: "CNAME", value: "def456.dkim.amazonses.com", purpose: "Easy DKIM signature (also verifies the domain)" },
              { name: `mail.${domain}`, record_type: "MX", value: "10 feedback-smtp.eu-west-1.amazonses.com", purpose: "Custom MAIL FROM: bounces come back through SES" },
            ]
          : [],
      };
      return status;
    }
    case "autostart_get":
      return autostart;
    case "autostart_set":
      autostart = Boolean(args.enabled);
      return autostart;
    default:
      return undefined;
  }
}

let autostart = false;
