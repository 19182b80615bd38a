import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ProjectSpec, readProject } from './consumers.js';
import { extractBlocks, writeReadmeProject } from './readme-blocks.js';
import type { Report } from './report.js';

/**
 * What the READMEs' blocks import besides our packages, from the npm registry: Node 22's types
 * (the oldest Node we support), zod (the declarative clients' examples), the interceptors' peers,
 * and the servers the admin README mounts its handler in (Express with its types, Fastify).
 */
export const README_DEPENDENCIES = {
  '@types/node': '^22.0.0',
  zod: '^4.0.0',
  '@opentelemetry/api': '^1.9.0',
  'prom-client': '^15.0.0',
  express: '^5.0.0',
  '@types/express': '^5.0.0',
  fastify: '^5.0.0',
} as const;

/** The READMEs whose blocks are checked: the root one and each package's. */
export async function readmeFiles(root: string): Promise<string[]> {
  const packages = await readdir(join(root, 'packages'), { withFileTypes: true });
  const found = ['README.md'];
  for (const entry of packages.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const readme = `packages/${entry.name}/README.md`;
    try {
      await readFile(join(root, readme));
      found.push(readme);
    } catch {
      // a package folder without a README has no blocks
    }
  }
  return found;
}

/** Extracts every README's blocks into a consumer project in `dir` and reads it back. */
export async function readmeProject(root: string, dir: string, report: Report): Promise<ProjectSpec> {
  const blocks = [];
  for (const readme of await readmeFiles(root)) {
    blocks.push(...extractBlocks(await readFile(join(root, readme), 'utf8'), readme));
  }
  const summary = await writeReadmeProject(blocks, dir, README_DEPENDENCIES);
  report.info(
    `README blocks: ${summary.blocks} from ${new Set(blocks.map((b) => b.readme)).size} READMEs into ${dir}; not run: ${summary.notRun.length}, skipped: ${summary.skipped.length}`,
  );
  for (const line of [
    ...summary.notRun.map((w) => `not run: ${w}`),
    ...summary.skipped.map((w) => `skipped: ${w}`),
  ]) {
    report.info(`  ${line}`);
  }
  return readProject(dir);
}
