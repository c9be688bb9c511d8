import dataclasses

import pytest

from core import roles as r


def test_constants():
    assert r.ROLES == ("admin", "office", "township", "unit", "leader")
    assert set(r.ROLE_LABELS) == set(r.ROLES)
    assert r.ROLE_LABELS[r.LEADER] == "领导(只读)"


# role -> (sees_personal_data, can_edit_registry, county_wide, is_read_only)
EXPECTED = {
    r.ADMIN: (True, False, True, False),
    r.OFFICE: (True, True, True, False),
    r.TOWNSHIP: (True, True, False, False),
    r.UNIT: (False, False, False, False),
    r.LEADER: (False, False, True, True),
}


@pytest.mark.parametrize("role", r.ROLES)
def test_permissions(role):
    a = r.Actor("u", role)
    assert (a.sees_personal_data, a.can_edit_registry, a.county_wide, a.is_read_only) == EXPECTED[role]


@pytest.mark.parametrize("role", r.ROLES)
def test_presentation_masks_and_freezes(role):
    a = r.Actor("u", role, presentation=True)
    assert a.sees_personal_data is False
    assert a.can_edit_registry is False
    assert a.is_read_only is True
    assert a.county_wide == EXPECTED[role][2]  # scope itself does not change


def test_actor_frozen_and_defaults():
    a = r.Actor("zhang", r.TOWNSHIP, "张三", township_id=3)
    assert (a.unit_id, a.presentation, a.role_label) == (None, False, "乡镇(街道)民政办")
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.role = r.ADMIN
    assert dataclasses.replace(a, presentation=True).sees_personal_data is False


def test_unknown_role_rejected():
    with pytest.raises(ValueError):
        r.Actor("x", "superuser")
