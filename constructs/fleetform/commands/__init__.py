"""What fleetform's commands do, and the command line that runs them (the top layer).

Each capability is a module (``batch``, ``drift``, ``lock``, ``move_state``) or a
package whose ``__init__`` is its API, functions returning result objects, and
whose modules are its parts: :mod:`.changes` (``changed``: the Git tree read, the
results), :mod:`.diff` (applications, stacks, the two sides, gates, the report),
:mod:`.validate` (checks, chart checks, the report, schemas), :mod:`.preview` (the
diagram), :mod:`.plans`, :mod:`.pipeline` (batches, retirement) and :mod:`.new` (a new
fleet). :mod:`.override` is the gates' override, shared by ``diff --gate`` and
``plans --gate``. A capability imports another only through its ``__init__``.

:mod:`.cli` is the command line, and the only code that parses one
(``tests/test_layout.py``): a module per command reads its options, calls the
capability and shows the result through a view of the format asked.
"""
