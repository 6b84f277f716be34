// What every contacts view needs to hand: the workspace's tags, custom fields and segments.
// Views reload it after changing one of them so filters, columns and forms agree.
import { toCommandError, type CommandError } from "$lib/api/client";
import { listFields, type CustomField } from "$lib/api/fields";
import { listSegments, type Segment } from "$lib/api/segments";
import { listTags, type Tag } from "$lib/api/tags";

class Catalog {
  tags = $state<Tag[]>([]);
  fields = $state<CustomField[]>([]);
  segments = $state<Segment[]>([]);
  loaded = $state(false);
  error = $state<CommandError | null>(null);

  private workspaceId: string | null = null;

  /** Loads the open workspace's tags, fields and segments; another workspace's are dropped first. */
  async load(workspaceId?: string): Promise<void> {
    if (workspaceId !== undefined && workspaceId !== this.workspaceId) {
      this.workspaceId = workspaceId;
      this.tags = [];
      this.fields = [];
      this.segments = [];
      this.loaded = false;
    }
    try {
      const [tags, fields, segments] = await Promise.all([listTags(), listFields(), listSegments()]);
      this.tags = tags;
      this.fields = fields;
      this.segments = segments;
      this.error = null;
    } catch (e) {
      this.error = toCommandError(e);
    } finally {
      this.loaded = true;
    }
  }

  async reloadTags(): Promise<void> {
    this.tags = await listTags();
  }

  async reloadFields(): Promise<void> {
    this.fields = await listFields();
  }

  async reloadSegments(): Promise<void> {
    this.segments = await listSegments();
  }

  tag(id: number): Tag | undefined {
    return this.tags.find((t) => t.id === id);
  }
}

export const catalog = new Catalog();
