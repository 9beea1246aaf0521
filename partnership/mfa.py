"""Two-factor sign-in (TOTP authenticator apps, with one-time recovery codes), built on django-otp's devices.

Required for strategic leads and administrators, available to everyone. Where the user stands is worked out at
sign-in and kept in the session:
- "verify": has an authenticator and must enter a code before anything else;
- "setup": must set one up before anything else (a lead or administrator without one);
- "verified": entered a code (or set one up) in this session;
- "optional": neither required nor set up.
A role can change while its holder is signed in (a coordinator made lead): `ModelBackend` loads, with the user's own
row on every request, whether their role needs two-factor sign-in, so the middleware re-derives "optional" and
"setup" when that changes, at no extra query.

Replacing an authenticator, making new recovery codes and turning two-factor sign-in off need the password or a
current code as well as the session (`confirm_identity`): a borrowed or stolen session cannot swap the second factor.
"""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

import segno
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth import backends as auth_backends
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from partnership.models import Membership

SESSION_KEY = "vawg_mfa"
VERIFY, SETUP, VERIFIED, OPTIONAL = "verify", "setup", "verified", "optional"
RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def _leads(user):
    return Membership.objects.filter(user=user, role=Membership.Role.STRATEGIC_LEAD)


def is_required(user) -> bool:
    return bool(user.is_staff or user.is_superuser or _leads(user).exists())


class ModelBackend(auth_backends.ModelBackend):
    """Django's, loading with each request's user whether a role of theirs needs two-factor sign-in (an EXISTS in
    the same query: no extra one), so a change of role is seen on the next request."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.annotate(mfa_role_required=Exists(_leads(OuterRef("pk"))))
        try:
            user = users.get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


def required_now(user) -> bool:
    """`is_required` for the request's user, read from what `ModelBackend` loaded with it when it can."""
    role_required = getattr(user, "mfa_role_required", None)
    if role_required is None:  # a user loaded some other way
        return is_required(user)
    return bool(user.is_staff or user.is_superuser or role_required)


def state_for_request(user, state: str | None) -> str:
    """The session's state, re-derived when it is missing or the user's requirement has changed since."""
    if state is None:
        return state_at_sign_in(user)
    if state in (OPTIONAL, SETUP) and (state == SETUP) != required_now(user):
        return state_at_sign_in(user)
    return state


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def state_at_sign_in(user) -> str:
    if has_authenticator(user):
        return VERIFY
    return SETUP if is_required(user) else OPTIONAL


def pending_authenticator(user) -> TOTPDevice:
    """The unconfirmed authenticator being set up, created on first visit to the set-up page."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=AUTHENTICATOR_NAME).first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def qr_code_data_uri(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, dark="#0b0c0c", light="#ffffff")


def secret_for_typing(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _clean(code: str) -> str:
    return "".join(str(code or "").split()).lower()


@transaction.atomic
def confirm_authenticator(*, user, code: str) -> list[str] | None:
    """Confirm the pending authenticator with a code from the app; returns new recovery codes, or None if wrong."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False, name=AUTHENTICATOR_NAME).first()
    if device is None or not device.verify_token(_clean(code)):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return new_recovery_codes(user=user)


@transaction.atomic
def new_recovery_codes(*, user) -> list[str]:
    """Replace the user's recovery codes; each works once. Shown to the user once, stored as django-otp tokens."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code.replace("-", "")) for code in codes])
    return codes


@dataclass(frozen=True)
class Verification:
    """The outcome of checking a code; true when it was accepted."""

    accepted: bool
    # Set when a device was still waiting out django-otp's back-off, so the code was not even checked by it: the
    # person must wait, not retype. The latest such moment, when every device will check a code again.
    retry_at: datetime | None = None

    def __bool__(self) -> bool:
        return self.accepted

    @property
    def throttled(self) -> bool:
        return not self.accepted and self.retry_at is not None


def retry_at(device) -> datetime | None:
    """When django-otp's back-off lets this device check a code again; None if it would check one now."""
    allowed, why = device.verify_is_allowed()
    return None if allowed else (why or {}).get("locked_until") or timezone.now()


def verify(*, user, code: str) -> Verification:
    """A code from the authenticator app, or an unused recovery code (which is then spent)."""
    code = _clean(code)
    if not code:
        return Verification(False)
    # A code goes to the kind of device it looks like, so typing a recovery code does not count as a wrong
    # authenticator code (and slow the authenticator down), nor the other way round.
    if code.isdigit() and len(code) <= 8:
        devices = [(d, code) for d in TOTPDevice.objects.filter(user=user, confirmed=True) if len(code) == d.digits]
    else:
        # StaticDevice.verify_token removes the token: each recovery code works once.
        token = code.replace("-", "")
        devices = [(d, token) for d in StaticDevice.objects.filter(user=user, confirmed=True)]
    waits = []
    for device, token in devices:
        wait = retry_at(device)
        if wait is not None:
            waits.append(wait)
            continue
        if device.verify_token(token):
            return Verification(True)
    return Verification(False, retry_at=max(waits) if waits else None)


def remaining_recovery_codes(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def remove(*, user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


_RECOVERY_CODE = re.compile(r"[0-9a-f]{6}-?[0-9a-f]{6}")


def looks_like_code(secret: str) -> bool:
    """An authenticator code (digits) or a recovery code (xxxxxx-xxxxxx), rather than a password."""
    code = _clean(secret)
    return (code.isdigit() and len(code) <= 8) or bool(_RECOVERY_CODE.fullmatch(code))


def confirm_identity(*, request, secret: str) -> Verification:
    """The signed-in user's password, or a current code (authenticator or recovery), before a change to their second
    factor. Passwords go through `authenticate`, so django-axes counts wrong ones exactly as at sign-in."""
    code = _clean(secret)
    if looks_like_code(secret):
        result = verify(user=request.user, code=code)
        # Passwords are at least 12 characters and never all digits; only a recovery-code lookalike may be one.
        if result or result.throttled or code.isdigit():
            return result
    user = authenticate(request, username=request.user.get_username(), password=secret)
    return Verification(user is not None and user.pk == request.user.pk)
