/**
 * The EvidenceStore port (src/core/evidence/ports.ts) on SQLite and PostgreSQL: a kept screenshot
 * read in `evidence`, its images (bytes and what was read from each) in `evidence_images`, written
 * in one transaction. Image bytes are read only when an image or a crop is asked for.
 */
import type { EvidenceRecord, EvidenceStore, KeptImage } from '../../core/evidence/index.js';
import type { Role } from '../../core/ports.js';
import type { Db, Executor } from './executor.js';
import { json, parse } from './rows/json.js';

export interface EvidenceStoreTarget {
  db: Db;
  inTransaction<T>(work: (db: Executor) => Promise<T>): Promise<T>;
}

export function createEvidenceStore(target: EvidenceStoreTarget): EvidenceStore {
  return {
    async insertEvidence(record, bytes) {
      await target.inTransaction(async (db) => {
        await db
          .insertInto('evidence')
          .values({
            id: record.id,
            created_at: record.createdAt,
            actor: record.actor,
            actor_role: record.actorRole,
            source: record.source,
            ticket_id: record.ticketId,
            evidence: json(record.evidence),
          })
          .execute();
        for (const image of record.images) {
          const data = bytes[image.n];
          if (!data) throw new Error(`no bytes for image ${image.n}`);
          await db
            .insertInto('evidence_images')
            .values({
              evidence_id: record.id,
              n: image.n,
              format: image.format,
              size: image.size,
              width: image.width,
              height: image.height,
              file_name: image.fileName,
              evidence: json(image.evidence),
              bytes: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
            })
            .execute();
        }
      });
    },

    async getEvidence(id) {
      const row = await target.db.selectFrom('evidence').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) return null;
      const images = await target.db
        .selectFrom('evidence_images')
        .select(['n', 'format', 'size', 'width', 'height', 'file_name', 'evidence'])
        .where('evidence_id', '=', id)
        .orderBy('n')
        .execute();
      return {
        id: row.id,
        createdAt: row.created_at,
        actor: row.actor,
        actorRole: row.actor_role as Role,
        source: row.source as EvidenceRecord['source'],
        ticketId: row.ticket_id,
        evidence: parse(row.evidence) as EvidenceRecord['evidence'],
        images: images.map((i): KeptImage => ({
          n: Number(i.n),
          format: i.format as KeptImage['format'],
          size: Number(i.size),
          width: Number(i.width),
          height: Number(i.height),
          fileName: i.file_name,
          evidence: parse(i.evidence) as KeptImage['evidence'],
        })),
      };
    },

    async getEvidenceImage(id, n) {
      const row = await target.db
        .selectFrom('evidence_images')
        .select('bytes')
        .where('evidence_id', '=', id)
        .where('n', '=', n)
        .executeTakeFirst();
      return row ? new Uint8Array(row.bytes) : null;
    },
  };
}
