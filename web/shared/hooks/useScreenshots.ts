/**
 * The customer's screenshots, read by the API: files dropped, pasted or chosen (the console), or the
 * ticket's attachments (the sidebar). Only the latest read counts; reading never issues anything.
 */
import { useRef, useState } from 'preact/hooks';
import { SCREENSHOT_MAX_BYTES, SCREENSHOTS_PER_READ } from '../../../src/core/limits.js';
import { describeFailure, type ApiClient, type ApiResponse, type EvidenceJson } from '../api.js';

export interface Screenshots {
  /** The latest read, or null. */
  read: EvidenceJson | null;
  reading: boolean;
  error: string | null;
  /** Reads these image files (PNG, JPEG, WebP). */
  readFiles: (files: readonly File[]) => void;
  /** Reads the ticket's image attachments (the ticket system connected). */
  readTicket: (ticketId: string) => void;
  clear: () => void;
}

const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'];

export function useScreenshots(api: ApiClient, onRead: (read: EvidenceJson) => void): Screenshots {
  const [read, setRead] = useState<EvidenceJson | null>(null);
  const [reading, setReading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);

  function run(ask: () => Promise<ApiResponse<EvidenceJson>>): void {
    const turn = ++latest.current;
    setReading(true);
    setError(null);
    ask()
      .then((res) => {
        if (turn !== latest.current) return;
        if (res.status === 200 || res.status === 201) {
          setRead(res.body);
          onRead(res.body);
        } else setError(describeFailure(res));
      })
      .catch(() => turn === latest.current && setError('Lifeline could not be reached; nothing was read.'))
      .finally(() => turn === latest.current && setReading(false));
  }

  function readFiles(files: readonly File[]): void {
    const images = files.filter((f) => IMAGE_TYPES.includes(f.type) || f.type === '');
    if (images.length === 0) {
      setError('Only PNG, JPEG and WebP screenshots are read.');
      return;
    }
    if (images.length > SCREENSHOTS_PER_READ) {
      setError(`At most ${SCREENSHOTS_PER_READ} screenshots at once.`);
      return;
    }
    const big = images.find((f) => f.size > SCREENSHOT_MAX_BYTES);
    if (big) {
      setError(`${big.name} is larger than ${SCREENSHOT_MAX_BYTES / 1024 / 1024} MB.`);
      return;
    }
    const upload = api.upload;
    if (!upload) {
      setError('Screenshots cannot be uploaded here.');
      return;
    }
    run(() => upload<EvidenceJson>('/api/v1/evidence/screenshots', 'images', images));
  }

  return {
    read,
    reading,
    error,
    readFiles,
    readTicket: (ticketId) =>
      run(() => api.post<EvidenceJson>(`/api/v1/evidence/ticket/${encodeURIComponent(ticketId)}`, {})),
    clear: () => {
      latest.current++;
      setRead(null);
      setError(null);
      setReading(false);
    },
  };
}
