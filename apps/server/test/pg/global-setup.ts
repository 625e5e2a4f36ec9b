import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migratePg } from '../../src/store/pg/migrate.ts';
import { startCluster, type Cluster } from './cluster.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgDataDir: string;
  }
}

export const TEMPLATE_DB = 'credits_template';
export const OWNER_ROLE = 'credits_owner';
export const APP_ROLE = 'credits_app';

let cluster: Cluster | undefined;

/**
 * One cluster per test run: an owner role that owns the schema, an app role the server runs
 * as (no rights to change the ledger), and a migrated template database every test file
 * copies (`createTestDatabase`).
 */
export default async function setup(project: TestProject) {
  cluster = await startCluster();
  const admin = new pg.Client({ connectionString: cluster.url() });
  await admin.connect();
  await admin.query(`CREATE ROLE ${OWNER_ROLE} LOGIN`);
  await admin.query(`CREATE ROLE ${APP_ROLE} LOGIN`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DB} OWNER ${OWNER_ROLE}`);
  await admin.end();
  const owner = new pg.Pool({ connectionString: cluster.url(TEMPLATE_DB, OWNER_ROLE), max: 1 });
  await migratePg(owner, APP_ROLE);
  await owner.end();
  project.provide('pgAdminUrl', cluster.url());
  project.provide('pgDataDir', cluster.dataDir);
  return () => cluster?.stop();
}
