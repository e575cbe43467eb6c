/**
 * `_sort` (search.html#sort): a comma list of parameters, `-` for descending. A resource with
 * several values sorts by its smallest one ascending and its largest descending (for dates and
 * numbers: the start of the earliest range, the end of the latest). Resources without a value
 * come last either way, and the id breaks ties so that paging is stable.
 */
import type { SearchParameter } from './search-parameters.js';
import { HOSPITAL_PARAM, RESOURCE_TYPE_PARAM } from './search-filter.js';
import type { SqlParams } from './sql-params.js';
import { SearchValueError } from './search-value-error.js';

const INDEX_COLUMNS: Partial<Record<SearchParameter['type'], [asc: string, desc: string]>> = {
  string: ['min(s.value)', 'max(s.value)'],
  token: ['min(s.value)', 'max(s.value)'],
  reference: ['min(s.value)', 'max(s.value)'],
  uri: ['min(s.value)', 'max(s.value)'],
  date: ['min(s.low_time)', 'max(s.high_time)'],
  number: ['min(s.low_num)', 'max(s.high_num)'],
  quantity: ['min(s.low_num)', 'max(s.high_num)'],
};

export function sqlForSort(sort: string, params: Map<string, SearchParameter>, p: SqlParams): string {
  const keys: string[] = [];
  for (const item of sort.split(',')) {
    const descending = item.startsWith('-');
    const code = descending ? item.slice(1) : item;
    const direction = descending ? 'DESC' : 'ASC';
    if (code === '_id') {
      keys.push(`c.id ${direction}`);
      continue;
    }
    if (code === '_lastUpdated') {
      keys.push(`c.last_updated ${direction}`);
      continue;
    }
    const param = params.get(code);
    const columns = param && INDEX_COLUMNS[param.type];
    if (!columns) throw new SearchValueError(`_sort: '${code}' is not a sortable search parameter of this type`, 'not-supported');
    const aggregate = columns[descending ? 1 : 0];
    keys.push(
      `(SELECT ${aggregate} FROM search_index s WHERE s.hospital_id = ${HOSPITAL_PARAM} AND s.resource_type = ${RESOURCE_TYPE_PARAM}` +
        ` AND s.resource_id = c.id AND s.code = ${p.add(code)}) ${direction} NULLS LAST`,
    );
  }
  if (!keys.some((k) => k.startsWith('c.id '))) keys.push('c.id ASC');
  return keys.join(', ');
}
