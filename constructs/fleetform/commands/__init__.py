"""The ``fleetform`` command line and its subcommands (the top layer).

:mod:`.cli` parses the command line and runs one subcommand's module (see
``cli.COMMANDS``): a module of its own for a command of one (``synth``, ``batch``,
``drift``, ``lock``, ``move_state``), a package for a command of several, whose
``__init__`` is the command (``configure(parser)``, ``run(args)`` and its API) and whose
modules are its parts: :mod:`.changes` (``changed``: the Git tree read, the results),
:mod:`.diff` (applications, stacks, the two sides, gates, the report),
:mod:`.validate` (checks, chart checks, the report, schemas), :mod:`.preview` (the
diagram), :mod:`.plans`, :mod:`.pipeline` (batches, retirement) and :mod:`.new` (a new
fleet). :mod:`.override` is the gates' override, shared by ``diff --gate`` and
``plans --gate``; :mod:`.repository_options` the options of the commands that read the
label repositories. Only this layer parses a command line (``tests/test_layout.py``).
"""
