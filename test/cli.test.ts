import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const nirantar = (...args: string[]) => run(process.execPath, ['bin/nirantar.js', ...args]).catch((e) => e);

describe('nirantar command line', () => {
  for (const command of ['start', 'verify', 'rebuild', 'seed', 'vault-credential']) {
    test(`${command} --help says how to use it and exits 0`, async () => {
      const result = await nirantar(command, '--help');
      assert.equal(result.code ?? 0, 0);
      assert.match(result.stdout, new RegExp(`^Usage: nirantar ${command}`));
      assert.match(result.stdout, /--data DIR/);
    });
  }

  test('without a command it lists the commands and exits non-zero', async () => {
    const result = await nirantar();
    assert.equal(result.code, 1);
    for (const command of ['start', 'verify', 'rebuild', 'seed']) assert.match(result.stdout, new RegExp(`\\b${command}\\b`));
  });

  test('an unknown command or option is refused with exit code 2', async () => {
    assert.equal((await nirantar('explode')).code, 2);
    const bad = await nirantar('verify', '--frobnicate');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /frobnicate/);
  });
});
