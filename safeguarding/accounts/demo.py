"""A fictional borough for demos, development and load tests (``manage.py seed_borough``).

Everything here is invented: the London Borough of Eastbrook, its "EB" postcodes, its schools,
shops, partner agencies, staff and young people. NHS numbers are in the 999 range that the NHS
never issues, and telephone numbers in the 020 7946 0xxx range Ofcom keeps for drama.

How it is written: the few hundred organisations, teams and users, and the places, guardians
and peer groups (about 1 row in 300 at any scale), through the ORM with ``bulk_create``;
everything that grows with the borough (subjects, young people, memberships, relationships,
cases, allocations, concerns and what they involve, referrals, actions, grants) as plain tuples
through :class:`TableWriter`, in chunks of ``CHUNK`` rows: ``COPY`` on PostgreSQL, one
``executemany`` INSERT elsewhere (SQLite in ``make run``). Primary keys the builder needs are
taken from the tables' own sequences before the rows are written (:meth:`TableWriter.ids`).
No model ``save()`` runs, so its logic is repeated here on purpose: ``Subject`` rows are
written first and each record points at its own, concern and referral references, decision
deadlines and ``logged_at`` are filled in explicitly. Grants are written straight into the
direct foreign-key tables with the same meaning as ``cases.services``: a case's team gets a
view grant on its subject, the allocated worker is named (view and change).

On PostgreSQL a background thread sends each chunk's COPY while the builder makes the next
one, and foreign keys are checked as each COPY ends rather than all at COMMIT (see
``build``). Memory stays flat: the builder keeps a small record per young person
(``Person``) and per place and group, and at most a few chunks of rows, never a whole table.
Measured on PostgreSQL on two shared cores, scale 333 with ``concerns_per_young_person=10``
(100,000 young people, a million concerns, 2.7 million concern subjects) takes about 215 s
(75 s of it in Python, the rest waiting for the database) and at most 240 MB; scale 100 with
it about 80 s and 160 MB. (``seed_borough`` then works out who may see each concern at a place
and the borough's figures: 342 s in all at scale 333.)
"""

from __future__ import annotations

import csv
import io
import queue
import random
import threading
from bisect import bisect
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate, pairwise

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connection, connections, reset_queries, transaction
from django.db.models import Q
from django.utils import timezone

from cases.models import (
    Action,
    Allocation,
    Case,
    Concern,
    ConcernSubject,
    HarmCategory,
    Referral,
    ReferralSubject,
    YoungPerson,
    YoungPersonGroupObjectPermission,
    YoungPersonUserObjectPermission,
    one_working_day_after,
)
from contexts.models import (
    Context,
    ContextGroupObjectPermission,
    ContextGuardian,
    ContextUserObjectPermission,
)
from peers.models import (
    Confidence,
    PeerGroup,
    PeerGroupGroupObjectPermission,
    PeerGroupMembership,
    PeerGroupUserObjectPermission,
    Relationship,
)
from safeguarding.accounts.models import Organisation, Team, User
from safeguarding.notifications.models import Channel
from safeguarding.notifications.services import EVENT_TYPES
from safeguarding.subjects.models import InformationSource, Reliability, Subject, new_references

AUTHORITY_NAME = "London Borough of Eastbrook"
# One password for every demo login, printed by the command: this is demo data, never production.
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105
EMAIL_DOMAIN = "eastbrook-council.example"
DEFAULT_SEED = 2026
BATCH = 2000  # rows per INSERT for the small tables written through the ORM
# Rows are generated and written this many at a time (one COPY per table per chunk), so memory
# stays flat at any scale. (The concerns' random draws are made chunk by chunk: changing it
# changes which borough a seed gives.)
CHUNK = 5000
# Ids and references are taken from the database this many at a time (see take_ids()).
BLOCK = 50_000
HISTORY_DAYS = 548  # about 18 months
# Hours of the day, weighted towards after school and the evening.
HOUR_CUM = list(accumulate([1] * 7 + [2] * 8 + [6] * 7 + [3] * 2))


@dataclass(frozen=True)
class Plan:
    """How much of everything to make at a given scale (all linear in ``scale``)."""

    scale: float
    young_people: int
    contexts: int
    peer_groups: int
    concerns: int
    referrals: int

    @classmethod
    def for_scale(cls, scale: float, concerns_per_young_person: float | None = None) -> Plan:
        young_people = max(1, round(300 * scale))
        if concerns_per_young_person is None:
            concerns = max(1, round(2000 * scale))
        else:  # e.g. 10 at scale 333: 100,000 young people and a million concerns
            concerns = max(1, round(young_people * concerns_per_young_person))
        return cls(
            scale=scale,
            young_people=young_people,
            contexts=max(40, round(40 * scale)),
            peer_groups=max(1, round(20 * scale)),
            concerns=concerns,
            # At least one referral for every status and decision, whatever the scale.
            referrals=max(len(FORCED_REFERRALS), round(400 * scale)),
        )


# --- organisations, teams, people -----------------------------------------------------------


def _words(text: str, sep: str | None = None) -> list[str]:
    """A list from one string: keeps the long tables of names below readable."""
    return text.split(sep)


K = Organisation.Kind
PARTNERS = [
    # (name, kind, e-mail domain)
    ("Eastbrook Police, Safer Neighbourhoods", K.POLICE, "eastbrook-police.example"),
    ("Millbrook Academy", K.SCHOOL, "millbrook-academy.example"),
    ("Fenwick Park School", K.SCHOOL, "fenwickpark.example"),
    ("St Cuthbert's RC High School", K.SCHOOL, "stcuthberts-eb.example"),
    ("Eastbrook Sixth Form College", K.SCHOOL, "eastbrook-college.example"),
    ("Southline Rail", K.TRANSPORT, "southline-rail.example"),
    ("Eastbrook and District Buses", K.TRANSPORT, "eb-buses.example"),
    ("Golden Wings Chicken Ltd", K.BUSINESS, "goldenwings.example"),
    ("Broadway Shopping Centre Management", K.BUSINESS, "broadway-sc.example"),
    ("Eastbrook Homes", K.HOUSING, "eastbrook-homes.example"),
    ("Thornfield Housing Association", K.HOUSING, "thornfield-ha.example"),
    ("Eastbrook Community Health NHS Trust", K.HEALTH, "ebch-nhs.example"),
    ("Eastbrook Youth Service", K.YOUTH_SERVICE, "eastbrook-youth.example"),
    ("Eastbrook Fire and Rescue Service", K.FIRE, "eastbrook-fire.example"),
    ("Eastbrook Interfaith Forum", K.FAITH_COMMUNITY, "eb-interfaith.example"),
    ("Safer Streets Eastbrook", K.VOLUNTARY, "saferstreets-eb.example"),
    ("Millbrook Estate Residents' Association", K.RESIDENTS, "millbrook-tra.example"),
]

CS, NORTH, SOUTH, FRONT_DOOR = range(4)
TEAMS = [
    "Contextual Safeguarding Team",
    "Adolescent Service North",
    "Adolescent Service South",
    "Front Door (MASH)",
]
# Share of young people whose work sits with each team.
TEAM_WEIGHTS = [35, 30, 30, 5]
# Postcode districts each team covers (the Contextual Safeguarding Team works borough-wide).
TEAM_DISTRICTS = [range(1, 9), range(1, 5), range(5, 9), range(1, 9)]

R = User.Role
# (username, first, last, role, team index or None, organisation name or None, job title)
DEMO_USERS = [
    ("tm.jordan", "Jordan", "Okafor", R.TEAM_MANAGER, CS, None, "Team manager"),
    ("sw.amara", "Amara", "Osei", R.SOCIAL_WORKER, CS, None, "Senior social worker"),
    ("sw.liam", "Liam", "Doherty", R.SOCIAL_WORKER, CS, None, "Social worker"),
    ("sw.zainab", "Zainab", "Hussain", R.SOCIAL_WORKER, CS, None, "Social worker"),
    ("tm.rachel", "Rachel", "Whitfield", R.TEAM_MANAGER, NORTH, None, "Team manager"),
    ("sw.daniel", "Daniel", "Kowalski", R.SOCIAL_WORKER, NORTH, None, "Social worker"),
    ("sw.chloe", "Chloe", "Bennett", R.SOCIAL_WORKER, NORTH, None, "Social worker"),
    ("sw.kofi", "Kofi", "Asante", R.SOCIAL_WORKER, NORTH, None, "Social worker"),
    ("tm.marcus", "Marcus", "Campbell", R.TEAM_MANAGER, SOUTH, None, "Team manager"),
    ("sw.fatima", "Fatima", "Begum", R.SOCIAL_WORKER, SOUTH, None, "Social worker"),
    ("sw.tom", "Tom", "Harding", R.SOCIAL_WORKER, SOUTH, None, "Social worker"),
    ("sw.niamh", "Niamh", "Gallen", R.SOCIAL_WORKER, SOUTH, None, "Social worker"),
    ("tm.helen", "Helen", "Fraser", R.TEAM_MANAGER, FRONT_DOOR, None, "Front door manager"),
    ("sw.ella", "Ella", "Nwosu", R.SOCIAL_WORKER, FRONT_DOOR, None, "Duty social worker"),
    ("sm.priya", "Priya", "Sharma", R.SENIOR_MANAGER, None, None, "Head of Adolescent Services"),
    ("admin.dpo", "Grace", "Adeyemi", R.ADMINISTRATOR, None, None, "Data protection officer"),
    ("police.officer", "Sam", "Reid", R.PARTNER, None, PARTNERS[0][0], "Police constable"),
    ("school.dsl", "Joanne", "Pike", R.PARTNER, None, "Millbrook Academy", "Designated lead"),
    ("transport.manager", "Dev", "Malhotra", R.PARTNER, None, "Southline Rail", "Station manager"),
    ("housing.officer", "Ruth", "Ellison", R.PARTNER, None, "Eastbrook Homes", "Housing officer"),
]

