// Session lengths and join times of churn's open model (churn.session): pure draws from a
// seeded random, so the same seed gives the same plan in every process.
import type { SessionSpec } from '../contracts/scenario';
import type { Random } from './random';

/** A uniform draw in (0, 1]: safe under a logarithm. */
const open01 = (random: Random): number => 1 - random();

/** A standard normal draw (Box–Muller). */
function normal(random: Random): number {
  return Math.sqrt(-2 * Math.log(open01(random))) * Math.cos(2 * Math.PI * random());
}

/** The bounds of a uniform session: as written, or the mean ± 50 %. */
export function uniformBounds(s: SessionSpec): [number, number] {
  return [s.minMs ?? s.meanMs / 2, s.maxMs ?? (s.meanMs * 3) / 2];
}

/** lognormal: μ such that the mean is meanMs (mean = exp(μ + σ²/2)). */
const logMean = (s: SessionSpec): number => Math.log(s.meanMs) - (s.sigma ?? 1) ** 2 / 2;

/** One session length, ms. */
export function drawSession(s: SessionSpec, random: Random): number {
  switch (s.distribution) {
    case 'fixed': return s.meanMs;
    case 'exponential': return -s.meanMs * Math.log(open01(random));
    case 'uniform': {
      const [lo, hi] = uniformBounds(s);
      return lo + (hi - lo) * random();
    }
    case 'lognormal': return Math.exp(logMean(s) + (s.sigma ?? 1) * normal(random));
  }
}

/**
 * What is left of the session of a client already connected when churn starts: the
 * equilibrium residual, U × (a length-biased draw). A client caught mid-session is more likely
 * in a long one; drawn this way, the initial clients leave at count / mean per second from the
 * first second on, as the joiners will later (for exponential this is exponential again:
 * memoryless). Its mean is E[S²] / (2 E[S]).
 */
export function drawResidual(s: SessionSpec, random: Random): number {
  return random() * drawLengthBiased(s, random);
}

/** A session length drawn with probability proportional to length × density. */
function drawLengthBiased(s: SessionSpec, random: Random): number {
  switch (s.distribution) {
    case 'fixed': return s.meanMs;
    // Gamma(2, mean): the sum of two exponentials
    case 'exponential': return -s.meanMs * (Math.log(open01(random)) + Math.log(open01(random)));
    case 'uniform': {
      // density ∝ x on [lo, hi]: inverse of the CDF (x² − lo²) / (hi² − lo²)
      const [lo, hi] = uniformBounds(s);
      return Math.sqrt(lo * lo + random() * (hi * hi - lo * lo));
    }
    // lognormal(μ, σ) length-biased is lognormal(μ + σ², σ)
    case 'lognormal': return Math.exp(logMean(s) + (s.sigma ?? 1) ** 2 + (s.sigma ?? 1) * normal(random));
  }
}

/** The gap to the next join of Poisson arrivals, ms: exponential with mean 1 / rate (even arrivals need no draw). */
export function drawPoissonGap(ratePerSecond: number, random: Random): number {
  return -(1000 / ratePerSecond) * Math.log(open01(random));
}
