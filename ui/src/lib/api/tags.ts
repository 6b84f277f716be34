import type { Tag, TagInput } from "./provisional";
import { call } from "./client";

export type { Tag, TagInput };

export const listTags = () => call<Tag[]>("tags_list");

export const createTag = (input: TagInput) => call<Tag>("tags_create", { input });

export const updateTag = (id: number, input: TagInput) => call<Tag>("tags_update", { id, input });

export const deleteTag = (id: number) => call<null>("tags_delete", { id });
