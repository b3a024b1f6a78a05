"""The demo borough's invented data: constants and tables only, no logic.

The London Borough of Eastbrook, its council teams and demo logins, its partner agencies, its
young people's names and homes, what happens to them (harms and the narratives that tell them,
referrals, sources of information), what is done about it (actions), and the proportions the
builder draws all of it with. The places, their guardians and the peer groups that meet there
are in ``places.py``; how rows are made from these tables is the builder's (``builder.py``).

Everything here is invented: the borough, its "EB" postcodes, its schools, shops, partner
agencies, staff and young people. NHS numbers are in the 999 range that the NHS never issues
(``core.BuilderCore.nhs_number``), and telephone numbers in the 020 7946 0xxx range Ofcom keeps
for drama. Weights are relative (they need not add up to 100); the ``*_CUM`` lists are the same
weights made cumulative once, for ``core.pick``. Changing any table or weight changes which
borough a seed gives.
"""

from itertools import accumulate

from cases.models import Action, Case, Referral
from peers.models import Confidence
from safeguarding.accounts.models import Organisation, User
from safeguarding.subjects.models import InformationSource, Reliability

AUTHORITY_NAME = "London Borough of Eastbrook"
# One password for every demo login, printed by the command: this is demo data, never production.
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105
EMAIL_DOMAIN = "eastbrook-council.example"
DEFAULT_SEED = 2026
HISTORY_DAYS = 548  # about 18 months


# --- organisations, teams, people -----------------------------------------------------------


def words(text: str, sep: str | None = None) -> list[str]:
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
    ("admin.grace", "Grace", "Adeyemi", R.ADMINISTRATOR, None, None, "Systems administrator"),
    ("dpo.olu", "Olu", "Bankole", R.DATA_PROTECTION_OFFICER, None, None, "Data protection officer"),
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
ADULT_FIRST = words(
    "Sarah Claire Helen Joanne Michelle Karen Nicola Emma Lucy Rebecca Paul Mark Andrew David "
    "Stephen Richard Gary Simon Neil Darren Yusuf Adaeze Harjit Nadia Tomasz Femi"
)
ADULT_LAST = words(
    "Holloway Barker Pritchard Nash Okoro Singh Dunne Fletcher Marsh Kaur Baptiste Lowe Sutton "
    "Hale Rahman Quinn Ellis Foster Grady Zielinski"
)

STREETS = words(
    "Hawthorn Road,Cobden Street,Station Parade,Larkfield Lane,Alder Way,Tennyson Road,"
    "Brunel Walk,Kestrel Avenue,Orchard Close,Gorse Hill Road,Saffron Street,Wren Crescent,"
    "Marlow Road,Elmstead Gardens,Juniper Drive,Linden Grove,Pelham Street,Rowan Terrace,"
    "Willowbank Road,Yew Tree Close,Beacon Hill,Chandos Road,Glebe Street,Harcourt Avenue",
    sep=",",
)
BLOCKS = words(
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


# --- what is done ---------------------------------------------------------------------------

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


# --- proportions ---------------------------------------------------------------------------

# Hours of the day, weighted towards after school and the evening.
HOURS = range(24)
HOUR_CUM = list(accumulate([1] * 7 + [2] * 8 + [6] * 7 + [3] * 2))
# Cumulative weights for the draws made once per row (see core.pick).
TEAM_CUM = list(accumulate(TEAM_WEIGHTS))
RISK_CUM = list(accumulate([20, 40, 25, 15]))
STATUS_CUM = list(accumulate([8, 6, 20, 66]))
DECISION_CUM = list(accumulate([25, 15, 15, 20, 10, 8, 7]))
CONSENT_CUM = list(accumulate([50, 15, 35]))
URGENCY_CUM = list(accumulate([70, 25, 5]))
PEOPLE_PER_CONCERN, PEOPLE_PER_CONCERN_CUM = (1, 2, 3), list(accumulate((55, 30, 15)))
ACTION_STATUSES = [Action.Status.OPEN, Action.Status.IN_PROGRESS, Action.Status.DONE]
ACTION_STATUS_CUM = list(accumulate([45, 35, 20]))

# Warning notes (cases.warnings) on the demo social worker's young people and a place her team
# works with: (category, summary, whether they were told, what happens to it). Invented.
WARNING_NOTES = [
    (
        "lone_working",
        "Older brother has threatened workers at the door: visit in pairs, never after dark.",
        "no_risk",
        "authorised",
    ),
    (
        "exploitation",
        "Believed to be carrying for an older group: do not discuss places in front of friends.",
        "no_risk",
        "due",
    ),
    (
        "weapons",
        "Knife found in his bag at school in the spring: police aware; meet at the office.",
        "yes",
        "overdue",
    ),
    (
        "animals",
        "Two large dogs at the address, not always shut away: phone ahead of a visit.",
        "yes",
        "proposed",
    ),
    (
        "risk_to_others",
        "Said to be bringing younger pupils to the park after school.",
        "not_yet",
        "declined",
    ),
]
WARNING_NOTE_AT_A_PLACE = (
    "lone_working",
    "Stairwell lights out in the east block and people sleeping there: visit in daylight.",
    "not_applicable",
    "authorised",
)
WARNING_DECLINED_REASON = "Not borne out by the school or the park staff: kept in a case note."
