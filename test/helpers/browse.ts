/**
 * A small HTTP "browser" for the sign-in tests: a cookie jar per host, redirects followed by hand
 * (so a test can stop at the callback), and the identity provider's HTML forms filled and posted.
 */

/** Cookies by host:port, as a browser keeps them (Max-Age=0 or a past Expires deletes one). */
export class CookieJar {
  private readonly byHost = new Map<string, Map<string, string>>();

  store(url: string, setCookies: string[]): void {
    const host = new URL(url).host;
    const jar = this.byHost.get(host) ?? new Map<string, string>();
    this.byHost.set(host, jar);
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const gone = attributes.some((a) => {
        const [key = '', v = ''] = a.trim().split('=');
        return (
          (key.toLowerCase() === 'max-age' && Number(v) <= 0) ||
          (key.toLowerCase() === 'expires' && Date.parse(v) < Date.now())
        );
      });
      if (gone || value === '') jar.delete(name);
      else jar.set(name, value);
    }
  }

  get(url: string, name: string): string | undefined {
    return this.byHost.get(new URL(url).host)?.get(name);
  }

  header(url: string): string {
    const jar = this.byHost.get(new URL(url).host);
    return jar ? [...jar].map(([k, v]) => `${k}=${v}`).join('; ') : '';
  }
}

export interface Answer {
  status: number;
  location: string | null;
  setCookies: string[];
  body: string;
  url: string;
}

/** One request with the jar's cookies; redirects are not followed. */
export async function send(
  jar: CookieJar,
  url: string,
  init: {
    method?: string;
    form?: Record<string, string>;
    body?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  const cookie = jar.header(url);
  if (cookie) headers['cookie'] = cookie;
  if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
  const response = await fetch(url, {
    method: init.method ?? (init.form ? 'POST' : 'GET'),
    headers,
    redirect: 'manual',
    ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const setCookies = response.headers.getSetCookie();
  jar.store(url, setCookies);
  const location = response.headers.get('location');
  return {
    status: response.status,
    location: location === null ? null : new URL(location, url).href,
    setCookies,
    body: await response.text(),
    url,
  };
}

const unescape = (text: string): string =>
  text
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#x2F;/g, '/')
    .replace(/&#39;/g, "'");

/** The first form of a page: where it posts and its hidden fields. */
export function formOf(html: string): { action: string; fields: Record<string, string> } | null {
  const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form?.[1]) return null;
  const fields: Record<string, string> = {};
  for (const input of (form[2] ?? '').matchAll(/<input[^>]*>/gi)) {
    const name = /name="([^"]*)"/.exec(input[0])?.[1];
    const value = /value="([^"]*)"/.exec(input[0])?.[1];
    if (name && /type="hidden"/.test(input[0])) fields[name] = unescape(value ?? '');
  }
  return { action: unescape(form[1]), fields };
}

/**
 * Follows the provider's pages from `url` as a person would (signing in as `login` when its form
 * asks, confirming when it asks for consent) until it redirects to `stopAt`; returns that address.
 * `pages` counts the forms shown.
 */
export async function throughProvider(
  jar: CookieJar,
  url: string,
  login: string,
  stopAt: string,
): Promise<{ callback: string; pages: string[] }> {
  const pages: string[] = [];
  let next = url;
  for (let step = 0; step < 20; step++) {
    const answer = await send(jar, next);
    if (answer.location) {
      if (answer.location.startsWith(stopAt)) return { callback: answer.location, pages };
      next = answer.location;
      continue;
    }
    const form = formOf(answer.body);
    if (answer.status !== 200 || !form)
      throw new Error(`the provider answered ${answer.status}: ${answer.body.slice(0, 300)}`);
    const isLogin = /name="login"/.test(answer.body);
    pages.push(isLogin ? 'login' : (form.fields['prompt'] ?? 'form'));
    const posted = await send(jar, new URL(form.action, answer.url).href, {
      form: isLogin ? { ...form.fields, login, password: 'any password' } : form.fields,
    });
    if (!posted.location) throw new Error(`the form answered ${posted.status}: ${posted.body.slice(0, 300)}`);
    if (posted.location.startsWith(stopAt)) return { callback: posted.location, pages };
    next = posted.location;
  }
  throw new Error('the provider did not send the browser back');
}
