// The contacts list's query, kept outside the component so that opening a contact and
// coming back finds the same search, filters, sort and page.
import type { ContactStatus } from "$lib/api/contacts";

class ListState {
  search = $state("");
  status = $state<ContactStatus | null>(null);
  tagId = $state<number | null>(null);
  segmentId = $state<number | null>(null);
  sort = $state("created_at");
  descending = $state(true);
  page = $state(0);
  pageSize = $state(50);

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
