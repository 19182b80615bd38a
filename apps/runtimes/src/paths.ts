import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This app's folder, the repository's, and where the matrix builds its entries (git-ignored). */
export const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const repoDir = join(appDir, '..', '..');
export const distDir = join(appDir, 'dist');
