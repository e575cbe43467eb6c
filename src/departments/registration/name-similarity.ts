/**
 * How alike two names are, 0..1, for the duplicate check. Word by word: each word of the shorter name
 * is paired with its best match in the other (so "Kumar Ramesh" is "Ramesh Kumar"), and a pair scores
 * the higher of its Jaro-Winkler similarity and its phonetic agreement (Laxmi and Lakshmi are 1, not
 * 0.8). An initial ("R.") scores 0.9 against a word it begins.
 */
import { nameWords, phoneticWordKey } from '../../fhir/search/indian-name-phonetic.js';

/** Jaro-Winkler similarity of two strings (prefix scale 0.1, up to 4 characters). */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1);
  const aMatched = new Array<boolean>(a.length).fill(false);
  const bMatched = new Array<boolean>(b.length).fill(false);
  let matches = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = Math.max(0, i - window); j < Math.min(b.length, i + window + 1); j++) {
      if (bMatched[j] || a[i] !== b[j]) continue;
      aMatched[i] = bMatched[j] = true;
      matches++;
      break;
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  for (let i = 0, j = 0; i < a.length; i++) {
    if (!aMatched[i]) continue;
    while (!bMatched[j]) j++;
    if (a[i] !== b[j]) transpositions++;
    j++;
  }
  const jaro = (matches / a.length + matches / b.length + (matches - transpositions / 2) / matches) / 3;
  let prefix = 0;
  while (prefix < 4 && prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

export interface NameComparison {
  score: number;
  /** Every word of the shorter name has a word in the other that sounds alike. */
  soundsAlike: boolean;
  /** The same words, spelt the same (order aside). */
  same: boolean;
}

function wordSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length === 1 || b.length === 1) return a[0] === b[0] ? 0.9 : 0;
  if (phoneticWordKey(a) === phoneticWordKey(b)) return 0.97;
  return jaroWinkler(a, b);
}

export function compareNames(a: string, b: string): NameComparison {
  const wa = nameWords(a);
  const wb = nameWords(b);
  if (wa.length === 0 || wb.length === 0) return { score: 0, soundsAlike: false, same: false };
  const [short, long] = wa.length <= wb.length ? [wa, wb] : [wb, wa];
  const used = new Set<number>();
  let total = 0;
  let alike = true;
  for (const w of short) {
    let best = 0;
    let bestAt = -1;
    for (let j = 0; j < long.length; j++) {
      if (used.has(j)) continue;
      const s = wordSimilarity(w, long[j]);
      if (s > best) [best, bestAt] = [s, j];
    }
    if (bestAt >= 0) used.add(bestAt);
    if (best < 0.9) alike = false;
    total += best;
  }
  // Words only one name has (a middle name, a missing surname) cost a little, not the whole match.
  const extra = long.length - short.length;
  const score = total / short.length * (1 - 0.08 * extra);
  const same = extra === 0 && [...wa].sort().join(' ') === [...wb].sort().join(' ');
  return { score: Math.max(0, score), soundsAlike: alike, same };
}
