"""The demo borough's invented places: constants and tables only, no logic.

The hand-written places of a borough of scale 1 (parks, estates, stations and bus routes,
shops, schools, an online group chat), the words larger boroughs' generated places are named
with, who looks after each kind of place (its guardians), and what the peer groups that meet
there are called. The people and what happens to them are in ``data.py``.
"""

from contexts.models import Context
from safeguarding.accounts.models import Organisation

from .data import PARTNERS, words

K = Organisation.Kind
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
PLACE_WORDS = words(
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
