// The seeded PRNG lives in util/ (src/scenario draws the random nemesis with it too, and
// scenario must not depend on load); load keeps its import path.
export * from '../util/random';
