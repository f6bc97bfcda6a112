import { startSharedStacks } from './shared-stacks';

/** jest globalSetup of the e2e project: the local stacks several files share (shared-stacks.ts). */
export default async function setupSharedStacks(): Promise<void> {
  await startSharedStacks();
}
