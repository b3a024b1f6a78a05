"""A fictional borough for demos, development and load tests (``manage.py seed_borough``).

Everything here is invented: the London Borough of Eastbrook, its "EB" postcodes, its schools,
shops, partner agencies, staff and young people. NHS numbers are in the 999 range that the NHS
never issues, and telephone numbers in the 020 7946 0xxx range Ofcom keeps for drama.

The data is written with ``bulk_create`` (no per-row ``save()``), so model ``save()`` logic is
repeated here on purpose: ``Subject`` rows are built first and set on each record, and concern
and referral references and decision deadlines are filled in explicitly. Grants are written
straight into the direct foreign-key tables with the same meaning as ``cases.services``:
a case's team gets a view grant on its subject, the allocated worker is named (view and change).
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import accumulate, pairwise

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import reset_queries, transaction
from django.db.models import DateTimeField, F, Q, Value
from django.db.models.functions import Least
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
from safeguarding.subjects.models import InformationSource, Reliability, Subject, new_reference

AUTHORITY_NAME = "London Borough of Eastbrook"
# One password for every demo login, printed by the command: this is demo data, never production.
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105
EMAIL_DOMAIN = "eastbrook-council.example"
DEFAULT_SEED = 2026
BATCH = 2000
# Concerns and referrals are generated and written in chunks so memory stays flat at any scale.
CHUNK = 5000
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
    """``bulk_create`` in batches, then forget the SQL.

    With DEBUG on (development) Django keeps the last 9,000 statements, each a 2,000-row
    INSERT here: close to a gigabyte at large scales. The seed has no use for that log.
    """
    created = model.objects.bulk_create(objs, batch_size=BATCH)
    reset_queries()
    return created


def _weighted(mapping: dict) -> tuple[list, list]:
    """Population and cumulative weights, for O(log n) ``rng.choices``."""
    return list(mapping), list(accumulate(mapping.values()))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class BoroughBuilder:
    def __init__(
        self,
        scale: float = 1.0,
        seed: int = DEFAULT_SEED,
        concerns_per_young_person: float | None = None,
    ):
        self.plan = Plan.for_scale(scale, concerns_per_young_person)
        self.rng = random.Random(seed)
        # Whole minutes: nothing seeded claims a precision it does not have.
        self.now = timezone.now().replace(second=0, microsecond=0)
        self.today = timezone.localdate(self.now)
        self.references: set[str] = set()
        self.result: Result | None = None

    # -- helpers ---------------------------------------------------------------------------

    def reference(self, prefix: str) -> str:
        # References are random; a repeat within one run of hundreds of thousands is likely
        # enough (birthday bound) to guard against before the unique index does.
        while True:
            ref = new_reference(prefix)
            if ref not in self.references:
                self.references.add(ref)
                return ref

    def subject(self, kind: str) -> Subject:
        """An unsaved subject whose reference is not already used in this run."""
        subject = Subject.build(kind=kind, authority=self.la)
        while subject.reference in self.references:
            subject = Subject.build(kind=kind, authority=self.la)
        self.references.add(subject.reference)
        return subject

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
        same borough all day, whatever the hour it runs.
        """
        rng = self.rng
        day = self.today - timedelta(days=rng.randint(days_ago_min, days_ago_max))
        hour = rng.choices(range(24), cum_weights=HOUR_CUM)[0]
        when = timezone.make_aware(datetime.combine(day, time(hour, rng.randrange(0, 60, 5))))
        latest = self.now - timedelta(hours=1)
        return when - timedelta(days=1) if when > latest else when

    def adult_name(self) -> str:
        return f"{self.rng.choice(ADULT_FIRST)} {self.rng.choice(ADULT_LAST)}"

    # -- the run ---------------------------------------------------------------------------

    @transaction.atomic
    def build(self) -> Result:
        self.organisations()
        self.teams_and_users()
        self.contexts()
        self.young_people()
        self.peer_groups()
        self.relationships()
        self.cases()
        self.concerns()
        self.referrals()
        self.actions()
        self.grants()
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
        self.staff = [u for u in self.users if u.role in User.STAFF_ROLES]

    def contexts(self):
        rng = self.rng
        rows = list(CURATED_CONTEXTS)
        names = {name for _, name, _, _ in rows}
        kinds, cum = _weighted(CONTEXT_KIND_WEIGHTS)
        while len(rows) < self.plan.contexts:
            kind = rng.choices(kinds, cum_weights=cum)[0]
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
        subjects = bulk(Subject, [self.subject(Subject.Kind.CONTEXT) for _ in rows])
        contexts = []
        for subject, (kind, name, description, _) in zip(subjects, rows, strict=True):
            online = kind == C.ONLINE
            contexts.append(
                Context(
                    subject=subject,
                    name=name,
                    kind=kind,
                    description=description,
                    address="" if online else f"{name}\nEastbrook",
                    postcode="" if online else self.postcode(range(1, 9)),
                    created_by=rng.choice(self.staff),
                )
            )
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
        schools = self._schools_by_stage()
        records, people = [], []
        for i in range(self.plan.young_people):
            team = rng.choices(range(len(self.teams)), weights=TEAM_WEIGHTS)[0]
            sibling = people[-1] if people and rng.random() < 0.08 else None
            heritage = rng.choices(HERITAGES, cum_weights=heritage_cum)[0]
            if sibling:  # same family, same home
                heritage = sibling.heritage
            gender = rng.choices(gender_pop, cum_weights=gender_cum)[0]
            girls, boys = heritage[2], heritage[3]
            names = girls if gender == "female" else boys if gender == "male" else girls + boys
            age = rng.choices(ages, cum_weights=age_cum)[0]
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
                options = schools["girls" if gender == "female" else "mixed"]
                school = rng.choice(options + schools["mixed"] + schools["ap"][:1])
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
            records.append(
                YoungPerson(
                    given_name=given,
                    family_name=family,
                    preferred_name=SHORT_NAMES.get(given, "") if rng.random() < 0.5 else "",
                    date_of_birth=dob,
                    gender=gender,
                    ethnicity=heritage[1] if rng.random() < 0.92 else "",
                    address=address,
                    postcode=postcode,
                    school=school,
                    nhs_number=self.nhs_number() if rng.random() < 0.85 else "",
                    vulnerabilities=(
                        " ".join(rng.sample(VULNERABILITIES, k=rng.randint(1, 2)))
                        if rng.random() < 0.45
                        else ""
                    ),
                )
            )
            # Where this young person spends time (1-3 places, hotspots more likely).
            # (dict.fromkeys, not set: a set of records iterates in primary-key order, which
            # differs between databases and would make the data depend on them.)
            haunts = rng.choices(
                self.context_list, cum_weights=self.context_cum, k=rng.randint(1, 3)
            )
            for ctx in dict.fromkeys(haunts):
                self.people_at[ctx.pk].append(i)
            if school and school not in haunts:
                self.people_at[school.pk].append(i)
        self._write_records(YoungPerson, Subject.Kind.YOUNG_PERSON, records)
        for person, record in zip(people, records, strict=True):
            person.id, person.subject_id = record.pk, record.subject_id
        self.people = people
        self.siblings = [
            (a, b) for a, b in pairwise(people) if a.address == b.address and a.family == b.family
        ]

    def _write_records(self, model, kind, records):
        """Subjects first, then the records that point at them (in batches, for memory)."""
        for start in range(0, len(records), CHUNK * 4):
            part = records[start : start + CHUNK * 4]
            subjects = bulk(Subject, [self.subject(kind) for _ in part])
            for record, subject in zip(part, subjects, strict=True):
                record.subject = subject
            bulk(model, part)

    def peer_groups(self):
        rng = self.rng
        groups, homes, names = [], [], set()
        for _ in range(self.plan.peer_groups):
            home = rng.choices(self.context_list, cum_weights=self.context_cum)[0]
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
        self._write_records(PeerGroup, Subject.Kind.PEER_GROUP, groups)
        self.groups = groups
        self.group_home = {g.pk: h for g, h in zip(groups, homes, strict=True)}
        self.members = defaultdict(list)  # group id -> [(person index, joined, left)]
        memberships = []
        everyone = range(len(self.people))
        for group, home in zip(groups, homes, strict=True):
            local = self.people_at.get(home.pk) or []
            size = rng.randint(3, 8)
            pool = local if len(local) >= size else list(everyone)
            for idx in rng.sample(pool, k=min(size, len(pool))):
                joined = self.today - timedelta(days=rng.randint(30, 720))
                left = None
                if rng.random() < 0.25:
                    left = joined + timedelta(days=rng.randint(14, (self.today - joined).days))
                self.members[group.pk].append((idx, joined, left))
                memberships.append(
                    PeerGroupMembership(
                        peer_group=group,
                        young_person_id=self.people[idx].id,
                        joined_on=joined,
                        left_on=left,
                        confidence=rng.choice(CONFIDENCES),
                        source=rng.choices(list(SOURCE_WEIGHTS), list(SOURCE_WEIGHTS.values()))[0],
                        source_detail="Seen together on several occasions",
                        recorded_by=rng.choice(self.staff),
                    )
                )
        bulk(PeerGroupMembership, memberships)

    def relationships(self):
        rng = self.rng
        people, rows, seen = self.people, [], set()
        kind = Relationship.Kind

        def add(a: Person, b: Person, rel_kind, source, reliability, notes=""):
            key = (min(a.id, b.id), max(a.id, b.id), rel_kind)
            if a.id == b.id or key in seen:
                return
            seen.add(key)
            rows.append(
                Relationship(
                    from_person_id=a.id,
                    to_person_id=b.id,
                    kind=rel_kind,
                    source=source,
                    reliability=reliability,
                    notes=notes,
                    started_on=None
                    if rel_kind == kind.FAMILY
                    else self.today - timedelta(days=rng.randint(30, 600)),
                    recorded_by=rng.choice(self.staff),
                )
            )

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
                    rng.choices(list(SOURCE_WEIGHTS), list(SOURCE_WEIGHTS.values()))[0],
                    rng.choices(list(RELIABILITY_WEIGHTS), list(RELIABILITY_WEIGHTS.values()))[0],
                )
        bulk(Relationship, rows)

    def cases(self):
        """Episodes of work: most young people have an open case; some places and groups too."""
        rng = self.rng
        cases, histories = [], []  # histories: per case, list of (team, worker, start, end)
        cursor = [0] * len(self.teams)  # round-robin allocation within each team

        def flush():
            """Write the cases so far and their allocation history (memory stays flat)."""
            bulk(Case, cases)
            bulk(
                Allocation,
                [
                    Allocation(
                        case=case,
                        team=self.teams[t],
                        worker=worker,
                        started_at=start,
                        ended_at=end,
                        allocated_by=self.managers[t] if worker else self.managers[FRONT_DOOR],
                        reason=reason,
                    )
                    for case, history in zip(cases, histories, strict=True)
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
            risk = rng.choices(RISKS, weights=[20, 40, 25, 15])[0]
            cases.append(
                Case(
                    subject_id=subject_id,
                    status=status,
                    team=self.teams[t],
                    allocated_worker=worker,
                    risk=risk,
                    next_review_due=None
                    if closed
                    else self.today + timedelta(days=rng.randint(-10, 90)),
                    opened_at=opened,
                    opened_by=self.managers[FRONT_DOOR if via_front_door else t],
                    closed_at=closed,
                    closure_reason=rng.choice(CLOSURE_REASONS) if closed else "",
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
        for reason, pks in by_reason.items():
            YoungPerson.objects.filter(pk__in=pks).update(restricted=True, restricted_reason=reason)

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
        made = 0
        while made < self.plan.concerns:
            n = min(CHUNK, self.plan.concerns - made)
            made += n
            concerns, involved = [], []
            for _ in range(n):
                when = self.moment(1, HISTORY_DAYS)
                group = None
                if self.groups and rng.random() < 0.25:
                    group = rng.choice(self.groups)
                    ctx = self.group_home[group.pk] if rng.random() < 0.7 else None
                    current = [
                        i
                        for i, joined, left in self.members[group.pk]
                        if joined <= when.date() and (left is None or left >= when.date())
                    ]
                    pool = current or [i for i, _, _ in self.members[group.pk]] or everyone
                else:
                    ctx = None
                    if rng.random() < 0.85:
                        ctx = rng.choices(self.context_list, cum_weights=self.context_cum)[0]
                    pool = (self.people_at.get(ctx.pk) if ctx else None) or everyone
                k = rng.choices((1, 2, 3), weights=(55, 30, 15))[0]
                chosen = rng.sample(pool, k=min(k, len(pool)))
                first = people[chosen[0]]
                slug, _, narratives = rng.choices(harms, cum_weights=harm_cum)[0]
                place = ctx.name if ctx else rng.choice(LOCATIONS_IN_WORDS)
                source = rng.choices(source_pop, cum_weights=source_cum)[0]
                team = first.case_team if first.case_team is not None else FRONT_DOOR
                concerns.append(
                    Concern(
                        authority=self.la,
                        reference=self.reference("CN"),  # Concern.save() would set it
                        occurred_at=when,
                        location_description="" if ctx else place,
                        narrative=rng.choice(narratives).format(yp=first.initials, place=place),
                        source=source,
                        source_detail=rng.choice(SOURCE_DETAILS.get(source, [""])),
                        reliability=rng.choices(rel_pop, cum_weights=rel_cum)[0],
                        logged_by=rng.choice(self.workers[team] + [self.managers[team]]),
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
            bulk(Concern, concerns)
            rows, harm_rows = [], []
            for concern, (parts, ctx, group, cats, first) in zip(concerns, involved, strict=True):
                teams = {p.case_team for p, _ in parts if p.case_team is not None}
                for person, part in parts:
                    rows.append(
                        ConcernSubject(concern=concern, subject_id=person.subject_id, part=part)
                    )
                if ctx:
                    rows.append(
                        ConcernSubject(
                            concern=concern, subject_id=ctx.subject_id, part=Part.LOCATION
                        )
                    )
                    self.worked_with.update((Context, ctx.pk, t) for t in teams)
                school = first.school_id
                if school and (not ctx or school != ctx.pk) and rng.random() < 0.08:
                    rows.append(
                        ConcernSubject(
                            concern=concern,
                            subject_id=self._school_subject(school),
                            part=Part.LINKED_CONTEXT,
                        )
                    )
                    self.worked_with.update((Context, school, t) for t in teams)
                if group:
                    rows.append(
                        ConcernSubject(
                            concern=concern, subject_id=group.subject_id, part=Part.PEER_GROUP
                        )
                    )
                    self.worked_with.update((PeerGroup, group.pk, t) for t in teams)
                harm_rows += [through(concern_id=concern.pk, harmcategory_id=c) for c in cats]
            bulk(ConcernSubject, rows)
            bulk(through, harm_rows)
        # logged_at is auto_now_add (bulk_create sets it to now); practitioners log the same
        # day, so move it after the event in one statement.
        logged = F("occurred_at") + timedelta(hours=3)
        Concern.objects.filter(authority=self.la).update(
            logged_at=Least(logged, Value(self.now), output_field=DateTimeField())
        )

    def _school_subject(self, school_id) -> int:
        if not hasattr(self, "_school_subjects"):
            self._school_subjects = {s.pk: s.subject_id for s in self.schools}
        return self._school_subjects[school_id]

    def referrals(self):
        rng = self.rng
        categories = list(HarmCategory.objects.filter(is_active=True).values_list("pk", flat=True))
        source_kinds = [k for k in REFERRAL_SOURCE_WEIGHTS if self.orgs_by_kind[k]]
        source_cum = list(accumulate(REFERRAL_SOURCE_WEIGHTS[k] for k in source_kinds))
        partner_user = {u.organisation_id: u for u in self.users if u.role == R.PARTNER}
        triage = [self.managers[FRONT_DOOR], *self.managers[:FRONT_DOOR]]
        decisions = DE.values
        decision_weights = [25, 15, 15, 20, 10, 8, 7]
        contexts_only = [c for c in self.context_list if c.kind != C.ONLINE] or self.context_list
        through = Referral.harm_categories.through
        total, made = self.plan.referrals, 0
        while made < total:
            n = min(CHUNK, total - made)
            referrals, about = [], []
            for j in range(made, made + n):
                if j < len(FORCED_REFERRALS):
                    status, decision = FORCED_REFERRALS[j]
                else:
                    status = rng.choices(STATUSES, weights=[8, 6, 20, 66])[0]
                    decision = ""
                    if status in (ST.DECIDED, ST.CLOSED):
                        decision = rng.choices(decisions, weights=decision_weights)[0]
                window = {
                    ST.RECEIVED: (0, 1),
                    ST.SCREENING: (0, 2),
                    ST.DECIDED: (1, 21),
                    ST.CLOSED: (21, HISTORY_DAYS),
                }[status]
                received = self.moment(*window)
                decided_at = None
                if decision:
                    decided_at = min(received + timedelta(hours=rng.uniform(1, 30)), self.now)
                kind = rng.choices(source_kinds, cum_weights=source_cum)[0]
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
                consent = rng.choices(CONSENTS, weights=[50, 15, 35])[0]
                referrals.append(
                    Referral(
                        authority=self.la,
                        reference=self.reference("REF"),  # Referral.save() would set these two
                        decision_due_at=one_working_day_after(received),
                        received_at=received,
                        source_organisation=org,
                        referred_by=referrer,
                        referrer_name=referrer.get_full_name() if referrer else self.adult_name(),
                        referrer_role=referrer.job_title
                        if referrer and org is self.la
                        else REFERRER_ROLES[kind],
                        referrer_email=f"referrals@{EMAIL_DOMAIN}"
                        if org is self.la
                        else org.safeguarding_email,
                        referrer_phone=f"020 7946 0{rng.randint(0, 999):03d}",
                        urgency=rng.choices(URGENCIES, weights=[70, 25, 5])[0],
                        narrative=f"{text} {rng.choice(REFERRAL_ENDINGS)}",
                        consent=consent,
                        lawful_basis=Referral.LawfulBasis.CONSENT
                        if consent == Referral.Consent.GIVEN and rng.random() < 0.2
                        else Referral.LawfulBasis.PUBLIC_TASK,
                        status=status,
                        decision=decision,
                        decision_reason=DECISION_REASONS[decision] if decision else "",
                        decided_by=rng.choice(triage) if decision else None,
                        decided_at=decided_at,
                    )
                )
                about.append((subjects, slug_cats))
            bulk(Referral, referrals)
            rows, harm_rows = [], []
            for referral, (subjects, cats) in zip(referrals, about, strict=True):
                for thing, linked in subjects:
                    rows.append(self._referral_subject(referral, thing, linked))
                harm_rows += [through(referral_id=referral.pk, harmcategory_id=c) for c in cats]
            bulk(ReferralSubject, rows)
            bulk(through, harm_rows)
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

    def _referral_subject(self, referral, thing, linked) -> ReferralSubject:
        if isinstance(thing, Person):
            return ReferralSubject(
                referral=referral,
                kind=Subject.Kind.YOUNG_PERSON,
                subject_id=thing.subject_id if linked else None,
                described_name=f"{thing.given} {thing.family}",
                described_date_of_birth=thing.dob,
                described_address=thing.address,
                described_postcode=thing.postcode,
            )
        return ReferralSubject(
            referral=referral,
            kind=Subject.Kind.CONTEXT,
            subject_id=thing.subject_id if linked else None,
            described_name=thing.name,
            described_postcode=thing.postcode,
            described_place_kind=thing.kind,
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
                status = rng.choices(
                    [Action.Status.OPEN, Action.Status.IN_PROGRESS, Action.Status.DONE],
                    weights=[45, 35, 20],
                )[0]
                rows.append(
                    Action(
                        subject_id=person.subject_id,
                        description=rng.choice(WORKER_ACTIONS),
                        owner_user=person.worker,
                        due_on=self.today + timedelta(days=rng.randint(-14, 45)),
                        status=status,
                        created_by=person.worker,
                        completed_at=self.now if status == Action.Status.DONE else None,
                    )
                )
        guarded = ContextGuardian.objects.filter(
            context__in=self.context_list, organisation__isnull=False
        ).values_list("context__subject_id", "organisation_id")
        for subject_id, organisation_id in guarded:
            if rng.random() < 0.5:
                due_on = self.today + timedelta(days=rng.randint(-10, 60))
                rows.append(
                    Action(
                        subject_id=subject_id,
                        description=rng.choice(PARTNER_ACTIONS),
                        owner_organisation_id=organisation_id,
                        due_on=due_on,
                        status=rng.choice([Action.Status.OPEN, Action.Status.IN_PROGRESS]),
                        created_by=self.managers[CS],
                        # Partners were told on the day after each went overdue.
                        overdue_notified_at=self.now - (self.today - due_on) + timedelta(days=1)
                        if due_on < self.today
                        else None,
                    )
                )
        bulk(Action, rows)

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
                )
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
        rows = defaultdict(list)
        for model, pk, t in sorted(team_grants, key=lambda g: (g[0].__name__, g[1], g[2])):
            group_model = grant_models[model][0]
            rows[group_model].append(
                group_model(
                    content_object_id=pk,
                    group_id=self.teams[t].group_id,
                    permission=perms[model, "view"],
                )
            )
        for model, pk, user_id in sorted(named, key=lambda g: (g[0].__name__, g[1], g[2])):
            user_model = grant_models[model][1]
            for action in ("view", "change"):
                rows[user_model].append(
                    user_model(
                        content_object_id=pk, user_id=user_id, permission=perms[model, action]
                    )
                )
        for grant_model, objs in rows.items():
            bulk(grant_model, objs)


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
