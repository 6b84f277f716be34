// The Settings page has several forms over the same settings. When the settings change
// elsewhere (another card saved, or connecting event tracking remembered its configuration
// set), each form's untouched fields follow, so a later save does not put an old value
// back, and an edit in progress is kept.

/** Brings `form` and `saved` to `next` where the user has not edited the field. */
export function followSettings<F extends Record<string, string>>(form: F, saved: F, next: F): void {
  for (const key of Object.keys(next) as (keyof F)[]) {
    if (form[key] === saved[key]) form[key] = next[key];
    saved[key] = next[key];
  }
}
