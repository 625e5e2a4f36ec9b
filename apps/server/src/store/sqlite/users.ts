import type {
  CreateUserInput,
  FindUserByEmailInput,
  FindUserByIdInput,
  UserRecord,
} from '../types.ts';
import { signupBonusEntry } from '../signup-bonus.ts';
import { applyEntry } from './ledger.ts';
import type { Db } from './open.ts';
import { userFromRow } from './rows.ts';
import { statement } from './statements.ts';

/** Users without the account layer; every function runs inside the caller's transaction. */

type Row = Record<string, unknown>;

export function createUser(db: Db, input: CreateUserInput): UserRecord | 'email_taken' {
  const inserted = statement(
    db,
    `INSERT INTO users (id, email, name, password_hash, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING`,
  ).run(input.id, input.email, input.name, input.passwordHash, input.now, input.now);
  if (inserted.changes === 0) return 'email_taken';
  if (input.signupBonus > 0) {
    applyEntry(db, input.id, signupBonusEntry(input.id, input.signupBonus), input.now);
  }
  return findUserById(db, { id: input.id })!;
}

export function findUserByEmail(db: Db, input: FindUserByEmailInput): UserRecord | null {
  const row = statement(db, 'SELECT * FROM users WHERE email = ?').get(input.email) as
    Row | undefined;
  return row ? userFromRow(row) : null;
}

export function findUserById(db: Db, input: FindUserByIdInput): UserRecord | null {
  const row = statement(db, 'SELECT * FROM users WHERE id = ?').get(input.id) as Row | undefined;
  return row ? userFromRow(row) : null;
}
