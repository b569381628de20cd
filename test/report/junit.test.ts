import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderJUnit } from '../../src/report/junit';
import { makeSyntheticResults } from '../support/synthetic-results';
import { findAll, parseXml } from '../support/xml-check';

test('JUnit: one test case per threshold plus integrity; counts match the failures', () => {
  const results = makeSyntheticResults();
  const root = parseXml(renderJUnit(results));
  const suites = findAll(root, 'testsuite');
  assert.equal(suites.length, 1);
  const cases = findAll(root, 'testcase');
  const failures = findAll(root, 'failure');
  assert.equal(cases.length, results.thresholds.length + 1);
  const failedThresholds = results.thresholds.filter((t) => !t.pass).length;
  assert.ok(failedThresholds >= 1, 'the synthetic run must fail some thresholds');
  assert.equal(failures.length, failedThresholds + 1, 'failed thresholds + the integrity case');
  for (const el of [root, suites[0]]) {
    assert.equal(el.attrs.tests, String(cases.length));
    assert.equal(el.attrs.failures, String(failures.length));
    assert.equal(el.attrs.errors, '0');
  }
  const fault = cases.find((c) => c.attrs.name.startsWith('latency.p99{phase:fault}'))!;
  const msg = findAll(fault, 'failure')[0].attrs.message;
  assert.match(msg, /measured 412ms, required < 250ms/);
  assert.match(msg, /162ms over/);
  const integrity = cases.find((c) => c.attrs.classname === 'chat-bench.integrity')!;
  assert.match(findAll(integrity, 'failure')[0].attrs.message, /lost 34 \(silent 13, announced 21\), duplicated 2, reordered 1, phantom 0/);
  const passing = cases.find((c) => c.attrs.name.startsWith('latency.p99{phase:steady}'))!;
  assert.equal(passing.children.length, 0, 'a met threshold has no <failure>');
});

test('JUnit: a clean run has no failures, and the integrity case passes', () => {
  const results = makeSyntheticResults({ failing: false });
  const root = parseXml(renderJUnit(results));
  assert.equal(findAll(root, 'failure').length, 0);
  assert.equal(root.attrs.failures, '0');
  assert.equal(root.attrs.tests, String(results.thresholds.length + 1));
});

test('JUnit: hostile strings are escaped and control characters replaced (still well-formed XML)', () => {
  const results = makeSyntheticResults({ hostile: true });
  results.thresholds[2].expression = 'loss\u0001\u0008"<&>';
  results.thresholds[2].message = 'x ]]> </failure><testcase name="evil">';
  const xml = renderJUnit(results);
  const root = parseXml(xml);   // throws on anything malformed
  assert.ok(!xml.includes('<script>'));
  assert.equal(findAll(root, 'testcase').length, results.thresholds.length + 1);
  const names = findAll(root, 'testcase').map((c) => c.attrs.name);
  assert.ok(names.some((n) => n.startsWith('loss\uFFFD\uFFFD"<&>')), 'escaped text decodes back to the original (control chars → U+FFFD)');
  assert.ok(root.attrs.name === 'chat-bench');
  assert.ok(findAll(root, 'testsuite')[0].attrs.name.includes('<script>window.__pwned=1</script>'), 'scenario name round-trips through escaping');
});
