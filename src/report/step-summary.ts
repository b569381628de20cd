// GitHub Actions: when GITHUB_STEP_SUMMARY names a file, append the verdict as a Markdown
// table (thresholds, integrity counts, p50/p99, where the results are) to the job's page.
import { appendFile } from 'node:fs/promises';
import type { ResultsV1 } from '../contracts/results';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const ms = (us: number) => `${(us / 1000).toFixed(1)} ms`;

export function stepSummaryMarkdown(r: ResultsV1, resultsDir: string): string {
  const t = r.totals;
  const lines = [
    `### chat-bench: ${r.verdict === 'pass' ? '✅ pass' : '❌ fail'} — ${cell(r.runId)} (exit ${r.exitCode})`,
    '',
    '| threshold | actual | result |',
    '|---|---|---|',
    ...r.thresholds.map((x) => `| \`${cell(`${x.expression} ${x.condition}`)}\` | ${cell(x.message)} | ${x.pass ? 'pass' : '**FAIL**'} |`),
    '',
    '| published | acked | owed | delivered | lost | duplicated | reordered | phantom | in doubt | p50 | p99 |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    `| ${t.published} | ${t.acked} | ${t.expected} | ${t.delivered} | ${t.lost} | ${t.duplicated} | ${t.reordered} | ${t.phantom} | ${t.inDoubt} | ${ms(r.latency.overall.p50Us)} | ${ms(r.latency.overall.p99Us)} |`,
    '',
    `Results: \`${cell(resultsDir)}/${cell(r.runId)}/\` (upload it as an artifact, e.g. \`chat-bench-${cell(r.runId)}\`)`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}

/** Appends when GITHUB_STEP_SUMMARY is set; a summary that cannot be written only warns. */
export async function appendStepSummary(r: ResultsV1, resultsDir: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return false;
  try {
    await appendFile(file, stepSummaryMarkdown(r, resultsDir));
    return true;
  } catch (err) {
    process.stderr.write(`chat-bench: GITHUB_STEP_SUMMARY ${file} not written: ${(err as Error).message} (hint: the verdict is in results.json all the same)\n`);
    return false;
  }
}
