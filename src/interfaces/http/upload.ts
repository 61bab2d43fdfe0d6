/**
 * Reading a multipart upload (`@fastify/multipart`, busboy underneath) for a route that takes
 * files: only the named file field, at most `maxFiles` files of at most `maxFileBytes` each, no
 * other fields; each limit refused with a coded error naming the field (never a 5xx), before the
 * use case sees anything.
 */
import type { FastifyRequest } from 'fastify';
import { LifelineError } from '../../core/errors.js';

export interface UploadSpec {
  /** The form field holding the files. */
  field: string;
  maxFiles: number;
  maxFileBytes: number;
  /** How the too-large file is refused (the area's own code). */
  tooLargeCode: 'IMAGE_TOO_LARGE' | 'PAYLOAD_TOO_LARGE';
}

export interface UploadedFile {
  bytes: Buffer;
  fileName: string | null;
}

const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(0)} MB`;

export async function readUpload(request: FastifyRequest, spec: UploadSpec): Promise<UploadedFile[]> {
  const invalid = (message: string) =>
    new LifelineError('VALIDATION_FAILED', `${spec.field}: ${message}`, { field: spec.field });
  if (!request.isMultipart())
    throw new LifelineError(
      'UNSUPPORTED_MEDIA_TYPE',
      `content-type: send multipart/form-data with the files in the field "${spec.field}"`,
    );
  const files: UploadedFile[] = [];
  try {
    const parts = request.parts({
      limits: {
        fileSize: spec.maxFileBytes,
        files: spec.maxFiles,
        fields: 0,
        parts: spec.maxFiles,
        fieldSize: 0,
      },
    });
    for await (const part of parts) {
      if (part.type !== 'file' || part.fieldname !== spec.field) {
        throw invalid(
          `only files in the field "${spec.field}" are read (got "${part.fieldname.slice(0, 40)}")`,
        );
      }
      const at = `${spec.field}[${files.length}]`;
      try {
        files.push({ bytes: await part.toBuffer(), fileName: part.filename || null });
      } catch (error) {
        if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
          throw new LifelineError(spec.tooLargeCode, `${at}: larger than ${mb(spec.maxFileBytes)}`, {
            field: spec.field,
          });
        throw error;
      }
    }
  } catch (error) {
    if (error instanceof LifelineError) throw error;
    const code = (error as { code?: string }).code ?? '';
    if (['FST_FILES_LIMIT', 'FST_PARTS_LIMIT', 'FST_FIELDS_LIMIT'].includes(code))
      throw invalid(`at most ${spec.maxFiles} files, and no other fields`);
    throw invalid('the multipart body could not be read');
  }
  return files;
}
