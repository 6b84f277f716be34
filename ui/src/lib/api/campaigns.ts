// Campaigns: drafts and the wizard, the audience count, review, test sends, sending now or
// on a schedule, pause / resume / cancel, and the live progress of a send.
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { Audience } from "$lib/bindings/Audience";
import type { AudienceCount } from "$lib/bindings/AudienceCount";
import type { Campaign } from "$lib/bindings/Campaign";
import type { CampaignDraft } from "$lib/bindings/CampaignDraft";
import type { CampaignRecipient } from "$lib/bindings/CampaignRecipient";
import type { CampaignStatus } from "$lib/bindings/CampaignStatus";
import type { CampaignSummary } from "$lib/bindings/CampaignSummary";
import type { NewCampaign } from "$lib/bindings/NewCampaign";
import type { PauseKind } from "$lib/bindings/PauseKind";
import type { RecipientCounts } from "$lib/bindings/RecipientCounts";
import type { RecipientState } from "$lib/bindings/RecipientState";
import type { Review } from "$lib/bindings/Review";
import type { ReviewCode } from "$lib/bindings/ReviewCode";
import type { ReviewProblem } from "$lib/bindings/ReviewProblem";
import type { RenderContact } from "$lib/bindings/RenderContact";
import type { SendProgress } from "$lib/bindings/SendProgress";
import type { TestSendReport } from "$lib/bindings/TestSendReport";
import { call } from "./client";

export type {
  Audience,
  AudienceCount,
  Campaign,
  CampaignDraft,
  CampaignRecipient,
  CampaignStatus,
  CampaignSummary,
  NewCampaign,
  PauseKind,
  RecipientCounts,
  RecipientState,
  Review,
  ReviewCode,
  ReviewProblem,
  SendProgress,
};

export type CampaignId = Campaign["id"];

/** The event that carries a running campaign's `SendProgress`. */
export const PROGRESS_EVENT = "campaign-progress";
/** Sent with the campaign's id when a run ends or could not run. */
export const FINISHED_EVENT = "campaign-finished";

export const emptyAudience = (): Audience => ({
  segments: [],
  tags: [],
  contacts: [],
  exclude_segments: [],
  exclude_tags: [],
  exclude_contacts: [],
});

export const listCampaigns = () => call<CampaignSummary[]>("campaigns_list");

export const getCampaign = (id: CampaignId) => call<Campaign>("campaigns_get", { id });

export const createCampaign = (campaign: NewCampaign) =>
  call<Campaign>("campaigns_create", { campaign });

/** Saves the wizard's fields (and the step it is at) on a draft. */
export const updateCampaign = (id: CampaignId, draft: CampaignDraft) =>
  call<Campaign>("campaigns_update", { id, draft });

/** Deletes a draft (only drafts can be deleted). */
export const deleteCampaign = (id: CampaignId) => call<null>("campaigns_delete", { id });

/** A new draft with the same audience and content, named "<name> (copy)". */
export const duplicateCampaign = (id: CampaignId) => call<Campaign>("campaigns_duplicate", { id });

/** Who the audience reaches now (and who is left out because of their status or the suppression list). */
export const countAudience = (audience: Audience) =>
  call<AudienceCount>("campaigns_audience_count", { audience });

/** Blocking problems and warnings before sending (asks SES about the account and the sender). */
export const reviewCampaign = (id: CampaignId) => call<Review>("campaigns_review", { id });



/** Sends the saved campaign exactly as it goes out (footer included) to up to five addresses. */
export const testSendCampaign = (id: CampaignId, to: string[], contact: RenderContact | null) =>
  call<TestSendReport>("campaigns_test_send", { id, to, contact });

export const sendCampaignNow = (id: CampaignId) => call<Campaign>("campaigns_send_now", { id });

/** `at` is the UTC instant (RFC 3339); `timeZone` the IANA zone the user chose it in. */
export const scheduleCampaign = (id: CampaignId, at: string, timeZone: string) =>
  call<Campaign>("campaigns_schedule", { id, at, timeZone });

/** A scheduled campaign goes back to being a draft. */
export const unscheduleCampaign = (id: CampaignId) => call<Campaign>("campaigns_unschedule", { id });

export const pauseCampaign = (id: CampaignId) => call<Campaign>("campaigns_pause", { id });

export const resumeCampaign = (id: CampaignId) => call<Campaign>("campaigns_resume", { id });

export const cancelCampaign = (id: CampaignId) => call<Campaign>("campaigns_cancel", { id });

/** The user's decision about recipients whose outcome is unknown: send to them again. */
export const resendUnknown = (id: CampaignId) => call<Campaign>("campaigns_resend_unknown", { id });

/** The other decision: count them as not sent (never sent again). */
export const markUnknownNotSent = (id: CampaignId) =>
  call<Campaign>("campaigns_mark_unknown_not_sent", { id });

export const recipientCounts = (id: CampaignId) =>
  call<RecipientCounts>("campaigns_recipient_counts", { id });

/** Recipients in one state (all when null), at most `limit` from `offset`. */
export const listRecipients = (id: CampaignId, state: RecipientState | null, offset = 0, limit = 100) =>
  call<CampaignRecipient[]>("campaigns_recipients", { id, stateFilter: state, offset, limit });

export const onCampaignProgress = (handler: (p: SendProgress) => void): Promise<UnlistenFn> =>
  listen<SendProgress>(PROGRESS_EVENT, (event) => handler(event.payload));

export const onCampaignFinished = (handler: (campaignId: number) => void): Promise<UnlistenFn> =>
  listen<number>(FINISHED_EVENT, (event) => handler(event.payload));
