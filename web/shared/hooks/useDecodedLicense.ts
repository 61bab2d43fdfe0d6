/** The customer's previous license, decoded by the API 250 ms after the text last changed. */
import { useState } from 'preact/hooks';
import { describeFailure, type ApiClient, type LicenseReport } from '../api.js';
import { useDebouncedQuery } from './useDebouncedQuery.js';

export interface DecodeHandlers {
  /** A valid license: its plan, dates and seats can fill the form. */
  onValid: (report: LicenseReport) => void;
  /** The API refused the call itself (not the license): what it said. */
  onRefused: (message: string) => void;
}

/** The report of the pasted text (valid or why not), or null when there is none. */
export function useDecodedLicense(
  api: ApiClient,
  text: string,
  handlers: DecodeHandlers,
): LicenseReport | null {
  const [decoded, setDecoded] = useState<LicenseReport | null>(null);
  useDebouncedQuery({
    key: text.trim() === '' ? null : text,
    delayMs: 250,
    ask: () => api.post<LicenseReport>('/api/v1/licenses/decode', { text }),
    onAnswer: (res) => {
      if (res.status !== 200) {
        setDecoded(null);
        handlers.onRefused(describeFailure(res));
        return;
      }
      setDecoded(res.body);
      if (res.body.valid) handlers.onValid(res.body);
    },
    onUnreachable: () => setDecoded(null),
    onIdle: () => setDecoded(null),
  });
  return decoded;
}
