import { beforeEach, describe, expect, it, vi } from "vitest";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...args: unknown[]) => invoke(...args) }));

const { call, fieldErrors, isCommandError, toCommandError } = await import("./client");

beforeEach(() => {
  invoke.mockReset();
});

describe("call", () => {
  it("passes the command and arguments through and returns the result", async () => {
    invoke.mockResolvedValue({ ok: 1 });
    await expect(call("workspaces_open", { name: "Acme" })).resolves.toEqual({ ok: 1 });
    expect(invoke).toHaveBeenCalledWith("workspaces_open", { name: "Acme" });
  });

  it("sends an empty argument object by default", async () => {
    invoke.mockResolvedValue([]);
    await call("workspaces_list");
    expect(invoke).toHaveBeenCalledWith("workspaces_list", {});
  });

  it("keeps a CommandError as it is", async () => {
    const err = {
      code: "validation",
      message: "Check the highlighted fields.",
      fields: [{ field: "from_address", message: "Not an email address." }],
    };
    invoke.mockImplementation(() => Promise.reject(err));
    await expect(call("settings_save")).rejects.toEqual(err);
  });

  it("turns a string rejection into an unknown CommandError", async () => {
    invoke.mockImplementation(() => Promise.reject("command settings_get not found"));
    await expect(call("settings_get")).rejects.toEqual({
      code: "unknown",
      message: "command settings_get not found",
      fields: [],
    });
  });

  it("turns an Error into an unknown CommandError with its message", async () => {
    invoke.mockImplementation(() => Promise.reject(new Error("IPC broke")));
    await expect(call("settings_get")).rejects.toEqual({
      code: "unknown",
      message: "IPC broke",
      fields: [],
    });
  });
});

describe("toCommandError", () => {
  it("gives a generic message for unknown shapes", () => {
    for (const raw of [undefined, null, 42, {}, { code: 3 }, ""]) {
      expect(toCommandError(raw)).toEqual({
        code: "unknown",
        message: "Something went wrong.",
        fields: [],
      });
    }
  });

  it("defaults missing or malformed fields to an empty list", () => {
    expect(toCommandError({ code: "keychain", message: "Locked" })).toEqual({
      code: "keychain",
      message: "Locked",
      fields: [],
    });
    expect(
      toCommandError({
        code: "validation",
        message: "Bad",
        fields: [{ field: "name", message: "Required" }, { nope: true }, "x"],
      }).fields,
    ).toEqual([{ field: "name", message: "Required" }]);
  });

  it("produces values isCommandError accepts", () => {
    expect(isCommandError(toCommandError("x"))).toBe(true);
    expect(isCommandError("x")).toBe(false);
  });
});

describe("fieldErrors", () => {
  it("keys messages by field, first one wins", () => {
    expect(
      fieldErrors({
        code: "validation",
        message: "",
        fields: [
          { field: "a", message: "one" },
          { field: "a", message: "two" },
          { field: "b", message: "three" },
        ],
      }),
    ).toEqual({ a: "one", b: "three" });
    expect(fieldErrors(null)).toEqual({});
  });
});
