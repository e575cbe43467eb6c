/** nirantar honeytoken add|list|remove: plant, list and remove decoy patients (issue 3, part 5). */
import { FhirRepository } from '../fhir/repository/repository.js';
import { FhirError } from '../fhir/outcome.js';
import { listHoneytokens, unmarkHoneytoken } from '../security/watch/honeytokens.js';
import { markExistingPatient, plantDecoyPatient } from '../security/watch/plant-decoy.js';
import type { FhirResource } from '../fhir/repository/context.js';
import { STORE_HELP, STORE_OPTIONS, withCommandStore, type Command } from './command.js';

const ID = /^[A-Za-z0-9.-]{1,64}$/;

export const honeytokenCommand: Command = {
  name: 'honeytoken',
  summary: 'plant, list or remove decoy patients whose every access raises an alert',
  options: { ...STORE_OPTIONS, patient: { type: 'string' }, label: { type: 'string' }, actor: { type: 'string' } },
  positionals: true,
  help: `Usage: nirantar honeytoken add [--label TEXT] [--actor PRINCIPAL] [--data DIR | --database-url URL] [--hospital ID]
       nirantar honeytoken add --patient ID [--label TEXT] ...
       nirantar honeytoken list ...
       nirantar honeytoken remove --patient ID ...

Decoy (honeytoken) patients are records no real work ever touches: any read or search that returns
one raises an alert within seconds (an ALERT log line, a Communication in category "security" an
admin finds with GET /fhir/R4/Communication?category=security, and the webhook NIRANTAR_ALERT_WEBHOOK
if set). The running server picks up changes within 5 seconds.

  add           writes a new, believable, entirely synthetic Patient (name, UHID, birth date, gender,
                city) through the ledger and marks it as a decoy; prints its id
  add --patient ID
                marks an existing Patient as a decoy instead
  list          the decoys of the hospital
  remove --patient ID
                stops watching a decoy (the Patient itself stays, as every record does)

Which records are decoys is kept outside the ledger, so a copy of the ledger or the vault does not
tell them apart. Choose --actor as the principal that normally registers or imports patients, so
the new Patient's ledger entry looks like theirs (default "bootstrap-admin").

Options:
  --patient ID         an existing Patient's id (add, remove)
  --label TEXT         a note for the people who manage decoys (never shown to API clients)
  --actor PRINCIPAL    the ledger's actor for a new decoy (default bootstrap-admin)
${STORE_HELP}`,
  run: (values, positionals = []) => {
    const [action, ...extra] = positionals;
    if (!['add', 'list', 'remove'].includes(action ?? '') || extra.length > 0) {
      console.error(`nirantar honeytoken: say add, list or remove\n\n${honeytokenCommand.help}`);
      return Promise.resolve(2);
    }
    const patient = values.patient as string | undefined;
    if (patient !== undefined && !ID.test(patient)) throw new Error('--patient must be a FHIR id (1-64 letters, digits, "-" and ".")');
    const label = (values.label as string | undefined) ?? '';
    if (label.length > 200) throw new Error('--label is at most 200 characters');
    return withCommandStore(values, async (store, { hospitalId }) => {
      if (action === 'list') {
        const decoys = await listHoneytokens(store.admin, hospitalId);
        for (const d of decoys) console.log(`${d.resourceType}/${d.resourceId}\t${d.createdAt.toISOString()}\t${d.label}`);
        console.log(`${decoys.length} decoy record(s) in hospital ${hospitalId}`);
        return 0;
      }
      if (action === 'remove') {
        if (!patient) throw new Error('honeytoken remove needs --patient ID');
        const removed = await unmarkHoneytoken(store.admin, hospitalId, 'Patient', patient);
        console.log(removed ? `Patient/${patient} is no longer a decoy (hospital ${hospitalId})` : `Patient/${patient} was not a decoy (hospital ${hospitalId})`);
        return removed ? 0 : 1;
      }
      const repo = new FhirRepository(store.admin);
      if (patient) {
        try {
          const { patient: existing, added } = await markExistingPatient(repo, store.admin, { hospitalId, label, patientId: patient });
          console.log(`${added ? 'Marked' : 'Already a decoy:'} Patient/${patient} (${describe(existing)}) in hospital ${hospitalId}`);
          return 0;
        } catch (err) {
          if (err instanceof FhirError && (err.status === 404 || err.status === 410)) {
            console.error(`nirantar honeytoken: no Patient/${patient} in hospital ${hospitalId}`);
            return 1;
          }
          throw err;
        }
      }
      const decoy = await plantDecoyPatient(repo, store.admin, { hospitalId, label, actor: values.actor as string | undefined });
      console.log(`Planted decoy Patient/${decoy.id} (${describe(decoy)}) in hospital ${hospitalId}`);
      return 0;
    });
  },
};

/** "Priya Sharma, female, born 1987-04-12, UHID 1234567897". */
function describe(patient: FhirResource): string {
  const name = (patient.name as Array<{ given?: string[]; family?: string }> | undefined)?.[0];
  const uhid = (patient.identifier as Array<{ value?: string }> | undefined)?.[0]?.value;
  return [[...(name?.given ?? []), name?.family].filter(Boolean).join(' ') || 'no name', patient.gender, patient.birthDate && `born ${patient.birthDate}`, uhid && `UHID ${uhid}`]
    .filter(Boolean).join(', ');
}
