/** Live eligibility of the form's request: asked 350 ms after the last change; only the latest answer counts. */
import { useState } from 'preact/hooks';
import { describeFailure, type ApiClient, type CheckResult } from '../api.js';
import { useDebouncedQuery } from './useDebouncedQuery.js';

export interface Eligibility {
  check: CheckResult | null;
  error: string | null;
  /** A question is on its way. */
  checking: boolean;
  /** A verdict the API gave elsewhere (the 422 of an issue call), or null to forget it. */
  setCheck: (check: CheckResult | null) => void;
  setError: (message: string | null) => void;
}

/** `body` is the request to judge, or null while the form is not ready to ask. */
export function useEligibility(api: ApiClient, body: Record<string, unknown> | null): Eligibility {
  const [check, setCheck] = useState<CheckResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);
  useDebouncedQuery({
    key: body === null ? null : JSON.stringify(body),
    delayMs: 350,
    ask: () => api.post<CheckResult>('/api/v1/eligibility', body),
    onStart: () => setChecking(true),
    onAnswer: (res) => {
      setCheck(res.status === 200 ? res.body : null);
      setError(res.status === 200 ? null : describeFailure(res));
    },
    onUnreachable: () => setError('Lifeline could not be reached; eligibility is unknown.'),
    onSettled: () => setChecking(false),
    onIdle: () => setChecking(false),
  });
  return { check, error, checking, setCheck, setError };
}
