import random
from datetime import date

import pytest

from core import idnumber as idn

SAMPLE = "11010519491231002X"  # the well-known GB 11643 sample


def iso7064(first17: str) -> str:
    """Independent formulation of ISO 7064 MOD 11-2 to cross-check check_digit()."""
    s = sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(first17))
    v = (12 - s % 11) % 11
    return "X" if v == 10 else str(v)


def test_weights_are_powers_of_two_mod_11():
    assert idn.WEIGHTS == tuple(2 ** (17 - i) % 11 for i in range(17))


def test_check_digit_sample_gives_x():
    assert idn.check_digit(SAMPLE[:17]) == "X"


def test_check_digit_numeric():
    assert idn.check_digit("42282319900101123") == "8"


def test_check_digit_matches_reference_randomly():
    rng = random.Random(7)
    seen = set()
    for _ in range(2000):
        first17 = "".join(rng.choice("0123456789") for _ in range(17))
        d = idn.check_digit(first17)
        assert d == iso7064(first17)
        seen.add(d)
    assert seen == set("0123456789X")


def test_check_digit_rejects_bad_input():
    with pytest.raises(ValueError):
        idn.check_digit("1234")


def test_validate_ok_sample():
    r = idn.validate(SAMPLE)
    assert r == idn.IdCheck(True, SAMPLE, None)


def test_lowercase_x_accepted_and_uppercased():
    r = idn.validate(SAMPLE.lower())
    assert r.ok and r.value == SAMPLE


def test_fullwidth_and_whitespace_normalized():
    fw = "".join(chr(ord(c) - ord("0") + ord("０")) if c.isdigit() else "ｘ" for c in SAMPLE)
    r = idn.validate(f" {fw[:6]}\u3000{fw[6:]}\t\n")
    assert r.ok and r.value == SAMPLE


def test_int_input():
    first17 = "42282319900101123"
    r = idn.validate(int(first17 + "8"))
    assert r.ok and r.value == first17 + "8"


def test_normalize_does_not_repair():
    assert idn.normalize("1101-0519") == "1101-0519"
    assert idn.normalize(None) == ""


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000"])
def test_empty(raw):
    assert idn.validate(raw).error == "身份证号码为空"


SCI = "身份证号码被Excel转成了科学计数法，请将该列设为文本格式后重新填写"


@pytest.mark.parametrize("raw", ["1.10105E+17", "1.10105e+17", "4.22823E17", 1.10105194912310e17, 4.2e17])
def test_scientific_notation(raw):
    r = idn.validate(raw)
    assert not r.ok and r.error == SCI


def test_fifteen_digit_old_number():
    assert idn.validate("110105491231002").error == "15位旧身份证号码，请换成18位号码"


@pytest.mark.parametrize("raw,n", [("1101051949123100", 16), ("1101051949123100201", 19), ("11010519491231X", 15), ("1234567", 7)])
def test_wrong_length(raw, n):
    assert idn.validate(raw).error == f"身份证号码应为18位（当前{n}位）"


@pytest.mark.parametrize("raw", ["11010519491231002Y", "1101051949123X002X", "110105-19491231002", "ABCDEFGHIJKLMNOPQR", "5a"])
def test_illegal_characters(raw):
    assert idn.validate(raw).error == "身份证号码含有非法字符"


def test_single_digit_is_length_not_charset_error():
    assert idn.validate("5").error == "身份证号码应为18位（当前1位）"


@pytest.mark.parametrize("birth", ["19491332", "19490230", "20230229", "18991231", "00000000"])
def test_invalid_birth_date(birth):
    first17 = "110105" + birth + "002"
    r = idn.validate(first17 + idn.check_digit(first17))
    assert r.error == "身份证号码中的出生日期无效"


def test_future_birth_date():
    first17 = "110105" + "20300101" + "002"
    r = idn.validate(first17 + idn.check_digit(first17), today=date(2026, 1, 1))
    assert not r.ok and r.error.startswith("身份证号码中的出生日期无效")
    # the same number is fine once that day has come
    assert idn.validate(first17 + idn.check_digit(first17), today=date(2030, 1, 1)).ok


def test_bad_check_digit_names_expected():
    r = idn.validate("110105194912310021")
    assert r.error == "身份证号码校验位错误（应为X）"
    r = idn.validate("42282319900101123X")
    assert r.error == "身份证号码校验位错误（应为8）"


def test_error_messages_are_distinct():
    cases = ["", "1.1E+17", "110105491231002", "1101051949123100", "11010519491231002Y",
             "110105194913310023", "110105194912310021"]
    errors = [idn.validate(c).error for c in cases]
    assert None not in errors and len(set(errors)) == len(errors)


def test_derive():
    assert idn.derive(SAMPLE) == ("女", date(1949, 12, 31))  # 17th digit 2 -> female
    male = idn.make("422823", date(1990, 1, 1), 123, "男")
    assert idn.derive(male) == ("男", date(1990, 1, 1))


def test_make_round_trip_random():
    rng = random.Random(42)
    for _ in range(1000):
        region = str(rng.randint(110000, 659999))
        birth = date.fromordinal(rng.randint(date(1920, 1, 1).toordinal(), date(2025, 12, 31).toordinal()))
        seq = rng.randint(0, 999)
        gender = rng.choice(["男", "女"])
        n = idn.make(region, birth, seq, gender)
        r = idn.validate(n, today=date(2026, 1, 1))
        assert r.ok, (n, r.error)
        assert n[:6] == region and idn.derive(n) == (gender, birth)
        assert abs(int(n[14:17]) - seq) <= 1


@pytest.mark.parametrize("seq,gender,expect", [(0, "男", "001"), (0, "女", "000"), (999, "女", "998"), (999, "男", "999"), (998, "男", "999")])
def test_make_sequence_bounds(seq, gender, expect):
    assert idn.make("110105", date(2000, 1, 1), seq, gender)[14:17] == expect


@pytest.mark.parametrize("args", [("11010", date(2000, 1, 1), 1, "男"), ("110105", date(2000, 1, 1), 1000, "男"),
                                  ("110105", date(2000, 1, 1), -1, "男"), ("110105", date(2000, 1, 1), 1, "M")])
def test_make_rejects_bad_args(args):
    with pytest.raises(ValueError):
        idn.make(*args)


@pytest.mark.parametrize("birth,on,age", [
    (date(2010, 5, 20), date(2026, 5, 19), 15),
    (date(2010, 5, 20), date(2026, 5, 20), 16),
    (date(2008, 2, 29), date(2026, 2, 28), 17),  # leap-day birthday not reached until 1 March
    (date(2008, 2, 29), date(2026, 3, 1), 18),
    (date(2000, 1, 1), date(2000, 1, 1), 0),
])
def test_age_on(birth, on, age):
    assert idn.age_on(birth, on) == age
