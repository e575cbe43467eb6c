/**
 * The folding that makes FHIR's default string search case- and accent-insensitive: applied to
 * every indexed string value and to every search value, so that "Zoë" is found by "zoe".
 */

/**
 * Longest indexed value. A btree entry must stay under ~2.7 kB, and a prefix search only needs a
 * prefix; `raw` keeps the whole text (it is not in a btree).
 */
export const MAX_INDEXED_LENGTH = 512;

// Only the Latin/Greek/Cyrillic diacritic blocks: vowel signs and viramas of Indic scripts are
// also combining marks (\p{M}), and dropping those would turn "शर्मा" into another name.
const DIACRITICS = /(?:[\u0300-\u036f]|[\u1ab0-\u1aff]|[\u1dc0-\u1dff]|[\u20d0-\u20ff]|[\ufe20-\ufe2f])+/g;
const WHITESPACE = /\s+/g;

/** Lower case, no diacritics (NFD, drop the marks, NFC again), single spaces, trimmed. */
export function normaliseString(text: string): string {
  const folded = text.normalize('NFD').replace(DIACRITICS, '').normalize('NFC').toLowerCase().replace(WHITESPACE, ' ').trim();
  return folded.length > MAX_INDEXED_LENGTH ? folded.slice(0, MAX_INDEXED_LENGTH) : folded;
}
