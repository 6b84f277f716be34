import type { CustomField, FieldChangeImpact, FieldInput, FieldType } from "./provisional";
import { call } from "./client";

export type { CustomField, FieldChangeImpact, FieldInput, FieldType };

export const listFields = () => call<CustomField[]>("fields_list");

export const createField = (input: FieldInput) => call<CustomField>("fields_create", { input });

export const updateField = (id: number, input: FieldInput) =>
  call<CustomField>("fields_update", { id, input });

export const deleteField = (id: number) => call<null>("fields_delete", { id });

/** What a type change (or, with `fieldType` null, a removal) would do to existing values. */
export const fieldChangeImpact = (id: number, fieldType: FieldType | null) =>
  call<FieldChangeImpact>("fields_change_impact", { id, fieldType });
