// Which columns the contacts table shows, remembered per workspace in localStorage.
import type { CustomField } from "$lib/api/fields";

export interface Column {
  id: string;
  label: string;
  sortable: boolean;
}

export const standardColumns: Column[] = [
  { id: "email", label: "Email", sortable: true },
  { id: "name", label: "Name", sortable: true },
  { id: "status", label: "Status", sortable: true },
  { id: "tags", label: "Tags", sortable: false },
  { id: "source", label: "Source", sortable: false },
  { id: "created_at", label: "Created", sortable: true },
  { id: "updated_at", label: "Updated", sortable: true },
];

export const defaultColumns = ["email", "name", "status", "tags", "created_at"];

export function allColumns(fields: CustomField[]): Column[] {
  return [
    ...standardColumns,
    ...fields.map((f) => ({ id: `custom.${f.key}`, label: f.label, sortable: true })),
  ];
}

const storageKey = (workspaceId: string) => `herald.contacts.columns.${workspaceId}`;

export function loadColumns(workspaceId: string): string[] {
  try {
    const raw = localStorage.getItem(storageKey(workspaceId));
    const ids = raw ? (JSON.parse(raw) as unknown) : null;
    if (Array.isArray(ids) && ids.every((i) => typeof i === "string") && ids.includes("email")) {
      return ids;
    }
  } catch {
    // A damaged entry falls back to the defaults.
  }
  return [...defaultColumns];
}

export function saveColumns(workspaceId: string, ids: string[]): void {
  try {
    localStorage.setItem(storageKey(workspaceId), JSON.stringify(ids));
  } catch {
    // Storage full or disabled: the choice lasts for this session only.
  }
}

/** Shown columns in the order of `all`; columns of removed fields drop out. Email stays. */
export function visibleColumns(all: Column[], chosen: string[]): Column[] {
  return all.filter((c) => c.id === "email" || chosen.includes(c.id));
}
