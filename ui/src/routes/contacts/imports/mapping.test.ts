import { describe, expect, it } from "vitest";
import type { CustomField } from "$lib/api/fields";
import type { ColumnMapping, MappingTarget } from "$lib/api/imports";
import { keyFromHeader, mappedPreview, mappingProblems, parseTags, targetFromKey, targetKey } from "./mapping";

const fields: CustomField[] = [
  { id: 1, key: "plan", label: "Plan", type: "choice", required: false, options: ["free"], position: 1 },
];

const cols = (...targets: MappingTarget[]): ColumnMapping[] =>
  targets.map((target, column) => ({ column, header: `h${column}`, target }));

describe("import mapping", () => {
  it("makes a field key from a header", () => {
    expect(keyFromHeader("Favourite Colour")).toBe("favourite_colour");
    expect(keyFromHeader("  Année d'adhésion ")).toBe("annee_d_adhesion");
    expect(keyFromHeader("2nd phone")).toBe("field_2nd_phone");
    expect(keyFromHeader("***")).toBe("field_column");
  });

  it("round-trips targets through select values", () => {
    for (const t of [{ kind: "ignore" }, { kind: "email" }, { kind: "tags" }, { kind: "field", key: "plan" }] as MappingTarget[]) {
      expect(targetFromKey(targetKey(t), "x")).toEqual(t);
    }
    expect(targetFromKey("new", "Shoe Size")).toEqual({
      kind: "new_field",
      key: "shoe_size",
      label: "Shoe Size",
      type: "text",
      options: [],
    });
    expect(targetFromKey("nonsense", "x")).toEqual({ kind: "ignore" });
  });

  it("requires an email column and refuses a field fed by two columns", () => {
    const p = mappingProblems(
      cols(
        { kind: "first_name" },
        { kind: "first_name" },
        { kind: "field", key: "plan" },
        { kind: "new_field", key: "plan", label: "Plan", type: "text", options: [] },
        { kind: "new_field", key: "Bad Key", label: "x", type: "text", options: [] },
        { kind: "tags" },
        { kind: "tags" },
      ),
      fields,
    );
    expect(p.get(-1)).toMatch(/Email/);
    expect(p.get(1)).toMatch(/Column 1 is already/);
    expect(p.get(3)).toMatch(/exists/);
    expect(p.get(4)).toMatch(/lower-case/);
    expect(p.has(0)).toBe(false);
    expect(p.has(6)).toBe(false);
    expect(mappingProblems(cols({ kind: "email" }), fields).size).toBe(0);
  });

  it("previews the imported columns only, trimmed", () => {
    const mapping: ColumnMapping[] = [
      { column: 0, header: "E-mail", target: { kind: "email" } },
      { column: 1, header: "Junk", target: { kind: "ignore" } },
      { column: 2, header: "Plan", target: { kind: "field", key: "plan" } },
    ];
    const preview = mappedPreview([[" a@x.org ", "zzz", "free"], ["b@x.org"]], mapping, fields);
    expect(preview.columns).toEqual(["Email ← E-mail", "Plan ← Plan"]);
    expect(preview.rows).toEqual([["a@x.org", "free"], ["b@x.org", ""]]);
  });

  it("parses tags without repeats", () => {
    expect(parseTags("vip, Spring fair; vip ,, SPRING FAIR")).toEqual(["vip", "Spring fair"]);
  });
});
