// The contacts list's query, kept outside the component so that opening a contact and
// coming back finds the same search, filters, sort and page.
import type { ContactStatus } from "$lib/api/contacts";

class ListState {
  /** The workspace this state belongs to; another workspace starts from a clean list. */
  workspaceId: string | null = null;
  search = $state("");
  status = $state<ContactStatus | null>(null);
  tagId = $state<number | null>(null);
  segmentId = $state<number | null>(null);
  sort = $state("created_at");
  descending = $state(true);
  page = $state(0);
  pageSize = $state(50);

  /** Forgets the search and filters when the open workspace is not the one they were made in. */
  useWorkspace(id: string): void {
    if (this.workspaceId === id) return;
    this.workspaceId = id;
    this.reset();
    this.sort = "created_at";
    this.descending = true;
  }

  reset(): void {
    this.search = "";
    this.status = null;
    this.tagId = null;
    this.segmentId = null;
    this.page = 0;
  }

  get filtered(): boolean {
    return !!this.search.trim() || this.status !== null || this.tagId !== null || this.segmentId !== null;
  }
}

export const listState = new ListState();
