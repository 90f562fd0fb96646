/** Cold-import reference: an ESM module with nothing in it (what importing anything costs). */
export const nothing = 0;
