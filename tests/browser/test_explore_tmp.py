import pytest
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_explore(world, signed_in):
    b = signed_in(world.users["sw"])
    yp = world.records["cases.youngperson"]["own"]
    b.visit(f"/concerns/new/?young_person={yp.pk}")
    b.page.wait_for_selector("input.autocomplete__input#id_people-0-young_person")
    print(b.page.evaluate("document.getElementById('id_people-0-young_person').value"))
    print(b.page.evaluate("document.getElementById('id_people-0-young_person-select').value"))
    from cases.models import HarmCategory

    print(HarmCategory.objects.count())
    b.page.screenshot(path="/tmp/sgb/form.png", full_page=True)
