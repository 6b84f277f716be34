// The one wrapper around Tauri's `invoke`: every backend call goes through `call`,
// and every failure comes out as a `CommandError`, whatever shape it had.
import { invoke, type InvokeArgs } from "@tauri-apps/api/core";
import type { CommandError } from "$lib/bindings/CommandError";
import type { FieldError } from "$lib/bindings/FieldError";

export type { CommandError, FieldError };

export async function call<T>(command: string, args: InvokeArgs = {}): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    throw toCommandError(raw);
  }
}

function isFieldError(value: unknown): value is FieldError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as FieldError).field === "string" &&
    typeof (value as FieldError).message === "string"
  );
}

/** Turns anything a rejected call produced into the one error shape the UI shows. */
export function toCommandError(raw: unknown): CommandError {
  if (typeof raw === "string") {
    return { code: "unknown", message: raw || "Something went wrong.", fields: [] };
  }
  if (typeof raw === "object" && raw !== null) {
    const obj = raw as Record<string, unknown>;
    if (typeof obj.code === "string" && typeof obj.message === "string") {
      const fields = Array.isArray(obj.fields) ? obj.fields.filter(isFieldError) : [];
      return { code: obj.code, message: obj.message, fields };
    }
    if (typeof obj.message === "string" && obj.message) {
      return { code: "unknown", message: obj.message, fields: [] };
    }
  }
  return { code: "unknown", message: "Something went wrong.", fields: [] };
}

export function isCommandError(value: unknown): value is CommandError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as CommandError).code === "string" &&
    typeof (value as CommandError).message === "string" &&
    Array.isArray((value as CommandError).fields)
  );
}

/** Field errors keyed by field name, for showing each under its input. */
export function fieldErrors(error: CommandError | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of error?.fields ?? []) {
    if (!(f.field in out)) out[f.field] = f.message;
  }
  return out;
}
