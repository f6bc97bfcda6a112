import { stopSharedStacks } from './shared-stacks';

/** jest globalTeardown of the e2e project: stops the stacks the global setup started. */
export default async function stopStacks(): Promise<void> {
  await stopSharedStacks();
}
