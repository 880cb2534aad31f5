// Settings shared by the property-based tests: bounded and seeded in `npm test`, many more runs in
// `npm run fuzz` (BYOK_FUZZ=long). The seed is fixed unless BYOK_FUZZ_SEED is given, and fast-check
// prints it with the shrunk counterexample on failure, so any failure can be replayed exactly:
//   BYOK_FUZZ_SEED=<seed> npx vitest run <file>
import type { Parameters } from 'fast-check';

const LONG = process.env.BYOK_FUZZ === 'long';

/** The seed of this run: BYOK_FUZZ_SEED, else a fixed one (random in the long mode, and printed). */
export const FUZZ_SEED = process.env.BYOK_FUZZ_SEED
  ? Number(process.env.BYOK_FUZZ_SEED)
  : LONG
    ? Math.floor(Math.random() * 2 ** 31)
    : 20261130;

/** fast-check parameters: `bounded` runs in `npm test`, `long` runs under `npm run fuzz`. */
export function fuzzParameters<T>(runs: { bounded: number; long: number }): Parameters<T> {
  const numRuns = process.env.BYOK_FUZZ_RUNS
    ? Number(process.env.BYOK_FUZZ_RUNS)
    : LONG
      ? runs.long
      : runs.bounded;
  return { seed: FUZZ_SEED, numRuns, endOnFailure: false, verbose: 1 };
}

/** Test timeout for a property: room for the runs, plus the long mode's minutes. */
export function fuzzTimeoutMs(bounded: number): number {
  return LONG ? 60 * 60_000 : bounded;
}

/** Prints the figures of a finished property (runs, seed, outcomes) for the fuzz report. */
export function reportFuzz(name: string, figures: Record<string, number | string>): void {
  const parts = Object.entries(figures).map(([key, value]) => `${key}=${value}`);
  process.stdout.write(`[fuzz] ${name}: seed=${FUZZ_SEED} ${parts.join(' ')}\n`);
}
