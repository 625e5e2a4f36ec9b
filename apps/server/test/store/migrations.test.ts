import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/sqlite/migrations/index.ts';
import { migrate, openDatabase } from '../../src/store/sqlite/open.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'credit-migrations-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const now = '2026-11-24T10:00:00.000Z';

describe('migrations', () => {
  it('upgrade a version-1 database with videos in it, keeping every row and every rule', () => {
    const db = openDatabase(path.join(dir, 'v1.db'));
    // Exactly what a database created before version 2 contains.
    db.exec(`CREATE TABLE schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
    db.exec(MIGRATIONS[0]!.sql);
    db.prepare('INSERT INTO schema_migrations VALUES (1, ?, ?)').run('init', now);
    db.prepare(
      `INSERT INTO users (id, email, name, password_hash, credit_balance, created_at, updated_at)
       VALUES ('u1', 'a@example.com', 'A', 'x', 0, ?, ?)`,
    ).run(now, now);
    const insertVideo = db.prepare(`INSERT INTO video_generations (id, user_id, idempotency_key,
        status, prompt, duration_minutes, resolution, custom_music, premium_tts, ai_enhancement,
        credits_used, created_at, updated_at) VALUES (?, 'u1', ?, ?, 'p', 1, '720p', 0, 0, 0, 5, ?, ?)`);
    insertVideo.run('v1', 'key-1', 'completed', now, now);
    insertVideo.run('v2', null, 'queued', now, now);
    const before = db.prepare('SELECT * FROM video_generations ORDER BY id').all();

    migrate(db);

    expect(db.prepare('SELECT version FROM schema_migrations').pluck().all()).toEqual(
      MIGRATIONS.map((m) => m.version),
    );
    // Every row kept; version 5 adds each one's place in the fair queue (0 for old rows),
    // version 6 its place in the user's history (by creation time, then id), version 10 an
    // empty render lease, version 11 "not deleted".
    expect(db.prepare('SELECT * FROM video_generations ORDER BY id').all()).toEqual(
      before.map((row, i) => ({
        ...(row as object),
        fair_round: 0,
        user_seq: i + 1,
        lease_owner: null,
        lease_until: null,
        deleted_at: null,
      })),
    );
    const indexes = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'video_generations'",
      )
      .pluck()
      .all();
    expect(indexes).toEqual(
      expect.arrayContaining([
        'video_generations_by_user',
        'video_generations_active_by_round',
        'video_generations_queued_by_user',
        'video_generations_processing_by_user',
      ]),
    );
    // The one-video-per-key guarantee now lives in idempotency_keys alone: no unique
    // constraint is left on the table besides its primary key.
    const uniques = (
      db.pragma('index_list(video_generations)') as { origin: string; unique: number }[]
    ).filter((i) => i.unique === 1);
    expect(uniques.map((i) => i.origin)).toEqual(['pk']);
    expect(() =>
      db.prepare("UPDATE video_generations SET status = 'failed' WHERE id = 'v1'").run(),
    ).toThrow(/terminal state/);
    // Same user and key as v1: accepted by the table now (the key's record refuses it first).
    expect(() => insertVideo.run('v3', 'key-1', 'queued', now, now)).not.toThrow();
    expect(() =>
      db
        .prepare(
          `INSERT INTO video_generations (id, user_id, status, prompt, duration_minutes,
          resolution, custom_music, premium_tts, ai_enhancement, credits_used, created_at, updated_at)
          VALUES ('v4', 'nobody', 'queued', 'p', 1, '720p', 0, 0, 0, 5, ?, ?)`,
        )
        .run(now, now),
    ).toThrow(/FOREIGN KEY/);
    expect(db.pragma('foreign_key_check')).toEqual([]);

    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('are idempotent: a second run changes nothing', () => {
    const db = openDatabase(path.join(dir, 'fresh.db'));
    migrate(db);
    const schema = db.prepare('SELECT sql FROM sqlite_master ORDER BY name').pluck().all();
    migrate(db);
    expect(db.prepare('SELECT sql FROM sqlite_master ORDER BY name').pluck().all()).toEqual(schema);
    db.close();
  });
});
