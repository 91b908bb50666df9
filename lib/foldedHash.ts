/**
 * Compact, case-folded identities of usernames and addresses, shared by the plan pass (which
 * keeps them) and the writers (which look them up). JavaScript's case folding and the
 * database's `lower()` agree on ASCII only, so callers fold only ASCII text this way.
 */

// eslint-disable-next-line no-control-regex -- the ASCII range is the point
export const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** Two 32-bit FNV-1a-style lanes over UTF-16 code units, folded into 53 bits. */
export function hash53(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}

/** `hash53` of the lower-cased text: what the plan pass keeps per address. */
export function foldedHash(text: string): number {
  return hash53(text.toLowerCase());
}
