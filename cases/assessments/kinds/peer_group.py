"""The friendship and peer group assessment: a peer group assessed on three domains (PRACTICE.md,
"The three assessment triangles"): how the group functions, the guardianship around it, and
the environmental and family factors; then the analysis, threshold and recommendation
(``definitions.conclusion``).

It opens with the peer mapping rules of PRACTICE.md: a group is assessed only to plan for
safety or to coordinate work already held, with a stated purpose and the actions that follow —
never a list of names with nothing done. Both are required before the assessment can be
submitted. (Each relationship's source, date and reliability live on the relationships
themselves; the evidence pack, ``cases.assessments.packs.peer_group``, shows them.)

The group is never labelled: the questions ask how the group sees itself and how others see it,
and the hints steer away from words such as "gang".
"""

from safeguarding.subjects.models import Subject

from ..definitions import CHOICE, LINKED_SUBJECTS, Definition, Question, Section, conclusion
from ..models import Assessment
from .common import context_outcome, side_summary

#: Why a group may be assessed (PRACTICE.md, peer mapping): nothing else.
PURPOSE_CHOICES = (
    ("plan_safety", "To plan for the safety of the young people in the group"),
    ("coordinate", "To coordinate work already held with young people in the group"),
)

PURPOSE = Section(
    key="purpose",
    title="Why the group is being assessed",
    description=(
        "A group is assessed only to plan for the young people's safety or to coordinate work "
        "already held with them, and only when something will be done with what it finds. "
        "Never to make a list of names."
    ),
    questions=(
        Question(
            "purpose_why",
            "Why is this group being assessed?",
            type=CHOICE,
            choices=PURPOSE_CHOICES,
        ),
        Question(
            "purpose_actions",
            "What will be done with what the assessment finds?",
            hint="The actions that will follow and who will take them: for example, a context "
            "conference, safety plans for the young people, work with a school or youth "
            "service.",
        ),
        Question(
            "purpose_trigger",
            "What led to this assessment?",
            hint="The referral, concerns or panel discussion that raised it.",
            required=False,
        ),
    ),
)

FUNCTIONING = Section(
    key="functioning",
    title="How the group works",
    description=(
        "The relationships within the group, its identity, who leads and who follows, and how "
        "it affects what its members do, for good and for bad."
    ),
    questions=(
        Question(
            "members",
            "Young people in the group",
            type=LINKED_SUBJECTS,
            hint="The evidence pack lists the group's members over time. Link those this "
            "assessment is about and say in the note how sure you are.",
            required=False,
            subject_kinds=(Subject.Kind.YOUNG_PERSON.value,),
        ),
        Question(
            "relationships",
            "How do the young people get on with each other?",
            hint="Who is close to whom, who has influence, who leads and who follows, and any "
            "harm within the group.",
        ),
        Question(
            "identity",
            "How does the group see itself, and how do others see it?",
            hint="What being part of it means to them, what they share, and how school, police, "
            "residents and other young people describe them. Use their words, not labels such "
            "as 'gang'.",
        ),
        Question(
            "influence",
            "How does the group affect what its members do?",
            hint="What they do together, what is expected of members, how they look out for "
            "each other and how they put each other at risk.",
        ),
        side_summary(
            "functioning_rating",
            "Overall, how does the group affect its members' safety?",
            red="being in the group puts its members at serious risk of harm.",
            amber="the group both protects its members and puts them at risk.",
            green="the group mostly helps keep its members safe.",
        ),
    ),
)

GUARDIANSHIP = Section(
    key="guardianship",
    title="Guardianship around the group",
    description=(
        "The adults the young people trust and listen to, and where and when they are around: "
        "parents and carers, youth workers, coaches, teachers, faith leaders, older siblings."
    ),
    questions=(
        Question(
            "guardians",
            "Which adults have a good influence on the group?",
            hint="Who the young people trust, and what those adults already do for them.",
        ),
        Question(
            "guardians_gaps",
            "Where and when is the group without a trusted adult nearby?",
            hint="The times and places the group spends together with no one looking out for them.",
        ),
        Question(
            "guardians_could",
            "Who else could look out for the group, and what would help them?",
            required=False,
        ),
        side_summary(
            "guardianship_rating",
            "Overall, how well do adults look out for the group?",
            red="no trusted adult is around when the group is at risk.",
            amber="trusted adults are there for some of the group, or at some times.",
            green="trusted adults are around and act when the group is at risk.",
        ),
    ),
)

ENVIRONMENT = Section(
    key="environment",
    title="Environmental and family factors",
    description=(
        "The places the group uses, school, the support families can give, and wider "
        "factors such as poverty, housing and racism."
    ),
    questions=(
        Question(
            "places",
            "Places the group uses",
            type=LINKED_SUBJECTS,
            hint="Parks, shops, stations, online spaces, schools. The evidence pack lists the "
            "places linked to members through concerns.",
            required=False,
            subject_kinds=(Subject.Kind.CONTEXT.value,),
        ),
        Question(
            "places_what",
            "What happens in the places the group uses?",
            hint="Where the group is safe and where it is not, and who else is there.",
        ),
        Question(
            "school",
            "How are things for the group at school or college?",
            hint="Attendance, exclusions, how the school sees them, whom they trust there.",
        ),
        Question(
            "families",
            "What support can their families give, and what do families need?",
            hint="What parents and carers know and worry about, and what makes it hard for them "
            "to help (work, housing, their own health).",
        ),
        Question(
            "wider",
            "What wider factors affect the group?",
            hint="Poverty, racism and discrimination, housing, how the area is seen, services "
            "that have closed.",
            required=False,
        ),
        side_summary(
            "environment_rating",
            "Overall, how far do places, school and families keep the group safe?",
            red="the places the group uses, school or home put its members at serious risk.",
            amber="some of them protect the group, others put it at risk.",
            green="they mostly help keep the group safe.",
        ),
    ),
)

PEER_GROUP_V1 = Definition(
    kind=Assessment.Kind.PEER_GROUP.value,
    version=1,
    title="Friendship and peer group assessment",
    purpose=(
        "Use it when young people are at risk together: when harm grows as a group meets, or "
        "several workers hold pieces of information about the same friends. It looks at how "
        "the group works, the adults around it, and the places, schools and families that "
        "shape it, so that the plan works with the group and not against it. Only assess a "
        "group to plan for its members' safety or to coordinate work already held, and say "
        "what will follow."
    ),
    source=(
        "Contextual Safeguarding programme, peer group assessment and peer mapping guidance "
        "(Sloane and others, 2019; University of Bedfordshire, now Durham University); "
        "PRACTICE.md"
    ),
    subject_kinds=(Subject.Kind.PEER_GROUP.value,),
    sections=(
        PURPOSE,
        FUNCTIONING,
        GUARDIANSHIP,
        ENVIRONMENT,
        conclusion(threshold_prompt="Threshold level for this group"),
    ),
    evidence="cases.assessments.packs.peer_group",
    outcome=context_outcome,
)
