import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import type {
  ImportOptions,
  ImportPreview,
  ImportProgress,
  ImportReport,
  MappingTarget,
  OnExisting,
} from "./provisional";
import { call } from "./client";

export type { ImportOptions, ImportPreview, ImportProgress, ImportReport, MappingTarget, OnExisting };

/** Opens the native file dialog; resolves to null when the user cancels. */
export const pickImportFile = () => call<ImportPreview | null>("imports_pick");

/** Reads the head of a file (dropped on the window, or chosen before) with an optional encoding. */
export const previewImport = (path: string, encoding: string | null = null) =>
  call<ImportPreview>("imports_preview", { path, encoding });

/** Runs the import to its end (or cancellation); progress arrives through `onImportProgress`. */
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
