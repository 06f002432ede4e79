"""Security: staff users, roles and permissions, tokens, personal-data encryption, the audit chain."""

from corebank.security.actor import SYSTEM, Actor, make_actor
from corebank.security.crypto import FieldCipher, cipher_for, mask
from corebank.security.permissions import ROLES, P

__all__ = ["ROLES", "SYSTEM", "Actor", "FieldCipher", "P", "cipher_for", "make_actor", "mask"]