# Young people's names, grouped loosely by heritage so a name, a surname and an ethnicity
# recorded together look plausible. Ethnicity labels follow the ONS 2021 categories.
HERITAGES = [
    # (weight, ethnicity, girls' names, boys' names, surnames)
    (
        40,
        "White: English, Welsh, Scottish, Northern Irish or British",
        "Olivia Amelia Isla Ava Lily Sophie Grace Ellie Mia Freya Poppy Evie Chloe Jessica Leah "
        "Millie Holly Megan Kayla Lacey",
        "Oliver Harry Jack George Charlie Alfie Jacob Thomas Riley Kai Tyler Callum Connor Mason "
        "Lewis Kieran Reece Jordan Ryan Harvey",
        "Smith Jones Taylor Brown Wilson Evans Walker Wright Robinson Thompson White Hughes "
        "Edwards Green Hall Wood Harris Clarke Jackson Turner Cooper Ward Mitchell Parker Price",
    ),
    (
        12,
        "Black, Black British, Caribbean or African: African",
        "Amara Chioma Adaeze Ife Zainab Abena Esi Precious Blessing Favour Temi Nia",
        "Kwame Tobi Daniel David Samuel Emmanuel Femi Kofi Chidi Joshua Ayo Michael",
        "Okafor Adeyemi Mensah Osei Boateng Okonkwo Adebayo Asante Owusu Eze Nwosu Oduya",
    ),
    (
        8,
        "Black, Black British, Caribbean or African: Caribbean",
        "Aaliyah Shanice Jade Tia Kiara Renee Imani Destiny Shantelle Naomi",
        "Jayden Tyrell Marcus Andre Jermaine Kyle Isaiah Malachi Darnell Elijah",
        "Campbell Williams Brown Clarke Francis Henry Lewis Morgan Grant Bailey",
    ),
    (
        8,
        "Asian or Asian British: Bangladeshi",
        "Ayesha Fatima Sumaiya Tasnim Nusrat Maryam Sadia Jannat",
        "Mohammed Abdul Rahim Ibrahim Shahid Arif Imran Rayhan",
        "Begum Rahman Ahmed Miah Uddin Islam Hoque Ali Khatun Chowdhury",
    ),
    (
        7,
        "Asian or Asian British: Pakistani",
        "Aisha Hafsa Zara Iqra Amna Noor Safa Hira",
        "Ahmed Bilal Hamza Zain Usman Ali Hassan Saif",
        "Khan Hussain Iqbal Akhtar Malik Shah Butt Mahmood Riaz",
    ),
    (
        6,
        "Asian or Asian British: Indian",
        "Priya Anjali Simran Kiran Riya Diya Navneet Jasleen",
        "Arjun Rohan Aarav Harpreet Karan Vikram Dev Manveer",
        "Patel Sharma Singh Gill Kaur Sandhu Mistry Shah Parmar",
    ),
    (
        8,
        "White: Any other White background",
        "Oliwia Zuzanna Maja Alexandra Ioana Andreea Natalia Julia Gabriela Elena",
        "Jakub Szymon Kacper Filip Andrei Stefan Mateusz Luca Bogdan Marius",
        "Nowak Kowalski Wisniewski Popescu Ionescu Lewandowski Dumitru Kaminski Rusu Ferreira",
    ),
    (
        7,
        "Mixed or Multiple ethnic groups: White and Black Caribbean",
        "Maya Jasmine Leila Skye Tiana Kezia Amelie Aniyah",
        "Tyler Jaden Reuben Kai Leon Elias Rio Zion",
        "Thompson-Grant Reid Simpson Hamilton Allen Fisher Douglas Murray",
    ),
    (
        4,
        "Other ethnic group: Any other ethnic group",
        "Yasmin Sara Lina Hana Mariam Ayan",
        "Omar Yusuf Hamid Karim Abdirahman Mustafa",
        "Mohamud Hassan Abdi Warsame Farah Osman",
    ),
]
HERITAGES = [
    (weight, ethnicity, girls.split(), boys.split(), surnames.split())
    for weight, ethnicity, girls, boys, surnames in HERITAGES
]
ADULT_FIRST = _words(
    "Sarah Claire Helen Joanne Michelle Karen Nicola Emma Lucy Rebecca Paul Mark Andrew David "
    "Stephen Richard Gary Simon Neil Darren Yusuf Adaeze Harjit Nadia Tomasz Femi"
)
ADULT_LAST = _words(
    "Holloway Barker Pritchard Nash Okoro Singh Dunne Fletcher Marsh Kaur Baptiste Lowe Sutton "
    "Hale Rahman Quinn Ellis Foster Grady Zielinski"
)

STREETS = _words(
    "Hawthorn Road,Cobden Street,Station Parade,Larkfield Lane,Alder Way,Tennyson Road,"
    "Brunel Walk,Kestrel Avenue,Orchard Close,Gorse Hill Road,Saffron Street,Wren Crescent,"
    "Marlow Road,Elmstead Gardens,Juniper Drive,Linden Grove,Pelham Street,Rowan Terrace,"
    "Willowbank Road,Yew Tree Close,Beacon Hill,Chandos Road,Glebe Street,Harcourt Avenue",
    sep=",",
)
BLOCKS = _words(
    "Larch Court,Alder Tower,Tennyson House,Saffron Court,Brunel House,Wren Point", sep=","
)
SHORT_NAMES = {
    "Oliver": "Ollie",
    "Alexandra": "Alex",
    "Mohammed": "Mo",
    "Jessica": "Jess",
    "Samuel": "Sam",
    "Daniel": "Dan",
    "Jacob": "Jake",
    "Michael": "Mikey",
    "Elijah": "Eli",
    "Gabriela": "Gabi",
    "Emmanuel": "Manny",
    "Abdirahman": "Abdi",
    "Thomas": "Tom",
    "Joshua": "Josh",
    "Charlie": "Chaz",
    "Natalia": "Nat",
    "Abdul": "Abz",
}
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters Royal Mail uses in an inward code

VULNERABILITIES = [
    "Looked after child (section 20).",
    "Special educational needs; EHC plan in place.",
    "Missing from education since the spring term.",
    "Permanently excluded; attends alternative provision.",
    "Young carer for a parent with a long-term illness.",
    "Previous episodes of going missing from home.",
    "Known to youth justice service (out-of-court disposal).",
    "Diagnosed ADHD; not currently taking medication.",
    "Recently moved into the borough under a housing transfer.",
    "Unaccompanied asylum-seeking child.",
]
CLOSURE_REASONS = [
    "Risk reduced; plan completed and young person engaged with the youth service.",
    "Family moved out of the borough; case transferred to the receiving authority.",
    "Young person turned 18; referred to adult services and the leaving care team.",
    "No further concerns for three months; closed with the young person's agreement.",
]
RESTRICTED_REASONS = [
    "Parent works in the council's children's services; access limited to named staff.",
    "Young person is a witness in a live criminal investigation (police request).",
    "Family relocated for safety; address must not be disclosed.",
    "Relative of a councillor; record restricted on the data protection officer's advice.",
]


# --- places ---------------------------------------------------------------------------------

C = Context.Kind
# The hand-written places of scale 1: (kind, name, description, guardian partner names).
CURATED_CONTEXTS = [
    (
        C.PARK,
        "Millbrook Park",
        "Large park with a skate area and unlit paths by the brook.",
        [PARTNERS[0][0], "Eastbrook Youth Service"],
    ),
    (
        C.PARK,
        "Fenwick Recreation Ground",
        "Playing fields and a pavilion, busy after school.",
        [PARTNERS[0][0]],
    ),
    (
        C.PARK,
        "Ashgrove Fields",
        "Open land behind the retail park; little natural surveillance.",
        [],
    ),
    (C.PARK, "Kestrel Common", "Common with a car park used late at night.", [PARTNERS[0][0]]),
    (C.PARK, "Brookside Playing Fields", "Football pitches and changing rooms.", []),
    (
        C.PARK,
        "Orchard Gardens skate park",
        "Skate park next to the youth club.",
        ["Eastbrook Youth Service"],
    ),
    (C.PARK, "Pelham Street playground", "Small playground between two estates.", []),
    (
        C.ESTATE,
        "Larch Court stairwell, Millbrook Estate",
        "Stairwell with a broken entry door.",
        ["Eastbrook Homes", "Millbrook Estate Residents' Association"],
    ),
    (
        C.ESTATE,
        "Hawthorn Estate",
        "Low-rise estate with garages and walkways.",
        ["Thornfield Housing Association"],
    ),
    (
        C.ESTATE,
        "Alder Tower",
        "Sixteen-storey block; lifts often out of order.",
        ["Eastbrook Homes"],
    ),
    (
        C.ESTATE,
        "Gorse Hill Estate garages",
        "Block of lock-up garages, several unlet.",
        ["Eastbrook Homes"],
    ),
    (
        C.ESTATE,
        "Brunel Walk",
        "Deck-access walkway linking three blocks.",
        ["Thornfield Housing Association"],
    ),
    (C.ESTATE, "Saffron Court", "Mid-rise block near the High Street.", ["Eastbrook Homes"]),
    (C.ESTATE, "Tennyson House", "Block with a communal garden and bin store.", []),
    (
        C.TRANSPORT_HUB,
        "Eastbrook Central station",
        "Main rail station and taxi rank.",
        ["Southline Rail", PARTNERS[0][0]],
    ),
    (
        C.TRANSPORT_HUB,
        "Fenwick Road bus station",
        "Bus station with a covered waiting area.",
        ["Eastbrook and District Buses"],
    ),
    (C.TRANSPORT_HUB, "Millbrook station", "Unstaffed station after 8pm.", ["Southline Rail"]),
    (
        C.TRANSPORT_HUB,
        "Broadway bus interchange",
        "Interchange outside the shopping centre.",
        ["Eastbrook and District Buses", "Broadway Shopping Centre Management"],
    ),
    (
        C.TRANSPORT_ROUTE,
        "Night bus N47",
        "Runs from Eastbrook Central to Kestrel Common.",
        ["Eastbrook and District Buses"],
    ),
    (
        C.TRANSPORT_ROUTE,
        "Route 212 bus",
        "School-time route past three secondary schools.",
        ["Eastbrook and District Buses"],
    ),
    (
        C.TRANSPORT_ROUTE,
        "Southline trains to Thornbury",
        "Line to the coast used for travel out of the borough.",
        ["Southline Rail"],
    ),
    (
        C.SHOP,
        "Golden Wings Chicken, High Street",
        "Fast-food shop open until 2am.",
        ["Golden Wings Chicken Ltd"],
    ),
    (
        C.SHOP,
        "Broadway Shopping Centre",
        "Indoor centre with security staff.",
        ["Broadway Shopping Centre Management"],
    ),
    (C.SHOP, "Kestrel Food and Wine", "Off-licence opposite the common.", []),
    (C.SHOP, "Crispy Crown Chicken, Station Parade", "Takeaway next to the station.", []),
    (C.SHOP, "Station Parade launderette", "Launderette with seating, open late.", []),
    (C.SHOP, "Millbrook Vape and Phone Repairs", "Shop selling phones and SIM cards.", []),
    (C.SHOP, "Fenwick Road 24-hour garage", "Petrol station with a kiosk.", []),
    (C.SHOP, "Larkfield Lane Kebab House", "Takeaway with a back yard.", []),
    (C.SCHOOL, "Millbrook Academy", "Secondary academy, 11-16.", ["Millbrook Academy"]),
    (C.SCHOOL, "Fenwick Park School", "Secondary school, 11-18.", ["Fenwick Park School"]),
    (
        C.SCHOOL,
        "St Cuthbert's RC High School",
        "Voluntary-aided secondary school.",
        ["St Cuthbert's RC High School"],
    ),
    (
        C.SCHOOL,
        "Eastbrook Sixth Form College",
        "Further education college, 16-19.",
        ["Eastbrook Sixth Form College"],
    ),
    (C.SCHOOL, "Larkfield Community School", "Secondary school, 11-16.", []),
    (C.SCHOOL, "Ashgrove Pupil Referral Unit", "Alternative provision for excluded pupils.", []),
    (C.SCHOOL, "Kestrel Primary School", "Primary school, 4-11.", []),
    (C.SCHOOL, "Thornbury Girls' School", "Secondary school for girls, 11-16.", []),
    (
        C.ONLINE,
        "Group chat 'EB Link-Up' on a messaging app",
        "Large group chat where fights and threats are shared.",
        [PARTNERS[0][0]],
    ),
    (C.OTHER, "Eastbrook Leisure Centre car park", "Car park used by cars waiting at night.", []),
    (C.OTHER, "Canal towpath near Lock 9", "Unlit towpath between two estates.", []),
]
CONTEXT_KIND_WEIGHTS = {
    C.PARK: 17,
    C.ESTATE: 18,
    C.TRANSPORT_HUB: 10,
    C.TRANSPORT_ROUTE: 7,
    C.SHOP: 20,
    C.SCHOOL: 20,
    C.ONLINE: 3,
    C.OTHER: 5,
}
PLACE_WORDS = _words(
    "Millbrook Fenwick Ashgrove Kestrel Larkfield Thornbury Brookside Orchard Hawthorn Alder "
    "Saffron Tennyson Brunel Wren Marlow Cobden Elmstead Harcourt Juniper Linden Nettlefield "
    "Oakhurst Pelham Rowan Sorrel Tanners Underhill Vicarage Willowbank Beacon Chandos Dunmore "
    "Foxley Glebe Hollis Quarry Redbourne Sandpit Tollgate Ferrier"
)
PLACE_SUFFIXES = {
    C.PARK: ["Park", "Recreation Ground", "Fields", "Common", "Gardens"],
    C.ESTATE: ["Estate", "Court", "House", "Tower", "Walk"],
    C.TRANSPORT_HUB: ["station", "bus station", "interchange"],
    C.TRANSPORT_ROUTE: ["bus route", "night bus"],
    C.SHOP: ["Food and Wine", "Chicken", "Kebab House", "Phone Repairs", "Express", "Café"],
    C.SCHOOL: ["Academy", "High School", "School", "College"],
    C.ONLINE: ["group chat"],
    C.OTHER: ["Leisure Centre car park", "Community Centre", "allotments", "underpass"],
}
GUARDIAN_ROLES = {
    C.PARK: ("Park warden", "Parks and open spaces"),
    C.ESTATE: ("Estate caretaker", "Housing management"),
    C.TRANSPORT_HUB: ("Station duty manager", "Operations"),
    C.TRANSPORT_ROUTE: ("Bus garage manager", "Operations"),
    C.SHOP: ("Shop manager", "Owner-manager"),
    C.SCHOOL: ("Designated safeguarding lead", "Safeguarding"),
    C.ONLINE: ("Platform trust and safety team", "Contact via police single point of contact"),
    C.OTHER: ("Site manager", "Site management"),
}
GUARDIAN_KINDS = {
    C.PARK: [K.POLICE, K.YOUTH_SERVICE],
    C.ESTATE: [K.HOUSING, K.RESIDENTS],
    C.TRANSPORT_HUB: [K.TRANSPORT, K.POLICE],
    C.TRANSPORT_ROUTE: [K.TRANSPORT],
    C.SHOP: [K.BUSINESS],
    C.SCHOOL: [K.SCHOOL],
    C.ONLINE: [K.POLICE],
    C.OTHER: [K.POLICE, K.FAITH_COMMUNITY, K.VOLUNTARY],
}

