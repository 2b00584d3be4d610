// The procedure catalog for the screens that need a whole procedure (form, slots, fee rules). It is the
// same document the home screen shows, so the service worker's saved copy makes it work offline.

import { ApiError, getJson } from './api.js';

const CATALOG_PATH = '/api/submit/procedures';

let loading = null;

/** The catalog, loaded once per page: `{procedures: [P...], photo: {max_edge, target_bytes}}`. */
export function loadCatalog() {
  if (!loading) {
    loading = getJson(CATALOG_PATH).then(({ data }) => ({
      procedures: Array.isArray(data?.procedures) ? data.procedures : [],
      photo: data?.photo || {},
      complaint_photo: data?.complaint_photo || null,
    }));
    loading.catch(() => {
      loading = null; // a later screen (e.g. back online) tries again
    });
  }
  return loading;
}

/** The procedure `id` from the catalog; rejects with ApiError('not_found') when it is not offered. */
export async function loadProcedure(id) {
  const catalog = await loadCatalog();
  const procedure = catalog.procedures.find((candidate) => candidate.id === id);
  if (!procedure) throw new ApiError('not_found', 404);
  return { procedure, photo: catalog.photo };
}
