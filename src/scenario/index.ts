// The scenario module: load a file, or parse an object, into the normalised Scenario.
export { loadScenarioFile } from './load';
export { parseScenario } from './parse';
export { parseDuration, parseRate, formatDuration } from './units';
export { parseTarget, formatTarget } from './targets';
export { TOXIC_ATTRIBUTES, TOXIC_TYPES } from './toxics';
export { FAULT_ACTIONS } from './faults';
export * from './types';