PEER_GROUP_NAMES = {
    C.PARK: ["Friends who meet at {}", "Young people seen together at {}"],
    C.ESTATE: ["Young people who spend time at {}", "Friends who meet at {}"],
    C.TRANSPORT_HUB: ["Young people seen together at {}"],
    C.TRANSPORT_ROUTE: ["Group who travel together on the {}"],
    C.SHOP: ["Friends who meet at {}"],
    C.SCHOOL: ["Year 10 friendship group at {}", "Year 11 friendship group at {}"],
    C.ONLINE: ["Young people connected through the {}"],
    C.OTHER: ["Young people seen together at {}"],
}


# --- what happened --------------------------------------------------------------------------

# (slug, weight, [narratives]) -- {yp} is the first young person's initials, {place} where.
HARMS = [
    (
        "cce",
        30,
        [
            "{yp} stopped by police near {place} carrying £340 in cash and two phones; would not "
            "say where the money came from.",
            "School reports {yp} missing afternoon lessons and wearing new expensive clothes; seen "
            "getting into a car with older males near {place}.",
            "{yp} returned from a missing episode with a train ticket to a coastal town; "
            "indicators of being used to sell drugs out of the area.",
            "Staff at {place} report {yp} being handed small packages by an adult and told to "
            "wait there.",
            "{yp} disclosed owing money to an older young person after 'losing' a package; "
            "frightened to walk home past {place}.",
        ],
    ),
    (
        "violence",
        20,
        [
            "{yp} assaulted by a group of young people at {place}; minor injuries, did not want "
            "to make a statement.",
            "Knife found in {yp}'s bag during a search at school; said they carry it for "
            "protection when travelling through {place}.",
            "Fight between two groups of young people at {place}; {yp} involved, and the video was "
            "shared online the same evening.",
            "{yp} robbed of phone and jacket near {place}; believes it was payback for a dispute "
            "that started online.",
        ],
    ),
    (
        "cse",
        15,
        [
            "{yp} seen at {place} late in the evening with adult males not known to the family; "
            "appeared intoxicated.",
            "Residents report {yp} being picked up from {place} by different cars; registrations "
            "passed to police.",
            "{yp} has a new 'boyfriend' aged 22 met online; carer found gifts and a second phone.",
            "Youth worker concerned about sexualised comments made to {yp} by adults who hang "
            "around {place}.",
        ],
    ),
    (
        "missing",
        15,
        [
            "{yp} missing overnight; found the next morning at {place}. Return home interview "
            "offered.",
            "{yp} reported missing by carer for the third time this month; last seen at {place}.",
            "{yp} missing from school for two days; friends say they were staying with older "
            "associates near {place}.",
        ],
    ),
    (
        "online",
        8,
        [
            "{yp} added to a group chat where threats and videos of fights at {place} are shared.",
            "{yp} contacted by an unknown adult on a gaming platform and asked to move the "
            "conversation to another app.",
            "Images of {yp} posted online with their school and area; {yp} frightened to go to "
            "{place}.",
        ],
    ),
    (
        "hsb",
        6,
        [
            "Intimate images of {yp} shared without consent among pupils; the sharing started "
            "at {place}.",
            "Staff saw {yp} touched inappropriately by peers at {place}; designated safeguarding "
            "lead informed.",
            "{yp} made sexualised threats to a younger pupil at {place}; school safety plan "
            "agreed.",
        ],
    ),
    (
        "relationship-abuse",
        4,
        [
            "{yp}'s partner checks their phone and controls who they see; friends worried after "
            "an argument at {place}.",
            "{yp} seen being pushed by their partner at {place}; said nothing was wrong when staff "
            "approached.",
        ],
    ),
    (
        "trafficking",
        1.5,
        [
            "{yp} found at an address outside the borough with no explanation of how they got "
            "there; National Referral Mechanism referral being considered.",
        ],
    ),
    (
        "radicalisation",
        0.5,
        [
            "Teacher concerned about extremist material {yp} has been sharing with peers at "
            "{place}; discussed with the Prevent lead.",
        ],
    ),
]
# A second category that often goes with the first.
HARM_PAIRS = {
    "cce": "missing",
    "cse": "online",
    "missing": "cce",
    "violence": "cce",
    "online": "hsb",
    "hsb": "online",
    "relationship-abuse": "cse",
    "trafficking": "cce",
    "radicalisation": "online",
}
LOCATIONS_IN_WORDS = [
    "the alleyway behind Station Parade",
    "the underpass by the ring road",
    "the High Street",
    "Cobden Street",
    "the retail park",
    "Marlow Road",
]
CONTEXT_REFERRAL_NARRATIVES = [
    "Staff report groups of young people gathering at {place} after school, with older adults "
    "arriving in cars. Requesting a multi-agency response to the location.",
    "Several incidents at {place} over the past month: young people intimidated, one robbery "
    "and drug paraphernalia found. Asking whether the council can assess the place.",
    "Residents raised concerns about young people being approached at {place} late at night.",
]
REFERRAL_ENDINGS = [
    "Parent is aware of this referral.",
    "Young person does not know about this referral; telling them may increase risk.",
    "Referrer is worried the situation is escalating and asks for an assessment.",
    "Consent discussed with the young person, who agreed to information being shared.",
]
DECISION_REASONS = {
    Referral.Decision.NO_FURTHER_ACTION: "Information recorded; threshold for further action "
    "not met. Referrer informed.",
    Referral.Decision.SIGNPOST: "Signposted to the youth service detached team and school "
    "pastoral support.",
    Referral.Decision.EARLY_HELP: "Family agreed to early help; passed to the Early Help Hub.",
    Referral.Decision.YOUNG_PERSON_ASSESSMENT: "Extra-familial risk indicators present; an "
    "assessment of the young person will be completed.",
    Referral.Decision.STRATEGY_DISCUSSION: "Reasonable cause to suspect significant harm; "
    "strategy discussion with police and health convened.",
    Referral.Decision.CONTEXT_ASSESSMENT: "Several concerns linked to the same place; the "
    "Contextual Safeguarding Team will complete a neighbourhood assessment.",
    Referral.Decision.MACE: "Links between young people, adults and places suggest "
    "exploitation; referred to the MACE panel.",
}
ST, DE = Referral.Status, Referral.Decision
# One referral in every state and with every decision, so the demo (and the tests) always have
# something in each queue, whatever the scale.
FORCED_REFERRALS = [(ST.RECEIVED, ""), (ST.SCREENING, "")]
FORCED_REFERRALS += [(ST.DECIDED, d) for d in DE.values] + [(ST.CLOSED, d) for d in DE.values]
# Choices' .values builds a new list on every access: read them once.
STATUSES, RISKS, CONFIDENCES = ST.values, Case.Risk.values, Confidence.values
CONSENTS, URGENCIES = Referral.Consent.values, Referral.Urgency.values
REFERRER_ROLES = {
    K.LOCAL_AUTHORITY: "Social worker",
    K.POLICE: "Police constable, Safer Neighbourhood Team",
    K.SCHOOL: "Designated safeguarding lead",
    K.TRANSPORT: "Station manager",
    K.BUSINESS: "Store manager",
    K.HOUSING: "Housing officer",
    K.HEALTH: "School nurse",
    K.YOUTH_SERVICE: "Detached youth worker",
    K.FIRE: "Community safety officer",
    K.FAITH_COMMUNITY: "Youth leader",
    K.VOLUNTARY: "Project worker",
    K.RESIDENTS: "Chair",
}
REFERRAL_SOURCE_WEIGHTS = {
    K.POLICE: 35,
    K.SCHOOL: 25,
    K.HEALTH: 10,
    K.LOCAL_AUTHORITY: 10,
    K.HOUSING: 5,
    K.YOUTH_SERVICE: 5,
    K.TRANSPORT: 4,
    K.VOLUNTARY: 3,
    K.BUSINESS: 2,
    K.RESIDENTS: 1,
    K.FIRE: 0.5,
    K.FAITH_COMMUNITY: 0.5,
}
SOURCE_WEIGHTS = {
    InformationSource.POLICE: 30,
    InformationSource.SCHOOL: 20,
    InformationSource.PROFESSIONAL: 20,
    InformationSource.PARTNER_AGENCY: 10,
    InformationSource.FAMILY: 8,
    InformationSource.YOUNG_PERSON: 5,
    InformationSource.COMMUNITY: 5,
    InformationSource.ANONYMOUS: 2,
}
SOURCE_DETAILS = {
    InformationSource.POLICE: [
        "Safer Neighbourhood Team",
        "Police intelligence report",
        "Stop and search record",
    ],
    InformationSource.SCHOOL: ["Designated safeguarding lead", "Head of year"],
    InformationSource.PROFESSIONAL: [
        "Allocated social worker",
        "Detached youth worker",
        "Return home interview",
    ],
    InformationSource.PARTNER_AGENCY: ["Housing officer", "Station staff", "School nurse"],
    InformationSource.FAMILY: ["Mother", "Father", "Foster carer", "Grandmother"],
    InformationSource.YOUNG_PERSON: ["Direct disclosure"],
    InformationSource.COMMUNITY: ["Resident", "Shop worker"],
    InformationSource.ANONYMOUS: ["Anonymous call to the front door"],
}
RELIABILITY_WEIGHTS = {
    Reliability.CONFIRMED: 30,
    Reliability.RELIABLE: 40,
    Reliability.UNTESTED: 25,
    Reliability.DOUBTFUL: 5,
}


# --- the builder ----------------------------------------------------------------------------


WORKER_ACTIONS = [
    "Complete the exploitation screening tool with the young person.",
    "Visit at home and talk through the safety map together.",
    "Speak to the designated safeguarding lead about attendance and lateness.",
    "Share the return-home interview with the missing persons coordinator.",
    "Arrange a joint visit with the youth worker.",
    "Update the chronology with the police intelligence shared at the strategy meeting.",
    "Refer to the sexual health outreach service, with consent.",
    "Review the disruption plan with the police safeguarding lead.",
]
PARTNER_ACTIONS = [
    "Review CCTV coverage of the entrance and share any blind spots.",
    "Brief staff on spotting and reporting signs of exploitation.",
    "Increase patrols between 15:00 and 19:00 on school days.",
    "Fix the broken lighting in the stairwell and the rear alley.",
    "Nominate a named contact for the context safety plan.",
    "Display the safe-space poster and agree how staff will respond.",
]


