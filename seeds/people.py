"""Persons and households: families living together at one address in one grid."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from graph.persons import FamilyRelation, Role
from graph.policy import Policy
from seeds import identity
from seeds.chunk import Row
from seeds.identity import IdentityFactory

AS_OF = date(2025, 4, 10)  # the seeded world's "today"


@dataclass
class PersonDraft:
    """A person being generated; roles accumulate until the row is emitted."""

    id: str
    name: str
    male: bool
    birth: date
    address: str | None
    protected: dict[str, str | None]
    roles: set[Role] = field(default_factory=set)
    colour: str | None = None
    tags: list[str] = field(default_factory=list)

    @property
    def age(self) -> int:
        """Age in whole years on AS_OF."""
        return (
            AS_OF.year
            - self.birth.year
            - ((AS_OF.month, AS_OF.day) < (self.birth.month, self.birth.day))
        )

    def row(self) -> Row:
        """The row for graph.persons.upsert_persons (protected identifiers only)."""
        return {
            "id": self.id,
            "name": self.name,
            "gender": "male" if self.male else "female",
            "birthDate": self.birth,
            "address": self.address,
            "colourLabel": self.colour,
            "tags": self.tags,
            "roles": sorted(self.roles),
            **self.protected,
        }


@dataclass
class Household:
    """People living together; the head is the first member."""

    members: list[PersonDraft]
    address: str
    since: date

    @property
    def head(self) -> PersonDraft:
        """The household head (户主)."""
        return self.members[0]


class PeopleMaker:
    """Makes persons and households with one seeded Random."""

    def __init__(self, rng: random.Random, identities: IdentityFactory, policy: Policy) -> None:
        self.rng = rng
        self.identities = identities
        self.policy = policy
        self._colours = [(c.code, c.weight / 1000) for c in policy.colour_labels]
        self._tags = [
            (t.code, t.weight / 1000, t.min_age, t.max_age) for t in policy.key_person_tags
        ]

    def person(
        self,
        male: bool,
        age: int,
        address: str | None,
        family_name: str | None = None,
        roles: set[Role] | None = None,
    ) -> PersonDraft:
        """A new person of this sex and age, with valid protected identifiers."""
        rng = self.rng
        birth = AS_OF - timedelta(days=365 * age + rng.randrange(365))
        phone = identity.phone_number(rng) if age >= 16 and rng.random() < 0.92 else None
        issued = self.identities.issue(birth, male, phone)
        name = (family_name or identity.surname(rng)) + identity.given_name(rng, male)
        draft = PersonDraft(issued.person_id, name, male, birth, address, issued.properties)
        draft.roles = set(roles or ())
        self._label(draft, age)
        return draft

    def _label(self, draft: PersonDraft, age: int) -> None:
        draw = self.rng.random()
        for code, share in self._colours:
            if draw < share:
                draft.colour = code
                break
            draw -= share
        for code, share, low, high in self._tags:
            if low <= age <= high and self.rng.random() < share:
                draft.tags.append(code)

    def household(self, address: str, room: int) -> tuple[Household, list[Row]]:
        """A household of at most `room` persons at `address`, and its FAMILY rows (from the
        head or elder, one per pair)."""
        rng = self.rng
        shape = rng.choices(
            ["single", "couple", "nuclear", "three_generations", "single_parent"],
            weights=[14, 24, 42, 15, 5],
        )[0]
        head_age = rng.randint(24, 84) if shape in ("single", "couple") else rng.randint(28, 58)
        head_male = rng.random() < 0.8 if shape != "single_parent" else rng.random() < 0.3
        family_name = identity.surname(rng)
        head = self.person(head_male, head_age, address, family_name, {Role.RESIDENT})
        members = [head]
        ties: list[Row] = []

        def tie(a: PersonDraft, b: PersonDraft, relation: FamilyRelation) -> None:
            ties.append({"fromId": a.id, "toId": b.id, "relation": relation.value})

        spouse = None
        spouse_name = identity.surname(rng)
        if shape in ("couple", "nuclear", "three_generations") and len(members) < room:
            spouse_age = max(20, head_age + rng.randint(-4, 3))
            spouse = self.person(
                not head_male, spouse_age, address, spouse_name, roles={Role.RESIDENT}
            )
            members.append(spouse)
            tie(head, spouse, FamilyRelation.SPOUSE)
        if shape in ("nuclear", "three_generations", "single_parent"):
            father_name = family_name if head_male or spouse is None else spouse_name
            children: list[PersonDraft] = []
            wanted = rng.choices([1, 2, 3], weights=[55, 38, 7])[0]
            for _ in range(min(wanted, room - len(members))):
                age = max(0, head_age - rng.randint(22, 34))
                child = self.person(rng.random() < 0.52, age, address, father_name, {Role.RESIDENT})
                for parent in (head, spouse):
                    if parent is not None:
                        tie(parent, child, FamilyRelation.CHILD)
                for older in children:
                    tie(older, child, FamilyRelation.SIBLING)
                children.append(child)
            children.sort(key=lambda c: c.birth)
            members.extend(children)
        if shape == "three_generations" and len(members) < room:
            elder_age = min(98, head_age + rng.randint(22, 32))
            elder = self.person(rng.random() < 0.4, elder_age, address, roles={Role.RESIDENT})
            members.append(elder)
            tie(elder, head, FamilyRelation.CHILD)
        since = date(rng.randint(1990, 2024), rng.randint(1, 12), rng.randint(1, 28))
        return Household(members, address, since), ties

    def staff(self, address: str | None, roles: set[Role]) -> PersonDraft:
        """A working-age person who serves the district without living in a seeded grid."""
        return self.person(self.rng.random() < 0.6, self.rng.randint(26, 58), address, roles=roles)
