// Assets: the workspace's brand files, stored by content hash, with folders and tags.
import { getCurrentWebview } from "@tauri-apps/api/webview";
import type { AddOutcome } from "$lib/bindings/AddOutcome";
import type { Asset } from "$lib/bindings/Asset";
import type { AssetFilter } from "$lib/bindings/AssetFilter";
import type { AssetFolder } from "$lib/bindings/AssetFolder";
import type { AssetKind } from "$lib/bindings/AssetKind";
import type { AssetLimits } from "$lib/bindings/AssetLimits";
import type { AssetTag } from "$lib/bindings/AssetTag";
import { call } from "./client";

export type { AddOutcome, Asset, AssetFilter, AssetFolder, AssetKind, AssetLimits, AssetTag };

export type AssetId = Asset["id"];

export const listAssets = (filter: AssetFilter) => call<Asset[]>("assets_list", { filter });

export const listFolders = () => call<AssetFolder[]>("assets_folders");

export const listTags = () => call<AssetTag[]>("assets_tags");

export const assetLimits = () => call<AssetLimits>("assets_limits");

/**
 * Opens the native file dialog (several files) and adds what the user picked to `folder`
 * ("" = top level). Resolves to null when the dialog was cancelled.
 */
export const uploadWithDialog = (folder: string, tags: string[]) =>
  call<AddOutcome[] | null>("assets_upload_dialog", { folder, tags });

/** Adds the files last dropped on the window (the backend recorded their paths). */
export const uploadDropped = (folder: string, tags: string[]) =>
  call<AddOutcome[]>("assets_upload_dropped", { folder, tags });

/** Creates a folder (parents included, e.g. `brand/logos`); returns every folder. */
export const createFolder = (path: string) => call<AssetFolder[]>("assets_folder_create", { path });

/** Renames or moves a folder with everything in it; returns every folder. */
export const moveFolder = (from: string, to: string) =>
  call<AssetFolder[]>("assets_folder_move", { from, to });

export const moveAsset = (id: AssetId, folder: string) =>
  call<Asset>("assets_move", { id, folder });

export const renameAsset = (id: AssetId, name: string) =>
  call<Asset>("assets_rename", { id, name });

export const tagAsset = (id: AssetId, add: string[], remove: string[]) =>
  call<Asset>("assets_tag", { id, add, remove });

/** Refuses with code `asset_in_use` (naming the templates) unless `force`. */
export const deleteAsset = (id: AssetId, force: boolean) =>
  call<null>("assets_delete", { id, force });

/** A small preview image as a `data:` URL (null for documents). */
export const thumbnail = (id: AssetId) => call<string | null>("assets_thumbnail", { id });

/** The whole image as a `data:` URL, for the preview dialog (null for documents). */
export const original = (id: AssetId) => call<string | null>("assets_original", { id });

/** Uploads every asset to the workspace's S3 bucket; resolves to how many were published. */
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
    // Outside the desktop app (unit tests, the mock backend) there is no window to listen to.
    return () => {};
  }
}