class Person:
    """What the builder remembers about a young person after writing it (kept small)."""

    __slots__ = (
        "address",
        "age",
        "case_team",
        "dob",
        "family",
        "given",
        "heritage",
        "id",
        "initials",
        "postcode",
        "restricted",
        "school_id",
        "subject_id",
        "team",
        "worker",
    )

    def __init__(self, **values):
        for slot in self.__slots__:
            setattr(self, slot, values.get(slot))


@dataclass
class DemoLogin:
    username: str
    role: str
    where: str


@dataclass
class Result:
    authority: Organisation
    logins: list[DemoLogin] = field(default_factory=list)


def bulk(model, objs: list) -> list:
    """``bulk_create`` in batches, then forget the SQL (for the small tables built as models).

    With DEBUG on (development) Django keeps the last 9,000 statements: at large scales that
    log of multi-row INSERTs would be the biggest thing in memory. The seed has no use for it.
    """
    created = model.objects.bulk_create(objs, batch_size=BATCH)
    reset_queries()
    return created


class TableWriter:
    """Writes rows, given as tuples, straight into a model's table in the current transaction.

    PostgreSQL: ``COPY ... FROM STDIN`` (CSV), the fastest way in, sent by a background thread
    on this same connection (so in the same transaction), so that the database takes in one
    chunk while the builder makes the next. psycopg2 lets threads share a connection, but a COPY
    streams its data outside psycopg2's lock: nothing else may use the connection meanwhile.
    So call :meth:`wait` (it returns once the queue is empty and the thread idle) before any
    other query, through the ORM or not; :meth:`ids` and :meth:`taken` do so themselves. Call
    :meth:`close` before the transaction ends. Elsewhere (SQLite, for ``make run``): one
    ``executemany`` INSERT per call, done before :meth:`write` returns.

    Either way no model instance is built and no ``save()``, signal or ``auto_now`` runs:
    ``fields`` names the columns each row gives, in order (field names or attnames such as
    ``"subject_id"``), and every other column gets its field's default, or the time of the
    call for ``auto_now``/``auto_now_add`` fields. Primary keys: give ``"id"`` with values from
    :meth:`ids`, or leave it out and the database numbers the rows.
    """

    # COPYs handed over but not yet started: with the one running, at most this + 1 chunks are
    # held in memory.
    QUEUED = 2

    def __init__(self, *, use_copy: bool | None = None):
        postgresql = connection.vendor == "postgresql"
        if use_copy and not postgresql:
            raise ValueError("COPY needs PostgreSQL.")
        self.use_copy = postgresql if use_copy is None else use_copy
        self._next_id: dict[str, int] = {}  # SQLite: the next free id per table
        self._jobs: queue.Queue = queue.Queue(maxsize=self.QUEUED)
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._abandon = False

    def ids(self, model, count: int) -> list[int]:
        """``count`` new primary keys for ``model``, ascending (rows keep the order they were made).

        PostgreSQL: drawn from the table's own sequence, as inserts would draw them, so later
        inserts (and any concurrent ones) never clash. SQLite: counted on from the highest id the
        table has ever had (``sqlite_sequence``, which AUTOINCREMENT keeps), which is safe because
        SQLite has one writer at a time and this transaction, having written the authority
        already, holds the write lock until it commits.
        """
        if count <= 0:
            return []
        self.wait()
        table, pk = model._meta.db_table, model._meta.pk.column
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [connection.ops.quote_name(table), pk, count],
                )
                return sorted(row[0] for row in cursor.fetchall())
            if table not in self._next_id:
                qn = connection.ops.quote_name
                cursor.execute(f"SELECT MAX({qn(pk)}) FROM {qn(table)}")  # noqa: S608 (names)
                highest = cursor.fetchone()[0] or 0
                if connection.vendor == "sqlite":
                    cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                    row = cursor.fetchone()
                    highest = max(highest, row[0] if row else 0)
                self._next_id[table] = highest + 1
        first = self._next_id[table]
        self._next_id[table] = first + count
        return list(range(first, first + count))

    def taken(self, model, column: str, values: Sequence[str]) -> set[str]:
        """Which of ``values`` the table already has in ``column`` (all rows written so far)."""
        self.wait()
        qn = connection.ops.quote_name
        found = set()
        with connection.cursor() as cursor:
            # Plain SQL: the ORM's handling of a 5,000-value IN list costs more than the query.
            for start in range(0, len(values), REFERENCE_CHECK):
                batch = values[start : start + REFERENCE_CHECK]
                cursor.execute(
                    f"SELECT {qn(column)} FROM {qn(model._meta.db_table)} "  # noqa: S608 (names)
                    f"WHERE {qn(column)} IN ({', '.join(['%s'] * len(batch))})",
                    batch,
                )
                found.update(row[0] for row in cursor.fetchall())
        return found

    def write(self, model, fields: Sequence[str], rows: Sequence[tuple]) -> None:
        """Insert ``rows`` (tuples of Python values in ``fields`` order) into ``model``'s table."""
        if not rows:
            return
        opts = model._meta
        given = [opts.get_field(name) for name in fields]
        named = {f.attname for f in given}
        rest = [f for f in opts.concrete_fields if f.attname not in named and not f.primary_key]
        now = timezone.now()
        constants = tuple(
            now
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            # Fields without a default: "" for text, None otherwise (as Django would write).
            else f.get_default()
            for f in rest
        )
        columns = given + rest
        if self.use_copy:
            self._copy(opts.db_table, columns, rows, constants)
        else:
            self._insert(opts.db_table, columns, rows, constants)
        reset_queries()

    def wait(self) -> None:
        """Return once every row handed to :meth:`write` is in its table (or raise its error)."""
        if self._thread is not None:
            self._jobs.join()
        self._raise_if_failed()

    def close(self) -> BaseException | None:
        """Stop the background writer and return the error it met, if any. Call it before the
        transaction ends: after :meth:`wait` when all went well; after a failure it drops what
        is still queued and waits for the COPY in progress, so that nothing uses the
        connection once the transaction has been rolled back."""
        if self._thread is not None:
            self._abandon = True  # anything still queued (only after a failure)
            self._jobs.put(None)
            self._thread.join()
            self._thread = None
        return self._error

    def _raise_if_failed(self):
        if self._error is not None:
            raise self._error

    def _copy(self, table, columns, rows, constants):
        # CSV: the csv module (C) quotes what needs quoting. An unquoted empty value reads as
        # NULL, so text columns that cannot be NULL are read with FORCE_NOT_NULL (empty string);
        # a nullable text column could not tell "" from None, so none is allowed here.
        qn = connection.ops.quote_name
        text = [f for f in columns if f.empty_strings_allowed]
        if any(f.null for f in text):
            raise ValueError(f"{table}: nullable text columns cannot be written with COPY CSV.")
        # Encoded here, not in the writer thread: it needs the interpreter, the COPY does not.
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerows((row + constants for row in rows) if constants else rows)
        buffer.seek(0)
        options = "FORMAT csv"
        if text:
            options += f", FORCE_NOT_NULL ({', '.join(qn(f.column) for f in text)})"
        sql = (
            f"COPY {qn(table)} ({', '.join(qn(f.column) for f in columns)}) "
            f"FROM STDIN WITH ({options})"
        )
        self._raise_if_failed()
        if self._thread is None:
            # The connection this thread uses (django.db.connection is per thread).
            wrapper = connections[DEFAULT_DB_ALIAS]
            wrapper.ensure_connection()
            self._thread = threading.Thread(
                target=self._run, args=(wrapper,), name="seed-copy", daemon=True
            )
            self._thread.start()
        self._jobs.put((sql, buffer))  # blocks while QUEUED are waiting: memory stays flat

    def _run(self, wrapper):
        """The writer thread: COPY each job in turn until the sentinel (None)."""
        while True:
            job = self._jobs.get()
            try:
                if job is None:
                    return
                if self._error is None and not self._abandon:
                    sql, buffer = job
                    # Django's exception classes (IntegrityError ...), as its cursors would raise.
                    with wrapper.wrap_database_errors, wrapper.connection.cursor() as cursor:
                        cursor.copy_expert(sql, buffer, 1 << 20)  # read 1 MiB at a time
            except BaseException as error:  # handed to the builder in wait() or close()
                self._error = error
            finally:
                self._jobs.task_done()

    def _insert(self, table, columns, rows, constants):
        qn = connection.ops.quote_name
        sql = (
            f"INSERT INTO {qn(table)} ({', '.join(qn(f.column) for f in columns)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        prepared = [
            tuple(
                f.get_db_prep_save(v, connection)
                for f, v in zip(columns, row + constants, strict=True)
            )
            for row in rows
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, prepared)


def _weighted(mapping: dict) -> tuple[list, list]:
    """Population and cumulative weights, for :func:`pick`."""
    return list(mapping), list(accumulate(mapping.values()))


def pick(rng: random.Random, population, cum_weights: list):
    """``rng.choices(population, cum_weights=cum_weights)[0]``: the same draw from the same
    random number (so the same seed gives the same borough), without building a list per call.
    """
    return population[
        bisect(cum_weights, rng.random() * (cum_weights[-1] + 0.0), 0, len(cum_weights) - 1)
    ]


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# Fields written for each kind of row, in the order the builder's tuples give them.
SUBJECT_FIELDS = ("id", "kind", "reference", "authority_id")
YOUNG_PERSON_FIELDS = (
    "id",
    "subject_id",
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "gender",
    "ethnicity",
    "address",
    "postcode",
    "school_id",
    "nhs_number",
    "vulnerabilities",
)
MEMBERSHIP_FIELDS = (
    "peer_group_id",
    "young_person_id",
    "joined_on",
    "left_on",
    "confidence",
    "source",
    "source_detail",
    "recorded_by_id",
)
RELATIONSHIP_FIELDS = (
    "from_person_id",
    "to_person_id",
    "kind",
    "source",
    "reliability",
    "notes",
    "started_on",
    "recorded_by_id",
)
CASE_FIELDS = (
    "id",
    "subject_id",
    "status",
    "team_id",
    "allocated_worker_id",
    "risk",
    "next_review_due",
    "opened_at",
    "opened_by_id",
    "closed_at",
    "closure_reason",
)
ALLOCATION_FIELDS = (
    "case_id",
    "team_id",
    "worker_id",
    "started_at",
    "ended_at",
    "allocated_by_id",
    "reason",
)
CONCERN_FIELDS = (
    "id",
    "authority_id",
    "reference",
    "occurred_at",
    "location_description",
    "narrative",
    "source",
    "source_detail",
    "reliability",
    "logged_by_id",
    "logged_at",
)
INVOLVEMENT_FIELDS = ("concern_id", "subject_id", "part")
REFERRAL_FIELDS = (
    "id",
    "authority_id",
    "reference",
    "decision_due_at",
    "received_at",
    "source_organisation_id",
    "referred_by_id",
    "referrer_name",
    "referrer_role",
    "referrer_email",
    "referrer_phone",
    "urgency",
    "narrative",
    "consent",
    "lawful_basis",
    "status",
    "decision",
    "decision_reason",
    "decided_by_id",
    "decided_at",
)
REFERRAL_SUBJECT_FIELDS = (
    "referral_id",
    "kind",
    "subject_id",
    "described_name",
    "described_date_of_birth",
    "described_address",
    "described_postcode",
    "described_place_kind",
)
ACTION_FIELDS = (
    "subject_id",
    "description",
    "owner_user_id",
    "owner_organisation_id",
    "due_on",
    "status",
    "created_by_id",
    "completed_at",
    "overdue_notified_at",
)
GROUP_GRANT_FIELDS = ("content_object_id", "group_id", "permission_id")
USER_GRANT_FIELDS = ("content_object_id", "user_id", "permission_id")
# Reference clash checks go to the database this many at a time (SQLite's limit on
# parameters in one statement is 32,766).
REFERENCE_CHECK = 5000
# Cumulative weights for the draws made once per row (see pick()).
HOURS = range(24)
TEAM_CUM = list(accumulate(TEAM_WEIGHTS))
RISK_CUM = list(accumulate([20, 40, 25, 15]))
STATUS_CUM = list(accumulate([8, 6, 20, 66]))
DECISION_CUM = list(accumulate([25, 15, 15, 20, 10, 8, 7]))
CONSENT_CUM = list(accumulate([50, 15, 35]))
URGENCY_CUM = list(accumulate([70, 25, 5]))
PEOPLE_PER_CONCERN, PEOPLE_PER_CONCERN_CUM = (1, 2, 3), list(accumulate((55, 30, 15)))
ACTION_STATUSES = [Action.Status.OPEN, Action.Status.IN_PROGRESS, Action.Status.DONE]
ACTION_STATUS_CUM = list(accumulate([45, 35, 20]))


