// Preloaded (node --expose-gc --require) into a server process under test: SIGUSR2 runs a full
// garbage collection, so a memory reading after it shows what is still referenced, not garbage.
process.on('SIGUSR2', () => global.gc?.());
