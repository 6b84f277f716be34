// A file dropped on the contacts pages outside the import wizard: the wizard opens and
// picks it up from here.
export const pendingImport: { path: string | null } = { path: null };
