// JUnit XML for CI dashboards: one test case per threshold and one for message integrity, so a
// red build names the exact guarantee that broke and by how much.
import type { ResultsV1 } from '../contracts/results';
import { integrityDefects, scenarioName } from './console';
import { escapeXml } from './escape';
import { thresholdLine, viewThreshold } from './threshold-view';
import { formatCount } from './format';

interface Case { classname: string; name: string; failure?: { message: string; body: string } }

export function renderJUnit(results: ResultsV1): string {
  const cases: Case[] = results.thresholds.map((t) => {
    const v = viewThreshold(t);
    const c: Case = { classname: 'chat-bench.thresholds', name: `${t.expression} ${t.condition.trim()}` };
    if (!t.pass) {
      c.failure = {
        message: `measured ${v.measured}, required ${v.required}${v.miss ? ` — ${v.miss}` : ''}`,
        body: `${thresholdLine(t)}\n${t.message}`,
      };
    }
    return c;
  });
  cases.push(integrityCase(results));

  const failures = cases.filter((c) => c.failure).length;
  const seconds = (results.durationMs / 1000).toFixed(3);
  const suiteName = `chat-bench.${scenarioName(results)}`;
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="chat-bench" tests="${cases.length}" failures="${failures}" errors="0" time="${seconds}">`);
  out.push(`  <testsuite name="${escapeXml(suiteName)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0" ` +
    `time="${seconds}" timestamp="${escapeXml(results.startedAt)}" hostname="${escapeXml(results.environment.hostname)}">`);
  out.push('    <properties>');
  for (const [k, v] of [['runId', results.runId], ['verdict', results.verdict], ['exitCode', String(results.exitCode)],
    ['runtime', results.environment.runtime], ['nodes', results.environment.nodes.join(',')], ['tool', `${results.tool.name} ${results.tool.version}`]]) {
    out.push(`      <property name="${escapeXml(k)}" value="${escapeXml(v)}"/>`);
  }
  out.push('    </properties>');
  for (const c of cases) {
    const open = `    <testcase classname="${escapeXml(c.classname)}" name="${escapeXml(c.name)}" time="0"`;
    if (!c.failure) { out.push(`${open}/>`); continue; }
    out.push(`${open}>`);
    out.push(`      <failure type="${c.classname === 'chat-bench.integrity' ? 'integrity' : 'threshold'}" ` +
      `message="${escapeXml(c.failure.message)}">${escapeXml(c.failure.body)}</failure>`);
    out.push('    </testcase>');
  }
  out.push('  </testsuite>');
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

function integrityCase(results: ResultsV1): Case {
  const t = results.totals;
  const c: Case = { classname: 'chat-bench.integrity', name: 'integrity: no message lost, duplicated, reordered or phantom' };
  if (integrityDefects(results) === 0) return c;
  const parts = [
    `lost ${formatCount(t.lost)} (silent ${formatCount(t.lostSilent)}, announced ${formatCount(t.lostAnnounced)})`,
    `duplicated ${formatCount(t.duplicated)}`, `reordered ${formatCount(t.reordered)}`, `phantom ${formatCount(t.phantom)}`,
  ];
  if (t.serialConflicts) parts.push(`serial conflicts ${formatCount(t.serialConflicts)}`);
  const examples = results.examples.slice(0, 10).map((e) =>
    `${e.kind} channel=${e.channel}${e.serial !== undefined ? ` serial=${e.serial}` : ''}` +
    `${e.publisher !== undefined ? ` publisher=${e.publisher}` : ''}${e.n !== undefined ? ` n=${e.n}` : ''}` +
    ` clients=${e.clients.join(',')}${e.fault ? ` fault="${e.fault}"` : ''}`);
  c.failure = {
    message: `${parts.join(', ')}; required 0 of each`,
    body: [`${parts.join('\n')}`, '', 'first examples:', ...examples].join('\n'),
  };
  return c;
}
