// Benchmarks profile every process of a run (driver, workers, proxies, broker nodes) over one
// window: with CHAT_BENCH_PROFILE_DIR set, the first SIGUSR2 a process receives starts a V8 CPU
// profile and the second writes it to DIR/<role>-<pid>.cpuprofile (open it in Chrome DevTools).
// Node refuses --cpu-prof in NODE_OPTIONS, and children started by a run do not take flags.
// Without the variable this does nothing.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

export const PROFILE_DIR_ENV = 'CHAT_BENCH_PROFILE_DIR';

export function profileOnSignal(role: string): void {
  const dir = process.env[PROFILE_DIR_ENV];
  if (!dir) return;
  let session: Session | null = null;
  process.on('SIGUSR2', () => {
    if (session === null) {
      const s = new Session();
      s.connect();
      s.post('Profiler.enable', () => s.post('Profiler.start'));
      session = s;
      return;
    }
    const s = session;
    session = null;
    s.post('Profiler.stop', (err, res) => {
      if (!err) writeFileSync(join(dir, `${role.replace(/[^\w.-]+/g, '_')}-${process.pid}.cpuprofile`), JSON.stringify(res.profile));
      s.disconnect();
    });
  });
}