class BoroughBuilder:
    """Builds the borough in one transaction: organisations, teams, users, places, guardians
    and peer groups through the ORM (about one row in 300), everything else as tuples through
    a :class:`TableWriter` (COPY on PostgreSQL), chunk by chunk so memory stays flat.

    ``use_copy``: None picks COPY on PostgreSQL and INSERTs elsewhere; False forces the INSERT
    path (the tests compare the two on PostgreSQL).
    """

    def __init__(
        self,
        scale: float = 1.0,
        seed: int = DEFAULT_SEED,
        concerns_per_young_person: float | None = None,
        *,
        use_copy: bool | None = None,
    ):
        self.plan = Plan.for_scale(scale, concerns_per_young_person)
        self.rng = random.Random(seed)
        # Whole minutes: nothing seeded claims a precision it does not have.
        self.now = timezone.now().replace(second=0, microsecond=0)
        self.today = timezone.localdate(self.now)
        self.tz = timezone.get_current_timezone()
        self.latest = self.now - timedelta(hours=1)  # nothing seeded happened in the last hour
        self.writer = TableWriter(use_copy=use_copy)
        # model -> ids and references taken from the database in blocks, not yet used
        self.spare_ids: dict[type, deque] = defaultdict(deque)
        self.spare_references: dict[type, deque] = defaultdict(deque)
        self.due_after: dict[date, timedelta] = {}  # see decision_due()
        self.result: Result | None = None

    # -- helpers ---------------------------------------------------------------------------

    def take_ids(self, model, count: int) -> list[int]:
        """The next ``count`` primary keys for ``model``, in order.

        Taken from the database ``BLOCK`` at a time: asking waits for the background COPYs to
        finish, so asking once per chunk would stop the database and the builder working at
        the same time. (Ids left over at the end are gaps in the sequence, as after a rollback.)
        """
        spare = self.spare_ids[model]
        if len(spare) < count:
            spare.extend(self.writer.ids(model, max(count - len(spare), BLOCK)))
        return [spare.popleft() for _ in range(count)]

    def take_references(self, model, prefix: str, count: int) -> list[str]:
        """The next ``count`` new references for ``model`` (with a unique ``reference``).

        References are random; among a million a repeat is unlikely (about 1 in 2,000) but
        would abort the whole seed at the unique constraint. So they are drawn ``BLOCK`` at a
        time and each block is checked against itself, the references still unused and the
        table, once every row made so far is in it (this borough's or another's); clashes are
        drawn again. That keeps memory flat, where remembering every reference would not.
        """
        spare = self.spare_references[model]
        wanted = max(count - len(spare), BLOCK) if len(spare) < count else 0
        while wanted:
            unused = set(spare)
            drawn = [r for r in dict.fromkeys(new_references(prefix, wanted)) if r not in unused]
            taken = self.writer.taken(model, "reference", drawn)
            fresh = [ref for ref in drawn if ref not in taken]
            spare.extend(fresh)
            wanted -= len(fresh)
        return [spare.popleft() for _ in range(count)]

    def subjects(self, kind: str, count: int) -> list[int]:
        """Write ``count`` new subjects of ``kind`` and return their ids, in order."""
        ids = self.take_ids(Subject, count)
        refs = self.take_references(Subject, Subject.PREFIXES[kind], count)
        la = self.la.pk
        self.writer.write(
            Subject,
            SUBJECT_FIELDS,
            [(pk, kind, ref, la) for pk, ref in zip(ids, refs, strict=True)],
        )
        return ids

    def postcode(self, districts) -> str:
        rng = self.rng
        letters = rng.choice(INWARD_LETTERS) + rng.choice(INWARD_LETTERS)
        return f"EB{rng.choice(districts)} {rng.randint(1, 9)}{letters}"

    def address(self) -> str:
        rng = self.rng
        if rng.random() < 0.35:
            return f"Flat {rng.randint(1, 96)}, {rng.choice(BLOCKS)}\nEastbrook"
        return f"{rng.randint(1, 180)} {rng.choice(STREETS)}\nEastbrook"

    def nhs_number(self) -> str:
        # 999 numbers are never issued to patients; the check digit still follows modulus 11.
        while True:
            digits = [9, 9, 9] + [self.rng.randint(0, 9) for _ in range(6)]
            check = 11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11
            if check == 10:
                continue
            digits.append(0 if check == 11 else check)
            s = "".join(map(str, digits))
            return f"{s[:3]} {s[3:6]} {s[6:]}"

    def moment(self, days_ago_min: int, days_ago_max: int) -> datetime:
        """A time on a day in the past, mostly afternoons and evenings (when most harm happens).

        Whole days back from today, never from the current time: the same seed then gives the
        same borough all day, whatever the hour it runs. (An aware local time, built directly:
        what ``timezone.make_aware`` would return, without its checks on a million calls.)
        """
        rng = self.rng
        day = self.today - timedelta(days=rng.randint(days_ago_min, days_ago_max))
        hour = pick(rng, HOURS, HOUR_CUM)
        when = datetime(day.year, day.month, day.day, hour, rng.randrange(0, 60, 5), tzinfo=self.tz)
        return when - timedelta(days=1) if when > self.latest else when

    def decision_due(self, received: datetime) -> datetime:
        """``one_working_day_after(received)``, worked out once per day received.

        The deadline is the same local time a whole number of working days later, and that
        number depends only on the day; the function builds a bank-holiday calendar on each
        call, which over 100,000 referrals costs minutes.
        """
        local = timezone.localtime(received)
        day = local.date()
        if day not in self.due_after:
            self.due_after[day] = one_working_day_after(received).date() - day
        return local + self.due_after[day]

    def adult_name(self) -> str:
        return f"{self.rng.choice(ADULT_FIRST)} {self.rng.choice(ADULT_LAST)}"

    # -- the run ---------------------------------------------------------------------------

    @transaction.atomic
    def build(self) -> Result:
        postgresql = connection.vendor == "postgresql"
        try:
            if postgresql:
                # Check each foreign key as its rows arrive, not all at COMMIT: the checks then
                # run while the next chunk is being made, and the queue of pending checks (ten
                # million at scale 333) does not pile up in the server's memory. Parents are
                # always written before their children.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            steps = (
                self.organisations,
                self.teams_and_users,
                self.contexts,
                self.young_people,
                self.peer_groups,
                self.relationships,
                self.cases,
                self.concerns,
                self.referrals,
                self.actions,
                self.grants,
            )
            for step in steps:
                # Steps read and write with the ORM too: nothing may be streaming meanwhile.
                self.writer.wait()
                step()
            self.writer.wait()
            if postgresql:
                # Back to how Django creates them (every deferrable constraint here is
                # INITIALLY DEFERRED), for whatever else the caller's transaction does.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        except BaseException:
            failed = self.writer.close()
            if failed is not None:
                # A COPY failed in the writer thread: its error is the one to see (what the
                # builder met afterwards, in the aborted transaction, only follows from it).
                raise failed  # noqa: B904 (chained to the later error by the interpreter)
            raise
        self.writer.close()
        return self.result

    def organisations(self):
        self.la = Organisation.objects.create(
            name=AUTHORITY_NAME,
            kind=K.LOCAL_AUTHORITY,
            safeguarding_email=f"mash@{EMAIL_DOMAIN}",
        )
        self.result = Result(authority=self.la)
        self.partners = Organisation.objects.bulk_create(
            [
                Organisation(
                    name=name,
                    kind=kind,
                    authority=self.la,
                    safeguarding_email=f"safeguarding@{domain}",
                )
                for name, kind, domain in PARTNERS
            ]
        )
        # Each partner is told of every kind of event at its safeguarding mailbox (in `make run`
        # the emails are printed on the console).
        Channel.objects.bulk_create(
            [
                Channel(
                    organisation=o,
                    kind=Channel.Kind.EMAIL,
                    email=o.safeguarding_email,
                    event_types=list(EVENT_TYPES),
                    description="Safeguarding mailbox",
                )
                for o in self.partners
            ]
        )
        self.org_by_name = {o.name: o for o in self.partners}
        self.org_by_name[self.la.name] = self.la
        self.orgs_by_kind = defaultdict(list)
        for org in [self.la, *self.partners]:
            self.orgs_by_kind[org.kind].append(org)

    def teams_and_users(self):
        rng = self.rng
        # Team.save() creates each team's guardian group: a handful of rows, saved one by one.
        self.teams = [Team.objects.create(organisation=self.la, name=name) for name in TEAMS]
        # Hashing is deliberately slow; every demo login shares one password, so hash it once.
        demo_hash = make_password(DEMO_PASSWORD)
        users = []
        for username, first, last, role, team, org_name, title in DEMO_USERS:
            org = self.org_by_name[org_name] if org_name else self.la
            users.append(
                User(
                    username=username,
                    first_name=first,
                    last_name=last,
                    role=role,
                    organisation=org,
                    team=self.teams[team] if team is not None else None,
                    job_title=title,
                    email=f"{username}@{EMAIL_DOMAIN}",
                    password=demo_hash,
                    is_staff=role == R.ADMINISTRATOR,
                    # Demo logins sign in without a second factor: honoured in development
                    # mode only (safeguarding/accounts/middleware.py), never in production.
                    mfa_exempt_demo=True,
                )
            )
            label = self.teams[team].name if team is not None else org.name
            self.result.logins.append(DemoLogin(username, R(role).label, label))
        # More caseworkers as the scale grows, so caseloads stay plausible: real accounts, but
        # with no usable password (they are not demo logins).
        for t, team in enumerate(self.teams):
            have = sum(1 for u in users if u.team is team and u.role == R.SOCIAL_WORKER)
            wanted = max(have, round(have * self.plan.scale))
            for n in range(wanted - have):
                heritage = rng.choice(HERITAGES)
                first = rng.choice(heritage[2] + heritage[3])
                username = f"sw.t{t + 1}.{n + 1:05d}"
                user = User(
                    username=username,
                    first_name=first,
                    last_name=rng.choice(heritage[4]),
                    role=R.SOCIAL_WORKER,
                    organisation=self.la,
                    team=team,
                    job_title="Social worker",
                    email=f"{username}@{EMAIL_DOMAIN}",
                )
                user.set_unusable_password()
                users.append(user)
        self.users = bulk(User, users)
        self.by_username = {u.username: u for u in self.users}
        self.workers = [[] for _ in self.teams]
        self.managers = [None] * len(self.teams)
        for u in self.users:
            if u.team is None:
                continue
            t = self.teams.index(u.team)
            if u.role == R.SOCIAL_WORKER:
                self.workers[t].append(u)
            else:
                self.managers[t] = u
        # Who logs a team's concerns: its workers and its manager (one list per team, made
        # once: at scale 333 a team has a thousand workers).
        self.loggers = [
            [u.pk for u in self.workers[t]] + [self.managers[t].pk] for t in range(len(self.teams))
        ]
        self.staff = [u for u in self.users if u.role in User.STAFF_ROLES]

    def contexts(self):
        rng = self.rng
        rows = list(CURATED_CONTEXTS)
        names = {name for _, name, _, _ in rows}
        kinds, cum = _weighted(CONTEXT_KIND_WEIGHTS)
        while len(rows) < self.plan.contexts:
            kind = pick(rng, kinds, cum)
            word, suffix = rng.choice(PLACE_WORDS), rng.choice(PLACE_SUFFIXES[kind])
            if kind == C.TRANSPORT_ROUTE:
                name = f"{word} {suffix} {rng.randint(100, 499)}"
            elif kind == C.ONLINE:
                name = f"'{word} Crew' {suffix} on a messaging app"
            else:
                name = f"{word} {suffix}"
            base, n = name, 2
            while name in names:
                name, n = f"{base} ({n})", n + 1
            names.add(name)
            orgs = self._guardian_orgs(kind)
            picked = rng.sample(orgs, k=min(len(orgs), rng.randint(0, 1)))
            rows.append((kind, name, "", [o.name for o in picked]))
        # Places are few (13,000 at scale 333) and used as models below: the ORM writes them.
        subject_ids = self.subjects(Subject.Kind.CONTEXT, len(rows))
        contexts = []
        for subject_id, (kind, name, description, _) in zip(subject_ids, rows, strict=True):
            online = kind == C.ONLINE
            contexts.append(
                Context(
                    subject_id=subject_id,
                    name=name,
                    kind=kind,
                    description=description,
                    address="" if online else f"{name}\nEastbrook",
                    postcode="" if online else self.postcode(range(1, 9)),
                    created_by=rng.choice(self.staff),
                )
            )
        self.writer.wait()  # the subjects are in their table before the places point at them
        self.context_list = bulk(Context, contexts)
        guardians = []
        for ctx, (kind, _, _, partner_names) in zip(self.context_list, rows, strict=True):
            for org_name in partner_names:
                guardians.append(
                    ContextGuardian(
                        context=ctx,
                        organisation=self.org_by_name[org_name],
                        role=GUARDIAN_ROLES[kind][1],
                    )
                )
            if rng.random() < 0.6 or not partner_names:
                guardians.append(
                    ContextGuardian(
                        context=ctx,
                        name=GUARDIAN_ROLES[kind][0],
                        role=GUARDIAN_ROLES[kind][1],
                        contact=f"020 7946 0{rng.randint(0, 999):03d}",
                        notes="Met during a walkabout; willing to share concerns with the team.",
                    )
                )
        bulk(ContextGuardian, guardians)
        # Harm gathers in a few places: a long-tailed weight per place makes hotspots.
        self.context_cum = list(accumulate(1 / (i + 3) for i in range(len(self.context_list))))
        rng.shuffle(self.context_list)
        self.schools = [c for c in self.context_list if c.kind == C.SCHOOL]
        self.school_subject = {s.pk: s.subject_id for s in self.schools}
        self.people_at = defaultdict(list)  # context id -> indexes of people who go there

    def _schools_by_stage(self) -> dict[str, list[Context]]:
        """Schools by who goes there, read from their names (the curated ones and generated)."""
        stages = defaultdict(list)
        for school in self.schools:
            name = school.name
            if "Primary" in name:
                stages["primary"].append(school)
            elif "College" in name:
                stages["college"].append(school)
            elif "Girls" in name:
                stages["girls"].append(school)
            elif "Referral Unit" in name:
                stages["ap"].append(school)
            else:
                stages["mixed"].append(school)
        # Generated boroughs always have schools of each stage; fall back just in case.
        for stage in ("primary", "college", "girls", "mixed"):
            stages[stage] = stages[stage] or self.schools
        return stages

    def _guardian_orgs(self, kind) -> list[Organisation]:
        return [o for k in GUARDIAN_KINDS[kind] for o in self.orgs_by_kind[k]]

    def young_people(self):
        rng = self.rng
        heritage_cum = list(accumulate(h[0] for h in HERITAGES))
        ages = list(range(10, 18))
        age_cum = list(accumulate([2, 4, 7, 11, 15, 18, 16, 12]))
        genders = [("male", 55), ("female", 42), ("non_binary", 1.5), ("not_known", 1.5)]
        gender_pop, gender_cum = _weighted(dict(genders))
        teams = range(len(self.teams))
        schools = self._schools_by_stage()
        # School choices by age and gender, made once (the lists are concatenated per pupil
        # otherwise).
        secondary = {
            girls: schools["girls" if girls else "mixed"] + schools["mixed"] + schools["ap"][:1]
            for girls in (True, False)
        }
        people, rows = [], []  # rows: young people not yet written, as tuples
        for _ in range(self.plan.young_people):
            team = pick(rng, teams, TEAM_CUM)
            sibling = people[-1] if people and rng.random() < 0.08 else None
            heritage = pick(rng, HERITAGES, heritage_cum)
            if sibling:  # same family, same home
                heritage = sibling.heritage
            gender = pick(rng, gender_pop, gender_cum)
            girls, boys = heritage[2], heritage[3]
            names = girls if gender == "female" else boys if gender == "male" else girls + boys
            age = pick(rng, ages, age_cum)
            dob = _years_before(self.today, age + 1) + timedelta(days=rng.randint(1, 365))
            if sibling:
                team, family = sibling.team, sibling.family
                address, postcode = sibling.address, sibling.postcode
            else:
                family = rng.choice(heritage[4])
                address, postcode = self.address(), self.postcode(TEAM_DISTRICTS[team])
            given = rng.choice(names)
            school = None
            if age <= 10:
                school = rng.choice(schools["primary"])
            elif age <= 15:
                school = rng.choice(secondary[gender == "female"])
            elif rng.random() < 0.7:  # some 16-17s are not in education, employment or training
                school = rng.choice(schools["college"])
            person = Person(
                id=None,
                heritage=heritage,
                team=team,
                given=given,
                family=family,
                dob=dob,
                age=age,
                initials=f"{given[0]}{family[0]}",
                address=address,
                postcode=postcode,
                school_id=school.pk if school else None,
                restricted=False,
            )
            people.append(person)
            # The draws in the order the columns were always drawn in (same seed, same people).
            preferred = SHORT_NAMES.get(given, "") if rng.random() < 0.5 else ""
            ethnicity = heritage[1] if rng.random() < 0.92 else ""
            nhs_number = self.nhs_number() if rng.random() < 0.85 else ""
            vulnerabilities = (
                " ".join(rng.sample(VULNERABILITIES, k=rng.randint(1, 2)))
                if rng.random() < 0.45
                else ""
            )
            rows.append(
                (
                    given,
                    family,
                    preferred,
                    dob,
                    gender,
                    ethnicity,
                    address,
                    postcode,
                    person.school_id,
                    nhs_number,
                    vulnerabilities,
                )
            )
            # Where this young person spends time (1-3 places, hotspots more likely).
            # (dict.fromkeys, not set: a set of records iterates in primary-key order, which
            # differs between databases and would make the data depend on them.)
            haunts = rng.choices(
                self.context_list, cum_weights=self.context_cum, k=rng.randint(1, 3)
            )
            index = len(people) - 1
            for ctx in dict.fromkeys(haunts):
                self.people_at[ctx.pk].append(index)
            if school and school not in haunts:
                self.people_at[school.pk].append(index)
            if len(rows) == CHUNK:
                self._write_people(people[-len(rows) :], rows)
                rows = []
        self._write_people(people[len(people) - len(rows) :], rows)
        self.people = people
        self.siblings = [
            (a, b) for a, b in pairwise(people) if a.address == b.address and a.family == b.family
        ]

    def _write_people(self, people: list[Person], rows: list[tuple]):
        """Subjects first, then the young people that point at them; ids noted on each Person."""
        subject_ids = self.subjects(Subject.Kind.YOUNG_PERSON, len(rows))
        ids = self.take_ids(YoungPerson, len(rows))
        self.writer.write(
            YoungPerson,
            YOUNG_PERSON_FIELDS,
            [(pk, sid, *row) for pk, sid, row in zip(ids, subject_ids, rows, strict=True)],
        )
        for person, pk, subject_id in zip(people, ids, subject_ids, strict=True):
            person.id, person.subject_id = pk, subject_id

    def peer_groups(self):
        rng = self.rng
        groups, homes, names = [], [], set()
        for _ in range(self.plan.peer_groups):
            home = pick(rng, self.context_list, self.context_cum)
            name = rng.choice(PEER_GROUP_NAMES[home.kind]).format(home.name)
            base, n = name, 2
            while name in names:
                name, n = f"{base} ({n})", n + 1
            names.add(name)
            since = (self.today - timedelta(days=rng.randint(60, 700))).strftime("%B %Y")
            groups.append(
                PeerGroup(
                    name=name,
                    description=(
                        f"Identified through concerns logged since {since}. Mostly aged "
                        f"{rng.randint(13, 15)}-{rng.randint(15, 17)}; members describe it as "
                        "a friendship group."
                    ),
                    created_by=rng.choice(self.staff),
                )
            )
            homes.append(home)
        # Groups are few (6,700 at scale 333) and used as models below: the ORM writes them.
        subject_ids = self.subjects(Subject.Kind.PEER_GROUP, len(groups))
        for group, subject_id in zip(groups, subject_ids, strict=True):
            group.subject_id = subject_id
        self.writer.wait()  # the subjects are in their table before the groups point at them
        bulk(PeerGroup, groups)
        self.groups = groups
        self.group_home = {g.pk: h for g, h in zip(groups, homes, strict=True)}
        self.members = defaultdict(list)  # group id -> [(person index, joined, left)]
        memberships = []
        everyone = range(len(self.people))
        source_pop, source_cum = _weighted(SOURCE_WEIGHTS)
        for group, home in zip(groups, homes, strict=True):
            local = self.people_at.get(home.pk) or []
            size = rng.randint(3, 8)
            # sample() draws the same from a range as from the list of it, without the copy.
            pool = local if len(local) >= size else everyone
            for idx in rng.sample(pool, k=min(size, len(pool))):
                joined = self.today - timedelta(days=rng.randint(30, 720))
                left = None
                if rng.random() < 0.25:
                    left = joined + timedelta(days=rng.randint(14, (self.today - joined).days))
                self.members[group.pk].append((idx, joined, left))
                memberships.append(
                    (
                        group.pk,
                        self.people[idx].id,
                        joined,
                        left,
                        rng.choice(CONFIDENCES),
                        pick(rng, source_pop, source_cum),
                        "Seen together on several occasions",
                        rng.choice(self.staff).pk,
                    )
                )
        self.writer.write(PeerGroupMembership, MEMBERSHIP_FIELDS, memberships)

    def relationships(self):
        rng = self.rng
        people, rows, seen = self.people, [], set()
        kind = Relationship.Kind
        source_pop, source_cum = _weighted(SOURCE_WEIGHTS)
        rel_pop, rel_cum = _weighted(RELIABILITY_WEIGHTS)

        def add(a: Person, b: Person, rel_kind, source, reliability, notes=""):
            key = (min(a.id, b.id), max(a.id, b.id), rel_kind)
            if a.id == b.id or key in seen:
                return
            seen.add(key)
            started_on = (
                None
                if rel_kind == kind.FAMILY
                else self.today - timedelta(days=rng.randint(30, 600))
            )
            row = (a.id, b.id, rel_kind, source, reliability, notes, started_on)
            rows.append((*row, rng.choice(self.staff).pk))

        for a, b in self.siblings:
            add(a, b, kind.FAMILY, InformationSource.FAMILY, Reliability.CONFIRMED, "Siblings")
        for members in self.members.values():
            for (i, _, _), (j, _, _) in pairwise(members):
                add(
                    people[i],
                    people[j],
                    rng.choice([kind.FRIEND, kind.FRIEND, kind.ASSOCIATE]),
                    InformationSource.PROFESSIONAL,
                    Reliability.RELIABLE,
                )
        target = round(1.2 * len(people))
        # Bounded: a tiny borough may not have enough distinct pairs to reach the target.
        for _ in range(target * 3):
            if len(rows) >= target or len(people) < 2:
                break
            a, b = rng.sample(people, 2)
            roll = rng.random()
            if roll < 0.06:
                older, younger = (a, b) if a.age >= b.age else (b, a)
                add(
                    older,
                    younger,
                    kind.EXPLOITS,
                    InformationSource.POLICE,
                    rng.choice([Reliability.RELIABLE, Reliability.UNTESTED]),
                    "Police intelligence suggests the older young person directs the younger.",
                )
            elif roll < 0.15 and min(a.age, b.age) >= 13:
                add(a, b, kind.PARTNER, InformationSource.YOUNG_PERSON, Reliability.RELIABLE)
            else:
                add(
                    a,
                    b,
                    rng.choice([kind.FRIEND, kind.ASSOCIATE, kind.IN_CONTACT]),
                    pick(rng, source_pop, source_cum),
                    pick(rng, rel_pop, rel_cum),
                )
        for start in range(0, len(rows), CHUNK):
            self.writer.write(Relationship, RELATIONSHIP_FIELDS, rows[start : start + CHUNK])

    def cases(self):
        """Episodes of work: most young people have an open case; some places and groups too."""
        rng = self.rng
        cases, histories = [], []  # histories: per case, list of (team, worker, start, end)
        cursor = [0] * len(self.teams)  # round-robin allocation within each team
        team_ids = [team.pk for team in self.teams]
        manager_ids = [manager.pk for manager in self.managers]

        def flush():
            """Write the cases so far and their allocation history (memory stays flat)."""
            ids = self.take_ids(Case, len(cases))
            self.writer.write(
                Case, CASE_FIELDS, [(pk, *case) for pk, case in zip(ids, cases, strict=True)]
            )
            self.writer.write(
                Allocation,
                ALLOCATION_FIELDS,
                [
                    (
                        pk,
                        team_ids[t],
                        worker.pk if worker else None,
                        start,
                        end,
                        manager_ids[t] if worker else manager_ids[FRONT_DOOR],
                        reason,
                    )
                    for pk, history in zip(ids, histories, strict=True)
                    for t, worker, start, end, reason in history
                ],
            )
            cases.clear()
            histories.clear()

        def next_worker(t):
            worker = self.workers[t][cursor[t] % len(self.workers[t])]
            cursor[t] += 1
            return worker

        def episode(
            subject_id, t, status, opened, closed=None, allocated=True, via_front_door=True
        ):
            worker = next_worker(t) if allocated else None
            history, start = [], opened
            if via_front_door and t != FRONT_DOOR:
                moved = min(opened + timedelta(days=rng.randint(1, 10)), self.now)
                history.append((FRONT_DOOR, None, opened, moved, "Accepted at the front door"))
                start = moved
            if worker:
                queued = min(start + timedelta(days=rng.randint(0, 5)), self.now)
                reason = f"Transferred to {TEAMS[t]}" if history else "Awaiting allocation"
                history.append((t, None, start, queued, reason))
                history.append((t, worker, queued, None, "Allocated"))
            else:
                history.append((t, None, start, None, "Awaiting allocation"))
            if closed:
                last = history[-1]
                history[-1] = (*last[:3], closed, last[4])
            risk = pick(rng, RISKS, RISK_CUM)
            review = None if closed else self.today + timedelta(days=rng.randint(-10, 90))
            cases.append(
                (
                    subject_id,
                    status,
                    team_ids[t],
                    worker.pk if worker else None,
                    risk,
                    review,
                    opened,
                    manager_ids[FRONT_DOOR if via_front_door else t],
                    closed,
                    rng.choice(CLOSURE_REASONS) if closed else "",
                )
            )
            histories.append(history)
            if len(cases) >= CHUNK:
                flush()
            return worker

        for person in self.people:
            roll = rng.random()
            if roll < 0.82:  # open
                if rng.random() < 0.2:  # an earlier, closed episode
                    opened = self.moment(400, HISTORY_DAYS)
                    episode(
                        person.subject_id,
                        person.team,
                        Case.Status.CLOSED,
                        opened,
                        closed=opened + timedelta(days=rng.randint(60, 200)),
                    )
                status = Case.Status.CLOSING if rng.random() < 0.03 else Case.Status.OPEN
                # The front door holds cases briefly, often before anyone is allocated.
                allocated = rng.random() < (0.5 if person.team == FRONT_DOOR else 0.88)
                person.worker = episode(
                    person.subject_id, person.team, status, self.moment(5, 380), allocated=allocated
                )
                person.case_team = person.team
            elif roll < 0.92:  # closed only
                opened = self.moment(200, HISTORY_DAYS)
                episode(
                    person.subject_id,
                    person.team,
                    Case.Status.CLOSED,
                    opened,
                    closed=opened + timedelta(days=rng.randint(30, 180)),
                )
                # Closing a case unnames the worker; the team keeps the record as its history.
                person.case_team = person.team
            # else: known only through concerns and referrals
        self._restrict()
        # Contextual work: the Contextual Safeguarding Team holds cases on places and groups.
        self.record_cases = []  # (record model, record id, team index, worker)
        for records, share in ((self.groups, 0.3), (self.context_list, 0.15)):
            for record in rng.sample(records, k=max(1, round(share * len(records)))):
                worker = episode(
                    record.subject_id,
                    CS,
                    Case.Status.OPEN,
                    self.moment(5, 300),
                    via_front_door=False,
                )
                self.record_cases.append((type(record), record.pk, CS, worker))
        flush()

    def _restrict(self):
        """A few restricted young people, always allocated (so someone is named on them).

        The first is allocated to sw.amara and the second to a colleague in her team, so the
        demo (and the tests) show a restricted record hidden from the rest of the team.
        """
        rng = self.rng
        amara = self.by_username["sw.amara"]
        allocated = [p for p in self.people if p.worker is not None]
        in_cs = [p for p in allocated if p.case_team == CS]
        chosen = []
        mine = [p for p in in_cs if p.worker == amara]
        colleague = [p for p in in_cs if p.worker != amara]
        if mine:
            chosen.append(mine[0])
        if colleague:
            chosen.append(colleague[0])
        taken = {p.id for p in chosen}
        others = [p for p in allocated if p.id not in taken]
        wanted = max(2, round(0.01 * len(self.people)))
        chosen += rng.sample(others, k=max(0, min(len(others), wanted - len(chosen))))
        by_reason = defaultdict(list)
        for p in chosen:
            p.restricted = True
            by_reason[rng.choice(RESTRICTED_REASONS)].append(p.id)
        # One UPDATE per reason (four) for 1% of the young people, written before cases existed.
        self.writer.wait()
        for reason, pks in by_reason.items():
            for start in range(0, len(pks), REFERENCE_CHECK):
                YoungPerson.objects.filter(pk__in=pks[start : start + REFERENCE_CHECK]).update(
                    restricted=True, restricted_reason=reason
                )

    def concerns(self):
        rng = self.rng
        categories = {c.slug: c.pk for c in HarmCategory.objects.filter(is_active=True)}
        harms = [h for h in HARMS if h[0] in categories]
        if not harms:  # an authority that renamed every category still gets concerns
            harms = [(slug, 1, HARMS[0][2]) for slug in categories]
        if not harms:
            raise RuntimeError("No active harm categories: run the migrations first.")
        harm_cum = list(accumulate(h[1] for h in harms))
        source_pop, source_cum = _weighted(SOURCE_WEIGHTS)
        rel_pop, rel_cum = _weighted(RELIABILITY_WEIGHTS)
        Part = ConcernSubject.Part
        people, everyone = self.people, range(len(self.people))
        self.worked_with = set()  # (record model, record id, team index): grants to make
        through = Concern.harm_categories.through
        la, locations = self.la.pk, self.context_list
        # logged_at: practitioners log the same day, three hours after the event at most (and
        # never after now). Added to the absolute time, as the database would add an interval.
        logged_after = timedelta(hours=3)
        made = 0
        while made < self.plan.concerns:
            n = min(CHUNK, self.plan.concerns - made)
            made += n
            ids = self.take_ids(Concern, n)
            references = self.take_references(Concern, "CN", n)
            concerns, involved = [], []
            for pk, reference in zip(ids, references, strict=True):
                when = self.moment(1, HISTORY_DAYS)
                group = None
                if self.groups and rng.random() < 0.25:
                    group = rng.choice(self.groups)
                    ctx = self.group_home[group.pk] if rng.random() < 0.7 else None
                    day = when.date()
                    current = [
                        i
                        for i, joined, left in self.members[group.pk]
                        if joined <= day and (left is None or left >= day)
                    ]
                    pool = current or [i for i, _, _ in self.members[group.pk]] or everyone
                else:
                    ctx = None
                    if rng.random() < 0.85:
                        ctx = pick(rng, locations, self.context_cum)
                    pool = (self.people_at.get(ctx.pk) if ctx else None) or everyone
                k = pick(rng, PEOPLE_PER_CONCERN, PEOPLE_PER_CONCERN_CUM)
                chosen = rng.sample(pool, k=min(k, len(pool)))
                first = people[chosen[0]]
                slug, _, narratives = pick(rng, harms, harm_cum)
                place = ctx.name if ctx else rng.choice(LOCATIONS_IN_WORDS)
                source = pick(rng, source_pop, source_cum)
                team = first.case_team if first.case_team is not None else FRONT_DOOR
                narrative = rng.choice(narratives).format(yp=first.initials, place=place)
                source_detail = rng.choice(SOURCE_DETAILS.get(source, [""]))
                reliability = pick(rng, rel_pop, rel_cum)
                concerns.append(
                    (
                        pk,
                        la,
                        reference,
                        when,
                        "" if ctx else place,
                        narrative,
                        source,
                        source_detail,
                        reliability,
                        rng.choice(self.loggers[team]),
                        min(when.astimezone(UTC) + logged_after, self.now),
                    )
                )
                parts = [(people[i], rng.choice([Part.HARMED, Part.AT_RISK])) for i in chosen[:1]]
                parts += [
                    (people[i], rng.choice([Part.AT_RISK, Part.HARMING, Part.WITNESS]))
                    for i in chosen[1:]
                ]
                cats = {categories[slug]}
                pair = HARM_PAIRS.get(slug)
                if pair in categories and rng.random() < 0.3:
                    cats.add(categories[pair])
                involved.append((parts, ctx, group, cats, first))
            self.writer.write(Concern, CONCERN_FIELDS, concerns)
            rows, harm_rows = [], []
            for pk, (parts, ctx, group, cats, first) in zip(ids, involved, strict=True):
                teams = {p.case_team for p, _ in parts if p.case_team is not None}
                for person, part in parts:
                    rows.append((pk, person.subject_id, part))
                if ctx:
                    rows.append((pk, ctx.subject_id, Part.LOCATION))
                    self.worked_with.update((Context, ctx.pk, t) for t in teams)
                school = first.school_id
                if school and (not ctx or school != ctx.pk) and rng.random() < 0.08:
                    rows.append((pk, self.school_subject[school], Part.LINKED_CONTEXT))
                    self.worked_with.update((Context, school, t) for t in teams)
                if group:
                    rows.append((pk, group.subject_id, Part.PEER_GROUP))
                    self.worked_with.update((PeerGroup, group.pk, t) for t in teams)
                harm_rows += [(pk, c) for c in cats]
            self.writer.write(ConcernSubject, INVOLVEMENT_FIELDS, rows)
            self.writer.write(through, ("concern_id", "harmcategory_id"), harm_rows)

    def referrals(self):
        rng = self.rng
        categories = list(HarmCategory.objects.filter(is_active=True).values_list("pk", flat=True))
        source_kinds = [k for k in REFERRAL_SOURCE_WEIGHTS if self.orgs_by_kind[k]]
        source_cum = list(accumulate(REFERRAL_SOURCE_WEIGHTS[k] for k in source_kinds))
        partner_user = {u.organisation_id: u for u in self.users if u.role == R.PARTNER}
        triage = [m.pk for m in (self.managers[FRONT_DOOR], *self.managers[:FRONT_DOOR])]
        decisions = DE.values
        contexts_only = [c for c in self.context_list if c.kind != C.ONLINE] or self.context_list
        through = Referral.harm_categories.through
        windows = {
            ST.RECEIVED: (0, 1),
            ST.SCREENING: (0, 2),
            ST.DECIDED: (1, 21),
            ST.CLOSED: (21, HISTORY_DAYS),
        }
        la = self.la.pk
        total, made = self.plan.referrals, 0
        while made < total:
            n = min(CHUNK, total - made)
            ids = self.take_ids(Referral, n)
            references = self.take_references(Referral, "REF", n)
            referrals, about = [], []
            for j, pk, reference in zip(range(made, made + n), ids, references, strict=True):
                if j < len(FORCED_REFERRALS):
                    status, decision = FORCED_REFERRALS[j]
                else:
                    status = pick(rng, STATUSES, STATUS_CUM)
                    decision = ""
                    if status in (ST.DECIDED, ST.CLOSED):
                        decision = pick(rng, decisions, DECISION_CUM)
                received = self.moment(*windows[status])
                decided_at = None
                if decision:
                    decided_at = min(received + timedelta(hours=rng.uniform(1, 30)), self.now)
                kind = pick(rng, source_kinds, source_cum)
                org = rng.choice(self.orgs_by_kind[kind])
                if org is self.la:
                    referrer = rng.choice(self.staff)
                else:
                    referrer = partner_user.get(org.pk) if rng.random() < 0.5 else None
                slug_cats = rng.sample(categories, k=min(len(categories), rng.randint(1, 2)))
                subjects = self._referral_subjects(status, decision, contexts_only)
                first_yp = next((p for p, _ in subjects if isinstance(p, Person)), None)
                place = next((c.name for c, _ in subjects if isinstance(c, Context)), None)
                if first_yp:
                    text = rng.choice(rng.choice(HARMS)[2]).format(
                        yp=first_yp.initials, place=place or rng.choice(LOCATIONS_IN_WORDS)
                    )
                else:
                    text = rng.choice(CONTEXT_REFERRAL_NARRATIVES).format(place=place)
                consent = pick(rng, CONSENTS, CONSENT_CUM)
                # The draws in the order the columns were always drawn in (same seed, same data).
                referrer_name = referrer.get_full_name() if referrer else self.adult_name()
                phone = f"020 7946 0{rng.randint(0, 999):03d}"
                urgency = pick(rng, URGENCIES, URGENCY_CUM)
                narrative = f"{text} {rng.choice(REFERRAL_ENDINGS)}"
                lawful_basis = (
                    Referral.LawfulBasis.CONSENT
                    if consent == Referral.Consent.GIVEN and rng.random() < 0.2
                    else Referral.LawfulBasis.PUBLIC_TASK
                )
                referrals.append(
                    (
                        pk,
                        la,
                        reference,  # Referral.save() would set it, and the deadline
                        self.decision_due(received),
                        received,
                        org.pk,
                        referrer.pk if referrer else None,
                        referrer_name,
                        referrer.job_title if referrer and org is self.la else REFERRER_ROLES[kind],
                        f"referrals@{EMAIL_DOMAIN}" if org is self.la else org.safeguarding_email,
                        phone,
                        urgency,
                        narrative,
                        consent,
                        lawful_basis,
                        status,
                        decision,
                        DECISION_REASONS[decision] if decision else "",
                        rng.choice(triage) if decision else None,
                        decided_at,
                    )
                )
                about.append((subjects, slug_cats))
            self.writer.write(Referral, REFERRAL_FIELDS, referrals)
            rows, harm_rows = [], []
            for pk, (subjects, cats) in zip(ids, about, strict=True):
                for thing, linked in subjects:
                    rows.append(self._referral_subject(pk, thing, linked))
                harm_rows += [(pk, c) for c in cats]
            self.writer.write(ReferralSubject, REFERRAL_SUBJECT_FIELDS, rows)
            self.writer.write(through, ("referral_id", "harmcategory_id"), harm_rows)
            made += n

    def _referral_subjects(self, status, decision, places):
        """Who and what a referral is about: (Person or Context, linked to the record?)."""
        rng = self.rng
        # New referrals are often not yet matched to a record at the front door.
        linked = status not in (ST.RECEIVED, ST.SCREENING) or rng.random() < 0.5
        if decision == DE.CONTEXT_ASSESSMENT or rng.random() < 0.08:
            subjects = [(rng.choice(places), linked)]
            if rng.random() < 0.5:
                subjects.append((rng.choice(self.people), linked))
            return subjects
        people = rng.sample(self.people, k=min(len(self.people), rng.choice((1, 1, 1, 2))))
        subjects = [(p, linked) for p in people]
        if rng.random() < 0.15:
            subjects.append((rng.choice(places), linked))
        return subjects

    def _referral_subject(self, referral_id: int, thing, linked: bool) -> tuple:
        """A ReferralSubject row (REFERRAL_SUBJECT_FIELDS) for a Person or a Context."""
        if isinstance(thing, Person):
            return (
                referral_id,
                Subject.Kind.YOUNG_PERSON,
                thing.subject_id if linked else None,
                f"{thing.given} {thing.family}",
                thing.dob,
                thing.address,
                thing.postcode,
                "",
            )
        return (
            referral_id,
            Subject.Kind.CONTEXT,
            thing.subject_id if linked else None,
            thing.name,
            None,
            "",
            thing.postcode,
            thing.kind,
        )

    def actions(self):
        """Actions: for allocated workers on their young people, and for partner agencies on
        the places they look after (some overdue, some done), so My work has something to do."""
        rng = self.rng
        rows = []
        for person in self.people:
            if person.worker is None or rng.random() > 0.45:
                continue
            for _ in range(rng.randint(1, 2)):
                status = pick(rng, ACTION_STATUSES, ACTION_STATUS_CUM)
                description = rng.choice(WORKER_ACTIONS)
                rows.append(
                    (
                        person.subject_id,
                        description,
                        person.worker.pk,
                        None,
                        self.today + timedelta(days=rng.randint(-14, 45)),
                        status,
                        person.worker.pk,
                        self.now if status == Action.Status.DONE else None,
                        None,
                    )
                )
        guarded = ContextGuardian.objects.filter(
            context__in=self.context_list, organisation__isnull=False
        ).values_list("context__subject_id", "organisation_id")
        for subject_id, organisation_id in guarded:
            if rng.random() < 0.5:
                due_on = self.today + timedelta(days=rng.randint(-10, 60))
                rows.append(
                    (
                        subject_id,
                        rng.choice(PARTNER_ACTIONS),
                        None,
                        organisation_id,
                        due_on,
                        rng.choice([Action.Status.OPEN, Action.Status.IN_PROGRESS]),
                        self.managers[CS].pk,
                        None,
                        # Partners were told on the day after each went overdue.
                        self.now - (self.today - due_on) + timedelta(days=1)
                        if due_on < self.today
                        else None,
                    )
                )
        for start in range(0, len(rows), CHUNK):
            self.writer.write(Action, ACTION_FIELDS, rows[start : start + CHUNK])

    def grants(self):
        """The grants ``cases.services`` would have written for the cases above.

        Cases: the team may view the record (closed ones too: its history) and the worker
        allocated to an open or closing case is named (view and change). Restricted young
        people: their team manager is named too.
        Places and groups: every team with a young person in a concern there may view them.
        """
        perms = {}
        for model in (YoungPerson, Context, PeerGroup):
            ct = ContentType.objects.get_for_model(model)
            for action in ("view", "change"):
                perms[model, action] = Permission.objects.get(
                    content_type=ct, codename=f"{action}_{model._meta.model_name}"
                ).pk
        grant_models = {
            YoungPerson: (YoungPersonGroupObjectPermission, YoungPersonUserObjectPermission),
            Context: (ContextGroupObjectPermission, ContextUserObjectPermission),
            PeerGroup: (PeerGroupGroupObjectPermission, PeerGroupUserObjectPermission),
        }
        team_grants, named = set(), set()
        for p in self.people:
            if p.case_team is None:
                continue
            team_grants.add((YoungPerson, p.id, p.case_team))
            if p.worker:
                named.add((YoungPerson, p.id, p.worker.pk))
            if p.restricted:
                named.add((YoungPerson, p.id, self.managers[p.case_team].pk))
        for model, pk, t, worker in self.record_cases:
            team_grants.add((model, pk, t))
            named.add((model, pk, worker.pk))
        team_grants |= self.worked_with
        group_ids = [team.group_id for team in self.teams]
        group_rows, user_rows = defaultdict(list), defaultdict(list)
        for model, pk, t in sorted(team_grants, key=lambda g: (g[0].__name__, g[1], g[2])):
            group_rows[grant_models[model][0]].append((pk, group_ids[t], perms[model, "view"]))
        for model, pk, user_id in sorted(named, key=lambda g: (g[0].__name__, g[1], g[2])):
            for action in ("view", "change"):
                user_rows[grant_models[model][1]].append((pk, user_id, perms[model, action]))
        for rows, fields in ((group_rows, GROUP_GRANT_FIELDS), (user_rows, USER_GRANT_FIELDS)):
            for grant_model, grants in rows.items():
                for start in range(0, len(grants), CHUNK):
                    self.writer.write(grant_model, fields, grants[start : start + CHUNK])


