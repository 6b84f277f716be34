import { describe, expect, it } from "vitest";
import type { CustomField } from "$lib/api/fields";
import type { MappingTarget } from "$lib/api/imports";
import {
  keyFromHeader,
  mappedPreview,
  mappingProblems,
  parseTags,
  targetFromKey,
  targetKey,
} from "./mapping";

const fields: CustomField[] = [
  { id: 1, key: "plan", label: "Plan", field_type: "choice", required: false, options: ["free"] },
];

describe("import mapping", () => {
  it("makes a field key from a header", () => {
    expect(keyFromHeader("Favourite Colour")).toBe("favourite_colour");
    expect(keyFromHeader("  Année d'adhésion ")).toBe("annee_d_adhesion");
    expect(keyFromHeader("2nd phone")).toBe("field_2nd_phone");
    expect(keyFromHeader("***")).toBe("field_column");
  });

  it("round-trips targets through select values", () => {
    for (const t of [
      { kind: "ignore" },
      { kind: "standard", field: "email" },
      { kind: "custom", key: "plan" },
    ] as MappingTarget[]) {
      expect(targetFromKey(targetKey(t), "x")).toEqual(t);
    }
    expect(targetFromKey("new", "Shoe Size")).toEqual({
      kind: "new_custom",
      key: "shoe_size",
      label: "Shoe Size",
      field_type: "text",
    });
  });

  it("requires an email column and refuses a field mapped twice", () => {
    const mapping: MappingTarget[] = [
      { kind: "standard", field: "first_name" },
      { kind: "standard", field: "first_name" },
      { kind: "custom", key: "plan" },
      { kind: "new_custom", key: "plan", label: "Plan", field_type: "text" },
      { kind: "new_custom", key: "Bad Key", label: "x", field_type: "text" },
    ];
    const p = mappingProblems(mapping, fields);
    expect(p.get(-1)).toMatch(/Email/);
    expect(p.get(1)).toMatch(/Column 1 is already mapped/);
    expect(p.get(3)).toMatch(/exists/);
    expect(p.get(4)).toMatch(/lower-case/);
    expect(p.has(0)).toBe(false);
    expect(mappingProblems([{ kind: "standard", field: "email" }], fields).size).toBe(0);
  });

  it("previews the mapped columns only, trimmed", () => {
    const preview = mappedPreview(
      ["E-mail", "Junk", "Plan"],
      [[" a@x.org ", "zzz", "free"], ["b@x.org"]],
      [{ kind: "standard", field: "email" }, { kind: "ignore" }, { kind: "custom", key: "plan" }],
      fields,
    );
    expect(preview.columns).toEqual(["Email ← E-mail", "Plan ← Plan"]);
    expect(preview.rows).toEqual([["a@x.org", "free"], ["b@x.org", ""]]);
  });

  it("parses tags without repeats", () => {
    expect(parseTags("vip, Spring fair; vip ,, SPRING FAIR")).toEqual(["vip", "Spring fair"]);
  });
});
