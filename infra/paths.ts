import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root, for infra and the embedded stack alike (no CDK import here on purpose). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
