import type {
  Contact,
  ContactInput,
  ContactPage,
  ContactQuery,
  ContactStatus,
} from "./provisional";
import { call } from "./client";

export type { Contact, ContactInput, ContactPage, ContactQuery, ContactStatus };

export const contactStatuses: ContactStatus[] = [
  "subscribed",
  "unsubscribed",
  "bounced",
  "complained",
  "blocked",
];

export const listContacts = (query: ContactQuery) =>
  call<ContactPage>("contacts_list", { query });

export const getContact = (id: number) => call<Contact>("contacts_get", { id });

/** The id of the contact with this email (compared without case), if any. */
export const findContactByEmail = (email: string) =>
  call<number | null>("contacts_find_by_email", { email });

export const createContact = (input: ContactInput) =>
  call<Contact>("contacts_create", { input });

export const updateContact = (id: number, input: ContactInput) =>
  call<Contact>("contacts_update", { id, input });

export const deleteContacts = (ids: number[]) => call<number>("contacts_delete", { ids });

export const tagContacts = (ids: number[], tagId: number) =>
  call<number>("contacts_tag", { ids, tagId });

export const untagContacts = (ids: number[], tagId: number) =>
  call<number>("contacts_untag", { ids, tagId });

export const setContactsStatus = (ids: number[], status: ContactStatus) =>
  call<number>("contacts_set_status", { ids, status });

/** Asks where to save with the native dialog; resolves to the saved path, or null if cancelled. */
export const exportContacts = (ids: number[]) =>
  call<string | null>("contacts_export", { ids });
