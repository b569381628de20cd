// Child side of "every child dies with its parent". chat-bench starts its brokers and proxies
// with stdin as a pipe and CHAT_BENCH_EXIT_WITH_PARENT=1; the kernel closes that pipe when the
// parent dies in any way (even SIGKILL), so end of stdin means: nobody is left to stop us.
// Started by hand (no variable), the process ignores stdin and runs until stopped.
export const EXIT_WITH_PARENT_ENV = 'CHAT_BENCH_EXIT_WITH_PARENT';

export function exitWithParent(): void {
  if (process.env[EXIT_WITH_PARENT_ENV] !== '1') return;
  delete process.env[EXIT_WITH_PARENT_ENV]; // not inherited by anything we might start
  const gone = () => process.exit(0); // no graceful close: nobody reads our output any more
  process.stdin.on('end', gone);
  process.stdin.on('close', gone);
  process.stdin.on('error', gone);
  process.stdin.on('data', () => { /* the parent never writes; reading is what sees the end */ });
}
