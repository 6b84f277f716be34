import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import type { ColumnMapping } from "$lib/bindings/ColumnMapping";
import type { Encoding } from "$lib/bindings/Encoding";
import type { ImportFile } from "$lib/bindings/ImportFile";
import type { ImportOptions } from "$lib/bindings/ImportOptions";
import type { ImportPreview } from "$lib/bindings/ImportPreview";
import type { ImportProgress } from "$lib/bindings/ImportProgress";
import type { ImportReport } from "$lib/bindings/ImportReport";
import type { MappingTarget } from "$lib/bindings/MappingTarget";
import type { OnExisting } from "$lib/bindings/OnExisting";
import type { PreviewOptions } from "$lib/bindings/PreviewOptions";
import type { PreviewRow } from "$lib/bindings/PreviewRow";
import { call } from "./client";

export type {
  ColumnMapping,
  Encoding,
  ImportFile,
  ImportOptions,
  ImportPreview,
  ImportProgress,
  ImportReport,
  MappingTarget,
  OnExisting,
  PreviewOptions,
  PreviewRow,
};

/** The encodings a user can pick when the detected one shows wrong characters. */
export const encodings: { id: Encoding; label: string }[] = [
  { id: "utf-8", label: "UTF-8" },
  { id: "windows-1252", label: "Windows-1252 / Latin-1" },
  { id: "utf-16le", label: "UTF-16 (little-endian)" },
  { id: "utf-16be", label: "UTF-16 (big-endian)" },
];

/** Opens the native file dialog; resolves to null when the user cancels. */
export const pickImportFile = () => call<ImportFile | null>("imports_pick");

/** Reads the head of a file (dropped on the window, or chosen before) with these options. */
export const previewImport = (path: string, options: PreviewOptions = {}) =>
  call<ImportFile>("imports_preview", { path, options });

/**
 * Runs the import to its end; progress arrives through `onImportProgress`. A cancelled
 * import rejects with the code `cancelled` and changes nothing.
 */
export const runImport = (path: string, options: ImportOptions) =>
  call<ImportReport>("imports_run", { path, options });

export const cancelImport = () => call<null>("imports_cancel");

/** Saves the failed rows of the last import with the native save dialog; null if cancelled. */
export const saveFailedRows = () => call<string | null>("imports_save_failed");

export const onImportProgress = (handler: (p: ImportProgress) => void): Promise<UnlistenFn> =>
  listen<ImportProgress>("import-progress", (event) => handler(event.payload));

/** Files dropped on the window (Tauri gives paths, which a browser drop would not). */
export async function onFileDrop(handlers: {
  over: (hovering: boolean) => void;
  drop: (paths: string[]) => void;
}): Promise<UnlistenFn> {
  return await getCurrentWebview().onDragDropEvent((event) => {
    const p = event.payload;
    if (p.type === "enter" || p.type === "over") handlers.over(true);
    else if (p.type === "leave") handlers.over(false);
    else if (p.type === "drop") {
      handlers.over(false);
      handlers.drop(p.paths);
    }
  });
}
