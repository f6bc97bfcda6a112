import { rmSync } from 'node:fs';
import { rememberedPackage } from './packaged-prod';

/** jest globalTeardown of the template tier: removes the prod package the global setup made. */
export default function removePackage(): void {
  const dir = rememberedPackage();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}
