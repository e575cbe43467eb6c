/**
 * A believable decoy Patient: a common Indian name, a UHID, a birth date, a gender and a city, so
 * that nothing tells it apart from a registered patient in a list or a search result (no tag, no
 * telling id). Synthetic through and through: names drawn from short lists of very common names,
 * a random date, no phone number, address line or national id that could belong to someone real.
 */
import { randomInt } from 'node:crypto';
import { IDENTIFIER } from '../../hospital/seed/systems.js';
import type { FhirResource } from '../../fhir/repository/context.js';

const GIVEN = {
  male: ['Rajesh', 'Suresh', 'Amit', 'Vikram', 'Arjun', 'Manoj', 'Rahul', 'Sanjay', 'Anil', 'Deepak', 'Ravi', 'Imran', 'Harpreet', 'Karthik', 'Prakash'],
  female: ['Sunita', 'Priya', 'Anjali', 'Kavita', 'Neha', 'Pooja', 'Lakshmi', 'Meena', 'Rekha', 'Fatima', 'Deepa', 'Asha', 'Gurpreet', 'Divya', 'Shalini'],
} as const;
const FAMILY = ['Sharma', 'Verma', 'Gupta', 'Singh', 'Kumar', 'Yadav', 'Patel', 'Reddy', 'Nair', 'Iyer', 'Das', 'Khan', 'Joshi', 'Mishra', 'Chauhan', 'Pillai'];
const PLACES = [
  ['New Delhi', 'Delhi'], ['Gurugram', 'Haryana'], ['Noida', 'Uttar Pradesh'], ['Ghaziabad', 'Uttar Pradesh'], ['Faridabad', 'Haryana'],
  ['Meerut', 'Uttar Pradesh'], ['Jaipur', 'Rajasthan'], ['Patna', 'Bihar'],
] as const;

const pick = <T>(list: readonly T[]): T => list[randomInt(list.length)];

/**
 * A UHID in the shape of the ones registration issues: 10 digits ending in a Luhn check digit.
 * (Registration is not built yet; when it is, decoys must take their number from its allocator.)
 */
export function decoyUhid(): string {
  const body = Array.from({ length: 9 }, (_, i) => (i === 0 ? 1 + randomInt(9) : randomInt(10))).join('');
  return body + luhnCheckDigit(body);
}

export function luhnCheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** Born between 1950 and 2004 (an adult of any age), on a valid day. */
function birthDate(): string {
  const day = new Date(Date.UTC(1950, 0, 1) + randomInt(55 * 365) * 86_400_000);
  return day.toISOString().slice(0, 10);
}

export function decoyPatient(): FhirResource {
  const gender = randomInt(2) === 0 ? 'male' : 'female';
  const [city, state] = pick(PLACES);
  return {
    resourceType: 'Patient',
    identifier: [{ use: 'usual', system: IDENTIFIER.uhid, value: decoyUhid() }],
    active: true,
    name: [{ use: 'official', family: pick(FAMILY), given: [pick(GIVEN[gender])] }],
    gender,
    birthDate: birthDate(),
    address: [{ use: 'home', city, state, country: 'IN' }],
  };
}
