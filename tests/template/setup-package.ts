import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { packageProd, rememberPackage } from './packaged-prod';

/** jest globalSetup of the template tier: the prod package every file of the tier reads. */
export default async function setupPackage(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fresh-token-prod-package-'));
  await packageProd(dir);
  rememberPackage(dir);
}
