/** JSON columns: values stored as JSON text, read back as the type the record says. */
export const json = (v: unknown): string => JSON.stringify(v);
export const parse = <T>(v: string | null): T | null => (v === null ? null : (JSON.parse(v) as T));
