/**
 * Examples with genuine defects, which the validator is right to reject. Each was checked by hand
 * against the R4 definitions; the test also asserts that each one still fails, so the list cannot
 * silently outlive its reason.
 */
export const DEFECTIVE: Record<string, string> = {
  // SearchParameter.base is 1..*; these extension search parameters omit it.
  ...Object.fromEntries(
    ['codesystem-extensions-CodeSystem', 'valueset-extensions-ValueSet'].flatMap((prefix) =>
      ['author', 'effective', 'end', 'keyword', 'workflow'].map((code) => [
        `SearchParameter-${prefix}-${code}.json`,
        'SearchParameter.base (1..*) is missing',
      ]),
    ),
  ),
  'SearchParameter-questionnaireresponse-extensions-QuestionnaireResponse-item-subject.json':
    'its id has 67 characters; FHIR ids are at most 64',
  'ImplementationGuide-fhir.json': 'ImplementationGuide.name and .status (both 1..1) are missing',
  'ig-r4.json': 'ImplementationGuide.name and .status (both 1..1) are missing',
  'Questionnaire-qs1.json': 'nested items lack Questionnaire.item.linkId (1..1)',
  'StructureDefinition-Definition.json': 'logical model, not abstract, without baseDefinition (sdf-4)',
  'StructureDefinition-Event.json': 'logical model, not abstract, without baseDefinition (sdf-4)',
  'StructureDefinition-FiveWs.json': 'logical model, not abstract, without baseDefinition (sdf-4)',
  'StructureDefinition-Request.json': 'logical model, not abstract, without baseDefinition (sdf-4)',
  'Bundle-dataelements.json': 'a collection Bundle that repeats fullUrls without versionIds (bdl-7)',
  'CodeSystem-v2-0550.json': "concept codes ' ', 'CHEST\\u00a0' etc.: whitespace-only or trailing non-breaking space",
  'Bundle-v2-valuesets.json': 'contains CodeSystem v2-0550 with the same malformed codes',
};
