// Templates: the prebuilt gallery and the workspace's own templates, rendering and test sends.
import type { Preview } from "$lib/bindings/Preview";
import type { PreviewRequest } from "$lib/bindings/PreviewRequest";
import type { RenderContact } from "$lib/bindings/RenderContact";
import type { Template } from "$lib/bindings/Template";
import type { TemplateContent } from "$lib/bindings/TemplateContent";
import type { TemplateDraft } from "$lib/bindings/TemplateDraft";
import type { TemplateError } from "$lib/bindings/TemplateError";
import type { TemplateFilter } from "$lib/bindings/TemplateFilter";
import type { TemplateFormat } from "$lib/bindings/TemplateFormat";
import type { TemplateKind } from "$lib/bindings/TemplateKind";
import type { TemplateSummary } from "$lib/bindings/TemplateSummary";
import type { TemplateWarning } from "$lib/bindings/TemplateWarning";
import type { TestSendReport } from "$lib/bindings/TestSendReport";
import type { TestSendResult } from "$lib/bindings/TestSendResult";
import { call } from "./client";

export type {
  Preview,
  PreviewRequest,
  RenderContact,
  Template,
  TemplateContent,
  TemplateDraft,
  TemplateError,
  TemplateFilter,
  TemplateFormat,
  TemplateKind,
  TemplateSummary,
  TemplateWarning,
  TestSendReport,
  TestSendResult,
};

export type TemplateId = Template["id"];

/** At most this many addresses per test send (the backend checks it again). */
export const TEST_SEND_LIMIT = 5;

/** Gallery templates first, then the team's own, by name. */
export const listTemplates = (filter: TemplateFilter | null = null) =>
  call<TemplateSummary[]>("templates_list", { filter });

export const getTemplate = (id: TemplateId) => call<Template>("templates_get", { id });

export const createTemplate = (draft: TemplateDraft) =>
  call<Template>("templates_create", { draft });

export const updateTemplate = (id: TemplateId, draft: TemplateDraft) =>
  call<Template>("templates_update", { id, draft });

export const deleteTemplate = (id: TemplateId) => call<null>("templates_delete", { id });

/** Copies any template (a gallery one included) into a new template of the team's own. */
export const duplicateTemplate = (id: TemplateId, name: string | null = null) =>
  call<Template>("templates_duplicate", { id, name });

/** The contact a preview uses until the user picks one. */
export const sampleContact = () => call<RenderContact>("templates_sample_contact");

/** A contact of the workspace as templates see it: every custom field, empty ones null. */
export const renderContact = (contactId: number) =>
  call<RenderContact>("templates_render_contact", { contactId });

/**
 * Renders unsaved editor content. A template error does not reject: it comes back in
 * `error` (with its line and variable) so the editor can keep the last good preview.
 */
export const previewTemplate = (request: PreviewRequest) =>
  call<Preview>("templates_preview", { request });

/** Sends the given content (saved or not) to up to five addresses through SES. */
export const testSend = (content: TemplateContent, to: string[], contact: RenderContact | null) =>
  call<TestSendReport>("templates_test_send", { content, to, contact });
