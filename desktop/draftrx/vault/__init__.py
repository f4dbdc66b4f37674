"""Local, encrypted drafts history and the offline guard. No Qt here: the window and the
CLI both use it."""
