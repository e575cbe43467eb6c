/**
 * The demo hospital itself: one fictional Organization that every department, ward and tariff line
 * belongs to. Address and identifiers are invented.
 */
import { concept, type Resource } from './fhir-shapes.js';
import { IDENTIFIER, SYSTEM } from './systems.js';

export const HOSPITAL_ID = 'nirantar-demo-hospital';
export const HOSPITAL_NAME = 'Nirantar Demo Hospital, New Delhi';

export function hospitalOrganization(): Resource {
  return {
    resourceType: 'Organization',
    id: HOSPITAL_ID,
    identifier: [{ system: IDENTIFIER.hospital, value: 'NDH-DEL-01' }],
    active: true,
    type: [concept({ system: SYSTEM.organizationType, code: 'prov', display: 'Healthcare Provider' })],
    name: HOSPITAL_NAME,
    alias: ['NDH'],
    address: [{
      use: 'work',
      type: 'physical',
      line: ['1 Nirantar Marg'],
      city: 'New Delhi',
      district: 'South Delhi',
      state: 'Delhi',
      country: 'IN',
    }],
  };
}
