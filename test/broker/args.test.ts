// The broker's flags: what parseBrokerArgs accepts, and that every refusal is a one-line
// UserError naming the flag (exit 2).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseBrokerArgs } from '../../reference-broker/args';
import { UserError } from '../../src/util/errors';

function refusal(argv: string[]): UserError {
  try {
    parseBrokerArgs(argv);
  } catch (err) {
    assert.ok(err instanceof UserError, `a UserError for ${argv.join(' ')}`);
    assert.equal(err.exitCode, 2);
    assert.ok(!err.oneLine().includes('\n'));
    return err;
  }
  assert.fail(`accepted ${argv.join(' ')}`);
}

describe('parseBrokerArgs', () => {
  test('reads every flag, in both --flag value and --flag=value forms', () => {
    const opts = parseBrokerArgs([
      '--id', 'node-2', '--host=0.0.0.0', '--port', '7002', '--peers', 'node-1=ws://10.0.0.1:8001,node-3=ws://proxy:9000/x',
      '--data-dir', '/tmp/d', '--history', '500', '--history-seconds=1.5', '--max-frame-bytes', '4096', '--misbehave', 'reorder', '--misbehave-rate', '0.25',
    ]);
    assert.deepEqual(opts, {
      id: 'node-2', host: '0.0.0.0', port: 7002,
      peers: [{ id: 'node-1', url: 'ws://10.0.0.1:8001' }, { id: 'node-3', url: 'ws://proxy:9000/x' }],
      dataDir: '/tmp/d', history: 500, historySeconds: 1.5, maxFrameBytes: 4096, misbehaviour: { mode: 'reorder', rate: 0.25 },
    });
  });

  test('defaults: node-1, no peers, no fault; a fault without a rate uses 0.05', () => {
    assert.deepEqual(parseBrokerArgs([]), { id: 'node-1' });
    assert.deepEqual(parseBrokerArgs(['--misbehave', 'drop']).misbehaviour, { mode: 'drop', rate: 0.05 });
  });

  test('refuses what it cannot use, naming the flag', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--port', '70000'], /--port/],
      [['--port', '1.5'], /--port/],
      [['--port'], /--port needs a value/],
      [['--history', '0'], /--history/],
      [['--history-seconds', '-1'], /--history-seconds/],
      [['--max-frame-bytes', 'big'], /--max-frame-bytes/],
      [['--misbehave', 'chaos'], /--misbehave must be one of/],
      [['--misbehave-rate', '0.1'], /--misbehave-rate needs --misbehave/],
      [['--misbehave', 'dup', '--misbehave-rate', '1.5'], /--misbehave-rate/],
      [['--peers', 'node-2'], /--peers/],
      [['--peers', 'node-2=http://x:1'], /ws:\/\//],
      [['--peers', 'node-1=ws://x:1'], /own id/],
      [['--peers', 'node-2=ws://a:1,node-2=ws://b:2'], /twice/],
      [['--id', 'bad id'], /--id/],
      [['--bogus'], /unknown flag --bogus/],
      [['node-1'], /unexpected argument/],
      [['--port', '1', '--port', '2'], /twice/],
    ];
    for (const [argv, message] of cases) assert.match(refusal(argv).message, message, argv.join(' '));
  });
});
