import type { BulkAction } from "$lib/bindings/BulkAction";
import type { BulkResult } from "$lib/bindings/BulkResult";
import type { Contact } from "$lib/bindings/Contact";
import type { ContactInput } from "$lib/bindings/ContactInput";
import type { ContactQuery } from "$lib/bindings/ContactQuery";
import type { ContactSelection } from "$lib/bindings/ContactSelection";
import type { ContactStatus } from "$lib/bindings/ContactStatus";
import type { FieldValue } from "$lib/bindings/FieldValue";
import type { Page } from "$lib/bindings/Page";
import type { TagRef } from "$lib/bindings/TagRef";
import { call } from "./client";

export type {
  BulkAction,
  BulkResult,
  Contact,
  ContactInput,
  ContactQuery,
  ContactSelection,
  ContactStatus,
  FieldValue,
  TagRef,
};
export type ContactPage = Page<Contact>;

export const contactStatuses: ContactStatus[] = [
  "subscribed",
  "unsubscribed",
  "bounced",
  "complained",
  "blocked",
];

export const listContacts = (query: ContactQuery) => call<ContactPage>("contacts_list", { query });

export const countContacts = (query: ContactQuery) => call<number>("contacts_count", { query });

export const getContact = (id: number) => call<Contact>("contacts_get", { id });

/** The id of the contact with this email (compared without case), if any. */
export const findContactByEmail = (email: string) =>
  call<number | null>("contacts_find_by_email", { email });

export const createContact = (input: ContactInput) => call<Contact>("contacts_create", { input });

export const updateContact = (id: number, input: ContactInput) =>
  call<Contact>("contacts_update", { id, input });

export const deleteContact = (id: number) => call<null>("contacts_delete", { id });

/** Tags, untags, sets the status of, or deletes every selected contact, all or nothing. */
export const bulkContacts = (selection: ContactSelection, action: BulkAction) =>
  call<BulkResult>("contacts_bulk", { selection, action });

/** Asks where to save with the native dialog; resolves to the saved path, or null if cancelled. */
export const exportContacts = (selection: ContactSelection) =>
  call<string | null>("contacts_export", { selection });
