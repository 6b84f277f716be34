// Assets: the workspace's brand files, stored by content hash, with folders and tags.
import type {
  Asset,
  AssetFilter,
  AssetFolder,
  AssetKind,
  AssetLimits,
  UploadFailure,
  UploadReport,
} from "./provisional";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { call } from "./client";

export type { Asset, AssetFilter, AssetFolder, AssetKind, AssetLimits, UploadFailure, UploadReport };

export const listAssets = (filter: AssetFilter) => call<Asset[]>("assets_list", { filter });

export const listFolders = () => call<AssetFolder[]>("assets_folders");

export const listTags = () => call<string[]>("assets_tags");

export const assetLimits = () => call<AssetLimits>("assets_limits");

/**
 * Opens the native file dialog (several files) and adds what the user picked.
 * Resolves to null when the dialog was cancelled.
 */
export const uploadWithDialog = (folder: string | null, tags: string[]) =>
  call<UploadReport | null>("assets_upload_dialog", { folder, tags });

/** Adds the files last dropped on the window (the backend remembers their paths). */
export const uploadDropped = (folder: string | null, tags: string[]) =>
  call<UploadReport>("assets_upload_dropped", { folder, tags });

export const createFolder = (path: string) => call<AssetFolder[]>("assets_folder_create", { path });

export const moveAssets = (ids: string[], folder: string | null) =>
  call<null>("assets_move", { ids, folder });

export const renameAsset = (id: string, name: string) =>
  call<Asset>("assets_rename", { id, name });

export const setAssetTags = (id: string, tags: string[]) =>
  call<Asset>("assets_set_tags", { id, tags });

/** Refuses with code `asset_in_use` (naming the templates) unless `force`. */
export const deleteAsset = (id: string, force: boolean) =>
  call<null>("assets_delete", { id, force });

/** A small preview image as a `data:` URL (null for files that are not images). */
export const thumbnail = (id: string) => call<string | null>("assets_thumbnail", { id });

/** The full image as a `data:` URL, for the preview dialog. */
export const original = (id: string) => call<string>("assets_original", { id });

export const publishAssets = () => call<number>("assets_publish");

export type DropPhase = "over" | "drop" | "leave";

/**
 * Calls `handler` while files are dragged over the window and when they are dropped. The
 * paths stay in the backend (it records the drop itself); the UI only learns how many there
 * are and then calls `uploadDropped`. Resolves to the function that stops listening.
 */
export async function onFileDrop(
  handler: (phase: DropPhase, count: number) => void,
): Promise<() => void> {
  try {
    return await getCurrentWebview().onDragDropEvent(({ payload }) => {
      if (payload.type === "drop") handler("drop", payload.paths.length);
      else if (payload.type === "leave") handler("leave", 0);
      else handler("over", payload.type === "enter" ? payload.paths.length : 0);
    });
  } catch {
    // Outside the desktop app (tests, the mock backend) there is no window to listen to.
    return () => {};
  }
}
