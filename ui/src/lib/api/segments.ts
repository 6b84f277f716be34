import type { Rule } from "$lib/bindings/Rule";
import type { Segment } from "$lib/bindings/Segment";
import type { SegmentInput } from "$lib/bindings/SegmentInput";
import { call } from "./client";

export type { Rule, Segment, SegmentInput };

export const listSegments = () => call<Segment[]>("segments_list");

export const createSegment = (input: SegmentInput) => call<Segment>("segments_create", { input });

export const renameSegment = (id: number, name: string) =>
  call<Segment>("segments_rename", { id, name });

export const updateSegmentRules = (id: number, rules: Rule) =>
  call<Segment>("segments_update_rules", { id, rules });

/** A copy named `name`, or "<name> (copy)" when null. */
export const duplicateSegment = (id: number, name: string | null = null) =>
  call<Segment>("segments_duplicate", { id, name });

export const deleteSegment = (id: number) => call<null>("segments_delete", { id });

/** How many contacts match these rules now; they need not be saved. */
export const countSegmentRules = (rules: Rule) => call<number>("segments_count", { rules });
