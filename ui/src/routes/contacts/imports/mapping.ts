// The import wizard's column mapping: one target per CSV column (ignore, a standard field,
// an existing custom field, or a custom field created from the column), what is wrong with
// it, and the first rows as they will be imported.
import type { CustomField, FieldType } from "$lib/api/fields";
import type { MappingTarget } from "$lib/api/imports";

export const standardFields = [
  { field: "email", label: "Email" },
  { field: "first_name", label: "First name" },
  { field: "last_name", label: "Last name" },
  { field: "status", label: "Status" },
] as const;

/** A `<select>` value for a target: `ignore`, `std:email`, `custom:plan`, `new`. */
export function targetKey(t: MappingTarget): string {
  switch (t.kind) {
    case "ignore":
      return "ignore";
    case "standard":
      return `std:${t.field}`;
    case "custom":
      return `custom:${t.key}`;
    case "new_custom":
      return "new";
  }
}

/** A custom field key made from a column header: "Favourite Colour" → "favourite_colour". */
export function keyFromHeader(header: string): string {
  const key = header
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 40);
  return /^[a-z]/.test(key) ? key : `field_${key || "column"}`;
}

/** The target a `<select>` value stands for, for column `header`. */
export function targetFromKey(key: string, header: string): MappingTarget {
  if (key.startsWith("std:")) return { kind: "standard", field: key.slice(4) };
  if (key.startsWith("custom:")) return { kind: "custom", key: key.slice(7) };
  if (key === "new") {
    return { kind: "new_custom", key: keyFromHeader(header), label: header.trim() || "Column", field_type: "text" };
  }
  return { kind: "ignore" };
}

export function targetLabel(t: MappingTarget, fields: CustomField[]): string {
  switch (t.kind) {
    case "ignore":
      return "Ignored";
    case "standard":
      return standardFields.find((f) => f.field === t.field)?.label ?? t.field;
    case "custom":
      return fields.find((f) => f.key === t.key)?.label ?? t.key;
    case "new_custom":
      return `${t.label} (new field)`;
  }
}

/** Problems that stop the import, keyed by column index (-1: the mapping as a whole). */
export function mappingProblems(
  mapping: MappingTarget[],
  fields: CustomField[],
): Map<number, string> {
  const problems = new Map<number, string>();
  const seen = new Map<string, number>();
  mapping.forEach((t, i) => {
    if (t.kind === "ignore") return;
    const id = t.kind === "standard" ? t.field : t.key;
    const slot = t.kind === "standard" ? `std:${id}` : `custom:${id}`;
    if (t.kind === "new_custom") {
      if (!/^[a-z][a-z0-9_]*$/.test(t.key)) {
        problems.set(i, "Keys use lower-case letters, digits and _ and start with a letter.");
      } else if (fields.some((f) => f.key === t.key)) {
        problems.set(i, `A field with the key “${t.key}” exists; map the column to it instead.`);
      } else if (!t.label.trim()) {
        problems.set(i, "Give the new field a label.");
      }
    }
    const first = seen.get(slot);
    if (first !== undefined) {
      if (!problems.has(i)) problems.set(i, `Column ${first + 1} is already mapped to this field.`);
    } else {
      seen.set(slot, i);
    }
  });
  if (!mapping.some((t) => t.kind === "standard" && t.field === "email")) {
    problems.set(-1, "Map one column to Email: it is how Herald recognises a contact.");
  }
  return problems;
}

export function setNewFieldType(t: MappingTarget, fieldType: FieldType): MappingTarget {
  return t.kind === "new_custom" ? { ...t, field_type: fieldType } : t;
}

/** The preview table: one column per mapped target, in file order, ignored columns left out. */
export function mappedPreview(
  headers: string[],
  rows: string[][],
  mapping: MappingTarget[],
  fields: CustomField[],
): { columns: string[]; rows: string[][] } {
  const used = mapping.map((t, i) => ({ t, i })).filter(({ t }) => t.kind !== "ignore");
  return {
    columns: used.map(({ t, i }) => `${targetLabel(t, fields)} ← ${headers[i] ?? ""}`),
    rows: rows.map((r) => used.map(({ i }) => (r[i] ?? "").trim())),
  };
}

/** Tags typed as "vip, spring fair; 2026" → ["vip", "spring fair", "2026"], without repeats. */
export function parseTags(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/[,;]/)) {
    const t = raw.trim();
    if (t && !out.some((o) => o.toLowerCase() === t.toLowerCase())) out.push(t);
  }
  return out;
}
