/** Deterministic synthetic patients for benchmarks: invented names, no real person. */
export const FAMILY_NAMES = ['Sharma', 'Verma', 'Gupta', 'Singh', 'Kumar', 'Yadav', 'Patel', 'Shah', 'Mehta', 'Iyer', 'Nair', 'Menon', 'Reddy', 'Rao', 'Naidu', 'Das', 'Bose', 'Banerjee', 'Chatterjee', 'Mukherjee', 'Ghosh', 'Sen', 'Khan', 'Ansari', 'Qureshi', 'Siddiqui', 'Joshi', 'Kulkarni', 'Deshpande', 'Pillai', 'Kaur', 'Gill', 'Sandhu', 'Mishra', 'Tiwari', 'Pandey', 'Dubey', 'Chauhan', 'Rathore', 'Thakur', 'Bhat', 'Hegde', 'Shetty', 'Kamath', 'Saxena', 'Agarwal', 'Bansal', 'Goyal', 'Mittal', 'Jain'];
const GIVEN = ['Aarav', 'Vivaan', 'Aditya', 'Arjun', 'Sai', 'Reyansh', 'Krishna', 'Ishaan', 'Rohan', 'Kabir', 'Ananya', 'Diya', 'Aadhya', 'Saanvi', 'Pari', 'Anika', 'Navya', 'Kavya', 'Meera', 'Priya', 'Lakshmi', 'Sunita', 'Ramesh', 'Suresh', 'Mahesh', 'Geeta', 'Fatima', 'Ayesha', 'Imran', 'Zoya', 'Harpreet', 'Gurpreet', 'Manoj', 'Deepak', 'Pooja', 'Neha', 'Rahul', 'Vikram', 'Asha', 'Usha'];

export function syntheticPatient(n: number) {
  const family = FAMILY_NAMES[(n * 7919) % FAMILY_NAMES.length];
  const given = GIVEN[(n * 104729) % GIVEN.length];
  const year = 1940 + (n % 80);
  const month = String(1 + (n % 12)).padStart(2, '0');
  const day = String(1 + (n % 28)).padStart(2, '0');
  return {
    resourceType: 'Patient',
    identifier: [{ system: 'https://nirantar.health/uhid', value: `BENCH-${n}` }],
    name: [{ family, given: [given] }],
    gender: n % 2 ? 'male' : 'female',
    birthDate: `${year}-${month}-${day}`,
    telecom: [{ system: 'phone', value: `+9198${String(10000000 + n).slice(-8)}` }],
    address: [{ city: 'New Delhi', state: 'DL', country: 'IN' }],
  };
}
