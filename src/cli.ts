/**
 * nirantar <command>: the one entry point for people and scripts. Each command lives in src/cli/
 * and describes its own options, so `--help` is always what the code does.
 */
import { parseArgs } from 'node:util';
import type { Command } from './cli/command.js';
import { startCommand } from './cli/start.js';
import { verifyCommand } from './cli/verify.js';
import { rebuildCommand } from './cli/rebuild.js';
import { seedCommand } from './cli/seed.js';
import { vaultCredentialCommand } from './cli/vault-credential.js';
import { vaultCommand } from './cli/vault.js';
import { restoreCommand } from './cli/restore.js';
import { continuityCommand } from './cli/continuity.js';
import { honeytokenCommand } from './cli/honeytoken.js';
import { clientCommand } from './cli/client.js';
import { bootstrapTokenCommand } from './cli/bootstrap-token.js';
import { auditCommand } from './cli/audit.js';
import { permissionsCommand } from './cli/permissions.js';
import { devicesCommand } from './cli/devices.js';

const commands: Command[] = [
  startCommand, verifyCommand, rebuildCommand, seedCommand, vaultCredentialCommand, vaultCommand, restoreCommand, continuityCommand,
  honeytokenCommand, clientCommand, bootstrapTokenCommand, auditCommand, permissionsCommand, devicesCommand,
];

function usage(): string {
  return [
    'Usage: nirantar <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`),
    '',
    'Run `nirantar <command> --help` for the options of one command.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 1;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`nirantar: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: command.positionals ?? false, strict: true });
  } catch (err) {
    console.error(`nirantar ${name}: ${(err as Error).message}\n\n${command.help}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(command.help);
    return 0;
  }
  return command.run(parsed.values as Record<string, string | boolean | undefined>, parsed.positionals);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== -1) process.exit(code);
  },
  (err) => {
    console.error(`nirantar: ${(err as Error).message}`);
    process.exit(1);
  },
);
