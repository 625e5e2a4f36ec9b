import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

const TEMPLATE_DB = 'credits_template';
const OWNER_ROLE = 'credits_owner';
const APP_ROLE = 'credits_app';

export interface TestDatabase {
  /** What the server uses: the app role. */
  appUrl: string;
  /** The owner role (migrations). */
  ownerUrl: string;
  /** The cluster's superuser, on this database. */
  adminUrl: string;
  name: string;
  drop: () => Promise<void>;
}

const withDatabase = (url: string, db: string, role: string) => {
  const u = new URL(url);
  u.pathname = `/${db}`;
  u.username = role;
  return u.toString();
};

/** A fresh database copied from the migrated template (milliseconds, not a migration run). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('pgAdminUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB} OWNER ${OWNER_ROLE}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    appUrl: withDatabase(adminUrl, name, APP_ROLE),
    ownerUrl: withDatabase(adminUrl, name, OWNER_ROLE),
    adminUrl: withDatabase(adminUrl, name, 'postgres'),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
