import { Command, CommanderError, Option } from 'commander';
import { formatTable } from './report-table';

/**
 * How many distinct cohorts an attacker needs to undo the default count protection (discrete Laplace ε = 1/2,
 * rounding half up to 10, clamp at 0, threshold 10), by seeded simulation. It sizes the default privacy budget
 * (docs/privacy.md, "Privacy budget"). Cell-key noise gives each distinct cohort one draw, so an averaging or
 * differencing attack needs one distinct cohort per draw. Prints figures; never passes or fails.
 */

interface SimulationOptions {
  seed: number;
  trials: number;
}

/** The mechanism as `protectCount` applies it with the default policy. */
const EPSILON = 0.5;
const ROUNDING = 10;
const THRESHOLD = 10;
const P = Math.exp(-EPSILON);
const CONFIDENCE = 0.95;
const DRAWS = [
  1, 2, 3, 5, 8, 10, 15, 20, 25, 30, 40, 50, 60, 80, 100, 125, 150, 200, 250, 300, 400, 500, 600, 700, 800,
];

/** xoshiro128**: small, fast and seedable; the simulation must print the same figures for the same seed. */
function createRandom(seed: number): () => number {
  let a = 0x9e3779b9 ^ seed;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  for (let i = 0; i < 32; i += 1) {
    next();
  }
  // 53 random bits in (0, 1]: never 0, so a logarithm of it is finite.
  return () => ((next() >>> 5) * 2 ** 26 + (next() >>> 6) + 1) / 2 ** 53;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Discrete Laplace with P(Z = z) ∝ p^|z|: the difference of two geometric variables. */
function sampleNoise(random: () => number): number {
  const geometric = (): number => Math.floor(Math.log(random()) / Math.log(P));
  return geometric() - geometric();
}

/** The published value of a count; "below threshold" is shown as 0, which is what a reader learns from it. */
function protect(rawCount: number, random: () => number): number {
  const noisy = rawCount + sampleNoise(random);
  const rounded = Math.max(0, Math.floor((noisy + ROUNDING / 2) / ROUNDING) * ROUNDING);
  return rounded < THRESHOLD ? 0 : rounded;
}

/** P(Z ≤ z) of the discrete Laplace. */
function noiseCdf(z: number): number {
  return z >= 0 ? 1 - P ** (z + 1) / (1 + P) : P ** -z / (1 + P);
}

/** log P(published = value | rawCount), exactly. */
function logLikelihood(value: number, rawCount: number): number {
  const half = ROUNDING / 2;
  // The published value v covers noisy values [v - half, v + half - 1]; 0 also covers everything below.
  const upper = value + half - 1 - rawCount;
  const probability = value === 0 ? noiseCdf(upper) : noiseCdf(upper) - noiseCdf(value - half - 1 - rawCount);
  return Math.log(Math.max(probability, 1e-300));
}

/** A raw count drawn uniformly from [lo, hi]. */
function uniformCount(random: () => number, lo: number, hi: number): number {
  return lo + Math.floor(random() * (hi - lo + 1));
}

/**
 * Averaging: `draws` independent answers for one count (the attacker's best case: in truth each further draw needs a
 * distinct cohort whose size relative to the target is known). The maximum-likelihood estimate over the exact
 * distribution of the published value; how often it is within ±1 of the count and how often it is exact.
 */
function simulateAveraging(draws: number, options: SimulationOptions, random: () => number) {
  let withinOne = 0;
  let exact = 0;
  for (let trial = 0; trial < options.trials; trial += 1) {
    const rawCount = uniformCount(random, 50, 549);
    const seen = new Map<number, number>();
    for (let i = 0; i < draws; i += 1) {
      const value = protect(rawCount, random);
      seen.set(value, (seen.get(value) ?? 0) + 1);
    }
    const anchor = [...seen.keys()][0];
    let best = Number.NaN;
    let bestLog = -Infinity;
    for (let candidate = anchor - 40; candidate <= anchor + 40; candidate += 1) {
      let log = 0;
      for (const [value, times] of seen) {
        log += times * logLikelihood(value, candidate);
      }
      if (log > bestLog) {
        bestLog = log;
        best = candidate;
      }
    }
    withinOne += Math.abs(best - rawCount) <= 1 ? 1 : 0;
    exact += best === rawCount ? 1 : 0;
  }
  return { withinOne: withinOne / options.trials, exact: exact / options.trials };
}

/**
 * P(D = d | δ) for the difference D of the answers of two cohorts whose counts differ by δ, over a uniform position
 * of the counts between multiples of the rounding step (the attacker does not know it).
 */
function differenceDistribution(delta: number): Map<number, number> {
  const steps = 12;
  const distribution = new Map<number, number>();
  const answerPmf = (rawCount: number): Map<number, number> => {
    const pmf = new Map<number, number>();
    for (let k = -steps; k <= steps; k += 1) {
      const value = 100 * ROUNDING + k * ROUNDING;
      pmf.set(value, Math.exp(logLikelihood(value, rawCount)));
    }
    return pmf;
  };
  for (let phase = 0; phase < ROUNDING; phase += 1) {
    const base = 100 * ROUNDING + phase;
    const withTarget = answerPmf(base + delta);
    const without = answerPmf(base);
    for (const [a, pa] of withTarget) {
      for (const [b, pb] of without) {
        distribution.set(a - b, (distribution.get(a - b) ?? 0) + (pa * pb) / ROUNDING);
      }
    }
  }
  return distribution;
}

/**
 * Differencing: `pairs` pairs of distinct cohorts whose counts differ by the target patient or not (δ = 1 or 0), at
 * unknown sizes. The attacker decides by the likelihood ratio of the differences (Neyman-Pearson, the best test for
 * this design) and, for comparison, by the mean difference against 1/2. Accuracy is averaged over δ = 0 and 1.
 */
function simulateDifferencing(pairs: number, options: SimulationOptions, random: () => number) {
  const withTarget = differenceDistribution(1);
  const without = differenceDistribution(0);
  const logRatio = (d: number): number =>
    Math.log(Math.max(withTarget.get(d) ?? 0, 1e-300)) - Math.log(Math.max(without.get(d) ?? 0, 1e-300));
  let likelihoodCorrect = 0;
  let meanCorrect = 0;
  for (let trial = 0; trial < options.trials; trial += 1) {
    const delta = trial % 2;
    let log = 0;
    let sum = 0;
    for (let i = 0; i < pairs; i += 1) {
      const base = uniformCount(random, 50, 549);
      const d = protect(base + delta, random) - protect(base, random);
      log += logRatio(d);
      sum += d;
    }
    likelihoodCorrect += (log > 0 ? 1 : 0) === delta ? 1 : 0;
    meanCorrect += (sum / pairs > 0.5 ? 1 : 0) === delta ? 1 : 0;
  }
  return { likelihood: likelihoodCorrect / options.trials, mean: meanCorrect / options.trials };
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)} %`;
}

function parseOptions(argv: readonly string[]): SimulationOptions | null {
  const program = new Command('privacy-budget.bench')
    .description('Distinct cohorts an averaging or differencing attack needs against the default count protection')
    .addOption(new Option('--seed <n>', 'simulation seed').default('20260302'))
    .addOption(new Option('--trials <n>', 'simulated attacks per row').default('4000'))
    .exitOverride();
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return null;
    }
    throw error;
  }
  const raw = program.opts<{ seed: string; trials: string }>();
  const seed = Number(raw.seed);
  const trials = Number(raw.trials);
  if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(trials) || trials < 2) {
    process.stderr.write('--seed must be an integer and --trials an integer of at least 2\n');
    process.exitCode = 2;
    return null;
  }
  return { seed, trials };
}

function firstReaching(rows: ReadonlyArray<{ cohorts: number; accuracy: number }>): string {
  const row = rows.find((candidate) => candidate.accuracy >= CONFIDENCE);
  return row === undefined ? `more than ${rows.at(-1)?.cohorts ?? 0}` : String(row.cohorts);
}

function main(): void {
  const options = parseOptions(process.argv.slice(2));
  if (options === null) {
    return;
  }
  const random = createRandom(options.seed);
  process.stdout.write(
    `Count protection: discrete Laplace ε = ${EPSILON} (sd ${Math.sqrt((2 * P) / (1 - P) ** 2).toFixed(2)}), ` +
      `rounding ${ROUNDING}, threshold ${THRESHOLD}; seed ${options.seed}, ${options.trials} simulated attacks per row\n\n`,
  );

  const averaging = DRAWS.map((draws) => ({ draws, ...simulateAveraging(draws, options, random) }));
  process.stdout.write('Averaging: one count (50-549) from n independent answers, maximum-likelihood estimate\n');
  process.stdout.write(
    `${formatTable(
      ['cohorts', 'within ±1', 'exact'],
      averaging.map((row) => [String(row.draws), percent(row.withinOne), percent(row.exact)]),
      ['right', 'right', 'right'],
    )}\n\n`,
  );

  const differencing = DRAWS.map((pairs) => ({ pairs, ...simulateDifferencing(pairs, options, random) }));
  process.stdout.write(
    'Differencing: is one patient in a cohort? n pairs of cohorts that differ by that patient or not\n',
  );
  process.stdout.write(
    `${formatTable(
      ['pairs', 'cohorts', 'likelihood ratio', 'mean difference'],
      differencing.map((row) => [String(row.pairs), String(2 * row.pairs), percent(row.likelihood), percent(row.mean)]),
      ['right', 'right', 'right', 'right'],
    )}\n\n`,
  );

  const level = percent(CONFIDENCE);
  process.stdout.write(`Distinct cohorts needed for ${level} of attacks to succeed:\n`);
  process.stdout.write(
    `  a count within ±1:             ${firstReaching(averaging.map((r) => ({ cohorts: r.draws, accuracy: r.withinOne })))}\n` +
      `  a count exactly:               ${firstReaching(averaging.map((r) => ({ cohorts: r.draws, accuracy: r.exact })))}\n` +
      `  one patient in or out (best):  ${firstReaching(differencing.map((r) => ({ cohorts: 2 * r.pairs, accuracy: r.likelihood })))}\n` +
      `  one patient in or out (mean):  ${firstReaching(differencing.map((r) => ({ cohorts: 2 * r.pairs, accuracy: r.mean })))}\n`,
  );
}

main();
