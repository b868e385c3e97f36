"""Worker processes for ``n_jobs``: how many, how they run, how a minibatch is dealt to them.

* ``_jobs.py``: :func:`~sktemporal._parallel._jobs.local_n_jobs`, the number of processes
  ``n_jobs`` means on this machine.
* ``_workers.py``: the runtime (subprocesses, their sockets, shared memory, the pool).
* ``_split.py``: :class:`~sktemporal._parallel._split.GradientSplit`, a minibatch's
  gradient summed over processes.

This layer sits below the model families and imports nothing above ``utils``: what a
worker computes (the network's gradient of one chunk) is passed in by the caller
(``neural_network/_gradients.py``).
"""
