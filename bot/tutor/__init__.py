"""The Socratic tutor: argument map, stance, moves, composer. Nothing here imports discord."""
