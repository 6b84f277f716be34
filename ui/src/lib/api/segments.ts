import type { Condition, RuleGroup, Segment } from "./provisional";
import { call } from "./client";

export type { Condition, RuleGroup, Segment };

export const listSegments = () => call<Segment[]>("segments_list");

export const createSegment = (name: string, rules: RuleGroup) =>
  call<Segment>("segments_create", { name, rules });

export const updateSegment = (id: number, name: string, rules: RuleGroup) =>
  call<Segment>("segments_update", { id, name, rules });

export const deleteSegment = (id: number) => call<null>("segments_delete", { id });

/** How many contacts match these rules now; they need not be saved. */
export const countSegmentRules = (rules: RuleGroup) => call<number>("segments_count", { rules });
