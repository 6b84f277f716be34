import type { CustomField } from "$lib/bindings/CustomField";
import type { FieldChangePreview } from "$lib/bindings/FieldChangePreview";
import type { FieldInput } from "$lib/bindings/FieldInput";
import type { FieldType } from "$lib/bindings/FieldType";
import type { FieldTypeChange } from "$lib/bindings/FieldTypeChange";
import type { FieldUpdate } from "$lib/bindings/FieldUpdate";
import { call } from "./client";

export type { CustomField, FieldChangePreview, FieldInput, FieldType, FieldTypeChange, FieldUpdate };

export const listFields = () => call<CustomField[]>("fields_list");

export const createField = (input: FieldInput) => call<CustomField>("fields_create", { input });

/** Label, options and "required": the changes that keep the type. */
export const updateField = (id: number, update: FieldUpdate) =>
  call<CustomField>("fields_update", { id, update });

/** What a type change would do to the values contacts have, before doing it. */
export const previewFieldChange = (id: number, change: FieldTypeChange) =>
  call<FieldChangePreview>("fields_preview_change", { id, change });

export const changeFieldType = (id: number, change: FieldTypeChange) =>
  call<FieldChangePreview>("fields_change_type", { id, change });

/** What removing the field would do, before doing it. */
export const previewFieldDelete = (id: number) =>
  call<FieldChangePreview>("fields_preview_delete", { id });

export const deleteField = (id: number) => call<number>("fields_delete", { id });
