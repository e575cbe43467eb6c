/**
 * The value of a `phonetic` search, keyed like the index (indian-name-phonetic.ts): each of its
 * comma-separated alternatives becomes a phonetic key, and the ordinary string search (starts-with
 * on the key) does the rest, so "mohammed k" finds Muhammad Khan while the clerk is still typing.
 */
import { indianNamePhonetic } from './indian-name-phonetic.js';
import { SearchValueError } from './search-value-error.js';
import { splitSearchValue, unescapeSearchValue } from './split-search-value.js';

export function phoneticSearchValue(name: string, value: string): string {
  return splitSearchValue(value, ',').map((part) => {
    const key = indianNamePhonetic(unescapeSearchValue(part));
    // An empty key would match every name.
    if (key.length === 0) throw new SearchValueError(`${name} needs a name with letters, not '${part}'`);
    return key;
  }).join(',');
}
