// The app-wide view of workspaces: which one is open and which exist.
// Components change workspaces through these methods so the list and the
// open workspace never disagree.
import {
  createWorkspace,
  currentWorkspace,
  deleteWorkspace,
  listWorkspaces,
  openWorkspace,
  renameWorkspace,
  type WorkspaceInfo,
  type WorkspaceSummary,
} from "$lib/api/workspaces";
import { toCommandError, type CommandError } from "$lib/api/client";

class Workspaces {
  current = $state<WorkspaceInfo | null>(null);
  all = $state<WorkspaceSummary[]>([]);
  /** False until the first load finished (successfully or not). */
  loaded = $state(false);
  loadError = $state<CommandError | null>(null);

  async load(): Promise<void> {
    try {
      const [current, all] = await Promise.all([currentWorkspace(), listWorkspaces()]);
      this.current = current;
      this.all = all;
      this.loadError = null;
    } catch (e) {
      this.loadError = toCommandError(e);
    } finally {
      this.loaded = true;
    }
  }

  private async reloadList(): Promise<void> {
    this.all = await listWorkspaces();
  }

  async create(name: string): Promise<WorkspaceInfo> {
    const info = await createWorkspace(name);
    this.current = info;
    await this.reloadList();
    return info;
  }

  async open(name: string): Promise<WorkspaceInfo> {
    const info = await openWorkspace(name);
    this.current = info;
    await this.reloadList();
    return info;
  }

  async rename(name: string, to: string): Promise<WorkspaceSummary> {
    const summary = await renameWorkspace(name, to);
    if (this.current?.name === name) this.current = await currentWorkspace();
    await this.reloadList();
    return summary;
  }

  async remove(name: string, confirmation: string): Promise<void> {
    await deleteWorkspace(name, confirmation);
    this.current = await currentWorkspace();
    await this.reloadList();
  }
}

export const workspaces = new Workspaces();
