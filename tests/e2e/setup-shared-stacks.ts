import type { GlobalConfig } from 'jest';
import { stacksInUse, startSharedStacks } from './shared-stacks';

/** jest globalSetup of the e2e project: the local stacks the e2e files of this run use (shared-stacks.ts). */
export default async function setupSharedStacks(globalConfig: GlobalConfig): Promise<void> {
  await startSharedStacks(stacksInUse(globalConfig.testPathPatterns));
}
