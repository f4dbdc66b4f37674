from draftrx.cli import main

raise SystemExit(main())
