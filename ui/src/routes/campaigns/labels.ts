// How campaign states read in the UI, and small numbers-to-words helpers for progress.
import type { CampaignStatus, PauseKind, RecipientCounts, RecipientState } from "$lib/api/campaigns";
import { formatNumber } from "$lib/format";
import type { WizardStep } from "./wizard";

export const statusLabels: Record<CampaignStatus, string> = {
  draft: "Draft",
  scheduled: "Scheduled",
  sending: "Sending",
  paused: "Paused",
  sent: "Sent",
  failed: "Failed",
  cancelled: "Cancelled",
};

/** The badge class of each status (see app.css `.badge-*`). */
export const statusTone: Record<CampaignStatus, "" | "accent" | "success" | "warning" | "danger"> = {
  draft: "",
  scheduled: "accent",
  sending: "accent",
  paused: "warning",
  sent: "success",
  failed: "danger",
  cancelled: "",
};

export const recipientStateLabels: Record<RecipientState, string> = {
  pending: "Waiting",
  sending: "Being sent",
  sent: "Sent",
  failed: "Failed",
  unknown: "Outcome unknown",
  skipped: "Not sent",
};

export const pauseKindLabels: Record<PauseKind, string> = {
  user: "Paused by you",
  daily_quota: "Daily sending quota reached",
  account: "Amazon SES stopped the campaign",
  unreachable: "Amazon SES cannot be reached",
  missed_schedule: "Its scheduled time passed while Herald was closed",
};

/** Recipients with an outcome (sent, failed, unknown or skipped), and the total. */
export function progressOf(c: RecipientCounts): { done: number; total: number; share: number } {
  const total = c.pending + c.sending + c.sent + c.failed + c.unknown + c.skipped;
  const done = c.sent + c.failed + c.unknown + c.skipped;
  return { done, total, share: total ? done / total : 0 };
}

/** "3 min 20 s", "2 h 5 min", "less than a second" — time left at the current pace. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "—";
  if (seconds < 1) return "less than a second";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

/** "13.6/s" */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return "—";
  return `${formatNumber(Math.round(perSecond * 10) / 10)}/s`;
}

/** "1 recipient", "1,240 recipients" */
export function recipientsText(n: number): string {
  return `${formatNumber(n)} ${n === 1 ? "recipient" : "recipients"}`;
}

/** The wizard step where a review finding is fixed; null when it is fixed in Settings or SES. */
export function stepForReviewCode(code: string): WizardStep | null {
  switch (code) {
    case "no_recipients":
    case "sandbox_unverified_recipients":
      return "audience";
    case "empty_subject":
    case "no_sender":
    case "no_content":
    case "template_error":
    case "no_unsubscribe_link":
    case "local_images_without_bucket":
      return "content";
    default:
      return null;
  }
}

/** Review findings fixed in Settings rather than in the wizard. */
export function settingsForReviewCode(code: string): boolean {
  return ["no_postal_address", "no_relay_url", "no_configuration_set", "sender_not_verified"].includes(code);
}
