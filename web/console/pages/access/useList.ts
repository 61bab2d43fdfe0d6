/** Loads one admin list (`GET path`, the array under `key`) and loads it again on `reload()`. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { describeFailure, type ApiClient } from '../../../shared/api.js';

export function useList<T>(api: ApiClient, path: string, key: string) {
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    api
      .get<Record<string, T[]>>(path)
      .then((res) => {
        if (!live) return;
        if (res.status === 200) {
          setItems(res.body[key] ?? []);
          setError(null);
        } else setError(describeFailure(res));
      })
      .catch(() => live && setError('Lifeline could not be reached.'));
    return () => {
      live = false;
    };
  }, [api, path, key, version]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { items, error, reload };
}
