import type { WorkspaceInfo } from "$lib/bindings/WorkspaceInfo";
import type { WorkspaceSummary } from "$lib/bindings/WorkspaceSummary";
import { call } from "./client";

export type { WorkspaceInfo, WorkspaceSummary };

export const listWorkspaces = () => call<WorkspaceSummary[]>("workspaces_list");

export const currentWorkspace = () => call<WorkspaceInfo | null>("workspaces_current");

/** Creates the workspace and opens it. */
export const createWorkspace = (name: string) =>
  call<WorkspaceInfo>("workspaces_create", { name });

export const openWorkspace = (name: string) => call<WorkspaceInfo>("workspaces_open", { name });

export const renameWorkspace = (name: string, to: string) =>
  call<WorkspaceSummary>("workspaces_rename", { name, to });

/** `confirmation` must equal `name`; the backend checks it again. */
export const deleteWorkspace = (name: string, confirmation: string) =>
  call<null>("workspaces_delete", { name, confirmation });
