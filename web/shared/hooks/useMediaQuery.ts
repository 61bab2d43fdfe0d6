/** Whether a CSS media query matches now, following its changes (a phone turned, a window resized). */
import { useEffect, useState } from 'preact/hooks';

export function useMediaQuery(query: string): boolean {
  const [matches, setMatches] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const list = window.matchMedia(query);
    const update = (): void => setMatches(list.matches);
    update();
    list.addEventListener('change', update);
    return () => list.removeEventListener('change', update);
  }, [query]);
  return matches;
}

/** The width below which the console lays out for a phone (as the stylesheet's narrow rules). */
export const PHONE = '(max-width: 40rem)';
