/**
 * The one debounce-and-stale-answer guard of the forms: `ask` runs `delayMs` after `key` last
 * changed, and only the answer to the current key is handed on (an answer that arrives after the
 * key changed, or after the component left, is dropped). A null key asks nothing and calls `onIdle`.
 */
import { useEffect, useRef } from 'preact/hooks';

export interface DebouncedQuery<T> {
  /** What the question is; a change restarts the wait. Null: nothing to ask. */
  key: string | null;
  delayMs: number;
  ask: () => Promise<T>;
  /** The wait is over and the question is sent. */
  onStart?: () => void;
  onAnswer: (answer: T) => void;
  /** The question could not be sent or answered (the API unreachable). */
  onUnreachable?: () => void;
  /** After the answer or the failure (only for the current key). */
  onSettled?: () => void;
  onIdle?: () => void;
}

export function useDebouncedQuery<T>(query: DebouncedQuery<T>): void {
  // The callbacks of the latest render: they see its state, without restarting the wait.
  const latest = useRef(query);
  latest.current = query;
  const { key, delayMs } = query;
  useEffect(() => {
    if (key === null) {
      latest.current.onIdle?.();
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      latest.current.onStart?.();
      latest.current
        .ask()
        .then(
          (answer) => current && latest.current.onAnswer(answer),
          () => current && latest.current.onUnreachable?.(),
        )
        .finally(() => current && latest.current.onSettled?.());
    }, delayMs);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [key, delayMs]);
}
