import assert from 'node:assert/strict';
import { test } from 'node:test';
import { indianNamePhonetic } from '../../../src/fhir/search/indian-name-phonetic.js';
import { compareNames, jaroWinkler } from '../../../src/departments/registration/name-similarity.js';

const SAME = [
  ['Mohammad', 'Mohammed'], ['Mohammad', 'Muhammad'], ['Mohamed', 'Muhammed'], ['Mohd', 'Mohammad'], ['Md', 'Muhammad'],
  ['Lakshmi', 'Laxmi'], ['Shrivastava', 'Srivastava'], ['Srivastav', 'Shrivastava'],
  ['Chaudhary', 'Choudhary'], ['Chaudhary', 'Chowdhury'], ['Choudhury', 'Chaudhuri'],
  ['Venkatesh', 'Venkatesa'], ['Devi', 'Debi'], ['Vikram', 'Bikram'], ['Vijay', 'Wijay'],
  ['Pooja', 'Puja'], ['Geeta', 'Gita'], ['Deepak', 'Dipak'], ['Sunitha', 'Sunita'], ['Shobha', 'Shoba'],
  ['Phoolan', 'Fulan'], ['Khan', 'Kan'], ['Ghosh', 'Gosh'], ['Shah', 'Sha'], ['Iyer', 'Aiyar'],
  ['Rehman', 'Rahman'], ['Pillai', 'Pilai'], ['Sanjay', 'Sanjai'], ['Dutta', 'Datta'], ['Chatterjee', 'Chaterji'],
  ['Mukherjee', 'Mukherji'], ['Qureshi', 'Kureshi'], ['Zoya', 'Joya'], ['Dhruv', 'Druv'], ['Thakur', 'Takur'],
  ['Banerjee', 'Banerji'], ['Aggarwal', 'Agarwal'], ['Siddiqui', 'Sidiqui'],
  ['Mohammed Khan', 'Muhammad Kaan'], ['Laxmi Devi', 'Lakshmi Debi'], ['Zoë', 'Zoe'],
];
const DIFFERENT = [
  ['Sharma', 'Verma'], ['Rahul', 'Rohit'], ['Anita', 'Nita'], ['Madhu', 'Mohammad'], ['Priya', 'Pooja'],
  ['Gupta', 'Gopal'], ['Suresh', 'Ramesh'], ['Mahesh', 'Mukesh'], ['Anil', 'Sunil'], ['Ravi', 'Rani'],
  ['Kavya', 'Kabir'], ['Singh', 'Sen'], ['Patel', 'Pandey'], ['Reddy', 'Rao'], ['Iyer', 'Nair'],
];

test('the Indian-name phonetic key gives the spellings of one name one key', () => {
  for (const [a, b] of SAME) assert.equal(indianNamePhonetic(a), indianNamePhonetic(b), `${a} / ${b}`);
});

test('the phonetic key keeps different names apart', () => {
  for (const [a, b] of DIFFERENT) assert.notEqual(indianNamePhonetic(a), indianNamePhonetic(b), `${a} / ${b}`);
});

test('the key keeps initials and word order, and other scripts as written', () => {
  assert.equal(indianNamePhonetic('R. Kumar'), 'r kmr');
  assert.equal(indianNamePhonetic('  Ramesh   KUMAR '), 'rms kmr');
  assert.equal(indianNamePhonetic('शर्मा'), 'शर्मा');
  assert.equal(indianNamePhonetic('123 -'), '');
});

test('name similarity: spellings and word order score high, different people low', () => {
  assert.ok(Math.abs(jaroWinkler('martha', 'marhta') - 0.961) < 0.001, 'the textbook value');
  assert.equal(compareNames('Ramesh Kumar', 'Kumar Ramesh').same, true);
  assert.ok(compareNames('Laxmi Chowdhury', 'Lakshmi Choudhary').soundsAlike);
  assert.ok(compareNames('Laxmi Chowdhury', 'Lakshmi Choudhary').score > 0.95);
  assert.ok(compareNames('R. Kumar', 'Ramesh Kumar').score > 0.85);
  assert.ok(compareNames('Suresh Gupta', 'Ramesh Sharma').score < 0.75);
});
