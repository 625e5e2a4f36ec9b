import { parseArgs } from 'node:util';
import { ADMIN_ROLES, type AdminRole } from '@app/shared';
import { loadConfig } from '../config.ts';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';

const USAGE = `usage: pnpm admin:create <email> [--role admin|support]
       pnpm admin:demote <email>`;

/**
 * Gives an existing account a console role, or takes it away (`--role user`, which is what
 * `admin:demote` runs). There is no default admin: the first one is made here, on the
 * server, by someone with access to its database. Each change is written to the audit log
 * (actor `cli`). Safe while the server runs: the role is read on every console request.
 */
async function main() {
  let args;
  try {
    args = parseArgs({
      allowPositionals: true,
      options: { role: { type: 'string', default: 'admin' } },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const [email, ...extra] = args.positionals;
  const role = args.values.role as AdminRole;
  if (!email || extra.length > 0 || !ADMIN_ROLES.includes(role)) {
    console.error(USAGE);
    process.exit(2);
  }
  const config = loadConfig();
  const store = openSqliteStore(config.databasePath, { busyTimeoutMs: config.dbBusyTimeoutMs });
  try {
    const result = await store.admin.setRole({
      email: email.trim().toLowerCase(),
      role,
      actor: { id: null, role: 'cli', requestId: null },
      now: new Date().toISOString(),
    });
    if (!result) {
      console.error(`No account with the email ${email}: sign up first, then run this again.`);
      process.exitCode = 1;
      return;
    }
    const { user, previous } = result;
    console.log(
      previous === role
        ? `${user.email} already has the role ${role}`
        : `${user.email}: ${previous} -> ${role}`,
    );
  } finally {
    await store.close();
  }
}

void main();
