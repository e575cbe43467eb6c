/**
 * The OPD's API, under /api/opd (the lead registers it with that prefix):
 *   POST /schedules              a doctor's weekly OPD in a department {practitioner, department, weekdays, start, end, slotMinutes}
 *   GET  /schedules?department=&practitioner=
 *   POST /slots/generate         {schedule, from, to}: the schedule's slots (deterministic ids; again = no duplicates)
 *   GET  /slots?department=&practitioner=&date=   the free slots of a day
 *   POST /leave                  {practitioner, from, to, reason}
 *   POST /holidays               {date, name}
 *   POST /appointments           {patient, slot} (X-Request-Id required): one transaction, no double booking
 *   POST /appointments/:id/reschedule {slot} · /cancel {reason} · /no-show
 *   POST /check-in               {appointment} or a walk-in {patient, department[, practitioner]} (X-Request-Id required): visit + token
 *   GET  /queue?department=&date=      the day's visits in token order
 *   GET  /queue/events?department=     the same as Server-Sent Events, sent again on every change
 *   POST /queue/call-next        {department, room}
 *   POST /visits/:id/start · /visits/:id/close
 *   GET  /figures?date=          registrations, visits per department, waiting times
 *   POST /visits/:id/consultation · GET /visits/:id · GET /visits/:id/slip.pdf
 *                                the doctor's consultation, the visit summary, the visit slip (consultation-routes.ts has the shapes)
 * The auth hook has set request.principal; each route checks the permission table for what it
 * writes or reads, and records the patients concerned on request.access for the audit trail.
 */
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccessInteraction } from '../../audit/access-record.js';
import type { FhirResource } from '../../fhir/repository/context.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { badRequest, FhirError, issue } from '../../fhir/outcome.js';
import { fhirErrorHandler } from '../../fhir/rest/error-handler.js';
import { requestContext } from '../../fhir/rest/request-context.js';
import type { AccessControl } from '../../security/access-control.js';
import type { Interaction } from '../../security/permissions/permissions.js';
import type { Database } from '../../store/database.js';
import { book, cancel, noShow, reschedule } from './booking.js';
import { checkIn } from './check-in.js';
import { consultationRoutes } from './consultation-routes.js';
import { addHoliday, addLeave } from './closures.js';
import { figuresOf } from './figures.js';
import { dayBounds, indiaDate, isDate } from './india-time.js';
import { departmentKey, idOf, refId } from './opd-codes.js';
import { searchAll } from './opd-store.js';
import { QueueEvents } from './queue-events.js';
import { callNext, closed, departmentOfVisit, queueOf, started } from './queue.js';
import { generateSlots, readRange, readScheduleRequest, saveSchedule } from './schedules.js';

export interface OpdPluginOptions {
  repo: FhirRepository;
  db: Database;
  access: AccessControl;
  /** Queue changes, for the live boards (default: one per plugin). */
  events?: QueueEvents;
}

type Body = Record<string, unknown>;
type Query = Record<string, string | undefined>;

const bodyOf = (request: FastifyRequest): Body => {
  const body = request.body;
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) throw badRequest('the body is a JSON object');
  return (body ?? {}) as Body;
};

const patientsIn = (resource: FhirResource | undefined): string[] => {
  if (!resource) return [];
  const subject = (resource.subject as { reference?: string } | undefined)?.reference;
  const actors = ((resource.participant as Array<{ actor?: { reference?: string } }> | undefined) ?? []).map((p) => p.actor?.reference);
  return [subject, ...actors].filter((r): r is string => typeof r === 'string' && r.startsWith('Patient/'));
};

