"""Realistic identities: Chinese names, 18-digit ID-card numbers under 370811, mobile numbers.

Names come from Faker's zh_CN tables (surnames with their frequencies, given names), sampled
with the generator's own seeded `random.Random` (Faker's per-call API costs ~36 µs a name,
too slow for 867,000 residents). ID numbers follow GB 11643: area code, birth date, a
3-digit serial whose last digit is odd for men and even for women, and the mod-11 check
character. Serials are handed out per (birth date, sex), so numbers never collide.
Clear values leave this module only through `protect_person_identifiers`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from itertools import accumulate

from faker.providers.person.zh_CN import Provider as PersonProvider
from faker.providers.phone_number.zh_CN import Provider as PhoneProvider

from graph.personal_data import PersonalDataKey, id_card_check_digit, person_id
from graph.personal_data import protect_person_identifiers as protect
from seeds.rencheng import DISTRICT_CODE

_SURNAMES: tuple[str, ...] = tuple(PersonProvider.last_names)
_SURNAME_CUM: tuple[float, ...] = tuple(
    accumulate(float(w) for w in PersonProvider.last_names.values())
)
_MALE: tuple[str, ...] = tuple(PersonProvider.first_names_male)
_FEMALE: tuple[str, ...] = tuple(PersonProvider.first_names_female)
_PHONE_PREFIXES: tuple[str, ...] = tuple(str(p) for p in PhoneProvider.phonenumber_prefixes)


def surname(rng: random.Random) -> str:
    """A surname drawn by its frequency in China."""
    return rng.choices(_SURNAMES, cum_weights=_SURNAME_CUM)[0]


def given_name(rng: random.Random, male: bool) -> str:
    """A one- or two-character given name."""
    pool = _MALE if male else _FEMALE
    first = rng.choice(pool)
    if len(first) == 1 and rng.random() < 0.35:
        second = rng.choice(pool)
        if len(second) == 1 and second != first:
            return first + second
    return first


def phone_number(rng: random.Random) -> str:
    """An 11-digit mainland mobile number."""
    return rng.choice(_PHONE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"


@dataclass(frozen=True)
class ProtectedIdentity:
    """What may be stored about a person's identifiers, and the derived Person.id."""

    person_id: str
    properties: dict[str, str | None]


class IdentityFactory:
    """Issues unique, valid ID-card numbers and protects them at once (one per human)."""

    def __init__(self, key: PersonalDataKey, audit: list[str] | None = None) -> None:
        self._key = key
        self._serials: dict[tuple[date, bool], int] = {}
        # Tests pass a list to see the clear values issued (nothing else keeps them).
        self._audit = audit

    def id_card(self, birth: date, male: bool) -> str:
        """The next free ID-card number for this birth date and sex."""
        issued = self._serials.get((birth, male), 0)
        serial = 2 * issued + (1 if male else 2)
        if serial > 999:
            raise ValueError(f"no serial left for {birth}")
        self._serials[(birth, male)] = issued + 1
        first17 = f"{DISTRICT_CODE}{birth:%Y%m%d}{serial:03d}"
        return first17 + id_card_check_digit(first17)

    def issue(self, birth: date, male: bool, phone: str | None) -> ProtectedIdentity:
        """A new person's protected identifiers (the clear values are dropped here)."""
        number = self.id_card(birth, male)
        if self._audit is not None:
            self._audit.append(number)
            if phone:
                self._audit.append(phone)
        properties = protect(self._key, number, phone)
        return ProtectedIdentity(person_id(str(properties["idCardHash"])), properties)
