"""Claims that the prose of chapter 2 (numerical stability) makes, tested.

Each test names the sentence or figure it guards.  The chapter's own
``format_limits`` and ``shifted_softmax`` are read from the chapter.
References: mpmath at 50 digits (``helpers.reference``), ``np.finfo``, and
for bfloat16, which NumPy lacks, the float32 bit patterns whose lower 16
bits are zero (a bfloat16 is the upper half of a float32).
"""

import mpmath
import scipy.special
import numpy as np
import pytest
from test_claims_ch01 import chapter_function

import helpers
from helpers.reference import rel_error_ulps, softmax_mp
from tools.project import BOOK

CHAPTER = BOOK / "chapters" / "02-stability.md"


def float32_from_bits(bits):
    return float(np.array([bits], dtype=np.uint32).view(np.float32)[0])


# --------------------------------------------------------------------------
# "-inf for the logarithm of a probability when that logarithm, about -800,
# is an ordinary float" (not the probability: e^-800 is below every float64).
# --------------------------------------------------------------------------


def test_e_to_the_minus_800_is_not_a_float64_but_its_log_is():
    with mpmath.workdps(50):
        half_smallest = mpmath.mpf(float(np.finfo(np.float64).smallest_subnormal)) / 2
        assert mpmath.exp(-800) < half_smallest  # rounds to 0 in float64
        exact = -800 - mpmath.log1p(mpmath.exp(-800))
    assert np.exp(-800.0) == 0.0
    got = helpers.log_softmax(np.array([0.0, -800.0]))[1]
    assert got == pytest.approx(float(exact), rel=1e-15)


# --------------------------------------------------------------------------
# The table of formats: "the same layout rule, applied to the three NumPy
# formats, gives exactly what np.finfo reports", and its bfloat16 column.
# --------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_layout_rule_reproduces_finfo(dtype):
    format_limits = chapter_function("format_limits", CHAPTER)
    info = np.finfo(dtype)
    assert format_limits(info.nexp, info.nmant) == {
        "max": float(info.max),
        "tiny": float(info.tiny),
        "smallest subnormal": float(info.smallest_subnormal),
        "eps": float(info.eps),
    }


def test_bfloat16_column_is_the_upper_half_of_float32():
    lim = chapter_function("format_limits", CHAPTER)(8, 7)
    assert lim["max"] == float32_from_bits(0x7F7F0000)
    assert lim["tiny"] == float32_from_bits(0x00800000) == float(np.finfo(np.float32).tiny)
    assert lim["smallest subnormal"] == float32_from_bits(0x00010000)
    # The bfloat16 after 1.0 (0x3F80) is 0x3F81.
    assert lim["eps"] == float32_from_bits(0x3F810000) - 1.0 == 2.0**-7


def test_bfloat16_overflows_at_almost_float32s_logit():
    format_limits = chapter_function("format_limits", CHAPTER)
    bf16, f32 = format_limits(8, 7), format_limits(8, 23)
    # log((2 - 2^-7) / (2 - 2^-23)), about -0.004: "almost the same logit".
    assert 0 < np.log(f32["max"]) - np.log(bf16["max"]) < 0.005


# --------------------------------------------------------------------------
# fig-stability-error-vs-gap: "The bound holds for every point, and helpers
# never errs by more than two units", for other random rows than the figure's.
# --------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_shifted_softmax_error_stays_under_the_bound(seed):
    shifted_softmax = chapter_function("shifted_softmax", CHAPTER)
    rng = np.random.default_rng(seed)
    tops = rng.uniform(-1.0, 1.0, size=2000)
    pairs = np.stack([tops, tops - rng.uniform(0.0, 740.0, size=2000)], axis=1)  # (N, 2)
    exact = softmax_mp(pairs)[:, 1]
    gaps = pairs[:, 0] - pairs[:, 1]
    shifted = np.array([shifted_softmax(row) for row in pairs])[:, 1]
    assert np.all(rel_error_ulps(shifted, exact) <= gaps / 2 + 2)
    assert rel_error_ulps(helpers.softmax(pairs)[:, 1], exact).max() < 2


# --------------------------------------------------------------------------
# Masking (sec-stability-masking): -inf gives exactly 0 and no gradient;
# -1e9 is the same bit for bit in float32 and float64 while a row keeps an
# entry, -inf in float16 (where 0 * -inf is nan), and uniform on a fully
# masked row; SciPy returns nan for a row of -inf; the chapter's solution
# follows the zeros policy of helpers.softmax(where=).
# --------------------------------------------------------------------------

MASK_LOGITS = np.array([2.0, 1.0, 0.5, 3.0])
MASK = np.array([True, True, True, False])


