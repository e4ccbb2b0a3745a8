import type { ProfileSummary } from '../../../src-shared/api/contract';
import type { Db } from './db';

/** A speaker profile as listed (the API's ProfileSummary). */
export type ProfileRow = ProfileSummary;

export interface ProfileUtteranceRow {
  id: number;
  path: string;
  /** Where it came from: the original file's path, or 'recorder'. */
  source: string;
  seconds: number;
}

const SUMMARY = `SELECT p.id, p.name, COUNT(u.id) AS utterances, COALESCE(SUM(u.seconds), 0) AS seconds,
  p.created_at AS createdAt, p.updated_at AS updatedAt
  FROM speaker_profiles p LEFT JOIN profile_utterances u ON u.profile_id = p.id`;

export function listProfiles(db: Db): ProfileRow[] {
  return db.prepare(`${SUMMARY} GROUP BY p.id ORDER BY p.name COLLATE NOCASE`).all() as ProfileRow[];
}

export function getProfile(db: Db, id: number): ProfileRow | null {
  return (db.prepare(`${SUMMARY} WHERE p.id = ? GROUP BY p.id`).get(id) as ProfileRow | undefined) ?? null;
}

/** By name, case-insensitively (names are unique that way). */
export function getProfileByName(db: Db, name: string): ProfileRow | null {
  const row = db.prepare('SELECT id FROM speaker_profiles WHERE name = ?').get(name) as { id: number } | undefined;
  return row ? getProfile(db, row.id) : null;
}

export function createProfile(db: Db, name: string): number {
  return Number(db.prepare('INSERT INTO speaker_profiles(name) VALUES (?)').run(name).lastInsertRowid);
}

export function renameProfile(db: Db, id: number, name: string): void {
  db.prepare(`UPDATE speaker_profiles SET name = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?`).run(name, id);
}

/** Deletes the profile with its utterance rows and cached statistics (the caller removes the audio files). */
export function deleteProfile(db: Db, id: number): boolean {
  return db.prepare('DELETE FROM speaker_profiles WHERE id = ?').run(id).changes > 0;
}

export function addProfileUtterance(db: Db, profileId: number, u: Omit<ProfileUtteranceRow, 'id'>): number {
  const id = Number(
    db.prepare('INSERT INTO profile_utterances(profile_id, path, source, seconds) VALUES (?, ?, ?, ?)').run(profileId, u.path, u.source, u.seconds)
      .lastInsertRowid,
  );
  db.prepare(`UPDATE speaker_profiles SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?`).run(profileId);
  return id;
}

export function listProfileUtterances(db: Db, profileId: number): ProfileUtteranceRow[] {
  return db
    .prepare('SELECT id, path, source, seconds FROM profile_utterances WHERE profile_id = ? ORDER BY id')
    .all(profileId) as ProfileUtteranceRow[];
}

/** Cached statistics of a profile for a model folder, if they came from exactly these utterances. */
export function getProfileStats(db: Db, profileId: number, modelPath: string, utteranceIds: number[]): string | null {
  const row = db.prepare('SELECT utterance_ids, stats FROM profile_stats WHERE profile_id = ? AND model_path = ?').get(profileId, modelPath) as
    { utterance_ids: string; stats: string } | undefined;
  return row && row.utterance_ids === utteranceIds.join(',') ? row.stats : null;
}

export function putProfileStats(db: Db, profileId: number, modelPath: string, utteranceIds: number[], stats: string): void {
  db.prepare(
    `INSERT INTO profile_stats(profile_id, model_path, utterance_ids, stats) VALUES (?, ?, ?, ?)
     ON CONFLICT(profile_id, model_path) DO UPDATE SET utterance_ids = excluded.utterance_ids, stats = excluded.stats`,
  ).run(profileId, modelPath, utteranceIds.join(','), stats);
}
