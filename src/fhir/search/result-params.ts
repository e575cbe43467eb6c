/**
 * The search result parameters (search.html#return): _count, _offset, _total, _summary, _elements,
 * _include and _revinclude. They shape the Bundle rather than select resources.
 */
import { parseInclude } from './include.js';
import { ELEMENT_NAME } from './elements.js';
import { SearchValueError } from './search-value-error.js';
import type { SearchPlan } from './parse-search-request.js';

export const DEFAULT_COUNT = 20;
/** The most a page holds, whatever _count asks for (the spec lets a server return fewer). */
export const MAX_COUNT = 1000;

/** Applies a search result parameter; false when `code` is not one (then it is a filter). */
export function applyResultParam(plan: SearchPlan, code: string, modifier: string | undefined, value: string, resourceType: string): boolean {
  const noModifier = () => {
    if (modifier !== undefined) throw new SearchValueError(`${code} takes no modifier (':${modifier}')`, 'not-supported');
  };
  switch (code) {
    case '_count':
    case '_offset': {
      noModifier();
      if (!/^\d{1,9}$/.test(value)) throw new SearchValueError(`${code} must be a whole number, not '${value}'`);
      if (code === '_count') plan.count = Math.min(Number(value), MAX_COUNT);
      else plan.offset = Number(value);
      return true;
    }
    case '_total':
      noModifier();
      if (value !== 'none' && value !== 'estimate' && value !== 'accurate') throw new SearchValueError(`_total must be none, estimate or accurate, not '${value}'`);
      plan.total = value;
      return true;
    case '_summary':
      noModifier();
      if (value === 'count') plan.summaryCount = true;
      else if (value !== 'false') throw new SearchValueError(`_summary=${value} is not supported (count and false are)`, 'not-supported');
      return true;
    case '_elements': {
      noModifier();
      const elements = value.split(',').map((e) => e.trim());
      const bad = elements.find((e) => !ELEMENT_NAME.test(e));
      if (bad !== undefined) throw new SearchValueError(`_elements: '${bad}' is not an element name`);
      plan.elements = elements;
      return true;
    }
    case '_include':
    case '_revinclude':
      plan.includes.push(parseInclude(code, modifier, value, resourceType));
      return true;
    default:
      return false;
  }
}
