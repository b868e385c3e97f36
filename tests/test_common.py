"""scikit-learn's estimator checks over every public estimator and transformer."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sktemporal._testing import INIT_PARAMS, XFAIL_CHECKS, all_estimators

ESTIMATORS = [cls(**INIT_PARAMS.get(name, {})) for name, cls in all_estimators()]
ALLOWED_XFAILS = {"check_methods_subset_invariance", "check_methods_sample_order_invariance"}


def _expected_failed_checks(estimator):
    return XFAIL_CHECKS.get(type(estimator).__name__, {})


def test_some_estimators_are_checked():
    assert len(ESTIMATORS) >= 3


def test_registry_only_holds_time_order_checks():
    for name, checks in XFAIL_CHECKS.items():
        assert set(checks) <= ALLOWED_XFAILS, name
        assert all(isinstance(reason, str) and reason for reason in checks.values())


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    check(estimator)  # each scikit-learn check raises (AssertionError, ValueError, ...) on failure
