/**
 * The registration desk: the form, the duplicates found while typing, and the answer. A new patient
 * is queued in the outbox (POST /api/registration/patients with the item's X-Request-Id) and the
 * desk follows that item: sending, refused (the server's text, to fix and send again or discard),
 * or registered (the UHID and the slip).
 */
import { useEffect, useMemo, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { useOutbox, useOutboxItem } from '../../outbox/use-outbox.js';
import { DuplicatesPanel } from './duplicates-panel.js';
import { RegistrationResult } from './registration-result.js';
import { Field } from '../../ui/field.js';
import {
  EMPTY_FORM, REGISTER_PATH, checkRegistration, duplicatesQuery, deskToday, registrationBody, uhidOf,
  type FieldErrors, type RegistrationForm,
} from './registration-form.js';
import { useDuplicates, type DuplicateCandidate } from './use-duplicates.js';
import { useUhidBlocks } from './use-uhid-blocks.js';

const NO_UHIDS = 'No UHIDs in hand: the registration will get its UHID when the server answers';

export function RegistrationDesk() {
  const { outbox, sender } = useOutbox();
  const [form, setForm] = useState<RegistrationForm>(EMPTY_FORM);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [itemId, setItemId] = useState<string>();
  const [picked, setPicked] = useState<DuplicateCandidate>();
  const [confirmedNew, setConfirmedNew] = useState(false);
  const [askConfirm, setAskConfirm] = useState(false);
  const [queuing, setQueuing] = useState(false);
  const [trouble, setTrouble] = useState<string>();
  /** The UHID this desk gave the patient from its own block, shown before the server has answered. */
  const [localUhid, setLocalUhid] = useState<string>();
  const stock = useUhidBlocks();
  // One write per form: set the moment a registration is queued (a second click, even in the same
  // tick, sees it before React re-renders), cleared only when the server refuses it or the clerk
  // moves on to the next patient.
  const queued = useRef(false);
  const formRef = useRef<HTMLFormElement>(null);
  const item = useOutboxItem(itemId);
  const query = useMemo(() => duplicatesQuery(form), [form]);
  // The last answer stays on screen while the next search runs, so the panel does not flicker.
  const duplicates = useDuplicates(item ? null : query);
  const candidates = duplicates.candidates;

  const set = (field: keyof RegistrationForm) => (e: ChangeEvent<HTMLInputElement | HTMLSelectElement>) => {
    setForm((f) => ({ ...f, [field]: e.target.value }));
    if (errors[field]) setErrors(({ [field]: _gone, ...rest }) => rest);
    setConfirmedNew(false);
  };
  const input = (field: keyof RegistrationForm) => ({ name: field, value: form[field], onChange: set(field), error: errors[field] });
  const locked = queuing || (itemId !== undefined && item?.status !== 'failed');
  useEffect(() => {
    if (item?.status === 'failed') queued.current = false;
  }, [item?.status]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (queued.current) return;
    const found = checkRegistration(form, deskToday());
    setErrors(found);
    const first = Object.keys(found)[0];
    if (first) return formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
    if (candidates.length > 0 && !confirmedNew) {
      setAskConfirm(true);
      return formRef.current?.querySelector<HTMLElement>('[name="confirmNew"]')?.focus();
    }
    queued.current = true;
    setQueuing(true);
    setTrouble(undefined);
    try {
      const label = `Register ${`${form.given} ${form.family}`.trim()}`;
      if (item?.status === 'failed') {
        // Sent again with the UHID it was given: a UHID handed over is never given to anyone else.
        const request = { method: 'POST' as const, path: REGISTER_PATH, body: { ...registrationBody(form), ...(localUhid ? { uhid: localUhid } : {}) } };
        await outbox.resend(item.id, { request, label });
      } else {
        // The serial is taken (the counter advanced on disk) before the UHID is shown or queued.
        const taken = await stock.take();
        const request = { method: 'POST' as const, path: REGISTER_PATH, body: { ...registrationBody(form), ...(taken ? { uhid: taken.uhid } : {}) } };
        const queuedItem = await outbox.enqueue(request, label);
        setLocalUhid(taken?.uhid);
        setItemId(queuedItem.id);
      }
      void sender.kick();
    } catch (err) {
      queued.current = false;
      setTrouble(`This computer could not queue the registration: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setQueuing(false);
    }
  }

  function nextPatient() {
    queued.current = false;
    setForm(EMPTY_FORM);
    setErrors({});
    setItemId(undefined);
    setLocalUhid(undefined);
    setPicked(undefined);
    setConfirmedNew(false);
    setAskConfirm(false);
    setTimeout(() => formRef.current?.querySelector<HTMLElement>('[name="given"]')?.focus());
  }

  async function discard() {
    if (item && (await outbox.discard(item.id))) {
      queued.current = false;
      setItemId(undefined);
      setLocalUhid(undefined);
    }
  }

  if (picked) {
    return <RegistrationResult title="Existing patient" uhid={picked.uhid} name={picked.name} patientId={picked.id} onNext={nextPatient}
      detail={[picked.sex, picked.birthDate, picked.phone].filter(Boolean).join(' · ')} />;
  }
  if (item?.status === 'done') {
    const patient = item.response?.body as { id?: string } | undefined;
    return <RegistrationResult title="Registered" uhid={uhidOf(patient) ?? localUhid} name={item.label.replace(/^Register /, '')} patientId={patient?.id} onNext={nextPatient} />;
  }
  if (item && localUhid && item.status !== 'failed') {
    // The desk numbered the patient from its own block: the UHID can be handed over now, online or not.
    return <RegistrationResult title="Registered at this desk" uhid={localUhid} name={item.label.replace(/^Register /, '')} patientId={undefined} onNext={nextPatient}
      status={<p className="queued" role="status" data-testid="queued">
        {item.status === 'sending' ? 'Sending to the server…' : item.error ? `Waiting in the outbox: ${item.error}` : 'Waiting in the outbox'}
        {' '}<span className="muted">(the slip can be printed once the server has it)</span>
      </p>} />;
  }

  return (
    <main className="desk registration">
      <form ref={formRef} onSubmit={submit} noValidate aria-labelledby="registration-title">
        <h1 id="registration-title">New registration</h1>
        {item?.status === 'failed' && (
          <div className="refused" role="alert" data-testid="refused">
            <strong>The server refused this registration:</strong> {item.error}
            <p className="muted">Correct the form and send it again, or discard it.</p>
            <button type="button" onClick={() => void discard()}>Discard</button>
          </div>
        )}
        {trouble && <p className="refused" role="alert">{trouble}</p>}
        <p className="muted uhid-stock" data-testid="uhid-stock">
          {stock.remaining === undefined ? 'Desk UHIDs: opening…'
            : stock.remaining > 0 ? `Desk ${stock.desk}: ${stock.remaining} UHIDs in hand`
              : `Desk ${stock.desk}: ${NO_UHIDS}`}
        </p>
        {(item?.status === 'pending' || item?.status === 'sending') && (
          <p className="queued" role="status" data-testid="queued">
            {item.status === 'sending' ? 'Sending…' : item.error ? `Waiting in the outbox: ${item.error}` : 'Queued in the outbox…'}
            {!localUhid && <> {NO_UHIDS}.</>}
            {' '}<button type="button" className="link" onClick={nextPatient}>Next patient (this one stays in the outbox)</button>
          </p>
        )}
        <fieldset disabled={locked}>
          <legend>Patient</legend>
          <div className="row">
            <Field label="Given name" autoFocus autoComplete="off" {...input('given')} />
            <Field label="Family name" autoComplete="off" {...input('family')} />
            <Field label="Sex" name="sex" error={errors.sex}>
              <select id="sex" name="sex" value={form.sex} onChange={set('sex')} aria-invalid={errors.sex ? true : undefined}
                aria-describedby={errors.sex ? 'sex-message' : undefined}>
                <option value="">—</option>
                <option value="female">Female</option>
                <option value="male">Male</option>
                <option value="other">Other</option>
                <option value="unknown">Unknown</option>
              </select>
            </Field>
          </div>
          <div className="row">
            <Field label="Date of birth" type="date" max={deskToday()} {...input('birthDate')} />
            <Field label="or age" hint="(years)" inputMode="numeric" className="short" {...input('ageYears')} />
            <Field label="Mobile" inputMode="tel" autoComplete="off" placeholder="98xxxxxxxx" {...input('phone')} />
            <Field label="ABHA number" hint="(optional)" inputMode="numeric" placeholder="xx-xxxx-xxxx-xxxx" {...input('abha')} />
          </div>
        </fieldset>
        <fieldset disabled={locked}>
          <legend>Address</legend>
          <div className="row"><Field label="House, street, village" className="wide" {...input('line')} /></div>
          <div className="row">
            <Field label="City / town" {...input('city')} />
            <Field label="District" {...input('district')} />
            <Field label="State" {...input('state')} />
            <Field label="PIN code" inputMode="numeric" className="short" {...input('pincode')} />
          </div>
        </fieldset>
        <fieldset disabled={locked}>
          <legend>Guardian</legend>
          <div className="row">
            <Field label="Name" {...input('guardianName')} />
            <Field label="Relationship" placeholder="father, mother, husband…" {...input('guardianRelationship')} />
            <Field label="Mobile" inputMode="tel" {...input('guardianPhone')} />
          </div>
        </fieldset>
        {candidates.length > 0 && (
          <label className={`confirm-new${askConfirm && !confirmedNew ? ' invalid' : ''}`}>
            <input type="checkbox" name="confirmNew" checked={confirmedNew} onChange={(e) => setConfirmedNew(e.target.checked)} disabled={locked} />
            None of the possible matches is this patient: register a new patient
          </label>
        )}
        <div className="actions">
          <button type="submit" disabled={locked} data-testid="register">
            {item?.status === 'failed' ? 'Send again' : locked ? 'Saving…' : 'Register new patient'}
          </button>
          <button type="button" className="link" onClick={nextPatient} disabled={locked}>Clear</button>
        </div>
      </form>
      <DuplicatesPanel duplicates={duplicates} onPick={setPicked} />
    </main>
  );
}
