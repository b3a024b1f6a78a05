"""The neighbourhood or place assessment: a place (a park, an estate, a station, a bus route, a
shop …) assessed the way a family is, on three sides (PRACTICE.md, "The three assessment
triangles"): the young people who use it, the guardianship around it, and its environment and
systems; then the analysis, threshold and recommendation (``definitions.conclusion``).

Each side is a few open questions, in the order a practitioner thinks them through, and a
red/amber/green summary with its evidence, so the sides can be compared at a glance and over
time. The evidence pack (``cases.assessments.packs.place``: concerns there by harm and month,
the young people and groups linked through them, the place's guardians, recent referrals, the
previous assessment's answers) sits beside each side, so most of what is asked is already
known.

Online spaces are not assessed with it: its questions are about a physical place (lighting,
routes, who is present and when). An online space needs questions of its own (how the platform
is designed and moderated, how young people report) — a kind to declare when there is one.
"""

from contexts.models import Context
from safeguarding.subjects.models import Subject

from ..definitions import LINKED_SUBJECTS, Definition, Question, Section, conclusion
from ..models import Assessment
from .common import context_outcome, side_summary

YOUNG_PEOPLE = Section(
    key="young_people",
    title="The young people who use the place",
    description=(
        "The young people who spend time here, as a group: who they are, what happens to them "
        "here, their strengths and what they need. Use what they have told you (safety maps, "
        "youth panels, direct work) as well as the concerns logged here."
    ),
    questions=(
        Question(
            "who_uses",
            "Who uses this place, and when?",
            hint="Roughly how many, their ages, the days and times they are here, and what "
            "brings them (meeting friends, food, a bus, the way home from school).",
        ),
        Question(
            "what_happens",
            "What happens to young people here?",
            hint="What they say about feeling safe or unsafe here, and the harm seen here, "
            "from concerns, referrals and observation.",
        ),
        Question(
            "strengths_needs",
            "What are their strengths, and what do they need to be safe here?",
            hint="For example, friends who look out for each other, trusted adults, somewhere "
            "else to go, support they are missing.",
        ),
        Question(
            "young_people_linked",
            "Young people and groups who use the place",
            type=LINKED_SUBJECTS,
            hint="Only those your work connects to this place. Say how in the note.",
            required=False,
            subject_kinds=(Subject.Kind.YOUNG_PERSON.value, Subject.Kind.PEER_GROUP.value),
        ),
        side_summary(
            "young_people_rating",
            "Overall, how safe are young people at this place?",
            red="they are harmed here, or at serious risk.",
            amber="there are concerns, or their safety depends on who is around.",
            green="they are mostly safe here.",
        ),
    ),
)

GUARDIANSHIP = Section(
    key="guardianship",
    title="Guardianship",
    description=(
        "The adults with caring intent who are, or could be, around this place: staff, "
        "security, shopkeepers, residents, bus drivers, youth workers. Who notices young "
        "people, and who acts when something is wrong?"
    ),
    questions=(
        Question(
            "guardians_present",
            "Which adults are around this place, and when?",
            hint="Their role and the times they are here. The evidence pack lists the "
            "guardians already recorded for the place.",
        ),
        Question(
            "guardians_act",
            "Do they notice and act when young people are at risk?",
            hint="What they did when something happened, whether they know whom to tell, and "
            "whether they see the young people as at risk or as a nuisance.",
        ),
        Question(
            "guardians_could",
            "Who else could look out for young people here, and what would help them?",
            hint="Adults who are present but not involved, times when nobody is, and what they "
            "need: a contact, training, a reason to get involved.",
        ),
        side_summary(
            "guardianship_rating",
            "Overall, how well do adults look out for young people here?",
            red="no one with caring intent is present when harm happens.",
            amber="some adults look out for young people, but not at the times that matter.",
            green="adults are present at the key times and act when needed.",
        ),
    ),
)

ENVIRONMENT = Section(
    key="environment",
    title="Environment and systems",
    description=(
        "The place itself and what shapes it: its design, lighting and routes, what is there "
        "for young people, the policies that apply, and wider factors such as poverty and "
        "housing."
    ),
    questions=(
        Question(
            "physical",
            "What about the place itself makes harm more or less likely?",
            hint="Layout, hidden corners, lighting, cameras, routes in and out, opening hours, "
            "how it changes through the day and the week.",
        ),
        Question(
            "provision",
            "What is there for young people here, and what is missing?",
            hint="Youth clubs, activities, sport, safe places to wait, transport home.",
        ),
        Question(
            "policies_wider",
            "Which policies and wider factors affect the place?",
            hint="Licensing, a business's or a landlord's rules, policing, housing, poverty, "
            "racism, how the area is seen.",
            required=False,
        ),
        Question(
            "places_linked",
            "Places linked to this one",
            type=LINKED_SUBJECTS,
            hint="Places young people move between, or where harm could move to if this place "
            "changes. Say how in the note.",
            required=False,
            subject_kinds=(Subject.Kind.CONTEXT.value,),
        ),
        side_summary(
            "environment_rating",
            "Overall, how far does the environment keep young people safe?",
            red="the place's design, provision or policies make harm likely.",
            amber="some things protect young people, others put them at risk.",
            green="the place's design, provision and policies help keep young people safe.",
        ),
    ),
)

PLACE_V1 = Definition(
    kind=Assessment.Kind.PLACE.value,
    version=1,
    title="Neighbourhood or place assessment",
    purpose=(
        "Use it when a place, rather than one young person, is where harm happens: a park, an "
        "estate, a station, a bus route, a shop. It looks at the young people who use the "
        "place, the adults who could keep them safe there, and the place itself, so that the "
        "plan changes the place and not only the young people in it. Most of the evidence is "
        "already in the system and is drafted for you to check."
    ),
    source=(
        "Contextual Safeguarding programme, Neighbourhood assessment framework "
        "(Firmin, Nyarko and Lloyd, 2018; University of Bedfordshire, now Durham University); "
        "PRACTICE.md"
    ),
    subject_kinds=(Subject.Kind.CONTEXT.value,),
    context_kinds=tuple(
        kind.value
        for kind in Context.Kind
        if kind not in (Context.Kind.SCHOOL, Context.Kind.ONLINE)
    ),
    sections=(
        YOUNG_PEOPLE,
        GUARDIANSHIP,
        ENVIRONMENT,
        conclusion(threshold_prompt="Threshold level for this place"),
    ),
    evidence="cases.assessments.packs.place",
    outcome=context_outcome,
)
