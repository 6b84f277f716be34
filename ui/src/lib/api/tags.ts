import type { Tag } from "$lib/bindings/Tag";
import type { TagInput } from "$lib/bindings/TagInput";
import { call } from "./client";

export type { Tag, TagInput };

export const listTags = () => call<Tag[]>("tags_list");

export const createTag = (input: TagInput) => call<Tag>("tags_create", { input });

export const updateTag = (id: number, input: TagInput) => call<Tag>("tags_update", { id, input });

/** Deletes the tag; resolves to how many contacts carried it. */
export const deleteTag = (id: number) => call<number>("tags_delete", { id });
