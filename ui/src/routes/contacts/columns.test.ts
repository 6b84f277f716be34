import { beforeEach, describe, expect, it } from "vitest";
import type { CustomField } from "$lib/api/fields";
import { allColumns, defaultColumns, loadColumns, saveColumns, visibleColumns } from "./columns";

const fields: CustomField[] = [
  { id: 1, key: "town", label: "Town", type: "text", required: false, options: [], position: 1 },
];

beforeEach(() => localStorage.clear());

describe("column chooser", () => {
  it("offers the standard columns and every custom field", () => {
    expect(allColumns(fields).map((c) => c.id)).toEqual([
      "email",
      "name",
      "status",
      "tags",
      "source",
      "created_at",
      "updated_at",
      "custom.town",
    ]);
  });

  it("remembers the choice per workspace and falls back to the defaults", () => {
    saveColumns("ws-1", ["email", "custom.town"]);
    expect(loadColumns("ws-1")).toEqual(["email", "custom.town"]);
    expect(loadColumns("ws-2")).toEqual(defaultColumns);
    localStorage.setItem("herald.contacts.columns.ws-3", "{not json");
    expect(loadColumns("ws-3")).toEqual(defaultColumns);
    localStorage.setItem("herald.contacts.columns.ws-4", JSON.stringify(["status"]));
    expect(loadColumns("ws-4")).toEqual(defaultColumns);
  });

  it("shows chosen columns in table order, always the email, never a removed field", () => {
    const shown = visibleColumns(allColumns(fields), ["custom.town", "custom.gone", "status"]);
    expect(shown.map((c) => c.id)).toEqual(["email", "status", "custom.town"]);
  });
});
