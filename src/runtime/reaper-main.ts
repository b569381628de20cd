// The reaper: started by a run's process with a pipe as stdin, it waits for that pipe to end
// (the owner exited, crashed or was SIGKILLed) and kills the children still marked in the
// marker folder it was given. After a clean exit the marker is already gone: nothing to do.
import { reapMarker } from './leftovers';

const dir = process.argv[2];
if (!dir) process.exit(2);
// Ctrl-C and a closing terminal reach the whole process group: the owner decides, we outlive it.
process.on('SIGINT', () => { /* keep watching */ });
process.on('SIGHUP', () => { /* keep watching */ });
let reaping = false;
const reap = () => {
  if (reaping) return;
  reaping = true;
  reapMarker(dir).then(() => process.exit(0), () => process.exit(3));
};
process.stdin.on('end', reap);
process.stdin.on('close', reap);
process.stdin.on('error', reap);
process.stdin.resume();
