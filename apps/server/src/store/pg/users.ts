import type {
  CreateUserInput,
  FindUserByEmailInput,
  FindUserByIdInput,
  UserRecord,
} from '../types.ts';
import { userFromRow } from '../sqlite/rows.ts';
import { signupBonusEntry } from '../signup-bonus.ts';
import { applyEntry } from './ledger.ts';
import type { Q } from './sql.ts';

/** Users without the account layer, as sqlite/users.ts; inside the caller's transaction. */

export async function createUser(
  q: Q,
  input: CreateUserInput,
): Promise<UserRecord | 'email_taken'> {
  const inserted = await q.run(
    `INSERT INTO users (id, email, name, password_hash, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING`,
    [input.id, input.email, input.name, input.passwordHash, input.now, input.now],
  );
  if (inserted === 0) return 'email_taken';
  if (input.signupBonus > 0) {
    await applyEntry(q, input.id, signupBonusEntry(input.id, input.signupBonus), input.now);
  }
  return (await findUserById(q, { id: input.id }))!;
}

export async function findUserByEmail(
  q: Q,
  input: FindUserByEmailInput,
): Promise<UserRecord | null> {
  const row = await q.get('SELECT * FROM users WHERE email = ?', [input.email]);
  return row ? userFromRow(row) : null;
}

export async function findUserById(q: Q, input: FindUserByIdInput): Promise<UserRecord | null> {
  const row = await q.get('SELECT * FROM users WHERE id = ?', [input.id]);
  return row ? userFromRow(row) : null;
}