def build_borough(
    *, scale: float = 1.0, seed: int = DEFAULT_SEED, concerns_per_young_person: float | None = None
) -> Result:
    """Create the demo borough (the caller checks it does not exist yet)."""
    return BoroughBuilder(
        scale=scale, seed=seed, concerns_per_young_person=concerns_per_young_person
    ).build()


def borough_counts(authority: Organisation) -> dict[str, int]:
    """What the borough holds, counted from the database (for the summary line and tests)."""
    cases = Case.objects.filter(subject__authority=authority)
    referrals = Referral.objects.filter(authority=authority)
    concerns = Concern.objects.filter(authority=authority)
    grants = 0
    for model in (
        YoungPersonGroupObjectPermission,
        YoungPersonUserObjectPermission,
        ContextGroupObjectPermission,
        ContextUserObjectPermission,
        PeerGroupGroupObjectPermission,
        PeerGroupUserObjectPermission,
    ):
        grants += model.objects.filter(content_object__subject__authority=authority).count()
    in_authority = {"subject__authority": authority}
    return {
        "partner organisations": authority.partners.count(),
        "teams": authority.teams.count(),
        "users": User.objects.filter(
            Q(organisation=authority) | Q(organisation__authority=authority)
        ).count(),
        "young people": YoungPerson.objects.filter(**in_authority).count(),
        "restricted": YoungPerson.objects.filter(**in_authority, restricted=True).count(),
        "contexts": Context.objects.filter(**in_authority).count(),
        "guardians": ContextGuardian.objects.filter(context__subject__authority=authority).count(),
        "peer groups": PeerGroup.objects.filter(**in_authority).count(),
        "memberships": PeerGroupMembership.objects.filter(
            peer_group__subject__authority=authority
        ).count(),
        "relationships": Relationship.objects.filter(
            from_person__subject__authority=authority
        ).count(),
        "cases": cases.count(),
        "open cases": cases.exclude(status=Case.Status.CLOSED).count(),
        "unallocated": cases.exclude(status=Case.Status.CLOSED)
        .filter(allocated_worker=None)
        .count(),
        "allocations": Allocation.objects.filter(case__subject__authority=authority).count(),
        "concerns": concerns.count(),
        "concern subjects": ConcernSubject.objects.filter(concern__authority=authority).count(),
        "referrals": referrals.count(),
        "referral subjects": ReferralSubject.objects.filter(referral__authority=authority).count(),
        "actions": Action.objects.filter(**in_authority).count(),
        "grants": grants,
    }
