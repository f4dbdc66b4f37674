import sys

if sys.argv[1:2] == ["--trial-load"]:  # a frozen app's trial load (engine/trial.py)
    from draftrx.engine.trial import main as trial

    raise SystemExit(trial(sys.argv[2:]))

from draftrx.cli import main

raise SystemExit(main())
