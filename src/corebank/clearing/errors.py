"""Typed refusals of the clearing house, each with a stable code (answered as problem+json)."""

from __future__ import annotations

from corebank.kernel.errors import Conflict, InvalidRequest, NotAuthenticated, NotFound, PermissionDenied


class BadToken(NotAuthenticated):
    code = "CLEARING_TOKEN_INVALID"
    title = "Present a participant's X-Clearing-Token"


class AdminTokenRequired(NotAuthenticated):
    code = "CLEARING_ADMIN_TOKEN_INVALID"
    title = "Present the clearing house's X-Clearing-Admin-Token"


class ParticipantSuspended(PermissionDenied):
    code = "PARTICIPANT_SUSPENDED"
    title = "This participant is suspended from clearing"


class InstructingAgentMismatch(PermissionDenied):
    code = "INSTRUCTING_AGENT_MISMATCH"
    title = "The message's instructing agent is not the participant whose token came with it"


class NotAddressedToClearing(InvalidRequest):
    code = "NOT_ADDRESSED_TO_CLEARING"
    status = 400
    title = "The message's instructed agent is not the clearing house"


class MessageNotAccepted(InvalidRequest):
    code = "MESSAGE_TYPE_NOT_ACCEPTED"
    status = 400
    title = "The clearing house takes pacs.008.001.09 and pacs.004.001.10 only"


class InvalidParticipant(InvalidRequest):
    code = "INVALID_PARTICIPANT"
    status = 400
    title = "The participant is not valid"


class ParticipantExists(Conflict):
    code = "PARTICIPANT_EXISTS"
    title = "A participant with this code or token exists"


class ParticipantNotFound(NotFound):
    code = "PARTICIPANT_NOT_FOUND"
    title = "No such participant"
