"""A long fit behaves: the GIL is released while it runs, verbose shows progress, and Ctrl-C
(SIGINT) stops it within about a second with KeyboardInterrupt, leaving the estimator as it was."""
import os
import signal
import threading
import time

import numpy as np
import pytest
import scipy.sparse as sp

import cunmf


def long_problem(sparse=False):
    X = np.random.default_rng(0).random((1500, 800))
    return sp.csr_matrix(X * (X > 0.7)) if sparse else X


def long_model(**params):
    # Far more iterations than the test waits for (seconds each hundred on this X).
    return cunmf.NMF(20, init="random", tol=0, max_iter=1_000_000, random_state=0, **params)


def send_sigint_after(seconds):
    timer = threading.Timer(seconds, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    return timer


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("solver", ["mu", "cd"])
def test_ctrl_c_stops_the_fit(solver, sparse):
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    X = long_problem(sparse)
    model = long_model(solver=solver)
    timer = send_sigint_after(0.5)
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        model.fit(X)
    stopped_after = time.monotonic() - start
    timer.join()
    assert stopped_after < 0.5 + 1.0, f"stopped {stopped_after - 0.5:.2f} s after the signal"
    assert not hasattr(model, "components_")  # nothing half-fitted
    # The estimator and the library still work, and give what an uninterrupted run gives.
    a = model.set_params(max_iter=5).fit(X).components_
    b = long_model(solver=solver).set_params(max_iter=5).fit(X).components_
    np.testing.assert_array_equal(a, b)


def test_ctrl_c_during_a_verbose_fit():
    X = long_problem()
    timer = send_sigint_after(0.5)
    with pytest.raises(KeyboardInterrupt):
        long_model(verbose=1, check_every=1).fit(X)
    timer.join()


def test_the_gil_is_released_during_the_fit():
    X = long_problem()
    ticks = []
    done = threading.Event()

    def count():
        while not done.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.005)

    counter = threading.Thread(target=count)
    model = cunmf.NMF(20, init="random", tol=0, max_iter=150, random_state=0)
    counter.start()
    try:
        start = time.monotonic()
        model.fit(X)
        end = time.monotonic()
    finally:
        done.set()
        counter.join()
    during = [t for t in ticks if start < t < end]
    # The Python thread ran all along (with the GIL held by the fit it would not run at all); a
    # loose bound, for a loaded machine: a tenth of the ticks an idle one would see.
    assert end - start > 0.2
    assert len(during) >= max(5, 0.1 * (end - start) / 0.005)


def test_verbose_prints_iteration_loss_and_time(capsys):
    X = np.random.default_rng(1).random((60, 40))
    cunmf.NMF(4, max_iter=30, tol=0, verbose=1, check_every=10, random_state=0).fit(X)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("cunmf:")]
    assert [int(line.split()[2]) for line in lines] == [0, 10, 20, 30]
    assert all("loss" in line and line.endswith(" s") for line in lines)


def test_an_error_in_the_progress_callback_stops_the_fit():
    def fail(iteration, loss):
        if iteration >= 20:
            raise ZeroDivisionError("from the callback")

    options = cunmf._core.Options()
    options.rank = 3
    options.max_iter = 1000
    options.tol = 0.0
    with pytest.raises(ZeroDivisionError, match="from the callback"):
        cunmf._core.factorize_dense(np.random.default_rng(2).random((30, 20)), options,
                                    on_check=fail)
