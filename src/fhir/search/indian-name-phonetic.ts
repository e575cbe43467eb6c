/**
 * A phonetic key for names as Indians write them in Latin letters, where one name has many spellings
 * (Mohammad/Mohammed/Muhammad, Lakshmi/Laxmi, Chaudhary/Choudhary/Chowdhury). Soundex and Metaphone
 * were built for English and split these; this key keeps the consonant skeleton of each word after
 * folding the letters that Indian transliteration uses interchangeably. It is what the `phonetic`
 * search parameter indexes (index-rows.ts) and searches (parse-search-request.ts), so the
 * registration desk's duplicate check finds "Laxmi Chowdhury" when typing "Lakshmi Choudhary".
 *
 * Rules, per word (lower case, accents dropped, letters only), left to right:
 *  1. Aspirates lose the h: kh->k, gh->g, ch/chh->c (च), jh->j, th->t, dh->d, ph->f, bh->b; sh->s.
 *  2. c (not ch), q, ck -> k; x -> ks (Laxmi = Lakshmi); z -> j (Hindi speakers write both).
 *  3. v and w -> b (v/w are one sound; Bengali writes v as b: Devi/Debi, Vikram/Bikram); but a w
 *     after a vowel is part of the vowel (Chowdhury = Chaudhury).
 *  4. Vowels (a e i o u, and y except as the first letter) are dropped: long and short vowels,
 *     double vowels and final vowels vary freely (Venkatesh/Venkatesa, Shrivastava/Srivastav).
 *     A word that starts with a vowel keeps one 'a' for it (Anita is not Nita).
 *  5. h is kept only at the start of a word or between two vowels (Mohammad/Muhammad keep it, Rehman
 *     too); elsewhere it is silent (Shah/Sha, Ahmed), so it is dropped.
 *  6. Repeated consonants collapse, also across a dropped vowel (Pillai/Pilai, Mohammad/Mohamad).
 *  7. A word of one letter is an initial ("R. Kumar"): its key is that letter.
 * Abbreviations a desk writes for whole names are expanded first (Mohd/Md -> Mohammad).
 * Words in other scripts are kept as written (folded), since the rules above are for Latin letters.
 */
import { normaliseString } from './string-normalise.js';

const ASPIRATES: Record<string, string> = { kh: 'k', gh: 'g', ch: 'c', jh: 'j', th: 't', dh: 'd', ph: 'f', bh: 'b', sh: 's', ck: 'k' };
const SINGLE: Record<string, string> = { c: 'k', q: 'k', x: 'ks', z: 'j', v: 'b', w: 'b' };
const VOWELS = new Set(['a', 'e', 'i', 'o', 'u', 'y']);
const ABBREVIATIONS: Record<string, string> = { mohd: 'mohammad', md: 'mohammad', mohmmad: 'mohammad' };

/** The phonetic key of one word (already lower case, letters only). */
export function phoneticWordKey(word: string): string {
  if (word.length === 1) return word;
  const w = ABBREVIATIONS[word] ?? word;
  const out: string[] = [];
  const push = (code: string) => {
    for (const ch of code) if (out[out.length - 1] !== ch) out.push(ch);
  };
  const isVowel = (i: number) => i >= 0 && i < w.length && VOWELS.has(w[i]) && !(i === 0 && w[i] === 'y');
  for (let i = 0; i < w.length; i++) {
    const ch = w[i];
    if (i === 0 && isVowel(0)) { push('a'); continue; }
    if (ch === 'c' && w[i + 1] === 'h') { push('c'); i += w[i + 2] === 'h' ? 2 : 1; continue; }
    const pair = ASPIRATES[w.slice(i, i + 2)];
    if (pair) { push(pair); i++; continue; }
    if (isVowel(i)) continue;
    if (ch === 'h') { if (i === 0 || (isVowel(i - 1) && isVowel(i + 1))) push('h'); continue; }
    if (ch === 'w' && isVowel(i - 1)) continue;
    push(SINGLE[ch] ?? ch);
  }
  return out.join('');
}

/** The words of a name, folded: lower case, accents dropped, split on anything that is not a letter. */
export function nameWords(text: string): string[] {
  return normaliseString(text).split(/[^\p{L}\p{M}]+/u).filter((w) => w.length > 0);
}

/** The key of a whole name: the keys of its words, in order, separated by single spaces. */
export function indianNamePhonetic(text: string): string {
  return nameWords(text).map((w) => (/^[a-z]+$/.test(w) ? phoneticWordKey(w) : w)).join(' ');
}
