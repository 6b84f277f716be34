// The import wizard's column mapping: one target per CSV column (ignore, a standard field,
// an existing custom field, or a custom field created from the column), what is wrong with
// it, and the first rows as they will be imported.
import type { CustomField, FieldType } from "$lib/api/fields";
import type { ColumnMapping, MappingTarget } from "$lib/api/imports";

type Standard = Exclude<MappingTarget["kind"], "ignore" | "field" | "new_field">;

export const standardTargets: { kind: Standard; label: string }[] = [
  { kind: "email", label: "Email" },
  { kind: "first_name", label: "First name" },
  { kind: "last_name", label: "Last name" },
  { kind: "full_name", label: "Full name (split into first and last)" },
  { kind: "status", label: "Status" },
  { kind: "tags", label: "Tags (separated by , ; or |)" },
];

/** A `<select>` value for a target: `ignore`, `email`, …, `field:plan`, `new`. */
export function targetKey(t: MappingTarget): string {
  switch (t.kind) {
    case "field":
      return `field:${t.key}`;
    case "new_field":
      return "new";
    default:
      return t.kind;
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
  if (key.startsWith("field:")) return { kind: "field", key: key.slice(6) };
  if (key === "new") {
    return {
      kind: "new_field",
      key: keyFromHeader(header),
      label: header.trim() || "Column",
      type: "text",
      options: [],
    };
  }
  const standard = standardTargets.find((s) => s.kind === key);
  return standard ? { kind: standard.kind } : { kind: "ignore" };
}

export function targetLabel(t: MappingTarget, fields: CustomField[]): string {
  switch (t.kind) {
    case "ignore":
      return "Ignored";
    case "field":
      return fields.find((f) => f.key === t.key)?.label ?? t.key;
    case "new_field":
      return `${t.label} (new field)`;
    default:
      return standardTargets.find((s) => s.kind === t.kind)?.label.replace(/ \(.*\)$/, "") ?? t.kind;
  }
}

/** Problems that stop the import, keyed by column (-1: the mapping as a whole). */
export function mappingProblems(mapping: ColumnMapping[], fields: CustomField[]): Map<number, string> {
  const problems = new Map<number, string>();
  const seen = new Map<string, number>();
  for (const { column: i, target: t } of mapping) {
    if (t.kind === "ignore") continue;
    if (t.kind === "new_field") {
      if (!/^[a-z][a-z0-9_]*$/.test(t.key)) {
        problems.set(i, "Keys use lower-case letters, digits and _ and start with a letter.");
      } else if (fields.some((f) => f.key === t.key)) {
        problems.set(i, `A field with the key “${t.key}” exists; map the column to it instead.`);
      } else if (!t.label.trim()) {
        problems.set(i, "Give the new field a label.");
      } else if (t.type === "choice") {
        problems.set(i, "Create choice fields under Custom fields first; import the column as text here.");
      }
    }
    // Tags may come from several columns; every other target takes one column.
    if (t.kind === "tags") continue;
    const slot = t.kind === "field" || t.kind === "new_field" ? `field:${t.key}` : t.kind;
    const first = seen.get(slot);
    if (first !== undefined) {
      if (!problems.has(i)) problems.set(i, `Column ${first + 1} is already imported into this field.`);
    } else {
      seen.set(slot, i);
    }
  }
  if (!mapping.some((m) => m.target.kind === "email")) {
    problems.set(-1, "Map one column to Email: it is how Herald recognises a contact.");
  }
  return problems;
}

export function setNewFieldType(t: MappingTarget, type: FieldType): MappingTarget {
  return t.kind === "new_field" ? { ...t, type } : t;
}

/** The preview table: one column per imported column, in file order. */
export function mappedPreview(
  rows: string[][],
  mapping: ColumnMapping[],
  fields: CustomField[],
): { columns: string[]; rows: string[][] } {
  const used = mapping.filter((m) => m.target.kind !== "ignore");
  return {
    columns: used.map((m) => `${targetLabel(m.target, fields)} ← ${m.header}`),
    rows: rows.map((r) => used.map((m) => (r[m.column] ?? "").trim())),
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
