import pytest

from core import passwords as p

GOOD = "Tq7#vLm2pZ9w"


def test_good_password_passes():
    assert p.policy_errors(GOOD, "zhangsan") == []


def test_too_short():
    errs = p.policy_errors("Tq7#vLm2p", "zhangsan")
    assert errs == ["密码长度至少10位（当前9位）"]


def test_equals_username_case_insensitive():
    errs = p.policy_errors("Zhang.San99", "zhang.san99")
    assert "密码不能与用户名相同" in errs


def test_contains_username_case_insensitive():
    errs = p.policy_errors("X9#ZhangSan!", "zhangsan")
    assert errs == ["密码不能包含用户名"]


def test_empty_username_ignored():
    assert p.policy_errors(GOOD, "") == []


@pytest.mark.parametrize("pw", ["abcdefghijkl", "abcdefgh1234", "ABCDEFGH!!!!", "1234567890!@"])
def test_needs_three_classes(pw):
    assert "密码须包含大写字母、小写字母、数字、符号中的至少3类" in p.policy_errors(pw, "user")


@pytest.mark.parametrize("pw", ["abcdefgH1234", "abcdefgh12#$", "ABCDEFGH12#$", "Abcdefgh#$%^"])
def test_three_classes_enough(pw):
    assert p.policy_errors(pw, "user") == []


def test_chinese_counts_as_symbol():
    assert p.policy_errors("我的密码abcd1234", "user") == []


@pytest.mark.parametrize("pw", ["P@ssw0rd123", "Qwerty@123", "Admin@123456", "1qaz@WSX3edc", "Woaini@1314", "Password@123"])
def test_common_passwords_rejected_even_if_complex(pw):
    errs = p.policy_errors(pw, "someone")
    # these pass length and complexity, so the list is the only thing stopping them
    assert errs == ["该密码属于常见弱口令，容易被猜中，请更换"]


def test_common_list_case_insensitive():
    assert "该密码属于常见弱口令，容易被猜中，请更换" in p.policy_errors("pASSWORD@123", "x")


def test_common_list_content():
    common = p.common_passwords()
    assert len(common) >= 300
    for pw in ("123456", "password", "qwerty", "1qaz2wsx", "aa123456", "woaini1314", "admin123", "p@ssw0rd", "passw0rd!", "qwerty@123"):
        assert pw in common
    assert all(s == s.lower() for s in common)
    # enough entries survive length + complexity that the list really matters
    strong = [s for s in p._COMMON_FILE.read_text("utf-8").split() if not s.startswith("#")
              and len(s) >= 10 and p._classes(s) >= 3]
    assert len(strong) >= 100


def test_generate_password():
    seen = set()
    for _ in range(200):
        pw = p.generate_password()
        assert len(pw) == 14
        assert p.policy_errors(pw, "admin") == []
        assert p._classes(pw) == 4
        seen.add(pw)
    assert len(seen) == 200


def test_generate_password_length_floor():
    with pytest.raises(ValueError):
        p.generate_password(8)
