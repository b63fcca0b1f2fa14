/**
 * The sessions search box: free text plus `key=value` tokens for metadata, e.g.
 * `acme team=sales "region=eu west"`. Free text becomes `q`, each token `metadata.<key>=<value>`.
 * Values with spaces are quoted (`key="a b"` or `"key=a b"`).
 */
export interface TSessionSearch {
  text: string;
  metadata: Record<string, string>;
}

const TOKEN = /([^\s"=]+)="([^"]*)"|"([^"]*)"|(\S+)/g;
const PAIR = /^([^=\s]+)=(.*)$/;

export function parseSessionSearch(input: string): TSessionSearch {
  const words: string[] = [];
  const metadata: Record<string, string> = {};
  const put = (key: string, value: string) => (metadata[key.replace(/^metadata\./, "")] = value);
  for (const match of input.matchAll(TOKEN)) {
    const [, quotedKey, quotedValue, phrase, word] = match;
    if (quotedKey !== undefined) {
      put(quotedKey, quotedValue ?? "");
      continue;
    }
    const token = phrase ?? word ?? "";
    const pair = PAIR.exec(token);
    if (pair) put(pair[1], pair[2]);
    else if (token) words.push(token);
  }
  return { text: words.join(" "), metadata };
}

export function formatSessionSearch(search: TSessionSearch): string {
  const pairs = Object.entries(search.metadata).map(([key, value]) => (/\s/.test(value) ? `${key}="${value}"` : `${key}=${value}`));
  return [search.text.trim(), ...pairs].filter(Boolean).join(" ");
}
