import { describe, expect, it } from "vitest";
import { followSettings } from "./follow";

describe("followSettings", () => {
  it("moves untouched fields and keeps an edit in progress", () => {
    const saved = { configuration_set: "", from_name: "Acme" };
    const form = { configuration_set: "", from_name: "Acme Coffee" };
    followSettings(form, saved, { configuration_set: "herald-3f1c", from_name: "Acme" });
    expect(form).toEqual({ configuration_set: "herald-3f1c", from_name: "Acme Coffee" });
    expect(saved).toEqual({ configuration_set: "herald-3f1c", from_name: "Acme" });
  });
});
