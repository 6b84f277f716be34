// Templates: the prebuilt gallery and the workspace's own templates, rendering and test sends.
import type {
  RenderContact,
  RenderIssue,
  RenderPreview,
  SourceFormat,
  Template,
  TemplateDraft,
  TemplateKind,
  TemplateSummary,
  TestSendResult,
} from "./provisional";
import { call } from "./client";

export type {
  RenderContact,
  RenderIssue,
  RenderPreview,
  SourceFormat,
  Template,
  TemplateDraft,
  TemplateKind,
  TemplateSummary,
  TestSendResult,
};

/** At most this many addresses per test send (the backend checks it again). */
export const TEST_SEND_LIMIT = 5;

export const listTemplates = () => call<TemplateSummary[]>("templates_list");

/** The prebuilt templates shipped with Herald (read-only; duplicate to edit). */
export const listGallery = () => call<TemplateSummary[]>("templates_gallery");

export const getTemplate = (id: string) => call<Template>("templates_get", { id });

export const createTemplate = (draft: TemplateDraft) =>
  call<Template>("templates_create", { draft });

export const updateTemplate = (id: string, draft: TemplateDraft) =>
  call<Template>("templates_update", { id, draft });

export const deleteTemplate = (id: string) => call<null>("templates_delete", { id });

/** Copies any template (a gallery one included) into a new user template. */
export const duplicateTemplate = (id: string, name?: string) =>
  call<Template>("templates_duplicate", { id, name: name ?? null });

/** The contact a preview uses until a contact picker exists. */
export const sampleContact = () => call<RenderContact>("templates_sample_contact");

/**
 * Renders unsaved editor content. A template error does not reject: it comes back in
 * `error` (with the line and variable) so the editor can keep the last good preview.
 */
export const renderPreview = (draft: TemplateDraft, contact: RenderContact | null) =>
  call<RenderPreview>("templates_render", { draft, contact });

/** Renders a stored template (gallery thumbnails). */
export const renderTemplate = (id: string) =>
  call<RenderPreview>("templates_render_stored", { id });

export const testSend = (draft: TemplateDraft, contact: RenderContact | null, to: string[]) =>
  call<TestSendResult[]>("templates_test_send", { draft, contact, to });
