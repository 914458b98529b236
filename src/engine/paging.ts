/** Page/per_page pagination shared by the guild-level lists (groups, panels, custom messages). */
export interface PageInput { page?: number | undefined; per_page?: number | undefined }
export interface PageWindow { page: number; perPage: number; offset: number }

export function pageWindow(input: PageInput, defaultPerPage = 25): PageWindow {
  const perPage = Math.min(Math.max(Math.trunc(input.per_page ?? defaultPerPage), 1), 100);
  const page = Math.max(Math.trunc(input.page ?? 1), 1);
  return { page, perPage, offset: (page - 1) * perPage };
}

/** Splits rows for bulk statements so no single statement carries too many parameters. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
