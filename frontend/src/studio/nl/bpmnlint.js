// Dutch texts of bpmnlint's overlay (bpmn-js-bpmnlint) and of the messages of every rule the studio enables
// (lint-config.js: bpmnlint's recommended rules), which the overlay and the problems list show.
// tests/studio/test_lint_texts.py reads each enabled rule's messages from its source and asks this table
// for them. A message with {placeholders} also matches one in which bpmnlint filled them in (i18n.js).
export default {
  // the overlay's button and lists
  '{errors} Errors, {warnings} Warnings': '{errors} fouten, {warnings} waarschuwingen',
  'No Issues': 'Geen bevindingen',
  'Toggle linting overlays': 'Bevindingen van bpmnlint tonen/verbergen',
  'Issues for child elements': 'Bevindingen bij onderliggende elementen',
  // ad-hoc-sub-process
  'A <Start Event> is not allowed in <Ad Hoc Sub Process>':
    'Een <startgebeurtenis> is niet toegestaan in een <ad-hoc-deelproces>',
  'An <End Event> is not allowed in <Ad Hoc Sub Process>':
    'Een <eindgebeurtenis> is niet toegestaan in een <ad-hoc-deelproces>',
  // conditional-flows
  'Sequence flow is missing condition': 'Sequentiestroom heeft geen voorwaarde',
  // end-event-required, start-event-required, single-blank-start-event
  'Process is missing end event': 'Proces heeft geen eindgebeurtenis',
  'Sub process is missing end event': 'Deelproces heeft geen eindgebeurtenis',
  'Process is missing start event': 'Proces heeft geen startgebeurtenis',
  'Sub process is missing start event': 'Deelproces heeft geen startgebeurtenis',
  'Process has multiple blank start events': 'Proces heeft meer dan één blanco startgebeurtenis',
  'Sub process has multiple blank start events': 'Deelproces heeft meer dan één blanco startgebeurtenis',
  // event-based-gateway
  'An <Event-based Gateway> must have at least 2 outgoing <Sequence Flows>':
    'Een <gebeurtenisgestuurde gateway> moet minstens 2 uitgaande <sequentiestromen> hebben',
  'A <Sequence Flow> outgoing from an <Event-based Gateway> must not be conditional':
    'Een <sequentiestroom> uit een <gebeurtenisgestuurde gateway> mag geen voorwaarde hebben',
  // event-sub-process-typed-start-event, sub-process-blank-start-event, single-event-definition
  'Start event is missing event definition':
    'Startgebeurtenis heeft geen gebeurtenisdefinitie (zoals bericht, timer of signaal)',
  'Start event must be blank': 'Startgebeurtenis moet blanco zijn (zonder gebeurtenisdefinitie)',
  'Event has multiple event definitions': 'Gebeurtenis heeft meer dan één gebeurtenisdefinitie',
  // fake-join
  'Incoming flows do not join': 'Inkomende stromen komen niet samen (gebruik een gateway)',
  // global
  'Element is missing name': 'Element heeft geen naam',
  'Element is unused': 'Element wordt nergens gebruikt',
  'Element name is not unique': 'Naam van het element is niet uniek',
  // label-required
  'Element is missing label/name': 'Element heeft geen label/naam',
  // link-event
  'Link event is missing link name': 'Koppelingsgebeurtenis heeft geen koppelingsnaam',
  'Link catch event with link name <{name}> missing in scope':
    'Vangende koppelingsgebeurtenis met koppelingsnaam <{name}> ontbreekt in dit bereik',
  'Link throw event with link name <{name}> missing in scope':
    'Werpende koppelingsgebeurtenis met koppelingsnaam <{name}> ontbreekt in dit bereik',
  'Duplicate link catch event with link name <{name}> in scope':
    'Meer dan één vangende koppelingsgebeurtenis met koppelingsnaam <{name}> in dit bereik',
  // no-bpmndi
  'Element is missing bpmndi': 'Element heeft geen diagramgegevens (BPMNDI)',
  // no-complex-gateway, no-inclusive-gateway
  'Element type <{type}> is discouraged': 'Elementtype <{type}> wordt afgeraden',
  // no-disconnected
  'Element is not connected': 'Element is met niets verbonden',
  // no-duplicate-sequence-flows
  'SequenceFlow is a duplicate': 'Sequentiestroom komt dubbel voor',
  'Duplicate outgoing sequence flows': 'Dubbele uitgaande sequentiestromen',
  'Duplicate incoming sequence flows': 'Dubbele inkomende sequentiestromen',
  // no-gateway-join-fork
  'Gateway forks and joins': 'Gateway splitst en voegt tegelijk samen (gebruik twee gateways)',
  // no-implicit-split
  'Flow splits implicitly': 'Stroom splitst impliciet (gebruik een gateway)',
  // no-implicit-end, no-implicit-start
  'Element is an implicit end': 'Element is een impliciet einde (gebruik een eindgebeurtenis)',
  'Element is an implicit start': 'Element is een impliciet begin (gebruik een startgebeurtenis)',
  // no-overlapping-elements
  'Element overlaps with other element': 'Element overlapt een ander element',
  'Element is outside of parent boundary': 'Element ligt buiten de rand van het element waarin het ligt',
  // superfluous-gateway, superfluous-label, superfluous-termination
  'Gateway is superfluous. It only has one source and target.':
    'Gateway is overbodig: hij heeft maar één inkomende en één uitgaande stroom.',
  'Sequence flow has superfluous label': 'Sequentiestroom heeft een overbodig label',
  'Termination is superfluous.': 'Beëindiging is overbodig.',
};