def test_minus_inf_masks_exactly_and_stops_the_gradient():
    masked = np.where(MASK, MASK_LOGITS, -np.inf)
    probs = helpers.softmax(masked)
    assert probs[3] == 0.0
    np.testing.assert_allclose(probs[:3], helpers.softmax(MASK_LOGITS[:3]), rtol=1e-15)
    jac = helpers.softmax_jacobian(masked)
    assert np.all(jac[:, 3] == 0) and np.all(jac[3, :] == 0)
    grad = helpers.cross_entropy_grad(masked[None], np.array([0]))[0]
    assert grad[3] == 0.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_minus_1e9_is_exact_while_a_row_keeps_an_entry(dtype):
    rng = np.random.default_rng(5)
    logits = rng.normal(scale=30.0, size=(200, 8)).astype(dtype)
    mask = rng.random((200, 8)) < 0.5
    mask[:, 0] = True
    big = helpers.softmax(np.where(mask, logits, dtype(-1e9)))
    inf = helpers.softmax(np.where(mask, logits, -np.inf))
    assert np.array_equal(big, inf)


def test_minus_1e9_in_float16_is_minus_inf_and_the_adder_gives_nan():
    with np.errstate(over="ignore", invalid="ignore"):
        assert np.asarray(-1e9, np.float16) == -np.inf
        adder = (1 - MASK.astype(np.float16)) * np.asarray(-1e9, np.float16)
    assert np.all(np.isnan(adder[MASK])) and adder[3] == -np.inf
    assert np.all(np.isnan(helpers.softmax(MASK_LOGITS.astype(np.float16) + adder)))
    assert float(np.finfo(np.float16).max) == 65504.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_minus_1e9_makes_a_fully_masked_row_uniform(dtype):
    none = np.zeros(4, dtype=bool)
    probs = helpers.softmax(np.where(none, MASK_LOGITS.astype(dtype), dtype(-1e9)))
    assert np.all(probs == dtype(0.25))


def test_scipy_and_helpers_return_nan_for_a_row_of_minus_inf():
    row = np.full(3, -np.inf)
    with np.errstate(invalid="ignore"):
        assert np.all(np.isnan(scipy.special.softmax(row)))
    assert np.all(np.isnan(helpers.softmax(row)))


def test_where_returns_zeros_for_a_fully_masked_row_and_ignores_nan():
    batch = np.array([[2.0, 1.0, 0.5, 3.0], [0.3, np.nan, -1.0, 7.0]])
    keep = np.array([[True, True, True, False], [False] * 4])
    probs = helpers.softmax(batch, where=keep)
    assert np.all(probs[1] == 0.0) and probs[0, 3] == 0.0
    assert probs[0].sum() == pytest.approx(1.0, rel=1e-15)


def test_the_masked_solution_follows_the_policy_in_every_dtype():
    masked_softmax = chapter_function("masked_softmax", CHAPTER)
    rng = np.random.default_rng(6)
    for dtype in (np.float16, np.float32, np.float64):
        logits = rng.normal(scale=5.0, size=(50, 6)).astype(dtype)
        mask = rng.random((50, 6)) < 0.4
        mask[::7] = False                         # some rows fully masked
        assert (~mask.any(axis=1)).any()
        got = masked_softmax(logits, mask)
        assert got.dtype == dtype
        want = helpers.softmax(logits, where=mask)
        # The shift's rounding costs up to |z - m| / 2 + 2 units (the bound of
        # fig-stability-error-vs-gap), and these gaps stay below 60.  float16
        # probabilities below 6e-5 are subnormal: allow two of its steps.
        gaps = np.where(mask, logits.max(axis=1, keepdims=True) - logits, 0)
        assert gaps.max() < 60
        np.testing.assert_allclose(got, want, rtol=32 * np.finfo(dtype).eps,
                                   atol=2 * np.finfo(dtype).smallest_subnormal)


# --------------------------------------------------------------------------
# "How accurate is stable?": the division-free softmax loses digits on the
# offset family, one dominant class makes 1 + r round to 1 in most rows,
# and the moderate family's worst shifted log-softmax error is at a top
# class, under 1 / (2r).  Recomputed here from the chapter's own families.
# --------------------------------------------------------------------------

def _families():
    rng = np.random.default_rng(2)
    return {"moderate": 5.0 * rng.normal(size=(40, 10)),
            "huge": 1000.0 * rng.normal(size=(40, 10)),
            "offset 1e6": 1e6 + rng.normal(size=(40, 10)),
            "tiny gaps": 1e-12 * rng.normal(size=(40, 10)),
            "many classes": 5.0 * rng.normal(size=(2, 5000)),
            "one dominant": rng.normal(size=(40, 10)) + 40.0 * np.eye(10)[0]}