export async function opdPlugin(app: FastifyInstance, options: OpdPluginOptions) {
  const { repo, db, access } = options;
  const events = options.events ?? new QueueEvents();
  app.setErrorHandler(fhirErrorHandler);
  // Open queue boards end when the server closes, so a shutdown does not wait for them.
  const boards = new Set<PassThrough>();
  app.addHook('preClose', async () => { for (const b of boards) b.end(); });

  /** The permission checks and the audit record's subject, before a route acts. */
  const authorize = (request: FastifyRequest, interaction: AccessInteraction, resourceType: string, checks: Array<[string, Interaction]>) => {
    const principal = request.principal;
    if (!principal) throw new FhirError(401, issue('login', 'authentication required'));
    request.access = { interaction, resourceType, patients: new Set(), brokeGlass: false };
    for (const [type, check] of checks) access.require(principal, type, check);
    return principal;
  };
  const record = (request: FastifyRequest, ...resources: Array<FhirResource | undefined>) => {
    for (const r of resources) for (const p of patientsIn(r)) request.access!.patients.add(p);
  };
  /** A department-scoped role (a doctor) works the queue of its own department only. */
  const requireDepartment = (request: FastifyRequest, department: string) => {
    const principal = request.principal!;
    if (access.unscoped(principal)) return;
    const own = (principal.department ?? '').replace(/^Organization\//, '').replace(/^dept-/, '');
    if (own !== department) throw new FhirError(403, issue('forbidden', `the queue of ${department} is outside your department${own ? ` (${own})` : ' (your account has none set)'}`));
  };
  const dateOf = (raw: string | undefined, field = 'date') => {
    if (raw === undefined || raw === '') return indiaDate();
    if (!isDate(raw)) throw badRequest(`${field} is a date, YYYY-MM-DD`, field);
    return raw;
  };

  // Schedules, slots, leave and holidays.
  app.post('/schedules', async (request, reply) => {
    authorize(request, 'update', 'Schedule', [['Schedule', 'create'], ['Schedule', 'update']]);
    const result = await saveSchedule(repo, requestContext(request), readScheduleRequest(bodyOf(request)));
    return reply.code(result.status).send(result.resource);
  });

  app.get<{ Querystring: Query }>('/schedules', async (request) => {
    authorize(request, 'search', 'Schedule', [['Schedule', 'search']]);
    const params: Array<[string, string]> = [];
    if (request.query.department) params.push(['actor', `HealthcareService/${departmentKey(request.query.department)}`]);
    if (request.query.practitioner) params.push(['actor', `Practitioner/${idOf(request.query.practitioner, 'Practitioner', 'practitioner')}`]);
    return { schedules: await searchAll(repo, requestContext(request), 'Schedule', params, 1000) };
  });

  app.post('/slots/generate', async (request) => {
    authorize(request, 'operation', 'Slot', [['Slot', 'create'], ['Slot', 'update']]);
    const body = bodyOf(request);
    const { from, to } = readRange(body);
    return generateSlots(repo, requestContext(request), idOf(body.schedule, 'Schedule', 'schedule'), from, to);
  });

  app.get<{ Querystring: Query }>('/slots', async (request) => {
    authorize(request, 'search', 'Slot', [['Slot', 'search'], ['Schedule', 'search']]);
    const { department, practitioner } = request.query;
    if (!department && !practitioner) throw badRequest('say whose slots: department and/or practitioner', 'department');
    const date = dateOf(request.query.date);
    const ctx = requestContext(request);
    const params: Array<[string, string]> = [];
    if (department) params.push(['actor', `HealthcareService/${departmentKey(department)}`]);
    if (practitioner) params.push(['actor', `Practitioner/${idOf(practitioner, 'Practitioner', 'practitioner')}`]);
    const schedules = await searchAll(repo, ctx, 'Schedule', [...params, ['active', 'true']], 1000);
    if (schedules.length === 0) return { date, slots: [] };
    const byId = new Map(schedules.map((s) => [s.id as string, s]));
    const { start, end } = dayBounds(date);
    const now = Date.now();
    const slots = await searchAll(repo, ctx, 'Slot', [
      ['schedule', schedules.map((s) => `Schedule/${s.id}`).join(',')], ['status', 'free'], ['start', `ge${start}`], ['start', `lt${end}`], ['_sort', 'start'],
    ]);
    return {
      date,
      slots: slots.filter((s) => Date.parse(String(s.start)) >= now).map((s) => {
        const schedule = byId.get(refId(s.schedule));
        const doctor = (schedule?.actor as Array<{ reference?: string; display?: string }> | undefined)?.find((a) => a.reference?.startsWith('Practitioner/'));
        return { id: s.id, start: s.start, end: s.end, schedule: refId(s.schedule), practitioner: refId(doctor), practitionerName: doctor?.display };
      }),
    };
  });

  app.post('/leave', async (request, reply) => {
    authorize(request, 'operation', 'Slot', [['Slot', 'update']]);
    return reply.code(201).send(await addLeave(repo, requestContext(request), bodyOf(request)));
  });

  app.post('/holidays', async (request, reply) => {
    authorize(request, 'operation', 'Slot', [['Slot', 'update']]);
    return reply.code(201).send(await addHoliday(repo, requestContext(request), bodyOf(request)));
  });

  // Appointments.
  app.post('/appointments', async (request, reply) => {
    authorize(request, 'create', 'Appointment', [['Appointment', 'create'], ['Slot', 'update']]);
    const result = await book(repo, requestContext(request), bodyOf(request));
    record(request, result.appointment);
    return reply.code(result.status).send(result.appointment);
  });

  app.post<{ Params: { id: string } }>('/appointments/:id/reschedule', async (request) => {
    authorize(request, 'update', 'Appointment', [['Appointment', 'update'], ['Slot', 'update']]);
    const appointment = await reschedule(repo, requestContext(request), idOf(request.params.id, 'Appointment', 'id'), bodyOf(request));
    record(request, appointment);
    return appointment;
  });

  app.post<{ Params: { id: string } }>('/appointments/:id/cancel', async (request) => {
    authorize(request, 'update', 'Appointment', [['Appointment', 'update'], ['Slot', 'update']]);
    const appointment = await cancel(repo, requestContext(request), idOf(request.params.id, 'Appointment', 'id'), bodyOf(request));
    record(request, appointment);
    return appointment;
  });

  app.post<{ Params: { id: string } }>('/appointments/:id/no-show', async (request) => {
    authorize(request, 'update', 'Appointment', [['Appointment', 'update']]);
    const appointment = await noShow(repo, requestContext(request), idOf(request.params.id, 'Appointment', 'id'));
    record(request, appointment);
    return appointment;
  });

  // Check-in and the queue.
  app.post('/check-in', async (request, reply) => {
    authorize(request, 'create', 'Encounter', [['Encounter', 'create']]);
    const ctx = requestContext(request);
    const result = await checkIn(repo, ctx, bodyOf(request), (department) => requireDepartment(request, department));
    record(request, result.encounter);
    events.changed(ctx.hospitalId, result.department);
    return reply.code(201).send({
      token: result.token, department: result.department, date: indiaDate(String((result.encounter.period as { start: string }).start)),
      visit: result.encounter.id, appointment: refId((result.encounter.appointment as unknown[] | undefined)?.[0]), encounter: result.encounter,
    });
  });

  app.get<{ Querystring: Query }>('/queue', async (request) => {
    const principal = authorize(request, 'search', 'Encounter', [['Encounter', 'search']]);
    const department = departmentKey(request.query.department);
    requireDepartment(request, department);
    const date = dateOf(request.query.date);
    const queue = await queueOf(db, principal.hospitalId, department, date);
    for (const item of queue) request.access!.patients.add(item.patient.reference);
    return { department, date, queue };
  });

  app.get<{ Querystring: Query }>('/queue/events', async (request, reply) => {
    const principal = authorize(request, 'search', 'Encounter', [['Encounter', 'search']]);
    const department = departmentKey(request.query.department);
    requireDepartment(request, department);
    const stream = new PassThrough();
    boards.add(stream);
    const write = (text: string) => { if (!stream.writableEnded && !stream.destroyed) stream.write(text); };
    let sending = Promise.resolve();
    const send = () => {
      sending = sending.then(async () => {
        const date = indiaDate();
        const queue = await queueOf(db, principal.hospitalId, department, date);
        for (const item of queue) request.access!.patients.add(item.patient.reference);
        write(`event: queue\ndata: ${JSON.stringify({ department, date, queue })}\n\n`);
      }).catch((err) => { request.log.warn({ err }, 'queue event not sent'); });
    };
    const unsubscribe = events.subscribe(principal.hospitalId, department, send);
    const ping = setInterval(() => write(': still here\n\n'), 25_000);
    let open = true;
    const stop = () => {
      if (!open) return;
      open = false;
      unsubscribe();
      clearInterval(ping);
      boards.delete(stream);
      stream.end();
    };
    stream.on('close', stop);
    stream.on('error', stop);
    reply.raw.on('close', stop);
    send();
    return reply.code(200).headers({ 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' }).send(stream);
  });

  app.post('/queue/call-next', async (request) => {
    authorize(request, 'update', 'Encounter', [['Encounter', 'update']]);
    const body = bodyOf(request);
    const department = departmentKey(body.department);
    requireDepartment(request, department);
    const ctx = requestContext(request);
    const item = await callNext(repo, ctx, department, body.room === undefined ? undefined : String(body.room));
    if (item) {
      request.access!.patients.add(item.patient.reference);
      events.changed(ctx.hospitalId, department);
    }
    return { called: item ?? null, ...(item ? {} : { message: `nobody is waiting in ${department}` }) };
  });

  const move = (path: string, change: (encounter: FhirResource, time: string, request: FastifyRequest) => FhirResource) =>
    app.post<{ Params: { id: string } }>(`/visits/:id/${path}`, async (request) => {
      authorize(request, 'update', 'Encounter', [['Encounter', 'update']]);
      const ctx = requestContext(request);
      const id = idOf(request.params.id, 'Encounter', 'id');
      for (let attempt = 0; ; attempt++) {
        const current = await repo.read(ctx, 'Encounter', id);
        const next = change(current, new Date().toISOString(), request);
        await access.checkWrite(request, next, current);
        if (next === current) return current;
        try {
          const result = await repo.update(ctx, 'Encounter', id, next, { ifMatch: Number((current.meta as { versionId: string }).versionId) });
          events.changed(ctx.hospitalId, departmentOfVisit(current));
          return result.resource;
        } catch (err) {
          // Someone else moved the visit meanwhile (a call-next): look again.
          if (!(err instanceof FhirError) || err.status !== 412 || attempt >= 3) throw err;
        }
      }
    });
  move('start', (e, time, request) => started(e, time, request.principal?.practitioner));
  move('close', (e, time) => closed(e, time));

  consultationRoutes(app, { repo, access, authorize });

  app.get<{ Querystring: Query }>('/figures', async (request) => {
    authorize(request, 'operation', 'Encounter', [['Encounter', 'search'], ['Patient', 'search']]);
    return figuresOf(repo, requestContext(request), dateOf(request.query.date));
  });
}

