import type { Parameters } from 'fast-check';

/**
 * fast-check settings for every property: a fixed seed by default, so `npm test` checks the same
 * cases on every machine; `FC_SEED=<n>` replays a printed failure, `FC_SEED=random` explores new
 * cases, `FC_RUNS=<n>` checks more of them. fast-check prints the seed and the shrunk
 * counterexample when a property fails.
 */
export function propertyOptions<T>(overrides: Parameters<T> = {}): Parameters<T> {
  const given = process.env.FC_SEED;
  const seed = given === 'random' ? Math.floor(Math.random() * 2 ** 31) : given === undefined ? 20261201 : Number(given);
  const runs = process.env.FC_RUNS === undefined ? {} : { numRuns: Number(process.env.FC_RUNS) };
  return { seed, ...runs, ...overrides };
}
