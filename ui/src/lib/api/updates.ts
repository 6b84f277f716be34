import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { AvailableUpdate } from "$lib/bindings/AvailableUpdate";
import type { UpdateChannel } from "$lib/bindings/UpdateChannel";
import type { UpdatePreferences } from "$lib/bindings/UpdatePreferences";
import type { UpdateProgress } from "$lib/bindings/UpdateProgress";
import type { UpdateStatus } from "$lib/bindings/UpdateStatus";
import { call } from "./client";

export type { AvailableUpdate, UpdateChannel, UpdatePreferences, UpdateProgress, UpdateStatus };

/** The update preferences in force (IT may lock them) and what the last check found. */
export const getUpdates = () => call<UpdateStatus>("updates_get");

export const saveUpdatePreferences = (preferences: UpdatePreferences) =>
  call<UpdateStatus>("updates_save", { preferences });

/** Asks the update server of the channel in force; takes a few seconds on a slow network. */
export const checkForUpdates = () => call<UpdateStatus>("updates_check");

/** Downloads, verifies and installs the update found by the last check, then restarts Herald. */
export const installUpdate = () => call<null>("updates_install");

/** Download progress while `installUpdate` runs. */
export const onUpdateProgress = (handler: (p: UpdateProgress) => void): Promise<UnlistenFn> =>
  listen<UpdateProgress>("updates-progress", (event) => handler(event.payload));
