/**
 * Sign-ins for the demo hospital, one per desk, linked to the seeded staff and scoped to their ward
 * or department, so a person trying Nirantar sees each desk as its staff would. They share one
 * password generated at the first start and printed once; nothing about them is in the repository.
 * Admin and auditor enrol a one-time code authenticator at their first sign-in (their role needs it).
 */
import { randomBytes } from 'node:crypto';
import type { Database } from '../../store/database.js';
import { createAccountsContext } from '../../security/accounts/accounts-context.js';
import { createAccount, type NewAccount } from '../../security/accounts/admin-operations.js';
import { departmentOrgId } from './departments.js';

const DEMO_ACCOUNTS: Array<Omit<NewAccount, 'password'>> = [
  { username: 'reception', displayName: 'Deepak Chauhan (registration)', role: 'registration-clerk', practitioner: 'Practitioner/deepak-chauhan' },
  { username: 'appointments', displayName: 'Appointment desk', role: 'appointment-desk' },
  { username: 'doctor', displayName: 'Dr. Anita Rao (General Medicine)', role: 'doctor', department: departmentOrgId('general-medicine'), practitioner: 'Practitioner/dr-anita-rao' },
  { username: 'nurse', displayName: 'Mary Thomas (Medical Ward, Female)', role: 'nurse', ward: 'ward-medical-female', practitioner: 'Practitioner/mary-thomas' },
  { username: 'wardclerk', displayName: 'Ward clerk (Medical Ward, Female)', role: 'ward-clerk', ward: 'ward-medical-female' },
  { username: 'labtech', displayName: 'Rahul Gupta (laboratory)', role: 'lab-technician', practitioner: 'Practitioner/rahul-gupta' },
  { username: 'pathologist', displayName: 'Dr. Fatima Siddiqui (pathology)', role: 'pathologist', practitioner: 'Practitioner/dr-fatima-siddiqui' },
  { username: 'billing', displayName: 'Sunita Devi (billing)', role: 'billing-clerk', practitioner: 'Practitioner/sunita-devi' },
  { username: 'admin', displayName: 'System administrator', role: 'admin' },
  { username: 'auditor', displayName: 'Auditor', role: 'auditor' },
];

/** Creates the demo sign-ins; returns their usernames and the shared password (to print once). */
export async function createDemoAccounts(db: Database, hospitalId: string): Promise<{ usernames: string[]; password: string }> {
  const password = `demo-${randomBytes(9).toString('base64url')}`;
  const ctx = createAccountsContext({ db, hospitalId, secretKey: randomBytes(32) });
  await db.transaction(async (tx) => {
    for (const account of DEMO_ACCOUNTS) await createAccount(ctx, { ...account, password }, tx);
    // A demo is for trying the desks: no forced password change (admin and auditor still enrol TOTP).
    await tx.query('UPDATE user_account SET must_change_password = false WHERE hospital_id = $1', [hospitalId]);
  });
  return { usernames: DEMO_ACCOUNTS.map((a) => a.username), password };
}