def test_division_free_softmax_loses_digits_on_the_offset_family():
    offset = _families()["offset 1e6"]
    free = np.exp(offset - helpers.logsumexp(offset)[:, None])
    worst = rel_error_ulps(free, softmax_mp(offset)).max()
    u = np.finfo(np.float64).eps / 2
    # Bounded by the rounding of LSE near 1e6 (1e6 u, in units of eps), and
    # many digits lost: at least four.
    assert 1e4 < worst <= 2 * (1e6 * u) / np.finfo(np.float64).eps + 4


def test_one_dominant_class_rounds_1_plus_r_to_1_in_most_rows():
    dominant = _families()["one dominant"]
    assert np.all(dominant.argmax(axis=1) == 0)
    weights = np.exp(dominant - dominant.max(axis=1, keepdims=True))
    weights[:, 0] = 0.0
    rest = weights.sum(axis=1)
    lost = rest < np.finfo(np.float64).eps / 2
    assert lost.sum() > len(rest) / 2
    shifted_log_softmax = chapter_function("shifted_log_softmax", CHAPTER)
    for row in dominant[lost]:
        assert shifted_log_softmax(row)[0] == 0.0
    assert np.all(helpers.log_softmax(dominant[lost])[:, 0] < 0)


# --------------------------------------------------------------------------
# "up to 2^-34 / 2^-52 = 2^18 units of eps": the LSE of the offset family
# lies in [2^19, 2^20), and the division-free error stays under half the
# float spacing there, in units of eps (a bound of 1e6 u would be twice as
# loose); the text once said "some 5.0e5 units".
# --------------------------------------------------------------------------

def test_division_free_error_on_the_offset_family_is_bounded_by_2_to_the_18():
    offset = _families()["offset 1e6"]
    lse = helpers.logsumexp(offset)
    assert np.all((2.0**19 <= lse) & (lse < 2.0**20))
    assert np.spacing(lse).max() == 2.0**-33
    free = np.exp(offset - lse[:, None])
    worst = rel_error_ulps(free, softmax_mp(offset)).max()
    assert 2**17 < worst <= 2**18 + 4


# --------------------------------------------------------------------------
# "The shifted softmax ... up to about ten units of eps on moderate logits,
# more with 5000 classes, a few hundred on huge ones" (glued; the text once
# said "a few tens" on moderate logits), and "(1000, 999, 998): under one
# unit".
# --------------------------------------------------------------------------

def _worst_shifted(batch):
    shifted_softmax = chapter_function("shifted_softmax", CHAPTER)
    computed = np.array([shifted_softmax(row) for row in batch])
    return rel_error_ulps(computed, softmax_mp(batch)).max()


def test_shifted_softmax_errors_by_family_are_as_the_prose_orders_them():
    families = _families()
    moderate = _worst_shifted(families["moderate"])
    huge = _worst_shifted(families["huge"])
    assert 2 < moderate < 20
    assert 100 < huge < 400
    first = _worst_shifted(np.array([[1000.0, 999.0, 998.0]]))
    assert first < 1


# --------------------------------------------------------------------------
# "In float16 a logit of 12 already overflows, and a logit of -18 vanishes";
# "in float16, -1e9 is out of range: it rounds to -inf".
# --------------------------------------------------------------------------

def test_float16_limits_quoted_in_the_prose():
    with np.errstate(over="ignore"):
        assert np.isinf(np.exp(np.float16(12)))
        assert np.isinf(np.float16(-1e9))
    assert np.exp(np.float16(11)) < np.finfo(np.float16).max
    assert np.exp(np.float16(-18)) == 0
    assert np.exp(np.float16(-17)) > 0


# --------------------------------------------------------------------------
# The exercises carry a realistic minutes-N class each (the lse-bounds proof
# at least 30, a by-hand value at most 10); the threshold exercise names the
# equal logits a, not t (t is a target on the notation page).
# --------------------------------------------------------------------------

def test_every_exercise_has_minutes_and_the_threshold_avoids_t():
    import re
    text = CHAPTER.read_text()
    blocks = re.findall(r":::\{exercise\}[^\n]*\n(?::[^\n]*\n)+", text)
    assert len(blocks) == 6
    minutes = {re.search(r":label: (\S+)", b)[1]:
               int(re.search(r"minutes-(\d+)", b)[1]) for b in blocks}
    assert minutes["ex-stability-lse-bounds"] >= 30
    assert minutes["ex-stability-threshold"] <= 10
    assert "logits are equal to $a$" in text
    assert "equal to $t$" not in text
