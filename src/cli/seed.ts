/** nirantar seed: load (or refresh) the demo hospital through the ledger. */
import { FhirRepository } from '../fhir/repository/repository.js';
import { seedDemoHospital } from '../hospital/seed/seed-hospital.js';
import { ensureHospital } from '../store/open-store.js';
import { DEFAULT_HOSPITAL } from '../server.js';
import { STORE_HELP, STORE_OPTIONS, withCommandStore, type Command } from './command.js';

export const seedCommand: Command = {
  name: 'seed',
  summary: 'load the demo hospital (departments, staff, beds, lab catalogue, tariff)',
  options: { ...STORE_OPTIONS },
  help: `Usage: nirantar seed [--data DIR | --database-url URL] [--hospital ID]

Loads the demo hospital as one FHIR transaction through the ledger. Safe to run again: resources
whose content is unchanged get no new version.

Options:
${STORE_HELP}`,
  run: (values) =>
    withCommandStore(values, async (store, settings) => {
      await ensureHospital(store.app, settings.hospitalId, DEFAULT_HOSPITAL.name);
      const counts = await seedDemoHospital(new FhirRepository(store.app), settings.hospitalId);
      console.log(`Seeded hospital ${settings.hospitalId}: ${Object.entries(counts).map(([t, n]) => `${n} ${t}`).join(', ')}`);
      return 0;
    }),
};
