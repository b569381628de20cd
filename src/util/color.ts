// Whether console output may carry ANSI colours: only on a terminal, and never when NO_COLOR
// is set to anything non-empty (https://no-color.org).
export function colorWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}
