"""The BPMN/DMN parser of this host: SpiffWorkflow's Camunda parser with the host's semantics.

Diagrams are written the way Camunda Modeler writes them (Camunda 7 attributes), so the base is
`CamundaParser`. Two things are changed:
- timer definitions accept ISO-8601 literals as modelers write them (`PT1H`, `P2D`, `2026-12-31`,
  `R/2026-12-31T09:00:00/P1Y`): they are turned into Python string literals, and naive date-times are read
  in the Dutch time zone; anything else is a Python expression evaluated in the sandbox;
- a caught message merges its payload into the case data (as Camunda 7 does when a message is correlated
  with variables), or stores it under `camunda:resultVariable` when the event names one.
"""

from __future__ import annotations

import re
from datetime import datetime

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.event_parsers import (
    BoundaryEventParser,
    EndEventParser,
    IntermediateCatchEventParser,
    IntermediateThrowEventParser,
    ReceiveTaskParser,
    SendTaskParser,
    StartEventParser,
)
from SpiffWorkflow.bpmn.parser.util import first
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.defaults import (
    BoundaryEvent,
    EndEvent,
    IntermediateCatchEvent,
    IntermediateThrowEvent,
    ReceiveTask,
    SendTask,
    StartEvent,
)
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
)
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.camunda.parser.event_parsers import CamundaEventDefinitionParser
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition as CamundaMessageEventDefinition

from .script_helpers import LOCAL_ZONE

_DURATION = re.compile(
    r"^P(?!$)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$"
)
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")
_CYCLE = re.compile(r"^R\d*/[^/\s]+(/[^/\s]+)?$")


def _localize(literal: str) -> str:
    """Give a naive ISO date-time the Dutch offset valid on that date."""
    try:
        moment = datetime.fromisoformat(literal.replace("Z", "+00:00"))
    except ValueError as err:
        raise ValueError(f"'{literal}' is not a valid date-time: {err}.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_ZONE)
    return moment.isoformat()


def parse_local_datetime(text: str) -> datetime:
    """An ISO date or date-time; naive values are Dutch local time. Returns an aware datetime."""
    return datetime.fromisoformat(_localize(text.strip()))


def timer_expression(text: str | None, kind: str) -> str:
    """Turn the text of a timeDate/timeDuration/timeCycle into a Python expression for the engine.

    Raises ValueError with a message for a process owner when an ISO literal is malformed.
    """
    raw = (strip_el(text) or "").strip()  # `${...}` as Camunda Modeler users write it: the inside is Python
    if not raw:
        raise ValueError(f"The {kind} of this timer is empty.")
    upper = raw.upper()
    if kind == "timeDuration" and _DURATION.match(upper):
        return repr(upper)
    if kind == "timeDate" and _DATETIME.match(raw):
        return repr(_localize(raw))
    if kind == "timeCycle" and _CYCLE.match(upper):
        parts = raw.split("/")
        for index, part in enumerate(parts[1:], start=1):
            if _DATETIME.match(part):
                parts[index] = _localize(part)
            elif not _DURATION.match(part.upper()):
                raise ValueError(f"'{part}' in timer cycle '{raw}' is neither an ISO-8601 date-time nor a duration.")
            else:
                parts[index] = part.upper()
        return repr("/".join(parts))
    if kind == "timeDuration" and upper.startswith("P") and re.match(r"^P[0-9A-Z.]*$", upper):
        raise ValueError(f"'{raw}' is not a valid ISO-8601 duration (e.g. PT1H, P2D, P1Y2M).")
    if kind == "timeCycle" and upper.startswith("R") and "/" in upper:
        raise ValueError(f"'{raw}' is not a valid ISO-8601 repeating interval (e.g. R/2026-12-31T09:00:00/P1Y).")
    if kind == "timeDate":
        return f"local_datetime({raw})"  # a naive result is Dutch time, not the server's time zone
    return raw


class HostMessageEventDefinition(CamundaMessageEventDefinition):
    """A message whose payload is a dict of variables merged into the case data when it is caught."""

    def throw(self, my_task):
        payload = {}
        if self.expression:
            payload = my_task.workflow.script_engine.evaluate(my_task, self.expression)
        event = BpmnEvent(self, payload=payload)
        my_task.workflow.top_workflow.catch(event)

    def update_internal_data(self, my_task, event):
        my_task.internal_data[self.name] = event.payload

    def update_task_data(self, my_task):
        payload = my_task.internal_data.get(self.name)
        if payload is None:
            return
        if self.result_var:
            my_task.data[self.result_var] = payload
        elif isinstance(payload, dict):
            my_task.data.update(payload)
        else:
            my_task.data[f"{my_task.task_spec.bpmn_id}_message"] = payload

    def reset(self, my_task):
        my_task.internal_data.pop(self.name, None)
        super().reset(my_task)


class HostEventDefinitionParser(CamundaEventDefinitionParser):
    def parse_message_event(self, message_event):
        message_ref = message_event.get("messageRef")
        if message_ref:
            message = first(self.doc_xpath(f'.//bpmn:message[@id="{message_ref}"]'))
            if message is None:
                raise ValidationException(
                    f"Message '{message_ref}' is referenced but not defined in this file.",
                    node=self.node,
                    file_name=self.filename,
                )
            name = message.get("name") or message_ref
            correlations = self.get_message_correlations(message_ref)
        else:
            raise ValidationException(
                "A message event must reference a message (messageRef).", node=self.node, file_name=self.filename
            )
        expression = self.attribute("expression", "camunda", message_event)
        result_var = self.attribute("resultVariable", "camunda", message_event)
        return HostMessageEventDefinition(name, correlations, expression, result_var)

    def parse_timer_event(self, event):
        description = self.get_event_description(event)
        name = self.node.get("name", self.node.get("id"))
        kinds = {
            "timeDate": TimeDateEventDefinition,
            "timeDuration": DurationTimerEventDefinition,
            "timeCycle": CycleTimerEventDefinition,
        }
        for kind, definition_class in kinds.items():
            node = first(self.xpath(f".//bpmn:{kind}"))
            if node is None:
                continue
            try:
                expression = timer_expression(node.text, kind)
            except ValueError as err:
                raise ValidationException(str(err), node=self.node, file_name=self.filename) from None
            return definition_class(name, expression, description=description)
        raise ValidationException(
            "A timer needs a timeDate, timeDuration or timeCycle.", node=self.node, file_name=self.filename
        )


class HostStartEventParser(HostEventDefinitionParser, StartEventParser):
    def create_task(self):
        return StartEventParser.create_task(self)


class HostEndEventParser(HostEventDefinitionParser, EndEventParser):
    def create_task(self):
        return EndEventParser.create_task(self)


class HostIntermediateCatchEventParser(HostEventDefinitionParser, IntermediateCatchEventParser):
    def create_task(self):
        return IntermediateCatchEventParser.create_task(self)


class HostIntermediateThrowEventParser(HostEventDefinitionParser, IntermediateThrowEventParser):
    def create_task(self):
        return IntermediateThrowEventParser.create_task(self)


class HostBoundaryEventParser(HostEventDefinitionParser, BoundaryEventParser):
    def create_task(self):
        return BoundaryEventParser.create_task(self)


class HostReceiveTaskParser(HostEventDefinitionParser, ReceiveTaskParser):
    def create_task(self):
        return ReceiveTaskParser.create_task(self)


class HostSendTaskParser(HostEventDefinitionParser, SendTaskParser):
    def create_task(self):
        return SendTaskParser.create_task(self)


_EL_EXPRESSION = re.compile(r"^\s*\$\{(.+)\}\s*$", re.S)


def strip_el(text: str | None) -> str | None:
    """`${expr}` is how Camunda Modeler users write expressions; the expression inside is Python here."""
    if text is None:
        return None
    match = _EL_EXPRESSION.match(text)
    return match.group(1).strip() if match else text


class HostParser(CamundaParser):
    """CamundaParser with the host's timers, messages and `${...}` conditions."""

    def add_bpmn_xml(self, bpmn, filename=None):
        for condition in bpmn.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}conditionExpression"):
            condition.text = strip_el(condition.text)
        super().add_bpmn_xml(bpmn, filename)

    OVERRIDE_PARSER_CLASSES = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("startEvent"): (HostStartEventParser, StartEvent),
        full_tag("endEvent"): (HostEndEventParser, EndEvent),
        full_tag("intermediateCatchEvent"): (HostIntermediateCatchEventParser, IntermediateCatchEvent),
        full_tag("intermediateThrowEvent"): (HostIntermediateThrowEventParser, IntermediateThrowEvent),
        full_tag("boundaryEvent"): (HostBoundaryEventParser, BoundaryEvent),
        full_tag("receiveTask"): (HostReceiveTaskParser, ReceiveTask),
        full_tag("sendTask"): (HostSendTaskParser, SendTask),
    }
